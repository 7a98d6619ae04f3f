"""The Chinese plain notebooks: ``python -m tools plain --lang zh`` writes ``notebooks/zh/``.

The same conversion as ``notebooks/en/`` (tools/plain.py), with the prose read
through the Chinese edition's catalogues (``locale/zh_CN/LC_MESSAGES/``, see
tools/i18n.py) on the way:

* every text element of a Markdown cell (paragraph, heading, list item, table
  cell, display math), also inside directives (admonitions, exercises,
  solutions), is replaced by its translation *before* the MyST markup is
  converted. An element is found the way myst-parser finds it: the cell is
  parsed with myst-parser's own markdown-it configuration, and the element's
  message is what Sphinx's gettext builder extracts from it (the inline source,
  newlines as spaces, stripped; display math as it stands), so a message looks
  up exactly the catalogue entry that the Chinese site uses. The token's line
  map locates that source in the cell and the translation takes its place,
  with list and quote prefixes kept. Glue roles, citations and references in
  the translation are then resolved as in English: the numbers are the same
  stored values;
* directive titles (``{admonition} Learning objectives``) are messages too;
* glued text that holds words (a claim's verdict) is translated through
  ``words.po``, whose messages are templates (``_ext/zh_words.py``): the
  English text's numbers go back into the Chinese template; glued numbers are
  pasted unchanged;
* the converter's own words ("Exercise 3.1", "Solution to ...", the line under
  the title) are Chinese, and links into the book point at the Chinese edition
  (``<html.baseurl>zh/...``); a reference without a title reads the
  translation of the heading it names. Citations keep the authors' names
  (He et al. (2016)) and the bibliography stays as the works are published.

Code cells are the English plain notebook's byte for byte (source, outputs,
metadata): the conversion that writes them is the same function. A message
without a translation (empty or fuzzy) is an error that names the notebook,
the cell and the message; ``--allow-missing`` keeps the English for it (for
development, while translators work) and only counts what is missing.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from tools.plain import ROOT, Book, ConversionError, Converter, conversion, dumps

sys.path.insert(0, str(ROOT / "_ext"))
import zh_words  # noqa: E402  (the template form of computed words, shared with the build)

__all__ = ["LANGUAGE", "OUT", "EDITION", "Catalogues", "Translator", "Span", "spans", "translate_myst",
           "ZhConverter", "convert_chapter_zh", "write_plain_zh"]

LANGUAGE = "zh_CN"
OUT = Path("notebooks") / "zh"
EDITION = "zh/"  # the Chinese edition's folder under html.baseurl
WORDS_CATALOGUE = "words"
BY = "python -m tools plain --lang zh (do not edit: edit the chapter or locale/zh_CN, then make plain)"

# Elements that markdown-it ends at the end of their line: a translation's newlines become spaces.
ONE_LINE = {"heading_open", "th_open", "td_open", "dt_open"}


# ---------------------------------------------------------------------------
# Catalogues


@dataclass
class Catalogues:
    """The zh_CN catalogues of a locale folder, loaded when first asked: one per page, and words."""

    locale: Path
    _loaded: dict[str, tuple[dict[str, str], set[str]]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.locale / LANGUAGE / "LC_MESSAGES"

    def _load(self, name: str) -> tuple[dict[str, str], set[str]]:
        if name not in self._loaded:
            self._loaded[name] = zh_words.read_catalogue(self.folder / f"{name}.po")
        return self._loaded[name]

    def translation(self, doc: str, message: str) -> str | None:
        """The translation of a message of page ``doc`` ("chapters/03_residual_blocks")."""
        return self._load(doc)[0].get(message)

    def messages(self, doc: str) -> set[str]:
        """Every live message of page ``doc``'s catalogue, translated or not."""
        return self._load(doc)[1]

    def words(self, template: str) -> str | None:
        """The Chinese template of an English computed-words template (words.po)."""
        return self._load(WORDS_CATALOGUE)[0].get(template)


@dataclass
class Translator:
    """Looks messages up; remembers, with where they occur, those without a translation.

    A missing message reads as its English; :meth:`check` then fails unless
    ``allow_missing``.
    """

    catalogues: Catalogues
    allow_missing: bool = False
    missing: list[tuple[str, str]] = field(default_factory=list)  # (where, message)

    def message(self, doc: str, message: str, where: str) -> str:
        found = self.catalogues.translation(doc, message)
        if found is None:
            self.missing.append((where, message))
            return message
        return found

    def words(self, text: str, where: str) -> str:
        """Computed English text in Chinese (through words.po); text without words as it is."""
        if not zh_words.needs_translation(text):
            return text
        template, numbers = zh_words.template(text)
        found = self.catalogues.words(template)
        if found is None:
            self.missing.append((where, f"words.po: {template}"))
            return text
        try:
            return zh_words.fill(found, numbers)
        except KeyError as e:
            raise ConversionError(f"{where}: words.po's translation of {template!r}: {e}") from None

    def check(self, name: str, shown: int = 20) -> None:
        """Raise :class:`ConversionError` naming the missing messages (unless allowed)."""
        if not self.missing or self.allow_missing:
            return
        lines = [f"  {where}: {_short(message)!r}" for where, message in self.missing[:shown]]
        more = len(self.missing) - shown
        raise ConversionError(
            f"{name}: {len(self.missing)} message(s) without a Chinese translation (empty or fuzzy in "
            f"locale/{LANGUAGE}/LC_MESSAGES; --allow-missing keeps the English):\n" + "\n".join(lines)
            + (f"\n  ... and {more} more" if more > 0 else ""))


def _short(text: str, n: int = 100) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


# ---------------------------------------------------------------------------
# Messages of MyST text, located in it


@lru_cache(maxsize=1)
def _parser() -> Any:
    """myst-parser's markdown-it, configured with the book's MyST extensions (_config.yml)."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = set((config.get("parse") or {}).get("myst_enable_extensions") or [])
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


@dataclass(frozen=True)
class Span:
    """One text element of a MyST text: its message and where its source is (``text[start:end]``)."""

    message: str
    start: int
    end: int
    prefix: str | None  # what continues the element's lines (list indentation, "> "); None: one line
    math: bool = False  # display math: the message is the source itself, newlines and all


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _inline_span(lines: list[str], starts: list[int], token: Any, cursor: int, where: str,
                 one_line: bool) -> Span:
    """The span of an inline token (a paragraph's, heading's or table cell's text)."""
    content = token.content
    parts = content.split("\n")
    first = token.map[0]
    col = lines[first].find(parts[0], max(0, cursor - starts[first]))
    last = first + len(parts) - 1
    end_col = (col if len(parts) == 1 else lines[last].find(parts[-1])) + len(parts[-1])
    if col < 0 or last >= len(lines) or end_col < len(parts[-1]):
        raise ConversionError(f"{where}: cannot find the text {_short(content)!r} in the cell's source")
    prefix = None if one_line else re.sub(r"[^\s>]", " ", lines[first][:col])
    return Span(content.replace("\n", " ").strip(), starts[first] + col, starts[last] + end_col, prefix)


def _math_span(text: str, starts: list[int], token: Any, where: str) -> Span:
    """The span of display math (``$$ ... $$``): what lies between the dollars."""
    begin, stop = starts[token.map[0]], (starts[token.map[1]] if token.map[1] < len(starts) else len(text))
    block = text[begin:stop]
    open_at = block.find("$$") + 2
    close_at = block.rfind("$$")
    if open_at < 2 or close_at < open_at or block[open_at:close_at] != token.content:
        raise ConversionError(f"{where}: cannot find the display math {_short(token.content)!r} in the source")
    return Span(token.content, begin + open_at, begin + close_at, "", math=True)


def spans(text: str, where: str = "?") -> list[Span]:
    """The text elements of MyST text without directives, in order: what gettext extracts.

    A paragraph, heading, list item's paragraph, table cell or definition-list term
    is one inline token; its message is the token's source with newlines as spaces,
    stripped (``node.rawsource`` in Sphinx's ``extract_messages``). Display math
    (``$$``) is a message as it stands. Code fences are not messages; a directive
    here is an error (the converter hands only the prose between directives).
    """
    lines = text.split("\n")
    starts = _line_starts(text)
    found: list[Span] = []
    cursor = 0
    opened = ""
    for token in _parser().parse(text):
        if token.type == "inline" and token.content.strip() and token.map:
            span = _inline_span(lines, starts, token, cursor, where, opened in ONE_LINE)
            found.append(span)
            cursor = span.end
        elif token.type in ("math_block", "math_block_label"):
            found.append(_math_span(text, starts, token, where))
        elif token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            raise ConversionError(f"{where}: the directive {token.info.strip()} is nested where the "
                                  "converter does not look for directives (inside a list or quote)")
        elif token.type in ("html_block", "amsmath"):
            raise ConversionError(f"{where}: a {token.type} has no translation path yet (tools/plain_zh.py)")
        opened = token.type
    return found


def translate_myst(text: str, lookup: Callable[[str], str], where: str = "?") -> str:
    """MyST text (no directives) with each text element replaced by ``lookup(message)``.

    Markup outside the elements (list markers, heading marks, quote marks, table
    pipes, code fences, targets) stays; a translation with newlines continues each
    line with the element's indentation, so it stays inside its list item.
    """
    out: list[str] = []
    last = 0
    for span in spans(text, where):
        translated = lookup(span.message)
        if not span.math:
            translated = translated.strip().replace("\n", " " if span.prefix is None else "\n" + span.prefix)
        out += [text[last:span.start], translated]
        last = span.end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------------------
# The converter in Chinese


class ZhConverter(Converter):
    """The plain-Markdown converter of the Chinese edition (see the module's docstring)."""

    WORDS = {
        "exercise": "练习 {number}",
        "title_sep": "：",
        "solution": "练习 {number} 的解答",
        "continued": "（续）",
        "solution_code": "解答的代码在后面的代码单元格里，直到下一个练习为止。",
    }
    # docutils' and Sphinx's own zh_CN words for admonitions without a title
    ADMONITIONS = {"note": "注解", "tip": "技巧", "hint": "提示", "important": "重要", "warning": "警告",
                   "caution": "小心", "attention": "注意", "danger": "危险", "error": "错误",
                   "seealso": "参见"}

    def __init__(self, book: Book, doc: str, glue: dict[str, dict[str, Any]], translator: Translator,
                 open_solutions: bool = False) -> None:
        super().__init__(book, doc, glue, open_solutions=open_solutions)
        self.tr = translator

    def prose(self, text: str, where: str) -> str:
        return self.roles(translate_myst(text, lambda m: self.tr.message(self.doc, m, where), where), where)

    def title(self, text: str, where: str) -> str:
        return self.roles(self.tr.message(self.doc, text.strip(), where), where)

    def computed(self, text: str, where: str) -> str:
        return self.tr.words(text, where)

    def link(self, doc: str, anchor: str = "") -> str:
        return self.book.url(doc, anchor, edition=EDITION)

    def label_text(self, label: str, where: str) -> str:
        if label in self.book.exercise_labels:
            return self.WORDS["exercise"].format(number=self.book.exercise_labels[label])
        doc, heading = self.book.labels[label]
        return self.tr.message(doc, heading, where)

    def doc_title(self, doc: str, where: str) -> str:
        return self.tr.message(doc, self.book.titles[doc], where)

    def admonition_title(self, name: str) -> str:
        return self.ADMONITIONS.get(name, name.capitalize())

    def provenance(self) -> str:
        where = f"{Path(self.doc).name}.ipynb, the line under the title"
        title = self.doc_title(self.doc, where) if self.doc in self.book.titles else self.doc
        return (f"*这是本书“[{title}]({self.link(self.doc)})”一章的纯 Jupyter 版本。正文里的数字来自 `book` "
                "规模的那次运行，其输出就保存在本笔记本中；换一个 `size` 重新运行，各单元格会打印它们自己算出的数字。*")


# ---------------------------------------------------------------------------
# Notebooks


def convert_chapter_zh(path: Path, translator: Translator,
                       book: Book | None = None) -> tuple[dict[str, Any], ZhConverter]:
    """The Chinese plain notebook of one chapter, and its converter (what it pasted).

    Raises :class:`ConversionError` naming every message without a translation,
    unless the translator allows missing ones.
    """
    translator.missing = []

    def make(book: Book, doc: str, glue: dict[str, dict[str, Any]], open_solutions: bool = False) -> ZhConverter:
        return ZhConverter(book, doc, glue, translator, open_solutions=open_solutions)

    nb, conv = conversion(path, book or Book.load(ROOT), False, make, BY)
    nb["metadata"]["resnotes"]["language"] = LANGUAGE
    translator.check(f"notebooks/zh/{path.name}")
    assert isinstance(conv, ZhConverter)
    return nb, conv


def write_plain_zh(chapters: Sequence[Path], out: Path, locale: Path = ROOT / "locale",
                   allow_missing: bool = False) -> list[tuple[Path, int]]:
    """Write each chapter's Chinese plain notebook to ``out``: (path, messages left in English)."""
    book = Book.load(ROOT)
    translator = Translator(Catalogues(locale), allow_missing=allow_missing)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        nb, _ = convert_chapter_zh(path, translator, book)
        target = out / path.name
        target.write_text(dumps(nb))
        written.append((target, len(translator.missing)))
    return written
