"""Compiling the YAML rule base into experta engines, one per stage.

experta is the reference engine: the rule cases are written and tested
against it. :mod:`expert.compiler_clips` generates the same rules for CLIPS,
and the tests prove both fire the same rules in the same order.

Each stage becomes a ``KnowledgeEngine`` subclass (a CLIPS module): its rules
are real experta rules whose patterns do the matching. The facts are few and
wide: one ``Answers`` fact holds every answer, and each kind of conclusion is
one fact (``Symptoms``, ``Causes``, ...) whose fields are the ids and whose
values are certainties. A leaf of a condition is therefore one field test,
which the Rete network shares between all rules that use it; an ``any`` group
becomes a TEST conditional element over the bound facts.

Why this shape: experta's cost grows with facts × distinct tests and with the
number of conflict-set nodes walked after every firing (see
``../shared/experta.md``); wide facts and one engine per stage keep both small.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ._experta import AS, TEST, Fact, KnowledgeEngine, P, Rule as ExpertaRule, StageEngine
from .conditions import All, AnswerLeaf, Any_, Condition, FINDING_KINDS, Leaf, evaluate, leaves
from .rules import Rule, RuleSet, Stage

FACT_CLASSES: dict[str, type] = {
    kind: type(name, (Fact,), {"__doc__": doc})
    for kind, name, doc in [
        ("answer", "Answers", "Every answer of the consultation: question id → value."),
        ("symptom", "Symptoms", "Symptom id → certainty."),
        ("sign", "Signs", "Sign id → certainty."),
        ("context", "Contexts", "Context factor id → certainty."),
        ("support", "Supports", "Level id → net certainty of the evidence for that level."),
        ("level", "Levels", "Level id → certainty that it is the current level."),
        ("cause", "Causes", "Cause id → certainty."),
        ("target", "Targets", "Level id → certainty that it is the level to aim for."),
        ("transition", "Transitions", "Transition id → certainty that the plan includes it."),
        ("practice", "Practices", "Measure id → certainty that it is already in place."),
        ("need", "Needs", "Measure id → combined certainty that the issues it addresses are present."),
        ("measure", "Measures", "Measure id → certainty that it is recommended."),
    ]
}
assert set(FACT_CLASSES) == {"answer", *FINDING_KINDS}

_predicates: dict[tuple, P] = {}


def predicate(leaf: Leaf) -> P:
    """The experta field constraint of a leaf, shared by every rule that uses the same test."""
    key = (type(leaf).__name__, leaf.op, getattr(leaf, "operand", None), getattr(leaf, "threshold", None))
    if key not in _predicates:
        _predicates[key] = P(leaf.test)
    return _predicates[key]


class Module:
    """One stage compiled into an experta engine."""

    def __init__(self, stage: Stage, engine: KnowledgeEngine):
        self.stage = stage
        self.engine = engine
        self.reads = sorted(stage.reads())


def compile_rules(ruleset: RuleSet, fire: Callable[[KnowledgeEngine, Rule, dict], None]) -> list[Module]:
    """Build one experta engine per stage.

    Parameters
    ----------
    ruleset : RuleSet
    fire : callable
        Called as ``fire(engine, rule, bound_facts)`` when a rule fires;
        ``bound_facts`` maps a kind (``answer``, ``symptom``, ...) to its fact.
    """
    modules = []
    for stage in ruleset.stages:
        members = {"__doc__": f"Stage '{stage.id}' of the Accord rule base."}
        for position, rule in enumerate(stage.rules):
            members[rule.id] = _compile_rule(rule, salience=len(stage.rules) - position, fire=fire)
        cls = type(f"{_camel(stage.id)}Module", (StageEngine,), members)
        modules.append(Module(stage, cls()))
    return modules


def _record(engine, rule, bound) -> None:
    engine.fired.append(rule)


class ExpertaStages:
    """The rule base as experta engines, one per stage; build once, run many times.

    The reference engine: the rule cases are written against it, and the
    CLIPS backend (:mod:`expert.compiler_clips`) is tested to fire the same
    rules in the same order.
    """

    name = "experta"

    def __init__(self, ruleset: RuleSet, read_ids: Mapping[str, tuple[str, ...]]):
        self.modules = compile_rules(ruleset, _record)
        self.read_ids = read_ids

    def run(self, answers: Mapping[str, Any],
            on_stage: Callable[[Stage, list[Rule]], Mapping[str, Mapping[str, float]]]) -> None:
        """Run every stage; ``on_stage(stage, fired rules)`` returns the certainties it concluded.

        Those are declared for the later stages, one fact per kind.
        """
        facts: dict[str, Fact] = {"answer": FACT_CLASSES["answer"](**answers)}

        def concluded(stage, fired):
            for kind, values in on_stage(stage, fired).items():
                facts[kind] = FACT_CLASSES[kind](**values)
            return facts

        self.run_native(facts, concluded)

    def run_native(self, facts: Mapping[str, Fact], on_stage) -> None:
        """:meth:`run` with the facts already built; ``on_stage`` returns the facts by kind."""
        for module in self.modules:
            engine = module.engine
            engine.reset()
            engine.fired = []
            engine.declare(*(facts[kind] for kind in module.reads if kind in facts))
            engine.run()
            facts = on_stage(module.stage, engine.fired)


def _camel(ident: str) -> str:
    return "".join(part.capitalize() for part in ident.replace("_", "-").split("-"))


def _compile_rule(rule: Rule, salience: int, fire) -> ExpertaRule:
    items = _flatten(rule.when)
    field_tests: dict[str, dict[str, P]] = {}
    groups: list[Condition] = []
    for item in items:
        if isinstance(item, (AnswerLeaf,)) or not isinstance(item, (All, Any_)):
            tests = field_tests.setdefault(item.fact, {})
            constraint = predicate(item)
            tests[item.field] = tests[item.field] & constraint if item.field in tests else constraint
        else:
            groups.append(item)
    needed = set(field_tests)
    for group in groups:
        needed |= {leaf.fact for leaf in leaves(group)}
    patterns = []
    for kind in sorted(needed):
        patterns.append(getattr(AS, kind) << FACT_CLASSES[kind](**field_tests.get(kind, {})))
    for group in groups:
        patterns.append(TEST(_group_test(group)))

    def action(engine, **bound):
        fire(engine, rule, bound)

    # experta names firings after the function; make its log agree with our trace
    action.__name__ = action.__qualname__ = rule.id
    return ExpertaRule(*patterns, salience=salience)(action)


def _flatten(cond: Condition) -> list[Condition]:
    if isinstance(cond, All):
        out = []
        for item in cond.items:
            out.extend(_flatten(item))
        return out
    return [cond]


def _group_test(group: Condition):
    """A TEST callable for an ``any`` group; experta passes the bound facts by name."""
    def values_from(bound):
        def value(fact, field):
            f = bound.get(fact)
            return None if f is None else f.get(field)
        return value

    # experta reads the parameter names to decide what to pass, so they must be explicit.
    def test(answer=None, symptom=None, sign=None, context=None, support=None, level=None, cause=None,
             target=None, transition=None, practice=None, need=None, measure=None):
        bound = {"answer": answer, "symptom": symptom, "sign": sign, "context": context, "support": support,
                 "level": level, "cause": cause, "target": target, "transition": transition,
                 "practice": practice, "need": need, "measure": measure}
        return evaluate(group, values_from(bound))[0]

    return test
