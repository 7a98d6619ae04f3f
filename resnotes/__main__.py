"""Command line: ``python -m resnotes check-data`` says which Fashion-MNIST copy would be used."""

from __future__ import annotations

import sys

from .data import _main

if __name__ == "__main__":
    raise SystemExit(_main(sys.argv))
