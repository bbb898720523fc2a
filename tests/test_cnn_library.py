"""Chapters 5-7 helpers: devices, cross-correlation, residual blocks, saved parameters."""
import subprocess
import sys

import numpy as onp
from d2l import mxnet as d2l
from mxnet import gluon, np, npx
from mxnet.gluon import nn

npx.set_np()


def test_try_gpu_falls_back_to_the_cpu_without_a_gpu():
    if npx.num_gpus() > 0:
        assert d2l.try_gpu() == npx.gpu(0)
        return
    assert d2l.try_gpu() == npx.cpu() and d2l.try_gpu(3) == npx.cpu()
    assert d2l.try_all_gpus() == [npx.cpu()]


def test_gpu_runner_refuses_clearly_without_a_gpu():
    result = subprocess.run([sys.executable, '-m', 'booktools.gpu_check'],
                            capture_output=True, text=True)
    if npx.num_gpus() > 0:
        assert result.returncode == 0
    else:
        assert result.returncode == 3
        assert 'no GPU' in result.stderr and 'mxnet-cu112' in result.stderr


def test_corr2d_small_example_and_edge_detection():
    X = np.arange(9.0).reshape(3, 3)
    K = np.arange(4.0).reshape(2, 2)
    onp.testing.assert_allclose(d2l.corr2d(X, K).asnumpy(), [[19, 25], [37, 43]])
    image = np.ones((3, 6))
    image[:, 2:4] = 0
    edges = d2l.corr2d(image, np.array([[1.0, -1.0]]))
    onp.testing.assert_allclose(edges.asnumpy()[0], [0, 1, 0, -1, 0])


def test_residual_block_shapes():
    X = np.random.uniform(size=(4, 3, 6, 6))
    same = d2l.Residual(3)
    same.initialize()
    assert same(X).shape == (4, 3, 6, 6)
    down = d2l.Residual(6, use_1x1conv=True, strides=2)
    down.initialize()
    assert down(X).shape == (4, 6, 3, 3)


def test_saved_parameters_round_trip(tmp_path):
    def make():
        net = nn.Sequential()
        net.add(nn.Dense(8, activation='relu'), nn.Dense(2))
        return net
    net, clone = make(), make()
    net.initialize()
    X = np.random.uniform(size=(3, 5))
    Y = net(X)
    net.save_parameters(str(tmp_path / 'mlp.params'))
    clone.load_parameters(str(tmp_path / 'mlp.params'))
    assert bool((clone(X) == Y).all())


def test_train_ch6_prints_metrics_and_speed(capsys, monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'smoke')
    monkeypatch.setenv('D2L_MAX_EXAMPLES', '64')
    train_iter, test_iter = d2l.load_data_fashion_mnist(32)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(2, 3, activation='relu'), nn.MaxPool2D(2), nn.Dense(10))
    d2l.train_ch6(net, train_iter, test_iter, 5, 0.1, d2l.try_gpu())
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith('loss ') and 'test acc' in lines[-2]
    assert lines[-1].endswith(f'examples/sec on {d2l.try_gpu()}')
