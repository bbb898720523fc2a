"""Side-by-side timing of the book's training loops against the original edition's.

    python -m booktools.loop_benchmark [--repeat 2] [--workloads lenet rnn softmax]
    python -m booktools.loop_benchmark --repeat 1 --seed 1 --workloads softmax-scratch

Each workload is the code a reader writes on the page (the same for both
libraries), run as a whole Python process on real data: once with this
book's ``d2l`` and once with the original edition's published package,
``d2l==0.16.6``, which is installed (without dependencies) into
``_build/original-d2l`` on first use. The original's loaders fetch their data
themselves; they are pointed at the same files (Debian's Fashion-MNIST, the
mirror's Time Machine) so that nothing is downloaded. Runs alternate between
the two libraries and the fastest of ``--repeat`` runs counts, so a busy
moment on the machine penalises neither side. It prints whole-process seconds
and the ratio original / ours (above 1: the book's loop is faster) together
with each run's last printed metric, so that speed is compared at equal
accuracy. ``softmax-scratch`` and ``softmax-concise`` train for the original
edition's ten epochs and end with the test accuracy: running the original's own package on the
same data, with a few seeds, shows how far a gap between the book's stored
result and the number the original printed is run-to-run noise. The
``*-capped`` workloads run a chapter 7 page's own cells under the caps of its
stored run (fewer epochs, smaller images, as its header declares); with ``--only original`` they ask
whether the original's package, capped the same way, reaches the number it
printed from its uncapped run. It is a measurement, not a test: nothing here
asserts a speed or an accuracy.

    python -m booktools.loop_benchmark --repeat 1 --only original --workloads googlenet-capped
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

from booktools import paths

ORIGINAL = 'd2l==0.16.6'

PREAMBLE = '''
import os, sys
if {original!r}:
    sys.path.insert(0, {original_dir!r})
    # Gluon's Fashion-MNIST wants its own gzip files (by SHA-1); Debian's hold
    # the same images, recompressed. Use the local file instead of downloading.
    from mxnet.gluon.data.vision import datasets
    fetch = datasets.download
    def local_first(url, path=None, sha1_hash=None, **kwargs):
        local = os.path.join(path or '', url.split('/')[-1])
        return local if os.path.exists(local) else fetch(url, path, sha1_hash=sha1_hash, **kwargs)
    datasets.download = local_first
    # Its plots call an IPython function that newer IPython releases dropped.
    from IPython import display
    display.set_matplotlib_formats = lambda *formats, **kwargs: None
import matplotlib
matplotlib.use('agg')
from d2l import mxnet as d2l
assert ('original-d2l' in d2l.__file__) == {original!r}, d2l.__file__
from mxnet import gluon, init, np, npx
from mxnet.gluon import nn, rnn
npx.set_np()
npx.random.seed({seed})
import numpy
numpy.random.seed({seed})
'''

# LeNet of chapter 6 with the original's settings (also the machine-speed probe).
LENET = '''
net = nn.Sequential()
for channels, padding in ((6, 2), (16, 0)):  # two sigmoid conv + average-pool stages
    net.add(nn.Conv2D(channels, 5, padding=padding, activation='sigmoid'), nn.AvgPool2D(2))
for units in (120, 84):
    net.add(nn.Dense(units, activation='sigmoid'))
net.add(nn.Dense(10))
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)
d2l.train_ch6(net, train_iter, test_iter, {epochs}, 0.9, d2l.try_gpu())
'''

SOFTMAX_GLUON = '''
train_iter, test_iter = d2l.load_data_fashion_mnist(256)
cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
net = nn.Sequential()
net.add(nn.Dense(10))  # one linear layer; the loss applies the softmax
net.initialize(init.Normal(0.01))
trainer = gluon.Trainer(net.collect_params(), 'sgd', dict(learning_rate=0.1))
d2l.train_ch3(net, train_iter, test_iter, cross_entropy, {epochs}, trainer)
print(f'test acc {{d2l.evaluate_accuracy(net, test_iter):.3f}}')
'''

WORKLOADS = {
    # LeNet of chapter 6, one epoch, the original's settings.
    'lenet': LENET.format(epochs=1),
    # The concise RNN of chapter 8 on The Time Machine.
    'rnn': '''
batch_size, num_steps = 32, 35
train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)
net = d2l.RNNModel(rnn.RNN(256), len(vocab))
net.initialize(force_reinit=True, ctx=d2l.try_gpu())
d2l.train_ch8(net, train_iter, vocab, 1, 20, d2l.try_gpu())
''',
    # Softmax regression from scratch (chapter 3), ten epochs.
    'softmax-scratch': '''
from mxnet import autograd
train_iter, test_iter = d2l.load_data_fashion_mnist(256)
W = np.random.normal(0, 0.01, (784, 10))
b = np.zeros(10)
W.attach_grad()
b.attach_grad()
def net(X):
    O = np.dot(X.reshape((-1, 784)), W) + b
    E = np.exp(O)
    return E / E.sum(1, keepdims=True)
def cross_entropy(y_hat, y):
    return -np.log(y_hat[range(len(y_hat)), y])
def updater(batch_size):
    return d2l.sgd([W, b], 0.1, batch_size)
d2l.train_ch3(net, train_iter, test_iter, cross_entropy, 10, updater)
print(f'test acc {d2l.evaluate_accuracy(net, test_iter):.3f}')
''',
    # Softmax regression with Gluon (chapter 3): ten epochs end with the test
    # accuracy; two epochs time the loop.
    **{name: SOFTMAX_GLUON.format(epochs=epochs) for name, epochs in
       (('softmax-concise', 10), ('softmax', 2))},
}

# A page's stored run under its profile's caps, with either library: the
# page's own cells up to its training cell, after the caps are put in front
# of the loader and the loop the way the profile applies them. Running the
# original's package this way asks whether a gap to the number it printed
# (from uncapped runs) is the caps' doing or this book's code.
CAPPED_PAGES = {name + '-capped': f'chapters/07-convolutional-modern/{name}'
                for name in ('googlenet', 'resnet', 'densenet')}

CAPS = '''
_side, _epochs = {side!r}, {epochs!r}
_load, _train = d2l.load_data_fashion_mnist, d2l.train_ch6
def _capped_load(batch_size, resize=None, **kwargs):
    if _side and resize:
        resize = min(resize, _side)
    return _load(batch_size, resize=resize, **kwargs)
def _capped_train(net, train_iter, test_iter, num_epochs, *args, **kwargs):
    return _train(net, train_iter, test_iter, min(num_epochs, _epochs or num_epochs), *args, **kwargs)
d2l.load_data_fashion_mnist, d2l.train_ch6 = _capped_load, _capped_train
'''


def page_code(page):
    """The caps of a page's stored run (from its header) and its reader-visible
    code cells up to and including its first training cell."""
    notebook = json.loads((paths.root() / f'{page}.ipynb').read_text())
    caps = notebook['metadata'].get('d2l', {})
    code = []
    for cell in notebook['cells']:
        if cell['cell_type'] != 'code' or 'hide-cell' in cell['metadata'].get('tags', []):
            continue
        source = ''.join(cell['source'])
        code.append(source)
        if 'train_ch6(' in source:
            return caps, '\n'.join(code)
    raise ValueError(f'{page} has no train_ch6 cell')


def caps_preamble(caps):
    """Code that caps epochs and image size as a page header's `d2l:` block does.
    Example caps are not applied: a page that sets them is refused."""
    if caps.get('max_examples', 60000) < 60000:
        raise ValueError('the capped workloads apply epoch and image-size caps only')
    return CAPS.format(epochs=caps.get('max_epochs'), side=caps.get('max_image_size'))


def workload(name):
    if name in CAPPED_PAGES:
        caps, code = page_code(CAPPED_PAGES[name])
        return caps_preamble(caps) + code
    return WORKLOADS[name]


LAST_METRIC = re.compile(r'(loss [\d.]+, train acc [\d.]+, test acc [\d.]+|test acc [\d.]+|perplexity [\d.]+)')


def original_package():
    """The original edition's d2l package, installed once under _build/."""
    target = paths.build_dir() / 'original-d2l'
    if not (target / 'd2l' / 'mxnet.py').exists():
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
                        '--target', str(target), ORIGINAL], check=True)
    return target


def data_for_the_original(scratch):
    """Point the original's loaders at local copies: MXNET_HOME for Gluon's
    Fashion-MNIST, ``../data`` (relative to the working directory) for its
    DATA_HUB downloads."""
    fashion = scratch / 'mxnet-home' / 'datasets' / 'fashion-mnist'
    fashion.mkdir(parents=True)
    folder = paths.fashion_mnist()
    if folder is None:
        raise RuntimeError('the benchmark needs Fashion-MNIST on this machine (make setup installs it)')
    for source in folder.glob('*-ubyte.gz'):
        (fashion / source.name).symlink_to(source)
    data = scratch / 'data'
    data.mkdir()
    shutil.copy(paths.mirror() / 'timemachine.txt', data / 'timemachine.txt')
    work = scratch / 'work'
    work.mkdir()
    return work, {'MXNET_HOME': str(scratch / 'mxnet-home')}


def run_once(code, original, original_dir, work, extra_env, seed=0):
    env = dict(os.environ, **paths.run_env(), **extra_env)
    env.setdefault('OMP_NUM_THREADS', '2')
    env.pop('D2L_PROFILE', None)  # both run everything: the full profile
    script = PREAMBLE.format(original=original, original_dir=str(original_dir), seed=seed) + code
    start = time.perf_counter()
    done = subprocess.run([sys.executable, '-c', script], cwd=work, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f'{"original" if original else "book"} run failed:\n{done.stderr[-2000:]}')
    metrics = LAST_METRIC.findall(done.stdout)
    return seconds, metrics[-1] if metrics else '(no metric printed)'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0, help='seeds MXNet and NumPy in every run')
    parser.add_argument('--workloads', nargs='+', default=['lenet', 'rnn', 'softmax'],
                        choices=list(WORKLOADS) + list(CAPPED_PAGES))
    parser.add_argument('--only', choices=['book', 'original'],
                        help='run one library only (a capped page: the book side is its stored run)')
    args = parser.parse_args(argv)
    original_dir = original_package()
    with tempfile.TemporaryDirectory() as tmp:
        work, extra_env = data_for_the_original(pathlib.Path(tmp))
        print(f'{"workload":<9} {"book s":>8} {"original s":>11} {"ratio":>6}  last metric (book | original)')
        sides = [side == 'original' for side in ('book', 'original') if args.only in (None, side)]
        for name in args.workloads:
            best = {False: None, True: None}
            for _ in range(args.repeat):
                for original in sides:
                    result = run_once(workload(name), original, original_dir, work, extra_env, args.seed)
                    if best[original] is None or result[0] < best[original][0]:
                        best[original] = result
            ours, theirs = best[False], best[True]
            seconds = [f'{result[0]:{width}.1f}' if result else f'{"-":>{width}}'
                       for result, width in ((ours, 8), (theirs, 11))]
            ratio = f'{theirs[0] / ours[0]:5.2f}x' if ours and theirs else f'{"-":>6}'
            print(f'{name:<9} {seconds[0]} {seconds[1]} {ratio}  '
                  f'{ours[1] if ours else "-"} | {theirs[1] if theirs else "-"}', flush=True)


if __name__ == '__main__':
    main()
