"""Translation equivariance and invariance, measured.

A map ``f`` is *equivariant* to shifts when shifting its input shifts its
output by the same amount, ``f(T x) = T f(x)``; it is *invariant* when the
output does not change at all, ``f(T x) = f(x)``. A convolution with stride 1
is equivariant (exactly, away from the borders); pooling makes features more
nearly invariant. :func:`equivariance_error` and :func:`invariance_error`
measure how far a module is from each.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["equivariance_error", "invariance_error", "shift"]


def shift(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Move the content of ``x`` [..., H, W] down by ``dy`` and right by ``dx`` pixels.

    Pixels that leave the image are dropped and the ones that enter are zero
    (unlike ``torch.roll``, nothing wraps around). Negative shifts go up / left.
    """
    if x.dim() < 2:
        raise ValueError(f"shift needs a tensor with at least 2 dimensions [..., H, W], "
                         f"got shape {tuple(x.shape)}")
    h, w = x.shape[-2:]
    if abs(dy) >= h or abs(dx) >= w:
        raise ValueError(f"a shift of ({dy}, {dx}) moves everything out of a {h}x{w} image; "
                         "use smaller shifts")
    out = torch.zeros_like(x)
    src_y, dst_y = slice(max(-dy, 0), h - max(dy, 0)), slice(max(dy, 0), h - max(-dy, 0))
    src_x, dst_x = slice(max(-dx, 0), w - max(dx, 0)), slice(max(dx, 0), w - max(-dx, 0))
    out[..., dst_y, dst_x] = x[..., src_y, src_x]
    return out


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    norm = b.norm().item()
    if norm == 0:
        raise ValueError("the reference output is all zeros; a relative error is undefined")
    return (a - b).norm().item() / norm


@torch.no_grad()
def equivariance_error(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                       dy: int, dx: int, *, margin: int = 0) -> float:
    """Relative distance between ``f(shift(x))`` and ``shift(f(x))``.

    ``f`` must keep the height and width (a stride-1 convolution with "same"
    padding, an activation). Both outputs are compared only at least
    ``margin`` pixels (plus the shift) away from the borders, where zero
    padding and the pixels shifted out make them differ. 0 means exactly
    equivariant.
    """
    a, b = f(shift(x, dy, dx)), shift(f(x), dy, dx)
    if a.shape != b.shape or a.shape[-2:] != x.shape[-2:]:
        raise ValueError(f"f changed the image size from {tuple(x.shape[-2:])} to "
                         f"{tuple(a.shape[-2:])}; equivariance_error needs a size-preserving f "
                         "(stride 1, 'same' padding); use invariance_error for pooled outputs")
    h, w = a.shape[-2:]
    m_y, m_x = margin + abs(dy), margin + abs(dx)
    if 2 * m_y >= h or 2 * m_x >= w:
        raise ValueError(f"margin {margin} plus shift ({dy}, {dx}) leaves nothing of a {h}x{w} "
                         "output to compare; use a smaller margin")
    inner = (..., slice(m_y, h - m_y), slice(m_x, w - m_x))
    return _relative(a[inner], b[inner])


@torch.no_grad()
def invariance_error(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     dy: int, dx: int) -> float:
    """Relative distance between ``f(shift(x))`` and ``f(x)``; 0 means invariant."""
    a, b = f(shift(x, dy, dx)), f(x)
    if a.shape != b.shape:
        raise ValueError(f"f gives outputs of shape {tuple(a.shape)} and {tuple(b.shape)} for "
                         "an image and its shifted copy; it must give one shape for both")
    return _relative(a, b)
