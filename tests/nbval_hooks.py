"""pytest plugin for the notebook run (loaded with -p by tests/pytest.ini).

* SVG figures embed a creation date, so they are never compared as text.
* Figure check: a cell whose stored output holds an image must produce an
  image of the same kind again, even when its text is not compared.
* The run ends with the slowest notebooks and their seconds.
"""
import collections

import pytest

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
    # nbval only calls compare_outputs for checked cells; every cell with a
    # stored image becomes one, and compares only what is asked of it.
    if _image_kinds(item.cell.get('outputs', [])):
        item.options['check'] = True


def pytest_collection_modifyitems(items):
    for item in items:
        if type(item).__name__ == 'IPyNbCell':
            _with_figure_check(item)


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
