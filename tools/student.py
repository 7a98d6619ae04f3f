"""Student versions of chapter notebooks: solutions removed, otter-grader checks added.

``python -m tools student 03 [--out DIR]`` (or ``make student CHAPTERS="03"``)
reads each chosen chapter notebook, which follows AUTHORING.md: exercises are
``{exercise}`` directives with a ``:label:``; solutions are ``{solution} label``
(prose) or ``{solution-start} label`` ... code cells ... ``{solution-end}``; a
checkable exercise's solution ends with a code cell tagged ``check`` (and
``remove-cell``) holding asserts about the variable the exercise names (and at most
imports and private helpers ``_like_this`` before them).

For each chapter it writes an otter-grader *master notebook* (an ``ASSIGNMENT
CONFIG`` raw cell; every checkable exercise a question whose prompt is the
exercise and whose solution is the solution's code) and runs ``otter assign``
on it. In ``DIR/<chapter>/``:

* ``student/``: the notebook to hand out, with ``grader.check("label")`` after
  each checkable exercise and otter's export cell at the end (it writes the
  zip file students hand in), and its ``tests/`` folder (the public tests);
* ``autograder/``: otter's solution notebook and autograder zip (for
  ``otter run`` and ``make grade``), instructors only;
* ``master/``: the generated master notebook, the autograder's
  ``requirements.txt`` and ``<chapter>_solutions.ipynb``, the answer key
  (every solution, prose and code, and the check cells), instructors only.

Grades that mean something: the chapter's check cell computes the answer
(``assert by_hand == count_parameters(...)``), so it must not be shown. It is
the question's *hidden* test, which alone carries the point and is only in the
autograder. The *public* test that ``grader.check`` runs compares a salted
SHA-256 digest of the answer (exact answers) or only its type and shape
(answers with floats); :func:`public_checks` makes it by running each solution
and its check cell at smoke size. Copying the public test's value into the
answer earns nothing (tests/test_grade.py).

The student notebook keeps the chapter's prose, turned into plain Markdown by
tools/plain.py (glue values pasted in, citations as author-year text), and its
code; solutions (prose and code) and check cells are gone, each exercise
becomes a section "Exercise N.k" numbered as in the book, followed by an empty
answer cell, and the chapter's Colab set-up cell also installs otter-grader on
Colab.

Why otter-grader rather than nbgrader: otter's student side is one pip package
that Colab installs in seconds and that has a Colab mode of its own
(``grader.check`` reads a ``tests/`` folder next to the notebook; no server),
it grades offline (``otter run``), it installs beside the book's pinned
packages (24 more, pinned in constraints.txt), and its master-notebook format
maps one-to-one onto AUTHORING.md's exercise/solution/check cells. nbgrader
needs a Jupyter server extension and pulls in JupyterLab, neither of which
Colab runs. Otter keeps a question's public tests in ``tests/`` beside the
notebook (students may read them); the notebook itself holds no solution or
check text.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml

from tools.plain import (DIRECTIVE, FENCE, ROOT, Book, Converter, convert_chapter, dumps, fence_end,
                         glue_values, provenance_line, with_provenance)


@contextlib.contextmanager
def scoped_env(env: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them (or unset them)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


__all__ = ["StudentError", "Exercise", "Chapter", "parse_chapter", "master_notebook", "cell_names",
           "public_checks", "public_checks_of", "grading_requirements", "build_student",
           "build_students", "find_chapters", "main"]

EXERCISE_DIRECTIVES = {"exercise", "solution", "solution-start", "solution-end"}
UNSUPPORTED_DIRECTIVES = {"exercise-start", "exercise-end"}
CHECK_TAG = "check"
ANSWER_KEY = "resnotes"  # cell metadata key marking answer cells: {"answer": label}

_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


class StudentError(ValueError):
    """A chapter notebook does not follow AUTHORING.md's exercise conventions."""


@dataclass
class Exercise:
    """One ``{exercise}`` of a chapter, with what its solution holds."""

    label: str
    number: int
    title: str
    prompt: str
    solution_prose: list[str] = field(default_factory=list)
    solution_code: list[dict[str, Any]] = field(default_factory=list)
    check: dict[str, Any] | None = None
    answer_names: tuple[str, ...] = ()
    has_solution: bool = False

    @property
    def checkable(self) -> bool:
        """Whether a check cell turns this exercise into an otter question."""
        return self.check is not None

    def solution_lines(self) -> list[str]:
        """Every line of the solution: prose, code, code outputs and the check cell."""
        lines = [ln for text in self.solution_prose for ln in text.splitlines()]
        for cell in self.solution_code + ([self.check] if self.check else []):
            lines += _source(cell).splitlines()
            for out in cell.get("outputs", []):
                lines += _output_text(out).splitlines()
        return lines


@dataclass
class Chapter:
    """A parsed chapter: its cells in order, with exercises and answer slots marked."""

    name: str
    parts: list[tuple[str, Any]]
    exercises: dict[str, Exercise]

    def visible_lines(self) -> list[str]:
        """Lines a student may see in the source: prose, prompts, non-solution code."""
        lines: list[str] = []
        for kind, value in self.parts:
            if kind == "markdown":
                lines += value.splitlines()
            elif kind == "exercise":
                ex = self.exercises[value]
                lines += [ex.title, *ex.prompt.splitlines()]
            elif kind == "cell":
                lines += _source(value).splitlines()
                for out in value.get("outputs", []):
                    lines += _output_text(out).splitlines()
        return lines


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _output_text(out: dict[str, Any]) -> str:
    parts: list[str] = []
    text = out.get("text")
    if text:
        parts.append("".join(text) if isinstance(text, list) else text)
    for mime, data in out.get("data", {}).items():
        if mime.startswith("text/"):
            parts.append("".join(data) if isinstance(data, list) else str(data))
    return "\n".join(parts)


def _split_markdown(text: str, where: str) -> Iterator[tuple[str, str, dict[str, str], str]]:
    """Yield (kind, argument, options, body) for a markdown cell: kind is "text" or a directive.

    Fenced blocks other than sphinx-exercise's stay in the text; a fence closes on
    a line of the same character at least as long (CommonMark, as MyST reads it).
    """
    lines = text.splitlines()
    prose: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        j = fence_end(lines, i, fence)
        d = DIRECTIVE.match(m.group("info").strip())
        name = d.group("name") if d else ""
        if name in UNSUPPORTED_DIRECTIVES:
            raise StudentError(f"{where}: {{{name}}} is not supported; use {{exercise}} (AUTHORING.md)")
        if name not in EXERCISE_DIRECTIVES:
            prose += lines[i:j + 1]
            i = j + 1
            continue
        if j == len(lines):
            raise StudentError(f"{where}: the {fence}{{{name}}} fence is never closed")
        if "".join(prose).strip():
            yield "text", "", {}, "\n".join(prose).strip("\n")
        prose = []
        body = lines[i + 1:j]
        options: dict[str, str] = {}
        while body and (o := _OPTION.match(body[0])):
            options[o.group("key")] = o.group("value")
            body = body[1:]
        yield name, d.group("arg").strip() if d else "", options, "\n".join(body).strip("\n")
        i = j + 1
    if "".join(prose).strip():
        yield "text", "", {}, "\n".join(prose).strip("\n")


def cell_names(source: str, where: str) -> tuple[set[str], set[str]]:
    """Names a code cell defines and names it reads (IPython magics are skipped)."""
    code = "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        raise StudentError(f"{where}: not valid Python: {e}") from e
    defined: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
    return defined, used


def parse_chapter(nb: dict[str, Any], name: str) -> Chapter:
    """Split a chapter notebook into student-visible parts and exercises.

    Raises :class:`StudentError` with the cell number and label when the notebook
    breaks AUTHORING.md: a ``solution-start`` without ``solution-end`` (or the
    reverse), nested solutions, a solution for an unknown label, an exercise
    without a label or a solution, a check cell outside a solution or not its
    last code cell, or a check cell that is not asserts (plus set-up) about a variable
    the solution defines.
    """
    parts: list[tuple[str, Any]] = []
    exercises: dict[str, Exercise] = {}
    open_label: str | None = None
    open_where = ""
    for index, cell in enumerate(nb["cells"]):
        where = f"{name}, cell {index}"
        if cell["cell_type"] == "markdown":
            for kind, arg, options, body in _split_markdown(_source(cell), where):
                if kind == "text":
                    if open_label:
                        exercises[open_label].solution_prose.append(body)
                    else:
                        parts.append(("markdown", body))
                    continue
                if kind == "solution-end":
                    if open_label is None:
                        raise StudentError(f"{where}: solution-end without a solution-start")
                    open_label = None
                    continue
                if open_label is not None:
                    raise StudentError(f"{where}: {{{kind}}} inside the solution of {open_label} "
                                       f"(opened at {open_where}); close it with solution-end first")
                if kind == "exercise":
                    label = options.get("label", "")
                    if not label:
                        raise StudentError(f"{where}: an exercise without :label:")
                    if label in exercises:
                        raise StudentError(f"{where}: exercise label {label} is used twice")
                    exercises[label] = Exercise(label, len(exercises) + 1, arg, body)
                    parts.append(("exercise", label))
                    continue
                if arg not in exercises:
                    raise StudentError(f"{where}: {{{kind}}} {arg!r} names no exercise above it")
                ex = exercises[arg]
                if ex.has_solution:
                    raise StudentError(f"{where}: exercise {arg} has a second solution")
                ex.has_solution = True
                parts.append(("answer", arg))
                if kind == "solution":
                    ex.solution_prose.append(body)
                else:
                    open_label, open_where = arg, where
        elif cell["cell_type"] == "code":
            is_check = CHECK_TAG in cell.get("metadata", {}).get("tags", [])
            if open_label is None:
                if is_check:
                    raise StudentError(f"{where}: a check cell outside a solution (AUTHORING.md: "
                                       "the last code cell of a solution-start ... solution-end)")
                parts.append(("cell", cell))
                continue
            ex = exercises[open_label]
            if ex.check is not None:
                raise StudentError(f"{where}: a code cell after the check cell of {ex.label}; "
                                   "the check cell must be the solution's last code cell")
            if is_check:
                _validate_check(cell, ex, where)
                ex.check = cell
            else:
                ex.solution_code.append(cell)
        elif open_label is not None:  # a raw cell inside a solution is solution text
            exercises[open_label].solution_prose.append(_source(cell))
        else:
            parts.append(("cell", cell))
    if open_label is not None:
        raise StudentError(f"{name}: solution-start for {open_label} at {open_where} "
                           "has no solution-end")
    for ex in exercises.values():
        if not ex.has_solution:
            raise StudentError(f"{name}: exercise {ex.label} has no solution")
    return Chapter(name, parts, exercises)


def _allowed_in_check(stmt: ast.stmt) -> bool:
    """Asserts; and, to set them up, imports and private helpers (``_w = ...``).

    Nothing that shows a value: otter runs the cell as a doctest, where any
    output (even a call's return value) is a mismatch.
    """
    if isinstance(stmt, (ast.Assert, ast.Import, ast.ImportFrom)):
        return True
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return all(isinstance(t, ast.Name) and t.id.startswith("_") for t in targets)
    return False


def _validate_check(cell: dict[str, Any], ex: Exercise, where: str) -> None:
    tags = cell.get("metadata", {}).get("tags", [])
    if "remove-cell" not in tags:
        raise StudentError(f"{where}: the check cell of {ex.label} lacks the tag remove-cell")
    src = _source(cell)
    try:
        tree = ast.parse(src)
    except SyntaxError as e:
        raise StudentError(f"{where}: the check cell of {ex.label} is not valid Python: {e}") from e
    if not any(isinstance(s, ast.Assert) for s in tree.body) or not all(map(_allowed_in_check, tree.body)):
        raise StudentError(f"{where}: the check cell of {ex.label} must hold assert statements, "
                           "with at most imports and helpers named _like_this before them (nothing that shows a value)")
    if not ex.solution_code:
        raise StudentError(f"{where}: the check cell of {ex.label} follows no solution code")
    defined: set[str] = set()
    for code in ex.solution_code:
        defined |= cell_names(_source(code), where)[0]
    bound, used = cell_names(src, where)  # bound: comprehension variables of the asserts
    names = tuple(sorted((used - bound) & defined))
    if not names:
        raise StudentError(f"{where}: the check cell of {ex.label} asserts nothing about a "
                           "variable its solution defines")
    ex.answer_names = names


def _md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _raw(text: str) -> dict[str, Any]:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def _code(text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": metadata or {},
            "outputs": [], "source": text}


def _exercise_markdown(ex: Exercise, conv: Converter) -> str:
    """The exercise as plain Markdown: a heading numbered as in the book, the prompt."""
    text = f"{conv.exercise_heading(ex.label, ex.title)}\n\n{conv.markdown(ex.prompt, ex.label, student=True)}"
    if ex.checkable:
        names = ", ".join(f"`{n}`" for n in ex.answer_names)
        text += (f"\n\n*Store your answer in {names}, then run the `grader.check(\"{ex.label}\")`"
                 " cell below it. The check tells you whether your answer is right without showing "
                 "the answer; your grade comes from the instructor's own tests.*")
    return text


def _setup_addition(nb_name: str, tests: Sequence[str], tests_url: str | None) -> str:
    """Code appended to the chapter's Colab set-up cell: otter-grader and its tests on Colab."""
    return f'''

# Student version: `grader.check` (otter-grader) checks your answers against the
# tests/ folder handed out with this notebook. On Colab, install otter-grader and
# fetch the tests (or upload the tests/ folder next to the notebook).
import importlib.util
import os
import urllib.request

TESTS_URL = {tests_url!r}
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "otter-grader=={version("otter-grader")}"], check=True)
    if TESTS_URL and not os.path.isdir("tests"):
        os.makedirs("tests")
        for name in {list(tests)!r}:
            urllib.request.urlretrieve(f"{{TESTS_URL}}/{{name}}.py", f"tests/{{name}}.py")
if importlib.util.find_spec("d2l") is None:  # e.g. otter-grader's grading container
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "d2l==1.0.3"], check=True)
if not os.path.isdir("tests"):
    print("grader.check needs the tests/ folder that came with {nb_name}: "
          "upload it next to the notebook, then run this cell again.")'''


# -- public checks that do not give the answer away
#
# A chapter's check cell computes the expected answer (``assert by_hand ==
# count_parameters(...)``); shown to students, it *is* the answer. It becomes the
# instructor's hidden otter test, which alone carries the question's point. The
# public test that students run compares a salted SHA-256 digest of the answer
# (exact answers: integers, strings, lists, sets and tuples of them) or, for
# answers with floats (tensors, arrays, floats), only its type and shape.
# The digests are computed once, at generation time, by running the solution
# (at smoke size, with the chapter cells it needs) and its check cell.

CANON = ("_canon = lambda v: sorted(map(_canon, v)) if isinstance(v, (set, frozenset)) "
         "else [_canon(x) for x in v] if isinstance(v, (list, tuple)) "
         "else int(v) if isinstance(v, int) or type(v).__name__.startswith(('int', 'uint')) else v")

_DESCRIBE = CANON + '''
import hashlib as _hashlib
import json as _json
_exact = lambda c: isinstance(c, (int, str)) or (isinstance(c, list) and all(map(_exact, c)))


def _public_assert(label, name, value):
    c = _canon(value)
    if _exact(c):
        digest = _hashlib.sha256(repr((label, c)).encode()).hexdigest()
        return (f"assert _hashlib.sha256(repr(({label!r}, _canon({name}))).encode()).hexdigest() "
                f"== {digest!r}, 'not the expected answer'")
    kind = type(value).__name__
    if hasattr(value, "shape"):
        return (f"assert type({name}).__name__ == {kind!r} and tuple({name}.shape) == "
                f"{tuple(value.shape)!r}, 'expected a {kind} of shape {tuple(value.shape)}'")
    return f"assert type({name}).__name__ == {kind!r}, 'expected a {kind}'"
'''


def slice_cells(cells: list[dict[str, Any]], needed: set[str]) -> list[dict[str, Any]]:
    """The code cells that define what ``needed`` names, transitively (in notebook order)."""
    keep = []
    for cell in reversed(cells):
        defined, used = cell_names(_source(cell), "chapter")
        if defined & needed:
            keep.append(cell)
            needed |= used
    return keep[::-1]


def public_checks(notebook: Path, chapter: Chapter, timeout: int = 900) -> dict[str, str]:
    """label -> the public test's source for each checkable exercise (runs the solutions).

    Raises :class:`StudentError` when a solution fails its own check cell.
    """
    return public_checks_of([(notebook, chapter)], timeout)[notebook]


def _solution_cells(notebook: Path, chapter: Chapter) -> list[Any]:
    """What runs a chapter's checkable solutions: the chapter cells they need, the solutions and
    their checks, and a line per exercise that prints its public asserts (``RESNOTES-PUBLIC``)."""
    import nbformat

    checkable = [ex for ex in chapter.exercises.values() if ex.checkable]
    code = [v for k, v in chapter.parts if k == "cell" and v["cell_type"] == "code"]
    needed: set[str] = set()
    for ex in checkable:
        assert ex.check is not None
        names = [cell_names(_source(c), ex.label) for c in ex.solution_code + [ex.check]]
        needed |= set().union(*(u for _, u in names)) - set().union(*(d for d, _ in names))
    # the chapter's folder is the working directory, as when its notebook runs
    cells = [nbformat.v4.new_code_cell(f"import os as _os\n_os.chdir({str(notebook.parent.resolve())!r})")]
    cells += [nbformat.v4.new_code_cell(_source(c)) for c in slice_cells(code, needed)]
    cells.append(nbformat.v4.new_code_cell(_DESCRIBE))
    for ex in checkable:
        assert ex.check is not None
        cells += [nbformat.v4.new_code_cell(_source(c)) for c in ex.solution_code]
        cells.append(nbformat.v4.new_code_cell(_source(ex.check)))
        values = "{" + ", ".join(f"{n!r}: {n}" for n in ex.answer_names) + "}"
        cells.append(nbformat.v4.new_code_cell(
            f"print('RESNOTES-PUBLIC', _json.dumps([{ex.label!r}, "
            f"[_public_assert({ex.label!r}, n, v) for n, v in {values}.items()]]))"))
    return cells


def public_checks_of(chapters: Sequence[tuple[Path, Chapter]],
                     timeout: int = 900) -> dict[Path, dict[str, str]]:
    """:func:`public_checks` for several chapters, in one kernel (``%reset -f`` between chapters:
    nothing one chapter defines is seen by the next; only the imported modules are kept, so the
    seconds that importing torch, torchvision and d2l costs are paid once)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    owner: list[Path] = []  # the chapter each cell belongs to
    for notebook, chapter in chapters:
        if not any(ex.checkable for ex in chapter.exercises.values()):
            continue
        cells = _solution_cells(notebook, chapter)
        if nb.cells:
            cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
        nb.cells += cells
        owner += [notebook] * len(cells)
    if nb.cells:
        env = {"RESNOTES_SIZE": "smoke", "RESNOTES_PROGRESS": "0"}
        try:
            with scoped_env(env):
                NotebookClient(nb, timeout=timeout, kernel_name="python3",
                               resources={"metadata": {"path": str(chapters[0][0].parent)}}).execute()
        except CellExecutionError as e:
            failed = next((owner[i] for i, c in enumerate(nb.cells)
                           if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
                          None)
            name = failed.stem if failed else ", ".join(n.stem for n, _ in chapters)
            raise StudentError(f"{name}: running the solutions to make the public checks "
                               f"failed (does each solution pass its check cell?):\n{e}") from e
    found: dict[tuple[Path, str], str] = {}
    for cell, notebook in zip(nb.cells, owner):
        for o in cell.get("outputs", []):
            for line in o.get("text", "").splitlines():
                if line.startswith("RESNOTES-PUBLIC "):
                    label, asserts = json.loads(line.split(" ", 1)[1])
                    found[notebook, label] = "import hashlib as _hashlib\n" + CANON + "\n" + "\n".join(asserts)
    out: dict[Path, dict[str, str]] = {}
    for notebook, chapter in chapters:
        checkable = [ex.label for ex in chapter.exercises.values() if ex.checkable]
        missing = [label for label in checkable if (notebook, label) not in found]
        if missing:
            raise StudentError(f"{notebook.stem}: no public check made for {missing}")
        out[notebook] = {label: found[notebook, label] for label in checkable}
    return out


HIDDEN = "# HIDDEN: the instructor's test, which computes the answer; never shown to students\n"


def export_instructions(name: str) -> str:
    return (f"Save the notebook, then run this cell: it writes a zip file named after {name} "
            "(with the date) beside the notebook, holding your notebook. Hand in that zip file "
            "(or the .ipynb itself). Your instructor grades it by running the whole notebook "
            "again, so make sure it runs from top to bottom without errors.")


def master_notebook(nb: dict[str, Any], chapter: Chapter, tests_url: str | None = None,
                    run_tests: bool = False, public: dict[str, str] | None = None,
                    requirements: str | None = None) -> dict[str, Any]:
    """The otter-grader master notebook (otter assign's v1 format) for a parsed chapter.

    The prose goes through the plain converter (tools/plain.py): no MyST markup
    reaches students. Each checkable exercise is a question whose only point is
    the hidden test (the chapter's check cell); its public test is ``public[label]``
    (see :func:`public_checks`), worth nothing, when given.
    """
    nb_name = f"{chapter.name}.ipynb"
    book = Book.load(ROOT)
    doc = f"chapters/{chapter.name}"
    conv = Converter(book, doc, glue_values(nb))
    for ex in chapter.exercises.values():
        conv.exercises[ex.label] = book.exercise_number(doc, ex.number)
    checkable = [ex.label for ex in chapter.exercises.values() if ex.checkable]
    config: dict[str, Any] = {
        "name": chapter.name,
        "init_cell": False,  # our own, after the Colab set-up cell, which installs otter
        "check_all_cell": False,
        "export_cell": {"pdf": False, "instructions": export_instructions(nb_name)},
        "run_tests": run_tests,
        "generate": True,
        "tests": {"files": True},  # tests next to the notebook, not in its metadata
        "suppress_no_tests_warning": True,
    }
    if requirements:
        config["requirements"] = requirements
        config["overwrite_requirements"] = True
    cells: list[dict[str, Any]] = [_raw("# ASSIGNMENT CONFIG\n" + "\n".join(
        f"{k}: {json.dumps(v)}" for k, v in config.items()))]
    first_code = first_markdown = True
    for kind, value in chapter.parts:
        if kind == "markdown":
            text = conv.markdown(value, chapter.name, student=True)
            if first_markdown:
                text = with_provenance(text, provenance_line(book, doc))
                first_markdown = False
            if text.strip():
                cells.append(_md(text))
        elif kind == "cell":
            cell = copy.deepcopy(value)
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
            if cell["cell_type"] == "code" and first_code:
                first_code = False
                cell["source"] = _source(cell) + _setup_addition(nb_name, checkable, tests_url)
                cells.append(cell)
                cells.append(_code("# Initialize otter-grader, which runs the grader.check cells\n"
                                   f"import otter\ngrader = otter.Notebook({nb_name!r})"))
            else:
                cells.append(cell)
        elif kind == "exercise":
            ex = chapter.exercises[value]
            if ex.checkable:
                points = [0, 1] if public and ex.label in public else 1
                cells.append(_raw(f"# BEGIN QUESTION\nname: {ex.label}\npoints: {json.dumps(points)}"))
            cells.append(_md(_exercise_markdown(ex, conv)))
        else:  # the answer slot where the solution was
            ex = chapter.exercises[value]
            meta = {ANSWER_KEY: {"answer": ex.label}}
            if ex.checkable:
                assert ex.check is not None
                stubs = "".join(f"{n} = ...\n" for n in ex.answer_names)
                code = "\n\n".join(_source(c).rstrip("\n") for c in ex.solution_code)
                tests = [_code(public[ex.label])] if public and ex.label in public else []
                cells += [
                    _raw("# BEGIN SOLUTION"),
                    _code(f"{stubs}# BEGIN SOLUTION NO PROMPT\n{code}\n# END SOLUTION", meta),
                    _raw("# END SOLUTION"),
                    _raw("# BEGIN TESTS"),
                    *tests,
                    _code(HIDDEN + _source(ex.check)),
                    _raw("# END TESTS"),
                    _raw("# END QUESTION"),
                ]
            elif ex.solution_code:
                cells.append(_code("# Your code here\n", meta))
            else:
                cells.append(_md("*Type your answer here, replacing this text.*") | {"metadata": meta})
    metadata = copy.deepcopy(nb.get("metadata", {}))
    metadata[ANSWER_KEY] = {"chapter": chapter.name}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def grading_requirements() -> str:
    """What the chapters import, pinned to this environment: the autograder's requirements.txt.

    d2l itself is not listed: it pins ancient versions of everything, so it is
    installed with ``--no-deps`` by the student notebook's set-up cell when it is
    missing; its dependencies are listed here.
    """
    from importlib.metadata import PackageNotFoundError

    import resnotes

    lines = ["# The autograder's environment (otter-grader): what the chapters import.",
             "# d2l is installed by the notebook's set-up cell with --no-deps (it pins ancient",
             "# versions of everything); its dependencies are listed here."]
    for name in ["torch", "torchvision", "numpy", "matplotlib", "tqdm", "pandas", "scipy",
                 "requests", "ipython", "matplotlib-inline", "otter-grader"]:
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            lines.append(name)
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    lines.append(f"resnotes @ git+{repo}@v{resnotes.__version__}")
    return "\n".join(lines) + "\n"


def find_chapters(selectors: Sequence[str], root: Path) -> list[Path]:
    """Chapter notebooks for selectors such as ``03``, ``03_residual_blocks`` or a path."""
    notebooks = sorted((root / "chapters").glob("*.ipynb"))
    if not selectors:
        return notebooks
    chosen: list[Path] = []
    for sel in selectors:
        path = Path(sel)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path)
            continue
        matches = [nb for nb in notebooks if nb.stem == sel or nb.stem.startswith(f"{sel}_")]
        if len(matches) != 1:
            found = ", ".join(nb.stem for nb in notebooks) or "none"
            raise StudentError(f"chapter {sel!r} matches {len(matches)} notebooks "
                               f"(chapter notebooks: {found})")
        chosen.append(matches[0])
    return chosen


def build_student(notebook: Path, out: Path, tests_url: str | None = None,
                  run_tests: bool = False) -> Path:
    """Write master, otter assign's student and autograder folders; return the student notebook.

    ``master/`` gets otter's master notebook, the autograder's ``requirements.txt``
    and ``<chapter>_solutions.ipynb`` (every solution, prose and code, and every
    check cell: the answer key). ``run_tests`` makes otter assign execute the
    autograder notebook (at ``RESNOTES_SIZE=smoke``) and fail unless the
    solutions pass every test.
    """
    return build_students([notebook], out, tests_url, run_tests)[0]


def build_students(notebooks: Sequence[Path], out: Path, tests_url: str | None = None,
                   run_tests: bool = False) -> list[Path]:
    """:func:`build_student` for several chapters; their solutions run in one kernel."""
    nbs = {path: json.loads(path.read_text()) for path in notebooks}
    chapters = [(path, parse_chapter(nb, path.stem)) for path, nb in nbs.items()]
    public = public_checks_of(chapters)
    return [_assign(path, nbs[path], chapter, public[path], out, tests_url, run_tests)
            for path, chapter in chapters]


def _assign(notebook: Path, nb: dict[str, Any], chapter: Chapter, public: dict[str, str], out: Path,
            tests_url: str | None, run_tests: bool) -> Path:
    target = out / notebook.stem
    if target.exists():
        shutil.rmtree(target)
    master = target / "master" / notebook.name
    master.parent.mkdir(parents=True)
    requirements = master.parent / "requirements.txt"
    requirements.write_text(grading_requirements())
    master.write_text(json.dumps(master_notebook(nb, chapter, tests_url, run_tests, public,
                                                 requirements.name), indent=1,
                                 ensure_ascii=False) + "\n")
    key = convert_chapter(notebook, Book.load(ROOT), answer_key=True)
    (master.parent / f"{notebook.stem}_solutions.ipynb").write_text(dumps(key))
    # otter assign in this process (its import alone costs seconds, paid once for many chapters),
    # at smoke size for the autograder run that run_tests asks for
    from otter.assign import main as otter_assign

    env = {"RESNOTES_SIZE": "smoke", "RESNOTES_PROGRESS": "0"}
    log = io.StringIO()
    try:
        with scoped_env(env), contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            otter_assign(str(master.resolve()), str(target.resolve()), no_pdfs=True)
    except Exception as e:  # otter raises whatever its steps raise; say which notebook
        raise StudentError(f"otter assign failed on {master}: {type(e).__name__}: {e}\n{log.getvalue()}") from e
    student = target / "student" / notebook.name
    if not student.is_file():
        raise StudentError(f"otter assign wrote no {student}:\n{log.getvalue()}")
    return student


def main(argv: Sequence[str], root: Path | None = None) -> int:
    """``python -m tools student [CHAPTER ...] [--out DIR] [--tests-url URL] [--run-tests]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools student",
                                     description="Student versions of chapter notebooks "
                                                 "(solutions removed, otter-grader checks added).")
    parser.add_argument("chapters", nargs="*",
                        help="chapter numbers or names, e.g. 03 (default: every chapter notebook)")
    parser.add_argument("--out", type=Path, default=Path("_build/student"),
                        help="output folder (default: _build/student)")
    parser.add_argument("--tests-url", default=None,
                        help="URL of a published student tests/ folder, fetched on Colab")
    parser.add_argument("--run-tests", action="store_true",
                        help="let otter assign run the autograder on the solutions (smoke size)")
    args = parser.parse_args(list(argv))
    base = root or Path.cwd()
    try:
        paths = find_chapters(args.chapters, base)
        for path, student in zip(paths, build_students(paths, args.out, args.tests_url, args.run_tests)):
            print(f"{path.stem}: student notebook {student}, tests {student.parent / 'tests'}, "
                  f"autograder {student.parent.parent / 'autograder'}")
    except StudentError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
