"""Answers files written by an older questionnaire keep loading.

Every answers file records the questionnaire version it was written with
(``questionnaire: 2``; a file without it predates versioning and is version
1). The steps from one version to the next are data in
``knowledge/questionnaire.yaml``: questions renamed, old values that now read
differently (a single answer that became several, a value that was dropped),
retired questions whose answers fold into a newer question, and questions
removed outright. :func:`migrate` applies them in order, before the answers
are checked, so an older file reads exactly as if its author had answered
today's questionnaire with the same knowledge: new questions count as
unanswered, and answers to removed questions are reported once as retired.
"""

from __future__ import annotations

from typing import Any, Mapping

from .conditions import UNKNOWN
from .knowledge import KnowledgeBase, ValueChange


def migrate(raw: Mapping[str, Any], version: int, kb: KnowledgeBase) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bring the raw answers of questionnaire ``version`` up to the current one.

    Returns
    -------
    (answers, retired)
        The answers in today's terms (still to be checked), and the answers to
        questions that no longer exist and that no question took over, by
        their old id.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> answers, retired = migrate({"conflict_topic": "several", "topic_price": "yes",
    ...                             "topic_status": "no"}, 1, kb)
    >>> answers["conflict_topic"], sorted(retired)
    (['price'], [])
    """
    answers = dict(raw)
    retired: dict[str, Any] = {}
    steps = sorted((m for m in kb.migrations.values() if m.from_version >= version), key=lambda m: m.from_version)
    for step in steps:
        for old, new in step.renamed.items():
            if old in answers and new not in answers:
                answers[new] = answers.pop(old)
        absorbed = set()
        for change in step.changes:
            _apply(change, answers, kb.questions[change.question].multiple)
            absorbed |= {old for old, _ in change.absorb}
        for gone in step.removed:
            if gone in answers:
                value = answers.pop(gone)
                if gone not in absorbed:  # an absorbed answer lives on in the question that took it over
                    retired[gone] = value
    return answers, retired


def _apply(change: ValueChange, answers: dict[str, Any], several: bool) -> None:
    """Rewrite one question's answer, folding in the answers of the questions it absorbs."""
    inputs: list[tuple[Any, Mapping[Any, tuple], bool]] = []
    if change.question in answers:
        inputs.append((answers[change.question], change.values, True))
    for old, values in change.absorb:
        if old in answers:
            inputs.append((answers[old], values, False))
    if not inputs:
        return
    chosen: list[Any] = []
    known = False
    for value, values, own in inputs:
        for item in value if isinstance(value, list) else [value]:
            key = _plain(item)
            if key == UNKNOWN or key is None:
                continue
            known = True
            if key in values:
                mapped = values[key]
            else:
                mapped = (item,) if own else ()  # a question's own value stands; an absorbed one counts only if mapped
            chosen.extend(v for v in mapped if v not in chosen)
    if chosen:
        answers[change.question] = chosen if several or len(chosen) > 1 else chosen[0]
    elif change.question in answers or known:
        answers[change.question] = UNKNOWN  # the old answers said nothing this question can use


def _plain(value: Any) -> Any:
    """An old answer as the migration table spells it (YAML booleans read as yes/no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = value.strip()
        return text.lower() if text.lower() in ("yes", "no", UNKNOWN) else text
    return value
