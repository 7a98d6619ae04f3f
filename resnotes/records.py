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

from .claims import chapter_claims
from .device import describe_device
from .display import glue
from .sizes import resolve_size

__all__ = ["RECORDS_ENV_VAR", "cpu_name", "finish_chapter", "read_records", "record_order"]

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

    The record also holds the chapter's checked claims (:func:`resnotes.claim`),
    from which the book's claims ledger is built.

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
            "claims": [c.record() for c in chapter_claims(chapter)],
        }
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        (path / f"{chapter}.json").write_text(json.dumps(record, indent=1) + "\n")


def record_order(record: Mapping[str, Any]) -> tuple[int, str]:
    """Sort key of run records: by chapter number (``ch2`` before ``ch10``)."""
    return len(record["chapter"]), record["chapter"]


def read_records(folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All run records in ``folder``, sorted by chapter (empty when the folder does not exist).

    Readers of the records (the book's execution-status page, the tools that
    keep run times) use this, so the format has one definition: this module.
    """
    path = Path(folder)
    if not path.is_dir():
        return []
    records = [json.loads(p.read_text()) for p in sorted(path.glob("*.json"))]
    return sorted(records, key=record_order)
