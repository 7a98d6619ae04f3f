"""The claims ledger of the built site: every chapter that checks a claim appears in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _claim_keys(path: Path) -> list[str]:
    """Keys of the claims a notebook makes (``claim("chN_key", ...)``, ``resnotes.claim(f"chN_...")``)."""
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return re.findall(r"\bclaim\(\s*f?[\"'](ch\d+_[A-Za-z0-9_{}]*)", code)


def test_ledger_lists_the_claims_of_every_chapter_that_makes_them(site: Path) -> None:
    html = (site / "appendices" / "claims.html").read_text()
    assert 'class="claims-ledger' in html, "the ledger table is missing"
    match = re.search(r"(\d+) claims from (\d+) pages", html)
    assert match, "the ledger's summary line is missing"
    rows = html.count("<tr") - 1  # minus the header row
    assert rows == int(match.group(1)) > 0
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        keys = _claim_keys(nb)
        if keys:
            link = f'href="../chapters/{nb.stem}.html"'
            assert link in html, f"{nb.stem} makes claims ({', '.join(keys)}) but none is in the ledger"
