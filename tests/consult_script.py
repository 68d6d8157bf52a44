"""Helpers for the consultation tests: what a manager would type, question by question."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import expert
from expert.answers import ROLES, AnswerSheet
from expert.conditions import UNKNOWN
from expert.consultation import CONFIRM, Consultation

#: How the tests start the command line in a child process (the module works
#: in an editable install and in a wheel alike).
ACCORD = [sys.executable, "-m", "cli"]


def child_env(**extra: str) -> dict:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="100")
    env.update(extra)
    env.pop("NO_COLOR", None)
    return env


def fast(system: expert.ExpertSystem) -> expert.ExpertSystem:
    """The same bases on CLIPS where clipspy is installed (the engine ``accord`` uses there):
    question selection runs many trial diagnoses, and both engines decide alike (test_engines)."""
    try:
        import clips  # noqa: F401
    except ImportError:
        return system
    return expert.load_expert(engine="clips")


def consulted(system: expert.ExpertSystem, sheet: AnswerSheet, selective: bool = True) -> tuple[Consultation, list[str]]:
    """A consultation answered by someone who answers like ``sheet``, run to its end, and the
    steps it asked (question ids in the order asked, and ``confirm`` where two answers disagree).

    Questions the sheet has no answer for are answered ``unknown``, as a
    manager who does not know would do; a contradiction is confirmed (the
    manager meant both answers). ``selective`` asks only what can change the
    diagnosis, as ``accord diagnose`` does; False asks every relevant question
    (``--thorough``).
    """
    consultation = Consultation(fast(system) if selective else system, ask_profile=False, selective=selective)
    steps = []
    while (step := consultation.step) is not None:
        steps.append(step.id)
        if step.id == CONFIRM:
            consultation.respond("1")
        else:
            consultation.answer(sheet.answers.get(step.id, UNKNOWN))
    return consultation, steps


def walk(system: expert.ExpertSystem, sheet: AnswerSheet, selective: bool = True) -> tuple[dict, list[str]]:
    """The answers a consultation collects from someone who answers like ``sheet``, and its steps
    (see :func:`consulted`)."""
    consultation, steps = consulted(system, sheet, selective)
    return dict(consultation.answers), steps


def asked_answers(system: expert.ExpertSystem, sheet: AnswerSheet, selective: bool = True) -> dict:
    """The answers a consultation collects from someone who answers like ``sheet``."""
    return walk(system, sheet, selective)[0]


def asked_in_order(system: expert.ExpertSystem, sheet: AnswerSheet, selective: bool = True) -> list[str]:
    """The questions a consultation asks someone who answers like ``sheet``, in the order asked."""
    return [q for q in walk(system, sheet, selective)[1] if q != CONFIRM]


def typed(question, value) -> str:
    """The line a manager types for an answer: the choice's number, or the value itself."""
    if value == UNKNOWN:
        return "unknown"
    if question.type == "choice":
        return str([c.value for c in question.choices].index(value) + 1)
    if question.type == "multi":  # several answers: their numbers, separated by commas
        return ", ".join(str([c.value for c in question.choices].index(v) + 1) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def lines_for(system: expert.ExpertSystem, sheet: AnswerSheet, selective: bool = True) -> list[str]:
    """Every line of a line-mode consultation: the organisation, the role, then one line per question
    (and ``1`` to confirm two answers that disagree)."""
    answers, steps = walk(system, sheet, selective)
    role = str(ROLES.index(sheet.role) + 1) if sheet.role else "unknown"
    return [sheet.organization, role] + ["1" if q == CONFIRM else typed(system.kb.questions[q], answers[q])
                                         for q in steps]


def jsonable(answers: dict) -> dict:
    """Answers as JSON shows them: several answers as a list."""
    return {q: list(v) if isinstance(v, tuple) else v for q, v in answers.items()}


def example(system: expert.ExpertSystem, path: Path) -> AnswerSheet:
    return expert.read_answers(path, system.kb)
