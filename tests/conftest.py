"""Shared fixtures: the loaded expert system and a click runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import expert

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def system() -> expert.ExpertSystem:
    return expert.load_expert()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never touch the user's cache directory."""
    import os

    os.environ["ACCORD_CACHE_DIR"] = str(tmp_path_factory.mktemp("accord-cache"))
    yield
