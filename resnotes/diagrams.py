"""Diagrams drawn in code (matplotlib), so the book ships no image files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from .plot import OKABE_ITO

__all__ = ["BLOCK_FAMILY", "PLAIN_AND_RESIDUAL_BLOCK_ALT", "BlockSketch", "block_family_alt",
           "draw_block_family", "draw_plain_and_residual_block"]

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


@dataclass(frozen=True)
class BlockSketch:
    """What :func:`draw_block_family` draws for one block, bottom to top.

    ``layers``: the branch's layers; ``shortcut``: the layer on the shortcut
    (``None``: the identity); ``after_add``: what follows the addition
    (``None``: nothing); ``shapes``: the input's and the output's shape.
    """

    title: str
    layers: tuple[str, ...]
    shortcut: str | None
    after_add: str | None
    shapes: tuple[str, str]


#: The three blocks of :mod:`resnotes.blocks` where they change the shape
#: (C channels in, 2C out at half the resolution; the bottleneck's inner width is C/2).
BLOCK_FAMILY: tuple[BlockSketch, ...] = (
    BlockSketch("BasicBlock, 1x1 projection",
                ("3x3 conv, stride 2, BN", "ReLU", "3x3 conv, BN"),
                "1x1 conv, stride 2, BN", "ReLU", ("[B, C, H, W]", "[B, 2C, H/2, W/2]")),
    BlockSketch("Bottleneck, 1x1 projection",
                ("1x1 conv, BN (reduce)", "ReLU", "3x3 conv, stride 2, BN", "ReLU",
                 "1x1 conv, BN (expand)"),
                "1x1 conv, stride 2, BN", "ReLU", ("[B, C, H, W]", "[B, 2C, H/2, W/2]")),
    BlockSketch("PreActBlock, identity",
                ("BN, ReLU", "3x3 conv", "BN, ReLU", "3x3 conv"),
                None, None, ("[B, C, H, W]", "[B, C, H, W]")),
)


def block_family_alt(blocks: tuple[BlockSketch, ...] = BLOCK_FAMILY) -> str:
    """The alt text of :func:`draw_block_family`, built from what it draws."""
    parts = []
    for b in blocks:
        short = "an identity shortcut" if b.shortcut is None else f"a shortcut through a {b.shortcut}"
        after = (f", then a {b.after_add} after the addition" if b.after_add
                 else ", and nothing after the addition")
        parts.append(f"{b.title}: input {b.shapes[0]} goes up through "
                     + " then ".join(f"({layer})" for layer in b.layers) + f"; {short} carries it to the addition{after}; "
                     f"output {b.shapes[1]}.")
    return (f"{len(blocks)} block diagrams side by side, input at the bottom. " + " ".join(parts))


def _sketch(ax: "Axes", b: BlockSketch) -> None:
    n = len(b.layers)
    top = 1.0
    step = 0.72 / (n + 1)
    ys = [0.05 + step * (i + 1) for i in range(n)]
    plus = ys[-1] + step
    ax.set(xlim=(-0.05, 1.45), ylim=(-0.12, top + 0.1))
    ax.set_title(b.title, fontsize=10)
    ax.axis("off")
    _box(ax, 0.05, "x  " + b.shapes[0], "white")
    prev = 0.05
    for y, text in zip(ys, b.layers):
        color = "#d9ead3" if text.startswith(("ReLU", "BN, ReLU")) else "#cfe2f3"
        _arrow(ax, prev + 0.035, y - 0.035)
        _box(ax, y, text, color)
        prev = y
    _arrow(ax, prev + 0.035, plus - 0.035)
    _box(ax, plus, "+", "#fff2cc")
    # the shortcut: right from x, up, then left into the addition
    ax.plot([0.75, 1.2, 1.2], [0.05, 0.05, plus], color=_SHORTCUT, lw=1.5)
    ax.annotate("", xy=(0.56, plus), xytext=(1.2, plus),
                arrowprops=dict(arrowstyle="->", color=_SHORTCUT, lw=1.5))
    label = "identity" if b.shortcut is None else b.shortcut.replace(", ", ",\n", 1)
    ax.text(1.2, (0.05 + plus) / 2, label, color="black", ha="center", va="center", fontsize=8,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=_SHORTCUT, lw=1.5))
    out = plus
    if b.after_add:
        _arrow(ax, plus + 0.035, plus + step - 0.035)
        out = plus + step
        _box(ax, out, b.after_add, "#d9ead3")
    ax.text(0.5, min(out + 0.09, top + 0.07), "out  " + b.shapes[1], ha="center", va="center",
            fontsize=9)


def draw_block_family(blocks: tuple[BlockSketch, ...] = BLOCK_FAMILY) -> "Figure":
    """The blocks of :data:`BLOCK_FAMILY` side by side (alt text: :func:`block_family_alt`)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(blocks), figsize=(3.6 * len(blocks), 4.6), layout="constrained")
    for ax, b in zip(axes if len(blocks) > 1 else [axes], blocks):
        _sketch(ax, b)
    return fig
