"""Command line: ``python -m resnotes student 03 05 [--out DIR]`` writes student
versions of chapters (solutions removed, otter-grader checks added; see
resnotes/student.py).

The book's other tooling runs as ``python -m tools <command>`` from the
repository root (``tools/`` is not installed with the package).
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    if sys.argv[1:2] != ["student"]:
        print("usage: python -m resnotes student CHAPTER... [--out DIR]; "
              "other commands: python -m tools --help", file=sys.stderr)
        raise SystemExit(2)
    from .student import main

    raise SystemExit(main(sys.argv[2:]))
