"""The rule base generated as CLIPS constructs, and run through clipspy.

A second backend beside experta (the reference, :mod:`expert.compiler`),
generated from the same :class:`~expert.rules.RuleSet` by one generic
translation, so a new rule or condition needs no change here. CLIPS is the C
original of experta's design; it does the same matching over 20 times
faster, which makes a whole diagnosis 6–8 times faster.

The generated program:

* ``MAIN`` holds one template per kind of fact and the global ``?*fired*``.
  The ``answer`` template has integer slots ``w0``, ``w1``, …: bit *n* of the
  words is set when answer test *n* holds. Answer tests are evaluated in Python
  by :meth:`AnswerLeaf.test <expert.conditions.AnswerLeaf.test>`, the code the
  experta backend runs, so every kind of answer (numbers, choices, tuples of
  selected values) means the same to both engines. Each kind of conclusion
  (``symptom``, ``cause``, …) has a FLOAT slot per id some rule reads, default
  0.0; its certainty thresholds are matched by CLIPS.
* One module per stage, run in order by giving it the focus. A rule's salience
  is its position from the end of its stage, as in experta, and its action
  only appends the rule's number to ``?*fired*``.

Which rules fire, and in which order, is all CLIPS decides. The premise, the
certainties, their combination and rounding and the trace are computed from
that sequence by :class:`expert.inference.Reasoner`, the same code for both
engines, so the explanations cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from .conditions import All, AnswerLeaf, Any_, Condition, FindingLeaf, findings_read, leaves
from .rules import Rule, RuleSet, Stage

BITS = 60  # answer tests per integer slot; CLIPS integers are 64-bit
MAX_SALIENCE = 10000  # CLIPS' limit
_SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_COMPARE = {"min": ">=", "at_least": ">=", "max": "<=", "below": "<", "over": ">"}


def _symbol(text: str, fallback: str, taken: set[str]) -> str:
    """``text`` if it is a plain CLIPS symbol not used yet, else ``fallback``."""
    name = text if _SYMBOL.match(text) and text.upper() != "MAIN" else fallback
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _float(value: float) -> str:
    """A float literal CLIPS reads back as the same double (shortest round-trip form)."""
    text = repr(float(value))
    return text if ("." in text or "e" in text) else text + ".0"


class Program:
    """The CLIPS constructs of a rule base, and the names they give to its parts.

    Parameters
    ----------
    ruleset : RuleSet
    read_ids : mapping
        Kind → the ids of that kind whose certainty some rule reads; one slot each.

    Examples
    --------
    >>> from expert import load_knowledge_base, load_rules
    >>> kb = load_knowledge_base()
    >>> program = Program(load_rules(kb))
    >>> program.constructs[0]
    '(defmodule MAIN (export ?ALL))'
    >>> sum(c.startswith("(defrule ") for c in program.constructs) == len(program.rules)
    True
    """

    def __init__(self, ruleset: RuleSet, read_ids: Mapping[str, tuple[str, ...]] | None = None):
        self.ruleset = ruleset
        self.rules: list[Rule] = [rule for stage in ruleset.stages for rule in stage.rules]
        if read_ids is None:
            read: dict[str, set[str]] = {}
            for rule in self.rules:
                for kind, ident in findings_read(rule.when):
                    read.setdefault(kind, set()).add(ident)
            read_ids = {kind: tuple(sorted(ids)) for kind, ids in read.items()}
        # answer tests: every distinct AnswerLeaf gets a bit
        self.answer_bits: dict[AnswerLeaf, int] = {}
        for rule in self.rules:
            for leaf in leaves(rule.when):
                if isinstance(leaf, AnswerLeaf) and leaf not in self.answer_bits:
                    self.answer_bits[leaf] = len(self.answer_bits)
        self.words = max(1, -(-len(self.answer_bits) // BITS))
        self.tests_by_question: dict[str, list[tuple[AnswerLeaf, int, int]]] = {}
        for leaf, n in self.answer_bits.items():
            self.tests_by_question.setdefault(leaf.question, []).append((leaf, n // BITS, 1 << (n % BITS)))
        # conclusion slots: kind → id → slot name
        self.slots: dict[str, dict[str, str]] = {}
        for kind in sorted(read_ids):
            taken: set[str] = set()
            self.slots[kind] = {ident: _symbol(ident, f"id-{i}", taken) for i, ident in enumerate(read_ids[kind])}
        self.kinds = ["answer", *self.slots]
        self.modules: list[str] = [f"stage-{stage.index}" for stage in ruleset.stages]
        self.constructs: list[str] = self._generate()

    def text(self) -> str:
        """The whole program, one construct per line (for reading and debugging)."""
        return "\n".join(self.constructs) + "\n"

    def answer_words(self, answers: Mapping[str, Any]) -> list[int]:
        """The slots of the ``answer`` fact: which answer tests hold for these answers."""
        words = [0] * self.words
        tests = self.tests_by_question
        for question, value in answers.items():
            for leaf, word, bit in tests.get(question, ()):
                if leaf.test(value):
                    words[word] |= bit
        return words

    # ---------------------------------------------------------- generation

    def _generate(self) -> list[str]:
        out = ["(defmodule MAIN (export ?ALL))",
               "(deftemplate MAIN::answer " + " ".join(
                   f"(slot w{i} (type INTEGER) (default 0))" for i in range(self.words)) + ")"]
        for kind, slots in self.slots.items():
            out.append(f"(deftemplate MAIN::{kind} " + " ".join(
                f"(slot {name} (type FLOAT) (default 0.0))" for name in slots.values()) + ")")
        # Facts go in through deffunctions, never through clipspy's assert
        # functions: those hand back Fact objects whose release leaves the fact
        # in CLIPS' garbage, so each run would grow memory and slow the next reset.
        out.append("(deffunction MAIN::assert-answer (" + " ".join(f"?w{i}" for i in range(self.words)) + ") "
                   "(assert (answer " + " ".join(f"(w{i} ?w{i})" for i in range(self.words)) + ")) TRUE)")
        # A kind concluded by two stages replaces its fact, as each experta stage
        # sees only the latest one.
        for kind, slots in self.slots.items():
            out.append(f"(deffunction MAIN::assert-{kind} (" + " ".join(f"?p{i}" for i in range(len(slots))) + ") "
                       f"(delayed-do-for-all-facts ((?f {kind})) TRUE (retract ?f)) "
                       f"(assert ({kind} " + " ".join(f"({name} ?p{i})" for i, name in enumerate(slots.values()))
                       + ")) TRUE)")
        out.append("(defglobal MAIN ?*fired* = (create$))")
        out.append("(deffunction MAIN::run-stage (?module) (bind ?*fired* (create$)) (focus ?module) (run) ?*fired*)")
        number = 0
        rule_names: set[str] = set()
        for stage, module in zip(self.ruleset.stages, self.modules):
            out.append(f"(defmodule {module} (import MAIN ?ALL))")
            if len(stage.rules) > MAX_SALIENCE:  # pragma: no cover - a rule base far beyond ours
                raise ValueError(f"stage '{stage.id}' has more rules than CLIPS has salience levels")
            for position, rule in enumerate(stage.rules):
                name = _symbol(rule.id, f"rule-{number}", rule_names)
                out.append(self._rule(rule, module, name, len(stage.rules) - position, number))
                number += 1
        return out

    def _rule(self, rule: Rule, module: str, name: str, salience: int, number: int) -> str:
        variables: dict[tuple[str, str], str] = {}  # (template, slot) → variable
        constraints: dict[tuple[str, str], list[str]] = {}

        def variable(leaf) -> str:
            key = self._slot_of(leaf)
            if key not in variables:
                variables[key] = f"?v{len(variables)}"
                constraints[key] = []
            return variables[key]

        def test(leaf) -> str:
            var = variable(leaf)
            if isinstance(leaf, AnswerLeaf):
                n = self.answer_bits[leaf] % BITS
                shifted = var if n == 0 else f"(div {var} {1 << n})"
                return f"(= (mod {shifted} 2) 1)"
            if leaf.op not in _COMPARE:  # pragma: no cover - a new kind of certainty test needs a line above
                raise ValueError(f"rule '{rule.id}': the CLIPS generator has no translation for '{leaf.op}'")
            return f"({_COMPARE[leaf.op]} {var} {_float(leaf.threshold)})"

        def expression(cond: Condition) -> str:
            if isinstance(cond, (All, Any_)):
                parts = [expression(c) for c in cond.items]
                if len(parts) == 1:
                    return parts[0]
                return ("(and " if isinstance(cond, All) else "(or ") + " ".join(parts) + ")"
            return test(cond)

        groups = []
        for item in (rule.when.items if isinstance(rule.when, All) else (rule.when,)):
            if isinstance(item, (All, Any_)):
                groups.append(item)
            else:  # a leaf of the top conjunction: a constraint on its slot
                constraint = test(item)
                constraints[self._slot_of(item)].append(constraint)
        group_tests = [f"(test {expression(g)})" for g in groups]  # binds the variables groups use
        patterns = []
        for kind in self.kinds:
            template = kind
            fields = []
            for (tpl, slot), var in variables.items():
                if tpl == template:
                    fields.append(f"({slot} {var}" + "".join(f"&:{c}" for c in constraints[(tpl, slot)]) + ")")
            if fields:
                patterns.append(f"({template} " + " ".join(fields) + ")")
        lhs = " ".join(patterns + group_tests)
        return (f"(defrule {module}::{name} (declare (salience {salience})) {lhs} "
                f"=> (bind ?*fired* (create$ ?*fired* {number})))")

    def _slot_of(self, leaf) -> tuple[str, str]:
        if isinstance(leaf, AnswerLeaf):
            return "answer", f"w{self.answer_bits[leaf] // BITS}"
        assert isinstance(leaf, FindingLeaf)
        return leaf.fact, self.slots[leaf.fact][leaf.id]


class ClipsStages:
    """The generated program loaded into one CLIPS environment; build once, run many times.

    Raises
    ------
    ImportError
        When clipspy is not installed.
    """

    name = "clips"

    def __init__(self, ruleset: RuleSet, read_ids: Mapping[str, tuple[str, ...]] | None = None):
        import clips

        self.program = Program(ruleset, read_ids)
        env = clips.Environment()
        for construct in self.program.constructs:
            env.build(construct)
        self.env = env
        self._modules = [clips.Symbol(name) for name in self.program.modules]
        self._slots = {kind: tuple(slots) for kind, slots in self.program.slots.items()}

    def run(self, answers: Mapping[str, Any],
            on_stage: Callable[[Stage, list[Rule]], Mapping[str, Mapping[str, float]]]) -> None:
        """Run every stage; ``on_stage(stage, fired rules)`` returns the certainties it concluded.

        Those are asserted for the later stages (only the ids some rule reads).
        """
        self.run_native(self.program.answer_words(answers), on_stage)

    def run_native(self, words: list[int], on_stage) -> None:
        """:meth:`run` with the answer words already computed (the benchmark's bare run)."""
        env, rules, slots = self.env, self.program.rules, self._slots
        call = env.call
        env.reset()
        call("assert-answer", *words)
        for stage, module in zip(self.program.ruleset.stages, self._modules):
            fired = [rules[n] for n in call("run-stage", module)]
            for kind, values in on_stage(stage, fired).items():
                ids = slots.get(kind)
                if ids is not None:
                    call(f"assert-{kind}", *[float(values[i]) for i in ids])
