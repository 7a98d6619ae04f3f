"""``make gpu-check``: the CUDA code paths, run on a machine with a CUDA GPU, in minutes.

1. the tests marked ``cuda`` (bf16 autocast, channels_last, cuDNN settings restored,
   deterministic mode on the GPU);
2. chapter 3 at ``full`` size through papermill (ResNet-18 at 96x96, d2l's settings);
3. the three benchmarks at their GPU settings, writing JSON to ``benchmarks/results/``.

It prints one summary table at the end. On a machine without a CUDA GPU it says so
and exits 1 before running anything. Each step's output goes to ``_build/gpu-check/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
OUT = ROOT / "_build" / "gpu-check"


@dataclass
class Step:
    name: str
    argv: list[str]
    timeout_s: int
    result: str | None = None  # a benchmark's JSON name in benchmarks/results/ (without the tag)
    status: str = "not run"
    seconds: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)


def steps(python: str = sys.executable) -> list[Step]:
    """What the check runs, in order; the time limits add up to under 9 minutes."""
    bench = ROOT / "benchmarks"
    return [
        Step("tests marked cuda", [python, "-m", "pytest", "-q", "-m", "cuda", "tests",
                                   "--ignore=tests/site"], 60),
        Step("chapter 3 at full size", [python, "-m", "papermill", "-k", "python3",
                                        "chapters/03_residual_blocks.ipynb",
                                        str(OUT / "03_residual_blocks-full.ipynb"),
                                        "-p", "size", "full"], 150),
        # d2l's settings but 3 epochs instead of 10, so that 3 repeats of both paths fit
        Step("benchmark vs_d2l", [python, str(bench / "vs_d2l.py"), "--device", "cuda",
                                  "--epochs", "3"], 180, result="vs_d2l"),
        Step("benchmark time_to_accuracy", [python, str(bench / "time_to_accuracy.py"),
                                            "--device", "cuda", "--only-recipe"], 80,
             result="time_to_accuracy"),
        Step("benchmark scaling", [python, str(bench / "scaling.py"), "--device", "cuda"], 60,
             result="scaling"),
    ]


def cuda_status() -> tuple[bool, str]:
    """Whether torch sees a CUDA GPU, and a sentence that says what it sees."""
    try:
        import torch
    except ImportError:
        return False, "torch is not installed here (run make setup)"
    if not torch.cuda.is_available():
        build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU-only build"
        return False, f"torch {torch.__version__} ({build}) sees no CUDA GPU on this machine"
    return True, f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}"


def figures_of(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The one or two numbers of a benchmark's JSON that the summary shows."""
    if name == "vs_d2l":
        rows = {r["path"]: r for r in payload["rows"]}
        out = {"speedup": payload["speedup"], "d2l_s": rows["d2l"]["wall_s"],
               "resnotes_s": rows["resnotes"]["wall_s"], "resnotes_acc": rows["resnotes"]["test_acc"]}
        if "speedup_range" in payload:
            out["speedup_range"] = payload["speedup_range"]
        return out
    if name == "time_to_accuracy":
        row = payload["rows"][0]
        keys = [k for k in row if k.startswith("s_to_") or k in ("final_test_acc", "train_s")]
        return {k: row[k] for k in keys if row[k] is not None}  # None: threshold never reached
    if name == "scaling":
        rates = [r.get("images_per_s") for r in payload.get("by_batch", [])]
        rates = [r for r in rates if isinstance(r, (int, float))]
        return {"best_images_per_s": max(rates)} if rates else {}
    return {}


def summary(done: list[Step]) -> str:
    """The table printed at the end."""
    lines = [f"{'step':32} {'status':8} {'seconds':>8}  figures"]
    for s in done:
        figs = ", ".join(f"{k} {v}" for k, v in s.figures.items())
        lines.append(f"{s.name:32} {s.status:8} {s.seconds:8.1f}  {figs}")
    return "\n".join(lines)


def _newest_result(name: str) -> dict[str, Any] | None:
    found = sorted(RESULTS.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(found[-1].read_text()) if found else None


def main(argv: list[str]) -> int:
    if argv:
        print("usage: python -m tools gpu-check  (no arguments)", file=sys.stderr)
        return 2
    ok, what = cuda_status()
    if not ok:
        print(f"error: make gpu-check needs a CUDA GPU: {what}. Nothing was run. "
              "Run it on a machine with an NVIDIA GPU and a CUDA build of torch.", file=sys.stderr)
        return 1
    print(f"gpu-check on {what}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    done: list[Step] = []
    for step in steps():
        log = OUT / (step.name.replace(" ", "_") + ".log")
        t0 = time.perf_counter()
        try:
            with log.open("w") as f:
                proc = subprocess.run(step.argv, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT,
                                      timeout=step.timeout_s)
            step.status = "ok" if proc.returncode == 0 else f"rc {proc.returncode}"
        except subprocess.TimeoutExpired:
            step.status = "timeout"
        step.seconds = time.perf_counter() - t0
        if step.result and step.status == "ok":
            payload = _newest_result(step.result)
            step.figures = figures_of(step.result, payload) if payload else {}
        print(f"{step.name}: {step.status} in {step.seconds:.0f} s (log {log.relative_to(ROOT)})",
              flush=True)
        done.append(step)
    print()
    print(summary(done))
    return 0 if all(s.status == "ok" for s in done) else 1
