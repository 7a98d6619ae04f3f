"""Finding and verifying Fashion-MNIST."""

from __future__ import annotations

import gzip
import shutil
import time
from pathlib import Path

import pytest
import torch

import resnotes
from resnotes import DataError, load_fashion_mnist
from resnotes import data as data_mod

NAMES = list(data_mod.FILES)


def test_real_data_loads_with_upstream_order_and_balance(fashion) -> None:
    assert fashion.train_images.shape == (60_000, 28, 28)
    assert fashion.test_images.shape == (10_000, 28, 28)
    assert fashion.train_images.dtype == torch.uint8
    assert fashion.train_labels[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert fashion.test_labels[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert fashion.train_labels.bincount().tolist() == [6000] * 10
    assert fashion.test_labels.bincount().tolist() == [1000] * 10


def test_subset_takes_a_prefix_and_validates(fashion) -> None:
    small = fashion.subset(100, 50)
    assert len(small.train_images) == 100 and len(small.test_labels) == 50
    assert torch.equal(small.train_images, fashion.train_images[:100])
    with pytest.raises(ValueError, match="ask for 1 to 60000"):
        fashion.subset(0)
    with pytest.raises(ValueError, match="ask for 1 to 10000"):
        fashion.subset(10, 20_000)


def _copy_data(fashion, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        shutil.copy(fashion.source / f"{name}.gz", dst / f"{name}.gz")
    return dst


def test_explicit_root_comes_first(fashion, tmp_path: Path) -> None:
    root = _copy_data(fashion, tmp_path / "copy")
    assert load_fashion_mnist(root).source == root


def test_environment_variable_is_searched(fashion, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_data(fashion, tmp_path / "env")
    monkeypatch.setenv("RESNOTES_DATA", str(root))
    assert resnotes.data.find_fashion_mnist(download=False) == root


def test_torchvision_layout_and_unpacked_files_are_accepted(fashion, tmp_path: Path) -> None:
    raw = tmp_path / "tv" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in NAMES:
        (raw / name).write_bytes(gzip.decompress((fashion.source / f"{name}.gz").read_bytes()))
    got = load_fashion_mnist(tmp_path / "tv")
    assert torch.equal(got.test_labels, fashion.test_labels)


def test_truncated_file_is_detected_not_used(fashion, tmp_path: Path) -> None:
    root = _copy_data(fashion, tmp_path / "bad")
    target = root / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:1000])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz is corrupt or truncated"):
        load_fashion_mnist(root)


def test_corrupt_unpacked_file_is_detected(fashion, tmp_path: Path) -> None:
    root = _copy_data(fashion, tmp_path / "bad2")
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    raw = gzip.decompress((fashion.source / "t10k-labels-idx1-ubyte.gz").read_bytes())
    (root / "t10k-labels-idx1-ubyte").write_bytes(raw[:-10])  # truncated
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_fashion_mnist(root)


def test_wrong_header_is_detected(fashion, tmp_path: Path) -> None:
    root = _copy_data(fashion, tmp_path / "bad3")
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    raw = bytearray(gzip.decompress((fashion.source / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    raw[3] = 0x03  # magic 2051 (images) in a label file
    (root / "t10k-labels-idx1-ubyte").write_bytes(bytes(raw))
    with pytest.raises(DataError, match="IDX header"):
        load_fashion_mnist(root)


def test_nothing_found_offline_fails_fast_naming_every_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESNOTES_DATA", str(tmp_path / "env-empty"))
    monkeypatch.setattr(data_mod, "_project_cache", lambda: tmp_path / "cache-empty")
    monkeypatch.setattr(data_mod, "DEBIAN_PATH", tmp_path / "debian-empty")
    t0 = time.perf_counter()
    with pytest.raises(DataError) as err:
        load_fashion_mnist(tmp_path / "arg-empty")  # real network probe: none here, or data found
    elapsed = time.perf_counter() - t0
    msg = str(err.value)
    for place in ("arg-empty", "env-empty", "cache-empty", "debian-empty"):
        assert place in msg
    assert "RESNOTES_DATA" in msg and "apt-get install dataset-fashion-mnist" in msg
    assert elapsed < 15, f"took {elapsed:.1f} s to give up"


def test_download_false_never_touches_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESNOTES_DATA", raising=False)
    monkeypatch.setattr(data_mod, "_project_cache", lambda: tmp_path / "c")
    monkeypatch.setattr(data_mod, "DEBIAN_PATH", tmp_path / "d")

    def boom(*a, **k):
        raise AssertionError("network probed although download=False")

    monkeypatch.setattr(data_mod, "_network_available", boom)
    with pytest.raises(DataError, match="download=False"):
        load_fashion_mnist(download=False)


def test_subset_of_a_subset_is_checked_against_its_own_size(fashion) -> None:
    small = fashion.subset(100, 20)
    assert len(small.subset(50, 20).train_images) == 50
    with pytest.raises(ValueError, match="has 100 train images"):
        small.subset(101)
    with pytest.raises(ValueError, match="has 20 test images"):
        small.subset(test=21)


def test_repr_shows_no_path(fashion) -> None:
    text = repr(fashion.subset(10, 10))
    assert text == "FashionMNIST(train=(10, 28, 28), test=(10, 28, 28))"
    assert str(fashion.source) not in text
