"""Seeds and checked claims: the verdicts, the failure at book size, the record."""

from __future__ import annotations

import json
import math

import pytest
import torch

import resnotes
from resnotes.claims import chapter_claims, forget_claims
from resnotes.seeds import Spread, seed_list


@pytest.fixture(autouse=True)
def _clean() -> None:
    forget_claims()
    yield
    forget_claims()


# --- seeds -----------------------------------------------------------------------------------

def test_over_seeds_passes_each_seed_and_keeps_order() -> None:
    runs = resnotes.over_seeds(lambda s: {"acc": 0.5 + s / 10}, seeds=3, arm="A")
    assert runs.seeds == (0, 1, 2)
    assert runs.values("acc") == pytest.approx([0.5, 0.6, 0.7])
    assert resnotes.over_seeds(lambda s: float(s), [7, 3]).values() == [7.0, 3.0]


def test_over_seeds_is_reproducible_and_seeds_differ() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()

    def run(seed: int) -> float:
        g = torch.Generator().manual_seed(seed)
        w = torch.randn(4, 2, generator=g)
        return float(torch.nn.functional.cross_entropy(x @ w, y))

    a = resnotes.over_seeds(run, 3).values()
    assert a == resnotes.over_seeds(run, 3).values()
    assert len(set(a)) == 3


def test_seed_list_rejects_nonsense() -> None:
    for bad in (0, -2, [], [1, 1], [0.5], True):
        with pytest.raises((ValueError, TypeError)):
            seed_list(bad)  # type: ignore[arg-type]


def test_failing_seed_names_arm_and_seed() -> None:
    def run(seed: int) -> float:
        if seed == 1:
            raise FloatingPointError("loss is nan")
        return 1.0
    with pytest.raises(RuntimeError, match=r"arm 'deep' failed at seed 1: loss is nan"):
        resnotes.over_seeds(run, 3, arm="deep")


def test_spread_uses_min_max_below_five_seeds_and_std_from_five() -> None:
    three = Spread.of([0.1, 0.3, 0.2])
    assert str(three) == "0.2000 (0.1000–0.3000, n=3)"
    five = Spread.of([1, 2, 3, 4, 5], fmt="{:.2f}")
    assert five.std == pytest.approx(math.sqrt(2.5))
    assert str(five) == "3.00 ± 1.58 (n=5)"


def test_values_picks_attributes_keys_and_functions_with_clear_errors() -> None:
    h = resnotes.History(train_loss=[1.0, 0.5], test_acc=[0.4, 0.8])
    runs = resnotes.SeedRuns("x", (0,), [h])
    assert runs.values("final_test_acc") == [0.8]
    assert runs.values(lambda r: r.train_loss[-1]) == [0.5]
    with pytest.raises(AttributeError, match="no attribute 'acc'"):
        runs.values("acc")
    with pytest.raises(TypeError, match="not a number"):
        runs.values("train_loss")


def test_seed_table_and_plot() -> None:
    a = resnotes.over_seeds(lambda s: 0.8 + s / 100, 3, arm="A")
    c = resnotes.over_seeds(lambda s: 0.7 + s / 100, 3, arm="C")
    table = resnotes.seed_table([a, c], fmt="{:.2f}")
    assert list(table.index) == ["A", "C"]
    assert table.loc["A", "seed 2"] == "0.82" and table.loc["C", "mean"] == "0.71"
    assert table.loc["A", "min–max"] == "0.80–0.82"
    ax = resnotes.plot_seeds({"A": a, "C": c}, ylabel="accuracy")
    points = [line for line in ax.get_lines() if len(line.get_xdata()) == 3]
    assert len(points) == 2 and sorted(points[0].get_ydata()) == pytest.approx([0.8, 0.81, 0.82])


# --- claims ----------------------------------------------------------------------------------

def test_compare_is_paired_by_seed_and_respects_the_margin() -> None:
    ev = resnotes.compare([0.60, 0.59, 0.50], ">", [0.45, 0.46, 0.49], margin=0.02, labels=("deep", "shallow"))
    assert ev.per_seed == (True, True, False)
    assert ev.numbers == {"deep": [0.60, 0.59, 0.50], "shallow": [0.45, 0.46, 0.49]}
    assert "by more than 0.02" in ev.relation
    assert resnotes.compare([0.3, 0.4], "<", 0.5, labels=("acc", "chance")).per_seed == (True, True)
    assert resnotes.compare(float("nan"), "<", 1.0).per_seed == (False,)
    with pytest.raises(ValueError, match="same seeds"):
        resnotes.compare([1, 2], ">", [1, 2, 3])
    with pytest.raises(ValueError, match="op must be"):
        resnotes.compare(1, ">=", 0)
    with pytest.raises(ValueError, match="margin"):
        resnotes.compare(1, ">", 0, margin=-1)


@pytest.mark.parametrize("per_seed, status, verdict", [
    ((True, True, True), "holds", "holds on all 3 seeds"),
    ((True, False, True), "mixed", "holds on 2 of 3 seeds"),
    ((False, False, False), "fails", "holds on none of 3 seeds"),
    ((True, True), "holds", "holds on both seeds"),
    ((True,), "holds", "holds"),
    ((False,), "fails", "does not hold"),
])
def test_verdict_in_words(per_seed: tuple[bool, ...], status: str, verdict: str) -> None:
    c = resnotes.claim("ch9_x", "x", resnotes.Evidence(per_seed), size="smoke", require=None)
    assert (c.status, c.verdict) == (status, verdict)


def test_a_contradicted_claim_fails_at_book_size_and_is_recorded_at_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    # numbers that contradict the claim "deep trains worse than shallow"
    ev = resnotes.compare([0.40, 0.41, 0.39], ">", [0.45, 0.46, 0.44], margin=0.02, labels=("deep", "shallow"))
    with pytest.raises(resnotes.ClaimContradicted, match="holds on none of 3 seeds"):
        resnotes.claim("ch1_deep_worse", "deep trains worse", ev, size="book")
    with pytest.raises(resnotes.ClaimContradicted):
        resnotes.claim("ch1_deep_worse", "deep trains worse", ev, size="full")
    c = resnotes.claim("ch1_deep_worse", "deep trains worse", ev, size="smoke")
    assert c.contradicted and "would stop the build" in capsys.readouterr().out
    # "any": one seed is enough; "all": one failing seed contradicts
    mixed = resnotes.Evidence((True, False, False))
    assert not resnotes.claim("ch1_some", "sometimes", mixed, size="book", require="any").contradicted
    with pytest.raises(resnotes.ClaimContradicted, match="1 of 3"):
        resnotes.claim("ch1_every", "always", mixed, size="book", require="all")
    # a merely reported claim never fails, and its wording comes from the data
    reported = resnotes.claim("ch1_rep", "reported", mixed, size="book", require=None)
    assert reported.choose(holds="h", fails="f", mixed="m") == "m"
    with pytest.raises(ValueError, match="mixed"):
        reported.choose(holds="h", fails="f")


def test_claim_checks_its_arguments() -> None:
    ev = resnotes.Evidence((True,))
    for key in ("", "depth", "ch1 x", "ch1"):
        with pytest.raises(ValueError, match="claim key"):
            resnotes.claim(key, "t", ev, size="smoke")
    with pytest.raises(ValueError, match="require"):
        resnotes.claim("ch1_x", "t", ev, size="smoke", require="most")
    with pytest.raises(TypeError, match="Evidence"):
        resnotes.claim("ch1_x", "t", [True], size="smoke")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        resnotes.Evidence((1, 0))  # type: ignore[arg-type]


def test_claims_go_into_the_chapter_run_record(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(resnotes.records.RECORDS_ENV_VAR, str(tmp_path))
    cfg = resnotes.chapter_settings("smoke", {"seeds": (1, 3, 5)})
    resnotes.claim("ch4_a", "a beats b", resnotes.compare([2.0], ">", [1.0], labels=("a", "b")), settings=cfg)
    resnotes.claim("ch5_other", "other chapter", resnotes.Evidence((True,)), settings=cfg)
    assert [c.key for c in chapter_claims("ch4")] == ["ch4_a"]
    resnotes.finish_chapter("ch4", 0.0, cfg)
    record = json.loads((tmp_path / "ch4.json").read_text())
    assert record["claims"] == [{
        "key": "ch4_a", "text": "a beats b", "relation": "a > b, seed by seed",
        "numbers": {"a": [2.0], "b": [1.0]}, "per_seed": [True], "status": "holds", "verdict": "holds",
        "require": "all", "size": "smoke", "contradicted": False}]
