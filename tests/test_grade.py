"""make grade (tools/grade.py): a synthetic class of three, and clear errors instead of silent passes.

The class: the student version of chapter 5 (the quickest chapter at smoke size
with a checkable exercise) answered three ways: the book's solution, a wrong
count, and the public check's own comparison value copied into the answer.
"""

from __future__ import annotations

import ast
import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tools import grade as grading
from tools import student
from tools.grade import GradeError

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "05_projected_add.ipynb"
LABEL = "ex-ch5-r34"


def _public_rhs(tests: Path) -> str:
    """The value the public check compares the answer with (what a student could copy)."""
    ns: dict[str, Any] = {}
    exec((tests / f"{LABEL}.py").read_text(), ns)
    (case,) = ns["test"]["suites"][0]["cases"]
    asserts = [ln[4:] for ln in case["code"].splitlines() if ln.startswith(">>> assert")]
    test = ast.parse(asserts[-1]).body[0].test  # type: ignore[attr-defined]
    return ast.unparse(test.comparators[0])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("grade")
    stu = student.build_student(CHAPTER, out / "student")
    nb = json.loads(stu.read_text())
    chapter = student.parse_chapter(json.loads(CHAPTER.read_text()), CHAPTER.stem)
    solution = "\n".join(student._source(c) for c in chapter.exercises[LABEL].solution_code)
    copied = _public_rhs(stu.parent / "tests")
    answers = {"correct": solution,
               "wrong": "by_hand = 64 * 128 + 128 * 256 + 256 * 512  # forgot the BatchNorms",
               "copied": f"by_hand = {copied}"}
    subs = out / "submissions"
    subs.mkdir()
    for who, answer in answers.items():
        mine = json.loads(json.dumps(nb))
        (cell,) = [c for c in mine["cells"] if c["metadata"].get("resnotes", {}).get("answer") == LABEL]
        cell["source"] = answer
        (subs / f"{who}.ipynb").write_text(json.dumps(mine))
    start = time.perf_counter()
    assert grading.main([str(subs), "--out", str(out / "grades"), "--student-dir", str(out / "student"),
                         "--jobs", "3"]) == 0
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader((out / "grades" / "grades.csv").open()))
    print(f"\ngraded 3 submissions of {CHAPTER.stem} in {seconds:.0f} s: "
          + ", ".join(f"{r['student']} {r['score']}/{r['max_score']}" for r in rows))
    return {"rows": rows, "copied": copied, "out": out, "summary": (out / "grades" / "summary.md").read_text()}


def test_the_class_gets_the_grades_it_deserves(graded: dict[str, Any]) -> None:
    scores = {r["student"]: (float(r["score"]), float(r["max_score"])) for r in graded["rows"]}
    assert set(scores) == {"correct", "wrong", "copied"}
    assert all(r["chapter"] == CHAPTER.stem and r["exercise"] == LABEL for r in graded["rows"])
    assert scores["correct"] == (1.0, 1.0)
    assert scores["wrong"][0] == 0.0
    assert scores["copied"][0] < scores["copied"][1], "copying the public check must not earn the point"
    assert "| correct | 1 | 1 |" in graded["summary"]


def test_the_public_check_does_not_show_the_answer(graded: dict[str, Any]) -> None:
    check = next(c for c in json.loads(CHAPTER.read_text())["cells"]
                 if "check" in c["metadata"].get("tags", []))
    expression = ast.unparse(ast.parse("".join(check["source"])).body[0].test.comparators[0])  # type: ignore[attr-defined]
    tests = (graded["out"] / "student" / CHAPTER.stem / "student" / "tests" / f"{LABEL}.py").read_text()
    assert "count_parameters" not in tests and "shortcut_resnet" not in tests, expression
    assert "count_parameters" not in graded["copied"]


def _empty_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_text(json.dumps({"cells": [], "metadata": {"resnotes": {"chapter": CHAPTER.stem}},
                                                "nbformat": 4, "nbformat_minor": 5}))
    return subs


def test_missing_data_stops_grading_with_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    subs = _empty_class(tmp_path)
    monkeypatch.delenv("RESNOTES_DATA", raising=False)
    assert grading.main([str(subs), "--out", str(tmp_path / "g"), "--student-dir", str(tmp_path / "s")]) == 1
    assert "error: RESNOTES_DATA is not set" in capsys.readouterr().err
    monkeypatch.setenv("RESNOTES_DATA", str(tmp_path))  # a folder without Fashion-MNIST
    with pytest.raises(GradeError, match="Fashion-MNIST"):
        grading.grade(subs, tmp_path / "g", tmp_path / "s")
    assert not (tmp_path / "g").exists() and not (tmp_path / "s").exists(), "nothing graded or built"


def test_missing_environment_stops_grading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grading, "NEEDED", [*grading.NEEDED, "no_such_module_xyz"])
    with pytest.raises(GradeError, match="lacks no_such_module_xyz"):
        grading.grade(_empty_class(tmp_path), tmp_path / "g", tmp_path / "s")


def test_no_submissions_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(GradeError, match="no submissions"):
        grading.find_submissions(tmp_path / "empty", [CHAPTER.stem])


def test_autograder_requirements_name_what_the_chapters_import() -> None:
    import resnotes

    reqs = student.grading_requirements()
    for name in ["torch==", "torchvision==", "numpy==", "matplotlib==", "pandas==", "scipy==",
                 "requests==", "ipython==", "otter-grader=="]:
        assert f"\n{name}" in reqs, name
    assert f"resnotes @ git+https://github.com/resnotes/resnotes@v{resnotes.__version__}" in reqs


def test_make_grade_target() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PY) -m tools grade $(SUBMISSIONS)" in makefile
