"""Sphinx extension: a chapter's *Launch → Colab* button opens its plain notebook.

sphinx-book-theme builds the Colab link from the page's own source path
(``chapters/NN_name.ipynb``), the MyST notebook whose glue roles, citations
and directives Colab shows raw. This handler runs after the theme's
``add_launch_buttons`` (priority 501) and points the Colab button of every
page that has a plain version (``notebooks/en/<name>.ipynb``, written by
``python -m tools plain``) at that notebook instead:
``<colab_url>/github/<org>/<repo>/blob/<branch>/notebooks/en/<name>.ipynb``.
Other launch buttons keep the source notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

PLAIN = Path("notebooks") / "en"
LOGGER = logging.getLogger(__name__)


def plain_notebook(srcdir: str | Path, pagename: str, folder: str | Path = PLAIN) -> Path | None:
    """The plain notebook of a chapter page, relative to the book's root, if there is one
    (``folder``: notebooks/en, or notebooks/zh for the Chinese edition)."""
    if not pagename.startswith("chapters/"):
        return None
    rel = Path(folder) / f"{Path(pagename).name}.ipynb"
    return rel if (Path(srcdir) / rel).is_file() else None


def _point_colab_at_plain(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                          doctree: Any) -> None:
    rel = plain_notebook(app.srcdir, pagename, app.config.resnotes_plain_notebooks)
    if rel is None:
        if pagename.startswith("chapters/"):
            LOGGER.warning(f"{pagename}: no plain notebook in {app.config.resnotes_plain_notebooks} "
                           "for its Colab button (python -m tools plain)")
        return
    theme = app.config["html_theme_options"]
    branch = theme.get("repository_branch") or "master"
    book = theme.get("path_to_docs", "").strip("/")
    changed = 0
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "Colab" and f"/blob/{branch}/" in button.get("url", ""):
                head = button["url"].split(f"/blob/{branch}/", 1)[0]
                button["url"] = f"{head}/blob/{branch}/{(book + '/') if book else ''}{rel.as_posix()}"
                changed += 1
    if not changed and theme.get("launch_buttons", {}).get("colab_url"):
        LOGGER.warning(f"{pagename}: no Colab launch button to point at {rel}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("resnotes_plain_notebooks", str(PLAIN), "html", [str])
    app.connect("html-page-context", _point_colab_at_plain, priority=600)  # after the theme's 501
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
