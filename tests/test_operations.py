"""identity_add, projected_add and Scale: the three operations."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from resnotes import IdentityAdd, ProjectedAdd, Scale, count_parameters, identity_add, projected_add, projection


def test_identity_add_adds_elementwise() -> None:
    x, h = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    assert torch.equal(identity_add(x, h), x + h)
    assert torch.equal(IdentityAdd()(x, h), x + h)


def test_identity_add_has_no_parameters() -> None:
    assert count_parameters(IdentityAdd()) == 0


def test_identity_add_jacobian_is_identity_plus_branch() -> None:
    # d(x + H(x))/dx = I + dH/dx: with H linear (x -> W x) the Jacobian is I + W.
    w = torch.randn(5, 5, dtype=torch.float64)
    x = torch.randn(5, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: identity_add(v, w @ v), x)
    assert torch.allclose(jac, torch.eye(5, dtype=torch.float64) + w)


def test_identity_add_mismatch_names_both_shapes_and_points_to_projected_add() -> None:
    with pytest.raises(ValueError) as err:
        identity_add(torch.zeros(4, 3, 6, 6), torch.zeros(4, 6, 3, 3))
    msg = str(err.value)
    assert "(4, 3, 6, 6)" in msg and "(4, 6, 3, 3)" in msg and "projected_add" in msg


def test_identity_add_refuses_broadcasting() -> None:
    with pytest.raises(ValueError):
        identity_add(torch.zeros(4, 3, 6, 6), torch.zeros(1, 3, 6, 6))


def test_projected_add_source_example_halves_channels_and_size() -> None:
    # The source's example: I is [B, C, H, W], O is [B, C/2, H/2, W/2]; I' = P(I) + O.
    b, c, h, w = 2, 8, 6, 6
    i, o = torch.randn(b, c, h, w), torch.randn(b, c // 2, h // 2, w // 2)
    op = ProjectedAdd(c, c // 2, stride=2).eval()
    out = op(i, o)
    assert out.shape == o.shape
    assert torch.allclose(out, op.project(i) + o)


def test_projected_add_usual_resnet_case_doubles_channels() -> None:
    x, h = torch.randn(2, 64, 8, 8), torch.randn(2, 128, 4, 4)
    assert ProjectedAdd(64, 128, stride=2)(x, h).shape == (2, 128, 4, 4)


def test_projection_parameter_count() -> None:
    # 1x1 conv without bias (BN follows) plus BN's gamma and beta.
    assert count_parameters(projection(64, 128, 2)) == 64 * 128 + 2 * 128
    assert count_parameters(projection(64, 128, 2, batch_norm=False)) == 64 * 128 + 128


def test_projected_add_wrong_projection_is_reported() -> None:
    with pytest.raises(ValueError) as err:
        projected_add(torch.zeros(2, 8, 6, 6), torch.zeros(2, 4, 3, 3), nn.Conv2d(8, 4, 1))
    msg = str(err.value)
    assert "(2, 4, 6, 6)" in msg and "(2, 4, 3, 3)" in msg


@pytest.mark.parametrize("bad", [dict(in_channels=0, out_channels=4), dict(in_channels=4, out_channels=4, stride=0)])
def test_projection_rejects_bad_arguments(bad: dict) -> None:
    with pytest.raises(ValueError):
        projection(**bad)


def test_scale_fixed_scalar() -> None:
    s = Scale(0.5)
    x = torch.randn(3, 4)
    assert torch.equal(s(x), 0.5 * x)
    assert count_parameters(s) == 0


def test_scale_learnable_starts_at_value_and_learns() -> None:
    s = Scale(0.0, learnable=True)
    assert count_parameters(s) == 1
    x = torch.randn(8, 3)
    assert torch.equal(s(x), torch.zeros_like(x))
    (s(x) * x).sum().backward()
    assert s.scale.grad is not None and s.scale.grad.item() == pytest.approx((x * x).sum().item(), rel=1e-5)


def test_scale_per_channel_layerscale() -> None:
    s = Scale(1e-4, learnable=True, channels=3)
    assert count_parameters(s) == 3
    x = torch.randn(2, 3, 4, 4)
    with torch.no_grad():
        s.scale.copy_(torch.tensor([1.0, 2.0, 3.0]))
    assert torch.equal(s(x)[:, 1], 2.0 * x[:, 1])


def test_scale_per_channel_rejects_wrong_channels() -> None:
    with pytest.raises(ValueError, match=r"\[N, 3, \.\.\.\]"):
        Scale(1.0, channels=3)(torch.zeros(2, 4, 5, 5))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "0.5", None])
def test_scale_rejects_non_finite_or_non_numbers(value: object) -> None:
    with pytest.raises(ValueError):
        Scale(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("channels", [0, -1, 2.5])
def test_scale_rejects_bad_channels(channels: object) -> None:
    with pytest.raises(ValueError):
        Scale(1.0, channels=channels)  # type: ignore[arg-type]


def test_identity_add_inplace_writes_into_the_branch_output() -> None:
    x, h = torch.ones(2, 3), torch.full((2, 3), 2.0)
    out = identity_add(x, h, inplace=True)
    assert out is h and torch.equal(h, torch.full((2, 3), 3.0))


def test_inplace_add_on_a_tensor_autograd_needs_fails_at_backward() -> None:
    x = torch.randn(4, requires_grad=True)
    h = torch.relu(x * 2)  # ReLU saves its output for backward
    y = identity_add(x, h, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_scale_refuses_bools() -> None:
    with pytest.raises(ValueError, match="finite number"):
        Scale(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="learnable"):
        Scale(1.0, learnable=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="channels"):
        Scale(1.0, channels=True)
