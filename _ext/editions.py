"""Sphinx extension: the English and the Chinese edition of one book.

Both editions are built from the same notebooks and the same jupyter-cache
(``make book``: English at ``_build/html/``, Chinese at ``_build/html/zh/``,
see ``tools/i18n.py``). This extension, loaded by both, does what gettext alone
does not:

* **A language switch on every page**, to the same page in the other edition
  (``<p class="resnotes-lang">`` under the page's title, and a
  ``<link rel="alternate" hreflang=...>`` in its head).
* **Words the code computes, in the reader's language** (Chinese edition only):
  glued text (``{glue:text}`` of a string: a claim's verdict, the wording that
  the data chose), prose that a cell displays as Markdown, figure descriptions (alt text, ``_ext/figure_alt.py``), and the
  text that other extensions write (the claims ledger, the run records, the PDF
  links) go through ``locale/zh_CN/LC_MESSAGES/words.po``, whose messages are
  templates with the numbers as placeholders (``_ext/zh_words.py``). A text
  without a translation is a warning (an error under ``-W``): no English slips
  into the Chinese pages unannounced. Every text looked up is listed in
  ``<build>/words-used.json``, from which ``make locale`` makes ``words.pot``.

Config values: ``resnotes_edition`` (``"en"`` or ``"zh"``), ``resnotes_words_po``
(the Chinese words catalogue), ``resnotes_other_edition`` (the relative path from
this edition's root to the other's: ``"zh/"`` or ``"../"``).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

import zh_words

LOGGER = logging.getLogger(__name__)
SWITCH = {"en": ("zh-Hans", "中文版"), "zh": ("en", "English edition")}
LABEL = {"en": "Read this page in", "zh": "本页的另一版本："}


class Words:
    """English computed text -> the reader's language, through the template catalogue."""

    def __init__(self, po: Path | None, strict: bool = True) -> None:
        self.strict = strict
        self.table: dict[str, str] = {}
        self.used: dict[str, set[str]] = {}
        self.missing: set[str] = set()
        self._lock = threading.Lock()
        if po is not None:
            self.table = zh_words.read_catalogue(po)[0]

    def __call__(self, text: str, docname: str = "", location: Any = None) -> str:
        if not zh_words.needs_translation(text):
            return text
        key, numbers = zh_words.template(text)
        with self._lock:
            self.used.setdefault(docname, set()).add(key)
        if key not in self.table:
            if key not in self.missing:
                self.missing.add(key)
                message = ("no Chinese for the computed text %r: run `make locale` and translate it "
                           "in locale/zh_CN/LC_MESSAGES/words.po")
                if self.strict:
                    LOGGER.warning(message, key, location=location, type="resnotes", subtype="words")
                else:  # smoke size: its runs pick other words (a class, a side); it says so
                    LOGGER.info(message + " (kept in English at size smoke)", key, location=location)
            return text
        return zh_words.fill(self.table[key], numbers)


def translator(app: Sphinx) -> Callable[..., str]:
    """What other extensions call on text they write: identity in English."""
    words = getattr(app, "resnotes_words", None)
    return words if words is not None else (lambda text, docname="", location=None: text)


SKIP_IN_OUTPUT = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw,
                  nodes.FixedTextElement)


def _ancestors(node: nodes.Node, stop: nodes.Node) -> list[nodes.Node]:
    found = []
    parent = node.parent
    while parent is not None and parent is not stop:
        found.append(parent)
        parent = parent.parent
    return found


class TranslateComputedText(SphinxPostTransform):
    """Glued text and figure descriptions of a Chinese page, after glue is resolved."""

    default_priority = 50  # myst-nb's cross-document glue runs at 5

    def apply(self, **kwargs: Any) -> None:
        words = getattr(self.app, "resnotes_words", None)
        if words is None:
            return
        doc = self.env.docname
        for node in list(self.document.findall(nodes.inline)):
            if "pasted-text" in node.get("classes", []):
                text = node.astext()
                new = words(text, doc, node)
                if new != text:
                    node.children = [nodes.Text(new)]
        # prose that a cell displays as Markdown and the page's catalogue does not translate
        # (it changed since make locale): its text pieces, not its code, math or raw HTML
        for output in self.document.findall(nodes.container):
            if "cell_output" not in output.get("classes", []):
                continue
            for text in list(output.findall(nodes.Text)):
                ancestors = _ancestors(text, output)
                if (any(isinstance(a, SKIP_IN_OUTPUT) for a in ancestors) or zh_words.CJK.search(text)
                        or any(a.get("translated") for a in ancestors if isinstance(a, nodes.Element))):
                    continue  # code, or already translated by the page's catalogue
                new = words(str(text), doc, text.parent)
                if new != str(text):
                    text.parent.replace(text, nodes.Text(new))
        for image in self.document.findall(nodes.image):
            if image.get("resnotes_alt"):
                image["alt"] = words(image["alt"], doc, image)


def _captions(app: Sphinx, doctree: nodes.document) -> None:
    """Chinese edition: the table of contents' part captions (sphinx-external-toc adds the
    toctrees after Sphinx has translated the page, so their captions need this)."""
    if app.config.resnotes_edition != "zh":
        return
    from sphinx import addnodes

    table = _page_catalogue(app, app.env.docname)[0]
    for tree in (t for t in doctree.findall(addnodes.toctree) if t.get("caption")):
        caption = tree["caption"]
        if caption in table:
            tree["caption"] = table[caption]
        else:
            LOGGER.warning("untranslated part caption %r (run `make locale`, then translate)", caption,
                           location=tree, type="resnotes", subtype="untranslated")


def _page_catalogue(app: Sphinx, docname: str) -> tuple[dict[str, str], set[str]]:
    """A page's catalogue (``locale/zh_CN/LC_MESSAGES/<page>.po``), read once per build:
    its usable translations and all its English messages."""
    cache = app.__dict__.setdefault("_resnotes_catalogues", {})
    if docname not in cache:
        cache[docname] = zh_words.read_catalogue(
            Path(app.srcdir) / "locale" / app.config.language / "LC_MESSAGES" / f"{docname}.po")
    return cache[docname]


def _in_output(node: nodes.Node) -> bool:
    """Inside a notebook cell's output (code's output is not prose to translate)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.container) and (
                {"cell_output", "output"} & set(parent.get("classes", []))):
            return True
        parent = parent.parent
    return False


def _untranslated(app: Sphinx, doctree: nodes.document) -> None:
    """Chinese edition: a warning for each message of the page that the catalogue lacks
    (English prose changed and ``make locale`` was not run): no English slips through."""
    if app.config.resnotes_edition != "zh":
        return
    from sphinx.util.nodes import extract_messages

    translated, known = _page_catalogue(app, app.env.docname)
    for node, msg in extract_messages(doctree):
        if node.get("translated") or _in_output(node) or not zh_words.LETTERS.search(msg):
            continue
        if msg not in translated:
            where = ("no catalogue" if not known else "not in its catalogue" if msg not in known
                     else "untranslated or fuzzy in its catalogue")
            LOGGER.warning("untranslated (%s: run `make locale`, then translate): %r", where,
                           msg[:120], location=node, type="resnotes", subtype="untranslated")


def _setup_words(app: Sphinx) -> None:
    if app.config.resnotes_edition == "zh":
        po = Path(app.config.resnotes_words_po) if app.config.resnotes_words_po else None
        # At size smoke (make test) a run's words may be ones the book-size run never
        # produced (another class is worst, another side): missing ones are listed in
        # words-missing.json and kept in English; at book and full size they are errors.
        strict = os.environ.get("RESNOTES_SIZE", "book") != "smoke"
        app.resnotes_words = Words(po, strict)  # type: ignore[attr-defined]


def _save_used(app: Sphinx, exception: Exception | None) -> None:
    words = getattr(app, "resnotes_words", None)
    if words is None or exception is not None:
        return
    path = Path(app.outdir).parent / "words-used.json"
    try:
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        old = {}
    # pages not written in this (incremental) build keep their earlier lists
    old.update({doc: sorted(keys) for doc, keys in words.used.items()})
    path.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    missing = Path(app.outdir).parent / "words-missing.json"
    missing.write_text(json.dumps(sorted(words.missing), indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")


def switch_href(edition: str, pagename: str, other: str) -> str:
    """The same page in the other edition, relative to this page."""
    up = "../" * pagename.count("/")
    return f"{up}{other}{pagename}.html"


def _switch(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
            doctree: Any) -> None:
    edition = app.config.resnotes_edition
    lang, label = SWITCH[edition]
    href = switch_href(edition, pagename, app.config.resnotes_other_edition)
    link = (f'<p class="resnotes-lang">{LABEL[edition]} <a href="{href}" hreflang="{lang}" '
            f'lang="{lang}">{label}</a></p>')
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{lang}" href="{href}" />')
    body = context.get("body")
    if body is None:
        return
    context["body"] = body.replace("</h1>", "</h1>\n" + link, 1) if "</h1>" in body else link + body


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("resnotes_edition", "en", "env", [str])
    app.add_config_value("resnotes_words_po", "", "env", [str])
    app.add_config_value("resnotes_other_edition", "zh/", "html", [str])
    app.connect("builder-inited", _setup_words)
    app.connect("doctree-read", _untranslated)
    app.connect("doctree-read", _captions)
    app.add_post_transform(TranslateComputedText)
    app.connect("html-page-context", _switch, priority=950)  # after site_fixes' 900
    app.connect("build-finished", _save_used)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
