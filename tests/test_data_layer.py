"""The data layer (d2l.download, section 4.10) against a real HTTP server on loopback."""
import hashlib
import http.server
import os
import threading

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
        assert sorted(os.listdir(folder)) == ['wiki.test.tokens', 'wiki.train.tokens',
                                              'wiki.valid.tokens']
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
