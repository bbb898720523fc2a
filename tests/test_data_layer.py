"""The data layer (d2l.download, section 4.10) against a real HTTP server on loopback."""
import functools
import hashlib
import http.server
import os
import threading
import time

import numpy as onp
import pytest
from booktools import paths
from d2l import mxnet as d2l

PAYLOAD = b'col_a,col_b\n1,2\n3,4\n'
SHA1 = hashlib.sha1(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    files = {}
    requests = []

    def do_GET(self):
        type(self).requests.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404, 'Not Found')
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.files, Handler.requests = {'/good.csv': PAYLOAD, '/bad.csv': b'tampered'}, []
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hub(monkeypatch, tmp_path):
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.setattr(d2l, 'DATA_HUB', {})
    return tmp_path / 'cache'


def test_good_file_is_cached_and_then_served_without_a_request(server, hub):
    d2l.DATA_HUB['good'] = (f'{server}/good.csv', SHA1)
    path = d2l.download('good', hub)
    assert open(path, 'rb').read() == PAYLOAD
    assert Handler.requests == ['/good.csv']
    assert d2l.download('good', hub) == path
    assert Handler.requests == ['/good.csv']  # cached and correct: no second request


def test_wrong_bytes_raise_and_leave_nothing_in_the_cache(server, hub):
    d2l.DATA_HUB['bad'] = (f'{server}/bad.csv', SHA1)
    with pytest.raises(ValueError, match='SHA-1'):
        d2l.download('bad', hub)
    assert not hub.exists() or os.listdir(hub) == []


def test_missing_file_gives_a_clear_error(server, hub):
    d2l.DATA_HUB['gone'] = (f'{server}/gone.csv', SHA1)
    with pytest.raises(RuntimeError, match=r'gone.*404'):
        d2l.download('gone', hub)
    assert not hub.exists() or os.listdir(hub) == []


def test_a_corrupted_cached_file_is_fetched_again(server, hub):
    d2l.DATA_HUB['good'] = (f'{server}/good.csv', SHA1)
    hub.mkdir()
    (hub / 'good.csv').write_bytes(b'half a fi')
    assert open(d2l.download('good', hub), 'rb').read() == PAYLOAD
    assert Handler.requests == ['/good.csv']


def test_offline_error_names_dataset_url_and_the_way_out(hub):
    d2l.DATA_HUB['far'] = ('http://127.0.0.1:9/far.csv', SHA1)  # discard port: refused
    with pytest.raises(RuntimeError) as err:
        d2l.download('far', hub)
    message = str(err.value)
    assert 'far' in message and 'http://127.0.0.1:9/far.csv' in message
    assert 'D2L_DATA_MIRROR' in message and str(hub / 'far.csv') in message


def test_mirror_is_used_before_the_network(server, hub, tmp_path, monkeypatch):
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'good.csv').write_bytes(PAYLOAD)
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    d2l.DATA_HUB['good'] = (f'{server}/good.csv', SHA1)
    assert open(d2l.download('good', hub), 'rb').read() == PAYLOAD
    assert Handler.requests == []


def test_mirror_manifest_vouches_for_another_release(hub, tmp_path, monkeypatch):
    other = b'same layout, other release\n'
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'pairs.txt').write_bytes(other)
    (mirror / 'MANIFEST.tsv').write_text(
        f'name\tfile\tsha1\nx\tpairs.txt\t{hashlib.sha1(other).hexdigest()}\n')
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    d2l.DATA_HUB['pairs'] = ('http://127.0.0.1:9/pairs.txt', SHA1)
    assert open(d2l.download('pairs', hub), 'rb').read() == other
    (mirror / 'MANIFEST.tsv').write_text('name\tfile\tsha1\n')
    (hub / 'pairs.txt').unlink()
    with pytest.raises(ValueError, match='SHA-1'):  # unvouched bytes are refused
        d2l.download('pairs', hub)


def use_shared_mirror(monkeypatch, what=''):
    """Point the library at the offline mirror, or skip the test saying why."""
    mirror = paths.mirror()
    if mirror is None:
        pytest.skip(f'no offline data mirror{what}: ../shared/data is absent beside the '
                    'checkout and D2L_DATA_MIRROR is not set')
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))


def test_real_datasets_in_the_shared_mirror_pass_their_checksums(hub, monkeypatch):
    use_shared_mirror(monkeypatch)
    monkeypatch.setattr(d2l, 'DATA_HUB', {
        'kaggle_house_train': (d2l.DATA_URL + 'kaggle_house_pred_train.csv',
                               '585e9cc93e70b39160e7921475f9bcd7d31219ce')})
    path = d2l.download('kaggle_house_train', hub)
    assert d2l.sha1_of(path) == '585e9cc93e70b39160e7921475f9bcd7d31219ce'


# The generated stand-in for datasets that cannot be had (section 14.9):
# d2l.download_extract_or_standin and d2l.wikitext2_standin.

def _no_wikitext(monkeypatch, cache):
    """Point the data cache at `cache` and WikiText-2 at a refused address."""
    monkeypatch.setenv('D2L_DATA_DIR', str(cache))
    monkeypatch.setitem(d2l.DATA_HUB, 'wikitext-2',
                        ('http://127.0.0.1:9/wikitext-2-v1.zip', SHA1))


def _small_standin(folder):
    d2l.wikitext2_standin(folder, num_tokens=(20000, 3000, 3000))


def test_wikitext2_standin_is_deterministic_and_in_the_original_layout(tmp_path, monkeypatch):
    use_shared_mirror(monkeypatch, ' (the IMDb reviews the stand-in is made of)')
    built = []
    for cache in (tmp_path / 'a', tmp_path / 'b'):
        _no_wikitext(monkeypatch, cache)
        folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', _small_standin)
        assert folder == os.path.join(cache, 'standin', 'wikitext-2')
        assert sorted(os.listdir(folder)) == ['.d2l-standin.sha1', 'wiki.test.tokens',
                                              'wiki.train.tokens', 'wiki.valid.tokens']
        built.append({name: open(os.path.join(folder, name), 'rb').read()
                      for name in os.listdir(folder)})
    assert built[0] == built[1]  # same seed, same bytes
    lines = built[0]['wiki.train.tokens'].decode('utf-8').splitlines(keepends=True)
    # WikiText's layout: ' = title = ' and ' ' lines around articles, one paragraph
    # per line, every token between single spaces.
    assert all(line.startswith(' ') and line.endswith(' \n') and '  ' not in line
               for line in lines)
    headings = [line for line in lines if line.startswith(' = ')]
    paragraphs = [line for line in lines if line.strip() and not line.startswith(' = ')]
    assert headings and all(line.endswith(' = \n') for line in headings)
    assert 20000 <= sum(len(line.split()) for line in paragraphs) < 40000
    multi = [line for line in paragraphs if len(line.strip().split(' . ')) >= 2]
    assert len(multi) > len(paragraphs) / 2
    read = d2l._read_wiki(folder)
    assert len(read) == len(multi) and all(len(p) >= 2 for p in read)


def test_a_failed_standin_build_leaves_nothing_behind(tmp_path, monkeypatch):
    _no_wikitext(monkeypatch, tmp_path / 'cache')

    def broken(folder):
        with open(os.path.join(folder, 'wiki.train.tokens'), 'w') as f:
            f.write(' half a file')
        raise RuntimeError('the build broke down')

    with pytest.raises(RuntimeError, match='broke down'):
        d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', broken)
    assert os.listdir(tmp_path / 'cache' / 'standin') == []
    # The next call builds afresh, and later calls reuse that stand-in.
    calls = []

    def good(folder):
        calls.append(folder)
        with open(os.path.join(folder, 'wiki.train.tokens'), 'w') as f:
            f.write(' a . b . \n')

    for _ in range(2):
        folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', good)
        assert open(os.path.join(folder, 'wiki.train.tokens')).read() == ' a . b . \n'
    assert len(calls) == 1
    assert os.listdir(tmp_path / 'cache' / 'standin') == ['wikitext-2']


def _counting_build(calls, text=' a . b . \n'):
    def build(folder):
        calls.append(folder)
        os.makedirs(os.path.join(folder, 'sub'))
        with open(os.path.join(folder, 'wiki.train.tokens'), 'w') as f:
            f.write(text)
        with open(os.path.join(folder, 'sub', 'more.txt'), 'w') as f:
            f.write('x')
    return build


@pytest.mark.parametrize('damage', ['truncate', 'delete', 'manifest',
                                    'manifest-line'])
def test_a_damaged_standin_is_built_again(tmp_path, monkeypatch, capsys, damage):
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    calls = []
    build = _counting_build(calls)
    folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    tokens = os.path.join(folder, 'wiki.train.tokens')
    if damage == 'truncate':
        with open(tokens, 'w') as f:
            f.write(' a .')
    elif damage == 'delete':
        os.remove(os.path.join(folder, 'sub', 'more.txt'))
    elif damage == 'manifest':
        os.remove(os.path.join(folder, '.d2l-standin.sha1'))
    else:  # a manifest cut short inside a checksum
        manifest = os.path.join(folder, '.d2l-standin.sha1')
        text = open(manifest).read()
        with open(manifest, 'w') as f:
            f.write(text[:text.index('\n') + 11])
    capsys.readouterr()
    again = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert again == folder and len(calls) == 2
    assert 'building it again' in capsys.readouterr().out
    assert open(tokens).read() == ' a . b . \n'
    assert sorted(os.listdir(tmp_path / 'cache' / 'standin')) == ['wikitext-2']
    # Intact now: the next call reuses it.
    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert len(calls) == 2


def test_files_a_page_adds_beside_a_standin_are_kept(tmp_path, monkeypatch, capsys):
    # As in the original, the dog-breed page writes reorganized copies into
    # the dataset's folder; loading the data again must neither rebuild the
    # stand-in nor throw the page's copies away.
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    calls = []
    build = _counting_build(calls)
    folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    os.makedirs(os.path.join(folder, 'train_valid_test', 'a'))
    with open(os.path.join(folder, 'train_valid_test', 'a', 'copy.txt'), 'w') as f:
        f.write('y')
    capsys.readouterr()
    again = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert again == folder and len(calls) == 1
    assert 'building it again' not in capsys.readouterr().out
    assert open(os.path.join(folder, 'train_valid_test', 'a', 'copy.txt')).read() == 'y'


def test_a_standin_made_by_an_older_generator_is_built_again(tmp_path, monkeypatch):
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    calls = []
    old = _counting_build(calls, ' old . rules . \n')
    folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', old)

    def new(folder):  # the generator after a fix: different code
        calls.append(folder)
        with open(os.path.join(folder, 'wiki.train.tokens'), 'w') as f:
            f.write(' new . rules . \n')

    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', new)
    assert len(calls) == 2
    assert open(os.path.join(folder, 'wiki.train.tokens')).read() == ' new . rules . \n'


def test_the_generator_digest_follows_code_not_docstrings():
    def make(doc, step):
        namespace = {}
        exec(f'def g(folder):\n    """{doc}"""\n    return folder * {step}\n', namespace)
        return namespace['g']
    assert d2l._code_digest(make('one', 2)) == d2l._code_digest(make('two', 2))
    assert d2l._code_digest(make('one', 2)) != d2l._code_digest(make('one', 3))
    import functools
    assert (d2l._code_digest(functools.partial(d2l.snli_standin, seed=0))
            != d2l._code_digest(functools.partial(d2l.snli_standin, seed=1)))


def test_the_real_archive_wins_over_the_standin(tmp_path, monkeypatch):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('wikitext-2/wiki.train.tokens', ' The real . Corpus . \n')
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'wikitext-2-v1.zip').write_bytes(buffer.getvalue())
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'cache'))
    monkeypatch.setitem(d2l.DATA_HUB, 'wikitext-2', (
        'http://127.0.0.1:9/wikitext-2-v1.zip', hashlib.sha1(buffer.getvalue()).hexdigest()))

    def never(folder):
        raise AssertionError('the stand-in was built although the real file is there')

    folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', never)
    assert folder == os.path.join(tmp_path, 'cache', 'wikitext-2')
    assert d2l._read_wiki(folder) == [['the real', 'corpus .']]


# The banana detection data (section 13.6): d2l.banana_standin, which draws a
# stand-in when the archive cannot be had, and the loader around it.

BANANA_HEADER = 'img_name,label,xmin,ymin,xmax,ymax'


def _no_bananas(monkeypatch, cache, small=(6, 2)):
    """Point the cache at `cache`, the archive at a refused address, and make
    the loader's stand-in `small` (training, validation) images large."""
    monkeypatch.setenv('D2L_DATA_DIR', str(cache))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.setitem(d2l.DATA_HUB, 'banana-detection',
                        ('http://127.0.0.1:9/banana-detection.zip', SHA1))
    build = d2l.banana_standin
    monkeypatch.setattr(d2l, 'banana_standin',
                        lambda folder: build(folder, num_examples=small))


def _tree(folder):
    """{relative path: bytes} of every file under `folder`."""
    files = {}
    for here, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(here, name)
            files[os.path.relpath(path, folder)] = open(path, 'rb').read()
    return files


def _labels(folder, split):
    lines = open(os.path.join(folder, split, 'label.csv')).read().splitlines()
    return lines[0], [line.split(',') for line in lines[1:]]


def test_banana_standin_has_the_original_layout_and_counts(tmp_path, monkeypatch):
    # The painting is replaced by a flat image (it is tested below), so that
    # all 1,100 files of the default call are written in a moment.
    def flat(photos, rng, size=256):
        pixels = onp.full((size, size, 3), 90, onp.uint8)
        return pixels, pixels, [10, 20, 30, 40]
    monkeypatch.setattr(d2l, '_banana_photos', lambda: [])
    monkeypatch.setattr(d2l, '_banana_example', flat)
    folder = tmp_path / 'banana-detection'
    d2l.banana_standin(str(folder))
    assert sorted(os.listdir(folder)) == ['bananas_train', 'bananas_val']
    for split, n in (('bananas_train', 1000), ('bananas_val', 100)):
        assert sorted(os.listdir(folder / split)) == ['images', 'label.csv']
        header, rows = _labels(folder, split)
        assert header == BANANA_HEADER
        assert [row[0] for row in rows] == [f'{i}.png' for i in range(n)]
        assert all(row[1:] == ['0', '10', '20', '30', '40'] for row in rows)
        assert sorted(os.listdir(folder / split / 'images')) == sorted(
            f'{i}.png' for i in range(n))


def test_banana_standin_is_deterministic_and_its_boxes_fit_the_bananas(tmp_path):
    from mxnet import image
    d2l.banana_standin(str(tmp_path / 'a'), num_examples=(8, 3))
    d2l.banana_standin(str(tmp_path / 'b'), num_examples=(8, 3))
    d2l.banana_standin(str(tmp_path / 'c'), seed=1, num_examples=(8, 3))
    d2l.banana_standin(str(tmp_path / 'd'), num_examples=(5, 1))
    a = _tree(tmp_path / 'a')
    assert a == _tree(tmp_path / 'b')                        # same seed, same bytes
    assert a['bananas_train/images/0.png'] != _tree(tmp_path / 'c')['bananas_train/images/0.png']
    assert all(a[name] == data for name, data in _tree(tmp_path / 'd').items()
               if name.endswith('.png'))                     # fewer: the first files
    photos = d2l._banana_photos()
    for split_index, split in enumerate(('bananas_train', 'bananas_val')):
        header, rows = _labels(tmp_path / 'a', split)
        assert header == BANANA_HEADER
        for i, (name, label, *box) in enumerate(rows):
            png = a[f'{split}/images/{name}']
            assert png[12:16] == b'IHDR' and png[24:26] == bytes([8, 6])  # 8-bit RGBA ...
            path = str(tmp_path / 'a' / split / 'images' / name)
            assert (d2l.plt.imread(path)[..., 3] == 1).all()       # ... and opaque
            pixels = image.imread(path).asnumpy()                   # (alpha dropped)
            assert pixels.shape == (256, 256, 3) and label == '0'
            xmin, ymin, xmax, ymax = map(int, box)
            assert 0 <= xmin < xmax <= 256 and 0 <= ymin < ymax <= 256
            # length <= 100 px, plus the neck, the thickness, the soft edge
            # and rounding to whole pixels: a side reaches 111 px in the
            # stored stand-in and cannot exceed 113.
            assert 15 <= max(xmax - xmin, ymax - ymin) <= 113
            # The file holds the drawing, whose box is the one in label.csv ...
            drawn, background, drawn_box = d2l._banana_example(
                photos, onp.random.default_rng([0, split_index, i]))
            assert (pixels == drawn).all() and drawn_box == [xmin, ymin, xmax, ymax]
            # ... and every pixel the banana changed lies in the box, which
            # is no more than a pixel larger than the changed pixels' box.
            rows_, cols = onp.nonzero((pixels != background).any(axis=-1))
            seen = [cols.min(), rows_.min(), cols.max() + 1, rows_.max() + 1]
            assert xmin <= seen[0] and ymin <= seen[1]
            assert seen[2] <= xmax and seen[3] <= ymax
            assert max(abs(s - b) for s, b in zip(seen, (xmin, ymin, xmax, ymax))) <= 1
            # A banana is yellow: its changed pixels are more red+green than blue.
            changed = pixels[rows_, cols].astype(float)
            assert (changed[:, :2].mean(axis=1) - changed[:, 2]).mean() > 40


def test_bananas_are_read_from_the_standin_which_is_announced_once(tmp_path, monkeypatch, capsys):
    _no_bananas(monkeypatch, tmp_path / 'cache')
    train_iter, val_iter = d2l.load_data_bananas(4)
    out = capsys.readouterr().out
    assert out.count('using a stand-in drawn by d2l.banana_standin') == 1
    assert 'read 6 training examples' in out and 'read 2 validation examples' in out
    X, Y = next(iter(train_iter))
    assert X.shape == (4, 3, 256, 256) and X.dtype == onp.float32
    assert Y.shape == (4, 1, 5)
    images, labels = d2l.read_data_bananas(is_train=False)
    assert len(images) == 2 and images[0].shape == (256, 256, 3)
    assert labels.shape == (2, 1, 5) and (labels[:, :, 0] == 0).all()
    assert ((0 <= labels) & (labels <= 1)).all()
    folder = tmp_path / 'cache' / 'standin' / 'banana-detection'
    _, rows = _labels(folder, 'bananas_val')
    assert onp.allclose(labels[:, 0, 1:].asnumpy() * 256,
                        [[float(v) for v in row[2:]] for row in rows])
    assert 'stand-in' not in capsys.readouterr().out   # said once only


def test_a_damaged_banana_standin_is_built_again(tmp_path, monkeypatch, capsys):
    _no_bananas(monkeypatch, tmp_path / 'cache')
    folder = tmp_path / 'cache' / 'standin' / 'banana-detection'
    d2l.read_data_bananas()
    whole = _tree(folder)
    damages = [lambda: (folder / 'bananas_val/images/1.png').write_bytes(
                   whole['bananas_val/images/1.png'][:5000]),      # cut short
               lambda: (folder / 'bananas_train/images/3.png').unlink(),
               lambda: (folder / 'bananas_val/label.csv').unlink()]
    for damage in damages:
        damage()
        capsys.readouterr()
        images, _ = d2l.read_data_bananas()
        assert 'building it again' in capsys.readouterr().out
        assert len(images) == 6 and _tree(folder) == whole


def test_a_killed_standin_build_does_not_survive(tmp_path, monkeypatch):
    _no_bananas(monkeypatch, tmp_path / 'cache')
    standin = tmp_path / 'cache' / 'standin'
    old, recent = standin / '.partial-banana-detection-old', standin / '.partial-banana-detection-now'
    for partial in (old, recent):
        (partial / 'bananas_train' / 'images').mkdir(parents=True)
        (partial / 'bananas_train' / 'images' / '0.png').write_bytes(b'\x89PNG half')
    two_hours_ago = time.time() - 7200
    for path in [old, *old.rglob('*')]:  # nothing written there for two hours
        os.utime(path, (two_hours_ago, two_hours_ago))
    images, _ = d2l.read_data_bananas()
    assert len(images) == 6
    # The old leftover is gone; a recent one may belong to a build still running.
    assert sorted(os.listdir(standin)) == ['.partial-banana-detection-now', 'banana-detection']


def _fake_banana_archive():
    """A small zip in the layout of banana-detection.zip: one flat image per split."""
    import io
    import zipfile
    buffer = io.BytesIO()
    png_file = io.BytesIO()
    d2l.plt.imsave(png_file, onp.full((256, 256, 3), 200, onp.uint8), format='png')
    png = png_file.getvalue()
    with zipfile.ZipFile(buffer, 'w') as archive:
        for split in ('bananas_train', 'bananas_val'):
            archive.writestr(f'banana-detection/{split}/images/0.png', png)
            archive.writestr(f'banana-detection/{split}/label.csv',
                             f'{BANANA_HEADER}\n0.png,0,64,32,128,96\n')
    return buffer.getvalue()


def test_a_truncated_archive_is_not_used_and_does_not_survive(tmp_path, monkeypatch):
    _no_bananas(monkeypatch, tmp_path / 'cache')
    real = _fake_banana_archive()
    monkeypatch.setitem(d2l.DATA_HUB, 'banana-detection', (
        'http://127.0.0.1:9/banana-detection.zip', hashlib.sha1(real).hexdigest()))
    cached = tmp_path / 'cache' / 'banana-detection.zip'
    cached.parent.mkdir()
    cached.write_bytes(real[:len(real) // 2])
    images, _ = d2l.read_data_bananas()  # offline: the stand-in
    assert len(images) == 6 and not cached.exists()
    # Once the archive can be had again, it is fetched and used.
    cached.write_bytes(real[:len(real) // 2])
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'banana-detection.zip').write_bytes(real)
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    images, labels = d2l.read_data_bananas()
    assert len(images) == 1 and cached.read_bytes() == real
    assert labels.tolist() == [[[0, 0.25, 0.125, 0.5, 0.375]]]


def test_the_real_banana_archive_wins_over_the_standin(tmp_path, monkeypatch, capsys):
    _no_bananas(monkeypatch, tmp_path / 'cache')
    d2l.read_data_bananas()  # a stand-in is in the cache already
    real = _fake_banana_archive()
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'banana-detection.zip').write_bytes(real)
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    monkeypatch.setitem(d2l.DATA_HUB, 'banana-detection', (
        'http://127.0.0.1:9/banana-detection.zip', hashlib.sha1(real).hexdigest()))

    def never(folder):
        raise AssertionError('the stand-in was built although the real file is there')

    monkeypatch.setattr(d2l, 'banana_standin', never)
    capsys.readouterr()
    images, labels = d2l.read_data_bananas(is_train=False)
    assert 'stand-in' not in capsys.readouterr().out
    assert len(images) == 1 and (images[0].asnumpy() == 200).all()
    assert labels.tolist() == [[[0, 0.25, 0.125, 0.5, 0.375]]]


def test_after_a_failed_download_the_standin_is_used_without_asking_again(
        tmp_path, monkeypatch, capsys):
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    tries = []
    real_download_extract = d2l.download_extract

    def counting(*args):
        tries.append(args)
        return real_download_extract(*args)

    monkeypatch.setattr(d2l, 'download_extract', counting)
    build = _counting_build([])
    first = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert capsys.readouterr().out.count('using a stand-in') == 1
    assert d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build) == first
    assert len(tries) == 1 and 'stand-in' not in capsys.readouterr().out
    # Another place the real data could come from is tried.
    monkeypatch.setenv('D2L_DATA_MIRROR', str(tmp_path / 'empty-mirror'))
    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert len(tries) == 2


def test_a_pages_copy_of_a_generator_has_the_librarys_digest():
    # In a module that imports `random`, Python 3.11 compiles random.Random(...)
    # differently than in a notebook cell; the stand-in must not be rebuilt
    # because a page ran its own copy of the library's generator.
    body = ('def g(seed):\n'
            '    total = 0\n'
            '    for i in range(300):\n'
            '        if i % 7:\n'
            '            total += random.Random(seed + i).random()\n'
            '    return total\n')
    module, cell = {}, {'random': __import__('random')}
    exec('import random\n' + body, module)
    exec(body, cell)
    assert module['g'].__code__.co_code != cell['g'].__code__.co_code
    assert module['g'](1) == cell['g'](1)
    assert d2l._code_digest(module['g']) == d2l._code_digest(cell['g'])
    changed = {'random': __import__('random')}
    exec(body.replace('i % 7', 'i % 5'), changed)
    assert d2l._code_digest(changed['g']) != d2l._code_digest(cell['g'])


def test_the_generator_digest_follows_helpers_defaults_closures_and_constants(monkeypatch):
    calls_helper = lambda folder: d2l.hotdog_standin(folder)
    before = d2l._code_digest(calls_helper)
    monkeypatch.setattr(d2l, 'hotdog_standin', lambda folder, n=2: folder * n)
    assert d2l._code_digest(calls_helper) != before  # the helper it calls counts

    def make(source, **namespace):
        exec(source, namespace)
        return namespace['g']
    plain = 'def g(folder, n=2):\n    return [folder, 0, 1][n - 1]\n'
    assert (d2l._code_digest(make(plain))
            != d2l._code_digest(make(plain.replace('n=2', 'n=3'))))
    # Which of its constants an instruction loads (0 and 1 are both there).
    assert (d2l._code_digest(make('def g(x):\n    return [x, 0, 1][0]\n'))
            != d2l._code_digest(make('def g(x):\n    return [x, 0, 1][1]\n')))
    # Values a lambda closes over, as in `lambda path: build(path, num_examples=small)`.
    def closing(small):
        return lambda folder: d2l.banana_standin(folder, num_examples=small)
    assert d2l._code_digest(closing((6, 2))) == d2l._code_digest(closing((6, 2)))
    assert d2l._code_digest(closing((6, 2))) != d2l._code_digest(closing((8, 2)))
    # Sets are written in sorted order, arrays by all of their contents
    # (repr() leaves out the middle of a long array).
    assert d2l._canonical_repr({'b', 'c', 'a'}) == "{'a', 'b', 'c'}"
    long, changed = onp.arange(5000), onp.arange(5000)
    changed[2500] = -1
    assert repr(long) == repr(changed)
    assert d2l._canonical_repr(long) != d2l._canonical_repr(changed)


def test_the_library_and_its_pages_copy_of_a_recursive_function_agree():
    body = ('def snli_standin(folder, depth=2):\n'
            '    return folder if depth == 0 else snli_standin(folder, depth - 1)\n')
    cell = {}
    exec(body, cell)
    own = d2l.snli_standin
    try:
        module = {}
        exec(body, module)
        d2l.snli_standin = module['snli_standin']  # as if the library held it
        assert d2l._code_digest(cell['snli_standin']) == d2l._code_digest(d2l.snli_standin)
    finally:
        d2l.snli_standin = own


def test_leftovers_of_killed_builds_are_cleared_on_the_next_call(tmp_path, monkeypatch):
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    build = _counting_build([])
    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)  # intact now
    parent = tmp_path / 'cache' / 'standin'
    old, recent = parent / '.partial-wikitext-2-old', parent / '.stale-wikitext-2-now'
    for leftover in (old, recent):
        (leftover / 'sub').mkdir(parents=True)
        (leftover / 'sub' / 'wiki.train.tokens').write_text(' half')
    two_hours_ago = time.time() - 7200
    for path in (old / 'sub' / 'wiki.train.tokens', old / 'sub', old):
        os.utime(path, (two_hours_ago, two_hours_ago))
    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    # The old one is gone; the recent one may belong to a build still running.
    assert sorted(os.listdir(parent)) == ['.stale-wikitext-2-now', 'wikitext-2']
    # A long build that still writes files is not taken for a killed one.
    os.utime(recent, (two_hours_ago, two_hours_ago))
    d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert recent.exists()


def test_an_archive_that_appears_in_the_cache_is_tried_again(tmp_path, monkeypatch):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('wikitext-2/wiki.train.tokens', ' The real . Corpus . \n')
    _no_wikitext(monkeypatch, tmp_path / 'cache')
    monkeypatch.setitem(d2l.DATA_HUB, 'wikitext-2', (
        'http://127.0.0.1:9/wikitext-2-v1.zip', hashlib.sha1(buffer.getvalue()).hexdigest()))
    build = _counting_build([])
    standin = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert standin.endswith(os.path.join('standin', 'wikitext-2'))
    # The reader fetches the archive elsewhere and puts it into the cache.
    (tmp_path / 'cache' / 'wikitext-2-v1.zip').write_bytes(buffer.getvalue())
    folder = d2l.download_extract_or_standin('wikitext-2', 'wikitext-2', build)
    assert folder == os.path.join(tmp_path, 'cache', 'wikitext-2')
    assert d2l._read_wiki(folder) == [['the real', 'corpus .']]
