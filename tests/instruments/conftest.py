"""Fixtures of the instruments tests."""

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write instrument text to `tmp_path/<name>` and return the path."""
    def _write(text: str, name: str = "demo-1.0.toml", folder: Path = tmp_path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path
    return _write
