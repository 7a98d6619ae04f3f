"""The built site's pages, each parsed once per test process and shared by the tests that read it.

lxml's parser, not Python's ``html.parser``: a chapter page holds some ten thousand elements (most
of them the syntax highlighting's spans), which ``html.parser`` took about a second to read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bs4 import BeautifulSoup


@lru_cache(maxsize=None)
def soup(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed once: read it, never change it (a test that takes elements out
    of a page parses its own copy with :func:`fresh`)."""
    return fresh(path)


def fresh(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed anew (the caller may change it)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
