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


def test_chapter_settings_picks_a_column_and_is_read_only() -> None:
    cfg = chapter_settings("smoke", {"epochs": (1, 5, 10), "lr": (0.1, 0.1, 0.05)})
    assert cfg.size == "smoke" and cfg.epochs == 1 and cfg["lr"] == 0.1 and dict(cfg) == {"epochs": 1, "lr": 0.1}
    assert chapter_settings("full", {"epochs": (1, 5, 10)}).epochs == 10
    with pytest.raises(AttributeError, match="no setting 'width'"):
        cfg.width
    with pytest.raises(TypeError):
        cfg._values["epochs"] = 3  # type: ignore[index]
    assert "epochs  1" in repr(cfg)


def test_chapter_settings_needs_three_values_per_setting() -> None:
    with pytest.raises(ValueError, match=r"setting 'lr' needs a tuple of 3 values \(smoke, book, full\)"):
        chapter_settings("book", {"epochs": (1, 5, 10), "lr": (0.1, 0.05)})
