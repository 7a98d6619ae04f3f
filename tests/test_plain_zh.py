"""The Chinese plain notebooks (notebooks/zh/, tools/plain_zh.py): in sync with the chapters and the
catalogues, Chinese prose with no MyST left, the English plain notebooks' code and glued numbers.

The catalogues are read from locale/ (complete: a missing translation fails the fresh conversion
and names it); the conversion's own logic is checked on small catalogues written here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest

from tools import plain, plain_zh
from tools.plain import MYST_DIRECTIVE, MYST_ROLE, ConversionError, Converter
from tools.plain_zh import Catalogues, Translator, ZhConverter, convert_chapter_zh, spans, translate_myst

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PLAIN_EN = ROOT / "notebooks" / "en"
PLAIN_ZH = ROOT / "notebooks" / "zh"
CJK = re.compile(r"[\u3400-\u9fff]")
NUMBER = plain_zh.zh_words.NUMBER


def _stem(path: Path) -> str:
    return path.stem


def _src(cell: dict[str, Any]) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _markup(text: str) -> list[str]:
    return [m.group(0) for m in MYST_ROLE.finditer(text)] + [m.group(0) for m in MYST_DIRECTIVE.finditer(text)]


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make plain` and commit it")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def book() -> plain.Book:
    return plain.Book.load(ROOT)


@pytest.fixture(scope="module")
def fresh(book: plain.Book) -> dict[str, tuple[dict[str, Any], Converter] | ConversionError]:
    """Each chapter's Chinese conversion from locale/, strictly (or the error that says what is missing)."""
    translator = Translator(Catalogues(ROOT / "locale"))
    out: dict[str, tuple[dict[str, Any], Converter] | ConversionError] = {}
    for path in CHAPTERS:
        try:
            out[path.stem] = convert_chapter_zh(path, translator, book)
        except ConversionError as e:
            out[path.stem] = e
    return out


def _fresh(fresh: dict, path: Path) -> tuple[dict[str, Any], Converter]:
    got = fresh[path.stem]
    if isinstance(got, ConversionError):
        pytest.fail(f"the Chinese conversion of {path.name} fails: {got}")
    return got


# -- the committed notebooks


def test_every_chapter_has_a_chinese_plain_notebook() -> None:
    assert sorted(p.name for p in PLAIN_ZH.glob("*.ipynb")) == [p.name for p in CHAPTERS], \
        "run `make plain` (python -m tools plain --lang zh) with complete catalogues and commit notebooks/zh"


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_committed_chinese_notebook_equals_a_fresh_conversion(fresh: dict, path: Path) -> None:
    nb, _ = _fresh(fresh, path)
    committed = PLAIN_ZH / path.name
    assert committed.is_file() and committed.read_text() == plain.dumps(nb), \
        f"notebooks/zh/{path.name} is stale: run `make plain` and commit it"


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_cells_are_the_english_plain_notebooks_and_code_byte_for_byte(path: Path) -> None:
    en, zh = _load(PLAIN_EN / path.name), _load(PLAIN_ZH / path.name)
    assert [c["cell_type"] for c in zh["cells"]] == [c["cell_type"] for c in en["cells"]]
    for a, b in zip(en["cells"], zh["cells"]):
        if a["cell_type"] == "code":
            assert json.dumps(b) == json.dumps(a), "a code cell differs (source, outputs or metadata)"
        else:
            assert b["metadata"] == a["metadata"]
    assert zh["metadata"]["resnotes"]["language"] == "zh_CN"
    assert {k: v for k, v in zh["metadata"].items() if k != "resnotes"} == \
        {k: v for k, v in en["metadata"].items() if k != "resnotes"}


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_every_markdown_cell_is_chinese_with_no_myst_left(path: Path) -> None:
    for index, cell in enumerate(_load(PLAIN_ZH / path.name)["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = _src(cell)
        assert CJK.search(text), f"markdown cell {index} has no Chinese: {text[:80]!r}"
        assert _markup(text) == [], f"markdown cell {index} keeps MyST markup"


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_links_into_the_book_go_to_the_chinese_edition(book: plain.Book, path: Path) -> None:
    text = "\n".join(_src(c) for c in _load(PLAIN_ZH / path.name)["cells"] if c["cell_type"] == "markdown")
    links = re.findall(re.escape(book.base_url) + r"[^)\s]*", text)
    assert links, "the line under the title links to the chapter's page"
    assert all(link.startswith(book.base_url + "zh/") for link in links), links


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_glued_numbers_are_the_english_ones(book: plain.Book, fresh: dict, path: Path) -> None:
    """The same glue pasted as often; a number exactly as in English; every number of glued words
    in their translation (which may add its own, "1/{0}", or write 28x28 as 28×28)."""
    _, en = plain.conversion(path, book)
    nb, zh = _fresh(fresh, path)
    assert en.pasted, "every chapter pastes glued values into its text"
    assert Counter(k for k, _ in zh.pasted) == Counter(k for k, _ in en.pasted)
    numbers: dict[str, Counter[str]] = {}
    for key, text in en.pasted:
        numbers.setdefault(key, Counter()).update(NUMBER.findall(text))
    for key, text in zh.pasted:
        numbers[key].subtract(NUMBER.findall(text))
    assert {k: +c for k, c in numbers.items() if +c} == {}, "numbers of the English glue missing in Chinese"
    plain_numbers = Counter(p for p in en.pasted if not plain_zh.zh_words.needs_translation(p[1]))
    assert plain_numbers - Counter(zh.pasted) == Counter(), "a glued number pasted differently"
    text = "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert all(chinese in text for _, chinese in zh.pasted)


# -- the catalogues and the chapters agree on what a message is


@pytest.mark.parametrize("path", CHAPTERS, ids=_stem)
def test_the_messages_found_in_a_chapter_are_its_catalogues(book: plain.Book, path: Path) -> None:
    """What the converter looks up is exactly what gettext extracted: the same messages, both ways."""

    class Recording(Catalogues):
        looked_up: set[tuple[str, str]] = set()

        def translation(self, doc: str, message: str) -> str | None:
            self.looked_up.add((doc, message))
            return message

    catalogues = Recording(ROOT / "locale")
    convert_chapter_zh(path, Translator(catalogues, allow_missing=True), book)
    doc = f"chapters/{path.stem}"
    found = {m for d, m in catalogues.looked_up if d == doc}
    assert catalogues.messages(doc), f"locale/zh_CN/LC_MESSAGES/{doc}.po is missing"
    assert sorted(found - catalogues.messages(doc)) == [], "messages that gettext did not extract"
    assert sorted(catalogues.messages(doc) - found) == [], "messages of the catalogue the converter missed"
    others = {(d, m) for d, m in catalogues.looked_up if d != doc}
    assert all(m in catalogues.messages(d) for d, m in others), "a reference's heading is not a message"


# -- the conversion, on small catalogues


def _catalogue(path: Path, entries: dict[str, str], fuzzy: tuple[str, ...] = ()) -> None:
    po = polib.POFile()
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else []))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


CELL = """# A chapter

(sec-x)=
## Some *heading*

- first item, which
  goes on here;
- second item with {glue:text}`acc:.1%`.

| Column | Other |
|---|---|
| cell one | cell two |

$$
y = x \\text{ always}
$$

```python
print("code stays")
```
"""


def test_translate_myst_replaces_each_element_and_keeps_the_markup() -> None:
    table = {"A chapter": "一章", "Some *heading*": "某个*标题*",
             "first item, which goes on here;": "第一项，\n接着写；",
             "second item with {glue:text}`acc:.1%`.": "第二项 {glue:text}`acc:.1%`。",
             "Column": "列", "Other": "另一列", "cell one": "格一", "cell two": "格二",
             "\ny = x \\text{ always}\n": "\ny = x \\text{ 总是}\n"}
    assert [s.message for s in spans(CELL)] == list(table)
    out = translate_myst(CELL, table.__getitem__)
    assert out == """# 一章

(sec-x)=
## 某个*标题*

- 第一项，
  接着写；
- 第二项 {glue:text}`acc:.1%`。

| 列 | 另一列 |
|---|---|
| 格一 | 格二 |

$$
y = x \\text{ 总是}
$$

```python
print("code stays")
```
"""


def test_a_directive_inside_a_list_is_an_error_not_left_in_english() -> None:
    with pytest.raises(ConversionError, match="nested"):
        spans("- item\n\n  ```{note}\n  text\n  ```\n", "t")


def _chapter(tmp_path: Path) -> Path:
    path = tmp_path / "09_t.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# T\n\nIt ends {glue:text}`verdict` at "
                                                             "{glue:text}`acc:.1%` (see {ref}`sec-sizes`)."},
        {"cell_type": "markdown", "metadata": {"tags": ["x"]}, "source":
            "```{admonition} Learning objectives\n- one\n```\n\n```{exercise}\n:label: ex-t\nDo it.\n```\n\n"
            "```{note}\nCareful.\n```\n\n```{solution-start} ex-t\n```\nLike this."},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x = 1",
         "outputs": [{"output_type": "display_data", "metadata": {"scrapbook": {"name": "acc", "mime_prefix": ""}},
                      "data": {"text/plain": "0.9123"}},
                     {"output_type": "display_data", "metadata": {"scrapbook": {"name": "verdict", "mime_prefix": ""}},
                      "data": {"text/plain": "'holds on 2 of 3 seeds'"}}]},
        {"cell_type": "markdown", "metadata": {}, "source": "```{solution-end}\n```\n\nSee {ref}`ex-ch1-scale`."},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


TRANSLATED = {"T": "题", "It ends {glue:text}`verdict` at {glue:text}`acc:.1%` (see {ref}`sec-sizes`).":
              "结论：{glue:text}`verdict`，准确率 {glue:text}`acc:.1%`（见 {ref}`sec-sizes`）。",
              "Learning objectives": "学习目标", "one": "一", "Do it.": "做吧。", "Like this.": "这样。",
              "Careful.": "小心点。", "See {ref}`ex-ch1-scale`.": "见 {ref}`ex-ch1-scale`。"}


def _locale(tmp_path: Path, page: dict[str, str], words: dict[str, str] | None, fuzzy: tuple[str, ...] = ()) -> Path:
    locale = tmp_path / "locale"
    folder = locale / "zh_CN" / "LC_MESSAGES"
    _catalogue(folder / "chapters" / "09_t.po", page, fuzzy)
    _catalogue(folder / "intro.po", {"Three sizes of the same notebook": "同一笔记本的三种规模"})
    if words is not None:
        _catalogue(folder / "words.po", words)
    return locale


def test_a_chapter_in_chinese(tmp_path: Path, book: plain.Book) -> None:
    locale = _locale(tmp_path, TRANSLATED, {"holds on {0} of {1} seeds": "在 {1} 个种子中的 {0} 个上成立"})
    nb, conv = convert_chapter_zh(_chapter(tmp_path), Translator(Catalogues(locale)), book)
    md = [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    base = book.base_url + "zh/"
    assert md[0] == (f"# 题\n\n{conv.provenance()}\n\n"
                     f"结论：在 3 个种子中的 2 个上成立，准确率 91.2%（见 [同一笔记本的三种规模]({base}intro.html#sec-sizes)）。")
    assert f"({base}chapters/09_t.html)" in conv.provenance()
    assert md[1] == ("**学习目标**\n\n- 一\n\n### 练习 1\n\n做吧。\n\n> **注解**\n>\n> 小心点。\n\n<details>\n"
                     "<summary>练习 1 的解答</summary>\n\n这样。\n\n解答的代码在后面的代码单元格里，直到下一个练习为止。\n\n</details>")
    assert md[2] == f"见 [练习 1.3]({base}chapters/01_residual_learning.html#ex-ch1-scale)。"
    assert nb["cells"][1]["metadata"] == {"tags": ["x"]}
    english = plain.convert_chapter(_chapter(tmp_path), book)
    assert [c for c in nb["cells"] if c["cell_type"] == "code"] == \
        [c for c in english["cells"] if c["cell_type"] == "code"]
    assert conv.pasted == [("verdict", "在 3 个种子中的 2 个上成立"), ("acc", "91.2%")]


@pytest.mark.parametrize("page, words, fuzzy, missing", [
    ({**TRANSLATED, "Do it.": ""}, {"holds on {0} of {1} seeds": "成立"}, (), "'Do it.'"),
    (TRANSLATED, {"holds on {0} of {1} seeds": "成立"}, ("Careful.",), "'Careful.'"),
    (TRANSLATED, None, (), "'words.po: holds on {0} of {1} seeds'"),
])
def test_a_missing_translation_is_an_error_naming_notebook_cell_and_message(
        tmp_path: Path, book: plain.Book, page: dict[str, str], words: dict[str, str] | None,
        fuzzy: tuple[str, ...], missing: str) -> None:
    locale = _locale(tmp_path, page, words, fuzzy)
    with pytest.raises(ConversionError) as e:
        convert_chapter_zh(_chapter(tmp_path), Translator(Catalogues(locale)), book)
    assert "notebooks/zh/09_t.ipynb: 1 message(s) without a Chinese translation" in str(e.value)
    assert re.search(r"09_t\.ipynb, cell \d+: " + re.escape(missing), str(e.value)), str(e.value)
    allowed = Translator(Catalogues(locale), allow_missing=True)
    nb, _ = convert_chapter_zh(_chapter(tmp_path), allowed, book)
    assert len(allowed.missing) == 1
    assert missing.strip("'").removeprefix("words.po: ").split(" {")[0] in plain.dumps(nb)  # the English stays


def test_the_command_writes_chinese_notebooks_and_fails_on_missing_ones(tmp_path: Path) -> None:
    empty = tmp_path / "locale"
    (empty / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    assert plain.main(["03", "--lang", "zh", "--locale", str(empty), "--out", str(tmp_path / "zh")]) == 1
    assert not (tmp_path / "zh" / "03_residual_blocks.ipynb").exists()
    assert plain.main(["03", "--lang", "zh", "--locale", str(empty), "--out", str(tmp_path / "zh"),
                       "--allow-missing"]) == 0
    code = [c for c in _load(tmp_path / "zh" / "03_residual_blocks.ipynb")["cells"] if c["cell_type"] == "code"]
    english = plain.convert_chapter(ROOT / "chapters" / "03_residual_blocks.ipynb")
    assert code == [c for c in english["cells"] if c["cell_type"] == "code"]
    with pytest.raises(SystemExit):
        plain.main(["--lang", "all", "--out", str(tmp_path)])


def test_the_english_converter_is_unchanged_by_the_hooks() -> None:
    assert not isinstance(Converter, ZhConverter)
    assert Converter.WORDS["solution"].format(number="3.2") == "Solution to Exercise 3.2"
