"""make student: no solution leaks, otter checks that pass/fail as they should, clear errors.

Builds the student version of every chapter notebook once (otter assign, in a
temporary folder) and renders each student notebook to HTML with nbconvert's
HTML exporter (what ``jupyter nbconvert --to html`` writes), the "student HTML
build" the leak test reads.
"""

from __future__ import annotations

import ast
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from tools import student
from tools.plain import MYST_DIRECTIVE, MYST_ROLE
from tools.student import StudentError, cell_names, parse_chapter, slice_cells

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
MIN_LINE = 15  # shorter lines (``)``, ``print(x)``) say nothing about a solution

# A realistic mistake per chapter-3 exercise (applied after the solution's code);
# every checkable exercise is also tried with its answer variables set to None.
WRONG = {"ex-ch3-count": "by_hand -= 128  # forgot the projection's bias",
         "ex-ch3-bottleneck": "by_hand_bottleneck -= 512 * 1024  # forgot the projection",
         "ex-ch3-width": "params = params[::-1]"}


def _src(cell: dict[str, Any]) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _strings(node: object) -> list[str]:
    """Every string anywhere in a notebook's JSON: sources, outputs, metadata."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _norm(text: str) -> str:
    """Markdown's inline markup (code, emphasis, math) gone and spaces collapsed, as HTML shows prose."""
    return re.sub(r"\s+", " ", re.sub(r"[`*$\\]", "", text))


def _html_texts(nb_path: Path) -> str:
    html, _ = HTMLExporter().from_filename(str(nb_path))
    # get_text joins the spans pygments splits code into; keep the raw page too,
    # and the text without markup, where a line of Markdown prose lands
    text = BeautifulSoup(html, "html.parser").get_text()
    return text + "\n" + html + "\n" + _norm(text)


def _in_html(line: str, html: str) -> bool:
    return line in html or _norm(line).strip() in html


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("student")
    result = {}
    for path, stu in zip(NOTEBOOKS, student.build_students(NOTEBOOKS, out)):  # as make student does
        nb = json.loads(path.read_text())
        result[path.stem] = {"source": nb, "path": path, "chapter": parse_chapter(nb, path.stem),
                             "student": stu, "student_nb": json.loads(stu.read_text())}
    return result


def _leak_lines(chapter: student.Chapter) -> list[str]:
    visible = "\n".join(ln.strip() for ln in chapter.visible_lines())
    lines = {ln.strip() for ex in chapter.exercises.values() for ln in ex.solution_lines()}
    return sorted(ln for ln in lines if len(ln) >= MIN_LINE and ln not in visible)


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_no_solution_or_check_text_in_student_notebook_or_its_html(built: dict, name: str) -> None:
    b = built[name]
    lines = _leak_lines(b["chapter"])
    if b["chapter"].exercises:
        assert len(lines) >= 5, "too few solution lines to test anything"
    # The detector finds the lines where they are: in the source notebook and its HTML.
    source_text = "\n".join(_strings(b["source"]))
    source_html = _html_texts(b["path"])
    for ln in lines:
        assert ln in source_text and _in_html(ln, source_html), f"detector misses {ln!r}"
    student_text = "\n".join(_strings(b["student_nb"]))
    student_html = _html_texts(b["student"])
    leaked = [ln for ln in lines if ln in student_text or _in_html(ln, student_html)]
    assert not leaked, f"solution text in the student version of {name}: {leaked}"
    assert not any("check" in c.get("metadata", {}).get("tags", []) for c in b["student_nb"]["cells"])


def test_chapter3_leak_lines_cover_prose_code_outputs_and_checks(built: dict) -> None:
    lines = _leak_lines(built["03_residual_blocks"]["chapter"])
    for expected in ["A projection is needed exactly when a block's output cannot be added to its",
                     "+ (64 * 128 + 128)           # conv3, the 1x1 projection",
                     "+ 9 * 256 * 256      # 3x3 at the inner width",
                     "width 16:    702,570 parameters  (3.97x)",
                     "assert by_hand == count_parameters(Residual(64, 128, use_1x1conv=True, stride=2))"]:
        assert expected in lines


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_student_notebook_layout(built: dict, name: str) -> None:
    b = built[name]
    cells = b["student_nb"]["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    source_code = [c for c in b["source"]["cells"] if c["cell_type"] == "code"]
    # starts with the chapter's own Colab set-up cell, which also installs otter on Colab
    first = _src(code[0])
    assert first.startswith(_src(source_code[0]))
    colab = first.split('if "google.colab" in sys.modules:')[2]
    assert f'"otter-grader=={student.version("otter-grader")}"' in colab
    assert "otter.Notebook(" in _src(code[1])
    markdown = "\n".join(_src(c) for c in cells if c["cell_type"] == "markdown")
    # plain Markdown only: no MyST role or directive reaches a student (tools/plain.py)
    assert not MYST_ROLE.search(markdown) and not MYST_DIRECTIVE.search(markdown), \
        (MYST_ROLE.findall(markdown), MYST_DIRECTIVE.findall(markdown))
    assert "book-size run" in markdown
    number = int(name[:2])
    for ex in b["chapter"].exercises.values():
        assert f"### Exercise {number}.{ex.number}" in markdown
        assert sum(c.get("metadata", {}).get("resnotes", {}).get("answer") == ex.label
                   for c in cells) == 1, f"{ex.label}: one answer cell"
    # it ends with otter's export cell, after a line that says what to hand in
    assert "grader.export(" in _src(code[-1])
    assert "Hand in that zip file" in _src(cells[cells.index(code[-1]) - 1])


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_each_checkable_exercise_has_grader_check_and_autograder_test(built: dict, name: str) -> None:
    b = built[name]
    cells = b["student_nb"]["cells"]
    zips = list((b["student"].parents[1] / "autograder").glob("*.zip"))
    assert len(zips) == 1
    archive = zipfile.ZipFile(zips[0])
    zipped = archive.namelist()
    for ex in b["chapter"].exercises.values():
        check = f'grader.check("{ex.label}")'
        has_check = any(_src(c).strip() == check for c in cells if c["cell_type"] == "code")
        test_file = b["student"].parent / "tests" / f"{ex.label}.py"
        assert has_check == ex.checkable == test_file.is_file(), ex.label
        assert (f"tests/{ex.label}.py" in zipped) == ex.checkable
        if not ex.checkable:
            continue
        # students see one public case, worth nothing, that holds no line of the check cell
        ns: dict[str, Any] = {}
        exec(test_file.read_text(), ns)
        (public,) = ns["test"]["suites"][0]["cases"]
        assert not public["hidden"] and ns["test"]["points"] == [0]
        check_lines = [ln.strip() for ln in _src(ex.check).splitlines() if len(ln.strip()) > 8]
        assert not any(ln in test_file.read_text() for ln in check_lines), ex.label
        # the autograder adds the hidden case: the chapter's check cell, worth the point
        ns = {}
        exec(archive.read(f"tests/{ex.label}.py").decode(), ns)
        cases = ns["test"]["suites"][0]["cases"]
        assert ns["test"]["points"] == [0, 1] and [c["hidden"] for c in cases] == [False, True]
        doctest = "\n".join(ln[4:] for ln in cases[1]["code"].splitlines() if ln[:4] in (">>> ", "... "))
        assert ast.dump(ast.parse(doctest)) == ast.dump(ast.parse(_src(ex.check)))
    if name == "03_residual_blocks":
        assert [e.label for e in b["chapter"].exercises.values() if e.checkable] == \
            ["ex-ch3-count", "ex-ch3-bottleneck", "ex-ch3-width"]


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_master_holds_every_solution(built: dict, name: str) -> None:
    b = built[name]
    master = b["student"].parents[1] / "master"
    key = json.loads((master / f"{name}_solutions.ipynb").read_text())
    text = "\n".join(_strings(key))
    lines = {ln.strip() for ex in b["chapter"].exercises.values() for ln in ex.solution_lines()
             if len(ln.strip()) >= MIN_LINE and not ln.lstrip().startswith(("```", ":class:"))
             and not MYST_ROLE.search(ln)}  # roles are converted: glue values, author-year citations
    missing = [ln for ln in lines if ln not in text]
    assert not missing, f"answer key lacks {missing[:5]}"
    assert (master / "requirements.txt").is_file()


def _public_values(test_file: Path) -> list[str]:
    """The right-hand sides of the public test's ``==`` comparisons."""
    ns: dict[str, Any] = {}
    exec(test_file.read_text(), ns)
    code = ns["test"]["suites"][0]["cases"][0]["code"]
    out = []
    for ln in code.splitlines():
        if ln.startswith(">>> assert"):
            test = ast.parse(ln[4:]).body[0].test  # type: ignore[attr-defined]
            if isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.Eq):
                out.append(ast.unparse(test.comparators[0]))
    return out


@pytest.fixture(scope="module")
def kernel() -> Iterator[Callable[[list[str], Path], list[Any]]]:
    """One kernel (smoke size) for every chapter's checks: run(sources, folder) runs the sources as
    cells in ``folder`` after ``%reset -f``, so a chapter sees nothing an earlier one defined (the
    imported modules stay: importing torch, torchvision and d2l is paid once, not per chapter)."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})

    def run(sources: list[str], folder: Path) -> list[Any]:
        cells = [nbformat.v4.new_code_cell(s) for s in
                 ["%reset -f", f"import os as _os\n_os.chdir({str(folder)!r})", *sources]]
        for cell in cells:
            nb.cells.append(cell)
            client.execute_cell(cell, len(nb.cells) - 1)
        return cells[2:]

    with student.scoped_env({"RESNOTES_SIZE": "smoke", "RESNOTES_PROGRESS": "0"}), client.setup_kernel():
        yield run


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_checks_pass_with_the_solution_and_fail_with_wrong_answers(
        built: dict, name: str, kernel: Callable[[list[str], Path], list[Any]]) -> None:
    b = built[name]
    checkable = [ex for ex in b["chapter"].exercises.values() if ex.checkable]
    if not checkable:
        pytest.skip(f"{name} has no checkable exercise")
    cells = b["student_nb"]["cells"]
    plain = [c for c in cells if c["cell_type"] == "code" and "resnotes" not in c["metadata"]
             and not _src(c).startswith("grader.check(")]
    # Run only what the answers and checks need (imports, set-up), not the chapter's experiments.
    needed = {"grader"}
    for ex in checkable:
        names = [cell_names(_src(c), ex.label) for c in ex.solution_code + [ex.check]]
        needed |= set().union(*(u for _, u in names)) - set().union(*(d for d, _ in names))
    sources = [_src(c) for c in slice_cells(plain, needed)]
    expect = []
    for ex in checkable:
        check = next(c for c in cells if _src(c).strip() == f'grader.check("{ex.label}")')
        # the solution, then (in the same kernel) mistakes made to the solution's answer
        tries = [("\n".join(_src(c) for c in ex.solution_code), True)]
        if ex.label in WRONG:
            tries.append((WRONG[ex.label], False))
        tries.append(("\n".join(f"{n} = None" for n in ex.answer_names), False))
        # what the public check compares with, copied into the answer: not an answer
        for rhs in _public_values(b["student"].parent / "tests" / f"{ex.label}.py"):
            tries.append(("\n".join(f"{n} = {rhs}" for n in ex.answer_names), False))
        for answer, passes in tries:
            sources += [answer, _src(check),
                        # not IPython's `_`: a chapter may assign `_` itself (`x, *_ = ...`)
                        f"_verdict = {_src(check).strip()}\nprint('PASSED' if _verdict.passed_all else 'FAILED')"]
            expect.append((ex.label, passes, len(sources) - 2))
    cells = kernel(sources, b["student"].parent)
    for label, passes, i in expect:
        shown = "".join(o.get("data", {}).get("text/plain", "") for o in cells[i].outputs)
        verdict = "".join(o.get("text", "") for o in cells[i + 1].outputs).strip()
        assert verdict == ("PASSED" if passes else "FAILED"), (label, passes, shown)
        assert label in shown and (("passed" in shown) == passes), shown


def _nb(*cells: dict[str, Any]) -> dict[str, Any]:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, *tags: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "outputs": [],
            "execution_count": None, "source": text}


EX = "```{exercise}\n:label: ex-t\n\nStore it in `x`.\n```\n"
START = "```{solution-start} ex-t\n:class: dropdown\n```\n"
END = "```{solution-end}\n```\n"
CHECK = _code("assert x == 2", "check", "remove-cell")


def test_a_well_formed_exercise_parses() -> None:
    ch = parse_chapter(_nb(_md("# T\n\n" + EX + "\n" + START + "\nProse."), _code("x = 1 + 1"),
                           CHECK, _md(END + "\nAfter.")), "t")
    (ex,) = ch.exercises.values()
    assert (ex.label, ex.checkable, ex.answer_names, ex.prompt) == ("ex-t", True, ("x",), "Store it in `x`.")
    assert ex.solution_prose == ["Prose."]
    assert [k for k, _ in ch.parts] == ["markdown", "exercise", "answer", "markdown"]


@pytest.mark.parametrize("cells, message", [
    ([_md(EX + START), _code("x = 2"), CHECK], "ex-t at t, cell 0 has no solution-end"),
    ([_md(EX), _md(END)], "solution-end without a solution-start"),
    ([_md(EX), CHECK], "cell 1: a check cell outside a solution"),
    ([_md(EX + START + START)], "inside the solution of ex-t"),
    ([_md(EX + "```{solution} ex-other\nx\n```")], "'ex-other' names no exercise above it"),
    ([_md("```{exercise}\nNo label.\n```")], "an exercise without :label:"),
    ([_md(EX + EX)], "ex-t is used twice"),
    ([_md(EX)], "exercise ex-t has no solution"),
    ([_md("```{exercise}\n:label: ex-t\nnever closed")], "fence is never closed"),
    ([_md(EX + START), _code("x = 2"), _code("x", "check", "remove-cell"), _md(END)],
     "must hold assert statements"),
    ([_md(EX + START), _code("x = 2"), _code("y = 3\nassert x == 2", "check", "remove-cell"), _md(END)],
     "must hold assert statements"),
    ([_md(EX + START), _code("x = 2"), _code("assert 1 == 1", "check", "remove-cell"), _md(END)],
     "asserts nothing about a variable its solution defines"),
    ([_md(EX + START), _code("x = 2"), _code("assert x == 2", "check"), _md(END)], "lacks the tag remove-cell"),
    ([_md(EX + START), _code("x = 2"), CHECK, _code("y = 3"), _md(END)], "a code cell after the check cell"),
    ([_md(EX + START), CHECK, _md(END)], "follows no solution code"),
    ([_md("```{exercise-start}\n:label: ex-t\n```")], "{exercise-start} is not supported"),
])
def test_malformed_chapters_raise_clear_errors(cells: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(StudentError, match=re.escape(message)):
        parse_chapter(_nb(*cells), "t")


def test_chapters_sharing_a_kernel_see_nothing_of_each_other(tmp_path: Path) -> None:
    """make student runs every chapter's solutions in one kernel; each starts from an empty namespace."""
    def chapter(name: str, *cells: dict[str, Any]) -> tuple[Path, student.Chapter]:
        path = tmp_path / f"{name}.ipynb"
        nb = _nb(*cells)
        path.write_text(json.dumps(nb))
        return path, parse_chapter(nb, name)

    first = chapter("01_a", _code("helper = 2"), _md(EX + START), _code("x = helper"), CHECK, _md(END))
    second = chapter("02_b", _md(EX + START), _code("x = 1 + 1"), CHECK, _md(END))
    public = student.public_checks_of([first, second])
    # the same label in two chapters: each keeps its own public check
    assert set(public) == {first[0], second[0]} and all(set(p) == {"ex-t"} for p in public.values())
    assert "_hashlib.sha256" in public[second[0]]["ex-t"]
    # a solution that leans on a name only the chapter before defined fails, and says where
    leaning = chapter("02_c", _md(EX + START), _code("x = helper"), CHECK, _md(END))
    with pytest.raises(StudentError, match=r"(?s)^02_c: running the solutions .*name .helper. is not defined"):
        student.public_checks_of([first, leaning])


def test_cli_reports_malformed_notebooks_and_unknown_chapters(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "09_bad.ipynb"
    bad.write_text(json.dumps(_nb(_md(EX + START), _code("x = 2"))))
    assert student.main([str(bad), "--out", str(tmp_path / "out")], root=ROOT) == 1
    assert "error: 09_bad: solution-start for ex-t" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert student.main(["99"], root=ROOT) == 1
    assert "chapter '99' matches 0 notebooks" in capsys.readouterr().err


def test_student_output_stays_out_of_the_book() -> None:
    config = (ROOT / "_config.yml").read_text()
    assert "only_build_toc_files: true" in config
    assert re.search(r"exclude_patterns: \[_build,", config)
    makefile = (ROOT / "Makefile").read_text()
    assert "--out _build/student" in makefile


def test_colab_setup_installs_otter_and_fetches_the_tests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The set-up cell's Colab branch (simulated): pip calls, never torch, tests from --tests-url."""
    import subprocess
    import sys
    import types
    import urllib.request

    import resnotes

    path = ROOT / "chapters" / "03_residual_blocks.ipynb"
    nb = json.loads(path.read_text())
    master = student.master_notebook(nb, parse_chapter(nb, path.stem), tests_url="https://example.org/t")
    setup = next(c for c in master["cells"] if c["cell_type"] == "code")
    pip: list[list[str]] = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: pip.append(cmd))
    monkeypatch.setattr(urllib.request, "urlretrieve",
                        lambda url, dest: Path(dest).write_text(f"# {url}\n"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.chdir(tmp_path)
    exec(_src(setup), {})
    installed = [cmd[cmd.index("-q") + 1:] for cmd in pip]
    assert installed == [["--no-deps", f"resnotes @ git+https://github.com/resnotes/resnotes@v{resnotes.__version__}"],
                         ["--no-deps", "d2l==1.0.3"],
                         [f"otter-grader=={student.version('otter-grader')}"]]
    assert not any("torch" in " ".join(cmd) for cmd in pip)
    assert sorted(p.name for p in (tmp_path / "tests").iterdir()) == ["ex-ch3-bottleneck.py", "ex-ch3-count.py",
                                                                     "ex-ch3-width.py"]
    assert (tmp_path / "tests" / "ex-ch3-count.py").read_text() == "# https://example.org/t/ex-ch3-count.py\n"
