"""The book's tooling, built around one model of the book.

* ``paths``: every place the project reads or writes, each defined once and
  overridable by one documented environment variable;
* ``book``: the reading order (``_toc.yml``) and a page with its settings;
* ``extract``: the ``#@save`` extractor that writes ``d2l/mxnet.py``;
* ``library``: the generated module read back (blocks, provenance, ``__all__``)
  and the fingerprints that tell whether a stored notebook is stale;
* ``pages``: the command line for maintainers (``python -m booktools.pages``);
* ``nbval_plugin``, ``site``, ``site_check``, ``gpu_check``: the pytest plugin,
  the Sphinx extension, the headless-browser check and the GPU gate.

Nothing here is imported by the reader's ``d2l`` package.
"""
