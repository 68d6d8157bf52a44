"""Shared fixtures: the loaded expert system and a click runner."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
import yaml
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


PLANNED_ORGANIZATION = "Planned Ltd"


@functools.lru_cache(maxsize=1)
def planned_file() -> Path:
    """An answers file whose plan holds every kind of node and edge: the three phases, a
    measure pulled in as a prerequisite, one required by several measures, phase edges.

    Found among seeded generated sheets rather than written by hand, so the tests that need
    such a plan keep one whatever the rules recommend; the same seed is found every time.
    """
    from expert.sampling import AnswerSampler

    system = expert.load_expert()
    sampler = AnswerSampler(system.kb, system.rules, unknown=0.05, missing=0.0,
                            fixed={"marketing_department": "separate", "leadership": "ceo"})
    for seed in range(5000):
        answers = sampler.sheet(seed)
        plan = expert.diagnose(answers, system).plan
        phases = {phase for phase, _ in plan.phases()}
        pulled = [m for m in plan.order if plan.items[m].pulled_in]
        shared = [m for m in plan.order if len(plan.items[m].required_by) > 1]
        if phases == {"first", "now", "next"} and pulled and shared:
            break
    else:  # pragma: no cover - the rule base no longer plans prerequisites at all
        raise AssertionError("no generated sheet has a plan with a pulled-in prerequisite")
    path = Path(tempfile.mkdtemp(prefix="accord-planned-")) / "planned.yaml"
    data = {"organization": PLANNED_ORGANIZATION, "respondent": {"role": "executive"},
            "questionnaire": system.kb.questionnaire_version,
            "answers": {q: list(v) if isinstance(v, tuple) else v for q, v in answers.items()}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
