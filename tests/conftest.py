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
    """The bases on experta, the reference engine the rules are tested with.

    tests/test_engines.py proves the CLIPS engine (the default where clipspy
    is installed) fires the same rules in the same order.
    """
    return expert.load_expert(engine="experta")


@pytest.fixture(scope="session")
def clips_system() -> expert.ExpertSystem:
    """The same bases on the CLIPS engine; skips where clipspy is missing."""
    pytest.importorskip("clips")
    return expert.load_expert(engine="clips")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never touch the user's cache directory."""
    import os

    os.environ["ACCORD_CACHE_DIR"] = str(tmp_path_factory.mktemp("accord-cache"))
    yield
