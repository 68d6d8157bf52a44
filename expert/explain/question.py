"""WHY during the interview: what a question is trying to establish, and what is already known.

MYCIN answered WHY with the goal it was pursuing. Here the goal of a question
is what the rules reading it can conclude — a sign of some level, a symptom,
a fact about the company — and what is already known comes from diagnosing
the answers given so far: the signs of the same levels already seen, and the
level the answers point to. So `why` on "do the departments plan together?"
says: it would be a sign that the departments plan together, evidence of level
3 Aligned; already known: joint meetings clarify positions (a sign of level 2);
so far the answers point to level 2, Defined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..conditions import PRESENT
from ..diagnosis import ExpertSystem, diagnose
from ..i18n import Messages
from ..report.words import certainty_words

SHOWN = 3  # findings named as the goal, and facts named as already known


@dataclass(frozen=True)
class Goal:
    """What a question can establish, and what the answers so far already tell."""

    question: str
    findings: tuple[tuple[str, str], ...]  # (kind, id) of signs, symptoms, context and causes it can conclude
    levels: tuple[str, ...]  # the levels its signs are evidence of
    known: tuple[tuple[str, str], ...]  # signs of those levels already seen, from the other answers
    leaning: tuple[str, float] | None  # the level the other answers point to, with its certainty


def question_goal(system: ExpertSystem, question: str, answers: Mapping[str, Any] | None = None) -> Goal:
    """What ``question`` is trying to establish, given the other ``answers`` (a partial answers mapping).

    Examples
    --------
    >>> from expert import load_expert
    >>> goal = question_goal(load_expert(), "joint_planning", {"marketing_department": "separate"})
    >>> "LEVEL-3-ALIGNED" in goal.levels
    True
    """
    kb = system.kb
    findings: list[tuple[str, str]] = []
    for rule in system.rules.rules_reading_question(question):
        for c in rule.then:
            if c.cf > 0 and c.kind in ("sign", "symptom", "context", "cause") and (c.kind, c.id) not in findings:
                findings.append((c.kind, c.id))
    order = {lv.id: lv.value for lv in kb.levels.values()}
    levels = sorted({kb.signs[i].level for k, i in findings if k == "sign" and i in kb.signs}, key=order.get)
    known: list[tuple[str, str]] = []
    leaning = None
    others = {q: v for q, v in (answers or {}).items() if q != question and q in kb.questions}
    if others:
        d = diagnose(others, system)
        if d.level is not None:
            leaning = (d.level.id, d.level.certainty)
        wanted = set(levels) or ({d.level.id} if d.level else set())
        seen = sorted((f for f in d.inference.of_kind("sign") if f.cf >= PRESENT and f.id in kb.signs
                       and kb.signs[f.id].level in wanted and ("sign", f.id) not in findings),
                      key=lambda f: (-f.cf, list(kb.signs).index(f.id)))
        known = [("sign", f.id) for f in seen[:SHOWN]]
    return Goal(question, tuple(findings[:SHOWN]), tuple(levels), tuple(known), leaning)


def goal_lines(goal: Goal, system: ExpertSystem, lang: str) -> list[str]:
    """The goal in words, a line each: what it would establish, what that is evidence of, what is known."""
    kb, t = system.kb, Messages(system.kb, lang)
    lines = []
    if goal.findings:
        names = [_finding(kb, t, kind, ident) for kind, ident in goal.findings]
        lines.append(t("consult.why_establish", findings="; ".join(names)))
    if goal.levels:
        levels = ", ".join(t("level.value", value=kb.levels[i].value, name=kb.levels[i].name[lang]) for i in goal.levels)
        lines.append(t("consult.why_evidence_of", count=len(goal.levels), levels=levels))
    if goal.known:
        facts = "; ".join(kb.signs[i].name[lang] for _, i in goal.known)
        lines.append(t("consult.why_known", facts=facts))
    if goal.leaning is not None and goal.leaning[1] >= 0.4:  # a doubtful leaning is noise early on
        level = kb.levels[goal.leaning[0]]
        lines.append(t("consult.why_leaning", level=t("level.value", value=level.value, name=level.name[lang]),
                       words=certainty_words(goal.leaning[1], t)))
    return lines


def _finding(kb, t: Messages, kind: str, ident: str) -> str:
    if kind == "context":
        return kb.context[ident].proposition[t.lang]
    return t.name(ident)
