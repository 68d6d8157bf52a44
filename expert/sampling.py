"""Generated answer sheets, for benchmarks and for testing the engines against each other.

A generated sheet answers every question with a value it allows: a choice (one
to three of them where several are allowed), yes or no, a point of the scale,
or for numbers a value at or beside one of the thresholds the rules and
follow-up conditions test, so that both sides of every numeric test are met. Some answers are ``unknown`` and some are left out. The
same seed always gives the same sheet.
"""

from __future__ import annotations

import random
from typing import Any, Mapping

from .conditions import UNKNOWN, AnswerLeaf, leaves
from .knowledge import KnowledgeBase, Question
from .rules import RuleSet

MULTI_MOST = 3  # a generated answer to a multi-choice question names one to this many choices


def numeric_thresholds(kb: KnowledgeBase, ruleset: RuleSet) -> dict[str, list[float]]:
    """Question id → the numbers its answer is compared with, by rules and follow-up conditions."""
    conditions = [rule.when for rule in ruleset.rules.values()]
    conditions += [q.ask_when for q in kb.questions.values() if q.ask_when is not None]
    found: dict[str, set[float]] = {}
    for cond in conditions:
        for leaf in leaves(cond):
            if isinstance(leaf, AnswerLeaf) and leaf.op in ("min", "max", "below", "above"):
                found.setdefault(leaf.question, set()).add(leaf.operand)
    return {q: sorted(values) for q, values in found.items()}


class AnswerSampler:
    """Draws answer sheets for one knowledge base.

    Parameters
    ----------
    kb : KnowledgeBase
    ruleset : RuleSet
    unknown : float
        Share of answers given as ``unknown``.
    missing : float
        Share of questions left unanswered.
    tuples : float
        Share of choice answers given as a tuple of 0–3 selected values, the
        form a ``multi`` question's answer takes (to test that both engines
        read such answers alike; 0 for realistic sheets).
    fixed : mapping, optional
        Answers every sheet gives, e.g. ``{"marketing_department": "separate"}``
        for companies whose consultation goes all the way.

    Examples
    --------
    >>> from expert import load_knowledge_base, load_rules
    >>> kb = load_knowledge_base()
    >>> sampler = AnswerSampler(kb, load_rules(kb))
    >>> sampler.sheet(7) == sampler.sheet(7)
    True
    """

    def __init__(self, kb: KnowledgeBase, ruleset: RuleSet, unknown: float = 0.08, missing: float = 0.05,
                 tuples: float = 0.0, fixed: Mapping[str, Any] | None = None):
        self.kb = kb
        self.thresholds = numeric_thresholds(kb, ruleset)
        self.unknown, self.missing, self.tuples = unknown, missing, tuples
        self.fixed = dict(fixed or {})

    def sheet(self, seed: int) -> dict[str, Any]:
        """Answers to every question (some unknown, some missing), in questionnaire order."""
        rng = random.Random(seed)
        answers = {}
        for question in self.kb.questions.values():
            draw = rng.random()
            if question.id in self.fixed:
                answers[question.id] = self.fixed[question.id]
            elif draw >= self.missing:  # else left unanswered
                answers[question.id] = UNKNOWN if draw < self.missing + self.unknown else self.value(question, rng)
        return answers

    def value(self, question: Question, rng: random.Random) -> Any:
        """One allowed answer to a question; a multi-choice question gets one to three of its choices, in questionnaire order."""
        if question.type == "multi":
            values = [c.value for c in question.choices]
            chosen = set(rng.sample(values, rng.randint(1, min(MULTI_MOST, len(values)))))
            return tuple(v for v in values if v in chosen)
        if question.type == "choice":
            values = [c.value for c in question.choices]
            if self.tuples and rng.random() < self.tuples:
                return tuple(rng.sample(values, rng.randint(0, min(3, len(values)))))
            return rng.choice(values)
        if question.type == "yesno":
            return rng.choice(("yes", "no"))
        if question.type == "scale":
            return rng.randint(1, 5)
        low, high = (0, 100) if question.type == "percent" else (question.minimum, question.maximum)
        candidates = []
        for t in self.thresholds.get(question.id, []):
            candidates += [t - 1, t, t + 1]
        candidates += [low if low is not None else 0, high if high is not None else 1000]
        candidates = [c for c in candidates if (low is None or c >= low) and (high is None or c <= high)]
        return rng.choice(candidates)


#: The settings of the answer sheets question selection is measured on (bench/selection.py, tests):
#: complete (every question answered), 5% of answers ``unknown``, and a marketing function that
#: exists, so the consultation goes all the way (half the companies have a separate department,
#: half one marketer; with none, or none known, only a handful of questions apply).
COMPLETE = {"unknown": 0.05, "missing": 0.0}
MARKETING = ("separate", "one_person")


def complete_sheets(kb: KnowledgeBase, ruleset: RuleSet, count: int, start: int = 0) -> list[dict[str, Any]]:
    """``count`` complete answer sheets of companies with marketing, seeds ``start`` on (see ``COMPLETE``).

    Examples
    --------
    >>> from expert import load_knowledge_base, load_rules
    >>> kb = load_knowledge_base()
    >>> sheets = complete_sheets(kb, load_rules(kb), 2)
    >>> [s["marketing_department"] for s in sheets], all(len(s) == len(kb.questions) for s in sheets)
    (['separate', 'one_person'], True)
    """
    samplers = [AnswerSampler(kb, ruleset, **COMPLETE, fixed={"marketing_department": m}) for m in MARKETING]
    return [samplers[seed % len(samplers)].sheet(seed) for seed in range(start, start + count)]
