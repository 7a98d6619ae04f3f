"""A time-to-accuracy recipe for Fashion-MNIST, built from the book's blocks.

Used by ``benchmarks/time_to_accuracy.py`` only, so it lives with the
benchmarks rather than in the installed package.

The network is a small ResNet of :class:`resnotes.ResNet`'s family that keeps
more of a 28x28 image's resolution than d2l's layout: a 3x3 stem with stride 2
(28 -> 14), then four stages of one block each (14, 7, 4, 2 pixels). The
training tricks that pay on this data, each switchable for an ablation:

* ``onecycle``: warm-up then cosine decay of the learning rate (else constant);
* ``label_smoothing``: 0.1 of the target mass spread over the other classes;
* ``flip``: mirror half of each batch (clothes are left-right symmetric);
* ``flip_tta``: average the prediction of each test image and its mirror;
* ``zero_init``: start every block's last BatchNorm scale at zero.
"""

from __future__ import annotations

from typing import Any

import torch

from resnotes import FashionMNIST, History, ResNet, fit

__all__ = ["TRICKS", "fast_resnet", "train_fast"]

TRICKS: tuple[str, ...] = ("onecycle", "label_smoothing", "flip", "flip_tta", "zero_init")


def fast_resnet(width: int = 16, *, zero_init_residual: bool = True) -> ResNet:
    """The recipe's network: 3x3 stem with stride 2 and four one-block stages."""
    return ResNet([1, 1, 1, 1], width=width, stem="3x3", stem_stride=2,
                  zero_init_residual=zero_init_residual)


def train_fast(data: FashionMNIST, *, epochs: int = 5, width: int = 16, batch_size: int = 256,
               lr: float = 0.2, without: tuple[str, ...] = (), seed: int = 0,
               device: torch.device | str | None = None, **fit_kwargs: Any) -> History:
    """Train :func:`fast_resnet` with the recipe, minus the tricks named in ``without``."""
    unknown = set(without) - set(TRICKS)
    if unknown:
        raise ValueError(f"unknown tricks {sorted(unknown)}; the tricks are {', '.join(TRICKS)}")
    torch.manual_seed(seed)
    net = fast_resnet(width, zero_init_residual="zero_init" not in without)
    return fit(net, data, epochs=epochs, batch_size=batch_size, lr=lr,
               schedule="constant" if "onecycle" in without else "onecycle",
               label_smoothing=0.0 if "label_smoothing" in without else 0.1,
               augment="none" if "flip" in without else "flip",
               flip_tta="flip_tta" not in without, device=device, seed=seed, **fit_kwargs)
