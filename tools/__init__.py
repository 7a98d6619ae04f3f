"""The book's own tooling (not part of the installed ``resnotes`` package).

Run from the repository root: ``python -m tools <command> ...`` (see
``tools/__main__.py`` for the commands). Readers who ``pip install resnotes``
never get this folder; it needs the book's development environment
(``make setup``).
"""
