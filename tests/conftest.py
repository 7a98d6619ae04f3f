from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def fashion():
    """The real data set; tests that need it fail loudly when it is missing."""
    import resnotes

    return resnotes.load_fashion_mnist()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("resnotes.data._network_available", lambda *a, **k: False)


def pytest_report_header(config: pytest.Config) -> str:
    return f"RESNOTES_DATA={os.environ.get('RESNOTES_DATA', '')!r} torch={torch.__version__}"
