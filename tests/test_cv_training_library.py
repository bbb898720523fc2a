"""Behaviour of the chapter 13 training helpers (13.1): train_batch_ch13, train_ch13."""
import re

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import gluon, init, np, npx
from mxnet.gluon import nn

npx.set_np()


def _data(n=8, d=5, seed=0):
    rng = onp.random.RandomState(seed)
    X = np.array(rng.normal(size=(n, d)).astype('float32'))
    y = np.array(rng.randint(0, 3, size=n).astype('int32'))
    return X, y


def _dense(devices, seed=0, in_units=5):
    npx.random.seed(seed)
    net = nn.Dense(3, in_units=in_units)
    net.initialize(init.Normal(0.1), ctx=devices)
    return net


def _sgd(net, lr=0.5):
    return gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr})


# -- train_batch_ch13 ---------------------------------------------------------

def test_train_batch_returns_summed_loss_and_correct_count_before_the_step():
    X, y = _data()
    devices = [npx.cpu()]
    net = _dense(devices)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    expected_loss = float(loss(net(X), y).sum())
    expected_correct = d2l.accuracy(net(X), y)
    before = net.weight.data().asnumpy().copy()
    total, correct = d2l.train_batch_ch13(net, X, y, loss, _sgd(net), devices)
    assert total == pytest.approx(expected_loss, rel=1e-5)
    assert correct == expected_correct and isinstance(correct, float)
    assert not onp.allclose(net.weight.data().asnumpy(), before)  # it did step


def test_two_devices_take_the_same_step_as_one():
    # Gradients of the shards are summed and divided by the whole batch size.
    X, y = _data(n=8)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    results = []
    for devices in ([npx.cpu(0)], [npx.cpu(0), npx.cpu(1)]):
        net = _dense(devices)
        total, correct = d2l.train_batch_ch13(net, X, y, loss, _sgd(net), devices)
        results.append((total, correct, [net.weight.data(d).asnumpy() for d in devices]))
    (loss1, correct1, [w1]), (loss2, correct2, [w2a, w2b]) = results
    assert loss2 == pytest.approx(loss1, rel=1e-5) and correct2 == correct1
    onp.testing.assert_allclose(w2a, w1, rtol=1e-5, atol=1e-6)
    onp.testing.assert_array_equal(w2a, w2b)  # the replicas stay identical


class _TwoHeads(nn.Block):
    """Only `used` takes part in the forward pass; `unused` gets no gradient."""
    def __init__(self):
        super().__init__()
        self.used = nn.Dense(3, in_units=5)
        self.unused = nn.Dense(3, in_units=5)

    def forward(self, X):
        return self.used(X)


def test_parameters_without_gradient_do_not_block_the_update():
    X, y = _data()
    devices = [npx.cpu()]
    npx.random.seed(0)
    net = _TwoHeads()
    net.initialize(init.Normal(0.1), ctx=devices)
    used, unused = net.used.weight.data().asnumpy(), net.unused.weight.data().asnumpy()
    d2l.train_batch_ch13(net, X, y, gluon.loss.SoftmaxCrossEntropyLoss(),
                         _sgd(net), devices)
    assert not onp.allclose(net.used.weight.data().asnumpy(), used)
    onp.testing.assert_array_equal(net.unused.weight.data().asnumpy(), unused)


class _AddThenDense(nn.Block):
    def __init__(self):
        super().__init__()
        self.dense = nn.Dense(3, in_units=5)

    def forward(self, inputs):
        first, second = inputs
        return self.dense(first + second)


def test_split_f_may_hand_several_feature_arrays_to_the_network():
    X, y = _data()
    devices = [npx.cpu(0), npx.cpu(1)]

    def split_pair(features, labels, devices):
        parts = [gluon.utils.split_and_load(f, devices) for f in features]
        return list(zip(*parts)), gluon.utils.split_and_load(labels, devices)

    npx.random.seed(0)
    net = _AddThenDense()
    net.initialize(init.Normal(0.1), ctx=devices)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    expected = float(loss(net.dense(X + X), y).sum())
    total, _ = d2l.train_batch_ch13(net, [X, X], y, loss, _sgd(net), devices,
                                    split_f=split_pair)
    assert total == pytest.approx(expected, rel=1e-5)


# -- train_ch13 ---------------------------------------------------------------

def _separable(n=96, seed=0):
    rng = onp.random.RandomState(seed)
    y = rng.randint(0, 3, size=n)
    X = rng.normal(scale=0.3, size=(n, 5)) + 3 * onp.eye(3, 5)[y]
    return gluon.data.ArrayDataset(np.array(X.astype('float32')),
                                   np.array(y.astype('int32')))


def test_train_ch13_learns_prints_its_two_lines_and_obeys_the_epoch_cap(
        monkeypatch, capsys):
    monkeypatch.setenv('D2L_PROFILE', 'lite')
    monkeypatch.setenv('D2L_MAX_EPOCHS', '3')
    evaluations = []
    original = d2l.evaluate_accuracy_gpus

    def counting(net, data_iter, split_f=d2l.split_batch):
        evaluations.append(1)
        return original(net, data_iter, split_f)

    monkeypatch.setattr(d2l, 'evaluate_accuracy_gpus', counting)
    onp.random.seed(0)  # the loader's shuffling
    data = _separable()
    train_iter = gluon.data.DataLoader(data, batch_size=16, shuffle=True)
    test_iter = gluon.data.DataLoader(data, batch_size=32)
    devices = [npx.cpu()]
    net = _dense(devices)
    d2l.train_ch13(net, train_iter, test_iter, gluon.loss.SoftmaxCrossEntropyLoss(),
                   _sgd(net), num_epochs=10, devices=devices)
    assert len(evaluations) == 3  # one test evaluation per epoch, 3 of the 10
    out = capsys.readouterr().out
    match = re.search(r'loss (\d+\.\d{3}), train acc (\d\.\d{3}), test acc (\d\.\d{3})', out)
    assert match, out
    assert float(match.group(2)) > 0.8 and float(match.group(3)) > 0.9
    assert re.search(r'\d+\.\d examples/sec on \[cpu\(0\)\]', out)
