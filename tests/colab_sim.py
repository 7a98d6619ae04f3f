"""Run a chapter notebook the way Google Colab would, as closely as this machine allows.

Colab ships torch, torchvision and the scientific stack, but not resnotes, d2l
or the book's tooling (myst-nb, jupyter-book). The simulation builds a virtual
environment that holds exactly the distributions listed in ``COLAB_SHIPS`` and
their dependencies (linked from this project's environment, so nothing is
downloaded and torch is not copied), starts a kernel in it, pretends to be
Colab (``google.colab`` in ``sys.modules``), and runs the notebook top to
bottom, first cell included: that cell must install whatever else the chapter
needs. A dependency the first cell forgets fails here, before a reader meets it.

What it cannot simulate: the repository is installed from a wheel built from
this checkout (once per process, in pip's isolated build environment, as pip
builds it from git) instead of GitHub (no network here), Fashion-MNIST comes from
``$RESNOTES_DATA`` instead of a download, and the versions are this project's
pins rather than Colab's of the day.

Usage: ``python tests/colab_sim.py chapters/03_residual_blocks.ipynb`` (smoke size).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "_build" / "colab-venv"
KERNEL = "resnotes-colab-sim"
# What a Colab runtime has preinstalled, among the packages the chapters touch.
COLAB_SHIPS = ["torch", "torchvision", "numpy", "pandas", "scipy", "matplotlib", "pillow",
               "requests", "ipython", "ipykernel", "tqdm", "pyyaml", "setuptools", "wheel"]
COLAB_MARKER = ('import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'
                '  # colab_sim: pretend to be Colab')


def closure(names: list[str]) -> set[str]:
    """The named distributions and everything they require, as installed here."""
    todo, seen = [canonicalize_name(n) for n in names], set[str]()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if name in {"setuptools", "wheel"}:
                continue  # build tools: the venv's own pip brings what it needs
            raise
        seen.add(name)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


_fresh: set[Path] = set()


def build_venv(path: Path = VENV) -> Path:
    """A venv holding only Colab's preinstalled set (linked from this environment); its python.

    Made afresh the first time a process asks, like a new Colab runtime; reused after that.
    """
    python = path / "bin" / "python"
    if path not in _fresh:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
        _fresh.add(path)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    here = Path(sysconfig.get_paths()["purelib"])
    for name in sorted(closure(COLAB_SHIPS)):
        dist = metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            if top.endswith(".pth") or top == "__pycache__":
                continue
            src, dst = here / top, site / top
            if src.exists() and not (dst.exists() or dst.is_symlink()):
                dst.symlink_to(src)
    return python


_wheels: dict[Path, Path] = {}


def resnotes_wheel(python: Path) -> Path:
    """resnotes built from this checkout into a wheel, once per process, as pip builds it from git on
    Colab (in an isolated build environment, from the checkout's pyproject.toml); each notebook's
    first cell then installs that wheel instead of building the same source again."""
    if python not in _wheels:
        folder = Path(tempfile.mkdtemp(prefix="colab-wheel-"))
        subprocess.run([str(python), "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)],
                       check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        (wheel,) = folder.glob("resnotes-*.whl")
        _wheels[python] = wheel
    return _wheels[python]


def _kernelspec(python: Path, folder: Path) -> None:
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab (simulated)", "language": "python"}))


def _colab_notebook(notebook: Path, code_cells: int | None) -> nbformat.NotebookNode:
    """The notebook up to its first ``code_cells`` code cells (all: None), its first code cell
    installing resnotes from the wheel built here instead of GitHub (out of reach)."""
    nb = nbformat.read(notebook, as_version=4)
    if code_cells is not None:
        code_at = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        if code_cells < len(code_at):
            nb.cells = nb.cells[:code_at[code_cells]]
    first = next(c for c in nb.cells if c.cell_type == "code")
    if 'f"resnotes @ git+{REPO}@v{VERSION}"' not in first.source:
        raise ValueError(f"{notebook}: the first code cell does not install resnotes from REPO")
    wheel = resnotes_wheel(build_venv())
    first.source = first.source.replace('f"resnotes @ git+{REPO}@v{VERSION}"', repr(f"resnotes @ {wheel.as_uri()}"))
    return nb


def _execute(nb: nbformat.NotebookNode, size: str, timeout: int, allow_errors: bool = False) -> None:
    """Execute ``nb`` in a kernel of the simulated Colab, in an empty working folder."""
    python = build_venv()
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB_MARKER))
    with tempfile.TemporaryDirectory() as tmp:
        _kernelspec(python, Path(tmp) / "jupyter")
        env_keep = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        env = {**env_keep, "JUPYTER_PATH": str(Path(tmp) / "jupyter"), "RESNOTES_SIZE": size,
               "RESNOTES_PROGRESS": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env.pop("RESNOTES_RUN_RECORDS", None)
        old = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            workdir = Path(tmp) / "content"  # Colab's working folder: no checkout around it
            workdir.mkdir()
            client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, allow_errors=allow_errors,
                                    resources={"metadata": {"path": str(workdir)}})
            client.execute()
        finally:
            os.environ.clear()
            os.environ.update(old)


def run(notebook: Path, size: str = "smoke", timeout: int = 900,
        code_cells: int | None = None) -> nbformat.NotebookNode:
    """Run ``notebook`` in the simulated Colab; returns the executed notebook (raises on any error).

    ``code_cells``: run only the first that many code cells (the set-up, the
    parameters and the imports, say), not the whole chapter.
    """
    nb = _colab_notebook(notebook, code_cells)
    _execute(nb, size, timeout)
    return nb


def run_starts(notebooks: dict[Path, int], size: str = "smoke",
               timeout: int = 900) -> dict[Path, list[nbformat.NotebookNode]]:
    """The first cells of several notebooks (``{notebook: code cells}``) in one simulated-Colab
    kernel, as a reader who opens one chapter after another in the same runtime: ``%reset -f``
    before each (nothing one chapter defines is seen by the next), and a set-up cell that is the
    same as one this kernel already ran is not run again (its installs are there). Returns each
    notebook's executed cells; an error stops nothing but shows in its cell's outputs."""
    nb = nbformat.v4.new_notebook()
    cells: dict[Path, list[nbformat.NotebookNode]] = {}
    ran: set[str] = set()
    for notebook, count in notebooks.items():
        mine = _colab_notebook(notebook, count).cells
        first = next(c for c in mine if c.cell_type == "code")
        if first.source in ran:
            mine = [c for c in mine if c is not first]
        ran.add(first.source)
        cells[notebook] = mine
        nb.cells += [nbformat.v4.new_code_cell("%reset -f"), *mine]
    _execute(nb, size, timeout, allow_errors=True)
    return cells


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        run(Path(arg))
        print(f"{arg}: ran top to bottom in the simulated Colab")
