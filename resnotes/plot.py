"""Figures the chapters share: the book's plotting style, learning curves, and
showing a figure with a description in words (its alt text).

Colours come from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness, and each line of a plot also gets its own line
style, so no plot relies on colour alone. ``use_book_style`` sets this once (as
matplotlib's property cycle, so ``"C0"``, ``"C1"``, ... name the palette's
colours); ``show_figure`` displays a figure together with a sentence that says
what it shows and what it found, which the book build turns into the image's
``alt`` text for screen readers (see ``_ext/figure_alt.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .train import History

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "LINESTYLES", "book_cycler", "describe_history", "plot_history",
           "show_figure", "use_book_style"]

#: Okabe & Ito's colour-blind-safe palette, in the order the book cycles through it
#: (yellow last: it has the least contrast on white).
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish green": "#009E73",
    "orange": "#E69F00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}

#: One line style per palette colour, so that lines differ in more than colour.
LINESTYLES: list[Any] = ["-", "--", ":", "-.", (0, (5, 1.5)), (0, (3, 1, 1, 1, 1, 1)),
                         (0, (1, 2)), (0, (6, 2, 1, 2))]

#: The figures' metadata key under which the alt text travels (see ``show_figure``).
ALT_MIME = "image/png"


def book_cycler() -> Any:
    """matplotlib's property cycle for the book: Okabe-Ito colours, each with its own line style."""
    from cycler import cycler

    return cycler(color=list(OKABE_ITO.values())) + cycler(linestyle=LINESTYLES)


def use_book_style() -> None:
    """Set the book's figure style in this process (every chapter calls it once, after its imports).

    Colour-blind-safe colours with a distinct line style per line, viridis for images
    and colour maps, and slightly thicker lines; a format string such as ``"o-"`` or an
    explicit ``color=`` still overrides one property and keeps the other from the cycle.
    """
    import matplotlib as mpl

    mpl.rcParams.update({
        "axes.prop_cycle": book_cycler(),
        "image.cmap": "viridis",
        "lines.linewidth": 1.6,
        "lines.markersize": 5,
        "legend.handlelength": 3.0,  # long enough to show each line's dash pattern
    })


def show_figure(fig: "Figure", alt: str) -> None:
    """Display ``fig`` with ``alt``, a description in words of what it shows and found.

    In a notebook the figure is shown as usual (PNG) and the description travels in
    the output's metadata (``{"image/png": {"alt": alt}}``); the book build makes it the
    image's ``alt`` text. Build ``alt`` from the same values the figure plots (an
    f-string), so that it follows the numbers. The figure is closed afterwards, so
    that the inline backend does not show it a second time.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    alt = " ".join(alt.split())
    if len(alt) < 20:
        raise ValueError(f"alt text {alt!r} is too short to describe a figure: say what it shows")
    display(fig, metadata={ALT_MIME: {"alt": alt}})
    plt.close(fig)


def describe_history(history: History) -> str:
    """A sentence on what ``plot_history`` draws for ``history``, with its numbers."""
    if history.epochs == 0:
        raise ValueError("the history is empty: train for at least one epoch first")
    acc = ", ".join(f"{a:.3f}" for a in history.test_acc)
    return (f"Left: training loss per step over {history.epochs} epoch"
            f"{'s' if history.epochs != 1 else ''}, from {history.step_loss[0]:.2f} at the first "
            f"step to {history.train_loss[-1]:.2f} averaged over the last epoch. Right: accuracy "
            f"per epoch on the training images (during the epoch) and on the test set; test "
            f"accuracy by epoch: {acc}.")


def _smooth(values: list[float], window: int) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if window <= 1 or len(v) < window:
        return v
    kernel = np.ones(window) / window
    head = np.array([v[:i + 1].mean() for i in range(window - 1)])
    return np.concatenate([head, np.convolve(v, kernel, mode="valid")])


def plot_history(history: History, *, title: str | None = None,
                 axes: "tuple[Axes, Axes] | None" = None) -> "Figure":
    """Training loss per step (smoothed) and train/test accuracy per epoch.

    Returns the figure (two panels side by side unless ``axes`` is given).
    """
    import matplotlib.pyplot as plt

    if history.epochs == 0:
        raise ValueError("the history is empty: train for at least one epoch first")
    if axes is None:
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    else:
        ax_loss, ax_acc = axes
        fig = cast("Figure", ax_loss.figure)
    steps_per_epoch = len(history.step_loss) // history.epochs
    window = max(1, steps_per_epoch // 10)
    ax_loss.plot(history.step_epoch, history.step_loss, color=OKABE_ITO["sky blue"], ls="-",
                 lw=0.8, label="per step")
    ax_loss.plot(history.step_epoch, _smooth(history.step_loss, window), color=OKABE_ITO["blue"],
                 ls="-", lw=1.8, label=f"mean of {window} steps")
    ax_loss.set(xlabel="epoch", ylabel="training loss", xlim=(0, history.epochs))
    ax_loss.legend(frameon=False)
    epochs = np.arange(1, history.epochs + 1)
    ax_acc.plot(epochs, history.train_acc, "o-", color=OKABE_ITO["blue"],
                label="train (during the epoch)")
    ax_acc.plot(epochs, history.test_acc, "s--", color=OKABE_ITO["vermillion"], label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", xlim=(0.5, history.epochs + 0.5))
    ax_acc.set_xticks(epochs)
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(frameon=False, loc="lower right")
    if title:
        fig.suptitle(title)
    return fig
