"""Argument checks shared by the modules that build networks.

A network built from a wrong count (a float, a bool, zero) fails much later,
deep inside a convolution, with a message about tensors. These checks fail at
once and name the class or function and the argument.
"""

from __future__ import annotations

__all__ = ["check_count", "check_positive_int"]


def _check_ints(owner: str, minimum: int, values: dict[str, object]) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise ValueError(f"{owner}: {name} must be {wanted}, got {value!r}")


def check_positive_int(owner: str, **values: object) -> None:
    """Raise ``ValueError`` unless every value is an ``int`` >= 1 (``bool`` refused).

    ``check_positive_int("ResNet", width=width, num_classes=num_classes)``: the
    message names ``owner`` and the first argument that fails.
    """
    _check_ints(owner, 1, values)


def check_count(owner: str, **values: object) -> None:
    """Like :func:`check_positive_int`, but zero is allowed (a number of blocks)."""
    _check_ints(owner, 0, values)
