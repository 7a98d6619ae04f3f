"""Sphinx extension: small fixes to what Jupyter Book 1.x puts in every page.

* Two extensions register their inline scripts twice (sphinx-thebe's
  ``const THEBE_JS_URL = ...`` and sphinx-togglebutton's selector); the second
  ``const`` is a JavaScript error on every page. Keep the first copy of each
  inline script.
* The pydata theme reads the colour mode from ``localStorage`` with an empty
  default, and logs an error on every first visit. Default to the light mode
  (the book's figures have white backgrounds); readers can still switch.
* Accessibility (axe-core, in tests/site): Sphinx marks bibliography entries
  ``role="doc-biblioentry"`` inside a ``role="list"``, a deprecated role that
  leaves the list without items (axe: critical); they become list items. Empty
  table header cells (pandas' corner cell) become plain cells. The book's title
  link in the sidebar sits outside every landmark (axe: moderate); the template
  ``_ext/templates/navbar-logo.html`` wraps it in a ``<nav>``.
* The header bar above every page (``_ext/templates/sections/header.html``)
  is left empty. sphinx-book-theme 1.3 with pydata-sphinx-theme 0.17 fills it
  with a second search field and a second pair of sidebar toggles, hidden,
  which come first in the page: the themes' scripts bind the first toggle
  only, so the visible one did nothing, and on a narrow screen the contents
  could not be opened (upstream: sphinx-book-theme issues 986, 999). The
  book theme shows its toggles, search and buttons in the article header.
* A link to the PDF of the chapter and of the whole book (``tools/pdf.py``
  writes them into ``pdf/`` of the built site) under the title of the
  introduction and of each chapter.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from sphinx.application import Sphinx


_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;|&#160;)*</th>")
BOOK_PDF = "pdf/resnotes.pdf"  # tools/pdf.py writes these
CHAPTER_PDF = "pdf/{stem}.pdf"


def _pdf_links(pagename: str, context: dict[str, Any], tr: Callable[[str], str]) -> str:
    pathto = context["pathto"]
    links = []
    if pagename.startswith("chapters/"):
        links.append(f'<a href="{pathto(CHAPTER_PDF.format(stem=PurePosixPath(pagename).name), 1)}">'
                     f"{tr('this chapter as PDF')}</a>")
    links.append(f'<a href="{pathto(BOOK_PDF, 1)}">{tr("the whole book as PDF")}</a>')
    return f'<p class="resnotes-pdf">{tr("Print or read offline:")} {" · ".join(links)}</p>'


def _fix_body(pagename: str, context: dict[str, Any], tr: Callable[[str], str] = str) -> None:
    body = context.get("body")
    if not body:
        return
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    body = _EMPTY_TH.sub(lambda m: f"<td{m.group(1) or ''}></td>", body)
    if pagename == context.get("root_doc", "intro") or pagename.startswith("chapters/"):
        body = body.replace("</h1>", "</h1>\n" + _pdf_links(pagename, context, tr), 1)
    context["body"] = body


def _fix_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
             doctree: Any) -> None:
    from editions import translator  # the Chinese edition's words (identity in English)

    tr = translator(app)
    _fix_body(pagename, context, lambda text: tr(text, pagename))
    if not context.get("default_mode"):
        context["default_mode"] = "light"  # the pydata theme's html_context setting
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "",
               str(attributes.get("body", "")) if "body" in attributes else repr(attributes))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept  # in place: later handlers and Sphinx keep the same list


def _add_templates(app: Sphinx, config: Any) -> None:
    # first, before the theme's components, so that ours wrap theirs
    config.templates_path.insert(0, str(Path(__file__).parent / "templates"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _fix_page, priority=900)  # after the others
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
