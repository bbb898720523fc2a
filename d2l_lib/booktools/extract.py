"""Build the ``d2l`` module from the book's ``#@save`` code cells.

Pages are read in reading order (the ``.md`` half of each pair, the source).
Two markers are understood:

* a code cell whose first line is ``#@save`` is saved whole;
* a top-level statement (``def``, ``class``, assignment...) whose first line
  ends with ``#@save`` is saved by itself.

The module opens with ``__all__``, then the preface's import block (the one
import block of the library: saved code elsewhere imports nothing), then every
block under a comment naming its page and cell, so a reader can go from a
function to the text that explains it and the comment does not change when
another page does. Nothing is written when a saved block does not parse.
Saved code outside the preface imports nothing (``stray_imports`` lists what
does; a test keeps the list empty).

    python -m booktools.extract            # write d2l_lib/d2l/mxnet.py (make lib)
    python -m booktools.extract --check    # exit 1 if the committed module is stale
"""
import argparse
import ast
import pathlib
import re
import sys

from booktools import book, paths

IMPORT_PAGE = 'chapters/00-front/preface'
MARKER = '#@save'
HEADER = '''\
# This file is generated from the #@save cells of the book's pages, in reading
# order, by `make lib` (d2l_lib/booktools/extract.py). DO NOT EDIT: change the
# page named above a block, then run `make lib`.
'''
PROFILE_IMPORT = 'from d2l.profile import is_smoke, profile, profile_epochs, profile_examples, profile_image_size'
PROFILE_NAMES = ['is_smoke', 'profile', 'profile_epochs', 'profile_examples', 'profile_image_size']
DEFINED_IN = '# Defined in file: ./{page}.md (cell {cell})'
DEFINED_IN_RE = re.compile(r'^# Defined in file: \./(?P<page>.+)\.md \((?:cell|block) (?P<cell>\d+)\)')
# IPython-only lines (magics, shell escapes) are blanked before parsing so
# that line numbers still match the cell.
IPYTHON_LINE = re.compile(r'^\s*[%!]')


class ExtractionError(Exception):
    """A saved block that would make the module unimportable or untidy."""


def saved_blocks(source, where):
    """Return the ``#@save`` code of one cell's source, as a list of strings."""
    lines = source.splitlines()
    if not lines:
        return []
    if lines[0].strip() == MARKER:
        block = '\n'.join(lines[1:]).strip('\n')
        _check_syntax(block, where)
        return [block]
    if not any(line.rstrip().endswith(MARKER) for line in lines):
        return []
    parsable = '\n'.join('' if IPYTHON_LINE.match(l) else l for l in lines)
    try:
        tree = ast.parse(parsable)
    except SyntaxError as err:
        raise ExtractionError(f'{where}: cell with {MARKER} does not parse: '
                              f'line {err.lineno}: {err.msg}') from None
    blocks, marked = [], set()
    for node in tree.body:
        first = node.lineno  # the def/class line, not its decorators
        if lines[first - 1].rstrip().endswith(MARKER):
            start = min([first] + [d.lineno for d in getattr(node, 'decorator_list', [])])
            block = lines[start - 1:node.end_lineno]
            block[first - start] = _unmark(block[first - start])
            blocks.append('\n'.join(block))
            marked.add(first)
    stray = [i + 1 for i, l in enumerate(lines)
             if l.rstrip().endswith(MARKER) and i + 1 not in marked]
    if stray:
        raise ExtractionError(f'{where}: {MARKER} on line(s) {stray} is not at the start '
                              'of a top-level statement, so nothing would be saved')
    return blocks


def _unmark(line):
    """Drop the marker comment from a saved line; it means nothing in the module."""
    return line.rstrip()[:-len(MARKER)].rstrip()


def _check_syntax(block, where):
    try:
        return ast.parse(block)
    except SyntaxError as err:
        raise ExtractionError(f'{where}: saved block does not parse: '
                              f'line {err.lineno}: {err.msg}') from None


def stray_imports(root=None):
    """Imports in saved code outside the preface: the import block should do them, once."""
    found = []
    for page in book.pages(root):
        if page.name == IMPORT_PAGE or not page.md.exists():
            continue
        for cell, block in page_blocks(page):
            for node in ast.walk(ast.parse(block)):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = ', '.join(a.name for a in node.names)
                    found.append(f'{page.name}.md (cell {cell}): imports {names}; '
                                 f'import it once in {IMPORT_PAGE}.md')
    return found


def page_blocks(page):
    """[(cell number, block)] of one page, in cell order (cells counted from 1)."""
    blocks = []
    for number, cell in enumerate(page.source().cells, 1):
        if cell.cell_type == 'code':
            for block in saved_blocks(cell.source, f'{page.name}.md (cell {number})'):
                blocks.append((number, block))
    return blocks


def public_names(blocks):
    """Names a block defines at top level and a reader may use (no leading underscore)."""
    names = []
    for block in blocks:
        for node in ast.parse(block).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found = [node.name]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found = [t.id for t in targets if isinstance(t, ast.Name)]
            else:
                found = []
            names += [n for n in found if not n.startswith('_') and n != 'd2l' and n not in names]
    return names


def build_module(root=None):
    """Return the text of the generated module."""
    pages = book.pages(root)
    # The import block leads, as in the original edition.
    pages.sort(key=lambda p: p.name != IMPORT_PAGE)
    sections, blocks = [], []
    for page in pages:
        if not page.md.exists():
            raise ExtractionError(f'{page.name}.md is listed in _toc.yml but does not exist')
        for cell, block in page_blocks(page):
            sections.append(f'{DEFINED_IN.format(page=page.name, cell=cell)}\n{block}\n')
            blocks.append(block)
    names = [n for n in public_names(blocks) if n not in PROFILE_NAMES]
    listing = ',\n'.join(f'    {n!r}' for n in PROFILE_NAMES + names)
    head = f'{HEADER}\n__all__ = [\n{listing},\n]\n\n{PROFILE_IMPORT}\n'
    text = '\n'.join([head] + sections)
    _check_syntax(text, 'the generated module')
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='do not write; exit 1 if the committed module differs')
    parser.add_argument('--output', type=pathlib.Path, default=None)
    args = parser.parse_args(argv)
    output = args.output or paths.library_module()
    try:
        text = build_module()
    except ExtractionError as err:
        print(f'extract: {err}; nothing written', file=sys.stderr)
        return 2
    current = output.read_text() if output.exists() else None
    if args.check:
        if current != text:
            print(f'extract: {output} is not in sync with the pages; run `make lib` '
                  'and commit the result', file=sys.stderr)
            return 1
        print('extract: the d2l module is in sync with the pages')
        return 0
    if current != text:
        output.write_text(text)
    print(f'extract: wrote {output} ({text.count("# Defined in file:")} blocks)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
