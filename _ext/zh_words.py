"""Words the code computes, in the reader's language: one template per English sentence.

A chapter glues sentences that its code builds from the data (a claim's verdict,
"holds on 2 of 3 seeds"; the wording that :meth:`resnotes.Claim.choose` picks; a
range, "86.2% to 86.3%"), and each figure's description (alt text) comes from the
plotted numbers. The Chinese edition translates such text through the catalogue
``locale/zh_CN/LC_MESSAGES/words.po``, whose messages are *templates*: every number
of the English text is replaced by a numbered placeholder (``{0}``, ``{1}``, ...),
so that one message covers every size and every seed, and the translated text gets
back exactly the numbers that the English one shows.

This module is the one definition of that template form, and the one reader of a
catalogue's usable translations; the Sphinx extension ``editions``, ``python -m tools
i18n`` and the Chinese plain notebooks (``tools/plain_zh.py``) import it.
"""

from __future__ import annotations

import re
from pathlib import Path

# A number as the book prints it: 3, -0.25, 1,024, 4.1e-05, 2.3x (the x stays text).
# Not a digit inside a name (ResNet-18 keeps "ResNet-", 1x1 gives {0}x{1}, x_L none).
NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")
PLACEHOLDER = re.compile(r"\{(\d+)\}")
# What needs no translation: no letters once numbers and placeholders are gone.
LETTERS = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")


def template(text: str) -> tuple[str, list[str]]:
    """``("holds on {0} of {1} seeds", ["2", "3"])`` for ``"holds on 2 of 3 seeds"``."""
    numbers: list[str] = []

    def keep(m: re.Match[str]) -> str:
        numbers.append(m.group(0))
        return "{%d}" % (len(numbers) - 1)

    # braces of the English text itself would read as placeholders: double them
    escaped = text.replace("{", "{{").replace("}", "}}")
    return NUMBER.sub(keep, escaped), numbers


def fill(translated: str, numbers: list[str]) -> str:
    """The translated template with the English text's numbers put back."""
    def put(m: re.Match[str]) -> str:
        i = int(m.group(1))
        if i >= len(numbers):
            raise KeyError(f"placeholder {{{i}}} but the English text has {len(numbers)} numbers")
        return numbers[i]

    out = PLACEHOLDER.sub(put, translated)
    return out.replace("{{", "{").replace("}}", "}")


def needs_translation(text: str) -> bool:
    """Whether ``text`` has words (two letters or more) once its numbers are gone."""
    return bool(LETTERS.search(NUMBER.sub(" ", text)))


def placeholders(text: str) -> list[int]:
    """The placeholder numbers of a template, sorted (for the catalogue's checks)."""
    return sorted(int(i) for i in PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def read_catalogue(path: Path) -> tuple[dict[str, str], set[str]]:
    """A ``.po`` file's usable translations (not empty, not fuzzy) and all its live messages;
    both empty when the file does not exist."""
    translated: dict[str, str] = {}
    messages: set[str] = set()
    if not path.is_file():
        return translated, messages
    import polib

    for e in polib.pofile(str(path)):
        if e.obsolete:
            continue
        messages.add(e.msgid)
        if e.msgstr and "fuzzy" not in e.flags:
            translated[e.msgid] = e.msgstr
    return translated, messages
