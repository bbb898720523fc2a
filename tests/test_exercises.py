"""Every exercise a page poses has a worked solution, collapsed, and solution
code stays hidden until the reader asks for it."""
import pytest
from booktools import book, exercises

PAGES = [p for p in book.pages() if p.md.exists()]


@pytest.mark.parametrize('page', PAGES, ids=[p.name for p in PAGES])
def test_one_solution_per_exercise(page):
    found = exercises.of(page.md.read_text())
    if found is None:
        pytest.skip('no Exercises section')
    count = len(found.posed)
    assert count, 'an Exercises section that poses no numbered exercise'
    assert found.posed == list(range(1, count + 1)), f'exercises numbered {found.posed}'
    assert sorted(found.solved) == list(range(1, count + 1)), (
        f'{count} exercises, solution dropdowns for {found.solved}')
    assert not found.unhidden_code, f'{found.unhidden_code} solution code cell(s) without hide-cell'


def test_the_parser_reads_the_house_format():
    text = '\n'.join([
        '## Exercises', '', '1. First.', '   1. a sub-question, not an exercise', '1. Second.', '',
        ':::{dropdown} Solution to exercise 1', 'Because.', ':::', '',
        '```{code-cell} ipython3', ':tags: [hide-cell]', 'x = 1', '```', '',
        ':::{dropdown} Solution to exercise 1, continued', 'More.', ':::',
        '```{code-cell} ipython3', 'y = 2', '```',
        '## Next section', ':::{dropdown} Solution to exercise 9', ':::'])
    found = exercises.of(text)
    assert found.posed == [1, 2]
    assert found.solved == [1]
    assert found.unhidden_code == 1
    assert exercises.of('# A page\n\nNo exercises.') is None


@pytest.mark.parametrize('page', PAGES, ids=[p.name for p in PAGES])
def test_no_placeholder_left_for_a_number(page):
    # Drafts mark a number still to be read off the stored run as ⟨what it is⟩.
    text = page.md.read_text()
    assert '⟨' not in text, 'a ⟨...⟩ placeholder is still on the page: ' + text[
        text.index('⟨'):text.index('⟨') + 80]
