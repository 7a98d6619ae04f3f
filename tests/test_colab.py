"""The notebooks Colab opens (notebooks/en) run in a simulated Colab (see tests/colab_sim.py).

One chapter runs top to bottom there. The others run their set-up (one cell, the
same in every chapter), parameters and imports there, one after another in one
kernel, as a reader who opens chapter after chapter in one Colab runtime
(``%reset -f`` between them); they run top to bottom in nbval, with the same
code, so running each of them a third time here would buy little for its
minutes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from colab_sim import COLAB_SHIPS, build_venv, closure, run, run_starts

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks" / "en").glob("*.ipynb"))
WHOLE = "01_residual_learning"  # run top to bottom


def test_colab_opens_one_plain_notebook_per_chapter() -> None:
    assert [p.stem for p in NOTEBOOKS] == sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))


def test_the_simulated_colab_lacks_what_colab_lacks() -> None:
    python = build_venv()
    probe = ("import importlib.util as u; "
             "print(*[n for n in ('torch', 'torchvision', 'pandas', 'matplotlib', 'IPython', "
             "'resnotes', 'd2l', 'myst_nb', 'jupyter_book', 'nbval') if u.find_spec(n)])")
    found = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True,
                           cwd="/").stdout.split()
    assert {"torch", "torchvision", "pandas", "matplotlib", "IPython"} <= set(found)
    assert not {"myst_nb", "jupyter_book", "nbval", "resnotes", "d2l"} & set(found), found
    assert "torch" in closure(COLAB_SHIPS)


def _through_imports(path: Path) -> int | None:
    """How many code cells to run: all for WHOLE, else up to the imports after `parameters`."""
    if path.stem == WHOLE:
        return None
    import nbformat

    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    params = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    return params + 2


@pytest.fixture(scope="module")
def starts() -> dict[Path, list]:
    """Every chapter but WHOLE through its imports, in one simulated-Colab kernel (run_starts)."""
    return run_starts({p: _through_imports(p) for p in NOTEBOOKS if p.stem != WHOLE})


def test_every_chapter_has_the_same_set_up_cell() -> None:
    """What lets run_starts run the set-up once for all: one set-up cell, byte for byte."""
    import nbformat

    firsts = {next(c for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code").source
              for p in NOTEBOOKS}
    assert len(firsts) == 1


def _errors(cells: list) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_runs_on_simulated_colab(path: Path, starts: dict[Path, list]) -> None:
    if path.stem == WHOLE:
        cells = run(path).cells
        first = next(c for c in cells[1:] if c.cell_type == "code")
        assert "google.colab" in cells[0].source and "pip" in first.source
    else:
        cells = starts[path]
    assert not _errors(cells), _errors(cells)
    ran = [c for c in cells if c.cell_type == "code"]
    assert ran and all(c.get("execution_count") for c in ran), f"{path.stem}: cells that did not run"
