"""Each page's .md (the source) and .ipynb (the executed copy) say the same thing."""
import jupytext
import nbformat

import pages


def test_every_page_of_the_toc_has_both_halves_and_they_agree():
    problems = [d for p in pages.pages() for d in pages.pair_differences(p)]
    assert not problems, '\n'.join(problems) + '\nRun `make sync` (or `make run NB=...`).'


def test_a_changed_md_is_reported(tmp_path):
    md = pages.pages()[1].with_suffix('.md')
    notebook = jupytext.read(md)
    notebook.cells.append(nbformat.v4.new_code_cell('1 + 1'))
    edited = tmp_path / 'page'
    jupytext.write(notebook, edited.with_suffix('.md'))
    nbformat.write(nbformat.read(md.with_suffix('.ipynb'), as_version=4), edited.with_suffix('.ipynb'))
    original_root = pages.ROOT
    try:
        pages.ROOT = tmp_path
        assert pages.pair_differences(edited)
    finally:
        pages.ROOT = original_root


def test_every_page_with_code_checks_some_output():
    unchecked = []
    for page in pages.pages():
        cells = nbformat.read(page.with_suffix('.ipynb'), as_version=4).cells
        code = [c for c in cells if c.cell_type == 'code']
        if code and not any('nbval-check-output' in c.metadata.get('tags', []) for c in code):
            unchecked.append(str(page.relative_to(pages.ROOT)))
    assert not unchecked, f'pages with code but no nbval-check-output cell: {unchecked}'


def test_stored_outputs_come_from_an_executed_run():
    unrun = []
    for page in pages.pages():
        cells = nbformat.read(page.with_suffix('.ipynb'), as_version=4).cells
        if any(c.cell_type == 'code' and c.execution_count is None and 'skip-execution' not in c.metadata.get('tags', [])
               for c in cells):
            unrun.append(str(page.relative_to(pages.ROOT)))
    assert not unrun, f'pages with code cells never executed (run `make run NB=...`): {unrun}'
