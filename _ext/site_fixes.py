"""Sphinx extension: small fixes to what Jupyter Book 1.x puts in every page.

* Two extensions register their inline scripts twice (sphinx-thebe's
  ``const THEBE_JS_URL = ...`` and sphinx-togglebutton's selector); the second
  ``const`` is a JavaScript error on every page. Keep the first copy of each
  inline script.
* The pydata theme reads the colour mode from ``localStorage`` with an empty
  default, and logs an error on every first visit. Default to the light mode
  (the book's figures have white backgrounds); readers can still switch.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _fix_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
             doctree: Any) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "light"  # the pydata theme's html_context setting
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "",
               str(attributes.get("body", "")) if "body" in attributes else repr(attributes))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept  # in place: later handlers and Sphinx keep the same list


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _fix_page, priority=900)  # after the others
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
