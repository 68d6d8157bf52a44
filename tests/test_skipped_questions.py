"""Skipping never hides a conclusion: a question the consultation skips cannot change the diagnosis.

For each example company, the thorough consultation skips the follow-ups its
answers make irrelevant. Giving such a question any allowed answer (every
choice, yes and no, 1 to 5, the numbers around every threshold a rule or a
follow-up tests) must leave the diagnosis exactly as it was.
"""

from __future__ import annotations

import pytest

import expert
from expert.conditions import AnswerLeaf, leaves

from conftest import EXAMPLES
from consult_script import asked_answers, example

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def allowed_values(system: expert.ExpertSystem, question) -> list:
    if question.type == "choice":
        return [c.value for c in question.choices]
    if question.type == "yesno":
        return ["yes", "no"]
    if question.type == "scale":
        return [1, 2, 3, 4, 5]
    low = 0 if question.type == "percent" else question.minimum
    high = 100 if question.type == "percent" else question.maximum
    values = {v for v in (low, high) if v is not None} | {1, 50, 100_000}
    conditions = [r.when for r in system.rules.rules.values()]
    conditions += [q.ask_when for q in system.kb.questions.values() if q.ask_when is not None]
    for condition in conditions:
        for leaf in leaves(condition):
            if isinstance(leaf, AnswerLeaf) and leaf.question == question.id and leaf.op in ("min", "max", "below",
                                                                                              "above"):
                values |= {leaf.operand - 1, leaf.operand, leaf.operand + 1}
    return sorted(v for v in values if (low is None or v >= low) and (high is None or v <= high))


def conclusions(d: expert.Diagnosis) -> dict:
    data = d.to_dict("en")
    del data["questions"]  # the skipped answer is listed as set aside; nothing else may differ
    return data


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_answer_to_a_skipped_question_changes_the_diagnosis(system, path):
    sheet = example(system, path)
    asked = asked_answers(system, sheet, selective=False)
    base = expert.diagnose(expert.AnswerSheet(sheet.organization, sheet.role, asked), system)
    expected = conclusions(base)
    skipped = [q for q in system.kb.questions.values() if q.id not in asked]
    assert skipped  # the thorough consultation of every example leaves some follow-ups out
    tried = 0
    for question in skipped:
        for value in allowed_values(system, question):
            answers = dict(asked, **{question.id: value})
            d = expert.diagnose(expert.AnswerSheet(sheet.organization, sheet.role, answers), system)
            assert conclusions(d) == expected, f"{question.id} = {value!r} changed the diagnosis"
            assert question.id in d.questions_summary()["ignored"]
            tried += 1
    assert tried > len(skipped)
