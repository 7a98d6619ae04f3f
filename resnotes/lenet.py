"""LeNet-5 (LeCun et al., 1998), laid out for 28x28 Fashion-MNIST images.

The 1998 network read 32x32 digits; here the first convolution pads by 2, so a
28x28 image gives the same 28x28 map C1 gave, and every later layer has the
1998 shapes: C1 (6 maps 28x28), S2 (6 x 14x14), C3 (16 x 10x10), S4 (16 x 5x5),
C5 (120), F6 (84) and 10 outputs. Simplifications, as in d2l: C3 connects to
all six S2 maps (1998: a sparse table), S2/S4 are plain pooling (1998: pooling
with a trainable scale and bias), and the output is a linear layer (1998:
Euclidean RBF units). C5 is a linear layer, which on a 5x5 input equals the
1998 5x5 convolution.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

__all__ = ["lenet5"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
                                            "relu": nn.ReLU}
_POOLS: dict[str, type[nn.Module]] = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


def lenet5(num_classes: int = 10, *, in_channels: int = 1, activation: str = "tanh",
           pool: str = "avg", dropout: float = 0.0) -> nn.Sequential:
    """LeNet-5 for 28x28 images, with named layers ``c1, s2, c3, s4, c5, f6, out``.

    Args:
        activation: ``"tanh"`` (1998), ``"sigmoid"`` (d2l) or ``"relu"``.
        pool: ``"avg"`` (1998's subsampling) or ``"max"``.
        dropout: probability of dropping each input of ``f6`` and ``out``
            (0: no dropout layers, as in 1998).
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(_ACTIVATIONS)}")
    if pool not in _POOLS:
        raise ValueError(f"unknown pool {pool!r}; choose one of {sorted(_POOLS)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    act, pooling = _ACTIVATIONS[activation], _POOLS[pool]
    layers: list[tuple[str, nn.Module]] = [
        ("c1", nn.Conv2d(in_channels, 6, kernel_size=5, padding=2)), ("act1", act()),
        ("s2", pooling(kernel_size=2, stride=2)),
        ("c3", nn.Conv2d(6, 16, kernel_size=5)), ("act3", act()),
        ("s4", pooling(kernel_size=2, stride=2)),
        ("flatten", nn.Flatten()),
        ("c5", nn.Linear(16 * 5 * 5, 120)), ("act5", act()),
    ]
    if dropout > 0:
        layers.append(("drop5", nn.Dropout(dropout)))
    layers += [("f6", nn.Linear(120, 84)), ("act6", act())]
    if dropout > 0:
        layers.append(("drop6", nn.Dropout(dropout)))
    layers.append(("out", nn.Linear(84, num_classes)))
    return nn.Sequential(OrderedDict(layers))
