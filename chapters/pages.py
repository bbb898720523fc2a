"""Keep each page's two halves together: the MyST ``.md`` source and the
executed ``.ipynb`` the site shows and the tests re-run.

    python chapters/pages.py list [--ipynb]   # pages in reading order
    python chapters/pages.py sync [PAGE...]   # md -> ipynb inputs, keeping outputs
    python chapters/pages.py run PAGE...      # sync, then execute and store outputs
    python chapters/pages.py check            # exit 1 if any pair differs
    python chapters/pages.py dist OUT.zip     # every notebook + d2l_lib + requirements

PAGE is a path (``chapters/02-preliminaries/ndarray``, with or without a
suffix) or a page's file name (``ndarray``) when that name is unique.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import jupytext
import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'd2l_lib'))
from build_lib import toc_pages  # noqa: E402  (one reader of _toc.yml)

MIRROR = ROOT.parent / 'shared' / 'data'


def pages():
    """Every page of ``_toc.yml`` as a path without suffix, in reading order."""
    return [ROOT / p for p in toc_pages(ROOT / '_toc.yml')]


def resolve(name):
    """Turn a page name given on the command line into its path without suffix."""
    path = pathlib.Path(name)
    if path.suffix in ('.md', '.ipynb'):
        path = path.with_suffix('')
    candidates = [p for p in pages()
                  if p == (ROOT / path).resolve() or p.name == path.name and len(path.parts) == 1]
    if len(candidates) != 1:
        found = ', '.join(str(c.relative_to(ROOT)) for c in candidates) or 'no page'
        raise SystemExit(f'pages: {name!r} matches {found} in _toc.yml')
    return candidates[0]


def cell_signature(notebook):
    """What must agree between the halves: the page's d2l settings (profile and
    caps), and each cell's kind, source and tags."""
    settings = json.dumps(notebook.metadata.get('d2l'), sort_keys=True)
    return [('d2l', settings, ())] + [
        (c.cell_type, c.source.strip('\n'), tuple(c.metadata.get('tags', [])))
        for c in notebook.cells]


def pair_differences(page):
    """Return a list of human-readable differences between a page's halves."""
    md, ipynb = page.with_suffix('.md'), page.with_suffix('.ipynb')
    missing = [p.name for p in (md, ipynb) if not p.exists()]
    if missing:
        return [f'{page.relative_to(ROOT)}: missing {", ".join(missing)}']
    left = cell_signature(jupytext.read(md))
    right = cell_signature(nbformat.read(ipynb, as_version=4))
    problems = []
    if len(left) != len(right):
        problems.append(f'{page.relative_to(ROOT)}: {len(left)} cells in .md, {len(right)} in .ipynb')
    for number, (a, b) in enumerate(zip(left, right), 1):
        if a != b:
            problems.append(f'{page.relative_to(ROOT)}: cell {number - 1} differs '
                            f'({a[0]} {a[1][:40]!r}... vs {b[0]} {b[1][:40]!r}...)')
            break
    return problems


def sync(page):
    """Copy the md's cells into the ipynb; outputs survive where a cell is unchanged."""
    md, ipynb = page.with_suffix('.md'), page.with_suffix('.ipynb')
    subprocess.run([sys.executable, '-m', 'jupytext', '--quiet', '--to', 'ipynb',
                    '--update', str(md)] if ipynb.exists() else
                   [sys.executable, '-m', 'jupytext', '--quiet', '--to', 'ipynb', str(md)],
                   check=True, cwd=ROOT)
    # `jupytext --update` keeps the notebook's old metadata; the page's d2l
    # settings (profile, caps) live in the md header and must follow it.
    settings = jupytext.read(md).metadata.get('d2l')
    notebook = nbformat.read(ipynb, as_version=4)
    if notebook.metadata.get('d2l') != settings:
        if settings is None:
            notebook.metadata.pop('d2l', None)
        else:
            notebook.metadata['d2l'] = settings
        nbformat.write(notebook, ipynb)


def stored_profile(page):
    """The profile a page's stored outputs come from, and its caps.

    Most pages store a full run. A page whose full run needs a GPU names a
    capped profile in its header, e.g. ``d2l: {profile: lite, max_examples: 4096}``,
    and says so in its text.
    """
    meta = jupytext.read(page.with_suffix('.md')).metadata.get('d2l', {})
    env = {'D2L_PROFILE': meta.get('profile', 'full')}
    for key in ('max_epochs', 'max_examples'):
        if key in meta:
            env[f'D2L_{key.upper()}'] = str(meta[key])
    return env


def run_env(page=None):
    """The environment stored outputs are made in: the page's profile, the offline mirror."""
    env = dict(os.environ)
    env.setdefault('D2L_PROFILE', 'full')
    if page is not None and 'D2L_PROFILE' not in os.environ:
        env.update(stored_profile(page))
    if MIRROR.is_dir():
        env.setdefault('D2L_DATA_MIRROR', str(MIRROR))
    # Two OpenMP threads make big CPU kernels about twice as fast; MXNet hangs
    # if its worker pool is widened as well, so that one stays at its default.
    env.setdefault('OMP_NUM_THREADS', '2')
    env.pop('MXNET_CPU_WORKER_NTHREADS', None)
    return env


def run(page, timeout):
    sync(page)
    env = run_env(page)
    start = time.time()
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook',
                    '--execute', '--inplace', f'--ExecutePreprocessor.timeout={timeout}',
                    str(page.with_suffix('.ipynb'))], check=True, cwd=page.parent, env=env)
    caps = ', '.join(f'{k}={v}' for k, v in env.items() if k.startswith('D2L_MAX'))
    print(f'pages: ran {page.relative_to(ROOT)} in {time.time() - start:.1f} s '
          f'(D2L_PROFILE={env["D2L_PROFILE"]}{", " + caps if caps else ""})')


def dist(target):
    """Zip the executed notebooks, their figures, the library and the pins."""
    import zipfile
    target = pathlib.Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    files = [p.with_suffix('.ipynb') for p in pages()]
    files += sorted({f for p in pages() for f in p.parent.glob('img/*') if f.is_file()})
    files += [f for f in sorted((ROOT / 'd2l_lib').rglob('*'))
              if f.is_file() and '__pycache__' not in f.parts and '.egg-info' not in str(f)]
    files += [ROOT / 'requirements.txt', ROOT / 'README.md']
    with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.write(f, pathlib.Path('d2l-mxnet') / f.relative_to(ROOT))
    print(f'pages: wrote {target} ({len(files)} files, {target.stat().st_size / 1e6:.1f} MB)')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    listing = sub.add_parser('list', help='pages in reading order')
    listing.add_argument('--ipynb', action='store_true', help='print the .ipynb paths')
    for name in ('sync', 'run'):
        p = sub.add_parser(name)
        p.add_argument('pages', nargs='*')
        p.add_argument('--timeout', type=int, default=3600)
    sub.add_parser('check', help='exit 1 if any pair differs')
    sub.add_parser('dist', help='zip notebooks, d2l_lib and requirements').add_argument('target')
    args = parser.parse_args(argv)

    if args.command == 'list':
        for p in pages():
            print((p.with_suffix('.ipynb') if args.ipynb else p).relative_to(ROOT))
    elif args.command == 'sync':
        for p in [resolve(n) for n in args.pages] or pages():
            sync(p)
    elif args.command == 'run':
        if not args.pages:
            parser.error('run needs at least one page')
        for p in [resolve(n) for n in args.pages]:
            run(p, args.timeout)
    elif args.command == 'dist':
        dist(args.target)
    elif args.command == 'check':
        problems = [d for p in pages() for d in pair_differences(p)]
        print('\n'.join(problems) or f'pages: all {len(pages())} pairs agree')
        return 1 if problems else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
