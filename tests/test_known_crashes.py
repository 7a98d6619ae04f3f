"""PyTorch bugs the book routes around, kept as tests so that the day a fix lands we see it.

One-thread backward of a 1x1 stride-2 convolution in channels_last (a ResNet's
projection shortcut in a net 2-6 channels wide) corrupts the heap in oneDNN's
AVX2 kernels: the process dies with "corrupted size vs. prev_size", "free():
invalid next size" or a segmentation fault. CPUs without AVX-512 (AMD EPYC up to
Zen 3, for example) run those kernels by default; ``ONEDNN_MAX_CPU_ISA=AVX2``
selects them on any x86-64 CPU, so the test reproduces the crash everywhere.
Found with torch 2.14.1 (oneDNN 3.x). Contiguous (NCHW) tensors, two threads,
or 8 and more input channels do not crash.

``resnotes.fit`` therefore uses channels_last only on CUDA by default, and no
chapter or test asks for it on a CPU with a network that narrow.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

REPRODUCER = textwrap.dedent("""
    import torch
    from torch import nn
    torch.set_num_threads(1)
    conv = nn.Conv2d(4, 4, kernel_size=1, stride=2, bias=False).to(memory_format={fmt})
    x = torch.randn(8, 4, 14, 14).contiguous(memory_format={fmt}).requires_grad_()
    for _ in range(20):
        conv(x).sum().backward()
    print("survived")
""")

x86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                         reason="oneDNN's AVX2 kernels exist on x86-64 only")


def _run(fmt: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX2", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", REPRODUCER.format(fmt=fmt)], env=env,
                          capture_output=True, text=True, timeout=120)


@x86
@pytest.mark.xfail(strict=True, reason="PyTorch 2.14 / oneDNN AVX2: channels_last 1x1 stride-2 "
                   "backward with one thread corrupts the heap. If this passes, PyTorch fixed it: "
                   "channels_last may come back as fit's CPU default (measure first).")
def test_channels_last_projection_backward_one_thread_avx2() -> None:
    proc = _run("torch.channels_last")
    assert proc.returncode == 0 and "survived" in proc.stdout, proc.stderr[-300:]


@x86
def test_the_same_convolution_in_nchw_is_safe() -> None:
    """The route around it: the layout fit uses on CPUs."""
    proc = _run("torch.contiguous_format")
    assert proc.returncode == 0 and "survived" in proc.stdout, proc.stderr[-300:]


@x86
def test_fit_on_cpu_does_not_reach_the_crash(fashion) -> None:
    """Chapter 1's residual nets 4 and 6 channels wide, trained by fit with one thread on AVX2
    kernels (with ``channels_last=True`` the same run dies)."""
    code = textwrap.dedent("""
        import torch, resnotes
        data = resnotes.load_fashion_mnist().subset(512, 64)
        for width in (4, 6):
            torch.manual_seed(0)
            resnotes.fit(resnotes.residual_net(8, width=width), data, epochs=1, batch_size=128,
                         resize=14, device="cpu", progress=False, log=False)
        print("survived")
    """)
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX2", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and "survived" in proc.stdout, proc.stderr[-300:]
