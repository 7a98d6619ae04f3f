"""The built site, as a reader's browser meets it: headless Chromium over a local server.

Search finds each chapter (in both editions), internal links resolve, each Colab
button opens the right notebook, every figure has a description in words as its
alt text, and the book's PDFs (``tools/pdf.py``) hold every chapter's title, a
number the chapter computed, and its figures. The visit of every page (loads,
math, images, screenshots, axe-core, keyboard) is test_tour.py's.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from PIL import Image

from parsed import soup as parsed

ROOT = Path(__file__).resolve().parents[2]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SKIP = {"genindex.html"}  # generated index: nothing of the book's own on it


def _pages(site: Path) -> list[str]:
    """Every page of both editions (the Chinese one in zh/), not the theme's own files."""
    def own(rel: Path) -> bool:
        parts = rel.parts[1:] if rel.parts[0] == "zh" else rel.parts
        return not parts[0].startswith(("_", "mathjax")) and rel.name not in SKIP

    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if own(p.relative_to(site)))


def _chapter_pages(site: Path) -> list[str]:
    return [p for p in _pages(site) if p.startswith("chapters/")]


_REFRESH = re.compile(r'<meta http-equiv="Refresh" content="\d+;\s*url=([^"]+)"', re.I)


def _redirects(site: Path) -> dict[str, str]:
    """The pages that send the browser on (index.html: a meta refresh to the intro), each with the
    page it leads to, relative to the site."""
    found = {}
    for path in _pages(site):
        refresh = _REFRESH.search((site / path).read_text(encoding="utf-8")[:2000])
        if refresh:
            found[path] = (PurePosixPath(path).parent / refresh.group(1)).as_posix()
    return found


def _content_pages(site: Path) -> list[str]:
    """The pages a reader reads: all but redirects."""
    redirects = _redirects(site)
    return [p for p in _pages(site) if p not in redirects]


def test_site_has_every_chapter_and_appendix(site: Path) -> None:
    pages = _pages(site)
    assert len(_chapter_pages(site)) == len(list((ROOT / "chapters").glob("*.ipynb"))) == 8, pages
    assert {"index.html", "intro.html", "search.html", "appendices/references.html",
            "appendices/execution_status.html"} <= set(pages)
    # the redirects the visits wait through (_visit's leads_to), in both editions
    assert _redirects(site) == {"index.html": "intro.html", "zh/index.html": "zh/intro.html"}


def _visit(browser: Any, server: str, page_path: str, width: int = 1280,
           leads_to: str | None = None) -> tuple[Any, list[str], list[str]]:
    """Open a page; return it with its console errors and any request that left localhost.

    ``leads_to``: the page a redirect page sends the browser on to (:func:`_redirects`). Its meta
    refresh navigates after the page's own load event, so the visit waits for that page too, or a
    check would run in a document the browser is tearing down ("Execution context was destroyed").
    """
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    external: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))

    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    response = page.goto(f"{server}/{page_path}", wait_until="load")
    assert response is not None and response.ok, f"{page_path}: HTTP {response and response.status}"
    if leads_to is not None:
        page.wait_for_url(f"{server}/{leads_to}", wait_until="load", timeout=15000)
    return page, errors, external


def test_search_finds_each_chapter_by_its_title(site: Path, server: str, browser: Any) -> None:
    missing: list[str] = []
    for path in _chapter_pages(site):
        soup = parsed(site / path)
        title = soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", re.sub(r"^[\d.]+\s*", "", title))]
        query = " ".join(words[:3])
        page, _, _ = _visit(browser, server, f"search.html?q={query}")
        page.wait_for_selector("#search-results .search-summary", timeout=20000)
        hrefs = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
        if not any(h and h.split("#")[0].split("?")[0].endswith(path) for h in hrefs):
            missing.append(f"{path}: search for {query!r} gave {hrefs[:5]}")
        page.context.close()
    assert not missing, "\n".join(missing)


def test_chinese_search_finds_each_chapter_by_a_chinese_word_of_its_title(
        site: Path, server: str, browser: Any) -> None:
    """Sphinx's Chinese search (jieba splits the words) on the Chinese edition, zh/."""
    import jieba

    missing: list[str] = []
    chapters = sorted(p.relative_to(site).as_posix() for p in (site / "zh" / "chapters").glob("*.html"))
    assert len(chapters) == len(_chapter_pages(site)), chapters
    for path in chapters:
        soup = parsed(site / path)
        title = soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
        words = sorted((w for w in jieba.cut(title) if re.fullmatch(r"[\u3400-\u9fff]{2,}", w)),
                       key=len, reverse=True)
        assert words, f"{path}: no Chinese word in its title {title!r}"
        page, _, _ = _visit(browser, server, f"zh/search.html?q={words[0]}")
        page.wait_for_selector("#search-results .search-summary", timeout=20000)
        hrefs = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
        if not any(h and h.split("#")[0].split("?")[0].endswith(path.removeprefix("zh/")) for h in hrefs):
            missing.append(f"{path}: search for {words[0]!r} gave {hrefs[:5]}")
        page.context.close()
    assert not missing, "\n".join(missing)


def test_internal_links_resolve(site: Path) -> None:
    broken: list[str] = []
    ids: dict[Path, set[str]] = {}

    def ids_of(target: Path) -> set[str]:
        if target not in ids:
            soup = parsed(target)
            ids[target] = {t["id"] for t in soup.find_all(id=True)}
        return ids[target]

    for path in _pages(site):
        soup = parsed(site / path)
        for a in soup.find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (site / path).parent / unquote(parts.path) if parts.path else site / path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path}: {href} -> missing file")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
                broken.append(f"{path}: {href} -> no element with id {parts.fragment!r}")
    assert not broken, "\n".join(broken[:40])


def test_every_page_has_one_pair_of_sidebar_toggles_and_one_search_field(site: Path) -> None:
    """The theme's header bar stays empty (_ext/site_fixes.py): its hidden toggles came first in the
    page and took the themes' click handlers from the visible ones."""
    problems = []
    for path in _content_pages(site):
        soup = parsed(site / path)
        counts = {c: len(soup.select(f"button.{c}")) for c in ("primary-toggle", "secondary-toggle",
                                                                "search-button-field")}
        if counts["primary-toggle"] != 1 or counts["secondary-toggle"] > 1 or counts["search-button-field"] != 1:
            problems.append(f"{path}: {counts}")
        if soup.select("#pst-header *"):
            problems.append(f"{path}: the header bar is not empty")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 600])
def test_the_sidebar_button_hides_or_opens_the_contents(server: str, browser: Any, width: int) -> None:
    """On a wide screen the article header's button hides the contents sidebar; on a narrow one, where
    the sidebar is hidden, it opens the contents in a dialog."""
    page, errors, _ = _visit(browser, server, "chapters/03_residual_blocks.html", width=width)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible() == (width >= 992)
    page.locator(".bd-header-article .primary-toggle").click()
    if width >= 992:
        page.wait_for_function("() => document.querySelector('#pst-primary-sidebar')"
                               ".classList.contains('pst-sidebar-hidden')", timeout=5000)
    else:
        dialog = page.locator("dialog#pst-primary-sidebar-modal[open]")
        dialog.wait_for(state="visible", timeout=5000)
        assert dialog.get_by_role("link", name="Residual learning").first.is_visible()
    assert not errors, errors
    page.context.close()


def test_colab_buttons_open_the_right_notebook(site: Path) -> None:
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"].get("branch", "main")
    book = CONFIG["repository"].get("path_to_book", "").strip("/")
    checked = 0
    for path in _chapter_pages(site):
        source = Path(path).with_suffix(".ipynb")
        if not (ROOT / book / source).is_file():
            continue  # only notebook pages get launch buttons
        soup = parsed(site / path)
        links = [a["href"] for a in soup.find_all("a", href=True) if "colab.research.google.com" in a["href"]]
        # the plain-Jupyter version (tools/plain.py), which Colab renders without MyST
        plain = Path("notebooks/en") / source.name
        assert (ROOT / book / plain).is_file(), f"{path}: no plain notebook {plain}"
        expected = (f"{CONFIG['launch_buttons']['colab_url']}/github/{repo}/blob/{branch}/"
                    f"{(book + '/') if book else ''}{plain.as_posix()}")
        assert links == [expected], f"{path}: Colab links {links}, expected [{expected}]"
        checked += 1
    assert checked >= 1


# --- figures described in words -------------------------------------------------------

_FILE_NAME = re.compile(r"(^|[/\\])[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}|^[\w./-]*/[\w./-]*$",
                        re.IGNORECASE)


def alt_problem(alt: str | None) -> str | None:
    """Why ``alt`` does not describe a figure (None when it does)."""
    text = (alt or "").strip()
    if not text:
        return "no alt text"
    if _FILE_NAME.search(text) or " " not in text:
        return f"alt text is a file name: {text[:60]!r}"
    if len(text.split()) < 5:
        return f"alt text too short to describe a figure: {text!r}"
    return None


def test_alt_problem_tells_descriptions_from_file_names() -> None:
    assert alt_problem("../_images/63ee2d20aa.png")
    assert alt_problem("63ee2d20aa1b2c3d4e5f60718293a4b5")
    assert alt_problem("") and alt_problem(None) and alt_problem("figure")
    assert alt_problem("_build/jupyter_execute/x.png")
    assert alt_problem("Training loss against epoch for plain and residual networks.") is None


def test_every_figure_has_a_description(site: Path) -> None:
    problems: list[str] = []
    figures = 0
    for path in _chapter_pages(site):
        soup = parsed(site / path)
        for img in soup.select("article img"):  # the page's own images, not the theme's buttons
            figures += 1
            why = alt_problem(img.get("alt"))
            if why:
                problems.append(f"{path}: <img src={img.get('src')!r}>: {why}")
    assert figures >= 15, f"only {figures} figures in the chapters"
    assert not problems, "\n".join(problems)


# --- the book as PDF ---------------------------------------------------------------------

def _glued_number(site: Path, path: str) -> str:
    """A number the chapter's code computed and the build pasted into its text."""
    soup = parsed(site / path)
    numbers = [t for t in (s.get_text(strip=True) for s in soup.select(".pasted-text"))
               if re.fullmatch(r"-?\d[\d,]*(\.\d+)?(e[+-]?\d+)?%?", t) and len(t) >= 4]
    if not numbers:
        pytest.fail(f"{path}: no glued number of four or more characters in the page")
    return max(numbers, key=lambda t: ("." in t, len(t)))  # the most specific one


def _image_sizes(reader: Any) -> set[tuple[int, int]]:
    """(width, height) in pixels of every image embedded in a PDF (as the figures' PNGs are)."""
    sizes: set[tuple[int, int]] = set()

    def collect(resources: Any) -> None:
        for ref in (resources or {}).get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.add((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":  # images drawn inside a form
                collect(obj.get("/Resources"))

    for page in reader.pages:
        collect(page.get("/Resources"))
    return sizes


def _content(page: Any) -> bytes:
    """A PDF page's content stream, decoded (what it draws and writes, and where)."""
    stream = page.get_contents()
    return b"" if stream is None else stream.get_data()


def test_pdfs_hold_titles_numbers_and_figures(site: Path) -> None:
    from pypdf import PdfReader

    import tools.pdf as pdf

    book = PdfReader(site / "pdf" / pdf.BOOK_PDF)
    book_images = _image_sizes(book)
    # the book holds each chapter's pages as they are in the chapter's PDF (the same content
    # streams, from the page its bookmark names on): what the chapter's text holds, the book's does
    contents = [_content(p) for p in book.pages]
    starts = {o.title: book.get_destination_page_number(o) for o in book.outline if not isinstance(o, list)}
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731 (PDF text breaks lines anywhere)
    problems: list[str] = []
    for path in _chapter_pages(site):
        file = site / "pdf" / pdf.chapter_pdf(path.removesuffix(".html"))
        reader = PdfReader(file)
        text = " ".join(p.extract_text() or "" for p in reader.pages)
        soup = parsed(site / path)
        title = re.sub(r"^[\d.]+\s*", "", soup.find("h1").get_text(" ", strip=True).rstrip("#").strip())
        number = _glued_number(site, path)
        embedded = _image_sizes(reader)
        figures = [Image.open((site / path).parent / img["src"]).size
                   for img in soup.select(".cell_output img")]
        if squash(title) not in squash(text):
            problems.append(f"{file.name}: lacks the title {title!r}")
        if number not in text:
            problems.append(f"{file.name}: lacks the number {number} from {path}")
        heading = soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
        start = starts.get(heading)
        mine = [_content(p) for p in reader.pages]
        if start is None:
            problems.append(f"{pdf.BOOK_PDF}: no bookmark {heading!r} (has {sorted(starts)})")
        elif contents[start:start + len(mine)] != mine:
            problems.append(f"{pdf.BOOK_PDF}: the pages from its bookmark {heading!r} on are not {file.name}'s")
        missing = [size for size in figures if size not in embedded]
        if not figures or missing:
            problems.append(f"{file.name}: of {len(figures)} figures, those of {missing} pixels "
                            "are not embedded as images")
        book_missing = [size for size in figures if size not in book_images]
        if book_missing:
            problems.append(f"{pdf.BOOK_PDF}: lacks {path}'s figures of {book_missing} pixels")
    assert not problems, "\n".join(problems)


def test_pages_link_to_their_pdf(site: Path) -> None:
    for path in ["intro.html", *_chapter_pages(site)]:
        soup = parsed(site / path)
        hrefs = {a["href"] for a in soup.select(".resnotes-pdf a[href]")}
        targets = {((site / path).parent / h).resolve() for h in hrefs}
        assert (site / "pdf" / "resnotes.pdf").resolve() in targets, f"{path}: no link to the book's PDF"
        if path.startswith("chapters/"):
            own = site / "pdf" / (Path(path).stem + ".pdf")
            assert own.resolve() in targets, f"{path}: no link to its own PDF"
