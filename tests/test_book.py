"""The book model: reading order, a page's header parsed once, the environments it gives."""
import os
import pytest
from booktools import book, pages, paths


def test_reading_order_starts_at_the_root_and_follows_the_toc():
    names = book.reading_order()
    assert names[0] == 'chapters/00-front/index'
    assert names.index('chapters/03-linear-networks/index') < names.index(
        'chapters/03-linear-networks/linear-regression') < names.index('chapters/19-appendix-tools-for-deep-learning/d2l')
    assert len(names) == len(set(names))


def test_header_gives_the_stored_and_the_smoke_environment():
    settings = book.Settings.from_header({'profile': 'lite', 'max_examples': 2048, 'max_epochs': 2,
                                          'smoke_max_examples': 32})
    assert settings.stored_env() == {'D2L_PROFILE': 'lite', 'D2L_MAX_EXAMPLES': '2048',
                                     'D2L_MAX_EPOCHS': '2'}
    assert settings.smoke_env() == {'D2L_PROFILE': 'smoke', 'D2L_MAX_EXAMPLES': '32'}
    assert book.Settings.from_header(None).stored_env() == {'D2L_PROFILE': 'full'}
    capped = book.Settings.from_header({'profile': 'lite', 'max_image_size': 96})
    assert capped.stored_env() == {'D2L_PROFILE': 'lite', 'D2L_MAX_IMAGE_SIZE': '96'}
    # the test run never works on bigger images than the stored run
    assert capped.smoke_env() == {'D2L_PROFILE': 'smoke', 'D2L_MAX_IMAGE_SIZE': '96'}
    assert book.Settings.from_header(None).header() is None


def test_a_mistyped_header_is_refused():
    with pytest.raises(book.SettingsError, match='max_epoch'):
        book.Settings.from_header({'max_epoch': 3})
    with pytest.raises(book.SettingsError, match='smoke'):
        book.Settings.from_header({'profile': 'smoke'})
    for value in (45.5, '45', 0, True):
        with pytest.raises(book.SettingsError, match='budget_minutes'):
            book.Settings.from_header({'budget_minutes': value})


def test_a_stored_run_follows_the_page_header_not_the_shell(monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'smoke')
    monkeypatch.setenv('D2L_MAX_EPOCHS', '1')
    resnet = book.resolve('resnet')
    env = pages.stored_run_env(resnet)
    assert env['D2L_PROFILE'] == resnet.settings.profile == 'lite'
    assert env['D2L_MAX_EPOCHS'] == str(resnet.settings.max_epochs)
    env = pages.stored_run_env(book.resolve('ndarray'))
    assert env['D2L_PROFILE'] == 'full' and 'D2L_MAX_EPOCHS' not in env


def test_paths_are_overridable_one_variable_each(monkeypatch, tmp_path):
    monkeypatch.setenv('D2L_DATA_MIRROR', str(tmp_path))
    monkeypatch.setenv('D2L_CHROMIUM', str(tmp_path / 'c'))
    assert paths.mirror() == tmp_path and paths.run_env() == {'D2L_DATA_MIRROR': str(tmp_path)}
    assert paths.chromium() == tmp_path / 'c'


def test_the_tools_find_fashion_mnist_where_the_library_reads_it(monkeypatch, tmp_path):
    # The library's search (cache, mirror, Debian's folder) is defined once, in
    # the library; the tools ask it, with the mirror the book's runs get.
    from d2l import mxnet as d2l
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'cache'))
    monkeypatch.setenv('D2L_DATA_MIRROR', str(tmp_path / 'mirror'))
    (tmp_path / 'mirror' / 'fashion-mnist').mkdir(parents=True)
    for pair in d2l.FASHION_MNIST_FILES.values():
        for name in pair:
            (tmp_path / 'mirror' / 'fashion-mnist' / name).write_bytes(b'')
    assert paths.fashion_mnist() == tmp_path / 'mirror' / 'fashion-mnist'
    (tmp_path / 'mirror' / 'fashion-mnist' / name).unlink()  # three of four files: not this folder
    assert paths.fashion_mnist() != tmp_path / 'mirror' / 'fashion-mnist'
    assert os.environ['D2L_DATA_MIRROR'] == str(tmp_path / 'mirror')


def test_a_page_name_resolves_to_one_page():
    assert book.resolve('ndarray').name == 'chapters/02-preliminaries/ndarray'
    assert book.resolve('chapters/02-preliminaries/ndarray.md').name == 'chapters/02-preliminaries/ndarray'
    with pytest.raises(LookupError):
        book.resolve('no-such-page')
    with pytest.raises(LookupError):
        book.resolve('index')  # every chapter has one


def test_chapters_hold_only_pages_figures_and_the_bibliography():
    code = [p for p in (paths.root() / 'chapters').rglob('*.py')]
    assert not code, code
