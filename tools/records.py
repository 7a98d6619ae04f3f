"""``python -m tools records FOLDER... --into FILE``: keep the chapters' run times.

Each book build leaves one run record per chapter in ``<build>/_build/run-records``
(written by :func:`resnotes.finish_chapter`; the format is defined in
:mod:`resnotes.records`). This command merges the records of one or more builds
into a committed JSON file, ``size -> chapter -> record``, which the
instructors' appendix renders.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from resnotes.records import read_records, record_order

__all__ = ["main", "save_records"]


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools records",
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
        in_order = sorted(chapters.values(), key=record_order)
        print(f"{size}: " + ", ".join(f"{r['chapter']} {r['seconds']:.0f} s" for r in in_order))
    return 0
