"""Fixtures for the browser test of the built site (run by `make test` after the build).

The site to test is named by ``$RESNOTES_SITE`` (the build's ``_build/html``);
the browser is Debian's ``chromium`` (or ``$CHROMIUM``), driven by Playwright.
Screenshots go to ``$RESNOTES_SCREENSHOTS`` (default: ``_build/screenshots``).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site() -> Path:
    value = os.environ.get("RESNOTES_SITE")
    if not value:
        pytest.fail("set RESNOTES_SITE to a built site (e.g. _build/smoke/_build/html); "
                    "`make test` builds one and sets it", pytrace=False)
    path = Path(value).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(f"RESNOTES_SITE={value!r} holds no index.html: build the book first", pytrace=False)
    return path


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail("no chromium found: install Debian's `chromium` (apt-get install chromium; "
                    ".ci/run does) or set $CHROMIUM to a Chromium executable", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tools.pdf import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = Path(os.environ.get("RESNOTES_SCREENSHOTS", ROOT / "_build" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
