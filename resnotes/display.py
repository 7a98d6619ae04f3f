"""Show the package's own code in a notebook, so text and code cannot drift apart."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

__all__ = ["glue", "show_source", "source_of"]


def source_of(obj: Any) -> str:
    """The source code of a function, class or method, dedented."""
    return textwrap.dedent(inspect.getsource(obj)).rstrip() + "\n"


def show_source(*objs: Any) -> Any:
    """Display the objects' source as one highlighted Python block (Markdown).

    In a notebook, the book shows exactly the code that the package runs.
    """
    from IPython.display import Markdown

    if not objs:
        raise TypeError("show_source needs at least one function or class")
    code = "\n\n".join(source_of(o) for o in objs)
    return Markdown(f"```python\n{code}```")


def glue(name: str, value: Any, *, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the book's text (``{glue:text}`name```).

    Uses myst-nb's ``glue`` when it is installed (the book build); elsewhere,
    on Colab for example, the value is only shown when ``display`` is true,
    since there is no book text to paste it into.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            print(f"{name} = {value!r}")
        return
    _glue(name, value, display=display)
