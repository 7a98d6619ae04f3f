"""Run records: what the execution-status page is built from."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import torch

import resnotes
from resnotes.records import RECORDS_ENV_VAR, finish_chapter, read_records

ROOT = Path(__file__).resolve().parent.parent


def test_finish_chapter_writes_a_record_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = resnotes.chapter_settings("smoke", {"epochs": (1, 5, 10), "resize": (None, None, 96)})
    monkeypatch.delenv(RECORDS_ENV_VAR, raising=False)
    start = time.perf_counter() - 2.0
    assert finish_chapter("ch9", start, cfg, torch.device("cpu")) is None  # the last cell shows no bare float
    printed = capsys.readouterr().out
    assert "at size 'smoke'" in printed
    assert 2 <= int(printed.split("ran in ")[1].split(" s")[0]) < 60
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv(RECORDS_ENV_VAR, str(tmp_path / "records"))
    finish_chapter("ch9", start, cfg)
    finish_chapter("ch10", start, cfg)
    record = json.loads((tmp_path / "records" / "ch9.json").read_text())
    assert record["size"] == "smoke" and record["settings"] == {"epochs": 1, "resize": None}
    assert record["torch"] == torch.__version__ and record["seconds"] >= 2.0
    assert [r["chapter"] for r in read_records(tmp_path / "records")] == ["ch9", "ch10"]


def test_finish_chapter_rejects_bad_names_and_times() -> None:
    with pytest.raises(ValueError, match="short identifier"):
        finish_chapter("chapter 3", time.perf_counter())
    with pytest.raises(ValueError, match="future"):
        finish_chapter("ch3", time.perf_counter() + 100)


def test_read_records_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert read_records(tmp_path / "nothing") == []


def test_a_plain_book_build_turns_progress_bars_off_before_any_notebook_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a built page a progress bar is a widget that loads require.js from a CDN. `make test`'s
    smoke build shows the chapters as nbval ran them (RESNOTES_PROGRESS=0), so this is what
    checks that a `jupyter-book build .` without that variable (which runs the chapters
    itself) gets none either: the run_records extension sets it when the builder starts."""
    import importlib.util
    import types

    spec = importlib.util.spec_from_file_location("run_records", ROOT / "_ext" / "run_records.py")
    assert spec and spec.loader
    ext = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ext)
    app = types.SimpleNamespace(outdir=str(tmp_path / "_build" / "html"),
                                config=types.SimpleNamespace(resnotes_run_records=""))
    monkeypatch.delenv("RESNOTES_PROGRESS", raising=False)
    monkeypatch.delenv(RECORDS_ENV_VAR, raising=False)
    ext._set_env(app)
    assert os.environ["RESNOTES_PROGRESS"] == "0"
    assert os.environ[RECORDS_ENV_VAR] == str(tmp_path / "_build" / "run-records")
    monkeypatch.setenv("RESNOTES_PROGRESS", "1")  # a reader who asks for bars gets them
    ext._set_env(app)
    assert os.environ["RESNOTES_PROGRESS"] == "1"
