"""Chapter 13, part 2: the names readers call with the original's arguments
(segmentation readers, the Kaggle file organizers, the dataset entries) and
how the organizers lay files out. The generated stand-ins have their own
tests (test_voc_standin.py, test_dog_standin.py)."""
import inspect
import os

import pytest
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()


@pytest.mark.parametrize('name, parameters', [
    ('read_voc_images', '(voc_dir, is_train=True)'),
    ('voc_colormap2label', '()'),
    ('voc_label_indices', '(colormap, colormap2label)'),
    ('voc_rand_crop', '(feature, label, height, width)'),
    ('VOCSegDataset', '(is_train, crop_size, voc_dir)'),
    ('load_data_voc', '(batch_size, crop_size)'),
    ('read_csv_labels', '(fname)'),
    ('copyfile', '(filename, target_dir)'),
    ('reorg_train_valid', '(data_dir, labels, valid_ratio)'),
    ('reorg_test', '(data_dir)'),
])
def test_saved_names_keep_the_original_signatures(name, parameters):
    assert str(inspect.signature(getattr(d2l, name))) == parameters


def test_data_hub_keeps_the_real_entries():
    assert d2l.DATA_HUB['voc2012'] == (
        d2l.DATA_URL + 'VOCtrainval_11-May-2012.tar',
        '4e443f8a2eca6b1dac8a6c57641b67dd40621a49')
    assert d2l.DATA_HUB['cifar10_tiny'] == (
        d2l.DATA_URL + 'kaggle_cifar10_tiny.zip',
        '2068874e4b9a9f0fb07ebe0ad2b29754449ccacd')
    assert d2l.DATA_HUB['dog_tiny'] == (
        d2l.DATA_URL + 'kaggle_dog_tiny.zip',
        '0cb91d09b814ecdc07b50f31f8dcad3e81d6a86d')


def test_label_colors_become_class_indices():
    colormap2label = d2l.voc_colormap2label()
    label = np.zeros((2, 3, 3))
    label[0, 1] = np.array(d2l.VOC_COLORMAP[15])  # person
    label[1, 2] = np.array(d2l.VOC_COLORMAP[20])  # tv/monitor
    indices = d2l.voc_label_indices(label, colormap2label)
    assert indices.shape == (2, 3)
    assert indices.asnumpy().tolist() == [[0, 15, 0], [0, 0, 20]]


def test_random_crop_cuts_the_same_window_from_image_and_label():
    feature = np.arange(6 * 8 * 3).reshape(6, 8, 3).astype('uint8')
    label = (feature + 1).astype('uint8')
    for _ in range(5):
        f, l = d2l.voc_rand_crop(feature, label, 4, 5)
        assert f.shape == (4, 5, 3) and l.shape == (4, 5, 3)
        assert (l.astype('int32') - f.astype('int32') == 1).all()


def _kaggle_folder(root, labels, test_ids):
    os.makedirs(root / 'train')
    os.makedirs(root / 'test')
    with open(root / 'trainLabels.csv', 'w') as f:
        f.write('id,label\n' + ''.join(f'{i},{c}\n' for i, c in labels.items()))
    for i in labels:
        (root / 'train' / f'{i}.png').write_bytes(f'image {i}'.encode())
    for i in test_ids:
        (root / 'test' / f'{i}.png').write_bytes(f'test {i}'.encode())


def test_reorganizing_a_kaggle_folder(tmp_path):
    labels = {str(i): ('cat' if i <= 5 else 'dog') for i in range(1, 13)}
    _kaggle_folder(tmp_path, labels, ['1', '2', '3'])
    read = d2l.read_csv_labels(tmp_path / 'trainLabels.csv')
    assert read == labels
    for _ in range(2):  # a second call replaces the first one's copies
        n_valid = d2l.reorg_train_valid(str(tmp_path), read, 0.4)
        d2l.reorg_test(str(tmp_path))
    assert n_valid == 2  # the smallest class has 5 images
    split = tmp_path / 'train_valid_test'

    def names(*parts):
        return sorted(os.listdir(split.joinpath(*parts)))

    assert names('train_valid', 'cat') == [f'{i}.png' for i in range(1, 6)]
    assert len(names('train_valid', 'dog')) == 7
    for c in ('cat', 'dog'):
        valid, train = names('valid', c), names('train', c)
        assert len(valid) == 2 and not set(valid) & set(train)
        assert sorted(valid + train) == names('train_valid', c)
    assert names('test', 'unknown') == ['1.png', '2.png', '3.png']
    assert (split / 'train' / 'dog' / '12.png').read_bytes() == b'image 12'
