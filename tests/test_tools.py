"""The book's tooling (``python -m tools``), which is not part of the installed package."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import resnotes
from resnotes.records import RECORDS_ENV_VAR, finish_chapter
from tools import __main__ as tools_main
from tools import check_data
from tools.records import save_records

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tools", *args], capture_output=True, text=True, cwd=ROOT)


def test_usage_names_every_command_and_unknown_commands_exit_2() -> None:
    usage = tools_main.usage()
    assert all(name in usage for name in tools_main.COMMANDS)
    for argv in ([], ["no-such-command"]):
        done = _run(*argv)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.strip() == usage
    helped = _run("--help")
    assert helped.returncode == 0 and helped.stdout.strip() == usage


def test_the_package_itself_has_no_commands_and_says_where_they_are() -> None:
    done = subprocess.run([sys.executable, "-m", "resnotes", "student"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 2 and "python -m tools --help" in done.stderr
    assert set(tools_main.COMMANDS) == {"records", "check-data", "student", "plain", "grade", "pdf", "gpu-check",
                                        "i18n"}


def test_every_command_names_a_function_that_exists() -> None:
    import importlib

    for name, target in tools_main.COMMANDS.items():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), name


def test_save_records_merges_sizes_and_replaces_same_chapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    monkeypatch.setenv(RECORDS_ENV_VAR, str(tmp_path / "r"))
    for chapter in ("ch10", "ch3"):
        finish_chapter(chapter, time.perf_counter(), resnotes.chapter_settings("book", {"x": (1, 2, 3)}))
    done = _run("records", str(tmp_path / "r"), "--into", str(tmp_path / "t.json"))
    assert done.returncode == 0 and done.stdout.startswith("book: ch3 0 s, ch10 0 s"), done
    failed = _run("records", str(tmp_path / "none"), "--into", str(tmp_path / "t.json"))
    assert failed.returncode == 1 and "no run records" in failed.stderr


def test_check_data_command(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_data.main([]) == 0
    assert "Fashion-MNIST OK" in capsys.readouterr().out
    assert check_data.main(["extra"]) == 2
    assert "usage: python -m tools check-data" in capsys.readouterr().err


def test_the_installed_package_holds_no_tooling() -> None:
    package = Path(resnotes.__file__).parent
    names = {p.stem for p in package.glob("*.py")}
    assert not names & {"recipe", "gemm_conv", "check_data"}
    assert "def save_records" not in (package / "records.py").read_text()
    assert "def _main" not in (package / "data.py").read_text()
