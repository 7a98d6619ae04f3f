"""The chapters' outputs are compared by meaning: noise in the last digits passes, a changed
result fails (tests/nbval_tolerance.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nbval_tolerance import align, numbers_match

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("ref, test", [
    ("0.0163000540102778", "0.016300054010277804"),          # chapter 2 on Intel vs AMD
    ("grad 5.662546157836914", "grad 5.662547588348389"),    # chapter 6, float32 sums
    ("ratio 0.1234", "ratio 0.1235"),                         # a rounding boundary
    ("1.9e+08 after 64 blocks", "1.9e+08 after 64 blocks"),
    ("tensor([0.5000, 1.2500])", "tensor([0.5000, 1.2500])"),
])
def test_noise_in_the_last_digits_matches(ref: str, test: str) -> None:
    assert numbers_match(ref, test)


@pytest.mark.parametrize("ref, test", [
    ("0.0163000540102778", "0.0173000540102778"),   # a meaningful digit
    ("ratio 0.1234", "ratio 0.1237"),
    ("61706 parameters", "61707 parameters"),       # integers are exact
    ("shape (1, 8, 28, 28)", "shape (1, 8, 14, 28)"),
    ("True", "False"),
    ("loss 0.52 at 8 layers", "loss 0.52 at 9 layers"),
    ("took 0.5 s", "took 0.5 ms"),                   # the text around the numbers is exact
    ("acc 0.9", "acc nan"),
    ("1.5e-03", "1.5e-02"),
])
def test_a_changed_result_does_not_match(ref: str, test: str) -> None:
    assert not numbers_match(ref, test)


def test_align_replaces_only_matching_texts() -> None:
    ref = [{"output_type": "stream", "name": "stdout", "text": "a 0.30000000000000004\n"},
           {"output_type": "execute_result", "data": {"text/plain": "7"}, "metadata": {}}]
    test = [{"output_type": "stream", "name": "stdout", "text": "a 0.30000000000000009\n"},
            {"output_type": "execute_result", "data": {"text/plain": "8"}, "metadata": {}}]
    out = align(test, ref)
    assert out[0]["text"] == test[0]["text"] and out[1]["data"]["text/plain"] == "7"
    assert ref[0]["text"] == "a 0.30000000000000004\n"  # the stored outputs are not modified


def _notebook(tmp_path: Path, stored: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(sum([0.1] * 10) * 0.0163)")
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored + "\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def _nbval(path: Path, *plugins: str) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", str(path),
            "--rootdir", str(path.parent)]
    for p in plugins:
        args += ["-p", p]
    return subprocess.run(args, cwd=path.parent, env=env, capture_output=True, text=True,
                          timeout=300).returncode


def test_nbval_passes_last_digit_noise_and_fails_a_meaningful_digit(tmp_path: Path) -> None:
    value = sum([0.1] * 10) * 0.0163  # what the cell prints: 0.016299999999999998
    text = repr(value)
    noisy = text[:-2] + ("11" if text[-2:] != "11" else "22")  # the last two digits perturbed
    wrong = repr(value * 1.001)  # the fourth significant digit
    assert _nbval(_notebook(tmp_path, text)) == 0
    assert _nbval(_notebook(tmp_path, noisy), "nbval_tolerance") == 0
    assert _nbval(_notebook(tmp_path, noisy)) != 0  # nbval alone compares bits
    assert _nbval(_notebook(tmp_path, wrong), "nbval_tolerance") != 0
