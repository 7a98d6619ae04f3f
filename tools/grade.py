"""Grade a class offline: ``python -m tools grade SUBMISSIONS [--out DIR]`` (``make grade``).

``SUBMISSIONS`` is a folder of what students handed in: the zip file that the
student notebook's last cell writes (``grader.export``), or the notebook
itself. A file directly in the folder is named after its student
(``ada.zip``, ``ada.ipynb``); a subfolder is a student, holding that
student's files (``ada/05_projected_add_2026_11_30T10_00_00.zip``).

For each submission the command finds its chapter (the notebook's
``resnotes.chapter`` metadata, else its file name), uses that chapter's
otter-grader autograder (``_build/student/<chapter>/autograder/*.zip``, built
with ``make student`` when missing) and runs ``otter run`` on it: otter
executes the whole notebook again, then the hidden and public tests. It runs at
smoke size (``RESNOTES_SIZE=smoke``) with this environment, offline.

It writes ``grades.csv`` (student, chapter, exercise, score, max_score) and
``summary.md`` (each student's total, each exercise's mean, the time taken)
into ``--out`` (default ``_build/grades``).

It stops with an error, before grading anything, when Fashion-MNIST is not in
``$RESNOTES_DATA`` (grading re-runs the chapter, which trains on it) or when
the environment lacks a package the chapters import: a notebook that cannot
run must not be graded as if it had.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from tools.plain import ROOT

# What the chapters and otter need to run a submission (import names).
NEEDED = ["torch", "torchvision", "numpy", "matplotlib", "pandas", "scipy", "d2l", "resnotes", "otter"]


class GradeError(RuntimeError):
    """Grading cannot start (data, environment or submissions missing)."""


@dataclass
class Submission:
    student: str
    path: Path
    chapter: str


@dataclass
class Score:
    student: str
    chapter: str
    exercise: str
    score: float
    max_score: float


def check_environment() -> None:
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise GradeError(f"the grading environment lacks {', '.join(missing)}: grading re-runs each "
                         "notebook, which imports them. Run `make setup` (or install the autograder's "
                         "requirements.txt) and grade with that Python.")


def check_data() -> Path:
    value = os.environ.get("RESNOTES_DATA", "")
    if not value:
        raise GradeError("RESNOTES_DATA is not set: grading re-runs each notebook, which trains on "
                         "Fashion-MNIST, offline. Point RESNOTES_DATA at the folder holding its four "
                         "files (train-images-idx3-ubyte.gz, ...), e.g. "
                         "make grade SUBMISSIONS=dir/ RESNOTES_DATA=/path/to/fashion-mnist")
    from resnotes.data import DataError, find_fashion_mnist

    folder = Path(value).expanduser().resolve()
    try:
        found = find_fashion_mnist(folder, download=False)
    except DataError as e:
        raise GradeError(f"RESNOTES_DATA={value}: {e}") from e
    if found.resolve() != folder:
        raise GradeError(f"RESNOTES_DATA={value} holds no Fashion-MNIST (the four files were found "
                         f"elsewhere, in {found}, but grading uses only the folder it is given)")
    return folder


def _notebook_of(path: Path) -> dict[str, Any]:
    if path.suffix == ".ipynb":
        return json.loads(path.read_text())
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith(".ipynb") and "/." not in n]
        if len(names) != 1:
            raise GradeError(f"{path}: expected one notebook in the zip file, found {names or 'none'}")
        return json.loads(z.read(names[0]))


def _chapter_of(path: Path, nb: dict[str, Any], chapters: list[str]) -> str:
    chapter = nb.get("metadata", {}).get("resnotes", {}).get("chapter")
    if chapter in chapters:
        return str(chapter)
    for name in chapters:
        if path.name.startswith(name):
            return name
    raise GradeError(f"{path}: which chapter is this? Its notebook has no resnotes.chapter metadata "
                     "and its name starts with no chapter's name")


def find_submissions(folder: Path, chapters: list[str]) -> list[Submission]:
    if not folder.is_dir():
        raise GradeError(f"{folder} is not a folder of submissions")
    found: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        files = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
        files = [f for f in files if f.suffix in (".ipynb", ".zip") and ".ipynb_checkpoints" not in f.parts]
        student = entry.stem if entry.is_file() else entry.name
        for f in files:
            found.append(Submission(student, f, _chapter_of(f, _notebook_of(f), chapters)))
    if not found:
        raise GradeError(f"no submissions (.zip or .ipynb) in {folder}")
    return found


def autograder_for(chapter: str, student_dir: Path) -> Path:
    zips = sorted((student_dir / chapter / "autograder").glob("*.zip"))
    if not zips:
        from tools.student import build_student

        print(f"{chapter}: no autograder in {student_dir}; building it (make student)", flush=True)
        build_student(ROOT / "chapters" / f"{chapter}.ipynb", student_dir)
        zips = sorted((student_dir / chapter / "autograder").glob("*.zip"))
    if not zips:
        raise GradeError(f"{chapter}: no autograder zip in {student_dir / chapter / 'autograder'}")
    return zips[-1]


def grade_one(sub: Submission, autograder: Path, timeout: int = 1800) -> list[Score]:
    env = {**os.environ, "RESNOTES_SIZE": "smoke", "RESNOTES_PROGRESS": "0"}
    env.pop("RESNOTES_RUN_RECORDS", None)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "otter", "run", "-a", str(autograder.resolve()), "-o", tmp,
               "--no-logo", str(sub.path.resolve())]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=tmp)
        results = Path(tmp) / "results.json"
        if done.returncode != 0 or not results.is_file():
            raise GradeError(f"otter run failed on {sub.path}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        data = json.loads(results.read_text())
    scores: dict[str, Score] = {}
    for test in data.get("tests", []):
        if str(test.get("name", "")).startswith("Public Tests"):
            continue  # otter's summary of the public tests, not an exercise
        exercise = str(test.get("name", "?")).split(" - ")[0].split(" (")[0]
        s = scores.setdefault(exercise, Score(sub.student, sub.chapter, exercise, 0.0, 0.0))
        s.score += float(test.get("score") or 0)
        s.max_score += float(test.get("max_score") or 0)
    return list(scores.values())


def write_results(scores: list[Score], out: Path, seconds: float, n: int) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    table = out / "grades.csv"
    with table.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "chapter", "exercise", "score", "max_score"])
        for s in scores:
            w.writerow([s.student, s.chapter, s.exercise, f"{s.score:g}", f"{s.max_score:g}"])
    students = sorted({s.student for s in scores})
    exercises = sorted({(s.chapter, s.exercise) for s in scores})
    lines = [f"# Grades: {len(students)} students, {n} submissions", "",
             f"Graded offline at smoke size in {seconds:.0f} s (each notebook re-run, then the tests).",
             "", "| student | score | out of |", "|---|---|---|"]
    for st in students:
        mine = [s for s in scores if s.student == st]
        lines.append(f"| {st} | {sum(s.score for s in mine):g} | {sum(s.max_score for s in mine):g} |")
    lines += ["", "| chapter | exercise | mean score | out of |", "|---|---|---|---|"]
    for ch, ex in exercises:
        these = [s for s in scores if (s.chapter, s.exercise) == (ch, ex)]
        lines.append(f"| {ch} | {ex} | {sum(s.score for s in these) / len(these):.2f} | "
                     f"{max(s.max_score for s in these):g} |")
    summary = out / "summary.md"
    summary.write_text("\n".join(lines) + "\n")
    return table, summary


def grade(folder: Path, out: Path, student_dir: Path, jobs: int = 1) -> tuple[list[Score], float]:
    """Grade every submission in ``folder``; write grades.csv and summary.md into ``out``."""
    from concurrent.futures import ThreadPoolExecutor

    check_environment()
    check_data()
    chapters = [p.stem for p in sorted((ROOT / "chapters").glob("*.ipynb"))]
    subs = find_submissions(folder, chapters)
    start = time.perf_counter()
    autograders = {ch: autograder_for(ch, student_dir) for ch in sorted({s.chapter for s in subs})}

    def one(sub: Submission) -> list[Score]:
        t0 = time.perf_counter()
        mine = grade_one(sub, autograders[sub.chapter])
        print(f"{sub.student} ({sub.path.name}): {sum(s.score for s in mine):g}/"
              f"{sum(s.max_score for s in mine):g} in {time.perf_counter() - t0:.0f} s", flush=True)
        return mine

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each grade is its own process
        scores = [s for mine in pool.map(one, subs) for s in mine]
    seconds = time.perf_counter() - start
    write_results(scores, out, seconds, len(subs))
    return scores, seconds


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools grade",
                                     description="Grade submitted student notebooks offline at smoke size.")
    parser.add_argument("submissions", type=Path, help="folder of submitted .zip or .ipynb files")
    parser.add_argument("--out", type=Path, default=Path("_build/grades"),
                        help="where grades.csv and summary.md go (default: _build/grades)")
    parser.add_argument("--student-dir", type=Path, default=Path("_build/student"),
                        help="make student's output, holding each chapter's autograder/")
    parser.add_argument("--jobs", type=int, default=1,
                        help="submissions graded at once (each runs its notebook in its own kernel)")
    args = parser.parse_args(list(argv))
    try:
        grade(args.submissions, args.out, args.student_dir, args.jobs)
    except GradeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print((args.out / "summary.md").read_text())
    print(f"wrote {args.out / 'grades.csv'} and {args.out / 'summary.md'}")
    return 0
