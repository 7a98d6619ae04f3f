"""The benchmark commands run end to end (tiny settings, nothing written)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import resnotes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402
import gemm_conv  # noqa: E402
import recipe  # noqa: E402
import scaling  # noqa: E402
import time_to_accuracy  # noqa: E402
import vs_d2l  # noqa: E402


@pytest.mark.filterwarnings("ignore::UserWarning")  # d2l's 4 loader workers on 2 cores, its plots
def test_vs_d2l_runs_both_paths(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    # d2l's train_ch6 needs at least 5 batches per epoch
    assert vs_d2l.main(["--device", "cpu", "--epochs", "1", "--train-size", "320",
                        "--test-size", "64", "--batch-size", "64", "--repeats", "2", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "d2l " in out and "resnotes " in out and "x faster than d2l" in out
    assert "per repeat" in out and "wall_min_s" in out


def test_time_to_accuracy_runs(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    assert time_to_accuracy.main(["--device", "cpu", "--epochs", "1", "--width", "4",
                                  "--train-size", "256", "--repeats", "2", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "recipe" in out and "seed 1" in out and "acc_min" in out
    # every trick gets a verdict from the two seeds
    assert all(f"{t}: " in out for t in recipe.TRICKS)


def test_scaling_runs(fashion, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(scaling, "DEPTHS", {"ResNet-18": [1, 1, 1, 1]})
    assert scaling.main(["--device", "cpu", "--width", "4", "--steps", "2", "--repeats", "1",
                         "--no-save"]) == 0
    assert "ResNet-18" in capsys.readouterr().out


def test_spread_and_separated() -> None:
    from common import separated, spread

    assert spread([3.0, 1.0, 2.0]) == dict(n=3, median=2.0, min=1.0, max=3.0)
    assert spread([4.0, 1.0, 2.0, 3.0])["median"] == 2.5
    with pytest.raises(ValueError, match="at least one"):
        spread([])
    assert separated([0.93, 0.94], [0.91, 0.92]) and not separated([0.93, 0.94], [0.92, 0.935])


def test_gpu_check_refuses_a_machine_without_cuda(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    from tools import gpu_check

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    ran: list[object] = []
    monkeypatch.setattr(gpu_check.subprocess, "run", lambda *a, **k: ran.append(a))
    assert gpu_check.main([]) == 1
    err = capsys.readouterr().err
    assert "needs a CUDA GPU" in err and "sees no CUDA GPU" in err and "Nothing was run" in err
    assert ran == []
    assert gpu_check.main(["--fast"]) == 2


def test_gpu_check_summarises_the_benchmarks_it_runs() -> None:
    """On the CPU results stored here: the figures the GPU run's table will show."""
    from tools import gpu_check

    names = [s.name for s in gpu_check.steps()]
    assert names[0] == "tests marked cuda" and "chapter 3 at full size" in names
    assert sum(s.timeout_s for s in gpu_check.steps()) <= 9 * 60  # within the 9-minute budget
    for name in ("vs_d2l", "time_to_accuracy", "scaling"):
        payload = json.loads(next((ROOT / "benchmarks" / "results").glob(f"{name}-*.json")).read_text())
        figures = gpu_check.figures_of(name, payload)
        assert figures and all(v is not None for v in figures.values()), name
    step = gpu_check.Step("benchmark vs_d2l", [], 1, status="ok", seconds=12.5,
                          figures={"speedup": 2.5})
    assert "benchmark vs_d2l" in gpu_check.summary([step]) and "speedup 2.5" in gpu_check.summary([step])


def test_time_to_threshold() -> None:
    h = resnotes.History(test_acc=[0.85, 0.91, 0.93], seconds=[10.0, 20.0, 30.0])
    assert time_to_accuracy.time_to(h, 0.90) == 20.0
    assert time_to_accuracy.time_to(h, 0.95) is None


def test_peak_memory_sees_an_allocation() -> None:
    import torch

    mem = common.PeakMemory(torch.device("cpu"))
    with mem.measure():
        block = bytearray(200 * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        import time

        time.sleep(0.1)
    assert mem.peak_bytes > 150 * 2**20


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "benchmarks" / "results").glob("*.json")
                                       if not p.name.startswith("chapter-times-")),
                         ids=lambda p: p.name)
def test_stored_results_say_where_they_were_measured(path: Path) -> None:
    result = json.loads(path.read_text())
    env = result["environment"]
    assert {"torch", "cpu", "cpu_count", "date"} <= set(env)
    assert result["benchmark"] == path.stem.split("-", 1)[0]


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks" / "results").glob("chapter-times-*.json")),
                         ids=lambda p: p.name)
def test_stored_chapter_times_are_run_records(path: Path) -> None:
    """Written by `python -m tools records`: size -> chapter -> one chapter's run record."""
    table = json.loads(path.read_text())
    assert set(table) <= {"smoke", "book", "full"} and table
    for size, chapters in table.items():
        for chapter, record in chapters.items():
            assert record["size"] == size and record["chapter"] == chapter
            assert record["seconds"] > 0 and {"device", "cpu", "cpu_count", "torch"} <= set(record)


def test_recipe_trains_with_every_option_on_a_small_subset(fashion) -> None:
    hist = recipe.train_fast(fashion.subset(512, 200), epochs=2, width=8, device="cpu",
                             log=False, progress=False)
    assert hist.epochs == 2 and hist.train_loss[1] < hist.train_loss[0]
    assert recipe.fast_resnet(8).stem(torch.zeros(1, 1, 28, 28)).shape[-1] == 14
    with pytest.raises(ValueError, match="unknown tricks"):
        recipe.train_fast(fashion.subset(64, 10), without=("dropout",))
    assert set(recipe.TRICKS) == {"onecycle", "label_smoothing", "flip", "flip_tta", "zero_init"}


@pytest.mark.parametrize("cin, cout, k, stride, size, bias", [
    (8, 16, 3, 1, 1, True), (8, 16, 3, 2, 2, False), (4, 8, 1, 2, 1, True), (4, 8, 1, 2, 2, False),
])
def test_gemm_conv_matches_conv2d_forward_and_backward(cin: int, cout: int, k: int, stride: int,
                                                       size: int, bias: bool) -> None:
    ref = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias).double()
    fast = gemm_conv.GemmConv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias).double()
    fast.load_state_dict(ref.state_dict())
    x = torch.randn(5, cin, size, size, dtype=torch.float64, requires_grad=True)
    out_ref, out_fast = ref(x), fast(x)
    assert out_fast.shape == out_ref.shape and out_ref.shape[-1] * out_ref.shape[-2] <= gemm_conv.GemmConv2d.max_pixels
    assert torch.allclose(out_fast, out_ref, atol=1e-12)
    g = torch.randn_like(out_ref)
    grads_ref = torch.autograd.grad(out_ref, [x, *ref.parameters()], g)
    grads_fast = torch.autograd.grad(out_fast, [x, *fast.parameters()], g)
    for a, b in zip(grads_ref, grads_fast):
        assert torch.allclose(a, b, atol=1e-12)


def test_convert_small_convs_shares_parameters_and_keeps_the_function() -> None:
    net = resnotes.resnet18(width=8).eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    params = [id(p) for p in net.parameters()]
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        expected = net(x)
        gemm_conv.convert_small_convs(net)
        got = net(x)
    assert [id(p) for p in net.parameters()] == params
    assert list(net.state_dict()) == list(before)
    assert sum(isinstance(m, gemm_conv.GemmConv2d) for m in net.modules()) == 20  # 1 + 16 + 3 projections
    assert torch.allclose(got, expected, atol=1e-5)


def test_gemm_conv_falls_back_to_conv2d_for_larger_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = nn.Conv2d._conv_forward

    def spy(self, *args):  # type: ignore[no-untyped-def]
        calls.append(self)
        return original(self, *args)

    monkeypatch.setattr(nn.Conv2d, "_conv_forward", spy)
    conv = gemm_conv.GemmConv2d(4, 4, 3, padding=1)
    conv(torch.randn(2, 4, 1, 1))
    assert calls == []  # one pixel: the matrix product
    conv(torch.randn(2, 4, 3, 3))
    assert calls == [conv]  # nine pixels: the ordinary convolution


@pytest.mark.parametrize("name", ["vs_d2l", "time_to_accuracy", "scaling"])
def test_stored_benchmarks_repeat_every_arm(name: str) -> None:
    """One run per arm cannot rank arms: every stored result holds at least 3 repeats."""
    for path in (ROOT / "benchmarks" / "results").glob(f"{name}-*.json"):
        payload = json.loads(path.read_text())
        assert payload.get("repeats", 1) >= 3, f"{path.name}: one run per arm"
        if name == "vs_d2l":
            assert len(payload["runs"]) == 2 * payload["repeats"]
            lo, hi = payload["speedup_range"]
            assert lo <= hi
        if name == "time_to_accuracy":
            assert all(len(runs) == payload["repeats"] for runs in payload["runs"].values())
