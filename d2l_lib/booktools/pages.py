"""Keep each page's two halves together and its stored outputs fresh.

    python -m booktools.pages list [--ipynb]   # pages in reading order
    python -m booktools.pages sync [PAGE...]   # md -> ipynb inputs, keeping outputs
    python -m booktools.pages run PAGE...      # sync, then execute and store outputs
    python -m booktools.pages check            # exit 1 if any pair differs
    python -m booktools.pages stale            # pages whose outputs came from other code
    python -m booktools.pages run-stale        # re-run those
    python -m booktools.pages adopt            # record fingerprints for old notebooks (see below)
    python -m booktools.pages dist OUT.zip     # every notebook + d2l_lib + requirements
    python -m booktools.pages minutes [--all]  # stored runs over their time budget (or all)
    python -m booktools.pages minutes --here   # also those estimated to overrun on this machine

PAGE is a path (``chapters/02-preliminaries/ndarray``, with or without a
suffix) or a page's file name (``ndarray``) when that name is unique.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import time
import zipfile

import jupytext
import nbformat

from booktools import book, extract, library, machine_speed, paths


def cell_signature(notebook):
    """What must agree between the halves: the page's d2l settings, and each
    cell's kind, source and tags."""
    settings = book.Settings.from_header(notebook.metadata.get('d2l')).header()
    return [('d2l', repr(sorted((settings or {}).items())), ())] + [
        (c.cell_type, c.source.strip('\n'), tuple(c.metadata.get('tags', [])))
        for c in notebook.cells]


def pair_differences(page):
    """Human-readable differences between a page's halves."""
    missing = [p.name for p in (page.md, page.ipynb) if not p.exists()]
    if missing:
        return [f'{page.name}: missing {", ".join(missing)}']
    left = cell_signature(jupytext.read(page.md))
    right = cell_signature(nbformat.read(page.ipynb, as_version=4))
    problems = []
    if len(left) != len(right):
        problems.append(f'{page.name}: {len(left)} cells in .md, {len(right)} in .ipynb')
    for number, (a, b) in enumerate(zip(left, right)):
        if a != b:
            where = 'the d2l header settings differ' if number == 0 else f'cell {number - 1} differs'
            problems.append(f'{page.name}: {where} '
                            f'({a[0]} {a[1][:40]!r}... vs {b[0]} {b[1][:40]!r}...)')
            break
    return problems


def sync(page):
    """Copy the md's cells into the ipynb; outputs survive where a cell is unchanged."""
    command = [sys.executable, '-m', 'jupytext', '--quiet', '--to', 'ipynb', str(page.md)]
    if page.ipynb.exists():
        command.insert(-1, '--update')
    subprocess.run(command, check=True, cwd=page.root)
    # `jupytext --update` keeps the notebook's old metadata; the page's
    # settings live in the md header and must follow it.
    header = page.settings.header()
    notebook = nbformat.read(page.ipynb, as_version=4)
    if notebook.metadata.get('d2l') != header:
        if header is None:
            notebook.metadata.pop('d2l', None)
        else:
            notebook.metadata['d2l'] = header
        nbformat.write(notebook, page.ipynb)


def stored_run_env(page):
    """The environment a page's stored outputs are made in."""
    env = dict(os.environ)
    overridden = {k: env.pop(k) for k in ('D2L_PROFILE', 'D2L_MAX_EXAMPLES', 'D2L_MAX_EPOCHS',
                                               'D2L_MAX_IMAGE_SIZE')
                  if k in env}
    if overridden:
        print(f'pages: {page.name}: stored outputs follow the page header; ignoring '
              + ', '.join(f'{k}={v}' for k, v in overridden.items()), file=sys.stderr)
    env.update(paths.run_env())
    env.update(page.settings.stored_env())
    # Two OpenMP threads make big CPU kernels about twice as fast; MXNet hangs
    # if its worker pool is widened as well, so that one stays at its default.
    env.setdefault('OMP_NUM_THREADS', '2')
    env.pop('MXNET_CPU_WORKER_NTHREADS', None)
    return env


def library_in_sync():
    """Regenerate the module when the pages' saved code changed: a run uses the pages' code."""
    text = extract.build_module()
    target = paths.library_module()
    if target.read_text() != text:
        target.write_text(text)
        print(f'pages: regenerated {target.relative_to(paths.root())} from the pages first')
    return text


def run(page, timeout):
    sync(page)
    text = library_in_sync()
    env = stored_run_env(page)
    start = time.time()
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook',
                    '--execute', '--inplace', f'--ExecutePreprocessor.timeout={timeout}',
                    str(page.ipynb)], check=True, cwd=page.path.parent, env=env)
    record(page, text, cpu_kind=machine_speed.cpu_kind())
    settings = ', '.join(f'{k}={v}' for k, v in page.settings.stored_env().items())
    print(f'pages: ran {page.name} in {time.time() - start:.1f} s ({settings})')


def record(page, library_text, **extra):
    notebook = nbformat.read(page.ipynb, as_version=4)
    notebook.metadata[library.RECORD_KEY] = dict(library.page_fingerprint(page, library_text), **extra)
    nbformat.write(notebook, page.ipynb)


def stale_pages():
    text = paths.library_module().read_text()
    return [p for p in book.pages()
            if p.ipynb.exists() and library.is_stale(p, nbformat.read(p.ipynb, as_version=4), text)]


def adopt():
    """Record fingerprints for notebooks executed before notebooks recorded them.

    A notebook without a record was last committed at some commit C. If the
    library code it uses was the same at C as it is now, its outputs came from
    today's code and it gets today's record; otherwise it is listed as stale.
    """
    text = paths.library_module().read_text()
    module = paths.library_module().relative_to(paths.root()).as_posix()
    old_modules = {}
    stale = []
    for page in book.pages():
        notebook = nbformat.read(page.ipynb, as_version=4)
        if library.recorded(notebook):
            continue
        rel = page.ipynb.relative_to(paths.root()).as_posix()
        commit = subprocess.run(['git', 'log', '-1', '--format=%H', '--', rel], cwd=paths.root(),
                                capture_output=True, text=True, check=True).stdout.strip()
        if not commit:
            stale.append(page)
            continue
        if commit not in old_modules:
            old_modules[commit] = subprocess.run(['git', 'show', f'{commit}:{module}'], cwd=paths.root(),
                                                 capture_output=True, text=True, check=True).stdout
        then = library.page_fingerprint(page, old_modules[commit])['fingerprint']
        if then == library.page_fingerprint(page, text)['fingerprint']:
            record(page, text, adopted_from=commit[:12])
        else:
            stale.append(page)
    return stale


def budget_report(everything=None):
    """(page, minutes, budget) of every stored run, longest first."""
    rows = [(p, p.stored_minutes(), p.settings.budget()) for p in everything or book.pages()]
    return sorted(rows, key=lambda row: -(row[1] or 0))


def stored_cpu_kind(page):
    """The kind of machine that stored the page's run, if `run` recorded it."""
    return (library.recorded(nbformat.read(page.ipynb, as_version=4)) or {}).get('cpu_kind')


def machine_slowdown():
    """How many times longer a stored run would take on this machine (an estimate)."""
    probe = book.resolve(machine_speed.PROBE_PAGE)
    stored = machine_speed.stored_rate(probe)
    here = machine_speed.measured_rate(stored_run_env(probe), probe)
    print(f'pages: LeNet trains at {here:,.0f} examples/s here and at {stored:,.0f} in its stored run, '
          f'so a run stored on that machine would take about {stored / here:.2f} times as long here')
    return stored / here


def dist(target):
    """Zip the executed notebooks, their figures, the library and the pins."""
    root = paths.root()
    target = pathlib.Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    everything = book.pages()
    files = [p.ipynb for p in everything]
    files += sorted({f for p in everything for f in p.path.parent.glob('img/*') if f.is_file()})
    files += [f for f in sorted((root / 'd2l_lib').rglob('*'))
              if f.is_file() and '__pycache__' not in f.parts and '.egg-info' not in str(f)]
    files += [root / 'requirements.txt', root / 'README.md']
    with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.write(f, pathlib.Path('d2l-mxnet') / f.relative_to(root))
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
    sub.add_parser('stale', help='list pages whose stored outputs came from other library code')
    sub.add_parser('run-stale', help='re-run the stale pages').add_argument('--timeout', type=int, default=3600)
    sub.add_parser('adopt', help='record fingerprints for notebooks that have none')
    sub.add_parser('dist', help='zip notebooks, d2l_lib and requirements').add_argument('target')
    minutes = sub.add_parser('minutes', help='stored runs over their time budget')
    minutes.add_argument('--all', action='store_true', help='list every page, not only those over budget')
    minutes.add_argument('--here', action='store_true',
                         help='also list the runs estimated to overrun on this machine (trains LeNet briefly to measure it)')
    args = parser.parse_args(argv)

    try:
        if args.command == 'list':
            for p in book.pages():
                print((p.ipynb if args.ipynb else p.path).relative_to(paths.root()))
        elif args.command == 'sync':
            for p in [book.resolve(n) for n in args.pages] or book.pages():
                sync(p)
        elif args.command == 'run':
            if not args.pages:
                parser.error('run needs at least one page')
            for p in [book.resolve(n) for n in args.pages]:
                run(p, args.timeout)
        elif args.command in ('stale', 'run-stale'):
            stale = stale_pages()
            print('\n'.join(p.name for p in stale) or 'pages: no page is stale')
            if args.command == 'run-stale':
                for p in stale:
                    run(p, args.timeout)
        elif args.command == 'adopt':
            stale = adopt()
            print('\n'.join(f'stale: {p.name}' for p in stale) or 'pages: every notebook has a record')
        elif args.command == 'dist':
            dist(args.target)
        elif args.command == 'minutes':
            rows = budget_report()
            over = [page for page, minutes, budget in rows if minutes is not None and minutes > budget]
            slowdown = machine_slowdown() if args.here else None
            projected = {}
            if slowdown:
                here_kind = machine_speed.cpu_kind()
                probe_kind = stored_cpu_kind(book.resolve(machine_speed.PROBE_PAGE))
                projected = {page: machine_speed.projected_minutes(minutes, stored_cpu_kind(page), here_kind,
                                                                   probe_kind, slowdown)
                             for page, minutes, budget in rows if minutes is not None}
            over_here = [page for page, minutes, budget in rows if (projected.get(page) or 0) > budget]
            for page, minutes, budget in rows:
                if args.all or page in over or page in over_here:
                    shown = 'no timestamps' if minutes is None else f'{minutes:5.1f} min'
                    line = f'{shown:>13} of {budget:2d}{"  OVER" if page in over else "      "}'
                    if slowdown:
                        here = ('' if minutes is None else 'other machine' if projected[page] is None
                                else f'~{projected[page]:5.1f} here')
                        line += f'  {here:>12}{"  OVER" if page in over_here else "      "}'
                    print(f'{line}  {page.name}')
            print(f'pages: {len(over)} of {len(rows)} stored runs over their budget '
                  '(minutes on the machine that made each run)'
                  + (f'; about {len(over_here)} would be over if run here' if slowdown else ''))
        elif args.command == 'check':
            everything = book.pages()
            problems = [d for p in everything for d in pair_differences(p)]
            print('\n'.join(problems) or f'pages: all {len(everything)} pairs agree')
            return 1 if problems else 0
    except (LookupError, machine_speed.ProbeError, book.SettingsError) as err:
        print(f'pages: {err}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
