"""The notebook checks catch what they promise to: changed checked outputs and lost figures."""
import pathlib
import subprocess
import sys

import nbformat

from booktools import paths

ROOT = paths.root()
SVG = {'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>', 'text/plain': '<Figure>'}


def notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    for n, (source, outputs, tags) in enumerate(cells, 1):
        cell = nbformat.v4.new_code_cell(source, execution_count=n, outputs=outputs)
        cell.metadata['tags'] = tags
        nb.cells.append(cell)
    path = tmp_path / 'probe.ipynb'
    nbformat.write(nb, path)
    return path


def run_nbval(path):
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-c', str(ROOT / 'tests/pytest.ini'), f'--rootdir={ROOT}',
         '--nbval-lax', '-p', 'no:cacheprovider', str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout


def result(text):
    return nbformat.v4.new_output('execute_result', {'text/plain': text}, execution_count=1)


def test_checked_output_must_match_but_timings_may_differ(tmp_path):
    path = notebook(tmp_path, [
        ('print("took 3.2 sec")\n1 + 1', [nbformat.v4.new_output('stream', name='stdout', text='took 0.5 sec\n'),
                                         result('2')], ['nbval-check-output']),
        ('2 + 2', [result('5')], []),  # unchecked: a wrong stored value is not compared
    ])
    code, out = run_nbval(path)
    assert code == 0, out
    path = notebook(tmp_path, [('1 + 1', [result('3')], ['nbval-check-output'])])
    code, out = run_nbval(path)
    assert code == 1 and 'Cell outputs differ' in out


def test_a_cell_that_stored_a_figure_must_draw_one_again(tmp_path):
    draws = ('import matplotlib.pyplot as plt\n'
             'from matplotlib_inline.backend_inline import set_matplotlib_formats\n'
             "set_matplotlib_formats('svg')\nplt.plot([1, 2]);")
    stored = [nbformat.v4.new_output('display_data', SVG)]
    code, out = run_nbval(notebook(tmp_path, [(draws, stored, [])]))
    assert code == 0, out
    code, out = run_nbval(notebook(tmp_path, [('x = 1', stored, [])]))
    assert code == 1 and 'drew none' in out
