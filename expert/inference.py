"""Running the compiled stages on a set of answers and recording the trace.

A :class:`Reasoner` holds the compiled rule base, built once per process, for
one of two engines: experta (the reference, :mod:`expert.compiler`) or CLIPS
through clipspy (:mod:`expert.compiler_clips`), generated from the same rules.
Each call to :meth:`Reasoner.infer` runs the stages in order. The engine
decides which rules fire and in which order; everything else is computed here,
the same for both engines: each firing's premise and the facts it matched
(with the answer values and certainties it saw), the certainty of each
conclusion it asserted, the combination of those into one certainty per
conclusion, rounded once, which the next stage reads. Causes then compete for
the findings they explain (:mod:`expert.differential`) before any later stage
reads them. Every firing is recorded as data, the unit of every explanation.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any, Callable, Mapping, NamedTuple

from .certainty import combine, combine_pair
from .conditions import All, AnswerLeaf, Any_, evaluate, findings_read
from .differential import Link, RankedCause, declared, rank_causes
from .errors import EngineError
from .knowledge import KnowledgeBase
from .rules import Rule, RuleSet

DECIMALS = 4  # certainties are rounded once, when a stage's conclusions are declared


class Matched(NamedTuple):
    """One condition of a rule that held when it fired."""

    fact: str  # "answer" or a kind of conclusion
    id: str  # question id or conclusion id
    value: Any  # the answer, or the certainty seen
    test: str  # the condition, in words

    def to_dict(self) -> dict:
        if self.fact == "answer":
            return {"answer": self.id, "value": self.value, "test": self.test}
        return {"kind": self.fact, "id": self.id, "cf": self.value, "test": self.test}


class Asserted(NamedTuple):
    kind: str
    id: str
    cf: float

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "cf": self.cf}


class Firing(NamedTuple):
    """One rule firing: the unit of every explanation."""

    index: int
    rule: str
    stage: str
    premise: float
    leaves: tuple  # (condition leaf, value it saw) for every condition that held
    asserted: tuple[Asserted, ...]

    @property
    def matched(self) -> tuple[Matched, ...]:
        """The conditions that held, with the answers and certainties they saw.

        Built when asked for: a diagnosis records hundreds of firings and
        most are never shown.
        """
        return tuple(Matched(leaf.fact, leaf.question if isinstance(leaf, AnswerLeaf) else leaf.id, value,
                             _describe(leaf, isinstance(value, tuple))) for leaf, value in self.leaves)

    def to_dict(self) -> dict:
        return {
            "step": self.index + 1,
            "rule": self.rule,
            "stage": self.stage,
            "premise_cf": round(self.premise, 3),
            "matched": [m.to_dict() for m in self.matched],
            "asserted": [a.to_dict() for a in self.asserted],
        }


class Finding(NamedTuple):
    """A conclusion with its combined certainty and the firings behind it."""

    kind: str
    id: str
    cf: float
    support: tuple[tuple[float, int], ...]  # (certainty of one firing, firing index)


@dataclass
class Inference:
    answers: Mapping[str, Any]
    findings: dict[tuple[str, str], Finding]
    trace: Sequence[Firing] = field(default_factory=list)
    causes: list[RankedCause] = field(default_factory=list)  # the differential diagnosis, named first

    def of_kind(self, kind: str) -> list[Finding]:
        by_kind = self.__dict__.get("_by_kind")
        if by_kind is None:  # indexed once: a diagnosis asks for most kinds
            by_kind = self.__dict__["_by_kind"] = {}
            for (k, _), f in self.findings.items():
                by_kind.setdefault(k, []).append(f)
        return list(by_kind.get(kind, ()))

    def cf(self, kind: str, ident: str) -> float:
        found = self.findings.get((kind, ident))
        return found.cf if found else 0.0


_descriptions: dict = {}


def _describe(leaf, multi: bool = False) -> str:
    """A leaf's description, computed once per process (firings repeat the same leaves).

    ``multi``: the answer it saw was a tuple of selected values (a multi question).
    """
    text = _descriptions.get((leaf, multi))
    if text is None:
        text = _descriptions[(leaf, multi)] = leaf.describe(multi=True) if multi else leaf.describe()
    return text


class Trace(Sequence):
    """The firings of one inference, in order; each :class:`Firing` is built when first asked for.

    Recording a firing only takes its rule, premise and the facts its stage
    saw: the matched values and asserted certainties are worked out from
    those, the same way, when someone reads the trace. Trial diagnoses that
    only compare conclusions never pay for it.
    """

    def __init__(self, plans: Mapping[str, Any]):
        self._plans = plans
        self._records: list[tuple[Rule, float, Mapping]] = []  # (rule, premise, the stage's facts)
        self._built: dict[int, Firing] = {}

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._records)))]
        if index < 0:
            index += len(self._records)
        firing = self._built.get(index)
        if firing is None:
            rule, premise, values = self._records[index]  # IndexError past the end, as a list
            firing = self._built[index] = _firing(index, rule, premise, values, self._plans[rule.id])
        return firing

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (Trace, list, tuple)) else NotImplemented

    def __repr__(self) -> str:
        return f"Trace({len(self)} firings)"


def _firing(index: int, rule: Rule, premise: float, values: Mapping, plan) -> Firing:
    if plan is not None:
        matched = tuple((leaf, values[fact].get(name)) for leaf, fact, name in plan[0])
    else:
        matched = tuple(evaluate(rule.when, lambda fact, name: values[fact].get(name))[2])
    asserted = tuple(Asserted(c.kind, c.id, round(c.cf * premise, DECIMALS)) for c in rule.then)
    return Firing(index, rule.id, rule.stage, premise, matched, asserted)


class _Session:
    """Collects firings and evidence during one inference."""

    def __init__(self, plans: Mapping[str, Any]):
        self.trace = Trace(plans)
        self._records = self.trace._records
        self._combined: dict[str, tuple[int, dict[str, float]]] = {}  # kind → (firings then, certainties)
        # kind → id → [(certainty of one firing, firing index)]
        self.evidence: dict[str, dict[str, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
        self.causes: list[RankedCause] = []
        self._ranked = False
        self._origins: dict[int, frozenset] = {}  # firing index → the answers it rests on

    def fire(self, rule: Rule, values: Mapping[str, Mapping[str, Any]], plan) -> None:
        """Record one firing; ``values`` maps a kind to the answers or certainties the stage saw.

        ``plan`` is the rule's :func:`_firing_plan`: for a plain conjunction,
        its leaves with where to find their values; else None.
        """
        if plan is not None:  # the common case: all of some leaves, no any-groups
            premise = 1.0
            for leaf, fact, name in plan[1]:  # the others' premise is 1, which never lowers the minimum
                p = leaf.premise(values[fact].get(name))
                if p < premise:
                    premise = p
        else:
            holds, premise, _ = evaluate(rule.when, lambda fact, name: values[fact].get(name))
            if not holds:  # pragma: no cover - an engine only fires rules whose conditions hold
                raise AssertionError(f"rule '{rule.id}' fired although its condition does not hold")
        index = len(self._records)
        evidence = self.evidence
        for conclusion in rule.then:
            evidence[conclusion.kind][conclusion.id].append((round(conclusion.cf * premise, DECIMALS), index))
        self._records.append((rule, premise, values))

    def combined(self, kind: str) -> dict[str, float]:
        """The combined certainty of every conclusion of a kind that has evidence, rounded once.

        Kept until new evidence of that kind arrives: a kind's certainties are
        combined once at the end of the stage that concludes it, and reused.
        Causes, once ranked, read as the differential diagnosis left them.
        """
        if kind == "cause" and self._ranked:
            return dict(declared(self.causes))
        cached = self._combined.get(kind)
        if cached is not None and cached[0] == len(self._records):
            return cached[1]
        values = {ident: _combine(evidence) for ident, evidence in self.evidence.get(kind, {}).items()}
        self._combined[kind] = (len(self._records), values)
        return values


    def rank_causes(self, order, companions=None, roots=frozenset()) -> None:
        """Run the differential diagnosis over the evidence of the causes stage."""
        links = []
        for cause, found in self.evidence.get("cause", {}).items():
            for cf, index in found:
                firing = self.trace[index]
                finding = _finding_of(firing)
                pieces = self._pieces(firing, cf) if cf > 0 and not finding.startswith("rule:") else None
                if pieces:
                    links += [Link(cause, finding, piece, index, origin, cf) for piece, origin in pieces]
                else:
                    links.append(Link(cause, finding, cf, index, self._origin(firing)))
        self.causes = rank_causes(links, order, companions, roots)
        self._ranked = True

    def _pieces(self, firing: Firing, cf: float) -> list[tuple[float, frozenset]] | None:
        """A cause's evidence through one finding, split by the answers behind that finding.

        A finding shown by two different answers (budget fights, from how the budget is set and
        from what the conflicts are about) is two pieces of evidence for a cause, one per answer,
        each as strong as that answer alone makes the finding: one answer counts once, and two
        answers twice. None where one answer (or one chain of them) is all there is."""
        (leaf, seen), = firing.leaves
        if not isinstance(seen, (int, float)) or seen <= 0:
            return None
        support = [(value, index) for value, index in self.evidence.get(leaf.fact, {}).get(leaf.id, ()) if value > 0]
        by_origin: dict[frozenset, float] = {}
        for value, index in support:
            origin = self._origin(self.trace[index])
            by_origin[origin] = max(by_origin.get(origin, 0.0), value)
        if len(by_origin) < 2:
            return None
        return [(round(cf * value / seen, DECIMALS), origin) for origin, value in sorted(by_origin.items(), key=lambda p: sorted(p[0]))]

    def _origin(self, firing: Firing) -> frozenset:
        """The answers a firing rests on: those it read, and those behind the findings it read
        (for each finding, the answers of its strongest firing in the direction it was read)."""
        known = self._origins.get(firing.index)
        if known is None:
            known = self._origins[firing.index] = self._find_origin(firing)
        return known

    def _find_origin(self, firing: Firing) -> frozenset:
        questions = set()
        for leaf, value in firing.leaves:
            if isinstance(leaf, AnswerLeaf):
                questions.add(leaf.question)
                continue
            # a finding read as present rests on its strongest evidence for, one read as absent
            # (a certainty at most −0.5) on its strongest evidence against
            sign = -1 if isinstance(value, (int, float)) and value < 0 else 1
            support = [(sign * cf, i) for cf, i in self.evidence.get(leaf.fact, {}).get(leaf.id, ()) if sign * cf > 0]
            if support:
                _, strongest = max(support, key=lambda p: (p[0], -p[1]))
                questions |= self._origin(self.trace[strongest])
        return frozenset(questions)


def _finding_of(firing: Firing) -> str:
    """What a piece of cause evidence observed: the one symptom, sign or context
    factor its rule reads, or, for a rule reading answers or several findings,
    the rule itself (evidence no other cause shares)."""
    found = [leaf.id for leaf, _ in firing.leaves if not isinstance(leaf, AnswerLeaf)]
    if len(found) == 1 and len(firing.leaves) == 1:
        return found[0]
    return f"rule:{firing.rule}"


def _combine(evidence: list[tuple[float, int]]) -> float:
    if len(evidence) == 1:  # what combine() does with one value, without its reduce
        return round(combine_pair(0.0, evidence[0][0]), DECIMALS)
    return round(combine([cf for cf, _ in evidence]), DECIMALS)


def _firing_plan(rule: Rule):
    """For a rule whose condition is a plain conjunction of leaves, where to find each leaf's value.

    ``(every leaf, the leaves whose premise can be below 1)``, each leaf as
    ``(leaf, fact, field)``; None for a rule with ``any`` groups. An answer
    test other than ``weights`` and a certainty gate always have premise 1.
    """
    cond = rule.when
    if isinstance(cond, All) and all(not isinstance(c, (All, Any_)) for c in cond.items):
        items = cond.items
    elif not isinstance(cond, (All, Any_)):
        items = (cond,)
    else:
        return None
    every = tuple((leaf, leaf.fact, leaf.field) for leaf in items)
    weighing = tuple((leaf, leaf.fact, leaf.field) for leaf in items
                     if (leaf.op == "weights" if isinstance(leaf, AnswerLeaf) else leaf.op in ("min", "max")))
    return every, weighing


# ------------------------------------------------------------------ engines

ENGINES = ("clips", "experta")  # in order of preference


def engine_available(name: str) -> bool:
    """Whether an engine can run here (experta always; CLIPS when clipspy imports)."""
    if name == "experta":
        return True
    if name == "clips":
        try:
            import clips  # noqa: F401
        except ImportError:
            return False
        return True
    return False


def choose_engine(name: str | None = None) -> str:
    """The engine to use: ``name``, else ``$ACCORD_ENGINE``, else CLIPS where installed, else experta.

    Raises
    ------
    EngineError
        When the engine asked for is unknown or not installed here.

    Examples
    --------
    >>> choose_engine("experta")
    'experta'
    """
    asked = name or os.environ.get("ACCORD_ENGINE") or None
    if asked is None:
        return next(e for e in ENGINES if engine_available(e))
    source = f"engine '{asked}'" if name else f"ACCORD_ENGINE={asked}"
    if asked not in ENGINES:
        raise EngineError(f"{source}: unknown engine; choose one of: {', '.join(sorted(ENGINES))}")
    if not engine_available(asked):
        raise EngineError(f"{source}: the CLIPS engine needs clipspy (pip install clipspy); "
                          "without it use --engine experta")
    return asked


class Reasoner:
    """The rule base compiled for an inference engine; build once, infer many times.

    Parameters
    ----------
    kb : KnowledgeBase
    ruleset : RuleSet
    engine : str, optional
        ``"experta"`` (the reference) or ``"clips"``; see :func:`choose_engine`.

    Examples
    --------
    >>> from expert import load_knowledge_base, load_rules
    >>> kb = load_knowledge_base()
    >>> reasoner = Reasoner(kb, load_rules(kb), engine="experta")
    >>> result = reasoner.infer({"conflict_frequency": "constantly"})
    >>> result.cf("symptom", "SYM-FREQUENT-CONFLICTS") > 0.5
    True
    """

    def __init__(self, kb: KnowledgeBase, ruleset: RuleSet, engine: str | None = None):
        self.kb = kb
        self.ruleset = ruleset
        self.engine = choose_engine(engine)
        self._plans = {rule.id: _firing_plan(rule) for rule in ruleset.rules.values()}
        # A stage's fact carries only the ids some later rule reads: every
        # field costs matching work, and unread ones would cost it for nothing.
        read: dict[str, set[str]] = defaultdict(set)
        for rule in ruleset.rules.values():
            for kind, ident in findings_read(rule.when):
                read[kind].add(ident)
        self._ids = {kind: tuple(i for i in kb.ids_of_kind(kind) if i in read[kind])
                     for s in ruleset.stages for kind in s.concludes}
        self._cause_order = tuple(kb.causes)
        self._companions = {c.id: c.named_with for c in kb.causes.values() if c.named_with}
        self._roots = frozenset(c.id for c in kb.causes.values() if c.root_because)
        read_ids = {kind: ids for kind, ids in self._ids.items() if ids}
        if self.engine == "clips":
            from .compiler_clips import ClipsStages

            self.backend = ClipsStages(ruleset, read_ids)
        else:
            from .compiler import ExpertaStages

            self.backend = ExpertaStages(ruleset, read_ids)

    def infer(self, answers: Mapping[str, Any]) -> Inference:
        """Run every stage on the answers (already checked; ``unknown`` allowed)."""
        session = _Session(self._plans)
        self.stage_values(answers, session)
        findings = {}
        for kind in sorted(session.evidence):
            certainties = session.combined(kind)
            for ident, evidence in sorted(session.evidence[kind].items()):
                findings[(kind, ident)] = Finding(kind, ident, certainties[ident], tuple(evidence))
        return Inference(dict(answers), findings, session.trace, session.causes)

    def stage_values(self, answers: Mapping[str, Any], session: _Session | None = None,
                     fired: list | None = None) -> dict[str, dict[str, Any]]:
        """Run the stages; return what each stage handed to the next, by kind.

        ``values["answer"]`` is the answers; every other kind maps the ids some
        rule reads to their combined certainty (0.0 without evidence). If
        ``fired`` is a list, the ids of the rules that fired are appended to it,
        in firing order.
        """
        session = session or _Session(self._plans)
        values: dict[str, dict[str, Any]] = {"answer": dict(answers)}
        ids, plans = self._ids, self._plans

        def on_stage(stage, rules):
            seen = dict(values)  # what this stage saw, kept for the trace
            for rule in rules:
                session.fire(rule, seen, plans[rule.id])
            if fired is not None:
                fired.extend(rule.id for rule in rules)
            if "cause" in stage.concludes:  # the causes compete before any later stage reads them
                session.rank_causes(self._cause_order, self._companions, self._roots)
            concluded = {}
            for kind in stage.concludes:
                certainties = session.combined(kind)
                concluded[kind] = values[kind] = {ident: certainties.get(ident, 0.0) for ident in ids[kind]}
            return concluded

        self.backend.run(answers, on_stage)
        return values

    def bare_run(self, answers: Mapping[str, Any]) -> Callable[[], None]:
        """A function running the engine alone on these answers, recording nothing.

        The facts each stage hands on are prepared beforehand, so the function
        times only the engine: reset, facts in, matching, firing. The benchmark
        compares a diagnosis with it.
        """
        values = self.stage_values(answers)
        if self.engine == "clips":
            backend = self.backend
            words = backend.program.answer_words(answers)
            concluded = {stage.id: {kind: values[kind] for kind in stage.concludes} for stage in self.ruleset.stages}
            return lambda: backend.run_native(words, lambda stage, rules: concluded[stage.id])
        from .compiler import FACT_CLASSES

        facts = {kind: FACT_CLASSES[kind](**v) for kind, v in values.items()}
        return lambda: self.backend.run_native(facts, lambda stage, rules: facts)
