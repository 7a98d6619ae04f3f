"""nbval's runs of the chapters reach the smoke build's jupyter-cache (tests/nbval_executed.py).

``make test`` builds the smoke site from the outputs nbval's kernels gave, so what
the site shows is what nbval compared, and no chapter runs twice. These tests run
nbval on small notebooks and look in the cache the build would read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache

TESTS = Path(__file__).resolve().parent


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for source in sources:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = ["nbval-ignore-output"]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def _nbval(path: Path, build: Path) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
               RESNOTES_NBVAL_BUILD=str(build))
    env.pop("RESNOTES_RUN_RECORDS", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbval_executed",
            "--nbval", str(path), "--rootdir", str(path.parent)]
    return subprocess.run(args, cwd=path.parent, env=env, capture_output=True, text=True,
                          timeout=300).returncode


def test_a_notebook_nbval_ran_is_in_the_cache_with_its_outputs(tmp_path: Path) -> None:
    build = tmp_path / "build"
    path = _notebook(tmp_path / "good.ipynb",
                     "import os\nprint('records in', os.environ['RESNOTES_RUN_RECORDS'])",
                     "from IPython.display import display, Markdown\n"
                     "display(Markdown('**shown**'), metadata={'scrapbook': {'name': 'x'}})\n6 * 7")
    assert _nbval(path, build) == 0
    cache = get_cache(str(build / ".jupyter_cache"))
    record = cache.match_cache_notebook(nbformat.read(path, as_version=4))  # as the build matches it
    cached = cache.get_cache_bundle(record.pk).nb
    first, second = [c for c in cached.cells if c.cell_type == "code"]
    # the kernel's run record goes where the build's run_records extension reads them
    assert first.outputs[0]["text"] == f"records in {(build / 'run-records').resolve()}\n"
    assert [o["output_type"] for o in second.outputs] == ["display_data", "execute_result"]
    assert second.outputs[0]["data"]["text/markdown"] == "**shown**"
    assert second.outputs[0]["metadata"] == {"scrapbook": {"name": "x"}}  # what myst-nb's glue reads
    assert second.outputs[1]["data"]["text/plain"] == "42"
    assert [c.execution_count for c in (first, second)] == [1, 2]
    nbformat.validate(cached)


def test_a_notebook_with_a_failing_cell_is_left_for_the_build_to_run(tmp_path: Path) -> None:
    build = tmp_path / "build"
    path = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('no')", "print(x)")
    assert _nbval(path, build) != 0
    cache = get_cache(str(build / ".jupyter_cache"))
    assert not cache.list_cache_records()


def test_without_the_variable_nothing_is_kept(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "good.ipynb", "print(1)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    env.pop("RESNOTES_NBVAL_BUILD", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbval_executed",
            "--nbval", str(path), "--rootdir", str(tmp_path)]
    assert subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, timeout=300).returncode == 0
    assert not any(tmp_path.rglob(".jupyter_cache"))
