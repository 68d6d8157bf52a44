"""The condition language of rules and follow-up questions.

A condition is a tree of ``all``/``any``/``not`` over leaves. A leaf tests
either one answer (``{answer: q, in: [...]}``) or the certainty of one
conclusion of an earlier stage (``{symptom: SYM-X, min: 0.5}``). Parsing
validates the shape and pushes every ``not`` down to the leaves, so the
compiler only ever sees ``All``/``Any`` of leaves, and each leaf is one field
test that experta's Rete network can share between rules.

See ``docs/knowledge-format.md`` for the user-facing description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from .documents import Document
from .errors import KnowledgeBaseError

UNKNOWN = "unknown"
PRESENT = 0.2  # MYCIN's threshold: below it a conclusion does not count as established

FINDING_KINDS = (
    "symptom", "sign", "context", "support", "level",
    "cause", "target", "transition", "practice", "need", "measure",
)

_ANSWER_OPS = ("is", "in", "not_in", "min", "max", "weights")
_FINDING_OPS = ("min", "max", "at_least", "below")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------- leaves

@dataclass(frozen=True)
class AnswerLeaf:
    """A test of one answer. ``op`` is ``in``, ``not_in``, ``min``, ``max``,
    ``below``, ``above`` or ``weights``; ``unknown`` and missing answers never hold.

    The answer to a ``multi`` question is a tuple of the selected choice values.
    On a tuple, ``in S`` holds when any selected value is in S, ``not_in S``
    when none is, ``weights`` when any selected value has a weight (the
    premise is the highest such weight), and numeric tests never hold.

    Examples
    --------
    >>> leaf = AnswerLeaf("channels", "in", frozenset({"web", "events"}))
    >>> leaf.test("web"), leaf.test(("print", "events")), leaf.test(("print",)), leaf.test(())
    (True, True, False, False)
    >>> AnswerLeaf("channels", "not_in", frozenset({"web"})).test(("print", "events"))
    True
    >>> AnswerLeaf("channels", "not_in", frozenset({"web"})).test(("print", "web"))
    False
    >>> weights = AnswerLeaf("channels", "weights", (("events", 0.5), ("web", 0.8)))
    >>> weights.test(("events", "web")), weights.premise(("events", "web")), weights.premise("events")
    (True, 0.8, 0.5)
    >>> weights.test(("print",)), AnswerLeaf("employees", "min", 3).test((5,))
    (False, False)
    >>> print(leaf.describe())
    channels is one of events, web
    >>> print(leaf.describe(multi=True))
    channels includes one of events, web
    """

    question: str
    op: str
    operand: Any  # frozenset for in/not_in, number for comparisons, tuple of pairs for weights

    fact = "answer"

    @property
    def field(self) -> str:
        return self.question

    def test(self, value: Any) -> bool:
        """Whether the answer satisfies the leaf.

        A multi-choice answer is a tuple of the chosen values: ``in`` holds
        when any chosen value is in the set, ``not_in`` when none is, and
        numeric comparisons never hold.

        Examples
        --------
        >>> leaf = AnswerLeaf("topics", "in", frozenset({"price"}))
        >>> leaf.test(("budget", "price")), leaf.test(("budget",)), leaf.negated().test(("budget",))
        (True, False, True)
        """
        if value is None or value == UNKNOWN:
            return False
        op, operand = self.op, self.operand
        if isinstance(value, tuple):  # a multi answer: the selected values
            if op == "in":
                return any(v in operand for v in value)
            if op == "not_in":
                return not any(v in operand for v in value)
            if op == "weights":
                return any(v == w for w, _ in operand for v in value)
            return False
        if op == "in":
            return value in operand
        if op == "not_in":
            return value not in operand
        if op == "weights":
            return any(value == v for v, _ in operand)
        if not is_number(value):
            return False
        if op == "min":
            return value >= operand
        if op == "max":
            return value <= operand
        if op == "below":
            return value < operand
        return value > operand  # above

    def premise(self, value: Any) -> float:
        """The certainty the leaf lends its rule: the weight of the answer (the
        largest among the chosen values of a multi-choice answer), else 1."""
        if self.op == "weights":
            if isinstance(value, tuple):
                found = [w for v, w in self.operand if v in value]
                return max(found) if found else 1.0
            for v, w in self.operand:
                if v == value:
                    return w
        return 1.0

    def negated(self) -> "AnswerLeaf":
        flip = {"in": "not_in", "not_in": "in", "min": "below", "below": "min",
                "max": "above", "above": "max"}
        if self.op == "weights":
            return AnswerLeaf(self.question, "not_in", frozenset(v for v, _ in self.operand))
        return AnswerLeaf(self.question, flip[self.op], self.operand)

    def describe(self, multi: bool = False) -> str:
        """The test in words; ``multi`` words it for a multi answer (a tuple of selected values)."""
        op, operand = self.op, self.operand
        if op in ("in", "not_in"):
            values = ", ".join(sorted(str(v) for v in operand))
            if multi:
                word = "includes" if len(operand) == 1 and op == "in" else (
                    "includes one of" if op == "in" else "includes none of")
            else:
                word = "is" if len(operand) == 1 and op == "in" else ("is one of" if op == "in" else "is none of")
            return f"{self.question} {word} {values}"
        if op == "weights":
            word = "includes one of" if multi else "is one of"
            return f"{self.question} {word} " + ", ".join(f"{v} ({w:g})" for v, w in self.operand)
        sym = {"min": "≥", "max": "≤", "below": "<", "above": ">"}[op]
        return f"{self.question} {sym} {operand:g}"


@dataclass(frozen=True)
class FindingLeaf:
    """A test of the certainty of one conclusion reached by an earlier stage.

    ``min t``: certainty ≥ t, premise = certainty. ``max t`` (t ≤ 0): certainty ≤ t,
    evidence of the opposite, premise = −certainty. Gates, whose premise is 1:
    ``at_least t`` (certainty ≥ t), ``below t`` (certainty < t) and, as the
    negation of ``max``, ``over t`` (certainty > t).
    """

    fact: str  # the kind
    id: str
    op: str
    threshold: float

    @property
    def field(self) -> str:
        return self.id

    def test(self, value: Any) -> bool:
        cf = value if is_number(value) else 0.0
        if self.op == "min":
            return cf >= self.threshold
        if self.op == "max":
            return cf <= self.threshold
        if self.op == "at_least":
            return cf >= self.threshold
        if self.op == "below":
            return cf < self.threshold
        return cf > self.threshold  # over

    def premise(self, value: Any) -> float:
        cf = value if is_number(value) else 0.0
        if self.op == "min":
            return cf
        if self.op == "max":
            return -cf
        return 1.0

    def negated(self) -> "FindingLeaf":
        flip = {"min": "below", "at_least": "below", "below": "at_least", "max": "over", "over": "max"}
        return FindingLeaf(self.fact, self.id, flip[self.op], self.threshold)

    def describe(self) -> str:
        sym = {"min": "≥", "at_least": "≥", "max": "≤", "below": "<", "over": ">"}[self.op]
        return f"{self.fact} {self.id} certainty {sym} {self.threshold:g}"


Leaf = AnswerLeaf | FindingLeaf


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any_:
    items: tuple


Condition = Leaf | All | Any_


# ------------------------------------------------------------------ traversal

def leaves(cond: Condition) -> Iterator[Leaf]:
    """Every leaf of a condition, in order."""
    if isinstance(cond, (All, Any_)):
        for item in cond.items:
            yield from leaves(item)
    else:
        yield cond


def evaluate(cond: Condition, values: Callable[[str, str], Any]) -> tuple[bool, float, list]:
    """Evaluate a condition.

    Parameters
    ----------
    cond : Condition
    values : callable
        ``values(fact, field)`` returns the answer or certainty (None if absent).

    Returns
    -------
    (holds, premise certainty, leaves that held with their values)
        ``all`` takes the minimum premise of its items, ``any`` the maximum of
        the items that hold.

    Examples
    --------
    >>> c = All((AnswerLeaf("q", "in", frozenset({"a"})), FindingLeaf("symptom", "S", "min", 0.2)))
    >>> evaluate(c, lambda fact, field: {"q": "a", "S": 0.6}[field])[:2]
    (True, 0.6)
    """
    if isinstance(cond, All):
        matched, premise = [], 1.0
        for item in cond.items:
            ok, p, m = evaluate(item, values)
            if not ok:
                return False, 0.0, []
            premise = min(premise, p)
            matched.extend(m)
        return True, premise, matched
    if isinstance(cond, Any_):
        best, matched, found = 0.0, [], False
        for item in cond.items:
            ok, p, m = evaluate(item, values)
            if ok:
                found = True
                best = max(best, p)
                matched.extend(m)
        return found, best, matched
    value = values(cond.fact, cond.field)
    if cond.test(value):
        return True, cond.premise(value), [(cond, value)]
    return False, 0.0, []


def questions_read(cond: Condition) -> set[str]:
    return {leaf.question for leaf in leaves(cond) if isinstance(leaf, AnswerLeaf)}


def findings_read(cond: Condition) -> set[tuple[str, str]]:
    return {(leaf.fact, leaf.id) for leaf in leaves(cond) if isinstance(leaf, FindingLeaf)}


# -------------------------------------------------------------------- parsing

class ConditionParser:
    """Turns the YAML form of a condition into ``All``/``Any_``/leaves.

    Parameters
    ----------
    doc : Document
        The file the condition comes from, for error locations.
    question_types : mapping, optional
        Question id → type; yes/no values written as YAML booleans are
        normalised to ``"yes"``/``"no"``.
    allow_findings : bool
        False for ``ask_when`` conditions and contradictions, which may read answers only.
    """

    def __init__(self, doc: Document, question_types: Mapping[str, str] | None = None,
                 allow_findings: bool = True):
        self.doc = doc
        self.question_types = question_types or {}
        self.allow_findings = allow_findings

    def parse(self, data: Any, path: tuple) -> Condition:
        return self._parse(data, path, negate=False)

    def _fail(self, path, message):
        raise KnowledgeBaseError(message, self.doc.locate(*path))

    def _parse(self, data, path, negate: bool) -> Condition:
        if not isinstance(data, Mapping) or not data:
            self._fail(path, "a condition must be a mapping: all, any, not, or a leaf such as {answer: …} or {symptom: …}")
        if "all" in data or "any" in data:
            key = "all" if "all" in data else "any"
            if len(data) != 1:
                self._fail(path, f"'{key}' must be the only key of its mapping")
            items = data[key]
            if not isinstance(items, list) or not items:
                self._fail(path + (key,), f"'{key}' needs a non-empty list of conditions")
            parsed = tuple(self._parse(item, path + (key, i), negate) for i, item in enumerate(items))
            conjunctive = (key == "all") != negate
            return All(parsed) if conjunctive else Any_(parsed)
        if "not" in data:
            if len(data) != 1:
                self._fail(path, "'not' must be the only key of its mapping")
            return self._parse(data["not"], path + ("not",), not negate)
        leaf = self._leaf(data, path)
        return leaf.negated() if negate else leaf

    def _leaf(self, data, path) -> Leaf:
        if "answer" in data:
            return self._answer_leaf(data, path)
        kinds = [k for k in FINDING_KINDS if k in data]
        if len(kinds) != 1:
            self._fail(path, "unknown condition; expected all, any, not, answer or one of: " + ", ".join(FINDING_KINDS))
        if not self.allow_findings:
            self._fail(path, "this condition may test answers only (follow-up questions and contradictions "
                             "read no conclusions)")
        kind = kinds[0]
        ident = data[kind]
        if not isinstance(ident, str) or not ident:
            self._fail(path + (kind,), f"'{kind}' needs an id")
        ops = [k for k in data if k != kind]
        unknown = [k for k in ops if k not in _FINDING_OPS]
        if unknown:
            self._fail(path + (unknown[0],), f"unknown key '{unknown[0]}' in a {kind} condition; use min, max, at_least or below")
        if len(ops) > 1:
            self._fail(path, f"use only one of min, max, at_least, below in a {kind} condition")
        op = ops[0] if ops else "min"
        threshold = data[op] if ops else PRESENT
        if not is_number(threshold) or not -1.0 <= threshold <= 1.0:
            self._fail(path + ((op,) if ops else ()), f"'{op}' needs a certainty between -1 and 1")
        if op == "max" and threshold > 0:
            self._fail(path + (op,), "'max' tests evidence of the opposite and needs a value ≤ 0")
        return FindingLeaf(kind, ident, op, float(threshold))

    def _answer_leaf(self, data, path) -> AnswerLeaf:
        question = data["answer"]
        if not isinstance(question, str) or not question:
            self._fail(path + ("answer",), "'answer' needs a question id")
        ops = [k for k in data if k != "answer"]
        unknown = [k for k in ops if k not in _ANSWER_OPS]
        if unknown:
            self._fail(path + (unknown[0],), f"unknown key '{unknown[0]}' in an answer condition; use one of: " + ", ".join(_ANSWER_OPS))
        if len(ops) != 1:
            self._fail(path, "an answer condition needs exactly one of: " + ", ".join(_ANSWER_OPS))
        op = ops[0]
        operand = data[op]
        where = path + (op,)
        if op == "is":
            return AnswerLeaf(question, "in", frozenset([self._value(question, operand, where)]))
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                self._fail(where, f"'{op}' needs a non-empty list of values")
            return AnswerLeaf(question, op, frozenset(self._value(question, v, where) for v in operand))
        if op in ("min", "max"):
            if not is_number(operand):
                self._fail(where, f"'{op}' needs a number")
            return AnswerLeaf(question, op, operand)
        if not isinstance(operand, Mapping) or not operand:
            self._fail(where, "'weights' needs a mapping of answer value to weight")
        pairs = []
        for value, weight in operand.items():
            if not is_number(weight) or not 0 < weight <= 1:
                self._fail(where + (value,), "a weight must be a number in (0, 1]")
            pairs.append((self._value(question, value, where), float(weight)))
        return AnswerLeaf(question, "weights", tuple(sorted(pairs, key=lambda p: str(p[0]))))

    def _value(self, question, value, where):
        if value == UNKNOWN:
            self._fail(where, "a rule cannot test for 'unknown'; unknown answers match nothing")
        if self.question_types.get(question) == "yesno" and isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (list, dict)) or value is None:
            self._fail(where, f"'{value}' is not an answer value")
        return value
