"""The D2L_PROFILE switch: what each profile keeps."""
import pytest
from d2l import profile


@pytest.mark.parametrize('name, epochs, examples', [
    ('full', 10, 60000), ('lite', 3, 8192), ('smoke', 2, 1024)])
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
