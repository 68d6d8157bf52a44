"""The answer sheets the advice is measured on keep loading as the questionnaire changes.

bench/eval_cases.py scores them; here each only has to read without an error and give a
diagnosis, as any user's older answers file must (a new question counts as unanswered).
"""

from pathlib import Path

import pytest

import expert

from conftest import ROOT

SHEETS = sorted([*ROOT.glob("bench/fresh-sheets/*.yaml"), *ROOT.glob("bench/unseen-cases/answers*/*.yaml"),
                 *(ROOT.parent / "shared" / "cases" / "answers").glob("*.yaml")])


def test_the_measured_sheets_are_there():
    assert len([s for s in SHEETS if "unseen-cases" in s.parts]) >= 18


@pytest.mark.parametrize("sheet", SHEETS, ids=[f"{p.parent.name}/{p.stem}" for p in SHEETS])
def test_a_measured_sheet_loads_and_is_diagnosed(system, sheet: Path):
    answers = expert.read_answers(sheet, system.kb)
    d = expert.diagnose(answers, system)
    assert d.level is not None and d.target is not None
    assert sum(c.named for c in d.inference.causes) <= 5
