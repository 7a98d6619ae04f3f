"""Small helpers: device choice, source display, glue, diagrams, project hygiene."""

from __future__ import annotations

import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

import resnotes
from resnotes import BasicBlock, describe_device, pick_device, show_source, source_of
from resnotes.diagrams import draw_plain_and_residual_block

ROOT = Path(__file__).resolve().parent.parent


def test_pick_device_prefers_what_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESNOTES_DEVICE", raising=False)
    assert pick_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("RESNOTES_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")
    assert describe_device(torch.device("cpu")).startswith("cpu (")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown without a GPU")
def test_asking_for_cuda_without_a_gpu_says_how_to_get_one() -> None:
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        pick_device("cuda")


def test_show_source_shows_the_code_that_runs() -> None:
    md = show_source(BasicBlock)
    assert md.data.startswith("```python\nclass BasicBlock(nn.Module):")
    assert "def forward" in md.data and md.data.endswith("```")
    assert source_of(BasicBlock) in md.data
    with pytest.raises(TypeError):
        show_source()


def test_glue_outside_the_book_is_silent_unless_asked(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import builtins

    real_import = builtins.__import__

    def no_myst_nb(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "myst_nb":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    resnotes.glue("x", 1)
    resnotes.glue("y", 2, display=True)
    assert capsys.readouterr().out == "y = 2\n"


def test_block_diagram_draws_two_panels() -> None:
    fig = draw_plain_and_residual_block()
    assert [ax.get_title() for ax in fig.axes] == ["plain block", "residual block"]


def test_pytest_never_collects_the_build_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "_build" in config["norecursedirs"] and config["testpaths"] == ["tests"]


def test_public_names_exist_and_have_docstrings() -> None:
    for name in resnotes.__all__:
        obj = getattr(resnotes, name)
        if callable(obj):
            assert obj.__doc__, f"resnotes.{name} has no docstring"


def test_book_style_is_colour_blind_safe_and_not_colour_only() -> None:
    import matplotlib as mpl

    from resnotes.plot import LINESTYLES, OKABE_ITO

    before = mpl.rcParams["axes.prop_cycle"]
    try:
        resnotes.use_book_style()
        cycle = list(mpl.rcParams["axes.prop_cycle"])
        assert [c["color"] for c in cycle] == list(OKABE_ITO.values())
        assert len({str(c["linestyle"]) for c in cycle}) == len(cycle) == len(LINESTYLES)
    finally:
        mpl.rcParams["axes.prop_cycle"] = before


def test_show_figure_attaches_its_description(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display
    import matplotlib.pyplot as plt

    shown: list[tuple[object, dict]] = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, metadata=None: shown.append((obj, metadata or {})))
    fig = draw_plain_and_residual_block()
    resnotes.show_figure(fig, alt=resnotes.diagrams.PLAIN_AND_RESIDUAL_BLOCK_ALT)
    assert shown == [(fig, {"image/png": {"alt": resnotes.diagrams.PLAIN_AND_RESIDUAL_BLOCK_ALT}})]
    assert not plt.fignum_exists(fig.number)  # closed: the inline backend shows it once
    with pytest.raises(ValueError):
        resnotes.show_figure(plt.figure(), alt="fig.png")


def test_describe_history_follows_the_numbers() -> None:
    h = resnotes.History(train_loss=[1.5, 0.75], train_acc=[0.5, 0.7], test_acc=[0.61, 0.825],
                         seconds=[1.0, 2.0], step_loss=[2.25, 1.0, 0.8, 0.7], step_epoch=[0, 0.5, 1, 1.5])
    text = resnotes.describe_history(h)
    assert "2 epochs" in text and "2.25" in text and "0.75" in text and "0.610, 0.825" in text
