"""Behaviour of the d2l helpers that readers call from every chapter."""
import time

import matplotlib
matplotlib.use('Agg')

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import autograd, gluon, np, npx

npx.set_np()


# -- 2.4 plotting ---------------------------------------------------------------

def test_plot_draws_every_curve_with_labels_and_legend():
    d2l.plt.close('all')
    x = np.arange(0, 3, 0.5)
    d2l.plot(x, [x ** 2, 2 * x], 'x', 'f(x)', legend=['square', 'double'])
    axes = d2l.plt.gca()
    assert len(axes.get_lines()) == 2
    assert axes.get_xlabel() == 'x' and axes.get_ylabel() == 'f(x)'
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ['square', 'double']
    onp.testing.assert_allclose(axes.get_lines()[0].get_ydata(), (x ** 2).asnumpy())


def test_plot_accepts_lists_and_a_single_series():
    d2l.plt.close('all')
    d2l.plot([3, 1, 2])
    line = d2l.plt.gca().get_lines()[0]
    assert list(line.get_xdata()) == [0, 1, 2] and list(line.get_ydata()) == [3, 1, 2]


def test_set_figsize_changes_the_default_figure_size():
    d2l.set_figsize((4, 3))
    assert tuple(d2l.plt.rcParams['figure.figsize']) == (4, 3)


# -- 3.1 Timer ------------------------------------------------------------------

def test_timer_records_laps():
    timer = d2l.Timer()
    time.sleep(0.02)
    first = timer.stop()
    timer.start()
    time.sleep(0.01)
    timer.stop()
    assert first >= 0.02 and len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum()[-1] == pytest.approx(timer.sum(), rel=1e-5)


# -- 3.2 / 3.3 linear regression pieces -----------------------------------------

def test_synthetic_data_follows_the_generating_model():
    npx.random.seed(0)
    w, b = np.array([2, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 5000)
    assert X.shape == (5000, 2) and y.shape == (5000, 1)
    assert abs(float(X.mean())) < 0.05 and abs(float(X.std()) - 1) < 0.05
    residual = y.reshape(-1) - (np.dot(X, w) + b)
    assert abs(float(residual.std()) - 0.01) < 0.002


def test_sgd_steps_against_the_mean_gradient():
    w = np.array([1.0, 2.0])
    w.attach_grad()
    with autograd.record():
        loss = (w * np.array([3.0, 4.0])).sum() * 2  # gradient summed over a "batch" of 2
    loss.backward()
    d2l.sgd([w], lr=0.1, batch_size=2)
    onp.testing.assert_allclose(w.asnumpy(), [1 - 0.1 * 3, 2 - 0.1 * 4], rtol=1e-6)


def test_squared_loss_and_linreg():
    X, w, b = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), 0.5
    assert float(d2l.linreg(X, w, b)) == 11.5
    assert float(d2l.squared_loss(np.array([[3.0]]), np.array([1.0]))) == 2.0


def test_load_array_batches_cover_the_data_once():
    features, labels = np.arange(20).reshape(10, 2), np.arange(10)
    batches = list(d2l.load_array((features, labels), 4, is_train=False))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    assert sorted(int(v) for _, y in batches for v in y) == list(range(10))


# -- 3.5 Fashion-MNIST ------------------------------------------------------------

def test_fashion_mnist_shapes_dtypes_and_range():
    train_iter, test_iter = d2l.load_data_fashion_mnist(32)
    X, y = next(iter(train_iter))
    assert X.shape == (32, 1, 28, 28) and X.dtype == onp.float32
    assert y.shape == (32,) and y.dtype == onp.int32
    assert 0 <= float(X.min()) and float(X.max()) <= 1
    assert d2l.get_fashion_mnist_labels([0, 9]) == ['t-shirt', 'ankle boot']
    # The test split is not shuffled: its first label is the same every time.
    assert int(next(iter(test_iter))[1][0]) == int(next(iter(test_iter))[1][0])


def test_fashion_mnist_resize():
    _, test_iter = d2l.load_data_fashion_mnist(8, resize=64)
    X, y = next(iter(test_iter))
    assert X.shape == (8, 1, 64, 64) and y.shape == (8,)


# -- 3.6 / 4.4 training utilities -------------------------------------------------

def test_accuracy_counts_correct_predictions():
    y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.9, 0.05, 0.05]])
    assert d2l.accuracy(y_hat, np.array([2, 0, 0])) == 2.0


def test_accumulator_sums_and_resets():
    acc = d2l.Accumulator(2)
    acc.add(1, 2)
    acc.add(np.array(3.0), 4)
    assert (acc[0], acc[1]) == (4.0, 6.0)
    acc.reset()
    assert acc.data == [0.0, 0.0]


def test_evaluate_loss_is_the_mean_over_examples():
    data = d2l.load_array((np.arange(6.0).reshape(6, 1), np.zeros(6)), 4, is_train=False)
    net = lambda X: X.reshape(-1)  # predictions 0..5 against label 0
    mean_l2 = sum(v ** 2 / 2 for v in range(6)) / 6
    assert d2l.evaluate_loss(net, data, gluon.loss.L2Loss()) == pytest.approx(mean_l2)


def test_evaluate_accuracy_on_a_fixed_classifier():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    data = d2l.load_array((X, np.array([0, 1, 1, 1])), 3, is_train=False)
    assert d2l.evaluate_accuracy(lambda x: x, data) == 0.75
