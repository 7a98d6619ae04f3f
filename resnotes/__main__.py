"""``python -m resnotes``: the package itself has no commands.

The book's tooling (the data check, run records, plain and student notebooks,
grading) is not part of the installed package: it runs as
``python -m tools <command>`` from the repository root.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    print("resnotes is a library and has no commands. The book's tools run from the "
          "repository root: python -m tools --help", file=sys.stderr)
    raise SystemExit(2)
