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
from typing import Any, Mapping

from .certainty import combine
from .compiler import FACT_CLASSES, compile_rules
from .conditions import AnswerLeaf, evaluate
from .knowledge import KnowledgeBase
from .rules import Rule, RuleSet

DECIMALS = 4  # certainties are rounded once, when a stage's conclusions are declared


@dataclass(frozen=True)
class Matched:
    """One condition of a rule that held when it fired."""

    fact: str  # "answer" or a kind of conclusion
    id: str  # question id or conclusion id
    value: Any  # the answer, or the certainty seen
    test: str  # the condition, in words

    def to_dict(self) -> dict:
        if self.fact == "answer":
            return {"answer": self.id, "value": self.value, "test": self.test}
        return {"kind": self.fact, "id": self.id, "cf": self.value, "test": self.test}


@dataclass(frozen=True)
class Asserted:
    kind: str
    id: str
    cf: float

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "cf": self.cf}


@dataclass(frozen=True)
class Firing:
    """One rule firing: the unit of every explanation."""

    index: int
    rule: str
    stage: str
    premise: float
    matched: tuple[Matched, ...]
    asserted: tuple[Asserted, ...]

    def to_dict(self) -> dict:
        return {
            "step": self.index + 1,
            "rule": self.rule,
            "stage": self.stage,
            "premise_cf": round(self.premise, 3),
            "matched": [m.to_dict() for m in self.matched],
            "asserted": [a.to_dict() for a in self.asserted],
        }


@dataclass(frozen=True)
class Finding:
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


class _Session:
    """Collects firings and evidence during one inference."""

    def __init__(self):
        self.trace: list[Firing] = []
        self.evidence: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)

    def fire(self, engine, rule: Rule, bound: dict) -> None:
        def value(fact, name):
            f = bound.get(fact)
            return None if f is None else f.get(name)

        holds, premise, matched = evaluate(rule.when, value)
        if not holds:  # pragma: no cover - the Rete network only fires rules whose conditions hold
            return
        index = len(self.trace)
        asserted = []
        for conclusion in rule.then:
            cf = round(conclusion.cf * premise, DECIMALS)
            self.evidence[(conclusion.kind, conclusion.id)].append((cf, index))
            asserted.append(Asserted(conclusion.kind, conclusion.id, cf))
        self.trace.append(Firing(
            index, rule.id, rule.stage, premise,
            tuple(Matched(leaf.fact, leaf.question if isinstance(leaf, AnswerLeaf) else leaf.id, v, leaf.describe())
                  for leaf, v in matched),
            tuple(asserted)))


class _Ignore:
    def fire(self, engine, rule, bound):
        return None


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
        self._ids = {kind: kb.ids_of_kind(kind) for s in ruleset.stages for kind in s.concludes}

    @staticmethod
    def _fire(engine, rule, bound):
        engine.session.fire(engine, rule, bound)

    def infer(self, answers: Mapping[str, Any]) -> Inference:
        """Run every stage on the answers (already checked; ``unknown`` allowed)."""
        session = _Session()
        facts = self.stage_facts(answers, session)
        findings = {}
        for (kind, ident), evidence in session.evidence.items():
            findings[(kind, ident)] = Finding(kind, ident, facts[kind][ident], tuple(evidence))
        return Inference(dict(answers), dict(sorted(findings.items())), session.trace)

    def stage_facts(self, answers: Mapping[str, Any], session=None) -> dict[str, Any]:
        """Run the stages and return the fact each stage declared for the next, by kind."""
        session = session or _Ignore()
        facts: dict[str, Any] = {"answer": FACT_CLASSES["answer"](**answers)}
        for module in self.modules:
            engine = module.engine
            engine.reset()
            engine.session = session
            engine.declare(*(facts[kind] for kind in module.reads if kind in facts))
            engine.run()
            evidence = getattr(session, "evidence", {})
            for kind in module.stage.concludes:
                facts[kind] = FACT_CLASSES[kind](**{
                    ident: round(combine(cf for cf, _ in evidence.get((kind, ident), ())), DECIMALS)
                    for ident in self._ids[kind]})
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
