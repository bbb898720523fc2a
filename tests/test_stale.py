"""Stored outputs cannot go stale unnoticed: a notebook records the fingerprint of
the library code it ran against, and `make stale` lists pages whose record no
longer matches."""
import json
import subprocess
import sys

import jupytext
import nbformat
import pytest
from booktools import book, library, pages

LIBRARY = '''\
# Defined in file: ./chapters/a/page.md (cell 1)
import os
DATA_HUB = dict()
DATA_HUB['toy'] = ('http://example.org/toy.csv', 'abc')
DATA_HUB['other'] = ('http://example.org/other.csv', 'def')

def helper(x):
    """Add one."""
    return x + 1  # the step

def used(x):
    return d2l.helper(x) * 2

def unrelated():
    return 0
'''
PAGE_CODE = ["from d2l import mxnet as d2l\nprint(d2l.used(1), d2l.DATA_HUB['toy'])"]
SETTINGS = book.Settings()


def digest(text, code=PAGE_CODE, settings=SETTINGS):
    return library.fingerprint(code, settings, text)['fingerprint']


@pytest.mark.parametrize('change, stale', [
    (('"""Add one."""', '"""Add one to x, as the page explains."""'), False),  # docstring
    (('# the step', '# a different comment'), False),                         # comment
    (('import os', 'import os, sys'), False),                                 # imports
    (('return 0', 'return 1'), False),                                        # code the page never reaches
    (("'def')", "'xyz')"), False),                                            # a dataset the page never names
    (('return x + 1', 'return x + 2'), True),                                 # a function it reaches through another
    (('* 2', '* 3'), True),                                                   # a function it calls
    (("'abc')", "'abd')"), True),                                             # the dataset entry it names
])
def test_fingerprint_follows_code_and_ignores_docs(change, stale):
    changed = LIBRARY.replace(*change)
    assert changed != LIBRARY
    assert (digest(changed) != digest(LIBRARY)) == stale


def test_a_local_variable_is_not_the_library_name_it_shadows():
    # `used` has a parameter called `size` and a loop variable called `sin`;
    # neither is the library's `size` or `sin`, so editing those leaves the
    # page's record alone. A library function that does call `size` is followed.
    library_text = LIBRARY.replace(
        'def used(x):\n    return d2l.helper(x) * 2',
        'def used(x, size=2):\n    return sum(d2l.helper(x) * size for sin in [0])'
    ) + 'def size(a):\n    return a.size\n\ndef sin(a):\n    return a.sin()\n'
    for old, new in [('a.size', 'len(a)'), ('a.sin()', 'a.sinh()')]:
        assert digest(library_text.replace(old, new)) == digest(library_text)
    calls_size = library_text.replace('x, size=2', 'x').replace('* size for', '* size(x) for')
    assert digest(calls_size.replace('a.size', 'len(a)')) != digest(calls_size)


def test_an_entry_the_page_assigns_itself_is_not_the_librarys():
    # An exercise that sets d2l.DATA_HUB['toy'] itself before downloading does
    # not depend on the library's entry; a cell that saves the entry does.
    own = ["d2l.DATA_HUB['toy'] = ('http://example.org/toy.csv', 'abc')\n"
           "print(d2l.download('toy'))"]
    saved = ["d2l.DATA_HUB['toy'] = ('http://example.org/toy.csv', 'abc')  #@save"]
    changed = LIBRARY.replace("'abc')", "'abd')")
    assert digest(changed, code=own) == digest(LIBRARY, code=own)
    assert digest(changed, code=saved) != digest(LIBRARY, code=saved)


def test_fingerprint_follows_the_stored_runs_settings():
    assert digest(LIBRARY, settings=book.Settings(profile='lite', max_epochs=2)) != digest(LIBRARY)
    assert digest(LIBRARY, settings=book.Settings(smoke_max_epochs=1)) == digest(LIBRARY)


def test_make_stale_lists_a_page_after_a_library_function_changes(tmp_path):
    (tmp_path / '_toc.yml').write_text('format: jb-book\nroot: chapters/a/page\n')
    module = tmp_path / 'd2l_lib' / 'd2l' / 'mxnet.py'
    module.parent.mkdir(parents=True)
    module.write_text(LIBRARY)
    page = book.Page('chapters/a/page', tmp_path)
    page.md.parent.mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PAGE_CODE[0])])
    notebook.metadata['jupytext'] = {'formats': 'ipynb,md:myst'}
    jupytext.write(notebook, page.md)
    nbformat.write(notebook, page.ipynb)
    pages.record(page, LIBRARY)

    def stale():
        env = dict(__import__('os').environ, D2L_BOOK_ROOT=str(tmp_path))
        out = subprocess.run([sys.executable, '-m', 'booktools.pages', 'stale'],
                             capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert stale() == ['pages:', 'no', 'page', 'is', 'stale']
    module.write_text(LIBRARY.replace('"""Add one."""', '"""Add one (docs only)."""'))
    assert 'chapters/a/page' not in stale()
    module.write_text(LIBRARY.replace('return x + 1', 'return x + 2'))
    assert stale() == ['chapters/a/page']


def test_a_page_whose_own_code_changed_is_stale(tmp_path):
    (tmp_path / '_toc.yml').write_text('format: jb-book\nroot: chapters/a/page\n')
    page = book.Page('chapters/a/page', tmp_path)
    page.md.parent.mkdir(parents=True)
    code = ('def f(x):\n    """Square."""\n    return x ** 2  # the square\n'
            "print(f(3), d2l.used(1))")

    def write(source):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        notebook.metadata['jupytext'] = {'formats': 'ipynb,md:myst'}
        jupytext.write(notebook, page.md)
        return notebook

    nbformat.write(write(code), page.ipynb)
    pages.record(page, LIBRARY)

    def stale():
        return library.is_stale(page, nbformat.read(page.ipynb, as_version=4), LIBRARY)

    assert not stale()
    write(code.replace('"""Square."""', '"""The square of x."""').replace('# the square', '# x * x'))
    assert not stale()                     # docstrings and comments only
    write(code.replace('x ** 2', 'x ** 3'))
    assert stale()                         # the code the outputs came from
    # a record made before records carried the page's code cannot tell
    notebook = nbformat.read(page.ipynb, as_version=4)
    del notebook.metadata[library.RECORD_KEY]['page_code']
    nbformat.write(notebook, page.ipynb)
    assert not stale()


def test_every_stored_notebook_came_from_the_current_library():
    stale = [p.name for p in pages.stale_pages()]
    assert not stale, ('stored outputs made by other library code or settings (run `make run-stale`): '
                       f'{stale}')


def test_a_stored_notebook_says_what_it_ran_against():
    page = book.resolve('softmax-regression-scratch')
    record = json.loads(page.ipynb.read_text())['metadata'][library.RECORD_KEY]
    assert record['run']['D2L_PROFILE'] == 'full' and record['library_names'] > 5
