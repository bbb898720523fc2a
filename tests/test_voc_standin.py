"""The Pascal VOC2012 stand-in of section 13.9 (d2l.voc_standin) and the
readers around it: read_voc_images, the color map, VOCSegDataset,
load_data_voc.

A small build (a dozen images per split) is enough for every check; the
default sizes are checked with the drawing replaced by a flat image.
"""
import os

import numpy as onp
import pytest
from d2l import mxnet as d2l
from file_tree import read_tree
from mxnet import image

SMALL = (12, 6)
SHA1 = '4e443f8a2eca6b1dac8a6c57641b67dd40621a49'


def _ids(voc_dir, split):
    with open(os.path.join(voc_dir, 'ImageSets', 'Segmentation', f'{split}.txt')) as f:
        text = f.read()
    assert text.endswith('\n')
    return text.split()


@pytest.fixture(scope='module')
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp('voc') / 'VOCdevkit'
    os.makedirs(folder)
    d2l.voc_standin(str(folder), num_examples=SMALL)
    return str(folder / 'VOC2012')


def test_constants_are_vocs():
    assert len(d2l.VOC_COLORMAP) == len(d2l.VOC_CLASSES) == 21
    assert d2l.VOC_CLASSES[0] == 'background'
    assert d2l.VOC_CLASSES[13] == 'horse' and d2l.VOC_CLASSES[15] == 'person'
    assert d2l.VOC_CLASSES[16] == 'potted plant' and d2l.VOC_CLASSES[20] == 'tv/monitor'
    palette = d2l._voc_palette()
    assert palette.shape == (256, 3) and palette.dtype == onp.uint8
    assert palette[:21].tolist() == d2l.VOC_COLORMAP
    assert palette[255].tolist() == [224, 224, 192]        # the 'void' border
    assert len({tuple(c) for c in palette.tolist()}) == 256
    assert d2l.DATA_HUB['voc2012'] == (d2l.DATA_URL + 'VOCtrainval_11-May-2012.tar', SHA1)


def test_layout_and_default_counts(tmp_path, monkeypatch):
    # The drawing is replaced by a flat image, so that all 2,913 pairs of
    # the default call are written in a moment.
    def flat(rng, photos, clothes, horse):
        pixels = onp.full((375, 500, 3), 90, onp.uint8)
        instances = onp.zeros((375, 500), onp.uint8)
        instances[100:200, 100:300] = 1
        return pixels, pixels, instances, [0, 13]
    monkeypatch.setattr(d2l, '_voc_standin_example', flat)
    monkeypatch.setattr(d2l, 'read_fashion_mnist', lambda split: None)
    d2l.voc_standin(str(tmp_path))
    root = tmp_path / 'VOC2012'
    assert sorted(os.listdir(tmp_path)) == ['VOC2012']
    assert sorted(os.listdir(root)) == ['ImageSets', 'JPEGImages', 'SegmentationClass']
    assert sorted(os.listdir(root / 'ImageSets')) == ['Segmentation']
    assert sorted(os.listdir(root / 'ImageSets' / 'Segmentation')) == ['train.txt', 'val.txt']
    train, val = _ids(str(root), 'train'), _ids(str(root), 'val')
    assert (len(train), len(val)) == (1464, 1449)
    assert not set(train) & set(val)
    assert sorted(os.listdir(root / 'JPEGImages')) == sorted(i + '.jpg' for i in train + val)
    assert sorted(os.listdir(root / 'SegmentationClass')) == sorted(i + '.png' for i in train + val)


def test_labels_are_palette_pngs_with_vocs_palette(small):
    palette = d2l._voc_palette().tobytes()
    for id_ in _ids(small, 'train') + _ids(small, 'val'):
        with open(os.path.join(small, 'SegmentationClass', id_ + '.png'), 'rb') as f:
            png = f.read()
        assert png[:8] == b'\x89PNG\r\n\x1a\n' and png[12:16] == b'IHDR'
        assert png[24:26] == bytes([8, 3])                 # 8-bit, palette colors
        assert png[37:41] == b'PLTE' and png[41:41 + 768] == palette
        assert png.endswith(b'IEND\xaeB`\x82')
        # matplotlib (Pillow) reads it too, and agrees with MXNet (OpenCV)
        via_pil = d2l.plt.imread(os.path.join(small, 'SegmentationClass', id_ + '.png'))
        via_cv = image.imread(os.path.join(small, 'SegmentationClass', id_ + '.png')).asnumpy()
        assert (onp.round(via_pil[..., :3] * 255).astype(onp.uint8) == via_cv).all()


def test_deterministic_and_prefix_stable(small, tmp_path):
    d2l.voc_standin(str(tmp_path / 'b'), num_examples=SMALL)
    d2l.voc_standin(str(tmp_path / 'c'), seed=1, num_examples=SMALL)
    d2l.voc_standin(str(tmp_path / 'd'), num_examples=(5, 2))
    a = read_tree(os.path.dirname(small))
    assert a == read_tree(tmp_path / 'b')                        # same seed, same bytes
    name = 'VOC2012/JPEGImages/standin_000000.jpg'
    assert a[name] != read_tree(tmp_path / 'c')[name]
    d = read_tree(tmp_path / 'd')
    # fewer training images: the first files (the ids of val shift with the
    # number of training images, the images themselves do not)
    assert all(a[k] == v for k, v in d.items() if 'ImageSets' not in k
               and int(k[-10:-4]) < 5)


def test_masks_are_exact_and_consistent_with_the_images(small):
    photos, horse = d2l._banana_photos(), d2l._voc_horse()
    colors = onp.array(d2l.VOC_COLORMAP + [[224, 224, 192]])
    for split, (name, source) in enumerate((('train', 'train'), ('val', 'test'))):
        clothes = d2l.read_fashion_mnist(source)
        for i, id_ in enumerate(_ids(small, name)):
            pixels, background, instances, classes = d2l._voc_standin_example(
                onp.random.default_rng([0, split, i]), photos, clothes, horse)
            h, w = instances.shape
            assert (h, w) in d2l._VOC_STANDIN_SIZES and pixels.shape == (h, w, 3)
            assert 2 <= len(classes) <= 5 and classes[0] == 0
            assert set(classes[1:]) <= set(range(1, 11)) | {13}
            # Outside the objects the image is its background, exactly
            assert (pixels[instances == 0] == background[instances == 0]).all()
            # Inside, the pixels are the object's: they differ from the background
            changed = (pixels != background).any(axis=-1)
            assert changed[instances > 0].mean() > 0.9
            # The stored JPEG is the drawing, up to compression
            jpg = image.imread(os.path.join(small, 'JPEGImages', id_ + '.jpg')).asnumpy()
            assert jpg.shape == (h, w, 3)
            assert onp.abs(jpg.astype(float) - pixels).mean() < 6
            # The label is the class map with a 5-pixel void band along outlines
            label = image.imread(os.path.join(small, 'SegmentationClass', id_ + '.png')).asnumpy()
            assert label.shape == (h, w, 3)
            assert (label[:, :, None, :] == colors).all(-1).any(-1).all()  # VOC colors only
            void = (label == [224, 224, 192]).all(-1)
            assert (void == d2l._void_border(instances)).all()
            indices = d2l.voc_label_indices(d2l.np.array(label), d2l.voc_colormap2label())
            expected = onp.array(classes)[instances]
            assert (indices.asnumpy()[~void] == expected[~void]).all()
            assert (indices.asnumpy()[void] == 0).all()     # void counts as background


def test_clothing_mask_fills_holes_and_drops_specks():
    gray = onp.zeros((28, 28), onp.uint8)
    gray[5:20, 5:20] = 200
    gray[10:13, 10:13] = 0          # a hole inside the garment
    gray[25, 25] = 3                # a speck of noise
    mask = d2l._clothing_mask(gray)
    assert mask[5:20, 5:20].all() and mask.sum() == 15 * 15


def test_reader_and_dataset(small, monkeypatch, capsys):
    monkeypatch.delenv('D2L_PROFILE', raising=False)
    features, labels = d2l.read_voc_images(small, is_train=True)
    assert len(features) == len(labels) == SMALL[0]
    for x, y in zip(features, labels):
        assert x.dtype == onp.uint8 and y.dtype == onp.uint8
        assert x.shape == y.shape and x.shape[2] == 3
    crop_size = (320, 480)
    big = sum(x.shape[0] >= 320 and x.shape[1] >= 480 for x in features)
    dataset = d2l.VOCSegDataset(True, crop_size, small)
    assert capsys.readouterr().out == f'read {big} examples\n'
    assert len(dataset) == big
    d2l.random.seed(0)
    X, Y = dataset[0]
    assert X.shape == (3, 320, 480) and X.dtype == onp.float32
    assert Y.shape == (320, 480)
    assert set(onp.unique(Y.asnumpy()).tolist()) <= set(range(11)) | {13}
    # normalized with ImageNet's statistics: roughly zero mean, unit spread
    assert abs(float(X.mean())) < 1.5 and 0.3 < float(X.std()) < 2
    # the crop of the image and the crop of the label are the same window
    d2l.random.seed(1)
    x, y = d2l.voc_rand_crop(features[0], labels[0], 100, 150)
    d2l.random.seed(1)
    x2, y2 = d2l.voc_rand_crop(features[0], features[0], 100, 150)
    assert (x == y2).all() and y.shape == (100, 150, 3)


def test_an_image_size_cap_shrinks_scenes_labels_and_crop_alike(small, monkeypatch):
    monkeypatch.delenv('D2L_PROFILE', raising=False)
    monkeypatch.delenv('D2L_MAX_IMAGE_SIZE', raising=False)
    full = d2l.VOCSegDataset(True, (320, 480), small)
    monkeypatch.setenv('D2L_PROFILE', 'lite')
    monkeypatch.setenv('D2L_MAX_IMAGE_SIZE', '200')
    monkeypatch.setenv('D2L_MAX_EXAMPLES', '100000')
    capped = d2l.VOCSegDataset(True, (320, 480), small)
    # the same examples (filtered before shrinking), each shrunk by 200 / 500
    assert len(capped) == len(full) > 0
    assert capped.crop_size == (128, 192)
    for big, small_img in zip(full.features, capped.features):
        assert small_img.shape[:2] == tuple(round(s * 0.4) for s in big.shape[:2])
    # labels keep exact palette colors: every pixel still names a class
    colors = {tuple(c) for c in d2l.VOC_COLORMAP} | {(224, 224, 192)}
    for label in capped.labels:
        assert {tuple(c) for c in onp.unique(label.asnumpy().reshape(-1, 3), axis=0)} <= colors
    X, Y = capped[0]
    assert X.shape == (3, 128, 192) and Y.shape == (128, 192)


def test_shrunk_labels_stay_registered_with_their_photos():
    # A ramp 0..9 shrunk to 4 pixels: the label keeps the source pixel under
    # each new pixel's center, the point bilinear resizing samples, so label
    # and photo agree (OpenCV's own nearest rule would pick 0, 2, 5, 7).
    ramp = onp.tile(onp.arange(10, dtype='uint8')[None, :, None], (10, 1, 3))
    label = d2l.resize_by(d2l.np.array(ramp), 0.4, nearest=True).asnumpy()
    photo = d2l.resize_by(d2l.np.array(ramp), 0.4).asnumpy()
    assert label.shape == photo.shape == (4, 4, 3)
    assert label[0, :, 0].tolist() == [1, 3, 6, 8] == photo[0, :, 0].tolist()


def test_load_data_voc_reads_the_standin_and_announces_it_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'cache'))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.delenv('D2L_PROFILE', raising=False)
    monkeypatch.setitem(d2l.DATA_HUB, 'voc2012', ('http://127.0.0.1:9/VOCtrainval_11-May-2012.tar', SHA1))
    build = d2l.voc_standin
    monkeypatch.setattr(d2l, 'voc_standin', lambda folder: build(folder, num_examples=(16, 8)))
    train_iter, test_iter = d2l.load_data_voc(2, (200, 300))
    out = capsys.readouterr().out
    standin = os.path.join(str(tmp_path / 'cache'), 'standin', 'VOCdevkit')
    assert out.count('using a stand-in drawn by d2l.voc_standin') == 1 and standin in out
    assert 'read 16 examples' in out and 'read 8 examples' in out  # all >= 200 x 300
    X, Y = next(iter(train_iter))
    assert X.shape == (2, 3, 200, 300) and Y.shape == (2, 200, 300)
    assert len(train_iter) == 8 and len(test_iter) == 4
    d2l.load_data_voc(2, (200, 300))
    assert 'stand-in' not in capsys.readouterr().out  # announced once
    # a damaged stand-in is noticed and built again
    os.remove(os.path.join(standin, 'VOC2012', 'JPEGImages', 'standin_000003.jpg'))
    assert d2l._voc_folder() == os.path.join(standin, 'VOC2012')
    assert 'building it again' in capsys.readouterr().out
    assert d2l._voc_complete(os.path.join(standin, 'VOC2012'))
