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
    "05_projected_add", "06_scale", "07_cnn_fundamentals", "08_cnn_design",
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


def test_toc_lists_the_eight_chapters_in_the_source_order() -> None:
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


# An absolute path of some machine (POSIX roots where builds and homes live, or a Windows drive).
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~])(?:/(?:home|root|work|tmp|usr|opt|var|mnt|srv|Users|private|"
                           r"content|scratch|data)/[^\s'\"<>]*|[A-Za-z]:\\\\[^\s'\"<>]+)")
# Words that describe the machine or session a run happened on, not the book.
MACHINE_NOTES = re.compile(r"\b(?:worktree|wt-\w+|contended|contention|EPYC|Xeon|parallel sessions)\b",
                           re.IGNORECASE)


def _output_texts(cell: dict) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
        for mime, value in out.get("data", {}).items():
            if not mime.startswith("image/"):
                texts.append("".join(value) if isinstance(value, list) else json.dumps(value))
    return texts


def test_the_path_and_machine_detectors_find_what_they_look_for() -> None:
    assert ABSOLUTE_PATH.search("source='/work/wt-ch12/../shared/data/fashion-mnist'")
    assert ABSOLUTE_PATH.search("C:\\\\Users\\\\me\\\\data")
    assert not ABSOLUTE_PATH.search("see https://example.org/home/x and chapters/03.ipynb")
    assert MACHINE_NOTES.search("stored while four sessions shared the cores (contended)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_name_no_machine(path: Path) -> None:
    """What GitHub, Colab and the book show must not reveal the machine the outputs came from."""
    for i, cell in enumerate(_nb(path)["cells"]):
        for text in _output_texts(cell):
            found = ABSOLUTE_PATH.search(text)
            assert not found, f"cell {i} output shows an absolute path: {found.group(0)!r}"
            note = MACHINE_NOTES.search(text)
            assert not note, f"cell {i} output speaks of the machine: {note.group(0)!r}"
        if cell["cell_type"] == "markdown":
            note = MACHINE_NOTES.search(_src(cell))
            assert not note, f"cell {i} prose speaks of the machine: {note.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_name_in_the_text_is_glued_in_code(path: Path) -> None:
    nb = _nb(path)
    used = {m for c in nb["cells"] if c["cell_type"] == "markdown"
            for m in re.findall(r"\{glue:(?:text|any)\}`([A-Za-z0-9_]+)", _src(c))}
    # resnotes.claim("key", ...) glues its verdict under its key
    glued = {m for c in _code(nb) for m in re.findall(r'(?:glue|claim)\(\s*"([A-Za-z0-9_]+)"', _src(c))}
    assert used <= glued, f"used in text but never glued: {sorted(used - glued)}"


#: Chapters that train but compare no arms (one run, described as one seed).
TRAINS_NO_COMPARISON = {"03_residual_blocks"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_trained_comparisons_run_over_seeds_and_check_their_claims(path: Path) -> None:
    """Issue 13: every trained comparison runs >= 3 seeds at book size and >= 5 at full size,
    and a chapter that compares over seeds states its conclusions as claims."""
    code = "\n".join(_src(c) for c in _code(_nb(path)))
    trains = re.search(r"\bfit\(", code) is not None
    compares = "over_seeds(" in code
    if trains and path.stem not in TRAINS_NO_COMPARISON:
        assert compares, f"{path.stem} trains but runs no arm over seeds (resnotes.over_seeds)"
    if compares:
        m = re.search(r'"seeds":\s*\((\d+),\s*(\d+),\s*(\d+)\)', code)
        assert m, f'{path.stem}: no "seeds": (smoke, book, full) in the settings table'
        smoke, book, full = map(int, m.groups())
        assert smoke >= 1 and book >= 3 and full >= 5, (smoke, book, full)
        assert re.search(r"\bclaim\(", code), f"{path.stem} compares over seeds but checks no claim"


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
