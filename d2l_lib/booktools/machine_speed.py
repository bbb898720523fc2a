"""How fast this machine trains, next to the machine that made the stored runs.

    python -m booktools.pages minutes --here

A stored run's minutes are those of the machine that made it, and machines
differ (two CPU cores of one kind may train at half the speed of two of
another). Before re-running a long page, it helps to know what its run will
take here. The probe trains the LeNet of chapter 6 for two epochs, in the
environment of a stored run, and compares the examples per second that
``train_ch6`` prints with the rate the LeNet page's stored run printed for
the section's own training (the first rate the page shows).
A small convolutional network stands in for every page, and every stored run
is taken to come from the machine that stored LeNet's (true of the chapter 7
networks, not necessarily of every page), so the projected minutes are an
estimate, not a promise.
"""
import json
import re
import subprocess
import sys

from booktools import book, loop_benchmark

PROBE_PAGE = 'chapters/06-convolutional-neural-networks/lenet'
PROBE_EPOCHS = 2
RATE = re.compile(r'([\d.]+) examples/sec on')


def printed_rates(notebook):
    """The training rates a notebook's visible cells printed, in order."""
    rates = []
    for cell in notebook['cells']:
        if cell['cell_type'] != 'code' or 'hide-cell' in cell['metadata'].get('tags', []):
            continue  # solutions time their own variants
        for out in cell.get('outputs', []):
            text = out.get('text', '')
            rates += [float(r) for r in RATE.findall(''.join(text) if isinstance(text, list) else text)]
    return rates


def stored_rate(page=None):
    """Examples per second of the probe page's stored training run (the first it prints)."""
    page = page or book.resolve(PROBE_PAGE)
    rates = printed_rates(json.loads(page.ipynb.read_text()))
    if not rates:
        raise LookupError(f'{page.name}: its stored outputs print no training rate')
    return rates[0]


def measured_rate(env):
    """Examples per second of the probe trained here, in the environment `env`."""
    script = (loop_benchmark.PREAMBLE.format(original=False, original_dir='', seed=0)
              + loop_benchmark.LENET.format(epochs=PROBE_EPOCHS))
    done = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True, text=True)
    rates = RATE.findall(done.stdout)
    if done.returncode or not rates:
        raise RuntimeError(f'the speed probe failed:\n{done.stderr[-2000:]}')
    return float(rates[-1])
