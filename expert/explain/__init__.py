"""Explanations of a diagnosis: HOW a conclusion was reached and WHY NOT another.

Everything here is computed from the diagnosis's trace (every firing, with
the facts it matched and asserted) and from the rule base; nothing re-runs
the engine. :func:`explain_how` builds the proof tree of a conclusion down to
the answers. This module also holds what the other explanations share:
resolving ids, evaluating conditions on the final facts and the status of a
conclusion. WHY NOT is in :mod:`expert.explain.whynot`; WHY (why a question matters,
and what a different answer would change) in :mod:`expert.explain.whatif`.

Renderers: :mod:`expert.explain.text` (terminal text) and
:mod:`expert.explain.to_json` (JSON, schema in ``docs/explain.schema.json``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace as _replace
from pathlib import Path
from typing import Any

from ..certainty import split
from ..conditions import UNKNOWN, PRESENT, FINDING_KINDS, All, AnswerLeaf, Any_, Condition, Leaf, leaves
from ..diagnosis import CAUSE_THRESHOLD, IN_PLACE_THRESHOLD, MEASURE_THRESHOLD, Diagnosis
from ..differential import RankedCause
from ..errors import UnknownIdError
from ..inference import Firing
from ..rules import Rule, RuleSet

# The kinds a user can ask about, in the order several kinds of one id are shown.
TOP_KINDS = ("level", "target", "symptom", "sign", "context", "cause", "transition", "measure", "practice")
# The certainty from which a conclusion of each kind is reported (level and target are chosen instead).
THRESHOLDS = {"symptom": PRESENT, "sign": PRESENT, "context": PRESENT, "transition": PRESENT,
              "cause": CAUSE_THRESHOLD, "measure": MEASURE_THRESHOLD, "practice": IN_PLACE_THRESHOLD,
              "need": 0.5, "support": 0.5}


def rule_location(ruleset: RuleSet, rule: Rule) -> str:
    """``rules/40-causes.yaml:12``: the same on every machine and from every directory."""
    loc = rule.location
    name = Path(loc.file).name if loc.file else "?"
    return f"{ruleset.directory.name}/{name}:{loc.line}" if loc.line else f"{ruleset.directory.name}/{name}"


# ----------------------------------------------------------------- resolving ids

def suggestions_error(kind: str, given: str, valid: list[str]) -> UnknownIdError:
    """An UnknownIdError naming the nearest valid ids, even when none is close enough for a "did you mean"."""
    error = UnknownIdError(kind, given, valid)
    if not error.suggestions:
        words = [w for w in given.lower().replace("_", "-").split("-") if len(w) > 2]
        pool = [v for v in valid if any(w in v.lower() for w in words)] or list(valid)
        ranked = sorted(pool, key=lambda v: (-difflib.SequenceMatcher(None, given.lower(), v.lower()).ratio(), v))[:3]
        error.suggestions = ranked
        error.message = f"unknown {kind} '{given}'; the nearest valid ids are {', '.join(ranked)}"
    return error


def conclusion_ids(d: Diagnosis) -> dict[str, tuple[str, ...]]:
    """Every id a conclusion can have → the kinds it can be concluded as (the top kinds only)."""
    out: dict[str, list[str]] = {}
    for kind in TOP_KINDS:
        for ident in d.kb.ids_of_kind(kind):
            out.setdefault(ident, []).append(kind)
    return {ident: tuple(kinds) for ident, kinds in out.items()}


def resolve_conclusion(d: Diagnosis, given: str) -> tuple[str, tuple[str, ...]]:
    """Turn a user's id into ``(id, kinds)``; case does not matter.

    ``level`` and ``target`` name the diagnosed current and target level;
    ``kind:ID`` (e.g. ``practice:MEAS-STAFF-SURVEY``) picks one kind.

    Raises
    ------
    UnknownIdError
        With the nearest valid ids.
    """
    ids = conclusion_ids(d)
    text = given.strip()
    lower = text.lower()
    if lower in ("level", "target"):  # the diagnosed one; without one, the first level (its status says why)
        verdict = d.level if lower == "level" else d.target
        return (verdict.id if verdict else next(iter(d.kb.levels))), (lower,)
    kind = None
    if ":" in text:
        kind, text = (part.strip() for part in text.split(":", 1))
        kind = kind.lower()
    by_lower = {i.lower(): i for i in ids}
    ident = by_lower.get(text.lower())
    if ident is None:
        raise suggestions_error("conclusion", given, list(ids))
    if kind is None:
        return ident, ids[ident]
    if kind not in FINDING_KINDS or ident not in d.kb.ids_of_kind(kind):
        raise suggestions_error("conclusion", given, [f"{k}:{ident}" for k in ids[ident]])
    return ident, (kind,)


def resolve_question(d: Diagnosis, given: str) -> str:
    """A question id, case-insensitively; UnknownIdError with the nearest ids otherwise."""
    by_lower = {q.lower(): q for q in d.kb.questions}
    found = by_lower.get(given.strip().lower())
    if found is None:
        raise suggestions_error("question", given, list(d.kb.questions))
    return found


# -------------------------------------------------------------- checking conditions

@dataclass(frozen=True)
class Check:
    """A condition (a leaf or an all/any group) evaluated on the final facts of a diagnosis.

    For an answer leaf, ``state`` is ``answered``, ``unknown``, ``unanswered`` or
    ``not_relevant`` (a follow-up that was not asked; its answer, if any, was set
    aside); for a conclusion leaf it is ``concluded`` or ``absent`` (no rule
    concluded it, so its certainty is 0).
    """

    holds: bool
    leaf: Leaf | None = None
    value: Any = None
    state: str | None = None
    group: str | None = None  # "all" or "any"
    items: tuple["Check", ...] = ()

    def failures(self) -> list["Check"]:
        """The parts that failed: leaves, or whole ``any`` groups none of whose items held."""
        if self.holds:
            return []
        if self.leaf is not None or self.group == "any":
            return [self]
        return [f for item in self.items for f in item.failures()]

    def flat(self) -> list["Check"]:
        """Every leaf check, in order."""
        return [self] if self.leaf is not None else [c for item in self.items for c in item.flat()]


def answer_state(d: Diagnosis, question: str) -> tuple[str, Any]:
    """``(state, value)`` of one answer in a diagnosis (see :class:`Check`)."""
    if not d.relevant.get(question, True):
        return "not_relevant", d.ignored.get(question)
    value = d.inference.answers.get(question)
    if value is None:
        return "unanswered", None
    return ("unknown" if value == UNKNOWN else "answered"), value


def check(d: Diagnosis, cond: Condition) -> Check:
    """Evaluate a condition leaf by leaf on the diagnosis's final answers and certainties."""
    if isinstance(cond, (All, Any_)):
        items = tuple(check(d, c) for c in cond.items)
        holds = all(i.holds for i in items) if isinstance(cond, All) else any(i.holds for i in items)
        return Check(holds, group="all" if isinstance(cond, All) else "any", items=items)
    if isinstance(cond, AnswerLeaf):
        state, value = answer_state(d, cond.question)
        return Check(state != "not_relevant" and cond.test(value), cond, value, state)
    value = d.inference.cf(cond.fact, cond.id)
    state = "concluded" if (cond.fact, cond.id) in d.inference.findings else "absent"
    return Check(cond.test(value), cond, value, state)


# --------------------------------------------------------------------- status

@dataclass(frozen=True)
class Status:
    """Where a conclusion of one kind stands in the diagnosis.

    ``state`` is one of ``reported`` (in the report or the plan; a cause: named), ``pulled_in``
    (a measure in the plan as a prerequisite of others), ``in_place`` (a
    measure already practised), ``opposite`` (a context factor whose opposite
    holds), ``outranked`` (a level with positive certainty, but another level
    was chosen), ``below_threshold``, ``outweighed`` (evidence for it, but the
    evidence against brought it below the threshold), ``against`` (only
    evidence against it), ``not_concluded`` (no
    rule fired for it), ``no_rule`` (no rule can conclude it) or
    ``not_applicable`` (levels, when there is no marketing department).
    A cause can also be ``explained`` (also possible: more likely causes explain its
    findings at least as well; ``explained_by`` names them), ``crowded_out``
    (certain enough, but the most certain causes have already been named) or
    ``denied`` (an answer firmly denies it, so it is never named).
    For a cause ``cf`` is its certainty after the differential diagnosis and
    the evidence for and against are before it.
    """

    kind: str
    id: str
    state: str
    cf: float
    threshold: float | None
    evidence_for: float
    evidence_against: float
    chosen: str | None = None  # for level and target: the id that was chosen
    explained_by: tuple[str, ...] = ()  # for a cause: the more likely causes that explain its findings


def status(d: Diagnosis, kind: str, ident: str) -> Status:
    finding = d.inference.findings.get((kind, ident))
    cf = finding.cf if finding else 0.0
    values = [c for c, _ in finding.support] if finding else []
    pro, con = split(values)
    con += 0.0  # split() gives -0.0 for no evidence against
    threshold = THRESHOLDS.get(kind)

    def make(state, chosen=None):
        return Status(kind, ident, state, cf, threshold, pro, con, chosen)

    if kind in ("level", "target"):
        verdict = d.level if kind == "level" else d.target
        if verdict is not None and verdict.id == ident:
            return make("reported", ident)
        if d.level is None:
            return make("not_applicable")
        if cf > 0:
            return make("outranked", verdict.id if verdict else None)
    elif kind == "measure":
        if ident in d.in_place:
            return make("in_place")
        item = d.plan.items.get(ident)
        if item is not None:
            return make("pulled_in" if item.pulled_in else "reported")
        if any(m == ident for m, _ in d.deferred):
            return make("deferred")
    elif kind == "practice":
        if ident in d.in_place:
            return make("reported")
    elif kind == "context":
        if cf >= PRESENT:
            return make("reported")
        if cf <= -PRESENT:
            return make("opposite")
    elif kind == "cause":
        ranked = ranking(d, ident)
        if ranked is not None:
            st = Status(kind, ident, "reported", ranked.certainty, threshold, pro, con, None, ranked.explained_by)
            if ranked.named:
                return st
            if ranked.contradicted and pro > 0:
                return _replace(st, state="denied")
            if ranked.certainty >= threshold:
                return _replace(st, state="crowded_out")
            if pro == 0 and con > 0:
                return _replace(st, state="against")
            if con > 0 and ranked.certainty <= 0:
                return _replace(st, state="outweighed")
            if ranked.explained_by:
                return _replace(st, state="explained")
            if con > 0:
                return _replace(st, state="outweighed")
            return _replace(st, state="below_threshold")
    elif threshold is not None and cf >= threshold:
        return make("reported")
    if not rules_concluding(d, kind, ident):
        return make("no_rule")
    if not finding:
        return make("not_concluded")
    if pro > 0 and con > 0 and (cf <= 0 or threshold is None or pro >= threshold):
        return make("outweighed")
    if pro == 0 and con > 0:
        return make("against")
    return make("below_threshold")


def ranking(d: Diagnosis, cause: str) -> RankedCause | None:
    """Where the differential diagnosis put a cause (:meth:`Diagnosis.ranked_cause`)."""
    return d.ranked_cause(cause)


def rules_concluding(d: Diagnosis, kind: str, ident: str) -> list[Rule]:
    """The rules whose ``then`` concludes this id as this kind, in rule-base order."""
    return [r for r in d.system.rules.rules_concluding(ident) if any(c.kind == kind and c.id == ident for c in r.then)]


def rule_cf(rule: Rule, kind: str, ident: str) -> float:
    return next(c.cf for c in rule.then if c.kind == kind and c.id == ident)


# ------------------------------------------------------------------------ HOW

@dataclass
class ProofNode:
    """One node of a proof tree: an answer, or a conclusion with the firings behind it.

    ``leaf`` is the condition through which the step above read this node.
    A conclusion already expanded higher up in the same tree is marked
    ``repeat`` and not expanded again. A measure pulled into the plan as a
    prerequisite lists the proof of each measure that requires it in
    ``required_by``.
    """

    kind: str  # "answer" or a kind of conclusion
    id: str
    value: Any  # the answer, or the combined certainty
    leaf: Leaf | None = None
    state: str | None = None  # for answers: see Check; for conclusions: concluded/absent
    steps: list["ProofStep"] = field(default_factory=list)
    repeat: bool = False
    required_by: list["ProofNode"] = field(default_factory=list)
    ranking: RankedCause | None = None  # for a cause: the differential diagnosis behind ``value``

    def walk(self):
        """This node and every node below it, depth first."""
        yield self
        for step in self.steps:
            for node in step.inputs:
                yield from node.walk()
        for node in self.required_by:
            yield from node.walk()


@dataclass
class ProofStep:
    """One firing that gave evidence for the node above: ``cf = rule_cf × premise``."""

    firing: Firing
    rule: Rule
    location: str
    cf: float
    rule_cf: float
    inputs: list[ProofNode]


def matched_leaves(rule: Rule, firing: Firing) -> list[tuple[Leaf, Any]]:
    """The rule's leaves that held when it fired, with the values they saw (from the trace)."""
    by_key = {}
    for leaf in leaves(rule.when):
        by_key.setdefault((leaf.fact, leaf.field), []).append(leaf)
    out = []
    for m in firing.matched:
        candidates = by_key.get((m.fact, m.id), [])
        multi = isinstance(m.value, tuple)
        leaf = next((c for c in candidates if (c.describe(multi=True) if multi else c.describe()) == m.test),
                    candidates[0] if candidates else None)
        if leaf is not None:
            out.append((leaf, m.value))
    return out


def proof(d: Diagnosis, kind: str, ident: str, leaf: Leaf | None = None, seen: set | None = None) -> ProofNode:
    """The proof tree of one conclusion (or one answer), down to the answers."""
    seen = set() if seen is None else seen
    if kind == "answer":
        state, value = answer_state(d, ident)
        return ProofNode("answer", ident, value, leaf, state)
    finding = d.inference.findings.get((kind, ident))
    node = ProofNode(kind, ident, finding.cf if finding else 0.0, leaf, "concluded" if finding else "absent")
    if kind == "cause":  # value: what later stages read, the certainty after the differential
        node.ranking = ranking(d, ident)
    if (kind, ident) in seen and (finding or kind == "measure"):
        node.repeat = True
        return node
    seen.add((kind, ident))
    rules = d.system.rules
    for cf, index in finding.support if finding else ():
        firing = d.trace[index]
        rule = rules.rules[firing.rule]
        inputs = [proof(d, lf.fact, lf.field, lf, seen) for lf, _ in matched_leaves(rule, firing)]
        node.steps.append(ProofStep(firing, rule, rule_location(rules, rule), cf, rule_cf(rule, kind, ident), inputs))
    item = d.plan.items.get(ident) if kind == "measure" else None
    if item is not None and item.pulled_in:
        node.required_by = [proof(d, "measure", other, None, seen) for other in item.required_by]
    return node


@dataclass
class HowSection:
    """The explanation of one id as one kind of conclusion."""

    status: Status
    tree: ProofNode
    plan_item: Any = None  # PlannedMeasure, for a measure in the plan


@dataclass
class How:
    id: str
    sections: list[HowSection]


def explain_how(d: Diagnosis, given: str) -> How:
    """HOW: the proof tree of a conclusion, from it down to the answers.

    Parameters
    ----------
    d : Diagnosis
    given : str
        A level, cause, symptom, sign, context, target, transition, measure or
        practice id (any case), ``level``/``target`` for the diagnosed ones, or
        ``kind:ID``.

    Returns
    -------
    How
        One section per kind the id was asked or concluded as: for a level id
        the current level and the target; for a measure the recommendation and,
        when it is in place, the practice.

    Raises
    ------
    UnknownIdError

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "conflict_frequency": "constantly"})
    >>> how = explain_how(d, "sym-frequent-conflicts")
    >>> how.sections[0].tree.steps[0].inputs[0].kind
    'answer'
    """
    ident, kinds = resolve_conclusion(d, given)
    sections = []
    for kind in kinds:
        st = status(d, kind, ident)
        if (kind, ident) in d.inference.findings or st.state in ("reported", "pulled_in", "in_place"):
            item = d.plan.items.get(ident) if kind == "measure" else None
            sections.append(HowSection(st, proof(d, kind, ident), item))
    if not sections:
        sections.append(HowSection(status(d, kinds[0], ident), proof(d, kinds[0], ident)))
    return How(ident, sections)
