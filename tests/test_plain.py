"""The plain-Jupyter notebooks (notebooks/en/, tools/plain.py): in sync, no MyST left, same code.

Also: every notebook installs the resnotes release it was written for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import resnotes
from tools import plain
from tools.plain import MYST_DIRECTIVE, MYST_ROLE, ConversionError, Converter, convert_chapter

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PLAIN = ROOT / "notebooks" / "en"
VERSION = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]


def _src(cell: dict[str, Any]) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _markup(nb: dict[str, Any]) -> list[str]:
    """MyST roles and directive fences in a notebook's Markdown cells."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = _src(cell)
            found += [m.group(0) for m in MYST_ROLE.finditer(text)]
            found += [m.group(0).strip() for m in MYST_DIRECTIVE.finditer(text)]
    return found


@pytest.fixture(scope="module")
def fresh() -> dict[str, dict[str, Any]]:
    book = plain.Book.load(ROOT)
    return {p.stem: convert_chapter(p, book) for p in CHAPTERS}


def test_every_chapter_has_a_plain_notebook() -> None:
    assert CHAPTERS
    assert sorted(p.name for p in PLAIN.glob("*.ipynb")) == [p.name for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_plain_notebook_equals_a_fresh_conversion(fresh: dict, path: Path) -> None:
    committed = (PLAIN / path.name).read_text()
    assert committed == plain.dumps(fresh[path.stem]), \
        f"notebooks/en/{path.name} is stale: run `make plain` (make store does it) and commit it"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_markup_left(fresh: dict, path: Path) -> None:
    source = json.loads(path.read_text())
    assert len(_markup(source)) >= 5, "the detector finds the chapter's own markup"
    assert _markup(fresh[path.stem]) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_the_chapters_byte_for_byte(fresh: dict, path: Path) -> None:
    source = json.loads(path.read_text())
    kept = [c for c in source["cells"] if c["cell_type"] == "code"
            and "remove-cell" not in c.get("metadata", {}).get("tags", [])]
    code = [c for c in fresh[path.stem]["cells"] if c["cell_type"] == "code"]
    assert [_src(c) for c in code] == [_src(c) for c in kept]
    assert [c["source"] for c in code] == [c["source"] for c in kept]  # same lines, same JSON
    assert not any("check" in c["metadata"].get("tags", []) for c in code)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glue_role_is_resolved_to_the_stored_value(fresh: dict, path: Path) -> None:
    source = json.loads(path.read_text())
    glue = plain.glue_values(source)
    text = "\n".join(_src(c) for c in fresh[path.stem]["cells"] if c["cell_type"] == "markdown")
    roles = [m for c in source["cells"] if c["cell_type"] == "markdown"
             for m in re.findall(r"\{glue:text\}`([^`]+)`", _src(c))]
    assert roles, "every chapter pastes numbers into its text"
    for role in roles:
        key, _, spec = role.partition(":")
        value = plain.format_glue(glue[key]["text/plain"], spec or "s")
        assert value in text, f"{role} -> {value!r} is not in the plain text"
    assert "{glue" not in text
    assert "book-size run" in text.split("\n\n")[1], "the line under the title says where numbers come from"


def test_chapter3_reads_as_plain_markdown(fresh: dict) -> None:
    cells = fresh["03_residual_blocks"]["cells"]
    text = "\n".join(_src(c) for c in cells if c["cell_type"] == "markdown")
    assert "**Learning objectives**" in text
    assert "### Exercise 3.1" in text and "### Exercise 3.4" in text
    assert "<summary>Solution to Exercise 3.2</summary>" in text
    assert "assemble the 18-layer ResNet of He et al. (2016) from it" in text
    assert "(Ioffe and Szegedy, 2015)" in text
    assert "- Ioffe, S., and Szegedy, C. (2015). *Batch Normalization" in text
    assert "[Three sizes of the same notebook](https://resnotes.github.io/resnotes/intro.html#sec-sizes)" in text
    assert "11,178,378" in text  # ch3_params_d2l, the full-width ResNet-18's parameter count
    assert "by_hand == count_parameters" not in json.dumps(fresh["03_residual_blocks"])  # check cell dropped


def _nb(*cells: dict[str, Any]) -> dict[str, Any]:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


@pytest.mark.parametrize("markdown, message", [
    ("{term}`residual`", "role {term} has no plain-Markdown form"),
    ("```{figure} x.png\n```", "directive {figure} has no plain-Markdown form"),
    ("{glue:text}`nowhere:.2f`", "has no stored glue output"),
    ("{footcite:p}`nobody2020`", "'nobody2020' is not in references.bib"),
    ("{ref}`sec-nowhere`", "unknown label 'sec-nowhere'"),
])
def test_unknown_markup_is_an_error_not_left_raw(tmp_path: Path, markdown: str, message: str) -> None:
    path = tmp_path / "09_t.ipynb"
    path.write_text(json.dumps(_nb(_md("# T\n\n" + markdown))))
    with pytest.raises(ConversionError, match=re.escape(message)):
        convert_chapter(path, plain.Book.load(ROOT))


def test_roles_inside_inline_code_stay_literal() -> None:
    conv = Converter(plain.Book.load(ROOT), "chapters/03_residual_blocks", {"k": {"text/plain": "3.14159"}})
    out = conv.markdown("write ``{glue:text}`k:.2f` `` to get {glue:text}`k:.2f`", "t")
    assert out == "write ``{glue:text}`k:.2f` `` to get 3.14"


def test_format_glue_matches_myst_nb() -> None:
    from myst_nb.core.variables import format_plain_text

    for text, spec in [("0.91234", ".1%"), ("702570", ",d"), ("'Shirt'", "s"), ("3.0", ".0f"), ("12", "")]:
        assert plain.format_glue(text, spec) == format_plain_text(text, spec)


def test_plain_notebooks_and_tools_stay_out_of_the_book_and_the_package() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert {"notebooks", "tools"} <= set(config["exclude_patterns"])
    assert config["html"]["baseurl"] == plain.Book.load(ROOT).base_url
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^packages = \["resnotes"\]$', pyproject, re.M)
    assert not (ROOT / "resnotes" / "student.py").exists()


# -- the set-up cell installs the release the notebook was written for


@pytest.mark.parametrize("path", [*CHAPTERS, *sorted(PLAIN.glob("*.ipynb"))],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_setup_cell_pins_resnotes_to_this_version(path: Path) -> None:
    first = next(_src(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    assert re.search(r'^VERSION = "([^"]+)"', first, re.M).group(1) == VERSION  # type: ignore[union-attr]
    assert 'f"resnotes @ git+{REPO}@v{VERSION}"' in first, "install the tag v<version>, not the main branch"
    ns: dict[str, Any] = {}
    exec(first, ns)  # off Colab it installs nothing; REPO and VERSION are what it would install
    assert f"resnotes @ git+{ns['REPO']}@v{ns['VERSION']}" == \
        f"resnotes @ git+https://github.com/resnotes/resnotes@v{VERSION}"


def test_package_version_is_pyprojects() -> None:
    assert resnotes.__version__ == VERSION


def test_readme_links_every_plain_notebook_on_colab() -> None:
    readme = (ROOT / "README.md").read_text()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    base = f"{config['launch_buttons']['colab_url']}/github/{repo}/blob/{config['repository']['branch']}"
    links = re.findall(r"\((https://colab\.research\.google\.com/[^)]+)\)", readme)
    assert links == [f"{base}/notebooks/en/{p.name}" for p in CHAPTERS]
