"""The two editions of the built site: the Chinese one at ``zh/`` beside the English one.

Both come from the same notebooks and the same execution (``make book``; see
``tools/i18n.py``), so a number that the code glued into the text is the same on
both pages; every page links to its counterpart; the Chinese pages are Chinese,
down to the theme's own words, and their Colab buttons open Chinese notebooks.
(The browser checks of the Chinese pages, console, math, images and axe-core, are
in test_tour.py, which visits every page of both; search is in test_browser.py.)
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsed import fresh
from parsed import soup as _soup

ZH = "zh"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
import zh_words  # noqa: E402  (the template form of computed words, as the build uses it)

CJK = re.compile(r"[\u3400-\u9fff]")
NUMBER = re.compile(r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _template(text: str) -> str:
    return zh_words.template(text)[0]


def _book_pages(site: Path) -> list[str]:
    """The English edition's own pages (not the Chinese ones, not generated indexes)."""
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] not in (ZH, "_static", "_sources", "mathjax", "_images")
                  and p.name not in ("genindex.html", "search.html", "index.html"))


@pytest.fixture(scope="module")
def zh(site: Path) -> Path:
    path = site / ZH
    if not (path / "intro.html").is_file():
        pytest.fail(f"no Chinese edition at {path}: make book / make test build it with "
                    "`python -m tools i18n build`", pytrace=False)
    return path


def test_every_page_has_its_chinese_counterpart_and_both_link_to_each_other(site: Path, zh: Path) -> None:
    problems = []
    for page in _book_pages(site):
        if not (zh / page).is_file():
            problems.append(f"{page}: no Chinese page")
            continue
        for edition, path, other in (("en", site / page, zh / page), ("zh", zh / page, site / page)):
            links = _soup(path).select("p.resnotes-lang a[href]")
            if len(links) != 1:
                problems.append(f"{edition} {page}: {len(links)} language switches")
                continue
            target = (path.parent / urlsplit(links[0]["href"]).path).resolve()
            if target != other.resolve():
                problems.append(f"{edition} {page}: switch goes to {links[0]['href']} ({target})")
    assert not problems, "\n".join(problems)


def _pasted_numbers(path: Path) -> Counter[str]:
    """Every number inside text that the code glued into the page."""
    found: Counter[str] = Counter()
    for span in _soup(path).select("span.pasted-text"):
        found.update(n.replace("−", "-") for n in NUMBER.findall(span.get_text()))
    return found


def _translators_numbers() -> set[str]:
    """Numbers that translations of computed words write themselves (降为原来的 1/{0})."""
    import polib

    po = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "words.po"
    return {n for e in polib.pofile(str(po)) for n in NUMBER.findall(re.sub(r"\{\d+\}", " ", e.msgstr))}


def test_glued_numbers_are_identical_in_both_editions(site: Path, zh: Path) -> None:
    checked, problems = 0, []
    own = _translators_numbers()
    for page in _book_pages(site):
        en, cn = _pasted_numbers(site / page), _pasted_numbers(zh / page)
        checked += sum(en.values())
        # a number that a translation writes itself (1/{0}) may come on top of the glued ones
        cn = Counter({n: (min(k, en[n]) if n in own else k) for n, k in cn.items()})
        cn = +cn
        if en != cn:
            problems.append(f"{page}: only in English {dict(en - cn)}, only in Chinese {dict(cn - en)}")
    assert not problems, "\n".join(problems)
    assert checked > 100, f"only {checked} glued numbers found: is glue rendered as pasted-text?"


def _english_paragraphs(path: Path) -> list[str]:
    """Prose of the page (not code, its output, math, tables of results) without any Chinese."""
    page = fresh(path)  # its code, math and tables are taken out below
    article = page.select_one("article") or page
    for tag in article.select(".cell_output, .cell_input, pre, code, .math, mjx-container, "
                              "script, style, .resnotes-lang, .citation, .footnote-list, "
                              "div.bibliography, .docutils.container, table"):
        tag.decompose()
    found = []
    # not table cells: the glossary's English column is English on purpose, and tables of
    # results (run records, pandas) hold names and data, as the code writes them
    for p in article.find_all(["p", "li", "h1", "h2", "h3", "figcaption", "dt"]):
        text = p.get_text(" ", strip=True)
        if CJK.search(text):
            continue
        words = re.findall(r"[A-Za-z]{3,}", text)
        if len(words) >= 4:
            found.append(text[:100])
    return found


def test_chinese_pages_have_no_english_prose(zh: Path, site: Path) -> None:
    problems = [f"{page}: {text!r}" for page in _book_pages(site)
                for text in _english_paragraphs(zh / page)]
    assert not problems, f"{len(problems)} English paragraphs on Chinese pages:\n" + "\n".join(problems[:30])


def test_the_english_prose_test_is_not_vacuous(site: Path) -> None:
    assert len(_english_paragraphs(site / "chapters" / "03_residual_blocks.html")) > 20


def test_chinese_pages_say_so_and_the_theme_speaks_chinese(zh: Path) -> None:
    soup = _soup(zh / "chapters" / "03_residual_blocks.html")
    assert soup.html.get("lang", "").startswith("zh"), soup.html.get("lang")
    text = soup.get_text(" ")
    # the theme's own words (sphinx-book-theme / pydata-sphinx-theme catalogues)
    assert "搜索" in text or any("搜索" in (i.get("placeholder") or "") for i in soup.find_all("input")), \
        "the search box is not in Chinese"
    assert "目录" in text or "内容" in text, "the page's contents heading is not in Chinese"
    title = soup.find("title").get_text()
    assert CJK.search(title), title


def test_chinese_colab_buttons_open_chinese_notebooks(zh: Path) -> None:
    problems = []
    for page in sorted(zh.glob("chapters/*.html")):
        links = [a["href"] for a in _soup(page).find_all("a", href=True)
                 if "colab.research.google.com" in a["href"]]
        if not links or not all(f"/notebooks/zh/{page.stem}.ipynb" in h for h in links):
            problems.append(f"{page.name}: {links}")
    assert not problems, "\n".join(problems)


def test_chinese_pdfs_hold_each_chapters_chinese_title_and_a_glued_number(site: Path, zh: Path) -> None:
    """The Chinese edition has its PDFs too (CJK fonts: Debian's fonts-noto-cjk)."""
    from pypdf import PdfReader

    import tools.pdf as pdf

    assert (zh / "pdf" / pdf.BOOK_PDF).is_file(), "no Chinese book PDF"
    problems = []
    for page in sorted(zh.glob("chapters/*.html")):
        reader = PdfReader(zh / "pdf" / pdf.chapter_pdf(f"chapters/{page.stem}"))
        first = re.sub(r"\s+", "", " ".join((p.extract_text() or "") for p in reader.pages[:2]))
        soup = _soup(page)
        title = re.sub(r"^[\d.]+\s*", "", soup.find("h1").get_text(" ", strip=True).rstrip("#").strip())
        if re.sub(r"\s+", "", title) not in first:
            problems.append(f"{page.name}: the PDF's first pages lack the title {title!r}")
        if not CJK.search(first):
            problems.append(f"{page.name}: no Chinese text in the PDF (missing CJK font?)")
    assert not problems, "\n".join(problems)


def test_chinese_figures_are_described_in_chinese(site: Path, zh: Path) -> None:
    """Every figure's alt text, computed from the plotted numbers, translated (words.po)."""
    problems, figures = [], 0
    # what the Chinese build could not translate: only at size smoke is that not an error
    listed = site.parent / "zh" / "_build" / "words-missing.json"
    missing = set(json.loads(listed.read_text(encoding="utf-8"))) if listed.is_file() else set()
    for page in sorted(zh.glob("chapters/*.html")):
        english = [img.get("alt", "") for img in _soup(site / "chapters" / page.name).select("article img")]
        chinese = [img.get("alt", "") for img in _soup(page).select("article img")]
        if len(english) != len(chinese):
            problems.append(f"{page.name}: {len(english)} figures in English, {len(chinese)} in Chinese")
        for en, cn in zip(english, chinese):
            figures += 1
            if not CJK.search(cn) and _template(cn) in missing:
                continue  # size smoke: a description the book-size run never wrote (the build said so)
            if not CJK.search(cn) or len(cn) < 15:
                problems.append(f"{page.name}: alt {cn[:60]!r}")
            elif Counter(NUMBER.findall(en)) != Counter(NUMBER.findall(cn)):
                problems.append(f"{page.name}: alt numbers differ: {en[:60]!r} / {cn[:60]!r}")
    assert figures >= 15 and not problems, "\n".join(problems)
