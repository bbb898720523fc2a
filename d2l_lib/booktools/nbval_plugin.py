"""pytest plugin for the notebook run (loaded with -p by tests/pytest.ini).

* Every kernel gets the run environment of ``booktools.paths`` (the offline
  data mirror) unless the caller set it.
* SVG figures embed a creation date, so they are never compared as text.
* Figure check: a cell whose stored output holds an image must produce an
  image of the same kind again, even when its text is not compared.
* A page may shrink its own smoke run further (a CNN at 224 pixels is slow
  even on 1,024 images): ``d2l: {smoke_max_examples: 256}`` in its header
  becomes ``D2L_MAX_EXAMPLES`` for that notebook's kernel (likewise epochs),
  as ``booktools.book.Settings.smoke_env`` says.
* On the GPU runner (D2L_GPU_RUN=1) cells tagged ``gpu-varies`` (they print
  the device) are executed but their text is not compared.
* The run ends with the slowest notebooks and their seconds; all of them go
  to _build/notebook-seconds.tsv.
"""
import collections
import json
import os

from booktools import book, paths

IMAGE_KINDS = ('image/png', 'image/svg+xml', 'image/jpeg')
_notebook_seconds = collections.Counter()


def _image_kinds(outputs):
    return {kind for out in outputs for kind in out.get('data', {}) if kind in IMAGE_KINDS}


def _with_figure_check(item):
    original_compare = item.compare_outputs
    compare_text = item.options['check']

    def compare_outputs(test, ref, skip_compare=None):
        missing = _image_kinds(ref) - _image_kinds(test)
        ok = True
        if missing:
            item.comparison_traceback = [
                f'the stored output has {", ".join(sorted(missing))} but this run drew none']
            ok = False
        if compare_text and ok:
            skip = tuple(skip_compare or item.parent.skip_compare) + ('image/svg+xml',)
            ok = original_compare(test, ref, skip)
        return ok

    item.compare_outputs = compare_outputs
    if os.environ.get('D2L_GPU_RUN') and 'gpu-varies' in item.cell.metadata.get('tags', []):
        # Such a cell prints the device (cpu(0) here, gpu(0) there).
        compare_text = False
    # nbval only calls compare_outputs for checked cells; every cell with a
    # stored image becomes one, and compares only what is asked of it.
    if _image_kinds(item.cell.get('outputs', [])):
        item.options['check'] = True


def _smoke_caps(path):
    if os.environ.get('D2L_PROFILE') != 'smoke':
        return {}
    meta = json.loads(open(path, encoding='utf-8').read()).get('metadata', {}).get('d2l')
    env = book.Settings.from_header(meta, str(path)).smoke_env()
    env.pop('D2L_PROFILE')
    return env


def _with_page_caps(notebook_file):
    caps = _smoke_caps(notebook_file.path)
    if not caps or getattr(notebook_file, '_d2l_caps', False):
        return
    original_setup = notebook_file.setup

    def setup():
        # The kernel inherits the environment when it starts, here.
        saved = {k: os.environ.get(k) for k in caps}
        os.environ.update(caps)
        try:
            original_setup()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    notebook_file.setup = setup
    notebook_file._d2l_caps = True


def pytest_configure(config):
    for key, value in paths.run_env().items():
        os.environ.setdefault(key, value)


def pytest_collection_modifyitems(items):
    for item in items:
        if type(item).__name__ == 'IPyNbCell':
            _with_figure_check(item)
            _with_page_caps(item.parent)


def pytest_runtest_logreport(report):
    if report.nodeid.split('::')[0].endswith('.ipynb'):
        _notebook_seconds[report.nodeid.split('::')[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    total = sum(_notebook_seconds.values())
    terminalreporter.section(f'slowest notebooks (all {len(_notebook_seconds)}: {total:.0f} s)')
    for path, seconds in _notebook_seconds.most_common(12):
        terminalreporter.write_line(f'{seconds:7.1f} s  {path}')
    # Every notebook's time, for the budget of the whole book (make test prints the path).
    report = os.path.join(str(paths.build_dir()), 'notebook-seconds.tsv')
    os.makedirs(os.path.dirname(report), exist_ok=True)
    with open(report, 'w', encoding='utf-8') as out:
        for path, seconds in sorted(_notebook_seconds.items()):
            out.write(f'{path}\t{seconds:.1f}\n')
    terminalreporter.write_line(f'per-notebook seconds: {report}')
