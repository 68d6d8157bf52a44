"""Generated answer sheets, for benchmarks and for testing the engines against each other.

A generated sheet answers every question with a value it allows: a choice, yes
or no, a point of the scale, or for numbers a value at or beside one of the
thresholds the rules and follow-up conditions test, so that both sides of every
numeric test are met. Some answers are ``unknown`` and some are left out. The
same seed always gives the same sheet.
"""

from __future__ import annotations

import random
from typing import Any, Mapping

from .conditions import UNKNOWN, AnswerLeaf, leaves
from .knowledge import KnowledgeBase, Question
from .rules import RuleSet


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
        """One allowed answer to a question."""
        if question.type == "multi":  # every choice that applies: one to three of them, in questionnaire order
            values = [c.value for c in question.choices]
            return tuple(sorted(rng.sample(values, rng.randint(1, min(3, len(values)))), key=values.index))
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
