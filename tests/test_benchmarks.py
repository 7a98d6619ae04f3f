"""The benchmark commands run end to end (tiny settings, nothing written)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402
import scaling  # noqa: E402
import time_to_accuracy  # noqa: E402
import vs_d2l  # noqa: E402


@pytest.mark.filterwarnings("ignore::UserWarning")  # d2l's 4 loader workers on 2 cores, its plots
def test_vs_d2l_runs_both_paths(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    # d2l's train_ch6 needs at least 5 batches per epoch
    assert vs_d2l.main(["--device", "cpu", "--epochs", "1", "--train-size", "512",
                        "--test-size", "256", "--batch-size", "64", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "d2l " in out and "resnotes " in out and "x faster than d2l" in out


def test_time_to_accuracy_runs(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    assert time_to_accuracy.main(["--device", "cpu", "--epochs", "1", "--width", "4",
                                  "--train-size", "512", "--only-recipe", "--no-save"]) == 0
    assert "recipe" in capsys.readouterr().out


def test_scaling_runs(fashion, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(scaling, "DEPTHS", {"ResNet-18": [1, 1, 1, 1]})
    assert scaling.main(["--device", "cpu", "--width", "4", "--steps", "2", "--no-save"]) == 0
    assert "ResNet-18" in capsys.readouterr().out


def test_time_to_threshold() -> None:
    import resnotes

    h = resnotes.History(test_acc=[0.85, 0.91, 0.93], seconds=[10.0, 20.0, 30.0])
    assert time_to_accuracy.time_to(h, 0.90) == 20.0
    assert time_to_accuracy.time_to(h, 0.95) is None


def test_peak_memory_sees_an_allocation() -> None:
    import torch

    mem = common.PeakMemory(torch.device("cpu"))
    with mem.measure():
        block = bytearray(200 * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        import time

        time.sleep(0.1)
    assert mem.peak_bytes > 150 * 2**20


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "benchmarks" / "results").glob("*.json")
                                       if not p.name.startswith("chapter-times-")),
                         ids=lambda p: p.name)
def test_stored_results_say_where_they_were_measured(path: Path) -> None:
    result = json.loads(path.read_text())
    env = result["environment"]
    assert {"torch", "cpu", "cpu_count", "date"} <= set(env)
    assert result["benchmark"] == path.stem.split("-", 1)[0]


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks" / "results").glob("chapter-times-*.json")),
                         ids=lambda p: p.name)
def test_stored_chapter_times_are_run_records(path: Path) -> None:
    """Written by `python -m resnotes records`: size -> chapter -> one chapter's run record."""
    table = json.loads(path.read_text())
    assert set(table) <= {"smoke", "book", "full"} and table
    for size, chapters in table.items():
        for chapter, record in chapters.items():
            assert record["size"] == size and record["chapter"] == chapter
            assert record["seconds"] > 0 and {"device", "cpu", "cpu_count", "torch"} <= set(record)
