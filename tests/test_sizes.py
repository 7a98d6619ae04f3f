from __future__ import annotations

import pytest

from resnotes import chapter_settings, resolve_size


def test_argument_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESNOTES_SIZE", "smoke")
    assert resolve_size("full") == "full"
    assert resolve_size(None) == "smoke"


def test_default_is_book(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESNOTES_SIZE", raising=False)
    assert resolve_size() == "book"


def test_unknown_size_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESNOTES_SIZE", "huge")
    with pytest.raises(ValueError, match=r"unknown size 'huge' \(from \$RESNOTES_SIZE\); choose one of smoke, book, full"):
        resolve_size()


def test_chapter_settings_picks_and_is_read_only() -> None:
    cfg = chapter_settings("smoke", smoke=dict(epochs=1), book=dict(epochs=5), full=dict(epochs=10))
    assert cfg.size == "smoke" and cfg.epochs == 1 and cfg["epochs"] == 1 and dict(cfg) == {"epochs": 1}
    with pytest.raises(AttributeError, match="no setting 'lr'"):
        cfg.lr
    with pytest.raises(TypeError):
        cfg._values["epochs"] = 3  # type: ignore[index]


def test_chapter_settings_keys_must_agree() -> None:
    with pytest.raises(ValueError, match=r"smoke settings differ .* \['lr'\]"):
        chapter_settings("book", smoke=dict(epochs=1), book=dict(epochs=5, lr=0.1), full=dict(epochs=10, lr=0.1))
