"""Section 13.2's library: the hot dog stand-in and the pretrained source model.

Without network access the hot dog archive and ImageNet's parameters cannot
be had; the library then builds the data from Fashion-MNIST and pretrains the
source model itself. These tests pin what a reader relies on: the stand-in's
layout and determinism, the cache of pretrained parameters (keyed by what
determines them, checked, rebuilt when damaged) and the input layer that
trains and evaluates alike.
"""
import hashlib
import os

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import autograd, gluon, init, np, npx

npx.set_np()

REFUSED = 'http://127.0.0.1:9/'  # nothing listens on the discard port


def _offline(monkeypatch, cache):
    """Cache at `cache`; the archive and gluon's model store unreachable."""
    monkeypatch.setenv('D2L_DATA_DIR', str(cache))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.setitem(d2l.DATA_HUB, 'hotdog', (REFUSED + 'hotdog.zip', '0' * 40))
    monkeypatch.setenv('MXNET_HOME', str(cache / 'mxnet'))
    monkeypatch.setenv('MXNET_GLUON_REPO', REFUSED)


def _tree_digest(folder):
    digest = hashlib.sha1()
    for root, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, folder).encode())
            digest.update(open(path, 'rb').read())
    return digest.hexdigest()


def test_hotdog_standin_has_the_archive_layout_and_is_deterministic(tmp_path, monkeypatch, capsys):
    folders = []
    for cache in (tmp_path / 'a', tmp_path / 'b'):
        _offline(monkeypatch, cache)
        folders.append(d2l.download_extract_or_standin(
            'hotdog', 'hotdog', lambda f: d2l.hotdog_standin(f, 12, 5), 'the stand-in'))
        assert folders[-1] == os.path.join(cache, 'standin', 'hotdog')
    assert 'hotdog could not be downloaded' in capsys.readouterr().out
    for split, n in (('train', 12), ('test', 5)):
        assert sorted(os.listdir(os.path.join(folders[0], split))) == ['hotdog', 'not-hotdog']
        for label in ('hotdog', 'not-hotdog'):
            assert len(os.listdir(os.path.join(folders[0], split, label))) == n
    assert _tree_digest(folders[0]) == _tree_digest(folders[1])
    # Gluon reads it like the real archive: two classes, RGB images, and the
    # pixels are those of the Fashion-MNIST class that plays the part.
    data = gluon.data.vision.ImageFolderDataset(os.path.join(folders[0], 'train'))
    assert data.synsets == ['hotdog', 'not-hotdog'] and len(data) == 24
    image, label = data[0]
    assert image.shape == (28, 28, 3) and label == 0
    images, labels = d2l.read_fashion_mnist('train')
    first = onp.flatnonzero(labels == d2l.HOTDOG_STANDIN_CLASSES['hotdog'])[0]
    assert (image.asnumpy()[:, :, 0] == images[first]).all()


def test_source_and_target_classes_are_disjoint():
    target = set(d2l.HOTDOG_STANDIN_CLASSES.values())
    assert len(target) == 2 and len(d2l.FASHION_MNIST_SOURCE_CLASSES) == 8
    assert target.isdisjoint(d2l.FASHION_MNIST_SOURCE_CLASSES)
    assert sorted(target | set(d2l.FASHION_MNIST_SOURCE_CLASSES)) == list(range(10))


@pytest.fixture
def tiny_pretraining(tmp_path, monkeypatch):
    """Offline, in a fresh cache, with pretraining on 64 images for 1 epoch."""
    _offline(monkeypatch, tmp_path)
    monkeypatch.setenv('D2L_PROFILE', 'smoke')
    monkeypatch.setenv('D2L_MAX_EXAMPLES', '64')
    monkeypatch.setenv('D2L_MAX_EPOCHS', '1')
    return tmp_path / 'pretrained'


def test_pretrained_parameters_are_cached_under_a_name_that_says_what_made_them(
        tiny_pretraining, capsys):
    net = d2l.pretrained_resnet18_v2(image_size=32, num_epochs=1, timeout=1)
    out = capsys.readouterr().out
    assert 'no ImageNet parameters' in out and 'saved to' in out
    classes = ''.join(map(str, d2l.FASHION_MNIST_SOURCE_CLASSES))
    name = f'resnet18_v2-fashion-mnist-{classes}-smoke-32px-64x1'
    assert sorted(os.listdir(tiny_pretraining)) == [name + '.params', name + '.txt']
    assert net.output.weight.shape == (8, 512) and len(net.class_names) == 8
    x = np.random.uniform(size=(2, 3, 32, 32))
    again = d2l.pretrained_resnet18_v2(image_size=32, num_epochs=1, timeout=1)
    assert 'cached in' in capsys.readouterr().out  # no second pretraining
    assert onp.allclose(net(x).asnumpy(), again(x).asnumpy(), atol=1e-5)
    assert again.rgb_mean == net.rgb_mean and again.rgb_std == net.rgb_std


def test_a_damaged_parameter_file_is_trained_again(tiny_pretraining, capsys):
    d2l.pretrained_resnet18_v2(image_size=32, num_epochs=1, timeout=1)
    params = next(tiny_pretraining.glob('*.params'))
    whole = params.read_bytes()
    params.write_bytes(whole[:len(whole) // 2])  # cut short
    capsys.readouterr()
    d2l.pretrained_resnet18_v2(image_size=32, num_epochs=1, timeout=1)
    assert 'saved to' in capsys.readouterr().out
    assert d2l.sha1_of(params) == (tiny_pretraining / (params.stem + '.txt')).read_text().split()[0]
    assert not [p for p in os.listdir(tiny_pretraining) if p.startswith('.partial-')]


def test_input_normalization_trains_as_it_evaluates():
    # MXNet updates running statistics in the backward pass, which never runs
    # for features[0] (no parameters, input needs no gradient): after a
    # training step of the whole network its statistics are still 0 and 1.
    # Stock gluon then trains with minibatch statistics and evaluates with
    # those; d2l.resnet18_v2 uses the stored ones in both modes.
    X = np.random.normal(2, 3, size=(8, 3, 32, 32))
    y = np.array([0, 1] * 4)
    outputs = {}
    for name, net in [('gluon', gluon.model_zoo.vision.resnet18_v2(classes=2)),
                      ('d2l', d2l.resnet18_v2(2))]:
        net.initialize(init.Xavier())
        trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
        with autograd.record():
            loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(X), y)
        loss.backward()
        trainer.step(8)
        assert onp.allclose(net.features[0].running_mean.data().asnumpy(), 0)
        assert onp.allclose(net.features[0].running_var.data().asnumpy(), 1)
        assert not onp.allclose(net.features[2].running_mean.data().asnumpy(), 0)
        with autograd.record(train_mode=True):
            train_out = net.features[0](X)
        outputs[name] = (train_out, net.features[0](X))
    train_out, eval_out = outputs['d2l']
    assert onp.allclose(train_out.asnumpy(), eval_out.asnumpy(), atol=1e-4)
    train_out, eval_out = outputs['gluon']
    assert abs(float(train_out.mean())) < 1e-3      # minibatch statistics
    assert abs(float(eval_out.mean()) - 2) < 0.1    # the untouched running ones
