"""The built site, as a reader's browser meets it: headless Chromium over a local server.

Every page loads without console errors or requests leaving the machine, its
math is typeset by the site's own MathJax, every image loads, search finds
each chapter, internal links resolve, and each Colab button opens the right
notebook. A full-page screenshot of every page is saved for people to look at.

Accessibility: axe-core (the copy PyPI's ``axe-playwright-python`` ships, injected
into each page; nothing is fetched) finds no critical or serious violation on
any page, every figure has a description in words as its alt text, a keyboard
reaches each page's main content through the skip link, and the solutions open
from the keyboard. The book's PDFs (``tools/pdf.py``) hold every chapter's
title, a number the chapter computed, and its figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image

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


def _content_pages(site: Path) -> list[str]:
    """The pages a reader reads: all but redirects (index.html sends the browser to the intro)."""
    return [p for p in _pages(site) if 'http-equiv="Refresh"' not in (site / p).read_text()[:2000]]


def test_site_has_every_chapter_and_appendix(site: Path) -> None:
    pages = _pages(site)
    assert len(_chapter_pages(site)) == len(list((ROOT / "chapters").glob("*.ipynb"))) == 8, pages
    assert {"index.html", "intro.html", "search.html", "appendices/references.html",
            "appendices/execution_status.html"} <= set(pages)


def _visit(browser: Any, server: str, page_path: str) -> tuple[Any, list[str], list[str]]:
    """Open a page; return it with its console errors and any request that left localhost."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    return page, errors, external


@dataclass
class Visit:
    """What one visit of a page found (every browser check of the page runs in that visit)."""

    problems: list[str] = field(default_factory=list)  # console errors, external requests, math, images
    math: int = 0  # formulas MathJax typeset
    images: int = 0  # images that loaded
    axe: list[dict[str, Any]] | None = None  # axe-core's violations (content pages)
    keyboard: str | None = None  # why the keyboard fails to reach the main content (content pages)
    solution: str | None = None  # why a solution fails to open from the keyboard (chapter pages)
    solution_opened: bool = False


def _load_checks(page: Any, path: str, errors: list[str], external: list[str], visit: Visit) -> None:
    # the errors of the aborted external requests are reported once, as external
    errors = [e for e in errors if not any(u in e for u in external)]
    visit.problems += [f"{path}: {e}" for e in errors]
    visit.problems += [f"{path}: requests a resource from outside the site: {u}" for u in external]
    if page.locator(".math").count():
        try:
            page.wait_for_selector("mjx-container", timeout=15000)
        except Exception:
            visit.problems.append(f"{path}: has math but MathJax typeset none of it")
        if page.locator("mjx-merror").count():
            visit.problems.append(f"{path}: MathJax reports {page.locator('mjx-merror').count()} errors")
    broken = page.evaluate("""() => [...document.images]
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))""")
    visit.problems += [f"{path}: image does not load: {src}" for src in broken]
    visit.math = page.locator("mjx-container").count()
    visit.images = page.evaluate("() => [...document.images].filter(i => i.naturalWidth > 0).length")


def _keyboard_check(page: Any, path: str) -> str | None:
    """From a freshly loaded page: the first Tab reaches a skip link, which leads into the main content."""
    page.keyboard.press("Tab")
    first = page.evaluate("() => [document.activeElement.textContent.trim(), "
                          "document.activeElement.getAttribute('href')]")
    if not (first[1] or "").startswith("#") or "main" not in first[0].lower():
        return f"{path}: the first Tab reaches {first}, not a skip link to the main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    if not page.evaluate("() => !!document.activeElement.closest('main, [role=main]')"):
        where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        return f"{path}: after the skip link, Tab reaches {where}, outside the main content"
    return None


def _solution_check(page: Any, path: str, visit: Visit) -> None:
    """A solution's toggle is reached by Tab and opens, closes and opens again from the keyboard."""
    solution = page.locator(".solution.dropdown").first
    if not solution.count():
        return
    body = solution.locator(":scope > :not(.admonition-title)").first
    if body.is_visible():
        visit.solution = f"{path}: a solution shows before it is opened"
        return
    if not _tab_until(page, "e.matches('.solution.dropdown .admonition-title button')"):
        visit.solution = f"{path}: Tab never reaches a solution's toggle"
        return
    for key, visible in (("Enter", True), ("Enter", False), ("Space", True)):
        page.keyboard.press(key)
        try:  # the toggle animates: wait for the state it should reach, not a fixed time
            body.wait_for(state="visible" if visible else "hidden", timeout=5000)
        except Exception:
            visit.solution = f"{path}: {key} does not {'open' if visible else 'close'} it"
            return
    visit.solution_opened = True


@pytest.fixture(scope="session")
def tour(site: Path, server: str, browser: Any, screenshots: Path) -> dict[str, Visit]:
    """Every page of both editions visited once, in a fresh browser context, and checked in
    that visit (the keyboard checks on the English pages only: same theme, same markup).

    In this order, so that no check sees what an earlier one did to the page: load
    (console errors, external requests, math typeset, images loaded), a full-page
    screenshot, axe-core (reads the page, moves no focus), then the keyboard from
    the top of the page (skip link) and, on a chapter page, on to the first
    solution's toggle.
    """
    visits: dict[str, Visit] = {}
    content = set(_content_pages(site))
    for path in _pages(site):
        visit = visits[path] = Visit()
        page, errors, external = _visit(browser, server, path)
        _load_checks(page, path, errors, external, visit)
        shot = screenshots / (path.replace("/", "__").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=True)
        if path in content:
            visit.axe = axe_audit(page)
            if path.startswith("zh/"):  # the same theme and markup: its keyboard paths are the English ones
                page.context.close()
                continue
            visit.keyboard = _keyboard_check(page, path)
            if path.startswith("chapters/"):
                if visit.keyboard is not None:  # start the tour to the solution from the top again
                    page.reload(wait_until="load")
                _solution_check(page, path, visit)
        page.context.close()
    return visits


def test_every_page_loads_renders_math_and_images(site: Path, tour: dict[str, Visit],
                                                  screenshots: Path) -> None:
    pages = _pages(site)
    problems = [p for path in pages for p in tour[path].problems]
    assert not problems, "\n".join(problems)
    assert len(list(screenshots.glob("*.png"))) >= len(pages)


def test_chapter_pages_show_figures_and_typeset_math(site: Path, tour: dict[str, Visit]) -> None:
    """Not vacuous: the chapter notebooks produce figures and math, and both show."""
    total_images = sum(tour[p].images for p in _chapter_pages(site))
    total_math = sum(tour[p].math for p in _chapter_pages(site))
    assert total_images >= 5 and total_math >= 5, (total_images, total_math)


def test_search_finds_each_chapter_by_its_title(site: Path, server: str, browser: Any) -> None:
    missing: list[str] = []
    for path in _chapter_pages(site):
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
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
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
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
            soup = BeautifulSoup(target.read_text(), "html.parser")
            ids[target] = {t["id"] for t in soup.find_all(id=True)}
        return ids[target]

    for path in _pages(site):
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
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


def test_colab_buttons_open_the_right_notebook(site: Path) -> None:
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"].get("branch", "main")
    book = CONFIG["repository"].get("path_to_book", "").strip("/")
    checked = 0
    for path in _chapter_pages(site):
        source = Path(path).with_suffix(".ipynb")
        if not (ROOT / book / source).is_file():
            continue  # only notebook pages get launch buttons
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
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
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
        for img in soup.select("article img"):  # the page's own images, not the theme's buttons
            figures += 1
            why = alt_problem(img.get("alt"))
            if why:
                problems.append(f"{path}: <img src={img.get('src')!r}>: {why}")
    assert figures >= 15, f"only {figures} figures in the chapters"
    assert not problems, "\n".join(problems)


# --- axe-core and the keyboard ---------------------------------------------------------

AXE_JS = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_audit(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the open page (after its math is typeset)."""
    page.evaluate("""async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                                     await MathJax.startup.promise; }""")
    page.add_script_tag(content=AXE_JS)
    result = page.evaluate("""async () => await axe.run(document, {resultTypes: ['violations']})""")
    return [dict(id=v["id"], impact=v["impact"], help=v["help"], nodes=len(v["nodes"]),
                 example=v["nodes"][0]["target"] if v["nodes"] else None)
            for v in result["violations"]]


def test_axe_finds_no_serious_violations(site: Path, tour: dict[str, Visit], screenshots: Path) -> None:
    report: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for path in _content_pages(site):
        violations = tour[path].axe
        assert violations is not None, f"{path}: axe-core did not run"
        report[path] = {impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
                        for impact in IMPACTS}
        problems += [f"{path}: {v['impact']} {v['id']} ({v['help']}) x{v['nodes']}, e.g. {v['example']}"
                     for v in violations if v["impact"] in ("critical", "serious")]
    (screenshots / "axe.json").write_text(json.dumps(report, indent=1) + "\n")
    assert len(report) >= 12
    assert not problems, "\n".join(problems)


def _tab_until(page: Any, predicate: str, limit: int = 400) -> bool:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!(e && ({predicate})); }}"):
            return True
    return False


def test_keyboard_reaches_main_content(site: Path, tour: dict[str, Visit]) -> None:
    problems = [tour[p].keyboard for p in _content_pages(site) if tour[p].keyboard]
    assert not problems, "\n".join(p for p in problems if p)


def test_solutions_open_from_the_keyboard(site: Path, tour: dict[str, Visit]) -> None:
    problems = [tour[p].solution for p in _chapter_pages(site) if tour[p].solution]
    assert not problems, "\n".join(p for p in problems if p)
    opened = sum(tour[p].solution_opened for p in _chapter_pages(site))
    assert opened >= 3, f"solutions opened from the keyboard on only {opened} chapter pages"


# --- the book as PDF ---------------------------------------------------------------------

def _glued_number(site: Path, path: str) -> str:
    """A number the chapter's code computed and the build pasted into its text."""
    soup = BeautifulSoup((site / path).read_text(), "html.parser")
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


def test_pdfs_hold_titles_numbers_and_figures(site: Path) -> None:
    from pypdf import PdfReader

    import tools.pdf as pdf

    book = PdfReader(site / "pdf" / pdf.BOOK_PDF)
    book_images = _image_sizes(book)
    book_text = " ".join(p.extract_text() or "" for p in book.pages)
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731 (PDF text breaks lines anywhere)
    problems: list[str] = []
    for path in _chapter_pages(site):
        file = site / "pdf" / pdf.chapter_pdf(path.removesuffix(".html"))
        reader = PdfReader(file)
        text = " ".join(p.extract_text() or "" for p in reader.pages)
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
        title = re.sub(r"^[\d.]+\s*", "", soup.find("h1").get_text(" ", strip=True).rstrip("#").strip())
        number = _glued_number(site, path)
        embedded = _image_sizes(reader)
        figures = [Image.open((site / path).parent / img["src"]).size
                   for img in soup.select(".cell_output img")]
        for where, content in ((file.name, text), (pdf.BOOK_PDF, book_text)):
            if squash(title) not in squash(content):
                problems.append(f"{where}: lacks the title {title!r}")
            if number not in content:
                problems.append(f"{where}: lacks the number {number} from {path}")
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
        soup = BeautifulSoup((site / path).read_text(), "html.parser")
        hrefs = {a["href"] for a in soup.select(".resnotes-pdf a[href]")}
        targets = {((site / path).parent / h).resolve() for h in hrefs}
        assert (site / "pdf" / "resnotes.pdf").resolve() in targets, f"{path}: no link to the book's PDF"
        if path.startswith("chapters/"):
            own = site / "pdf" / (Path(path).stem + ".pdf")
            assert own.resolve() in targets, f"{path}: no link to its own PDF"
