"""The built site, as a reader's browser meets it: headless Chromium over a local server.

Every page loads without console errors or requests leaving the machine, its
math is typeset by the site's own MathJax, every image loads, search finds
each chapter, internal links resolve, and each Colab button opens the right
notebook. A full-page screenshot of every page is saved for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SKIP = {"genindex.html"}  # generated index: nothing of the book's own on it


def _pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith(("_", "mathjax")) and p.name not in SKIP)


def _chapter_pages(site: Path) -> list[str]:
    return [p for p in _pages(site) if p.startswith("chapters/")]


def test_site_has_every_chapter_and_appendix(site: Path) -> None:
    pages = _pages(site)
    assert len(_chapter_pages(site)) == 7, pages
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


def test_every_page_loads_renders_math_and_images(site: Path, server: str, browser: Any,
                                                  screenshots: Path) -> None:
    problems: list[str] = []
    pages = _pages(site)
    for path in pages:
        page, errors, external = _visit(browser, server, path)
        # the errors of the aborted external requests are reported once, as external
        errors = [e for e in errors if not any(u in e for u in external)]
        problems += [f"{path}: {e}" for e in errors]
        problems += [f"{path}: requests a resource from outside the site: {u}" for u in external]
        if page.locator(".math").count():
            try:
                page.wait_for_selector("mjx-container", timeout=15000)
            except Exception:
                problems.append(f"{path}: has math but MathJax typeset none of it")
            if page.locator("mjx-merror").count():
                problems.append(f"{path}: MathJax reports {page.locator('mjx-merror').count()} errors")
        broken = page.evaluate("""() => [...document.images]
            .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))""")
        problems += [f"{path}: image does not load: {src}" for src in broken]
        shot = screenshots / (path.replace("/", "__").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=True)
        page.context.close()
    assert not problems, "\n".join(problems)
    assert len(list(screenshots.glob("*.png"))) >= len(pages)


def test_chapter_pages_show_figures_and_typeset_math(site: Path, server: str, browser: Any) -> None:
    """Not vacuous: the chapter notebooks produce figures and math, and both show."""
    total_images = total_math = 0
    for path in _chapter_pages(site):
        page, _, _ = _visit(browser, server, path)
        if page.locator(".math").count():
            page.wait_for_selector("mjx-container", timeout=15000)
        total_math += page.locator("mjx-container").count()
        total_images += page.evaluate("() => [...document.images].filter(i => i.naturalWidth > 0).length")
        page.context.close()
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
