"""Plain-Jupyter notebooks from the chapters: ``python -m tools plain [CHAPTER ...]``.

The chapters are MyST notebooks: their prose holds glue roles (numbers pasted
in from the code), citations, cross references and directives (learning
objectives, exercises, solutions, bibliographies) that only the book build
renders. On Colab, in JupyterLab or on GitHub the same notebook shows that
markup raw. This converter writes, for each ``chapters/NN_name.ipynb``, a
``notebooks/en/NN_name.ipynb`` that reads well there:

* glue roles become the values stored in the chapter's outputs (its book-size
  run), formatted as myst-nb formats them; one line under the title says so;
* ``{admonition} Learning objectives`` becomes a bold heading and its list;
  other admonitions become block quotes;
* ``{exercise}`` becomes a section "Exercise N.k", numbered as in the book;
  ``{solution}`` and ``{solution-start}`` ... ``{solution-end}`` become
  collapsed ``<details>`` blocks (solution code cells stay code cells, with
  JupyterLab's "source hidden" flag);
* ``{footcite:p}``/``{footcite:t}`` become author-year text from
  ``references.bib`` and ``{footbibliography}`` the list of the chapter's
  cited works;
* ``{ref}``, ``{numref}`` and ``{doc}`` become links into the published book
  (``html.baseurl`` of ``_config.yml``).

Code cells are the chapter's, byte for byte, with their stored outputs (less
the invisible glue records); cells tagged ``remove-cell`` (the autograder's
check cells among them) are dropped. Any MyST role or directive the converter
does not know is an error, so none can slip through unconverted.

The same :class:`Converter` turns the prose of the student versions
(``tools/student.py``) into plain Markdown, and, with its prose read through
the Chinese catalogues, writes ``notebooks/zh/`` (``--lang zh``; ``--lang all``
writes both, as ``make plain`` does; see ``tools/plain_zh.py``).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from ast import literal_eval
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = Path("notebooks") / "en"

__all__ = ["ConversionError", "Book", "Converter", "glue_values", "format_glue", "convert_chapter",
           "conversion", "write_plain", "with_provenance", "fence_end", "FENCE", "DIRECTIVE", "MYST_ROLE",
           "MYST_DIRECTIVE", "main"]

# What counts as MyST markup left in a plain notebook (the tests use these).
MYST_ROLE = re.compile(r"\{[A-Za-z][\w:.-]*\}`")
MYST_DIRECTIVE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}|:{3,})\s*\{[A-Za-z][\w:.-]*\}", re.M)

FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[A-Za-z][\w:.-]*)\}\s*(?P<arg>.*)$")


def fence_end(lines: list[str], start: int, fence: str) -> int:
    """The index of the line that closes the fence opened at ``lines[start]`` (``len(lines)``
    if none): a line of the same character at least as long (CommonMark, as MyST reads it)."""
    close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    j = start + 1
    while j < len(lines) and not close.match(lines[j]):
        j += 1
    return j
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.-]*)\}`(?P<text>[^`]*)`")
_TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=\s*$")
_TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")
ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution",
               "attention", "danger", "error", "seealso"}
REMOVE_TAGS = {"remove-cell"}


class ConversionError(ValueError):
    """The chapter holds markup the converter cannot turn into plain Markdown."""


def _src(cell: dict[str, Any]) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def _lines(text: str) -> list[str]:
    """nbformat's on-disk form of a cell's source: lines that keep their newlines."""
    return text.splitlines(keepends=True)


# ---------------------------------------------------------------------------
# The book: base URL, labels, bibliography


def _latex_text(text: str) -> str:
    from pybtex.backends.plaintext import Backend
    from pybtex.richtext import Text

    # render(Backend()), not render_as("text"): render_as looks the backend up among every
    # installed distribution's entry points on each call, 22 s for the bibliography's 635 calls
    return str(Text.from_latex(text).render(Backend()))


@dataclass
class Reference:
    key: str
    label: str  # "He et al."
    year: str
    entry: str  # the bibliography line (Markdown)


@dataclass
class Book:
    """What the converter needs to know about the whole book."""

    root: Path
    base_url: str
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (docname, text)
    titles: dict[str, str] = field(default_factory=dict)  # docname -> title
    numbers: dict[str, int] = field(default_factory=dict)  # chapter docname -> chapter number
    references: dict[str, Reference] = field(default_factory=dict)
    exercise_labels: dict[str, str] = field(default_factory=dict)  # exercise label -> "3.1"

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, root: Path = ROOT) -> "Book":
        config = yaml.safe_load((root / "_config.yml").read_text())
        base = (config.get("html") or {}).get("baseurl") or _pages_url(config["repository"]["url"])
        book = cls(root, base.rstrip("/") + "/")
        toc = yaml.safe_load((root / "_toc.yml").read_text())
        number = 0
        for doc, numbered in [(toc["root"], False), *_toc_docs(toc)]:
            path = next((root / f"{doc}{ext}" for ext in (".ipynb", ".md")
                         if (root / f"{doc}{ext}").is_file()), None)
            if path is None:
                continue
            if numbered:
                number += 1
                book.numbers[doc] = number
            book._index(doc, path)
        book.references = _bibliography(root / "references.bib")
        return book

    def _index(self, doc: str, path: Path) -> None:
        if path.suffix == ".ipynb":
            texts = [_src(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
        else:
            texts = [path.read_text()]
        exercise = 0
        pending: str | None = None
        for text in texts:
            for line in text.splitlines():
                if m := _TARGET.match(line.strip()):
                    pending = m.group("label")
                    continue
                heading = re.match(r"^(#{1,6})\s+(.*)$", line)
                if heading:
                    if doc not in self.titles and heading.group(1) == "#":
                        self.titles[doc] = heading.group(2).strip()
                    if pending:
                        self.labels[pending] = (doc, heading.group(2).strip())
                    pending = None
                elif line.strip():
                    pending = None if not line.strip().startswith("(") else pending
            for name, arg, options, _body in _directives(text):
                if name == "exercise":
                    exercise += 1
                    if "label" in options:
                        number = self.exercise_number(doc, exercise)
                        self.labels[options["label"]] = (doc, f"Exercise {number}")
                        self.exercise_labels[options["label"]] = number

    def exercise_number(self, doc: str, k: int) -> str:
        """How the book numbers the k-th exercise of a document: "3.2" in chapter 3."""
        return f"{self.numbers[doc]}.{k}" if doc in self.numbers else str(k)

    def url(self, doc: str, anchor: str = "", edition: str = "") -> str:
        """A page of the published book; ``edition`` is the folder of a translation ("zh/")."""
        return f"{self.base_url}{edition}{doc}.html" + (f"#{anchor}" if anchor else "")


def _pages_url(repository: str) -> str:
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repository)
    if not m:
        raise ConversionError(f"cannot derive a GitHub Pages URL from {repository!r}; "
                              "set html.baseurl in _config.yml")
    return f"https://{m.group(1).lower()}.github.io/{m.group(2)}/"


def _toc_docs(toc: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    for part in toc.get("parts", [{"chapters": toc.get("chapters", []), "numbered": False}]):
        for chapter in part.get("chapters", []):
            yield chapter["file"], bool(part.get("numbered"))


def _bibliography(path: Path) -> dict[str, Reference]:
    import pybtex.database

    out: dict[str, Reference] = {}
    for key, entry in pybtex.database.parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [_latex_text(" ".join(p.prelast_names + p.last_names)) for p in people]
        et_al = any(str(p) == "others" for p in people)
        last = [n for n, p in zip(last, people) if str(p) != "others"]
        if len(last) == 1 and not et_al:
            label = last[0]
        elif len(last) == 2 and not et_al:
            label = f"{last[0]} and {last[1]}"
        else:
            label = f"{last[0]} et al." if last else key
        year = entry.fields.get("year", "n.d.")
        names = []
        for p in people:
            if str(p) == "others":
                names.append("et al.")
                continue
            initials = " ".join(f"{_latex_text(n)[0]}." for n in p.first_names + p.middle_names)
            names.append(f"{_latex_text(' '.join(p.prelast_names + p.last_names))}, {initials}".rstrip(", "))
        authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]
        f = entry.fields
        title = _latex_text(f.get("title", key))
        venue = _latex_text(f.get("booktitle") or f.get("journal") or f.get("publisher") or f.get("howpublished", ""))
        parts = [f"{authors} ({year}).", f"*{title}*" + ("" if title.endswith(("?", "!", ".")) else ".")]
        if venue:
            parts.append(("In " if entry.type == "inproceedings" else "") + venue
                         + (f", pp. {f['pages'].replace('--', '–')}" if "pages" in f else "") + ".")
        if "note" in f:
            parts.append(_latex_text(f["note"]) + ".")
        link = f.get("url") or (f"https://doi.org/{f['doi']}" if "doi" in f else "")
        if link:
            parts.append(f"<{link}>")
        out[key] = Reference(key, label, year, " ".join(parts))
    return out


# ---------------------------------------------------------------------------
# Glue


def glue_values(nb: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The glued values stored in a notebook's outputs: key -> mime bundle (prefix removed)."""
    out: dict[str, dict[str, Any]] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = len(meta.get("mime_prefix", ""))
            out[meta["name"]] = {k[prefix:]: ("".join(v) if isinstance(v, list) else v)
                                 for k, v in o.get("data", {}).items()}
    return out


def format_glue(text: str, spec: str) -> str:
    """``{glue:text}`key:spec``` as myst-nb renders it (myst_nb.core.variables.format_plain_text)."""
    try:
        value: Any = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if spec == "":
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, spec)


# ---------------------------------------------------------------------------
# Markdown


def _directives(text: str) -> Iterator[tuple[str, str, dict[str, str], str]]:
    """The top-level MyST directives of a Markdown text: (name, argument, options, body)."""
    for kind, *rest in _blocks(text, "?"):
        if kind == "directive":
            yield rest[0], rest[1], rest[2], rest[3]


def _blocks(text: str, where: str) -> Iterator[tuple[Any, ...]]:
    """("text", lines) and ("directive", name, arg, options, body) blocks, in order.

    A fence closes on a line of the same character at least as long (CommonMark,
    as MyST reads it); fences that are not directives (code) stay text.
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
        if not d:
            prose += lines[i:j + 1]
            i = j + 1
            continue
        if j == len(lines):
            raise ConversionError(f"{where}: the {fence}{{{d.group('name')}}} fence is never closed")
        if prose:
            yield ("text", prose)
        prose = []
        body = lines[i + 1:j]
        options: dict[str, str] = {}
        while body and (o := _OPTION.match(body[0])):
            options[o.group("key")] = o.group("value")
            body = body[1:]
        yield ("directive", d.group("name"), d.group("arg").strip(), options, "\n".join(body).strip("\n"))
        i = j + 1
    if prose:
        yield ("text", prose)


def _quote(text: str) -> str:
    return "\n".join(f"> {ln}".rstrip() for ln in text.splitlines())


class Converter:
    """Turns one chapter's MyST Markdown into plain Markdown (state: exercises, citations).

    The converter's own words are :attr:`WORDS`, and the methods between "hooks"
    and "roles" are where a translated edition (tools/plain_zh.py) changes it:
    they leave the English edition's text as it is.
    """

    WORDS = {
        "exercise": "Exercise {number}",
        "title_sep": ": ",
        "solution": "Solution to Exercise {number}",
        "continued": " (continued)",
        "solution_code": "Its code is in the code cells that follow, up to the next exercise.",
    }

    def __init__(self, book: Book, doc: str, glue: dict[str, dict[str, Any]], open_solutions: bool = False) -> None:
        self.book = book
        self.open_solutions = open_solutions  # the instructors' answer key: solutions shown
        self.doc = doc
        self.glue = glue
        self.exercises: dict[str, str] = {}  # label -> "3.1"
        self.cited: list[str] = []
        self.unresolved: list[str] = []
        self.in_solution: str | None = None
        self.pasted: list[tuple[str, str]] = []  # (glue key, text) as pasted, in order

    # -- hooks: what a translated edition changes
    def prose(self, text: str, where: str) -> str:
        """A chunk of MyST prose (no directives) as plain Markdown."""
        return self.roles(text, where)

    def title(self, text: str, where: str) -> str:
        """An exercise's or admonition's title (the directive's argument) as plain Markdown."""
        return self.roles(text, where)

    def computed(self, text: str, where: str) -> str:
        """A glued value's text as pasted (the English edition pastes it as it is)."""
        return text

    def link(self, doc: str, anchor: str = "") -> str:
        """The URL of a page (and anchor) of the book."""
        return self.book.url(doc, anchor)

    def label_text(self, label: str, where: str) -> str:
        """What a reference to ``label`` reads when it gives no title: a heading, "Exercise 3.1"."""
        return self.book.labels[label][1]

    def doc_title(self, doc: str, where: str) -> str:
        return self.book.titles[doc]

    def admonition_title(self, name: str) -> str:
        """The title of an admonition that has none of its own ("Note" for ``{note}``)."""
        return name.capitalize()

    def provenance(self) -> str:
        """The line under the chapter's title: where its numbers come from."""
        return provenance_line(self.book, self.doc)

    # -- roles
    def roles(self, text: str, where: str) -> str:
        out: list[str] = []
        last = 0
        in_code, code_ticks = False, ""
        for m in re.finditer(r"`+|" + _ROLE.pattern, text):
            token = m.group(0)
            if m.group("name") is None:  # a backtick run: inline code toggles
                if not in_code or token == code_ticks:
                    in_code, code_ticks = (not in_code), token
                continue
            if in_code:
                continue
            out.append(text[last:m.start()])
            out.append(self.role(m.group("name"), m.group("text"), where))
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def role(self, name: str, text: str, where: str) -> str:
        if name in ("glue:text", "glue", "glue:", "glue:any", "glue:md"):
            key, spec = (text.rsplit(":", 1) if ":" in text else (text, ""))
            if name == "glue:text":
                spec = spec or "s"
            elif name in ("glue", "glue:", "glue:any"):
                key, spec = text, ""
            if "::" in key:
                raise ConversionError(f"{where}: glue from another document ({text}) is not supported")
            data = self.glue.get(key)
            if data is None:
                raise ConversionError(f"{where}: {{{name}}}`{text}` has no stored glue output "
                                      "(store the chapter's outputs: make store)")
            if name == "glue:md":
                if "text/markdown" not in data:
                    raise ConversionError(f"{where}: glue {key!r} has no text/markdown")
                return self._paste(key, str(data["text/markdown"]).strip(), where)
            if "text/plain" not in data:
                raise ConversionError(f"{where}: glue {key!r} has no text/plain to paste")
            return self._paste(key, format_glue(str(data["text/plain"]), spec if name == "glue:text" else ""),
                               where)
        if name in ("footcite:p", "footcite:t", "cite:p", "cite:t", "footcite", "cite"):
            keys = [k.strip() for k in text.split(",") if k.strip()]
            refs = []
            for k in keys:
                if k not in self.book.references:
                    raise ConversionError(f"{where}: citation {k!r} is not in references.bib")
                if k not in self.cited:
                    self.cited.append(k)
                refs.append(self.book.references[k])
            if name.endswith(":t"):
                return "; ".join(f"{r.label} ({r.year})" for r in refs)
            return "(" + "; ".join(f"{r.label}, {r.year}" for r in refs) + ")"
        if name in ("ref", "numref", "doc"):
            m = _TITLED.match(text)
            title, target = (m.group("title"), m.group("target")) if m else ("", text)
            if name == "doc":
                doc = str(Path(self.doc).parent / target) if not target.startswith("/") else target[1:]
                doc = str(Path(doc)).replace("\\", "/")
                doc = _normalise(doc)
                if doc not in self.book.titles:
                    raise ConversionError(f"{where}: {{doc}}`{text}` names no document of the book")
                return f"[{title or self.doc_title(doc, where)}]({self.link(doc)})"
            if target not in self.book.labels:
                raise ConversionError(f"{where}: {{{name}}}`{text}`: unknown label {target!r}")
            doc = self.book.labels[target][0]
            label_text = self.label_text(target, where)
            if name == "numref" and title:
                title = title.replace("%s", label_text.split()[-1]).replace("{number}", label_text.split()[-1])
            return f"[{title or label_text}]({self.link(doc, target)})"
        if name == "math":
            return f"${text}$"
        raise ConversionError(f"{where}: the MyST role {{{name}}} has no plain-Markdown form yet "
                              "(add it to tools/plain.py)")

    def _paste(self, key: str, text: str, where: str) -> str:
        pasted = self.computed(text, where)
        self.pasted.append((key, pasted))
        return pasted

    # -- directives
    def markdown(self, text: str, where: str, student: bool = False) -> str:
        """A Markdown cell's text as plain Markdown (solutions dropped when ``student``).

        The prose of a ``solution-start`` ... ``solution-end`` solution in one cell
        becomes one collapsed ``<details>`` block; its code cells follow it.
        """
        parts: list[str] = []
        details: list[str] | None = None  # prose of the open solution, in this cell
        opened_here = False

        def flush() -> None:
            nonlocal details
            if details is not None and not student and self.in_solution:
                note = self.WORDS["solution_code"] if opened_here else ""
                parts.append(self._details([*details, note], self.in_solution, continued=not opened_here))
            details = None

        for block in _blocks(text, where):
            if block[0] == "text":
                lines = [ln for ln in block[1] if not _TARGET.match(ln.strip())]
                chunk = "\n".join(lines).strip("\n")
                if not chunk.strip():
                    continue
                if self.in_solution:
                    details = (details or []) + [self.prose(chunk, where)]
                else:
                    parts.append(self.prose(chunk, where))
                continue
            _, name, arg, options, body = block
            flush()
            if name == "solution-start":
                self.in_solution, opened_here = arg, True
                details = [self.markdown(body, where)] if body.strip() else []
                continue
            parts.append(self.directive(name, arg, options, body, where, student))
        flush()
        return "\n\n".join(p for p in parts if p.strip()).strip("\n")

    def _details(self, prose: list[str], label: str, continued: bool = False) -> str:
        number = self.exercises.get(label, "?")
        inner = "\n\n".join(p for p in prose if p.strip())
        summary = self.WORDS["solution"].format(number=number) + (self.WORDS["continued"] if continued else "")
        tag = "<details open>" if self.open_solutions else "<details>"
        return f"{tag}\n<summary>{summary}</summary>\n\n{inner}\n\n</details>"

    def exercise_heading(self, label: str, title: str = "") -> str:
        heading = self.WORDS["exercise"].format(number=self.exercises[label])
        return f"### {heading}" + (f"{self.WORDS['title_sep']}{self.title(title, label)}" if title else "")

    def directive(self, name: str, arg: str, options: dict[str, str], body: str, where: str,
                  student: bool) -> str:
        if name == "exercise":
            label = options.get("label", f"_ex{len(self.exercises) + 1}")
            self.exercises[label] = self.book.exercise_number(self.doc, len(self.exercises) + 1)
            return f"{self.exercise_heading(label, arg)}\n\n{self.markdown(body, where, student)}"
        if name == "solution":
            return "" if student else self._details([self.markdown(body, where)], arg)
        if name == "solution-end":
            self.in_solution = None
            return ""
        if name in ADMONITIONS:
            title = self.title(arg, where) if arg else ("" if name == "admonition" else self.admonition_title(name))
            inner = self.markdown(body, where, student)
            if arg.strip().lower() == "learning objectives":
                return f"**{title}**\n\n{inner}"
            return _quote(f"**{title}**\n\n{inner}" if title else inner)
        if name == "footbibliography":
            if not self.cited:
                return ""
            refs = sorted((self.book.references[k] for k in self.cited),
                          key=lambda r: (r.label.lower(), r.year, r.key))
            return "\n".join(f"- {r.entry}" for r in refs)
        if name in ("code-cell", "code-block", "code", "sourcecode"):
            return f"```{arg}\n{body}\n```"
        if name == "math":
            return f"$$\n{body}\n$$"
        raise ConversionError(f"{where}: the MyST directive {{{name}}} has no plain-Markdown form yet "
                              "(add it to tools/plain.py)")


def _normalise(doc: str) -> str:
    parts: list[str] = []
    for p in doc.split("/"):
        if p == "..":
            parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


# ---------------------------------------------------------------------------
# Notebooks


def provenance_line(book: Book, doc: str) -> str:
    return (f"*This is the plain-Jupyter version of a chapter of the book "
            f"[{book.titles.get(doc, doc)}]({book.url(doc)}). The numbers in its text come from the "
            "book-size run whose outputs are stored here; re-run it at another `size` and the cells "
            "print their own.*")


def with_provenance(text: str, line: str) -> str:
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if ln.startswith("# "):
            return "\n".join(lines[:i + 1] + ["", line] + lines[i + 1:])
    return f"{line}\n\n{text}"


def _visible_outputs(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outputs less myst-nb's glue records (a mime prefix no viewer renders)."""
    return [o for o in outputs if not o.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")]


BY = "python -m tools plain (do not edit: edit the chapter, then make plain)"


def convert_chapter(path: Path, book: Book | None = None, answer_key: bool = False) -> dict[str, Any]:
    """The plain notebook of one chapter notebook (see the module's docstring).

    ``answer_key``: the instructors' version (tools/student.py's ``master/``):
    solutions open, solution code not collapsed, and the check cells kept.
    """
    return conversion(path, book or Book.load(ROOT), answer_key)[0]


def conversion(path: Path, book: Book, answer_key: bool = False,
               converter: Callable[..., Converter] = Converter, by: str = BY) -> tuple[dict[str, Any], Converter]:
    """:func:`convert_chapter`'s notebook and the converter that made it (what it pasted).

    ``converter`` is called as ``converter(book, doc, glue, open_solutions=...)``: a translated
    edition passes its own (tools/plain_zh.py); ``by`` is what the metadata says made the file.
    """
    nb = json.loads(path.read_text())
    doc = f"chapters/{path.stem}"
    conv = converter(book, doc, glue_values(nb), open_solutions=answer_key)
    cells: list[dict[str, Any]] = []
    first_markdown = True
    for index, cell in enumerate(nb["cells"]):
        where = f"{path.name}, cell {index}"
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_TAGS and not (answer_key and "check" in tags):
            continue
        if cell["cell_type"] == "markdown":
            text = conv.markdown(_src(cell), where)
            if first_markdown:
                line = conv.provenance()
                if answer_key:
                    line = ("**Answer key, for instructors only**: every solution, with the check "
                            "cells (tagged `check`) that the autograder's hidden tests run.\n\n" + line)
                text = with_provenance(text, line)
                first_markdown = False
            if text.strip():
                cells.append({"cell_type": "markdown", "metadata": copy.deepcopy(cell.get("metadata", {})),
                              "source": _lines(text)})
        elif cell["cell_type"] == "code":
            new = copy.deepcopy(cell)
            new["outputs"] = _visible_outputs(new.get("outputs", []))
            if conv.in_solution and not answer_key:  # collapsed in JupyterLab, like the book's dropdown
                new.setdefault("metadata", {})["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
            cells.append(new)
        else:
            cells.append(copy.deepcopy(cell))
    if conv.in_solution:
        raise ConversionError(f"{path.name}: solution-start {conv.in_solution} has no solution-end")
    metadata = copy.deepcopy(nb.get("metadata", {}))
    metadata["resnotes"] = {"generated_from": f"chapters/{path.name}", "by": by}
    return {"cells": cells, "metadata": metadata, "nbformat": nb.get("nbformat", 4),
            "nbformat_minor": nb.get("nbformat_minor", 5)}, conv


def dumps(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def write_plain(chapters: Sequence[Path], out: Path) -> list[Path]:
    book = Book.load(ROOT)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        target = out / path.name
        target.write_text(dumps(convert_chapter(path, book)))
        written.append(target)
    return written


def main(argv: Sequence[str]) -> int:
    """``python -m tools plain [CHAPTER ...] [--lang en|zh|all] [--out DIR] [--allow-missing]``."""
    from tools.student import StudentError, find_chapters

    parser = argparse.ArgumentParser(prog="python -m tools plain",
                                     description="Plain-Jupyter notebooks (Colab, JupyterLab, GitHub) "
                                                 "from the chapter notebooks.")
    parser.add_argument("chapters", nargs="*", help="chapter numbers or names (default: every chapter)")
    parser.add_argument("--lang", choices=("en", "zh", "all"), default="en",
                        help="en: notebooks/en; zh: notebooks/zh, the prose through locale/zh_CN "
                             "(tools/plain_zh.py); all: both (make plain)")
    parser.add_argument("--out", type=Path, help="output folder (default: notebooks/<lang>; one language only)")
    parser.add_argument("--locale", type=Path, default=ROOT / "locale",
                        help="the catalogues' folder for --lang zh (default: locale)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="--lang zh: keep the English of messages without a translation (development "
                             "only: never commit such notebooks) instead of failing")
    args = parser.parse_args(list(argv))
    langs = ["en", "zh"] if args.lang == "all" else [args.lang]
    if args.out and len(langs) > 1:
        parser.error("--out names the folder of one language")
    try:
        chapters = find_chapters(args.chapters, ROOT)
        for lang in langs:
            out = args.out or ROOT / "notebooks" / lang
            if lang == "en":
                for target in write_plain(chapters, out):
                    print(f"wrote {target}")
                continue
            from tools.plain_zh import write_plain_zh

            for target, missing in write_plain_zh(chapters, out, args.locale, args.allow_missing):
                print(f"wrote {target}" + (f" ({missing} message(s) left in English)" if missing else ""))
    except (ConversionError, StudentError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0

