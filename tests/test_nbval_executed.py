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


def _nbval(build: Path, *paths: Path) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
               RESNOTES_NBVAL_BUILD=str(build))
    env.pop("RESNOTES_RUN_RECORDS", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbval_executed",
            "--nbval", *map(str, paths), "--rootdir", str(paths[0].parent)]
    return subprocess.run(args, cwd=paths[0].parent, env=env, capture_output=True, text=True,
                          timeout=300).returncode


def test_nbval_keeps_the_notebooks_it_ran_through_and_leaves_the_others_to_the_build(tmp_path: Path) -> None:
    build = tmp_path / "build"
    good = _notebook(tmp_path / "good.ipynb",
                     "import os\nprint('records in', os.environ['RESNOTES_RUN_RECORDS'])",
                     "from IPython.display import display, Markdown\n"
                     "display(Markdown('**shown**'), metadata={'scrapbook': {'name': 'x'}})\n6 * 7")
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('no')", "print(x)")
    assert _nbval(build, good, bad) != 0  # one session, as make test's: bad.ipynb fails
    cache = get_cache(str(build / ".jupyter_cache"))
    assert len(cache.list_cache_records()) == 1, "only the notebook that ran through is kept"
    record = cache.match_cache_notebook(nbformat.read(good, as_version=4))  # as the build matches it
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


def test_without_the_variable_nothing_is_kept(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "good.ipynb", "print(1)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    env.pop("RESNOTES_NBVAL_BUILD", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbval_executed",
            "--nbval", str(path), "--rootdir", str(tmp_path)]
    assert subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, timeout=300).returncode == 0
    assert not any(tmp_path.rglob(".jupyter_cache"))
