"""Each chapter runs top to bottom in a simulated Colab (see tests/colab_sim.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from colab_sim import COLAB_SHIPS, build_venv, closure, run

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_runs_on_simulated_colab(path: Path) -> None:
    nb = run(path)
    first = next(c for c in nb.cells[1:] if c.cell_type == "code")
    assert "google.colab" in nb.cells[0].source and "pip" in first.source
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
