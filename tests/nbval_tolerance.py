"""nbval compares a notebook's outputs by meaning, not by bits.

The last digits of a floating-point result depend on the CPU's vector units
and on the number of threads, so a stored ``0.0163000540102778`` and a fresh
``0.016300054010277804`` are the same result. nbval compares outputs as
strings; :func:`install` makes it split each text into numbers and the rest:

* the text between numbers must be identical;
* integers (no decimal point, no exponent) must be identical;
* two decimal numbers may differ by ``RTOL`` of their size plus one unit in
  the last printed digit (a value printed as ``0.1234`` may come out as
  ``0.1235`` when the digit after it sits at a rounding boundary).

So ``5.662547588348389`` matches ``5.662546157836914``, while ``0.0163`` does
not match ``0.0173`` and ``61706`` does not match ``61707``. A cell whose
numbers differ more, by design (training, timings), carries the tag
``nbval-ignore-output`` instead. The repository's root ``conftest.py`` installs
this for every nbval run.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

RTOL = 1e-4

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def _decimal_unit(token: str) -> float:
    """One unit in the last printed digit of a decimal number (``0.1234`` -> ``1e-4``)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def numbers_match(ref: str, test: str, rtol: float = RTOL) -> bool:
    """Whether two output texts say the same thing up to floating-point noise."""
    if ref == test:
        return True
    ref_parts, test_parts = NUMBER.split(ref), NUMBER.split(test)
    ref_nums, test_nums = NUMBER.findall(ref), NUMBER.findall(test)
    if ref_parts != test_parts or len(ref_nums) != len(test_nums):
        return False
    for a, b in zip(ref_nums, test_nums):
        if a == b:
            continue
        is_int_a = not re.search(r"[.eE]", a)
        is_int_b = not re.search(r"[.eE]", b)
        if is_int_a or is_int_b:
            return False
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return False
        slack = rtol * max(abs(x), abs(y)) + max(_decimal_unit(a), _decimal_unit(b))
        if abs(x - y) > slack:
            return False
    return True


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def align(test: list[Any], ref: list[Any], rtol: float = RTOL) -> list[Any]:
    """``ref`` with each text replaced by the test's text where the two match by meaning.

    Outputs are paired in order; anything that differs in structure is left as
    it is, so nbval's own comparison still reports it.
    """
    if len(test) != len(ref):
        return ref
    out = copy.deepcopy(ref)
    for t, r in zip(test, out):
        if t.get("output_type") != r.get("output_type"):
            continue
        if r.get("output_type") == "stream":
            if t.get("name") == r.get("name"):
                a, b = _text(r.get("text")), _text(t.get("text"))
                if a is not None and b is not None and numbers_match(a, b, rtol):
                    r["text"] = t["text"]
            continue
        data_t, data_r = t.get("data", {}), r.get("data", {})
        for key in data_r:
            if key in data_t:
                a, b = _text(data_r[key]), _text(data_t[key])
                if a is not None and b is not None and numbers_match(a, b, rtol):
                    data_r[key] = data_t[key]
    return out


def install() -> None:
    """Make nbval's output comparison tolerate floating-point noise (see the module's doc)."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to patch
        return
    if getattr(IPyNbCell.compare_outputs, "_resnotes_tolerant", False):
        return
    strict = IPyNbCell.compare_outputs

    def compare_outputs(self: Any, test: list[Any], ref: list[Any],
                        skip_compare: Any = None) -> bool:
        return bool(strict(self, test, align(test, ref), skip_compare))

    compare_outputs._resnotes_tolerant = True  # type: ignore[attr-defined]
    IPyNbCell.compare_outputs = compare_outputs  # type: ignore[method-assign]


def pytest_configure(config: Any) -> None:
    """Also usable as a plugin: ``pytest -p nbval_tolerance`` (with tests/ on the path)."""
    install()
