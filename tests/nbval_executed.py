"""nbval's executions of the chapters, reused by the smoke book build.

`make test` runs every chapter at smoke size in nbval and then builds the book at
smoke size. When $RESNOTES_NBVAL_BUILD names that build's folder (the one that holds
its .jupyter_cache and run-records), each chapter that nbval ran through without an
error or a skipped cell is stored in the jupyter-cache with the outputs nbval's
kernel gave, and its kernel writes the chapter's run record where the build reads
them; so the build shows these outputs instead of running the chapter a second
time (jupyter-cache matches a notebook by its code, as after any run). A chapter
with a failed or skipped cell is not stored: the build runs it.

Used by the root ``conftest.py`` for every pytest run; it does nothing unless
$RESNOTES_NBVAL_BUILD is set (``make test`` sets it).
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest

NBVAL_BUILD_ENV = "RESNOTES_NBVAL_BUILD"
RECORDS_ENV = "RESNOTES_RUN_RECORDS"  # resnotes.records.RECORDS_ENV_VAR (not imported: no torch here)
_runs: dict[str, dict] = {}  # notebook path -> {"file": collector, "cells": {n: outputs}, "ok": bool}


def _nbval_cell(item) -> bool:  # type: ignore[no-untyped-def]
    return bool(os.environ.get(NBVAL_BUILD_ENV)) and type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):  # type: ignore[no-untyped-def]
    """The chapter's kernel (started in its first cell's set-up) writes its run record for the build;
    no other test's process gets the variable."""
    if not _nbval_cell(item) or item.parent.kernel is not None:
        yield
        return
    records = Path(os.environ[NBVAL_BUILD_ENV]).resolve() / "run-records"
    records.mkdir(parents=True, exist_ok=True)
    old = os.environ.get(RECORDS_ENV)
    os.environ[RECORDS_ENV] = str(records)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(RECORDS_ENV, None)
        else:
            os.environ[RECORDS_ENV] = old


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    if not _nbval_cell(item):
        return
    report = outcome.get_result()
    run = _runs.setdefault(str(item.parent.fspath), {"file": item.parent, "cells": {}, "ok": True,
                                                       "start": time.perf_counter()})
    if not report.passed:
        run["ok"] = False
    elif call.when == "call":
        run["cells"][item.cell_num] = item.test_outputs
        run["end"] = time.perf_counter()


def _executed(nb_file, outputs: dict[int, list]):  # type: ignore[no-untyped-def]
    """The notebook nbval read, with the outputs its kernel gave (None if a code cell lacks them)."""
    nb = copy.deepcopy(nb_file.nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if sorted(outputs) != list(range(len(code))):
        return None
    for n, cell in enumerate(code):
        cell.outputs = copy.deepcopy(outputs[n])
        cell.execution_count = n + 1
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = n + 1
        cell.metadata.pop("execution", None)
    return nb


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]
    if not os.environ.get(NBVAL_BUILD_ENV):
        return
    folder = Path(os.environ[NBVAL_BUILD_ENV]) / ".jupyter_cache"
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    for path, run in _runs.items():
        nb = _executed(run["file"], run["cells"]) if run["ok"] else None
        if nb is None:
            continue
        seconds = run.get("end", run["start"]) - run["start"]
        # two xdist workers may finish together: jupyter-cache's SQLite serialises the writes
        for attempt in range(5):
            try:
                get_cache(folder).cache_notebook_bundle(
                    CacheBundleIn(nb, path, data={"execution_seconds": seconds, "executed_by": "nbval"}),
                    check_validity=False, overwrite=True)
                break
            except Exception:  # sqlite3.OperationalError: database is locked
                if attempt == 4:
                    raise
                time.sleep(1 + attempt)
