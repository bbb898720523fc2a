"""Each page's .md (the source) and .ipynb (the executed copy) say the same thing."""
import jupytext
import nbformat
from booktools import book, pages


def test_every_page_of_the_toc_has_both_halves_and_they_agree():
    problems = [d for p in book.pages() for d in pages.pair_differences(p)]
    assert not problems, '\n'.join(problems) + '\nRun `make sync` (or `make run NB=...`).'


def test_a_changed_md_is_reported(tmp_path):
    source = book.pages()[1]
    notebook = jupytext.read(source.md)
    notebook.cells.append(nbformat.v4.new_code_cell('1 + 1'))
    edited = book.Page('page', tmp_path)
    jupytext.write(notebook, edited.md)
    nbformat.write(nbformat.read(source.ipynb, as_version=4), edited.ipynb)
    assert pages.pair_differences(edited)


def test_every_page_with_code_checks_some_output():
    unchecked = []
    for page in book.pages():
        cells = nbformat.read(page.ipynb, as_version=4).cells
        code = [c for c in cells if c.cell_type == 'code']
        if code and not any('nbval-check-output' in c.metadata.get('tags', []) for c in code):
            unchecked.append(page.name)
    assert not unchecked, f'pages with code but no nbval-check-output cell: {unchecked}'


def test_stored_outputs_come_from_an_executed_run():
    unrun = []
    for page in book.pages():
        cells = nbformat.read(page.ipynb, as_version=4).cells
        if any(c.cell_type == 'code' and c.execution_count is None
               and 'skip-execution' not in c.metadata.get('tags', []) for c in cells):
            unrun.append(page.name)
    assert not unrun, f'pages with code cells never executed (run `make run NB=...`): {unrun}'
