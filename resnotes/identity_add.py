"""Identity-add: the shortcut of a residual block when shapes agree.

``F(x) = x + H(x)``: the input passes unchanged (the identity) and is added
element by element to the output of the residual branch ``H``. It adds no
parameters at all, and its Jacobian is ``I + dH/dx``, so the gradient reaching
``x`` always contains the gradient reaching ``F(x)`` unchanged.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["IdentityAdd", "identity_add"]


def identity_add(x: torch.Tensor, h: torch.Tensor, *, inplace: bool = False) -> torch.Tensor:
    """Return ``x + h`` for two tensors of exactly the same shape.

    With ``inplace=True`` the sum is written into ``h``'s memory and ``h`` is
    returned (the source's ``Y += X``). Autograd refuses this at backward time
    when ``h`` is itself needed to compute a gradient (e.g. it is a ReLU's
    output), and at once when ``h`` is a leaf that requires a gradient.

    Broadcasting is refused on purpose: in a residual block a shape mismatch is
    a wiring mistake, and broadcasting would hide it.

    Raises:
        ValueError: the shapes differ; use :func:`resnotes.projected_add`,
            which first maps ``x`` to the shape of ``h``.
    """
    if x.shape != h.shape:
        raise ValueError(
            f"identity_add needs equal shapes, got input {tuple(x.shape)} and branch output "
            f"{tuple(h.shape)}. When the residual branch changes the channel count or the "
            "spatial size, project the input first: use resnotes.projected_add(x, h, projection) "
            "or resnotes.ProjectedAdd(in_channels, out_channels, stride)."
        )
    if inplace:
        return h.add_(x)
    return x + h


class IdentityAdd(nn.Module):
    """Module form of :func:`identity_add`; it has no parameters."""

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return identity_add(x, h)
