"""WHY NOT: every rule that could have concluded something, and what failed in each.

Each rule's condition is evaluated leaf by leaf on the diagnosis's final
facts (:func:`expert.explain.check`), so a failed leaf shows the answer or
certainty it actually saw. For a measure left out of the plan the failed
conditions are classified: by level or target, by context, already in place,
not needed (need below the threshold), or recommended too weakly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..conditions import AnswerLeaf
from ..diagnosis import IN_PLACE_THRESHOLD, Diagnosis
from ..errors import UnknownIdError
from ..explain import (Check, Status, answer_state, check, conclusion_ids, resolve_conclusion, rule_cf, rule_location,
                      rules_concluding, status, suggestions_error)
from ..inference import Firing
from ..rules import Rule

# Why a measure was left out, in the order they are reported.
MEASURE_REASONS = ("in_place", "level", "context", "need", "conditions", "below_threshold", "outweighed", "against")
_REASON_OF_KIND = {"transition": "level", "level": "level", "target": "level", "support": "level",
                   "context": "context", "need": "need", "practice": "in_place"}


@dataclass
class Attempt:
    """One rule that could conclude the id: whether it fired, and what failed."""

    rule: Rule
    location: str
    rule_cf: float
    firing: Firing | None
    cf: float | None  # the certainty it gave, when it fired
    check: Check
    failed: list[Check]
    reasons: tuple[str, ...]  # for measures: the classes of the failed conditions


@dataclass
class WhyNotSection:
    status: Status
    attempts: list[Attempt]
    reasons: tuple = ()  # for a measure out of the plan: ((reason, rule ids), ...), see MEASURE_REASONS
    practice: float | None = None  # for a measure: certainty that it is already in place
    need: float | None = None  # for a measure: how much the problems it addresses are present


@dataclass
class WhyNotQuestion:
    """WHY NOT for a question: was it asked, and if not, which follow-up condition failed."""

    id: str
    state: str
    value: Any
    ask_when: Check | None


@dataclass
class WhyNot:
    id: str
    sections: list[WhyNotSection] = field(default_factory=list)
    question: WhyNotQuestion | None = None


def _attempt(d: Diagnosis, rule: Rule, kind: str, ident: str) -> Attempt:
    fired = [(cf, i) for cf, i in (d.inference.findings[(kind, ident)].support
                                    if (kind, ident) in d.inference.findings else ())
             if d.trace[i].rule == rule.id]
    result = check(d, rule.when)
    failed = result.failures()
    reasons = []
    for f in failed:
        for leaf_check in f.flat():
            if leaf_check.holds:
                continue
            reason = "conditions" if isinstance(leaf_check.leaf, AnswerLeaf) else \
                _REASON_OF_KIND.get(leaf_check.leaf.fact, "conditions")
            if reason not in reasons:
                reasons.append(reason)
    firing = d.trace[fired[0][1]] if fired else None
    return Attempt(rule, rule_location(d.system.rules, rule), rule_cf(rule, kind, ident), firing,
                   fired[0][0] if fired else None, result, failed,
                   tuple(r for r in MEASURE_REASONS if r in reasons))


def explain_why_not(d: Diagnosis, given: str) -> WhyNot:
    """WHY NOT: every rule that could have concluded an id, and what failed in each.

    Conditions are evaluated leaf by leaf on the diagnosis's final facts (the
    answers kept and the certainties of the conclusions), so a failed leaf
    shows the answer or certainty it actually saw. A question id explains why
    the question was or was not asked.

    Raises
    ------
    UnknownIdError
        When the id names neither a conclusion nor a question.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "conflict_frequency": "rarely"})
    >>> w = explain_why_not(d, "SYM-FREQUENT-CONFLICTS")
    >>> w.sections[0].status.state
    'against'
    """
    by_lower = {q.lower(): q for q in d.kb.questions}
    if given.strip().lower() in by_lower:
        q = by_lower[given.strip().lower()]
        state, value = answer_state(d, q)
        ask_when = d.kb.questions[q].ask_when
        return WhyNot(q, question=WhyNotQuestion(q, state, value, check(d, ask_when) if ask_when else None))
    try:
        ident, kinds = resolve_conclusion(d, given)
    except UnknownIdError:
        raise suggestions_error("id", given, list(conclusion_ids(d)) + list(d.kb.questions)) from None
    result = WhyNot(ident)
    for kind in kinds:
        if kind == "practice" and len(kinds) > 1:
            continue  # shown within the measure: "already in place"
        st = status(d, kind, ident)
        attempts = [_attempt(d, r, kind, ident) for r in rules_concluding(d, kind, ident)]
        section = WhyNotSection(st, attempts)
        if kind == "measure":
            section.practice = d.inference.cf("practice", ident)
            section.need = d.inference.cf("need", ident)
            section.reasons = _measure_reasons(d, st, attempts, section.practice)
        result.sections.append(section)
    return result


def _measure_reasons(d: Diagnosis, st: Status, attempts: list[Attempt], practice: float) -> tuple:
    """``((reason, (rule ids...)), ...)`` in MEASURE_REASONS order: why a measure is not in the plan, and which
    rules each reason comes from (for ``in_place``, the rules that found the practice)."""
    if st.state in ("reported", "pulled_in"):
        return ()
    found: dict[str, list[str]] = {}

    def add(reason, rule_id=None):
        rules = found.setdefault(reason, [])
        if rule_id is not None and rule_id not in rules:
            rules.append(rule_id)

    if practice >= IN_PLACE_THRESHOLD or st.state == "in_place":
        add("in_place")
        finding = d.inference.findings.get(("practice", st.id))
        for value, index in finding.support if finding else ():
            if value > 0:
                add("in_place", d.trace[index].rule)
    for a in attempts:
        if a.firing is None and a.rule_cf > 0:
            for reason in a.reasons:
                add(reason, a.rule.id)
    if st.state == "below_threshold":
        for a in attempts:
            if a.firing is not None and a.cf > 0:
                add("below_threshold", a.rule.id)
    if st.state in ("outweighed", "against") and "in_place" not in found:
        for a in attempts:
            if a.firing is not None and a.cf < 0:
                add(st.state, a.rule.id)
    return tuple((r, tuple(found[r])) for r in MEASURE_REASONS if r in found)
