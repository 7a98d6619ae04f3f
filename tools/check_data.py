"""``python -m tools check-data``: which Fashion-MNIST copy the book would use.

Loads and verifies the data set the way every chapter does
(:func:`resnotes.load_fashion_mnist`) and says where it came from, or prints
the loader's error, which names every place searched and how to fix it.
"""

from __future__ import annotations

import sys

from resnotes.data import DataError, load_fashion_mnist

__all__ = ["main"]


def main(argv: list[str]) -> int:
    if argv:
        print("usage: python -m tools check-data", file=sys.stderr)
        return 2
    try:
        data = load_fashion_mnist()
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST OK: {data}")
    return 0
