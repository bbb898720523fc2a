"""Sphinx extension for the book's site (loaded through _config.yml).

* ``{d2l-api}`` lists every name of the generated module's ``__all__`` with
  its signature, the first line of its docstring and a link to the page that
  defines it, in reading order. It reads d2l_lib/d2l/mxnet.py at build time.
* ``{d2l-results}`` tabulates the training runs recorded in the stored
  notebooks beside the original edition's reference results
  (chapters/99-back/reference-results.yml).

Loaded by ``_config.yml`` as ``sphinx.extra_extensions: [booktools.site]``.
* Repository and launch buttons, shown only when ``repository.url`` in
  _config.yml names a repository.
* A 404 page, a default colour mode, and removal of script tags that appear twice on a page (with
  this Jupyter Book stack the inline configuration of sphinx-thebe and
  sphinx-togglebutton is registered twice, once with filename None and once
  with '', which Sphinx does not see as equal; every page then declared
  ``const THEBE_JS_URL`` twice and the browser raised a SyntaxError).
"""
import ast
import json
import pathlib
import re

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes

from booktools import library, paths


# -- the d2l API ------------------------------------------------------------------

def public_api(path=None):
    """Return [(name, signature, first docstring line, page)] for ``__all__``, in module order."""
    source = pathlib.Path(path or paths.library_module()).read_text()
    page_of = {}
    for block in library.blocks(source):
        for node in ast.parse(block.code).body:
            for name in library._defined_names(node):
                page_of.setdefault(name, block.page)
    public = set(library.all_names(source))
    entries, seen = [], set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name = node.name
            if isinstance(node, ast.FunctionDef):
                signature = f'({ast.unparse(node.args)})'
            else:
                init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                             and n.name == '__init__'), None)
                args = ast.unparse(init.args).removeprefix('self, ').removeprefix('self') if init else ''
                signature = f'({args})'
            doc = (ast.get_docstring(node) or '').strip().split('\n')[0]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, signature = node.targets[0].id, ''
            doc = f'= {ast.unparse(node.value)}'
            if len(doc) > 90:
                doc = doc[:87] + '...'
        else:
            continue
        if name not in public or name in seen:
            continue
        seen.add(name)
        entries.append((name, signature, doc, page_of.get(name)))
    # The profile switch is hand-written (d2l/profile.py); the module re-exports it.
    for node in ast.parse(paths.profile_module().read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name in public and node.name not in seen:
            doc = (ast.get_docstring(node) or '').strip().split('\n')[0]
            entries.append((node.name, f'({ast.unparse(node.args)})', doc, None))
    return entries


def _doc_link(target, env):
    ref = addnodes.pending_xref('', refdomain='std', reftype='doc', reftarget='/' + target,
                                refexplicit=False, refdoc=env.docname, refwarn=True)
    ref += nodes.inline(text=target)
    return ref


class D2LApi(Directive):
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        env.note_dependency(str(paths.library_module()))
        items = nodes.definition_list(classes=['d2l-api'])
        for name, signature, doc, page in public_api():
            term = nodes.term()
            term['ids'].append(f'd2l-{name}'.replace('_', '-').lower())
            term += nodes.literal(text=f'd2l.{name}{signature}')
            body = nodes.paragraph()
            if doc:
                body += nodes.Text(doc + ' ')
            if page:
                body += nodes.Text('Defined in ')
                body += _doc_link(page, env)
                body += nodes.Text('.')
            else:
                body += nodes.Text('Hand-written in d2l/profile.py (the test-profile switch).')
            definition = nodes.definition()
            definition += body
            item = nodes.definition_list_item()
            item += term
            item += definition
            items += item
        return [items]


# -- results of the training runs ------------------------------------------------

def stored_text(page):
    """All text a page's stored outputs show (streams and plain results), solutions excluded."""
    notebook = json.loads((paths.root() / f'{page}.ipynb').read_text())
    chunks = []
    for cell in notebook['cells']:
        if cell['cell_type'] != 'code' or 'hide-cell' in cell.get('metadata', {}).get('tags', []):
            continue
        for out in cell.get('outputs', []):
            text = out.get('text') or out.get('data', {}).get('text/plain', '')
            chunks.append(''.join(text) if isinstance(text, list) else text)
    return '\n'.join(chunks), notebook.get('metadata', {}).get('d2l', {})


def load_references(path=None):
    return yaml.safe_load(pathlib.Path(path or paths.references()).read_text())['runs']


def result_rows(references=None):
    """One row per reference entry, with what the stored notebook printed."""
    rows = []
    for ref in references or load_references():
        text, meta = stored_text(ref['page'])
        matches = list(re.finditer(ref['pattern'], text))
        occurrence = ref.get('occurrence', 1)
        match = matches[occurrence - 1] if len(matches) >= occurrence else None
        device = re.search(r'(?:examples|tokens)/sec on (\S+)', text[match.start():]) if match else None
        row = dict(ref, printed=match.group(0).strip() if match else None,
                   device=device.group(1) if device else 'device not printed',
                   profile=meta.get('profile', 'full'), status='missing')
        caps = [f'{k.removeprefix("max_")} ≤ {v}' for k, v in meta.items() if k.startswith('max_')]
        if caps:
            row['profile'] += f' ({", ".join(caps)})'
        if match and 'metric' in ref:
            ours = float(match.group(ref['metric']))
            goal, tol = float(ref['reference_value']), float(ref.get('tolerance', 0.005))
            better = ours >= goal - tol if ref.get('better', 'higher') == 'higher' else ours <= goal + tol
            # A gap the page itself accounts for (a seed study, the original's own
            # code rerun) is shown as explained; the page must say so to earn it.
            row['status'] = ('matches or beats' if better else
                             'below, explained' if ref.get('explained') else 'below')
            row['ours'] = ours
        elif match:
            row['status'] = 'see text'
        rows.append(row)
    return rows


class D2LResults(Directive):
    has_content = False
    COLUMNS = ('Run (page)', 'Data', 'Profile, device', 'Printed by the stored notebook',
               'Original edition')
    MARKS = {'matches or beats': ' ✓', 'below': ' ✗ (below)', 'see text': '', 'missing': ' (not found!)',
             'below, explained': ' (below; the page shows why: {explained})'}

    def run(self):
        env = self.state.document.settings.env
        env.note_dependency(str(paths.references()))
        table = nodes.table(classes=['d2l-results'])
        group = nodes.tgroup(cols=len(self.COLUMNS))
        table += group
        for width in (3, 2, 2, 4, 3):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self._row([nodes.Text(c) for c in self.COLUMNS])
        group += head
        body = nodes.tbody()
        for row in result_rows():
            env.note_dependency(str(paths.root() / f'{row["page"]}.ipynb'))
            run = nodes.inline()
            run += nodes.Text(row['model'] + ' (')
            run += _doc_link(row['page'], env)
            run += nodes.Text(')')
            body += self._row([run, nodes.Text(row['data']),
                               nodes.Text(f"{row['profile']}; {row['device']}"),
                               nodes.Text((row['printed'] or 'not found')
                                          + self.MARKS[row['status']].format(**row)),
                               nodes.Text(row['reference'])])
        group += body
        return [table]

    @staticmethod
    def _row(cells):
        row = nodes.row()
        for content in cells:
            entry = nodes.entry()
            paragraph = nodes.paragraph()
            paragraph += content
            entry += paragraph
            row += entry
        return row


# -- page furniture ------------------------------------------------------------------

def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get('script_files', []):
        key = (getattr(script, 'filename', script) or '',
               str(getattr(script, 'attributes', {}).get('body', '')))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: later handlers see the same list, and one of them may end the
    # event early by returning a template name.
    context['script_files'][:] = unique


def _not_found_page(app):
    body = ('<h1>Page not found</h1><p>There is no page at this address. The book may '
            'have moved it: start again from the <a href="/index.html">front page</a> '
            'or try the <a href="/search.html">search</a>.</p>')
    yield '404', {'title': 'Page not found', 'body': body}, 'page.html'


def _theme_defaults(app, config):
    # Without a default colour mode the theme logs a console error on a
    # reader's first visit ("Got invalid theme mode"). The theme's templates
    # read it from the page context; set it in place, next to what Jupyter
    # Book put there.
    config.html_context.setdefault('default_mode', 'light')


def _repository_buttons(app, config):
    # Repository and launch buttons only make sense when the build names a
    # real repository (``repository.url`` in _config.yml); without one they
    # would send every click to a page that does not exist.
    options = config.html_theme_options
    url = (options.get('repository_url') or '').strip()
    named = url.startswith(('https://', 'http://'))
    # The repository's home and, in the source menu, each page's own file there.
    options['use_repository_button'] = options['use_source_button'] = named
    if not named:
        options['launch_buttons'] = {}


def setup(app):
    app.connect('config-inited', _theme_defaults)
    app.connect('config-inited', _repository_buttons)
    app.add_directive('d2l-api', D2LApi)
    app.add_directive('d2l-results', D2LResults)
    app.connect('html-page-context', _dedupe_scripts, priority=999)
    app.connect('html-collect-pages', _not_found_page)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
