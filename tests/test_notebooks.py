"""Static checks of the book's sources: table of contents, notebooks, glue, no pasted code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

import resnotes

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [
    "01_residual_learning", "02_function_classes", "03_residual_blocks", "04_identity_add",
    "05_projected_add", "06_scale", "07_cnn_fundamentals",
]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _toc_files(node: object) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            out.append(node["file"])
        for v in node.values():
            out += _toc_files(v)
    elif isinstance(node, list):
        for v in node:
            out += _toc_files(v)
    return out


def test_toc_lists_the_seven_chapters_in_the_source_order() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = _toc_files(toc)
    chapters = [f.split("/", 1)[1] for f in files if f.startswith("chapters/")]
    assert chapters == CHAPTERS
    for f in [toc["root"]] + files:
        assert any((ROOT / f"{f}{ext}").is_file() for ext in (".md", ".ipynb")), f"{f} missing"


def test_at_least_one_chapter_is_a_notebook() -> None:
    assert NOTEBOOKS, "no chapter notebooks found"


def _nb(path: Path) -> dict:
    return json.loads(path.read_text())


def _code(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _src(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_installs_on_colab_from_the_configured_repository(path: Path) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    first = _src(_code(_nb(path))[0])
    assert f'REPO = "{config["repository"]["url"]}"' in first
    assert '"google.colab" in sys.modules' in first and "--no-deps" in first
    assert "torch" not in first.replace("touching Colab's own torch", ""), "the set-up must never install torch"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_with_size(path: Path) -> None:
    cells = [c for c in _code(_nb(path)) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    assert re.match(r"size = None\b", _src(cells[0]))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_clean(path: Path) -> None:
    for i, cell in enumerate(_code(_nb(path))):
        outs = cell.get("outputs", [])
        assert not any(o["output_type"] == "error" for o in outs), f"cell {i} stores an error"
        if outs:
            assert cell.get("execution_count") is not None, f"cell {i}: outputs without execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_name_in_the_text_is_glued_in_code(path: Path) -> None:
    nb = _nb(path)
    used = {m for c in nb["cells"] if c["cell_type"] == "markdown"
            for m in re.findall(r"\{glue:(?:text|any)\}`([A-Za-z0-9_]+)", _src(c))}
    glued = {m for c in _code(nb) for m in re.findall(r'glue\("([A-Za-z0-9_]+)"', _src(c))}
    assert used <= glued, f"used in text but never glued: {sorted(used - glued)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_import_rather_than_paste_package_code(path: Path) -> None:
    exported = set(resnotes.__all__)
    for cell in _code(_nb(path)):
        try:
            tree = ast.parse(_src(cell))
        except SyntaxError:
            continue  # IPython magics
        for node in ast.walk(tree):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                assert node.name not in exported, f"{path.name} redefines resnotes.{node.name}"


def test_bibliography_parses_and_every_cited_key_exists() -> None:
    import pybtex.database

    bib = pybtex.database.parse_file(str(ROOT / "references.bib"))  # raises on a syntax error
    cited: set[str] = set()
    for path in [*NOTEBOOKS, ROOT / "intro.md", *(ROOT / "appendices").glob("*.md")]:
        text = path.read_text()
        for keys in re.findall(r"\{(?:foot)?cite(?::[a-z]+)?\}`([A-Za-z0-9_:, -]+)`", text):
            cited |= {k.strip() for k in keys.split(",")}
    assert cited, "no citations found: the pattern is wrong"
    assert cited <= set(bib.entries), f"cited but not in references.bib: {sorted(cited - set(bib.entries))}"
