"""Look inside a network while it learns: gradient norms per layer, loss on a data set.

:func:`gradient_norms` backpropagates one batch and reports, for every
convolution and linear layer in the order the model registers them, the norm of
its weight gradient and of its weight. :func:`dataset_loss` is the mean
cross-entropy of a model (in evaluation mode) over many images.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .data import preprocess
from .train import model_device

__all__ = ["GradNorm", "dataset_loss", "gradient_norms"]


@dataclass(frozen=True)
class GradNorm:
    """One layer's weight gradient: ``grad_norm = ||dL/dW||``, ``weight_norm = ||W||``."""

    name: str
    grad_norm: float
    weight_norm: float

    @property
    def relative(self) -> float:
        """``||dL/dW|| / ||W||``: the relative step plain SGD takes on this layer."""
        return self.grad_norm / self.weight_norm if self.weight_norm else float("nan")


def _check_batch(images: torch.Tensor, labels: torch.Tensor) -> None:
    if images.dtype != torch.uint8:
        raise TypeError(f"images must be uint8 as loaded by load_fashion_mnist, got {images.dtype}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if len(images) < 2:
        raise ValueError("need at least two images (BatchNorm in training mode needs a batch)")


def gradient_norms(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
                   skip_1x1: bool = True, resize: int | None = None) -> list[GradNorm]:
    """Backpropagate the cross-entropy of one batch; each layer's gradient norm.

    The model runs in training mode, as during training (BatchNorm normalises
    with the batch's statistics), and its mode is restored afterwards; its
    ``.grad`` fields are cleared before and after, and its BatchNorm running
    statistics are restored, so probing does not change the model.

    Args:
        images: ``uint8 [N, H, W]`` images, preprocessed as :func:`resnotes.fit` does.
        labels: their classes.
        skip_1x1: leave out 1x1 convolutions (projection shortcuts), keeping
            the layers along the main path.
        resize: as in :func:`resnotes.fit`.
    Returns:
        One :class:`GradNorm` per ``nn.Conv2d`` and ``nn.Linear``, in the order of
        ``model.named_modules()`` (input to output for the book's networks).
    """
    _check_batch(images, labels)
    layers = [(name, m) for name, m in model.named_modules()
              if isinstance(m, (nn.Conv2d, nn.Linear))
              and not (skip_1x1 and isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1))]
    if not layers:
        raise ValueError("the model has no nn.Conv2d or nn.Linear layer to probe")
    device = model_device(model)
    buffers = {k: v.clone() for k, v in model.state_dict().items()
               if "running" in k or "num_batches" in k}
    was_training = model.training
    model.train()
    model.zero_grad(set_to_none=True)
    try:
        x = preprocess(images.to(device), resize=resize)
        loss = F.cross_entropy(model(x).float(), labels.to(device))
        loss.backward()
        rows = []
        for name, m in layers:
            if m.weight.grad is None:
                raise ValueError(f"layer {name} got no gradient: is it used in forward?")
            rows.append(GradNorm(name, m.weight.grad.norm().item(), m.weight.detach().norm().item()))
    finally:
        model.zero_grad(set_to_none=True)
        model.load_state_dict(buffers, strict=False)
        model.train(was_training)
    return rows


@torch.no_grad()
def dataset_loss(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
                 batch_size: int = 1000, resize: int | None = None) -> float:
    """Mean cross-entropy of ``model`` in evaluation mode over ``uint8`` images."""
    _check_batch(images, labels)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    device = model_device(model)
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        for i in range(0, len(images), batch_size):
            x = preprocess(images[i:i + batch_size].to(device), resize=resize)
            y = labels[i:i + batch_size].to(device)
            total += F.cross_entropy(model(x).float(), y, reduction="sum").item()
    finally:
        model.train(was_training)
    return total / len(images)
