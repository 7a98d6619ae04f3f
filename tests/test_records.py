"""Run records: what the execution-status page is built from."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch

import resnotes
from resnotes.records import RECORDS_ENV_VAR, finish_chapter, read_records


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


def test_save_records_merges_sizes_and_replaces_same_chapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from resnotes.records import save_records

    out = tmp_path / "times.json"
    for size, folder in (("smoke", "a"), ("book", "b")):
        monkeypatch.setenv(RECORDS_ENV_VAR, str(tmp_path / folder))
        finish_chapter("ch3", time.perf_counter(), resnotes.chapter_settings(size, {"x": (1, 2, 3)}))
    table = save_records([tmp_path / "a", tmp_path / "b"], out)
    assert set(table) == {"smoke", "book"} and set(table["book"]) == {"ch3"}
    assert json.loads(out.read_text())["smoke"]["ch3"]["settings"] == {"x": 1}
    with pytest.raises(ValueError, match="no run records"):
        save_records([tmp_path / "empty"], out)


def test_records_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.setenv(RECORDS_ENV_VAR, str(tmp_path / "r"))
    finish_chapter("ch3", time.perf_counter(), resnotes.chapter_settings("book", {"x": (1, 2, 3)}))
    done = subprocess.run([sys.executable, "-m", "resnotes", "records", str(tmp_path / "r"),
                           "--into", str(tmp_path / "t.json")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("book: ch3"), done
    failed = subprocess.run([sys.executable, "-m", "resnotes", "records", str(tmp_path / "none"),
                             "--into", str(tmp_path / "t.json")], capture_output=True, text=True)
    assert failed.returncode == 1 and "no run records" in failed.stderr
