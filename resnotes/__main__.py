"""Command line.

* ``python -m resnotes check-data`` says which Fashion-MNIST copy would be used.
* ``python -m resnotes student 03 05 [--out DIR]`` writes student versions of
  chapters (solutions removed, otter-grader checks added; see resnotes/student.py).
"""

from __future__ import annotations

import sys

from .data import _main

if __name__ == "__main__":
    if sys.argv[1:2] == ["student"]:
        from .student import main

        raise SystemExit(main(sys.argv[2:]))
    raise SystemExit(_main(sys.argv))
