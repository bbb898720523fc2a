"""The #@save extraction: what it saves, in which order, how it says where, and when it refuses."""
import subprocess
import sys

import pytest
from booktools import extract, library, paths

HEADER = (paths.root() / 'chapters/00-front/index.md').read_text().split('---\n\n')[0] + '---\n'


def write_page(root, page, cells):
    body = ''.join(f'\n```{{code-cell}} ipython3\n{c}\n```\n' for c in cells)
    path = root / f'{page}.md'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{HEADER}\n# {page}\n{body}')


@pytest.fixture
def book(tmp_path):
    (tmp_path / '_toc.yml').write_text(
        'format: jb-book\nroot: chapters/a/intro\nparts:\n'
        '  - chapters:\n      - file: chapters/b/second\n      - file: chapters/00-front/preface\n')
    write_page(tmp_path, 'chapters/a/intro', ['x = 1'])
    write_page(tmp_path, 'chapters/b/second', [
        '#@save\ndef whole():\n    return 1',
        'import os\n\ndef helper():  #@save\n    """Kept."""\n    return 2\n\ndef scratch():\n    return 3',
        '%matplotlib inline\nLIMIT = 7  #@save\n\n@staticmethod  \ndef decorated():  #@save\n    pass',
    ])
    write_page(tmp_path, 'chapters/00-front/preface', ['#@save\nimport math'])
    return tmp_path


def test_toc_order_saved_blocks_provenance_and_all(book):
    text = extract.build_module(book)
    assert text.startswith('# This file is generated')
    # The preface's import block leads even though the toc lists it last.
    order = [text.index(s) for s in ('__all__', 'import math', 'def whole', 'def helper',
                                     'LIMIT = 7', '@staticmethod')]
    assert order == sorted(order)
    assert 'def scratch' not in text and 'import os' not in text and '%matplotlib' not in text
    assert '#@save' not in text.split('__all__')[1]  # markers do not leak into the code
    # Each block names its page and cell (counted within its own page, the title being cell 1).
    where = [(b.page, b.cell) for b in library.blocks(text)]
    assert where == [('chapters/00-front/preface', 2), ('chapters/b/second', 2),
                     ('chapters/b/second', 3), ('chapters/b/second', 4), ('chapters/b/second', 4)]
    assert library.all_names(text) == extract.PROFILE_NAMES + ['whole', 'helper', 'LIMIT', 'decorated']
    compile(text, 'mxnet.py', 'exec')


def test_provenance_is_stable_when_another_page_grows(book):
    before = {b.code: (b.page, b.cell) for b in library.blocks(extract.build_module(book))}
    write_page(book, 'chapters/a/intro', ['#@save\ndef early():\n    return 0', 'x = 1'])
    after = {b.code: (b.page, b.cell) for b in library.blocks(extract.build_module(book))}
    assert all(after[code] == where for code, where in before.items())


def test_imports_in_saved_code_are_reported(book):
    assert extract.stray_imports(book) == []
    write_page(book, 'chapters/b/second', ['def reader():  #@save\n    import gzip\n    return gzip'])
    assert extract.stray_imports(book) == [
        'chapters/b/second.md (cell 2): imports gzip; import it once in chapters/00-front/preface.md']


def test_syntax_error_refuses_without_writing(book, tmp_path, monkeypatch):
    write_page(book, 'chapters/b/second', ['#@save\ndef broken(:\n    pass'])
    target = tmp_path / 'out.py'
    target.write_text('untouched')
    monkeypatch.setenv('D2L_BOOK_ROOT', str(book))
    with pytest.raises(extract.ExtractionError, match='does not parse'):
        extract.build_module(book)
    assert extract.main(['--output', str(target)]) == 2
    assert target.read_text() == 'untouched'


def test_marker_inside_a_body_is_an_error(book):
    write_page(book, 'chapters/b/second', ['def outer():\n    x = 1  #@save\n    return x'])
    with pytest.raises(extract.ExtractionError, match='not at the start'):
        extract.build_module(book)


def test_committed_module_is_in_sync_with_the_pages():
    result = subprocess.run([sys.executable, '-m', 'booktools.extract', '--check'],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_library_has_one_import_block_and_no_unused_import():
    assert extract.stray_imports() == []
    text = paths.library_module().read_text()
    import ast
    tree = ast.parse(text)
    bound = [(a.asname or a.name).split('.')[0] for node in tree.body
             if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names]
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
             and isinstance(n.value, ast.Name) and n.value.id == 'd2l'}
    exported = set(library.all_names(text))
    unused = [name for name in bound if name not in used and name not in exported]
    assert not unused, f'imported but never used by the library: {unused}'


def test_all_lists_every_public_definition():
    from d2l import mxnet as d2l
    defined = [name for name, obj in vars(d2l).items()
               if not name.startswith('_') and getattr(obj, '__module__', None) == 'd2l.mxnet']
    missing = set(defined) - set(d2l.__all__)
    assert not missing, missing
    assert all(hasattr(d2l, name) for name in d2l.__all__)


def test_import_works_from_any_directory(tmp_path):
    code = 'from d2l import mxnet as d2l; print(d2l.__name__, d2l.np.ones(2).sum())'
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['d2l.mxnet', '2.0']
