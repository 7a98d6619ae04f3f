"""The tour: every page of both editions, as a reader's browser meets it (headless Chromium over
a local server), each checked in one visit.

Every page loads without console errors or requests leaving the machine, its math is typeset by
the site's own MathJax, every image loads; a screenshot of every page is saved for people to look
at (full-page for the English edition, the first screen for the Chinese one). axe-core (the copy
PyPI's ``axe-playwright-python`` ships, injected into each page; nothing is fetched) finds no
critical or serious violation on any page, a keyboard reaches each page's main content through
the skip link, and the solutions open from the keyboard.

In a file of its own so that ``make test`` (pytest-xdist, ``--dist loadfile``) makes the tour once,
on one worker, while the other tests of the site run on the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from test_browser import _chapter_pages, _content_pages, _pages, _redirects, _visit
from tools.pdf import CHROMIUM_ARGS, side_by_side


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


def _tour_page(browser: Any, server: str, path: str, leads_to: str | None, screenshots: Path) -> Visit:
    """One page's visit, in a fresh browser context, in this order, so that no check sees what an
    earlier one did to the page: load (console errors, external requests, math typeset, images
    loaded), a screenshot, axe-core (reads the page, moves no focus), then the keyboard from the
    top of the page (skip link) and, on a chapter page, on to the first solution's toggle.

    The Chinese edition (zh/) has the English pages' theme, stylesheet and markup, with other
    words: its pages get the load checks, a screenshot of the first screen (the English ones are
    full-page) and axe-core without color-contrast, which depends on the stylesheet alone and
    costs four fifths of axe's time; their keyboard paths are the English ones. A redirect page
    (``leads_to``: index.html) gets the load checks and the screenshot of the page it leads to.
    """
    chinese = path.startswith("zh/")
    visit = Visit()
    page, errors, external = _visit(browser, server, path, leads_to=leads_to)
    _load_checks(page, path, errors, external, visit)
    shot = screenshots / (path.replace("/", "__").removesuffix(".html") + ".png")
    page.screenshot(path=str(shot), full_page=not chinese)
    if leads_to is None:  # a page of its own, not a redirect
        visit.axe = axe_audit(page, color_contrast=not chinese)
        if not chinese:
            visit.keyboard = _keyboard_check(page, path)
            if path.startswith("chapters/"):
                if visit.keyboard is not None:  # start the tour to the solution from the top again
                    page.reload(wait_until="load")
                _solution_check(page, path, visit)
    page.context.close()
    return visit


def _tour_part(chromium: str, server: str, paths: list[str], redirects: dict[str, str],
               screenshots: Path) -> dict[str, Visit]:
    """Visit ``paths`` with a browser of this thread's own (Playwright's sync API is one per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            return {path: _tour_page(browser, server, path, redirects.get(path), screenshots) for path in paths}
        finally:
            browser.close()


@pytest.fixture(scope="session")
def tour(site: Path, server: str, chromium: str, screenshots: Path) -> dict[str, Visit]:
    """Every page of both editions visited once and checked in that visit (:func:`_tour_page`),
    by two browsers side by side (tools.pdf.side_by_side: every other page each)."""
    pages = _pages(site)
    redirects = _redirects(site)
    parts = side_by_side(lambda part: _tour_part(chromium, server, part, redirects, screenshots), pages)
    visits = {path: visit for part in parts for path, visit in part.items()}
    return {path: visits[path] for path in pages}


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


# --- axe-core and the keyboard ---------------------------------------------------------

AXE_JS = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
IMPACTS = ("critical", "serious", "moderate", "minor")


# color-contrast depends on an element's text colour, size, weight and opacity and on the background
# behind it. The syntax highlighting's spans, some 7,000 on a chapter page and four fifths of axe's
# time there, come in a handful of such styles (7 on chapter 3): axe checks one element of each style
# in the code and every element outside it. (A <pre> counts when it holds text of its own.)
_CODE_STYLES = """() => {
  const background = e => {
    for (let a = e; a; a = a.parentElement) {
      const b = getComputedStyle(a).backgroundColor;
      if (b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') return b;
    }
    return 'none';
  };
  const own = e => [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const seen = new Set();
  for (const e of document.querySelectorAll('.highlight pre, .highlight span')) {
    if (e.tagName === 'PRE' && !own(e)) continue;
    const s = getComputedStyle(e);
    const style = [e.tagName, s.color, background(e), s.fontSize, s.fontWeight, s.opacity].join('|');
    if (!seen.has(style)) { seen.add(style); e.setAttribute('data-resnotes-axe', ''); }
  }
  return seen.size;
}"""


def axe_audit(page: Any, color_contrast: bool = True) -> list[dict[str, Any]]:
    """axe-core's violations on the open page (after its math is typeset): every rule on the whole
    page but color-contrast, and color-contrast (unless not ``color_contrast``) on every element
    outside the code and on one element of each style inside it (``_CODE_STYLES``)."""
    page.evaluate("""async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                                     await MathJax.startup.promise; }""")
    page.add_script_tag(content=AXE_JS)
    runs = [("document", "rules: {'color-contrast': {enabled: false}}")]
    if color_contrast:
        contrast = "runOnly: {type: 'rule', values: ['color-contrast']}"
        runs.append(("{exclude: [['.highlight']]}", contrast))
        if page.evaluate(_CODE_STYLES):
            runs.append(("{include: [['[data-resnotes-axe]']]}", contrast))
    found: dict[str, dict[str, Any]] = {}
    for context, options in runs:
        result = page.evaluate(f"async () => await axe.run({context}, {{resultTypes: ['violations'], {options}}})")
        for v in result["violations"]:
            if v["id"] in found:
                found[v["id"]]["nodes"] += v["nodes"]
            else:
                found[v["id"]] = v
    return [dict(id=v["id"], impact=v["impact"], help=v["help"], nodes=len(v["nodes"]),
                 example=v["nodes"][0]["target"] if v["nodes"] else None)
            for v in found.values()]


def test_axe_audit_finds_poor_contrast_in_code_and_prose(browser: Any) -> None:
    """Not vacuous, and the sampling of the code's styles misses no style: among fifty code spans of
    one style, the thirtieth alone pale grey on white, and a pale paragraph, are both reported."""
    spans = "".join(f'<span class="{"pale" if i == 29 else "n"}">x{i}</span> ' for i in range(50))
    page = browser.new_page()
    page.set_content(f"""<html lang="en"><head><title>t</title><style>.pale {{ color: #eee }}</style></head>
        <body><main><h1>t</h1><div class="highlight"><pre>{spans}</pre></div>
        <p class="pale">hard to read</p><p>{spans}</p></main></body></html>""")
    violations = axe_audit(page)
    page.close()
    contrast = [v for v in violations if v["id"] == "color-contrast"]
    assert contrast and contrast[0]["nodes"] == 3, violations  # the span, the paragraph, its own span


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
