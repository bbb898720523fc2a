"""How fast this machine trains, next to the machine that made the stored runs.

    python -m booktools.pages minutes --here

A stored run's minutes are those of the machine that made it, and machines
differ (two CPU cores of one kind may train at half the speed of two of
another). Before re-running a long page, it helps to know what its run will
take here. The probe runs the LeNet page's own code (chapter 6) up to its
training cell, trains for two epochs instead of ten, in the environment of a
stored run, and compares the examples per second that ``train_ch6`` prints
with the rate that cell printed in the page's stored run.
A small convolutional network stands in for every page. `pages run` records
the kind of machine a run was stored on (`cpu_kind`). A run stored on this
kind of machine is projected at its own minutes; a run stored on the kind
that stored LeNet's is multiplied by the measured factor, and so are the older
runs, which carry no such record and are assumed to come from LeNet's machine
(true of the chapter 7 networks, not necessarily of every page); a run stored
on a third kind has no measured factor and is not projected. Machines of one
kind still differ from day to day (by up to a third here), so the projected
minutes are an estimate, not a promise.
"""
import json
import os
import pathlib
import platform
import re
import subprocess
import sys

from booktools import book, loop_benchmark

PROBE_PAGE = 'chapters/06-convolutional-neural-networks/lenet'
PROBE_EPOCHS = 2
PROBE_TIMEOUT = 900  # seconds; two epochs take well under a minute
RATE = re.compile(r'([\d.]+) examples/sec on')
VECTOR_UNITS = ('avx512f', 'avx2', 'avx', 'sse4_2')  # widest first: what MKL-DNN's kernels use


def cpu_kind(cpuinfo='/proc/cpuinfo'):
    """Model, family, cores and widest vector unit: machines that share them train alike.
    (A virtual machine may name only the vendor's line, "AMD EPYC", for several
    generations; the family and model numbers still tell them apart.)"""
    try:
        text = pathlib.Path(cpuinfo).read_text()
    except OSError:
        text = ''
    field = lambda name: (re.findall(rf'^{name}[ \t]*:[ \t]*(.*)$', text, re.M) or [''])[0].strip()
    flags = field('flags').split()
    widest = next((unit for unit in VECTOR_UNITS if unit in flags), None)
    family, number = field('cpu family'), field('model')
    name = field('model name') or platform.processor() or platform.machine()
    if family and number:
        name += f' (family {family}, model {number})'
    return ', '.join([name, f'{os.cpu_count()} CPUs'] + ([widest] if widest else []))


def projected_minutes(minutes, run_kind, here_kind, probe_kind, slowdown):
    """A stored run's minutes projected to this machine, or None where no
    measured factor relates the machine that stored it to this one."""
    if run_kind == here_kind:
        return minutes
    if run_kind == probe_kind:  # also the older runs: neither carries a record
        return minutes * slowdown
    return None


def printed_rates(notebook):
    """The training rates a notebook's visible cells printed, in order."""
    rates = []
    for cell in _visible_code_cells(notebook):  # solutions time their own variants
        for out in cell.get('outputs', []):
            text = out.get('text', '')
            rates += [float(r) for r in RATE.findall(''.join(text) if isinstance(text, list) else text)]
    return rates


class ProbeError(RuntimeError):
    """The speed probe could not measure this machine."""


def _notebook(page):
    return json.loads((page or book.resolve(PROBE_PAGE)).ipynb.read_text())


def _visible_code_cells(notebook):
    return [cell for cell in notebook['cells']
            if cell['cell_type'] == 'code' and 'hide-cell' not in cell['metadata'].get('tags', [])]


def stored_rate(page=None):
    """Examples per second of the probe page's stored training run (the first it prints)."""
    rates = printed_rates(_notebook(page))
    if not rates:
        raise ProbeError(f'{PROBE_PAGE}: its stored outputs print no training rate')
    return rates[0]


def probe_code(page=None):
    """The page's own visible code up to the cell that printed that rate,
    with its training capped at PROBE_EPOCHS epochs."""
    code = []
    for cell in _visible_code_cells(_notebook(page)):
        code.append(''.join(cell['source']))
        if printed_rates({'cells': [cell]}):
            return loop_benchmark.caps_preamble({'max_epochs': PROBE_EPOCHS}) + '\n'.join(code)
    raise ProbeError(f'{PROBE_PAGE}: no visible cell printed a training rate')


def measured_rate(env, page=None):
    """Examples per second of the probe trained here, in the environment `env`."""
    script = loop_benchmark.PREAMBLE.format(original=False, original_dir='', seed=0) + probe_code(page)
    try:
        done = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                              text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ProbeError(f'the speed probe took more than {PROBE_TIMEOUT} s') from None
    rates = RATE.findall(done.stdout)
    if done.returncode or not rates:
        raise ProbeError(f'the speed probe failed:\n{done.stderr[-2000:]}')
    return float(rates[-1])
