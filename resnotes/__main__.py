"""Command line.

* ``python -m resnotes check-data`` says which Fashion-MNIST copy would be used.
* ``python -m resnotes records FOLDER... --into FILE`` merges the chapters' run
  records of one or more builds into a JSON file (see resnotes/records.py).
"""

from __future__ import annotations

import sys

from .data import _main

if __name__ == "__main__":
    if sys.argv[1:2] == ["records"]:
        from .records import _main as records_main

        raise SystemExit(records_main(sys.argv[2:]))
    raise SystemExit(_main(sys.argv))
