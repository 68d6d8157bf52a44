"""Every rule case in tests/cases runs as one test, with the id <file>-<case>."""

from __future__ import annotations

from pathlib import Path

import pytest

from expert.cases import case_problems, load_cases, run_case

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = load_cases(CASES_DIR)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case, system):
    result = run_case(case, system)
    assert not result.failures, f"{case.id} ({case.why}):\n  " + "\n  ".join(result.failures)


def test_every_rule_fires_in_a_case_and_stays_silent_in_another(system):
    results = [run_case(case, system) for case in CASES]
    problems = case_problems(CASES, results, system)
    assert not problems, "\n".join(str(p) for p in problems[:20])
