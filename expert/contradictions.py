"""Contradictory answers: which of the knowledge base's contradictions a set of answers shows.

A contradiction (``knowledge/contradictions.yaml``) is a condition over
answers that cannot all be true, such as "marketing's main job is leads"
together with "marketing generates no leads". The consultation asks once
whether such answers are right; the report lists every contradiction that
remains, and says whether the respondent confirmed it.

Only the answers that count are read: an answer to a follow-up question that
does not apply is set aside (see :func:`expert.answers.split_relevant`) and
cannot contradict anything; an ``unknown`` answer matches no condition.
"""

from __future__ import annotations

from typing import Any, Mapping

from .answers import split_relevant
from .conditions import evaluate, questions_read
from .knowledge import Contradiction, KnowledgeBase


def find_contradictions(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[Contradiction]:
    """The contradictions the answers show, in knowledge-base order.

    Parameters
    ----------
    kb : KnowledgeBase
    answers : mapping
        Question id → answer (checked values, ``unknown`` allowed).

    Returns
    -------
    list of Contradiction

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> answers = {"marketing_department": "separate", "market_type": "b2b", "marketing_role": "leads",
    ...            "marketing_generates_leads": "no"}
    >>> [c.id for c in find_contradictions(kb, answers)]
    ['CONTRA-LEAD-ROLE-WITHOUT-LEADS']
    >>> find_contradictions(kb, dict(answers, marketing_generates_leads="unknown"))
    []
    """
    kept, _ = split_relevant(kb, answers)
    found = []
    for contradiction in kb.contradictions.values():
        holds, _, _ = evaluate(contradiction.when, lambda fact, field: kept.get(field))
        if holds:
            found.append(contradiction)
    return found


def questions_of(contradiction: Contradiction, kb: KnowledgeBase) -> list[str]:
    """The questions whose answers conflict, in questionnaire order."""
    order = list(kb.questions)
    return sorted(questions_read(contradiction.when), key=lambda q: order.index(q) if q in order else len(order))
