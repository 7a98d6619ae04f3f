"""Peak tensor memory of a piece of code, on CPU or CUDA.

* CUDA: the caching allocator's own statistics
  (``torch.cuda.reset_peak_memory_stats`` / ``torch.cuda.max_memory_allocated``).
* CPU: PyTorch's CPU allocator keeps no peak statistic, and ``tracemalloc``
  does not see tensor memory (it is allocated outside Python's allocator).
  So the code runs under ``torch.profiler`` with ``profile_memory=True``,
  which records every tensor allocation and free with its size and time; the
  running sum of those events, in time order, is the live tensor memory, and
  its maximum is the peak.

Both count only memory allocated *while* the code runs, on top of what was
already live before it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch.profiler import ProfilerActivity, profile

__all__ = ["MemoryReport", "peak_memory"]


@dataclass(frozen=True)
class MemoryReport:
    """What :func:`peak_memory` measured, in bytes."""

    peak_bytes: int
    """Highest tensor memory allocated by the code at any moment."""
    retained_bytes: int
    """Tensor memory still allocated when the code returned."""
    method: str
    """How it was measured."""


def peak_memory(fn: Callable[[], object], device: torch.device | str = "cpu") -> MemoryReport:
    """Run ``fn()`` once and report the peak tensor memory it allocated on ``device``.

    Raises:
        ValueError: ``device`` is neither CPU nor CUDA (other back-ends keep
            no statistics this function can read).
    """
    dev = torch.device(device)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        torch.cuda.reset_peak_memory_stats(dev)
        before = torch.cuda.memory_allocated(dev)
        fn()
        torch.cuda.synchronize(dev)
        return MemoryReport(torch.cuda.max_memory_allocated(dev) - before,
                            torch.cuda.memory_allocated(dev) - before,
                            "torch.cuda.max_memory_allocated")
    if dev.type != "cpu":
        raise ValueError(f"peak_memory measures CPU or CUDA memory, got device {dev}; "
                         "run the code on 'cpu' or 'cuda'")
    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = sorted(((e.start_ns(), e.nbytes())
                     for e in prof.profiler.kineto_results.events()  # type: ignore[union-attr]
                     if e.name() == "[memory]" and str(e.device_type()).endswith("CPU")))
    live = peak = 0
    for _, nbytes in events:
        live += nbytes
        peak = max(peak, live)
    return MemoryReport(peak, live, "torch.profiler(profile_memory=True): CPU allocation events")


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence the profiler's C++ diagnostics (written to file descriptor 2)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
