"""A consultation rebuilt from its answers and its cursor is where it was (what ``accord serve`` relies
on: it keeps nothing between requests)."""

from __future__ import annotations

import pytest

from expert.answers import AnswerSheet
from expert.consultation import Consultation
from expert.quick import FullThenQuick


def rebuilt(factory, system, c):
    sheet = AnswerSheet(answers=dict(c.sheet.answers), quick=None if c.sheet.quick is None else dict(c.sheet.quick),
                        confirmed=tuple(c.sheet.confirmed), profile_given=c.sheet.profile_given)
    again = factory(system, sheet)
    again.restore(c.cursor)
    return again


@pytest.mark.parametrize("factory", [lambda s, sh=None: Consultation(s, sh or AnswerSheet(), ask_profile=False),
                                     lambda s, sh=None: FullThenQuick(s, sh)], ids=["full", "then-quick"])
def test_a_rebuilt_consultation_continues_at_the_same_step(system, factory):
    c = factory(system)
    if c.step.id in ("organization", "role"):
        c.respond("Acme")
        c.respond("1")
    c.respond("1")
    c.respond("unknown")
    assert rebuilt(factory, system, c).step == c.step
    c.respond("back")
    assert c.cursor  # gone back: not in the answers
    again = rebuilt(factory, system, c)
    assert again.step == c.step and again.step.previous == c.step.previous


def test_a_cursor_that_no_longer_applies_is_ignored(system):
    c = Consultation(system, AnswerSheet(), ask_profile=False)
    step = c.step
    c.restore({"at": "no_such_question", "confirming": ["NOPE", "x"]})
    c.restore("garbage")
    assert c.step == step and c.cursor == {}
