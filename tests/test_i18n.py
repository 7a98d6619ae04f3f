"""The Chinese edition's catalogues (tools/i18n.py): complete, faithful to the English markup,
in the glossary's terms, and the machinery that carries glued values into the translation."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
import yaml

from tools import i18n
from tools.i18n import (CATALOGUES, ROOT, check_entry, glossary_terms, markup, rewrite_glue,
                        zh_words)

TERMS = glossary_terms()


def _toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]
    for part in toc.get("parts", []):
        docs += [c["file"] for c in part.get("chapters", [])]
    return docs


def test_every_page_has_a_catalogue_and_there_is_a_words_catalogue() -> None:
    missing = [d for d in _toc_docs() if not (CATALOGUES / f"{d}.po").is_file()]
    assert not missing, f"no catalogue for {missing}: run `make locale`"
    assert (CATALOGUES / "words.po").is_file(), "no words.po: run `make book`, then `make locale`"


@pytest.mark.parametrize("po", sorted(str(p.relative_to(CATALOGUES)) for p in CATALOGUES.rglob("*.po")))
def test_catalogue_is_complete_and_faithful(po: str) -> None:
    """Every message translated, none fuzzy, markup kept, glossary terms used (see tools/i18n.py)."""
    path = CATALOGUES / po
    words = path.stem == i18n.WORDS and path.parent == CATALOGUES
    problems = []
    for e in polib.pofile(str(path)):
        if not e.obsolete:
            problems += [f"{p}: {e.msgid[:100]!r}" for p in check_entry(e, TERMS, words=words)]
    assert not problems, f"{po}: {len(problems)} problem(s) (python -m tools i18n check):\n" + \
        "\n".join(problems[:30])


def test_the_check_finds_lost_markup_untranslated_fuzzy_and_terms() -> None:
    msgid = ("A residual block with {glue:text}`ch3_blocks` blocks keeps $x + F(x)$ and `Y += X` "
             "(see {ref}`the primer <sec-batchnorm>` and [d2l](https://d2l.ai)).")
    good = ("残差块共有 {glue:text}`ch3_blocks` 个块，保持 $x + F(x)$ 和 `Y += X`"
            "（见 {ref}`入门 <sec-batchnorm>` 与 [d2l](https://d2l.ai)）。")
    assert check_entry(polib.POEntry(msgid=msgid, msgstr=good), TERMS) == []
    assert check_entry(polib.POEntry(msgid=msgid, msgstr=""), TERMS) == ["untranslated"]
    fuzzy = polib.POEntry(msgid=msgid, msgstr=good, flags=["fuzzy"])
    assert any("fuzzy" in p for p in check_entry(fuzzy, TERMS))
    for broken in (good.replace("{glue:text}`ch3_blocks`", "3"),  # a glued number typed in
                   good.replace("$x + F(x)$", "$x+F(x)$"),
                   good.replace("<sec-batchnorm>", "<sec-bn>"),
                   good.replace("https://d2l.ai", "https://zh.d2l.ai")):
        assert any(p.startswith(("lost", "added")) for p in check_entry(
            polib.POEntry(msgid=msgid, msgstr=broken), TERMS)), broken
    no_term = polib.POEntry(msgid=msgid, msgstr=good.replace("残差块", "残差单元"))
    assert any(p.startswith("term: 'residual block'") for p in check_entry(no_term, TERMS))
    no_term.tcomment = "noterm: residual block"
    assert check_entry(no_term, TERMS) == []


def test_glossary_is_the_terminology() -> None:
    table = {en: t.chinese for t in TERMS for en in t.english}
    assert table["residual block"] == ("残差块",)
    # one row, one term: "vanishing / exploding gradients" is both, each with its last word
    assert table["vanishing gradients"] == table["exploding gradients"] == ("梯度消失", "梯度爆炸")
    assert "跳跃连接" in table["skip connection"]
    assert len(TERMS) >= 40


def test_glue_roles_are_rewritten_to_the_cross_document_form(tmp_path: Path) -> None:
    text = "经过 {glue:}`ch3_epochs` 轮，准确率为 {glue:text}`ch3_test_acc:.1%`，见 {ref}`sec-x`。"
    assert rewrite_glue(text, "03_residual_blocks.ipynb") == (
        "经过 {glue:}`03_residual_blocks.ipynb::ch3_epochs` 轮，准确率为 "
        "{glue:text}`03_residual_blocks.ipynb::ch3_test_acc:.1%`，见 {ref}`sec-x`。")
    assert rewrite_glue("{glue:text}`other.ipynb::k`", "x.ipynb") == "{glue:text}`other.ipynb::k`"
    # a text role without a format gets the default one: myst-nb splits at the last colon
    assert rewrite_glue("{glue:text}`ch6_span`", "06_scale.ipynb") == "{glue:text}`06_scale.ipynb::ch6_span:s`"
    # compiled: the notebook page's catalogue holds the cross-document form, other pages' do not
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "03_x.ipynb").write_text("{}")
    src = root / "locale" / "zh_CN" / "LC_MESSAGES"
    for page in ("chapters/03_x", "intro"):
        po = polib.POFile()
        po.append(polib.POEntry(msgid="{glue:text}`k:.1f` epochs", msgstr="{glue:text}`k:.1f` 轮"))
        (src / page).parent.mkdir(parents=True, exist_ok=True)
        po.save(str(src / f"{page}.po"))
    out = tmp_path / "mo"
    assert i18n.compile_catalogues(out, root=root) == 2
    mo = gettext.GNUTranslations(open(out / "zh_CN" / "LC_MESSAGES" / "chapters" / "03_x.mo", "rb"))
    assert mo.gettext("{glue:text}`k:.1f` epochs") == "{glue:text}`03_x.ipynb::k:.1f` 轮"
    mo = gettext.GNUTranslations(open(out / "zh_CN" / "LC_MESSAGES" / "intro.mo", "rb"))
    assert mo.gettext("{glue:text}`k:.1f` epochs") == "{glue:text}`k:.1f` 轮"


@pytest.mark.parametrize("text, template, numbers", [
    ("holds on 2 of 3 seeds", "holds on {0} of {1} seeds", ["2", "3"]),
    ("86.2% to 86.3%", "{0}% to {1}%", ["86.2", "86.3"]),
    # a model's depth is a number too: one template serves ResNet-18 and ResNet-34
    ("ResNet-18 at 1x1 with lr 0.05 and 4.1e-05", "ResNet-{0} at {1}x1 with lr {2} and {3}",
     ["18", "1", "0.05", "4.1e-05"]),
    ("loss -0.25 over 1,024 images {set}", "loss {0} over {1} images {{set}}", ["-0.25", "1,024"]),
])
def test_computed_words_become_templates_and_back(text: str, template: str, numbers: list[str]) -> None:
    assert zh_words.template(text) == (template, numbers)
    assert zh_words.fill(template, numbers) == text
    # a translation may move the numbers: each goes where its placeholder is
    assert zh_words.fill("在 {1} 个种子中的 {0} 个上成立", ["2", "3"]) == "在 3 个种子中的 2 个上成立"
    with pytest.raises(KeyError):
        zh_words.fill("{5}", ["1"])


def test_every_choose_wording_is_in_the_words_catalogue() -> None:
    """All three outcomes of every Claim.choose, not only those this build's data picked."""
    ids = {e.msgid for e in polib.pofile(str(CATALOGUES / "words.po")) if not e.obsolete}
    missing = sorted(i18n.choose_wordings() - ids)
    assert not missing, f"{len(missing)} wordings of Claim.choose not in words.po (make locale):\n" + \
        "\n".join(missing[:10])


def test_catalogues_hold_no_machine_paths() -> None:
    for po in CATALOGUES.rglob("*.po"):
        text = po.read_text(encoding="utf-8")
        assert not re.search(r"^#: .*(/work/|/home/|/tmp/|\.\./\.\./)", text, re.M), po
