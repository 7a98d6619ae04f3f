"""Fashion-MNIST, found without a network and checked before use.

The loader returns the whole data set as ``uint8`` tensors (60,000 + 10,000
images of 28x28), so that training code can keep it resident on the device
and batch it by indexing, with no per-image Python work.

Where the files are looked for, in order:

1. the ``root`` argument of :func:`load_fashion_mnist`;
2. the environment variable ``RESNOTES_DATA``;
3. the project's own cache, ``data/fashion-mnist/`` in a source checkout
   (or ``~/.cache/resnotes/fashion-mnist`` for an installed package);
4. Debian's package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
5. a download through torchvision into the cache of 3., only where a network
   answers (Colab, a laptop).

Every file is checked (md5 of the original ``.gz`` files, or exact size and
IDX header of unpacked ones) before it is used; a truncated or corrupt file
raises :class:`DataError` naming the file. When nothing is found the error
names every place searched and the ways to fix it.

:func:`preprocess` turns a batch of those ``uint8`` images into the
normalised floats a network takes (with :data:`MEAN` and :data:`STD`).

Run ``python -m tools check-data`` (in the book's repository) to see which
copy would be used.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

__all__ = [
    "CLASSES",
    "DataError",
    "FILES",
    "FashionMNIST",
    "MEAN",
    "STD",
    "find_fashion_mnist",
    "load_fashion_mnist",
    "preprocess",
    "search_paths",
]

CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: The four files of Fashion-MNIST: name -> (md5 of the .gz, size of the unpacked
#: file, IDX magic, item count).
FILES: dict[str, tuple[str, int, int, int]] = {
    "train-images-idx3-ubyte": ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", 47_040_016, 2051, 60_000),
    "train-labels-idx1-ubyte": ("25c81989df183df01b3e8a0aad5dffbe", 60_008, 2049, 60_000),
    "t10k-images-idx3-ubyte": ("bef4ecab320f06d8554ea6380940ec79", 7_840_016, 2051, 10_000),
    "t10k-labels-idx1-ubyte": ("bb300cfdad3c16e7a12a480ee83cd310", 10_008, 2049, 10_000),
}

DEBIAN_PATH = Path("/usr/share/datasets/fashion-mnist")
ENV_VAR = "RESNOTES_DATA"


class DataError(RuntimeError):
    """Fashion-MNIST could not be found, or a file of it is damaged."""


@dataclass(frozen=True)
class FashionMNIST:
    """The whole data set as tensors.

    Attributes:
        train_images: ``uint8`` tensor ``[60000, 28, 28]``.
        train_labels: ``int64`` tensor ``[60000]`` with values 0-9.
        test_images: ``uint8`` tensor ``[10000, 28, 28]``.
        test_labels: ``int64`` tensor ``[10000]``.
        source: the folder the files were read from.
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: Path

    def subset(self, train: int | None = None, test: int | None = None) -> "FashionMNIST":
        """The first ``train`` training and ``test`` test examples (``None``: all).

        Both files are in the upstream order, whose classes are well mixed, so a
        prefix keeps the classes close to balanced.
        """
        for name, n, full in (("train", train, len(self.train_images)),
                              ("test", test, len(self.test_images))):
            if n is not None and not 0 < n <= full:
                raise ValueError(f"subset {name}={n}: this data set has {full} {name} images; "
                                 f"ask for 1 to {full}, or None for all")
        tr = slice(None, train)
        te = slice(None, test)
        return FashionMNIST(self.train_images[tr], self.train_labels[tr],
                            self.test_images[te], self.test_labels[te], self.source)

    def __repr__(self) -> str:
        # No path: a notebook's stored output must not show the machine it ran on
        # (the folder is ``self.source``).
        return (f"FashionMNIST(train={tuple(self.train_images.shape)}, "
                f"test={tuple(self.test_images.shape)})")


def _project_cache() -> Path:
    """``data/fashion-mnist`` in a source checkout, else a per-user cache."""
    repo = Path(__file__).resolve().parent.parent
    if (repo / "_toc.yml").is_file() and (repo / "data").is_dir():
        return repo / "data" / "fashion-mnist"
    return Path.home() / ".cache" / "resnotes" / "fashion-mnist"


def search_paths(root: str | os.PathLike[str] | None = None) -> list[tuple[str, Path]]:
    """The places searched, in order, each with where it came from."""
    places: list[tuple[str, Path]] = []
    if root is not None:
        places.append(("argument root", Path(root)))
    env = os.environ.get(ENV_VAR)
    if env:
        places.append((f"${ENV_VAR}", Path(env)))
    places.append(("project cache", _project_cache()))
    places.append(("Debian package dataset-fashion-mnist", DEBIAN_PATH))
    return places


def _candidates(folder: Path, name: str) -> list[Path]:
    """Layouts seen in the wild: flat, or torchvision's ``FashionMNIST/raw``."""
    out = []
    for sub in (folder, folder / "FashionMNIST" / "raw", folder / "raw"):
        out += [sub / f"{name}.gz", sub / name]
    return out


def _locate(folder: Path) -> dict[str, Path] | None:
    """Paths of all four files under ``folder``, or None if any is missing."""
    found: dict[str, Path] = {}
    for name in FILES:
        hit = next((p for p in _candidates(folder, name) if p.is_file()), None)
        if hit is None:
            return None
        found[name] = hit
    return found


def _fix_hint(path: Path) -> str:
    return (f"Delete or replace {path} with a good copy (the original files are "
            f"listed at https://github.com/zalandoresearch/fashion-mnist), "
            f"or point ${ENV_VAR} at another copy.")


def _read_verified(name: str, path: Path) -> np.ndarray:
    """Read one IDX file after checking it; raise DataError if it is damaged."""
    md5, size, magic, count = FILES[name]
    raw = path.read_bytes()
    if path.suffix == ".gz":
        got = hashlib.md5(raw).hexdigest()
        if got != md5:
            raise DataError(f"{path} is corrupt or truncated: md5 {got}, expected {md5}. "
                            + _fix_hint(path))
        raw = gzip.decompress(raw)
    if len(raw) != size:
        raise DataError(f"{path} is truncated or corrupt: {len(raw)} bytes unpacked, "
                        f"expected {size}. " + _fix_hint(path))
    got_magic, got_count = struct.unpack(">II", raw[:8])
    if (got_magic, got_count) != (magic, count):
        raise DataError(f"{path} has IDX header magic={got_magic} count={got_count}, expected "
                        f"magic={magic} count={count}: not the file its name says. " + _fix_hint(path))
    header = 16 if magic == 2051 else 8
    arr = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        arr = arr.reshape(count, rows, cols)
    elif arr.max() > 9:
        raise DataError(f"{path} holds label {int(arr.max())}; Fashion-MNIST labels are 0-9. "
                        + _fix_hint(path))
    return arr


def _network_available(host: str = "github.com", timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _download(into: Path) -> Path:
    """Download through torchvision (which checks md5 itself) into ``into``."""
    from torchvision.datasets import FashionMNIST as TVFashionMNIST

    into.mkdir(parents=True, exist_ok=True)
    TVFashionMNIST(str(into), train=True, download=True)
    TVFashionMNIST(str(into), train=False, download=True)
    return into


def find_fashion_mnist(root: str | os.PathLike[str] | None = None, *,
                       download: bool = True) -> Path:
    """The first folder holding all four Fashion-MNIST files.

    Raises:
        DataError: nothing found (and no network to download from); the
            message names every place searched and how to fix it.
    """
    places = search_paths(root)
    for _, folder in places:
        if _locate(folder) is not None:
            return folder
    cache = _project_cache()
    if download and _network_available():
        return _download(cache)
    lines = "\n".join(f"  - {folder}  ({why})" for why, folder in places)
    if not os.environ.get(ENV_VAR):
        lines += f"\n  (${ENV_VAR} is not set)"
    tried = "a download was not attempted (download=False)" if not download else \
        "no network answered, so torchvision could not download it"
    raise DataError(
        "Fashion-MNIST was not found. Searched, in order:\n" + lines + "\n"
        f"and {tried}.\n"
        "Fix it in one of these ways:\n"
        f"  * point ${ENV_VAR} at a folder holding train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz\n"
        f"    (in this project's CI: export {ENV_VAR}=../shared/data/fashion-mnist);\n"
        f"  * copy those four files into {cache};\n"
        "  * on Debian or Ubuntu: apt-get install dataset-fashion-mnist;\n"
        "  * run once where a network is reachable, and the files are downloaded into the cache."
    )


def load_fashion_mnist(root: str | os.PathLike[str] | None = None, *,
                       download: bool = True) -> FashionMNIST:
    """Load and verify Fashion-MNIST (see the module docstring for the search order).

    Args:
        root: a folder to look in first.
        download: allow a torchvision download where nothing local is found
            and a network answers.

    Returns:
        A :class:`FashionMNIST` of CPU tensors. Move them with ``.to(device)``
        or let :func:`resnotes.train.fit` do it.
    """
    folder = find_fashion_mnist(root, download=download)
    files = _locate(folder)
    assert files is not None
    arrays = {name: _read_verified(name, path) for name, path in files.items()}

    def t(name: str, labels: bool) -> torch.Tensor:
        x = torch.from_numpy(arrays[name].copy())
        return x.long() if labels else x

    return FashionMNIST(
        train_images=t("train-images-idx3-ubyte", False),
        train_labels=t("train-labels-idx1-ubyte", True),
        test_images=t("t10k-images-idx3-ubyte", False),
        test_labels=t("t10k-labels-idx1-ubyte", True),
        source=folder,
    )


# Mean and standard deviation of the Fashion-MNIST training pixels (in [0, 1]).
MEAN, STD = 0.2860, 0.3530


def preprocess(images: torch.Tensor, *, resize: int | None = None,
               normalize: bool = True) -> torch.Tensor:
    """``uint8 [N, H, W]`` (or ``[N, 1, H, W]``) -> ``float32 [N, 1, H', W']``.

    Pixels are scaled to [0, 1]; ``resize`` interpolates bilinearly to
    ``resize x resize``; ``normalize`` then subtracts :data:`MEAN` and divides by
    :data:`STD` (a shift and a scale).
    """
    if images.dtype != torch.uint8:
        raise TypeError(f"preprocess expects uint8 images, got {images.dtype}")
    x = images.unsqueeze(1) if images.dim() == 3 else images
    x = x.float().div_(255)
    if resize is not None and resize != x.shape[-1]:
        x = F.interpolate(x, size=(resize, resize), mode="bilinear", align_corners=False)
    if normalize:
        x = (x - MEAN) / STD
    return x
