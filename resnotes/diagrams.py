"""Diagrams drawn in code (matplotlib), so the book ships no image files."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from .plot import OKABE_ITO

__all__ = ["PLAIN_AND_RESIDUAL_BLOCK_ALT", "draw_plain_and_residual_block"]

_SHORTCUT = OKABE_ITO["vermillion"]

#: What ``draw_plain_and_residual_block`` shows, in words (its alt text in the book).
PLAIN_AND_RESIDUAL_BLOCK_ALT = (
    "Two block diagrams side by side. Left, a plain block: the input x passes through a "
    "3x3 convolution with batch normalisation, a ReLU, a second 3x3 convolution with batch "
    "normalisation and a final ReLU; its two layers must fit the wanted mapping f(x) itself. "
    "Right, a residual block: the same layers, plus an identity shortcut that carries x "
    "around them to an addition before the final ReLU, so the output is f(x) = x + H(x) "
    "and the two layers only fit the residual H(x) = f(x) - x.")


def _box(ax: "Axes", y: float, text: str, color: str) -> None:
    ax.text(0.5, y, text, ha="center", va="center", fontsize=10,
            bbox=dict(boxstyle="round,pad=0.4", fc=color, ec="0.3", lw=1))


def _arrow(ax: "Axes", y0: float, y1: float) -> None:
    ax.annotate("", xy=(0.5, y1), xytext=(0.5, y0), arrowprops=dict(arrowstyle="->", color="0.2"))


def _column(ax: "Axes", title: str, residual: bool) -> None:
    ax.set(xlim=(0, 1.3), ylim=(-0.1, 1.08), title=title)
    ax.axis("off")
    layers = [(0.05, "x", "white"), (0.22, "3x3 conv, BN", "#cfe2f3"), (0.38, "ReLU", "#d9ead3"),
              (0.54, "3x3 conv, BN", "#cfe2f3")]
    for y, text, color in layers:
        _box(ax, y, text, color)
    for (y0, *_), (y1, *_) in zip(layers, layers[1:]):
        _arrow(ax, y0 + 0.04, y1 - 0.04)
    if residual:
        plus = 0.72
        _box(ax, plus, "+", "#fff2cc")
        _arrow(ax, 0.58, plus - 0.04)
        # the shortcut: right from x, up, then left into the addition
        ax.plot([0.56, 1.0, 1.0], [0.05, 0.05, plus], color=_SHORTCUT, lw=1.5)
        ax.annotate("", xy=(0.56, plus), xytext=(1.0, plus),
                    arrowprops=dict(arrowstyle="->", color=_SHORTCUT, lw=1.5))
        ax.text(1.03, 0.38, "identity\nshortcut", color=_SHORTCUT, ha="left", va="center", fontsize=9)
        _arrow(ax, plus + 0.04, 0.86)
        ax.text(0.55, 0.8, "f(x) = x + H(x)", ha="left", va="center", fontsize=9)
        note = "the two layers fit H(x) = f(x) - x"
    else:
        _arrow(ax, 0.58, 0.86)
        ax.text(0.55, 0.72, "f(x)", ha="left", va="center", fontsize=9)
        note = "the two layers fit f(x) itself"
    _box(ax, 0.9, "ReLU", "#d9ead3")
    ax.text(0.5, -0.08, note, ha="center", fontsize=9, style="italic")


def draw_plain_and_residual_block() -> "Figure":
    """A plain block (left) and a residual block (right), side by side."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4.2), layout="constrained")
    _column(left, "plain block", residual=False)
    _column(right, "residual block", residual=True)
    return fig
