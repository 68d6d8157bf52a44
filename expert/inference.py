"""Running the compiled stages on a set of answers and recording the trace.

A :class:`Reasoner` holds the engines, built once per process. Each call to
:meth:`Reasoner.infer` resets every stage engine, declares what the stage
reads, runs it, combines the evidence of its firings into one certainty per
conclusion, and hands those to the next stage. Every firing is recorded as
data: the rule, the facts it matched (with the answer values and certainties
it saw) and the conclusions it asserted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from .certainty import combine
from .compiler import FACT_CLASSES, compile_rules
from .conditions import All, AnswerLeaf, Any_, evaluate, findings_read
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
    trace: list[Firing] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for (k, _), f in self.findings.items() if k == kind]

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


class _Session:
    """Collects firings and evidence during one inference."""

    def __init__(self):
        self.trace: list[Firing] = []
        # kind → id → [(certainty of one firing, firing index)]
        self.evidence: dict[str, dict[str, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))

    def fire(self, engine, rule: Rule, bound: dict, flat) -> None:
        if flat is not None:  # the common case: all of some leaves, no any-groups
            premise, matched = 1.0, []
            for leaf in flat:
                fact = bound.get(leaf.fact)
                value = None if fact is None else fact.get(leaf.field)
                premise = min(premise, leaf.premise(value))
                matched.append((leaf, value))
        else:
            def value_of(fact, name):
                f = bound.get(fact)
                return None if f is None else f.get(name)

            holds, premise, matched = evaluate(rule.when, value_of)
            if not holds:  # pragma: no cover - the Rete network only fires rules whose conditions hold
                return
        index = len(self.trace)
        asserted = []
        for conclusion in rule.then:
            cf = round(conclusion.cf * premise, DECIMALS)
            self.evidence[conclusion.kind][conclusion.id].append((cf, index))
            asserted.append(Asserted(conclusion.kind, conclusion.id, cf))
        self.trace.append(Firing(index, rule.id, rule.stage, premise, tuple(matched), tuple(asserted)))

    def combined(self, kind: str) -> dict[str, float]:
        """The combined certainty of every conclusion of a kind that has evidence."""
        return {ident: round(combine([cf for cf, _ in found]), DECIMALS)
                for ident, found in self.evidence.get(kind, {}).items()}


def _flat_leaves(rule: Rule):
    """The leaves of a rule whose condition is a plain conjunction, else None."""
    cond = rule.when
    if isinstance(cond, All) and all(not isinstance(c, (All, Any_)) for c in cond.items):
        return cond.items
    if not isinstance(cond, (All, Any_)):
        return (cond,)
    return None


class _Ignore:
    def fire(self, engine, rule, bound, flat):
        return None

    def combined(self, kind):
        return {}


class Reasoner:
    """The rule base compiled into experta engines; build once, infer many times.

    Examples
    --------
    >>> from expert import load_knowledge_base, load_rules
    >>> kb = load_knowledge_base()
    >>> reasoner = Reasoner(kb, load_rules(kb))
    >>> result = reasoner.infer({"conflict_frequency": "constantly"})
    >>> result.cf("symptom", "SYM-FREQUENT-CONFLICTS") > 0.5
    True
    """

    def __init__(self, kb: KnowledgeBase, ruleset: RuleSet):
        self.kb = kb
        self.ruleset = ruleset
        self.modules = compile_rules(ruleset, self._fire)
        self._flat = {rule.id: _flat_leaves(rule) for rule in ruleset.rules.values()}
        # A stage's fact carries only the ids some later rule reads: every
        # field costs Rete work, and unread ones would cost it for nothing.
        read: dict[str, set[str]] = defaultdict(set)
        for rule in ruleset.rules.values():
            for kind, ident in findings_read(rule.when):
                read[kind].add(ident)
        self._ids = {kind: tuple(i for i in kb.ids_of_kind(kind) if i in read[kind])
                     for s in ruleset.stages for kind in s.concludes}

    def _fire(self, engine, rule, bound):
        engine.session.fire(engine, rule, bound, self._flat[rule.id])

    def infer(self, answers: Mapping[str, Any]) -> Inference:
        """Run every stage on the answers (already checked; ``unknown`` allowed)."""
        session = _Session()
        self.stage_facts(answers, session)
        findings = {}
        for kind in sorted(session.evidence):
            certainties = session.combined(kind)
            for ident, evidence in sorted(session.evidence[kind].items()):
                findings[(kind, ident)] = Finding(kind, ident, certainties[ident], tuple(evidence))
        return Inference(dict(answers), findings, session.trace)

    def stage_facts(self, answers: Mapping[str, Any], session=None) -> dict[str, Any]:
        """Run the stages and return the fact each stage declared for the next, by kind."""
        session = session or _Session()
        facts: dict[str, Any] = {"answer": FACT_CLASSES["answer"](**answers)}
        for module in self.modules:
            engine = module.engine
            engine.reset()
            engine.session = session
            engine.declare(*(facts[kind] for kind in module.reads if kind in facts))
            engine.run()
            for kind in module.stage.concludes:
                values = dict.fromkeys(self._ids[kind], 0.0)
                for ident, cf in session.combined(kind).items():
                    if ident in values:
                        values[ident] = cf
                facts[kind] = FACT_CLASSES[kind](**values)
        return facts

    def run_bare(self, facts: Mapping[str, Any]) -> None:
        """experta alone: reset, declare the given stage inputs and run, recording nothing.

        Used by the benchmark as the baseline that Accord's own work is compared to.
        """
        for module in self.modules:
            engine = module.engine
            engine.reset()
            engine.session = _Ignore()
            engine.declare(*(facts[kind] for kind in module.reads if kind in facts))
            engine.run()
