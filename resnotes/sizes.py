"""One setting picks how big every chapter's experiments are.

* ``smoke``: seconds per chapter on a CPU; for CI (nbval) and quick checks.
* ``book`` (default): what the published HTML shows; real Fashion-MNIST
  results on a 2-core CPU within minutes per chapter.
* ``full``: d2l-scale settings (e.g. ResNet-18 on 96x96 images for 10 epochs),
  meant for a GPU, locally or on Colab.

The size comes from a notebook's papermill parameter ``size`` when given, else
from the environment variable ``RESNOTES_SIZE``, else ``book``. Each chapter
states its own settings for the three sizes with :func:`chapter_settings`, so
a reader sees them and never edits code to switch.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any, Mapping

__all__ = ["SIZES", "ENV_VAR", "Settings", "resolve_size", "chapter_settings"]

SIZES: tuple[str, ...] = ("smoke", "book", "full")
ENV_VAR = "RESNOTES_SIZE"


def resolve_size(size: str | None = None) -> str:
    """The size to run at: ``size`` if given, else ``$RESNOTES_SIZE``, else ``"book"``."""
    chosen = size if size is not None else os.environ.get(ENV_VAR, "book")
    chosen = chosen.strip().lower()
    if chosen not in SIZES:
        source = "argument size" if size is not None else f"${ENV_VAR}"
        raise ValueError(f"unknown size {chosen!r} (from {source}); choose one of {', '.join(SIZES)}")
    return chosen


class Settings(Mapping[str, Any]):
    """A chapter's settings at one size: read-only, attribute or key access."""

    def __init__(self, size: str, values: Mapping[str, Any]) -> None:
        self.size = size
        self._values = MappingProxyType(dict(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting {name!r}; settings are {', '.join(self._values)}") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        width = max(map(len, self._values), default=0)
        body = "".join(f"\n  {k:<{width}}  {v!r}" for k, v in self._values.items())
        return f"settings at size {self.size!r}:{body}"


def chapter_settings(size: str | None, table: Mapping[str, tuple[Any, Any, Any]]) -> Settings:
    """Pick one column of a chapter's settings table.

    Args:
        size: ``"smoke"``, ``"book"``, ``"full"``, or ``None`` for ``$RESNOTES_SIZE``.
        table: each setting's name mapped to its three values, in the order
            ``(smoke, book, full)``.
    """
    for key, values in table.items():
        if not isinstance(values, tuple) or len(values) != len(SIZES):
            raise ValueError(f"setting {key!r} needs a tuple of {len(SIZES)} values "
                             f"({', '.join(SIZES)}), got {values!r}")
    chosen = resolve_size(size)
    column = SIZES.index(chosen)
    return Settings(chosen, {k: v[column] for k, v in table.items()})
