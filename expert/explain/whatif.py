"""WHY a question is asked, and what a different answer would change.

:func:`explain_why` lists the rules that read a question, what they would
conclude, whether the question is a follow-up, and re-runs the diagnosis
with every other answer the question allows (for numbers, one value in each
range the rules tell apart) to report which conclusions would change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..conditions import UNKNOWN, AnswerLeaf, leaves
from ..diagnosis import Diagnosis, diagnose
from ..explain import Check, answer_state, check, resolve_question, rule_location
from ..inference import Firing
from ..knowledge import Question
from ..rules import Conclusion, Rule

CHANGE_KINDS = ("symptoms", "causes", "measures")


@dataclass
class RuleUse:
    """A rule that reads the question: its tests of the answer and what it concludes."""

    rule: Rule
    location: str
    tests: tuple[AnswerLeaf, ...]
    conclusions: tuple[Conclusion, ...]
    firing: Firing | None  # its firing in this diagnosis, if it fired


@dataclass
class WhatIf:
    """The diagnosis with one other answer, compared with the actual one.

    ``level`` and ``target`` are ``(before, after)`` pairs of ``(id, certainty)``
    (``None`` when there is none), present only when they differ.
    """

    value: Any
    level: tuple | None = None
    target: tuple | None = None
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return self.level is None and self.target is None and not any(self.added.values()) \
            and not any(self.removed.values())


@dataclass
class Why:
    question: Question
    state: str  # see explain.Check: answered, unknown, unanswered, not_relevant
    value: Any
    ask_when: Check | None  # the follow-up condition, evaluated on the answers
    follow_ups: list[str]  # questions asked only depending on this one
    rules: list[RuleUse]
    what_if: list[WhatIf]


def explain_why(d: Diagnosis, given: str) -> Why:
    """WHY: which rules read a question, and which conclusions a different answer would change.

    Parameters
    ----------
    d : Diagnosis
    given : str
        A question id (any case).

    Raises
    ------
    UnknownIdError
        With the nearest question ids.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "conflict_frequency": "rarely"})
    >>> why = explain_why(d, "conflict_frequency")
    >>> [w.value for w in why.what_if][:2]
    ['sometimes', 'periodic']
    """
    qid = resolve_question(d, given)
    kb, rules = d.kb, d.system.rules
    question = kb.questions[qid]
    state, value = answer_state(d, qid)
    fired = {f.rule: f for f in d.trace}
    uses = [RuleUse(r, rule_location(rules, r),
                    tuple(leaf for leaf in leaves(r.when) if isinstance(leaf, AnswerLeaf) and leaf.question == qid),
                    r.then, fired.get(r.id))
            for r in rules.rules_reading_question(qid)]
    follow_ups = [q.id for q in kb.questions.values()
                  if q.ask_when is not None and any(getattr(leaf, "question", None) == qid for leaf in leaves(q.ask_when))]
    before = outline(d)
    what_if = [compare(before, outline(rerun(d, qid, v)), v) for v in alternatives(d, question, value)]
    return Why(question, state, value, check(d, question.ask_when) if question.ask_when else None,
               follow_ups, uses, what_if)


def rerun(d: Diagnosis, question: str, value: Any) -> Diagnosis:
    """The diagnosis of the same answers with one answer replaced."""
    answers = dict(d.sheet.answers)
    answers[question] = value
    return diagnose(replace(d.sheet, answers=answers), d.system)


def alternatives(d: Diagnosis, question: Question, current: Any) -> list[Any]:
    """The answers worth trying instead of ``current``, ``unknown`` last.

    Choice, yes/no and 1–5 questions: every other value. Percent and number
    questions: an answer matters only through the thresholds that rules and
    follow-up conditions compare it with, so one value in each range between
    thresholds covers every outcome; the value next to the threshold is taken.
    """
    if question.type == "choice":
        values = [c.value for c in question.choices]
    elif question.type == "yesno":
        values = ["yes", "no"]
    elif question.type == "scale":
        values = [1, 2, 3, 4, 5]
    else:
        values = _number_representatives(d, question, current)
    out = [v for v in values if v != current]
    if current != UNKNOWN:
        out.append(UNKNOWN)
    return out


def _number_representatives(d: Diagnosis, question: Question, current: Any) -> list[int]:
    conditions = [r.when for r in d.system.rules.rules.values()]
    conditions += [q.ask_when for q in d.kb.questions.values() if q.ask_when is not None]
    starts = set()  # the smallest whole number at which some test changes its result
    for cond in conditions:
        for leaf in leaves(cond):
            if isinstance(leaf, AnswerLeaf) and leaf.question == question.id and leaf.op in ("min", "below"):
                starts.add(math.ceil(leaf.operand))
            elif isinstance(leaf, AnswerLeaf) and leaf.question == question.id and leaf.op in ("max", "above"):
                starts.add(math.floor(leaf.operand) + 1)
    low = 0 if question.type == "percent" else math.ceil(question.minimum if question.minimum is not None else 0)
    high = 100 if question.type == "percent" else (math.floor(question.maximum) if question.maximum is not None else None)
    cuts = sorted(s for s in starts if s > low and (high is None or s <= high))
    bounds = [low] + cuts
    ranges = [(start, (bounds[i + 1] - 1) if i + 1 < len(bounds) else high) for i, start in enumerate(bounds)]
    number = current if isinstance(current, (int, float)) and not isinstance(current, bool) else None
    values = []
    for i, (start, end) in enumerate(ranges):
        if number is not None and start <= number and (end is None or number <= end):
            continue  # the current answer's range: every value in it gives the same diagnosis
        above = number is not None and start > number
        if end is None or above or (number is None and i > 0):
            values.append(start)
        else:
            values.append(end)
    return values


def outline(d: Diagnosis) -> dict:
    """What a comparison looks at: level, target, symptoms, causes and the measures of the plan."""
    return {
        "level": (d.level.id, round(d.level.certainty, 2)) if d.level else None,
        "target": (d.target.id, round(d.target.certainty, 2)) if d.target else None,
        "symptoms": [i for i, _ in d.symptoms],
        "causes": [i for i, _ in d.causes],
        "measures": list(d.plan.order),
    }


def compare(before: dict, after: dict, value: Any) -> WhatIf:
    change = WhatIf(value)
    for key in ("level", "target"):
        if before[key] != after[key]:
            setattr(change, key, (before[key], after[key]))
    for key in CHANGE_KINDS:
        change.added[key] = [i for i in after[key] if i not in before[key]]
        change.removed[key] = [i for i in before[key] if i not in after[key]]
    return change
