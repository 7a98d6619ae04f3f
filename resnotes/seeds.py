"""One arm of an experiment over several seeds, and its spread.

A result from one training run is an anecdote: the initial weights, the batch
order and the augmentation all come from the seed, and on small budgets they
move accuracy by whole percentage points. The book therefore runs every arm of
a trained comparison over several seeds (``seeds`` in each chapter's settings),
shows each seed's value and the spread, and checks its conclusions against the
per-seed values (:mod:`resnotes.claims`).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generic, Mapping, Sequence, TypeVar, Union

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["SeedRuns", "Spread", "over_seeds", "plot_seeds", "seed_list", "seed_table"]

T = TypeVar("T")
#: What picks a number out of one seed's result: an attribute or key name, or a function.
Key = Union[str, Callable[[Any], float], None]


def seed_list(seeds: int | Sequence[int]) -> tuple[int, ...]:
    """``n`` means seeds ``0 .. n-1``; a sequence is taken as given (distinct integers)."""
    if isinstance(seeds, bool):
        raise TypeError("seeds must be a count or a sequence of integers, not a bool")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, got {seeds}")
        return tuple(range(seeds))
    out = tuple(seeds)
    if not out or not all(isinstance(s, int) and not isinstance(s, bool) for s in out):
        raise ValueError(f"seeds must be a positive count or a non-empty sequence of integers, got {seeds!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds repeat: {out}; each seed once, or the spread is understated")
    return out


@dataclass(frozen=True)
class Spread:
    """Mean, standard deviation (n - 1 in the denominator), min and max of per-seed values.

    Printed as ``mean ± std (n=5)`` from five seeds on, and as ``mean (min–max, n=3)``
    below that, where a standard deviation says little.
    """

    n: int
    mean: float
    std: float
    min: float
    max: float
    fmt: str = "{:.4f}"

    @classmethod
    def of(cls, values: Sequence[float], fmt: str = "{:.4f}") -> "Spread":
        vals = [float(v) for v in values]
        if not vals:
            raise ValueError("no values: a spread needs at least one seed")
        std = statistics.stdev(vals) if len(vals) > 1 else math.nan
        return cls(len(vals), statistics.fmean(vals), std, min(vals), max(vals), fmt)

    def __str__(self) -> str:
        f = self.fmt.format
        if self.n == 1:
            return f"{f(self.mean)} (n=1)"
        if self.n >= 5:
            return f"{f(self.mean)} ± {f(self.std)} (n={self.n})"
        return f"{f(self.mean)} ({f(self.min)}–{f(self.max)}, n={self.n})"


def _pick(result: Any, key: Key) -> float:
    if key is None:
        value = result
    elif callable(key):
        value = key(result)
    elif isinstance(result, Mapping):
        if key not in result:
            raise KeyError(f"no {key!r} in the result; it has {', '.join(map(str, result))}")
        value = result[key]
    elif hasattr(result, key):
        value = getattr(result, key)
    else:
        raise AttributeError(f"the result ({type(result).__name__}) has no attribute {key!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"the value picked by {key!r} is {type(value).__name__}, not a number; "
                        "pass a function that returns one") from None


@dataclass
class SeedRuns(Generic[T]):
    """One arm's results, one per seed, in seed order."""

    arm: str
    seeds: tuple[int, ...]
    results: list[T]

    def values(self, key: Key = None) -> list[float]:
        """Each seed's number: ``key`` is an attribute or dict key of the result, a function
        of it, or ``None`` when the results are numbers already."""
        return [_pick(r, key) for r in self.results]

    def spread(self, key: Key = None, fmt: str = "{:.4f}") -> Spread:
        return Spread.of(self.values(key), fmt)

    def __len__(self) -> int:
        return len(self.results)


def over_seeds(run: Callable[[int], T], seeds: int | Sequence[int], *, arm: str = "") -> SeedRuns[T]:
    """Call ``run(seed)`` for every seed and keep each result.

    Args:
        run: one arm of the experiment, given its seed (pass it on to
            :func:`resnotes.fit`'s ``seed``, which fixes weights, batch order,
            augmentation and dropout).
        seeds: a count ``n`` (seeds ``0 .. n-1``) or the seeds themselves.
        arm: the arm's name in tables, plots and error messages.
    """
    chosen = seed_list(seeds)
    results: list[T] = []
    for s in chosen:
        try:
            results.append(run(s))
        except Exception as exc:
            name = f"arm {arm!r}" if arm else "the arm"
            raise RuntimeError(f"{name} failed at seed {s}: {exc}") from exc
    return SeedRuns(arm, chosen, results)


def _arms(arms: Mapping[str, SeedRuns[Any]] | Sequence[SeedRuns[Any]]) -> list[tuple[str, SeedRuns[Any]]]:
    if isinstance(arms, Mapping):
        items = list(arms.items())
    else:
        items = [(r.arm, r) for r in arms]
    if not items:
        raise ValueError("no arms given")
    return items


def seed_table(arms: Mapping[str, SeedRuns[Any]] | Sequence[SeedRuns[Any]], key: Key = None,
               fmt: str = "{:.4f}") -> "pd.DataFrame":
    """One row per arm: each seed's value, then the mean and the spread (std from 5 seeds on,
    else min–max), formatted with ``fmt``."""
    import pandas as pd

    rows = {}
    for name, runs in _arms(arms):
        vals = runs.values(key)
        spread = Spread.of(vals, fmt)
        row = {f"seed {s}": fmt.format(v) for s, v in zip(runs.seeds, vals)}
        row["mean"] = fmt.format(spread.mean)
        if spread.n >= 5:
            row["std"] = fmt.format(spread.std)
        elif spread.n > 1:
            row["min–max"] = f"{fmt.format(spread.min)}–{fmt.format(spread.max)}"
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").fillna("")


def plot_seeds(arms: Mapping[str, SeedRuns[Any]] | Sequence[SeedRuns[Any]], key: Key = None, *,
               ax: "Axes | None" = None, ylabel: str = "") -> "Axes":
    """Each arm's per-seed values as points and its mean as a bar: ± one standard deviation
    from five seeds on, the min–max range below that (where a standard deviation says little)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3))
    items = _arms(arms)
    for i, (name, runs) in enumerate(items):
        vals = runs.values(key)
        spread = Spread.of(vals)
        offsets = [(j - (len(vals) - 1) / 2) * 0.06 for j in range(len(vals))]
        ax.plot([i + 0.18 + o for o in offsets], vals, "o", color="0.45", markersize=4, linestyle="none",
                label="one seed" if i == 0 else None)
        if spread.n >= 5:
            lo, hi = spread.mean - spread.std, spread.mean + spread.std
        else:
            lo, hi = spread.min, spread.max
        ax.errorbar([i], [spread.mean], yerr=[[spread.mean - lo], [hi - spread.mean]], fmt="s",
                    color="C0", capsize=4, linestyle="none",
                    label=("mean ± std" if spread.n >= 5 else "mean, min–max") if i == 0 else None)
    ax.set_xticks(range(len(items)), [name for name, _ in items])
    ax.set_xlim(-0.6, len(items) - 0.4)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize="small")
    return ax
