"""The package's shape: what it exports, and what its modules may take from each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import resnotes

PACKAGE = Path(resnotes.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def cross_module_private_uses(source: str) -> list[str]:
    """``from .x import _y``, and ``x._y`` where ``x`` names a module of the package."""
    tree = ast.parse(source)
    found, modules = [], {"resnotes"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            inside = node.level > 0 or (node.module or "").split(".")[0] == "resnotes"
            if not inside:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''} "
                                 f"import {alias.name}")
                if node.module is None or node.module == "resnotes":  # `from . import data`
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "resnotes":
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_takes_a_private_name_from_another(path: Path) -> None:
    assert cross_module_private_uses(path.read_text()) == []


def test_the_scan_finds_what_it_is_for() -> None:
    bad = ("from .blocks import _check, ok\nfrom resnotes.shortcuts import _make_stem\n"
           "from . import data\nimport resnotes.records as rec\n"
           "x = data._FILES\ny = rec._main\nz = resnotes.data._FILES\n")
    assert len(cross_module_private_uses(bad)) == 5
    fine = "from .blocks import make_stage\nclass A:\n    def f(self):\n        return self._x\n"
    assert cross_module_private_uses(fine) == []


def test_docstring_names_every_module() -> None:
    doc = resnotes.__doc__ or ""
    for path in MODULES:
        if path.stem not in ("__init__", "__main__"):
            assert f":mod:`resnotes.{path.stem}`" in doc, path.stem


def test_everything_exported_exists() -> None:
    assert all(hasattr(resnotes, name) for name in resnotes.__all__)
    assert len(set(resnotes.__all__)) == len(resnotes.__all__)
