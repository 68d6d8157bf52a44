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
