"""Layer-by-layer tables: output shape and parameter count of each module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["LayerRow", "count_parameters", "layer_table"]


def count_parameters(module: nn.Module, *, trainable_only: bool = False) -> int:
    """Number of parameters (elements, not tensors) of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


@dataclass(frozen=True)
class LayerRow:
    """One row of :func:`layer_table`."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int


def layer_table(model: nn.Module, input_shape: tuple[int, ...], *,
                names: Iterable[str] | None = None,
                device: torch.device | str = "cpu") -> list[LayerRow]:
    """Run one batch of zeros through ``model`` and record the listed submodules.

    Args:
        input_shape: e.g. ``(1, 1, 28, 28)``.
        names: qualified names of the submodules to list (as in
            ``model.named_modules()``); by default the direct children.

    Rows come in the order the modules ran. Their parameters add up to the
    model's total when the listed modules cover every parameter once.
    """
    rows: list[LayerRow] = []
    modules = dict(model.named_modules())
    if names is None:
        names = [n for n, _ in model.named_children()]
    targets = []
    for n in names:
        if n not in modules:
            raise KeyError(f"{type(model).__name__} has no submodule {n!r}")
        targets.append((n, modules[n]))

    def record(name: str, mod: nn.Module, out: torch.Tensor) -> None:
        rows.append(LayerRow(name, type(mod).__name__, tuple(out.shape), count_parameters(mod)))

    run_with_hooks(model, input_shape, targets, record, device=device)
    return rows


def run_with_hooks(model: nn.Module, input_shape: tuple[int, ...],
                   targets: Iterable[tuple[str, nn.Module]],
                   record: Callable[[str, nn.Module, torch.Tensor], None], *,
                   device: torch.device | str = "cpu") -> None:
    """Run ``model`` once on zeros of ``input_shape`` (eval mode, no grad), calling
    ``record(name, module, output)`` after each target module; the model's
    training mode is restored and every hook removed, even on error."""
    hooks = [mod.register_forward_hook(lambda m, i, o, name=name: record(name, m, o))
             for name, mod in targets]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape, device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
