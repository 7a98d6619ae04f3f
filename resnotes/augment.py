"""Data augmentation on whole batches, on the device: no per-image Python work."""

from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = ["AUGMENTATIONS", "augment", "random_crop", "random_flip"]

AUGMENTATIONS: tuple[str, ...] = ("none", "flip", "flip-crop")


def random_flip(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Mirror a random half of the images ``[N, C, H, W]`` left to right.

    ``generator`` (on ``x``'s device) makes the choice reproducible without
    touching PyTorch's global random state.
    """
    mask = torch.rand(x.shape[0], device=x.device, generator=generator) < 0.5
    return torch.where(mask.view(-1, 1, 1, 1), x.flip(-1), x)


def random_crop(x: torch.Tensor, padding: int = 2,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """Pad by ``padding`` zeros and cut a random ``H x W`` window per image."""
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if padding == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (padding, padding, padding, padding))
    dy = torch.randint(0, 2 * padding + 1, (n, 1), device=x.device, generator=generator)
    dx = torch.randint(0, 2 * padding + 1, (n, 1), device=x.device, generator=generator)
    rows = dy + torch.arange(h, device=x.device)  # [n, h]
    cols = dx + torch.arange(w, device=x.device)  # [n, w]
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    out = padded[batch, :, rows.view(n, h, 1), cols.view(n, 1, w)]  # [n, h, w, c]
    return out.permute(0, 3, 1, 2)


def augment(x: torch.Tensor, kind: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Apply one of :data:`AUGMENTATIONS` to a float batch (random draws from ``generator``)."""
    if kind == "none":
        return x
    if kind == "flip":
        return random_flip(x, generator)
    if kind == "flip-crop":
        return random_crop(random_flip(x, generator), generator=generator)
    raise ValueError(f"unknown augmentation {kind!r}; choose one of {', '.join(AUGMENTATIONS)}")
