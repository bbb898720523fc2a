"""The generated ``d2l`` module read back, and fingerprints of the code a page ran.

``blocks`` splits the module at its provenance comments (the site's API page
uses them); ``definitions`` maps every top-level name to the code that defines
it and the library names that code refers to.

A page's *fingerprint* says which library code its stored outputs depend on:
the library names the page's code uses (``d2l.name``), followed through the
library's own references, each hashed as code only: docstrings, comments and
import statements are left out (where a module is imported does not change what
the code computes; the import block is checked by its own tests). The profile
and caps of the stored run (the page header) are part of it too. A notebook
records the fingerprint it was executed with; when the library's code or the
header changes, the recorded and the current fingerprint differ and the page is
*stale*. The record also carries a digest of the page's own code cells, code
only (``page_code_digest``): editing a cell's code makes the page stale, editing
its comments or docstrings (or the prose) does not. Records made before this
digest existed cannot tell, and are judged by the fingerprint alone.
"""
import ast
import dataclasses
import functools
import hashlib
import json
import re
import symtable

from booktools import paths
from booktools.extract import DEFINED_IN_RE

RECORD_KEY = 'd2l_run'
MODULE_LEVEL = '<module>'  # top-level statements that define no name run for every page
USES = re.compile(r'\bd2l\.([A-Za-z_]\w*)')
STRINGS = re.compile(r'''(?:'([^'\\\n]*)'|"([^"\\\n]*)")''')


@dataclasses.dataclass
class Block:
    page: str
    cell: int
    code: str


def blocks(text):
    """The module's blocks with the page and cell each came from."""
    found, current = [], None
    for line in text.splitlines():
        match = DEFINED_IN_RE.match(line)
        if match:
            current = Block(match['page'], int(match['cell']), '')
            found.append(current)
        elif current is not None:
            current.code += line + '\n'
    return found


def all_names(text):
    """The module's ``__all__``."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == '__all__':
            return list(ast.literal_eval(node.value))
    return []


def _strip(node):
    """A copy of ``node`` without docstrings and import statements."""
    node = ast.parse(ast.unparse(node)).body[0]  # a fresh copy
    for sub in ast.walk(node):
        body = getattr(sub, 'body', None)
        if isinstance(body, list):
            body[:] = [s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom))]
            if (isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                body.pop(0)
            if not body and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                body.append(ast.Pass())
    return node


def _entry(key):
    """How an entry of a library dict (``DATA_HUB['airfoil']``) is named in the table:
    code that mentions the string ``'airfoil'`` depends on it, other code does not."""
    return f'[{key!r}]'


def _defined_names(node):
    """The top-level names a statement defines, or the dict entry it sets."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = (node.targets if isinstance(node, ast.Assign) else
               [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
    names = []
    for target in targets:
        if (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)):
            names.append(_entry(target.slice.value))
            continue
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == 'd2l'):
                target = ast.Name(target.attr)
                break
            target = target.value
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple):
            names += [e.id for e in target.elts if isinstance(e, ast.Name)]
    return names


def _global_names(source):
    """The names code refers to at module scope: a function's parameters and
    locals (``def f(size): ...``) are not references to the library's ``size``."""
    names, todo = set(), [symtable.symtable(source, '<library>', 'exec')]
    while todo:
        table = todo.pop()
        todo += table.get_children()
        module_scope = table.get_type() == 'module'
        names |= {s.get_name() for s in table.get_symbols()
                  if s.is_referenced() and (module_scope or s.is_global())}
    return names


def _referenced(node):
    names = _global_names(ast.unparse(node))
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == 'd2l':
            names.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            names.add(_entry(sub.value))
    return names


@functools.lru_cache(maxsize=8)
def definitions(text):
    """name -> (list of code hashes, set of names referenced), for every top-level name."""
    table = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        stripped = _strip(node)
        digest = hashlib.sha1(ast.dump(stripped).encode()).hexdigest()
        for name in _defined_names(node) or [MODULE_LEVEL]:
            hashes, refs = table.setdefault(name, ([], set()))
            hashes.append(digest)
            refs |= _referenced(stripped)
    return table


def closure(names, table):
    """The library names reachable from ``names`` through the library's references."""
    seen, todo = set(), [n for n in names if n in table]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [r for r in table[name][1] if r in table and r not in seen]
    return seen


OWN_ENTRY = re.compile(r"""DATA_HUB\[['"]([^'"\n]+)['"]\]\s*=(?!=)""")


def page_uses(code_cells):
    """The library names a page's code refers to as ``d2l.name``, and the dict
    entries its strings may name (``d2l.download('airfoil')``).

    An entry the page assigns itself in a cell that saves nothing
    (``d2l.DATA_HUB['ptb'] = ...`` in an exercise) replaces the library's, so
    the page does not depend on the library's version of it."""
    names = {m for cell in code_cells for m in USES.findall(cell)}
    own = {_entry(k) for cell in code_cells if '#@save' not in cell
           for k in OWN_ENTRY.findall(cell)}
    entries = {_entry(a or b) for cell in code_cells for a, b in STRINGS.findall(cell)}
    return names | (entries - own)


def fingerprint(code_cells, settings, library_text=None, profile_caps=None):
    """The record a notebook stores: a digest and what went into it."""
    text = library_text if library_text is not None else paths.library_module().read_text()
    table = definitions(text)
    used = closure(page_uses(code_cells) | {MODULE_LEVEL}, table)
    if profile_caps is None:
        from d2l.profile import CAPS as profile_caps
    run = dict(settings.stored_env(), caps=list(profile_caps[settings.profile]))
    digest = hashlib.sha1(json.dumps(
        [run, sorted((n, table[n][0]) for n in used)], sort_keys=True).encode()).hexdigest()
    return {'fingerprint': digest, 'run': run, 'library_names': len(used - {MODULE_LEVEL}),
            'page_code': page_code_digest(code_cells)}


def _cell_code(source):
    """A cell's code without comments and docstrings; a cell that is not plain
    Python (IPython's ``%`` and ``!`` lines) is kept as text, comments dropped."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        lines = (line.split('#', 1)[0].rstrip() for line in source.splitlines())
        return '\n'.join(line for line in lines if line)
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        # (a string alone at the top of a cell is an output, not a docstring)
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body[:] = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def page_code_digest(code_cells):
    """SHA-1 of the page's own code, cell by cell, code only."""
    return hashlib.sha1(json.dumps([_cell_code(c) for c in code_cells]).encode()).hexdigest()


def page_fingerprint(page, library_text=None):
    return fingerprint(page.code_cells(), page.settings, library_text)


def recorded(notebook):
    """The record a stored notebook carries, or None."""
    return notebook.metadata.get(RECORD_KEY)


def is_stale(page, notebook, library_text=None):
    """Whether the stored outputs came from other library code, settings or page code."""
    record = recorded(notebook)
    if record is None:
        return True
    now = page_fingerprint(page, library_text)
    return (record.get('fingerprint') != now['fingerprint']
            or record.get('page_code', now['page_code']) != now['page_code'])
