"""The CUDA code paths of the engine. They run in ``make gpu-check`` on a machine with an
NVIDIA GPU and are skipped elsewhere (CI has none); their CPU twins are in test_train.py."""

from __future__ import annotations

import pytest
import torch

import resnotes
from resnotes import deterministic, fit, predict

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def test_fit_on_cuda_uses_bf16_channels_last_and_restores_cudnn(fashion) -> None:
    data = fashion.subset(1024, 256)
    torch.manual_seed(0)
    net = resnotes.resnet18(width=16)
    seen: list[tuple[torch.dtype, bool]] = []
    net.head.register_forward_hook(lambda m, i, o: seen.append(
        (o.dtype, i[0].is_cuda)))
    stem_inputs: list[bool] = []
    net.stem.register_forward_pre_hook(lambda m, i: stem_inputs.append(
        i[0].is_contiguous(memory_format=torch.channels_last)))
    before = torch.backends.cudnn.benchmark
    hist = fit(net, data, epochs=2, batch_size=128, device="cuda", progress=False, log=False)
    assert torch.backends.cudnn.benchmark == before
    assert seen[0] == (torch.bfloat16, True)  # autocast on by default on CUDA
    assert stem_inputs[0]  # channels_last by default on CUDA
    assert all(p.is_contiguous() for p in net.parameters())  # and back afterwards
    assert hist.train_loss[1] < hist.train_loss[0] and hist.final_test_acc > 0.5
    assert predict(net, data.test_images[:10]).device.type == "cuda"


def test_deterministic_training_on_cuda_repeats_bit_for_bit(fashion) -> None:
    data = fashion.subset(512, 64)
    runs = []
    for _ in range(2):
        with deterministic(0):
            h = fit(lambda: resnotes.resnet18(width=8), data, epochs=1, batch_size=64,
                    device="cuda", augment="flip-crop", seed=3, progress=False, log=False)
        runs.append(h.step_loss)
    assert runs[0] == runs[1]


def test_full_size_path_on_cuda(fashion) -> None:
    """d2l's full settings (96x96, constant lr, plain SGD) for a few steps."""
    data = fashion.subset(1024, 256)
    torch.manual_seed(0)
    h = fit(resnotes.resnet18(), data, epochs=2, batch_size=256, lr=0.05, momentum=0.0,
            nesterov=False, weight_decay=0.0, schedule="constant", resize=96, device="cuda",
            progress=False, log=False)
    assert h.step_lr == [0.05] * 8 and h.train_loss[1] < h.train_loss[0]
