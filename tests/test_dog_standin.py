"""The stand-in for the tiny Kaggle dog breed sample of section 13.14
(d2l.dog_standin): its layout and counts, its determinism, and that it poses
a real fine-grained task, learnable from the pixels but not decided by one
simple statistic of an image.
"""
import collections
import os

import numpy as onp
import pytest
from d2l import mxnet as d2l
from file_tree import read_tree
from mxnet import image


@pytest.fixture(scope='module')
def standin(tmp_path_factory):
    folder = tmp_path_factory.mktemp('dog') / 'kaggle_dog_tiny'
    d2l.dog_standin(str(folder))
    return str(folder)


def _pixels(folder, names):
    """The images `names` of folder/train as grey 28x28 arrays in [0, 1]."""
    out = []
    for name in names:
        img = image.imread(os.path.join(folder, 'train', name + '.jpg'))
        assert img.shape[2] == 3
        out.append(image.imresize(img, 28, 28).asnumpy()[:, :, 0] / 255)
    return onp.stack(out).reshape(len(names), -1)


def test_breed_names_are_the_competitions():
    assert len(d2l.DOG_BREEDS) == len(set(d2l.DOG_BREEDS)) == 120
    assert d2l.DOG_BREEDS == sorted(d2l.DOG_BREEDS)  # Kaggle's column order
    assert d2l.DOG_BREEDS[0] == 'affenpinscher'
    assert d2l.DOG_BREEDS[-1] == 'yorkshire_terrier'
    assert {'norfolk_terrier', 'norwich_terrier', 'pembroke', 'cardigan'} <= set(d2l.DOG_BREEDS)
    assert d2l.DATA_HUB['dog_tiny'] == (d2l.DATA_URL + 'kaggle_dog_tiny.zip',
                                        '0cb91d09b814ecdc07b50f31f8dcad3e81d6a86d')


def test_breeds_are_balanced_groups_of_one_garment():
    breeds = d2l.dog_standin_breeds()
    _, garments = d2l.read_fashion_mnist('test')
    assert breeds.shape == garments.shape
    sizes = collections.Counter(breeds.tolist())
    assert sorted(sizes) == list(range(120))
    assert min(sizes.values()) >= 83 and max(sizes.values()) <= 84
    assert (breeds // 12 == garments).all()


def test_layout_and_counts(standin):
    assert sorted(os.listdir(standin)) == ['labels.csv', 'sample_submission.csv',
                                          'test', 'train']
    train = sorted(os.listdir(os.path.join(standin, 'train')))
    test = sorted(os.listdir(os.path.join(standin, 'test')))
    assert len(train) == 1000 and len(test) == 10
    assert all(n.endswith('.jpg') and len(n) == 36 for n in train + test)
    assert not {n[:-4] for n in train} & {n[:-4] for n in test}
    with open(os.path.join(standin, 'labels.csv')) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'id,breed' and lines[1:] == sorted(lines[1:])
    labels = d2l.read_csv_labels(os.path.join(standin, 'labels.csv'))
    assert sorted(labels) == [n[:-4] for n in train]
    sizes = collections.Counter(labels.values())
    assert sorted(sizes) == d2l.DOG_BREEDS
    assert sorted(collections.Counter(sizes.values()).items()) == [(8, 80), (9, 40)]
    with open(os.path.join(standin, 'sample_submission.csv')) as f:
        rows = [line.split(',') for line in f.read().splitlines()]
    assert rows[0] == ['id'] + d2l.DOG_BREEDS
    assert [r[0] for r in rows[1:]] == [n[:-4] for n in test]
    for r in rows[1:]:
        assert len(r) == 121 and all(float(p) == 1 / 120 for p in r[1:])
    for name in train[:20] + test:
        img = image.imread(os.path.join(standin, 'train' if name in train else 'test', name))
        assert 48 <= img.shape[0] <= 96 and 48 <= img.shape[1] <= 96


def test_deterministic(standin, tmp_path):
    d2l.dog_standin(str(tmp_path / 'again'))
    assert read_tree(str(tmp_path / 'again')) == read_tree(standin)
    d2l.dog_standin(str(tmp_path / 'other'), seed=1, num_train=240, num_test=5)
    other = read_tree(str(tmp_path / 'other'))
    assert len(other) == 240 + 5 + 2
    assert not {k for k in other if k.endswith('.jpg')} & set(read_tree(standin))


def test_fine_grained_and_learnable(standin):
    labels = d2l.read_csv_labels(os.path.join(standin, 'labels.csv'))
    names = sorted(labels)
    X = _pixels(standin, names)
    y = onp.array([d2l.DOG_BREEDS.index(labels[n]) for n in names])
    # Hold out the first image of every breed, as reorg_train_valid does
    held = onp.zeros(len(y), bool)
    for b in range(120):
        held[onp.flatnonzero(y == b)[0]] = True
    centers = onp.stack([X[~held & (y == b)].mean(0) for b in range(120)])
    dist = ((X[held][:, None] - centers[None]) ** 2).sum(-1)
    # Learnable: the nearest breed mean of the pixels is right far above chance
    pixel_acc = (dist.argmin(1) == y[held]).mean()
    assert pixel_acc >= 0.3, pixel_acc
    # Fine-grained: breeds of the same garment are each other's neighbors
    between = ((centers[:, None] - centers[None]) ** 2).sum(-1)
    onp.fill_diagonal(between, onp.inf)
    same_garment = (between.argmin(1) // 12 == onp.arange(120) // 12).mean()
    assert same_garment >= 0.35, same_garment  # chance: 11 of 119
    # Not decided by one statistic: mean brightness, or the image's size
    brightness = X.mean(1)
    means = onp.array([brightness[~held & (y == b)].mean() for b in range(120)])
    bright_acc = (onp.abs(brightness[held][:, None] - means[None]).argmin(1)
                  == y[held]).mean()
    assert bright_acc <= 0.15, bright_acc
    sizes = onp.array([image.imread(os.path.join(standin, 'train', n + '.jpg')).shape[:2]
                       for n in names], dtype=float)
    size_means = onp.stack([sizes[~held & (y == b)].mean(0) for b in range(120)])
    size_acc = (((sizes[held][:, None] - size_means[None]) ** 2).sum(-1).argmin(1)
                == y[held]).mean()
    assert size_acc <= 0.05, size_acc
