"""The book as PDF: print the built HTML site with headless Chromium.

    python -m tools.pdf _build/html            # (make book and make test run this)

Writes ``<site>/pdf/<chapter>.pdf`` for every chapter and ``<site>/pdf/resnotes.pdf``
(the introduction, every chapter and the appendices, in the table of contents'
order), so that the published site serves them; the pages link to them (see
``_ext/site_fixes.py``). Each page is printed as a reader's browser shows it,
after MathJax has typeset its math, with its figures embedded as images, the
navigation and the hidden code cells left out and the solutions opened. The
browser is Debian's ``chromium`` (or ``$CHROMIUM``), driven by Playwright, the
same as the site test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK_PDF = "resnotes.pdf"

# What a printed page leaves out or opens: the theme's navigation and buttons,
# the link to the PDFs themselves; solutions (closed dropdowns on the site) open.
PRINT_CSS = """
@media print {
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article,
  .bd-footer-content, .header-article, .prev-next-area, .resnotes-pdf, .resnotes-skip-link,
  .resnotes-lang, .headerlink, .toggle-details__summary .tb-icon, button.toggle-button,
  .cell.tag_hide-input > details.hide { display: none !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-article { max-width: 100% !important;
    width: 100% !important; padding: 0 !important; margin: 0 !important; }
  .cell_output img { max-width: 100% !important; break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; break-inside: avoid; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  .cell_output, .cell_input, div.highlight, figure, table { break-inside: avoid; }
  * { box-shadow: none !important; }  /* Chromium would embed each shadow as an image */
}
"""
# Solutions (sphinx-togglebutton admonitions) open, as the toggle button would;
# code cells the site hides (tag hide-input: the Colab set-up) are left out.
OPEN_ALL = """() => {
  document.querySelectorAll('details.toggle-details').forEach(d => d.open = true);
  document.querySelectorAll('.admonition.toggle.toggle-hidden').forEach(e =>
      e.classList.remove('toggle-hidden'));
}"""
TYPESET = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map(i => i.complete ? null : i.decode().catch(() => null)));
}"""


def toc_pages(root: Path = ROOT) -> list[str]:
    """Document names in the table of contents' order (root first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages


# headless, and nothing that reaches for the network (tools/pdf.py and the site tests)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
T = TypeVar("T")
R = TypeVar("R")


def side_by_side(work: Callable[[list[T]], R], items: list[T]) -> list[R]:
    """``work`` on every other item in each of two threads (each with a browser of its own, for
    Playwright's sync API is one per thread): a browser's work on a page uses one core."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        parts = [pool.submit(work, items[i::2]) for i in (0, 1)]
        return [part.result() for part in parts]


def chapter_pdf(docname: str) -> str:
    """The file name of a chapter's PDF (``chapters/03_residual_blocks`` -> ``03_residual_blocks.pdf``)."""
    return Path(docname).name + ".pdf"


def _chromium() -> str:
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("error: no chromium for printing the PDFs: install Debian's `chromium` "
                 "(apt-get install chromium) or set $CHROMIUM")
    return exe


def build(site: Path, root: Path = ROOT) -> dict[str, Path]:
    """Print the site's pages; return {docname: PDF path} plus the whole book under ``""``."""
    import pikepdf

    site = site.resolve()
    out = site / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    docs = [d for d in toc_pages(root) if (site / f"{d}.html").is_file()]
    missing = [d for d in toc_pages(root) if d not in docs]
    if missing:
        sys.exit(f"error: {site} lacks the built pages {missing}: build the book first")
    tmp = out / ".pages"
    tmp.mkdir(exist_ok=True)
    printed = {d: out / chapter_pdf(d) if d.startswith("chapters/") else tmp / chapter_pdf(d) for d in docs}
    side_by_side(lambda part: _print(site, part), list(printed.items()))
    # the pages in one file with a bookmark per page of the site (pikepdf, that is qpdf: pypdf took
    # 20 s to merge the Chinese pages, whose embedded CJK fonts hold large arrays, pikepdf 1 s)
    with pikepdf.Pdf.new() as book:
        with book.open_outline() as outline:
            for doc in docs:
                with pikepdf.Pdf.open(printed[doc]) as part:
                    outline.root.append(pikepdf.OutlineItem(_title(site / f"{doc}.html") or doc,
                                                            len(book.pages)))
                    book.add_pages_from(part)
        book.docinfo["/Title"] = _title(site / "intro.html") or "resnotes"
        book.save(out / BOOK_PDF)
    shutil.rmtree(tmp)
    printed = {d: path for d, path in printed.items() if d.startswith("chapters/")}
    printed[""] = out / BOOK_PDF
    return printed


def _print(site: Path, pages: list[tuple[str, Path]]) -> None:
    """Print each (docname, target) of ``pages`` with a browser of this thread's own (Playwright's
    sync API is one per thread), as a reader's browser shows the page, after its math is typeset."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        for doc, target in pages:
            page = context.new_page()
            page.goto((site / f"{doc}.html").as_uri(), wait_until="load")
            page.add_style_tag(content=PRINT_CSS)
            page.evaluate(OPEN_ALL)
            page.evaluate(TYPESET)
            page.pdf(path=str(target), format="A4", print_background=True,
                     margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                     '<span class="pageNumber"></span></div>')
            page.close()
        browser.close()


def _title(html: Path) -> str:
    from bs4 import BeautifulSoup

    h1 = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find("h1")
    return h1.get_text(" ", strip=True).rstrip("#").strip() if h1 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="the built site (a folder holding index.html)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    written = build(args.site)
    book = written[""]
    import pikepdf

    with pikepdf.Pdf.open(book) as pdf:
        pages = len(pdf.pages)
    print(f"PDF: {len(written) - 1} chapters and the book ({pages} pages, "
          f"{book.stat().st_size / 1e6:.1f} MB) in {args.site / 'pdf'}, "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
