"""Peak memory measurement."""

import pytest
import torch

from resnotes.memory import peak_memory


def test_peak_sees_a_temporary_tensor() -> None:
    def fn() -> None:
        a = torch.ones(1 << 20)  # 4 MiB, freed at return
        del a

    r = peak_memory(fn)
    assert r.peak_bytes >= 4 << 20
    assert r.retained_bytes < 4 << 20


def test_peak_of_two_live_tensors_exceeds_one() -> None:
    def one() -> None:
        torch.ones(1 << 20)

    def two() -> None:
        a = torch.ones(1 << 20)
        b = torch.ones(1 << 20)
        del a, b

    assert peak_memory(two).peak_bytes >= peak_memory(one).peak_bytes + (4 << 20) - 4096


def test_unknown_device_is_refused() -> None:
    with pytest.raises(ValueError, match="CPU or CUDA"):
        peak_memory(lambda: None, "meta")
