"""Sphinx extension: every figure of a notebook page gets its description as ``alt`` text.

A chapter shows a figure with ``resnotes.show_figure(fig, alt=...)``, which puts
the description (built from the plotted numbers) in the output's metadata,
``{"image/png": {"alt": ...}}``. myst-nb 1.x writes the PNG to a file named by
the SHA-256 of its bytes, but passes only ``width``/``height`` of the output
metadata on to the image; so, once a notebook page is read, this extension
matches each image of the page to its output by that hash and sets the image's
``alt``. The outputs are looked up where myst-nb took them from: the executed
notebook in jupyter-cache (``execute_notebooks: cache``; on a cache hit the copy
myst-nb writes to ``jupyter_execute/`` holds the source's stored outputs, not the
executed ones), that copy, and the source notebook.

An image of a notebook output without a description is a warning, which the
book's ``-W`` build turns into an error: no figure reaches a reader as a file name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _alts(nb: Any, found: dict[str, str]) -> None:
    """Add SHA-256 of each PNG output of ``nb`` -> its alt text ("" when it has none) to ``found``."""
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if not png:
                continue
            if isinstance(png, list):
                png = "".join(png)
            digest = hashlib.sha256(base64.b64decode(png)).hexdigest()
            alt = str(output.get("metadata", {}).get("image/png", {}).get("alt", "")).strip()
            found[digest] = alt or found.get(digest, "")


def _notebooks(source: Path, executed: Path | None, cache_path: str | None) -> list[Any]:
    """The versions of a notebook whose outputs the page may show."""
    found: list[Any] = []
    text = source.read_text(encoding="utf-8")
    if cache_path and Path(cache_path).is_dir():
        try:
            import nbformat
            from jupyter_cache import get_cache

            cache = get_cache(cache_path)
            found.append(cache.merge_match_into_notebook(nbformat.reads(text, as_version=4))[1])
        except KeyError:
            pass  # not cached (yet): executed in place, so the copy below holds the outputs
    if executed is not None and executed.is_file():
        found.append(json.loads(executed.read_text(encoding="utf-8")))
    found.append(json.loads(text))
    return found


def _describe_figures(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    source = Path(env.doc2path(docname))
    if source.suffix != ".ipynb":
        return
    config = getattr(env, "mystnb_config", None)
    folder = getattr(config, "output_folder", None)
    executed = Path(folder, *docname.split("/")).with_suffix(".ipynb") if folder else None
    cache_path = getattr(config, "execution_cache_path", None)
    if getattr(config, "execution_mode", None) != "cache":
        cache_path = None
    alts: dict[str, str] = {}
    for nb in _notebooks(source, executed, cache_path):
        _alts(nb, alts)
    for image in doctree.findall(nodes.image):
        digest = PurePosixPath(str(image.get("uri", ""))).stem
        if digest not in alts:
            continue  # not a notebook output (e.g. an image file of the page)
        if alts[digest]:
            image["alt"] = alts[digest]
            image["resnotes_alt"] = True  # computed text: the Chinese edition translates it
        elif not image.get("alt"):
            logger.warning("a figure of %s has no description: show it with "
                           "resnotes.show_figure(fig, alt=...)", docname,
                           location=image, type="resnotes", subtype="alt")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", _describe_figures)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
