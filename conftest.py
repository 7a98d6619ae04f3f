"""Loaded by pytest for every run in this repository (unit tests and nbval).

nbval compares the chapters' stored outputs by meaning, not by bits: numbers
may differ in the last digits between CPUs and thread counts (see
tests/nbval_tolerance.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

from nbval_tolerance import install  # noqa: E402

install()

# nbval's executions of the chapters, kept for the smoke build (see tests/nbval_executed.py)
pytest_plugins = ["nbval_executed"]
