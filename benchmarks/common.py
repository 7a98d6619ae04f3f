"""Shared by the benchmark commands: hardware and version facts, memory peaks, JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import torch

RESULTS = Path(__file__).resolve().parent / "results"


def parser(doc: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``--device``, ``--repeats`` and ``--no-save``."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--device", default=None, help="cpu or cuda (default: a GPU if present)")
    p.add_argument("--repeats", type=int, default=3,
                   help="timed runs per arm, after one untimed warm-up (default 3)")
    p.add_argument("--no-save", action="store_true", help="print only, write no JSON")
    return p


def environment() -> dict[str, Any]:
    """What the numbers were measured on."""
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    try:
        import torchvision

        env["torchvision"] = torchvision.__version__
    except ImportError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        if names:
            env["cpu"] = names[0]
    except OSError:
        pass
    return env


def hardware_tag(device: torch.device) -> str:
    """A short name for result files: ``cpu2`` or the GPU's name."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device).replace(" ", "-").lower()
    return f"cpu{os.cpu_count()}"


class PeakMemory:
    """Peak memory of a block: CUDA allocator peak on a GPU, else the peak
    resident memory of this process and its children (d2l's loader workers),
    sampled every 20 ms, above what was resident when the block began."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.peak_bytes = 0
        self.kind = "cuda max_memory_allocated" if device.type == "cuda" else \
            "resident set (process + children), sampled"

    @staticmethod
    def _rss() -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    @contextmanager
    def measure(self) -> Iterator["PeakMemory"]:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            yield self
            torch.cuda.synchronize()
            self.peak_bytes = torch.cuda.max_memory_allocated()
            return
        base = self._rss()
        peak = [base]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], self._rss())
                stop.wait(0.02)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
            self.peak_bytes = max(peak[0], self._rss()) - base


def write_result(name: str, device: torch.device, payload: dict[str, Any]) -> Path:
    """Write ``results/<name>-<hardware>.json`` with the environment added."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{hardware_tag(device)}.json"
    payload = {"benchmark": name, "environment": environment(), **payload}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table for the terminal."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


def spread(values: list[float]) -> dict[str, float | int]:
    """Median, minimum and maximum of repeated measurements (``n`` of them).

    One run per arm cannot rank two arms whose difference is smaller than the
    run-to-run spread; every benchmark reports this for each arm.
    """
    if not values:
        raise ValueError("spread needs at least one value")
    xs = sorted(values)
    mid = len(xs) // 2
    median = xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
    return dict(n=len(xs), median=median, min=xs[0], max=xs[-1])


def separated(a: list[float], b: list[float]) -> bool:
    """Whether every value of ``a`` lies above every value of ``b`` (their ranges do not overlap)."""
    return min(a) > max(b)
