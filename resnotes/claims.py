"""Conclusions checked against their own data.

Where a chapter's prose states a relation between measured quantities (A beats
B, X does not recover), the chapter states it once more in code::

    ev = compare(loss56, ">", loss8, margin=0.02,
                 labels=("residual-56 training loss", "residual-8 training loss"))
    c = claim("ch1_depth_hurts", "residual-56 ends with a higher training loss than residual-8",
              ev, settings=cfg)

:func:`compare` evaluates the relation on every seed (paired: seed ``i`` of one
arm against seed ``i`` of the other); :func:`claim` turns the per-seed verdicts
into words ("holds on all 3 seeds", "holds on 2 of 3 seeds"), glues them under
the claim's key for the text, prints them and keeps the claim for the chapter's
run record, from which the book's claims ledger is built. At size ``book`` or
``full`` a claim that its data contradict raises :class:`ClaimContradicted`, so
the book cannot be built with a conclusion its own numbers refute; at ``smoke``
size, where the numbers mean little, it is only recorded.

A margin belongs in every comparison of trained results: the last digits of
training differ between CPUs, so a relation is only checked with a gap that the
seeds support, never one that a different machine could flip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .display import glue
from .sizes import resolve_size

__all__ = ["Claim", "ClaimContradicted", "Evidence", "chapter_claims", "claim", "compare", "forget_claims"]

REQUIREMENTS = ("all", "any", None)


class ClaimContradicted(AssertionError):
    """A checked claim that its own data contradict (raised at size book or full)."""


@dataclass(frozen=True)
class Evidence:
    """A relation evaluated per seed: ``per_seed[i]`` says whether it held on seed ``i``.

    ``numbers`` names the measured values behind it (each a list, one per seed)
    and ``relation`` states the test in words, e.g. ``"a > b + 0.02"``.
    """

    per_seed: tuple[bool, ...]
    numbers: Mapping[str, list[float]] = field(default_factory=dict)
    relation: str = ""

    def __post_init__(self) -> None:
        if not self.per_seed:
            raise ValueError("evidence needs at least one verdict (one per seed)")
        if not all(isinstance(v, bool) for v in self.per_seed):
            raise TypeError(f"per_seed must hold booleans, got {self.per_seed!r}")


def _as_list(x: float | Sequence[float], name: str) -> list[float] | None:
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return None
    try:
        vals = [float(v) for v in x]  # type: ignore[union-attr]
    except TypeError:
        raise TypeError(f"{name} must be a number or a sequence of numbers (one per seed), "
                        f"got {type(x).__name__}") from None
    if not vals:
        raise ValueError(f"{name} is empty: give one value per seed")
    return vals


def compare(a: float | Sequence[float], op: str, b: float | Sequence[float], *, margin: float = 0.0,
            labels: tuple[str, str] = ("a", "b")) -> Evidence:
    """Evaluate ``a op b`` by at least ``margin`` on each seed.

    ``op`` is ``">"`` (``a > b + margin``) or ``"<"`` (``a < b - margin``). ``a`` and
    ``b`` are per-seed values paired by seed (equal lengths), or a plain number
    that every seed is compared with. A NaN (a diverged run) never satisfies a
    relation.
    """
    if op not in (">", "<"):
        raise ValueError(f"op must be '>' or '<', got {op!r}")
    if not (isinstance(margin, (int, float)) and margin >= 0 and math.isfinite(margin)):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    a_list, b_list = _as_list(a, labels[0]), _as_list(b, labels[1])
    n = len(a_list) if a_list is not None else (len(b_list) if b_list is not None else 1)
    av: list[float] = a_list if a_list is not None else [float(a)] * n  # type: ignore[arg-type]
    bv: list[float] = b_list if b_list is not None else [float(b)] * n  # type: ignore[arg-type]
    if len(av) != len(bv):
        raise ValueError(f"{labels[0]} has {len(av)} values and {labels[1]} {len(bv)}: "
                         "compare the same seeds of both arms")
    if op == ">":
        per_seed = tuple(bool(x > y + margin) for x, y in zip(av, bv))
    else:
        per_seed = tuple(bool(x < y - margin) for x, y in zip(av, bv))
    gap = f" by more than {margin:g}" if margin else ""
    numbers = {labels[0]: av}
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        relation = f"{labels[0]} {op} {float(b):g}{gap}"
    else:
        relation = f"{labels[0]} {op} {labels[1]}{gap}, seed by seed"
        numbers[labels[1]] = bv
    return Evidence(per_seed, numbers, relation)


@dataclass(frozen=True)
class Claim:
    """A sentence of the book, the evidence for it and the verdict."""

    key: str
    text: str
    evidence: Evidence
    require: str | None
    size: str

    @property
    def n(self) -> int:
        return len(self.evidence.per_seed)

    @property
    def k(self) -> int:
        return sum(self.evidence.per_seed)

    @property
    def status(self) -> str:
        """``"holds"`` (every seed), ``"mixed"`` (some) or ``"fails"`` (none)."""
        return "holds" if self.k == self.n else ("fails" if self.k == 0 else "mixed")

    @property
    def contradicted(self) -> bool:
        if self.require == "all":
            return self.k < self.n
        if self.require == "any":
            return self.k == 0
        return False

    @property
    def verdict(self) -> str:
        """The verdict in words, as the text shows it."""
        if self.n == 1:
            return "holds" if self.k else "does not hold"
        if self.k == self.n:
            return "holds on both seeds" if self.n == 2 else f"holds on all {self.n} seeds"
        if self.k == 0:
            return f"holds on none of {self.n} seeds"
        return f"holds on {self.k} of {self.n} seeds"

    def choose(self, *, holds: str, fails: str, mixed: str | None = None) -> str:
        """The wording that the data support: one of three sentences, picked by the status.

        ``mixed`` (the relation held on some seeds, not all) may be left out only when
        the outcome cannot be mixed; a mixed outcome without it is an error, never
        reported as a rule."""
        if self.status == "holds":
            return holds
        if self.status == "fails":
            return fails
        if mixed is None:
            raise ValueError(f"claim {self.key!r} holds on {self.k} of {self.n} seeds: "
                             "give the wording for a mixed result (mixed=...)")
        return mixed

    def record(self) -> dict[str, Any]:
        """The claim as the chapter's run record keeps it (and the claims ledger shows it)."""
        return {"key": self.key, "text": self.text, "relation": self.evidence.relation,
                "numbers": {k: [round(v, 6) for v in vals] for k, vals in self.evidence.numbers.items()},
                "per_seed": list(self.evidence.per_seed), "status": self.status,
                "verdict": self.verdict, "require": self.require, "size": self.size,
                "contradicted": self.contradicted}


_CLAIMS: dict[str, Claim] = {}


def claim(key: str, text: str, evidence: Evidence, *, settings: Any = None, size: str | None = None,
          require: str | None = "all") -> Claim:
    """Check ``text`` against ``evidence``, glue the verdict under ``key`` and keep the claim.

    Args:
        key: the glue name, starting with the chapter's prefix (``"ch5_a_beats_c"``).
        text: the claim in words, as the book states it.
        evidence: from :func:`compare` (or an :class:`Evidence` built by hand).
        settings: the chapter's settings (gives the size); or pass ``size``.
        require: ``"all"``: contradicted unless the relation holds on every seed;
            ``"any"``: contradicted when it holds on no seed; ``None``: only reported
            (pick the text's wording with :meth:`Claim.choose`).

    Raises:
        ClaimContradicted: at size ``book`` or ``full`` when the data contradict the claim.
    """
    if not key or not key.isidentifier() or not key.startswith("ch") or "_" not in key:
        raise ValueError(f"claim key must be an identifier with the chapter's prefix, e.g. 'ch5_a_beats_c', "
                         f"got {key!r}")
    if require not in REQUIREMENTS:
        raise ValueError(f"require must be 'all', 'any' or None, got {require!r}")
    if not text.strip():
        raise ValueError("a claim needs its text: the sentence the book states")
    if not isinstance(evidence, Evidence):
        raise TypeError(f"evidence must come from resnotes.compare (an Evidence), got {type(evidence).__name__}")
    chosen = getattr(settings, "size", None) or resolve_size(size)
    c = Claim(key, text.strip(), evidence, require, chosen)
    _CLAIMS[key] = c
    glue(key, c.verdict)
    mark = "CONTRADICTED" if c.contradicted else ("checked" if require else "reported")
    print(f"claim {key} ({mark}): {c.text} -- {c.verdict} [{evidence.relation}]")
    if c.contradicted:
        nums = "; ".join(f"{k}: {', '.join(f'{v:.4g}' for v in vals)}"
                         for k, vals in evidence.numbers.items())
        message = (f"claim {key!r} is contradicted by its data at size {chosen!r}: {c.text!r} "
                   f"{c.verdict} ({evidence.relation}; {nums}). Change the text to what the data "
                   "show, or the experiment, not the check.")
        if chosen in ("book", "full"):
            raise ClaimContradicted(message)
        print(f"(size {chosen!r}: not failing; at book size this claim would stop the build)")
    return c


def chapter_claims(chapter: str) -> list[Claim]:
    """The claims made so far in this process whose key starts with ``chapter + "_"``."""
    return [c for k, c in _CLAIMS.items() if k.startswith(chapter + "_")]


def forget_claims(chapter: str | None = None) -> None:
    """Drop the kept claims (of one chapter, or all): tests use it."""
    for k in [k for k in _CLAIMS if chapter is None or k.startswith(chapter + "_")]:
        del _CLAIMS[k]
