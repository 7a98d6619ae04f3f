"""Pick the compute device: a GPU when present, else the CPU."""

from __future__ import annotations

import os

import torch

__all__ = ["pick_device", "describe_device"]


def pick_device(prefer: str | None = None) -> torch.device:
    """``prefer`` if given (``"cpu"``, ``"cuda"``, ...), else ``$RESNOTES_DEVICE``, else
    CUDA, then Apple's MPS, then the CPU."""
    want = prefer or os.environ.get("RESNOTES_DEVICE")
    if want:
        dev = torch.device(want)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {want!r} asked for, but torch sees no CUDA GPU "
                               "(on Colab: Runtime > Change runtime type > GPU)")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device) -> str:
    """A short human description, e.g. ``cuda (NVIDIA H100 80GB HBM3)`` or ``cpu (2 threads)``."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return device.type
