"""What ran, at which size, for how long, on what hardware: one record per chapter.

Every chapter ends with :func:`finish_chapter`. It glues the chapter's run time
for the text and, when the environment variable ``RESNOTES_RUN_RECORDS`` names
a folder (the book build sets it), writes a JSON record there that the
execution-status page of the book renders. Elsewhere (Colab, a reader's
Jupyter) it writes nothing.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import time
from pathlib import Path
from typing import Any, Mapping

import torch

from .device import describe_device
from .display import glue
from .sizes import resolve_size

__all__ = ["RECORDS_ENV_VAR", "cpu_name", "finish_chapter", "read_records", "save_records"]

RECORDS_ENV_VAR = "RESNOTES_RUN_RECORDS"


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else ``platform.processor()``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def finish_chapter(chapter: str, start: float, settings: Mapping[str, Any] | None = None,
                   device: torch.device | None = None) -> None:
    """Close a chapter: glue ``{chapter}_chapter_seconds``, print it, write a run record.

    Args:
        chapter: the chapter's short name, e.g. ``"ch3"`` (also the glue prefix).
        start: ``time.perf_counter()`` taken at the top of the chapter.
        settings: the chapter's :func:`~resnotes.chapter_settings` (gives the size).
        device: where the chapter trained; default: the CPU.

    Returns nothing, so that the chapter's last cell shows only the printed line
    (the run time is in the glued value and the record).
    """
    if not chapter or not chapter.isidentifier():
        raise ValueError(f"chapter must be a short identifier such as 'ch3', got {chapter!r}")
    seconds = time.perf_counter() - start
    if seconds < 0:
        raise ValueError("start lies in the future: pass the time.perf_counter() taken at the top")
    size = getattr(settings, "size", None) or resolve_size(None)
    dev = device if device is not None else torch.device("cpu")
    glue(f"{chapter}_chapter_seconds", seconds)
    print(f"this chapter ran in {seconds:.0f} s at size {size!r} on {describe_device(dev)}")
    folder = os.environ.get(RECORDS_ENV_VAR)
    if folder:
        record = {
            "chapter": chapter,
            "size": size,
            "seconds": round(seconds, 2),
            "device": describe_device(dev),
            "cpu": cpu_name(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "settings": {k: v for k, v in (settings or {}).items()
                         if isinstance(v, (int, float, str, bool, type(None)))},
        }
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        (path / f"{chapter}.json").write_text(json.dumps(record, indent=1) + "\n")


def read_records(folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All run records in ``folder``, sorted by chapter (empty when the folder does not exist)."""
    path = Path(folder)
    if not path.is_dir():
        return []
    records = [json.loads(p.read_text()) for p in sorted(path.glob("*.json"))]
    return sorted(records, key=lambda r: (len(r["chapter"]), r["chapter"]))


def save_records(folders: list[str | os.PathLike[str]], into: str | os.PathLike[str]) -> dict[str, Any]:
    """Merge the run records of one or more builds into a committed JSON file.

    The file maps ``size -> chapter -> record``; a new record replaces the old
    one of the same size and chapter, others are kept, so a smoke build and a
    book build (and, on a GPU, a full build) add up to one table.
    """
    path = Path(into)
    table: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    found = 0
    for folder in folders:
        for record in read_records(folder):
            table.setdefault(record["size"], {})[record["chapter"]] = record
            found += 1
    if not found:
        raise ValueError(f"no run records in {', '.join(map(str, folders))}: build the book first "
                         "(the build writes them into <build>/_build/run-records)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return table


def _main(argv: list[str]) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m resnotes records",
                                     description="Merge chapters' run records into a JSON file.")
    parser.add_argument("folders", nargs="+", help="run-records folders, e.g. _build/run-records")
    parser.add_argument("--into", required=True, help="the JSON file to update")
    args = parser.parse_args(argv)
    try:
        table = save_records(args.folders, args.into)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for size, chapters in table.items():
        print(f"{size}: " + ", ".join(f"{c} {r['seconds']:.0f} s" for c, r in sorted(chapters.items())))
    return 0
