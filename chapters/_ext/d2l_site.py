"""Sphinx extension for the book's site (loaded through _config.yml).

* Drops script tags that appear twice on a page. With this Jupyter Book
  stack the inline configuration of sphinx-thebe and sphinx-togglebutton is
  registered twice (once with filename None, once with ''), which Sphinx
  does not see as equal; every page then declared `const THEBE_JS_URL`
  twice and the browser raised a SyntaxError.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get('script_files', []):
        key = (getattr(script, 'filename', script) or '', str(getattr(script, 'attributes', {}).get('body', '')))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: later handlers see the same list, and one of them may end the
    # event early by returning a template name.
    context['script_files'][:] = unique


def setup(app):
    app.connect('html-page-context', _dedupe_scripts, priority=999)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
