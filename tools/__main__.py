"""``python -m tools <command> [args]``: the book's tooling, run from the repository root.

Each command is a ``module:function`` that takes the remaining arguments and
returns an exit status; the module is imported only when its command runs, so
one command's dependencies never slow down or break another.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "records": "tools.records:main",  # merge the chapters' run records into a JSON file
    "check-data": "tools.check_data:main",  # which Fashion-MNIST copy the book would use
    "student": "tools.student:main",  # student versions of chapters (otter-grader)
    "plain": "tools.plain:main",  # plain-Jupyter notebooks (notebooks/en, --lang zh: notebooks/zh)
    "grade": "tools.grade:main",  # grade a class's submissions offline
    "pdf": "tools.pdf:main",  # the built site printed to PDF: the book and each chapter
    "gpu-check": "tools.gpu_check:main",  # the CUDA code paths, chapter 3 at full size, benchmarks
    "i18n": "tools.i18n:main",  # the Chinese edition's catalogues: extract, compile, check, stats
}


def usage() -> str:
    """One line that names every command."""
    return f"usage: python -m tools {{{','.join(COMMANDS)}}} [args]"


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(usage())
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        return 2
    module, function = COMMANDS[argv[0]].split(":")
    return int(getattr(importlib.import_module(module), function)(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
