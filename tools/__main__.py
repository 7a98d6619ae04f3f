"""``python -m tools <command> [args]``: the book's tooling, run from the repository root.

Each command is a ``module:function`` that takes the remaining arguments and
returns an exit status.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "student": "tools.student:main",  # student versions of chapters (otter-grader)
    "plain": "tools.plain:main",  # plain-Jupyter notebooks (notebooks/en) from the chapters
    "grade": "tools.grade:main",  # grade a class's submissions offline
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m tools {{{','.join(COMMANDS)}}} [args]", file=sys.stderr)
        return 2
    module, function = COMMANDS[argv[0]].split(":")
    return int(getattr(importlib.import_module(module), function)(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
