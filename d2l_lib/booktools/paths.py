"""Every path the project uses, each defined once.

Each has one environment variable that overrides it; ``python -m
booktools.paths`` prints them all, ``python -m booktools.paths NAME`` one of
them, and ``--env`` the variables a run of the book needs (the offline mirror)
as ``NAME=value`` words for a shell.

=====================  ======================  =====================================
what                   variable                default
=====================  ======================  =====================================
the checkout           D2L_BOOK_ROOT           the folder holding ``_toc.yml`` above
                                               this package
data cache             D2L_DATA_DIR            ``~/.cache/d2l``
offline data mirror    D2L_DATA_MIRROR         ``../shared/data`` beside the checkout,
                                               if it holds ``MANIFEST.tsv``
browser                D2L_CHROMIUM            ``/usr/bin/chromium``
browser driver         D2L_CHROMEDRIVER        ``/usr/bin/chromedriver``
=====================  ======================  =====================================

The ``d2l`` library reads ``D2L_DATA_DIR`` and ``D2L_DATA_MIRROR`` itself (a
reader needs no tooling); the tools pass the mirror on to every kernel they
start, so it is decided here and nowhere else. Where Fashion-MNIST is found
is the library's business alone (``d2l.fashion_mnist_dirs``: the cache, the
mirror, Debian's ``dataset-fashion-mnist`` folder); ``fashion_mnist()``
asks the library rather than repeating its search.
"""
import os
import pathlib
import sys

_PACKAGE = pathlib.Path(__file__).resolve().parent


def root():
    """The checkout: the folder with ``_toc.yml``."""
    if os.environ.get('D2L_BOOK_ROOT'):
        return pathlib.Path(os.environ['D2L_BOOK_ROOT']).resolve()
    return _PACKAGE.parent.parent


def toc():
    return root() / '_toc.yml'


def library_module():
    """The generated module, ``d2l_lib/d2l/mxnet.py``."""
    return root() / 'd2l_lib' / 'd2l' / 'mxnet.py'


def profile_module():
    return root() / 'd2l_lib' / 'd2l' / 'profile.py'


def references():
    """The original edition's results, which the results page compares with."""
    return root() / 'chapters' / '99-back' / 'reference-results.yml'


def build_dir():
    return root() / '_build'


def site_dir():
    return build_dir() / 'html'


def data_dir():
    return pathlib.Path(os.environ.get('D2L_DATA_DIR', '~/.cache/d2l')).expanduser()


def mirror():
    """The offline data mirror, or None when there is none.

    A mirror is a folder with a ``MANIFEST.tsv`` (columns ``name file sha1``).
    """
    if os.environ.get('D2L_DATA_MIRROR'):
        return pathlib.Path(os.environ['D2L_DATA_MIRROR'])
    beside = root().parent / 'shared' / 'data'
    return beside if (beside / 'MANIFEST.tsv').is_file() else None


def shared():
    """The project's shared folder beside the checkout (originality checker), or None."""
    folder = root().parent / 'shared'
    return folder if folder.is_dir() else None


def fashion_mnist():
    """The folder from which the library reads all four Fashion-MNIST files
    when the book's runs get ``run_env()``, or None if it would download them."""
    from d2l import mxnet as d2l  # imports MXNet: only the tools that need it call this
    names = [name for pair in d2l.FASHION_MNIST_FILES.values() for name in pair]
    saved = os.environ.copy()
    os.environ.update(run_env())
    try:
        folders = d2l.fashion_mnist_dirs(d2l.data_dir())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    for folder in folders:
        if all(os.path.isfile(os.path.join(folder, name)) for name in names):
            return pathlib.Path(folder)
    return None


def chromium():
    return pathlib.Path(os.environ.get('D2L_CHROMIUM', '/usr/bin/chromium'))


def chromedriver():
    return pathlib.Path(os.environ.get('D2L_CHROMEDRIVER', '/usr/bin/chromedriver'))


def run_env():
    """What every run of the book's pages gets beyond the caller's environment."""
    env = {}
    if mirror() is not None:
        env['D2L_DATA_MIRROR'] = str(mirror())
    return env


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    names = ('root', 'toc', 'library_module', 'data_dir', 'mirror',
             'fashion_mnist', 'chromium', 'chromedriver')
    if argv == ['--env']:
        print(' '.join(f'{k}={v}' for k, v in run_env().items()))
    elif len(argv) == 1 and argv[0] in names:
        print(globals()[argv[0]]() or '')
    elif not argv:
        for name in names:
            print(f'{name:26} {globals()[name]()}')
    else:
        print(f'usage: python -m booktools.paths [--env | {" | ".join(names)}]', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
