"""The fast-engine options: on-device augmentation, test-time flip, stems, determinism, recipe."""

from __future__ import annotations

import pytest
import torch

import resnotes
from resnotes import ResNet, deterministic, evaluate, fit, predict
from resnotes.augment import augment, random_crop, random_flip
from resnotes.recipe import TRICKS, fast_resnet, train_fast


def test_random_flip_mirrors_about_half_and_keeps_the_rest() -> None:
    x = torch.randn(1000, 1, 5, 5)
    y = random_flip(x)
    flipped = (y == x.flip(-1)).flatten(1).all(1)
    kept = (y == x).flatten(1).all(1)
    assert bool((flipped | kept).all())
    assert 400 < int(flipped.sum()) < 600


def test_random_crop_is_a_shifted_window_of_the_zero_padded_image() -> None:
    x = torch.arange(1, 2 * 3 * 6 * 6 + 1, dtype=torch.float32).view(2, 3, 6, 6)
    y = random_crop(x, padding=2)
    assert y.shape == x.shape
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(2):
        windows = [padded[i, :, r:r + 6, c:c + 6] for r in range(5) for c in range(5)]
        assert any(torch.equal(y[i], w) for w in windows)
    assert torch.equal(random_crop(x, 0), x)
    with pytest.raises(ValueError):
        random_crop(x, -1)


def test_augment_names() -> None:
    x = torch.randn(4, 1, 8, 8)
    assert torch.equal(augment(x, "none"), x)
    assert augment(x, "flip-crop").shape == x.shape
    with pytest.raises(ValueError, match="unknown augmentation 'rotate'"):
        augment(x, "rotate")


def test_flip_tta_averages_an_image_and_its_mirror() -> None:
    class Halves(torch.nn.Module):  # class 0: left half bright, class 1: right half
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            half = x.shape[-1] // 2
            left, right = x[..., :half].mean((1, 2, 3)), x[..., half:].mean((1, 2, 3))
            return torch.stack([left, right], 1) + self.w

    images = torch.zeros(2, 28, 28, dtype=torch.uint8)
    images[0, :, :14] = 255  # bright left half
    images[1, :, 14:] = 255  # bright right half
    m = Halves()
    assert predict(m, images, normalize=False).tolist() == [0, 1]
    # with the mirror added, both images score the same: ties go to class 0
    assert predict(m, images, normalize=False, flip_tta=True).tolist() == [0, 0]


def test_3x3_stem_keeps_resolution() -> None:
    net = ResNet([1, 1], width=8, stem="3x3", stem_stride=1)
    assert net.stem(torch.zeros(1, 1, 28, 28)).shape == (1, 8, 28, 28)
    with pytest.raises(ValueError, match="stem must be"):
        ResNet([1], stem="5x5")
    with pytest.raises(ValueError, match="stem_stride"):
        ResNet([1], stem="3x3", stem_stride=0)


def test_deterministic_restores_the_previous_setting() -> None:
    before = torch.are_deterministic_algorithms_enabled()
    with deterministic():
        assert torch.are_deterministic_algorithms_enabled()
    assert torch.are_deterministic_algorithms_enabled() == before


def test_amp_flag_runs_bf16_on_cpu(fashion) -> None:
    """bf16 autocast is the CUDA default; asked for on a CPU it must run in bf16 too."""
    torch.manual_seed(0)
    net = resnotes.resnet18(width=8).eval()
    dtypes: list[torch.dtype] = []
    net.head.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    images = fashion.test_images[:256]
    amp = resnotes.predict(net, images, amp=True)
    fp32 = resnotes.predict(net, images, amp=False)
    assert dtypes == [torch.bfloat16, torch.float32]
    # same network, coarser arithmetic: nearly every prediction agrees
    assert (amp == fp32).float().mean().item() > 0.9


def test_recipe_trains_with_every_option_on_a_small_subset(fashion) -> None:
    hist = train_fast(fashion.subset(512, 200), epochs=2, width=8, device="cpu",
                      log=False, progress=False)
    assert hist.epochs == 2 and hist.train_loss[1] < hist.train_loss[0]
    assert fast_resnet(8).stem(torch.zeros(1, 1, 28, 28)).shape[-1] == 14
    with pytest.raises(ValueError, match="unknown tricks"):
        train_fast(fashion.subset(64, 10), without=("dropout",))
    assert set(TRICKS) == {"onecycle", "label_smoothing", "flip", "flip_tta", "zero_init"}


def test_augmented_training_is_reproducible(fashion) -> None:
    data = fashion.subset(256, 64)
    losses = []
    for _ in range(2):
        torch.manual_seed(3)
        hist = fit(resnotes.resnet18(width=4), data, epochs=1, batch_size=64, augment="flip-crop",
                   device="cpu", log=False, progress=False)
        losses.append(hist.step_loss)
    assert losses[0] == losses[1]


@pytest.mark.parametrize("cin, cout, k, stride, size, bias", [
    (8, 16, 3, 1, 1, True), (8, 16, 3, 2, 2, False), (4, 8, 1, 2, 1, True), (4, 8, 1, 2, 2, False),
])
def test_gemm_conv_matches_conv2d_forward_and_backward(cin: int, cout: int, k: int, stride: int,
                                                       size: int, bias: bool) -> None:
    from torch import nn

    from resnotes import GemmConv2d

    ref = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias).double()
    fast = GemmConv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias).double()
    fast.load_state_dict(ref.state_dict())
    x = torch.randn(5, cin, size, size, dtype=torch.float64, requires_grad=True)
    out_ref, out_fast = ref(x), fast(x)
    assert out_fast.shape == out_ref.shape and out_ref.shape[-1] * out_ref.shape[-2] <= GemmConv2d.max_pixels
    assert torch.allclose(out_fast, out_ref, atol=1e-12)
    g = torch.randn_like(out_ref)
    grads_ref = torch.autograd.grad(out_ref, [x, *ref.parameters()], g)
    grads_fast = torch.autograd.grad(out_fast, [x, *fast.parameters()], g)
    for a, b in zip(grads_ref, grads_fast):
        assert torch.allclose(a, b, atol=1e-12)


def test_convert_small_convs_shares_parameters_and_keeps_the_function() -> None:
    from resnotes import GemmConv2d, convert_small_convs

    net = resnotes.resnet18(width=8).eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    params = [id(p) for p in net.parameters()]
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        expected = net(x)
        convert_small_convs(net)
        got = net(x)
    assert [id(p) for p in net.parameters()] == params
    assert list(net.state_dict()) == list(before)
    assert sum(isinstance(m, GemmConv2d) for m in net.modules()) == 20  # 1 + 16 + 3 projections
    assert torch.allclose(got, expected, atol=1e-5)


def test_gemm_conv_falls_back_to_conv2d_for_larger_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    from torch import nn

    from resnotes import GemmConv2d

    calls = []
    original = nn.Conv2d._conv_forward

    def spy(self, *args):  # type: ignore[no-untyped-def]
        calls.append(self)
        return original(self, *args)

    monkeypatch.setattr(nn.Conv2d, "_conv_forward", spy)
    conv = GemmConv2d(4, 4, 3, padding=1)
    conv(torch.randn(2, 4, 1, 1))
    assert calls == []  # one pixel: the matrix product
    conv(torch.randn(2, 4, 3, 3))
    assert calls == [conv]  # nine pixels: the ordinary convolution
