"""The D2L_PROFILE switch: what each profile keeps."""
import pytest
from d2l import profile


@pytest.mark.parametrize('name, epochs, examples', [
    ('full', 10, 60000), ('lite', 3, 8192), ('smoke', 2, 1280)])
def test_caps_of_each_profile(monkeypatch, name, epochs, examples):
    monkeypatch.setenv('D2L_PROFILE', name)
    for var in ('D2L_MAX_EPOCHS', 'D2L_MAX_EXAMPLES'):
        monkeypatch.delenv(var, raising=False)
    assert profile.profile_epochs(10) == epochs
    assert profile.profile_examples(60000) == examples
    assert profile.profile_examples(100) == 100  # never more than there is


def test_default_is_full_and_caps_can_be_overridden(monkeypatch):
    monkeypatch.delenv('D2L_PROFILE', raising=False)
    assert profile.profile() == 'full' and not profile.is_smoke()
    monkeypatch.setenv('D2L_PROFILE', 'lite')
    monkeypatch.setenv('D2L_MAX_EXAMPLES', '500')
    assert profile.profile_examples(60000) == 500
    monkeypatch.setenv('D2L_PROFILE', 'full')
    assert profile.profile_examples(60000) == 60000  # full ignores caps


def test_unknown_profile_is_an_error(monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'fast')
    with pytest.raises(ValueError, match='fast'):
        profile.profile()


def test_smoke_keeps_five_minibatches_at_the_batch_size_asked_for(monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'smoke')
    monkeypatch.delenv('D2L_MAX_EXAMPLES', raising=False)
    for batch_size in (1, 64, 256, 512, 2048):
        kept = profile.profile_examples(60000, batch_size=batch_size)
        assert kept // batch_size >= 5
    assert profile.profile_examples(1000, batch_size=512) == 1000  # never more than there is
    from d2l import mxnet as d2l  # the Fashion-MNIST loader at the book's batch size
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert len(train_iter) >= 5 and len(test_iter) >= 5
    monkeypatch.setenv('D2L_MAX_EXAMPLES', '64')  # a page that asks for less gets less
    assert profile.profile_examples(60000, batch_size=256) == 64


def test_image_size_is_capped_only_in_capped_profiles(monkeypatch):
    monkeypatch.setenv('D2L_MAX_IMAGE_SIZE', '96')
    monkeypatch.setenv('D2L_PROFILE', 'full')
    assert profile.profile_image_size(224) == 224  # a reader's run is never shrunk
    for name in ('lite', 'smoke'):
        monkeypatch.setenv('D2L_PROFILE', name)
        assert profile.profile_image_size(224) == 96
        assert profile.profile_image_size(64) == 64  # never enlarged
        assert profile.profile_image_size(None) is None  # no resize stays none
    monkeypatch.delenv('D2L_MAX_IMAGE_SIZE')
    assert profile.profile_image_size(224) == 224


def test_fashion_mnist_loader_resizes_to_the_capped_size(monkeypatch):
    from d2l import mxnet as d2l
    monkeypatch.setenv('D2L_PROFILE', 'smoke')
    monkeypatch.setenv('D2L_MAX_IMAGE_SIZE', '40')
    train_iter, test_iter = d2l.load_data_fashion_mnist(32, resize=224)
    for loader in (train_iter, test_iter):
        X, _ = next(iter(loader))
        assert X.shape == (32, 1, 40, 40)
