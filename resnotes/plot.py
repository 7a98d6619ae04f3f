"""Figures the chapters share: learning curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np

from .train import History

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_history"]


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
    ax_loss.plot(history.step_epoch, history.step_loss, color="tab:blue", alpha=0.25, lw=0.8,
                 label="per step")
    ax_loss.plot(history.step_epoch, _smooth(history.step_loss, window), color="tab:blue",
                 label=f"mean of {window} steps")
    ax_loss.set(xlabel="epoch", ylabel="training loss", xlim=(0, history.epochs))
    ax_loss.legend(frameon=False)
    epochs = np.arange(1, history.epochs + 1)
    ax_acc.plot(epochs, history.train_acc, "o-", label="train (during the epoch)")
    ax_acc.plot(epochs, history.test_acc, "s-", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", xlim=(0.5, history.epochs + 0.5))
    ax_acc.set_xticks(epochs)
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(frameon=False, loc="lower right")
    if title:
        fig.suptitle(title)
    return fig
