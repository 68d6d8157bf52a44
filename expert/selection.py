"""Question selection: ask only what can change the diagnosis, and what can change most first.

A consultation in selective mode (the default of ``accord diagnose``; the
web questionnaire makes the same call) asks :meth:`Selector.decide` what to
ask next. The answer is worked out by **trial diagnoses** on the fast engine,
never by reading the rules' content, so it follows the rules as they change:

* **What is protected** is the verdict (:class:`Verdict`): the level, the aim
  (target level), the named causes and the measures of the plan. Two plans
  that differ by one measure count as the same plan (``PLAN_SLACK``), as the
  agreement with the full questionnaire is judged.
* **Trials.** For every question that is asked for sure now (its follow-up
  condition holds) and has no answer yet, the answers so far are diagnosed
  again with one answer to it, for each answer the rules tell apart: answers
  that every rule and follow-up condition tests alike give the same
  diagnosis, so one stands for its class (a 1-5 scale often falls into two or
  three classes; a number into the intervals between the thresholds the rules
  test). An answer no rule reads and that weighs on no level is not run at
  all: its diagnosis is the one without it. ``unknown`` is not tried: it is
  no evidence, and a question left unasked is no evidence either.
* **Several answers.** A multi-choice question with k choices has 2^k - 1
  answers; it is tried with each choice alone (at most k trials). Rules test a
  multi answer by whether it includes a value, so the single choices are what
  every combination is made of; combinations are left to the joint check.
* **Follow-ups.** An answer that changes nothing itself is tried again with
  each answer of each follow-up it opens, one follow-up at a time, and those
  with the follow-ups they open in turn (``FOLLOW_UPS`` levels), so a question
  that matters only through its follow-ups is asked. Evidence adds up, so the
  follow-ups an answer opens are also tried together, each answered the way
  that moves the certainties most (whether marketing generates leads opens
  several lead questions, none decisive alone).
* **Most first.** A question *matters* when one of its trials changes the
  verdict; its weight is the mean change over its answer classes (the level
  or the aim 3, a named cause 2, a plan measure 1). The heaviest of those
  that matter is asked. To keep a decision well under a third of a second,
  questions are tried in the order of a static estimate of how far their
  evidence reaches in the rule base (:meth:`Selector.reach`), and the choice
  is made among the first ``SCAN`` that matter, or those found once
  ``SCAN_TRIALS`` trials have run: the estimate only orders the trials.
* **Stopping.** When no question matters on its own, the remaining answers
  are tried together, since evidence adds up: (1) the answers that each move
  the plan by one measure (the slack), all at once; (2) for each certainty
  the level, the aim and the causes are decided from (``PUSHED``) that two or
  more questions move the same way, every one of them answered the way that
  moves it most (at most ``JOINT_TRIALS`` such pushes, the strongest first).
  If a joint trial changes the verdict, the question that moved it most is
  asked; if none does, the consultation stops. Every question it did not ask
  is *not needed*: no answer to it, or to the follow-ups it opens, would
  change the diagnosis, alone or together with the others pushing the same
  way.

Decisions depend on the answers alone (a resumed consultation asks what the
interrupted one would have); a selector remembers the last ``MEMO`` of them.
A question left unasked is listed, with its reason, in the answers file
(``not_needed``) and in every report; it does not count as ``unknown`` when
the level's certainty is lowered. ``--thorough`` asks everything.

Examples
--------
>>> from expert import load_expert
>>> selector = selector_for(load_expert(engine="clips"))
>>> decision = selector.decide({})
>>> decision.question
'marketing_department'
>>> selector.decide({"marketing_department": "none", "employees": 40, "market_type": "b2c",
...                  "plans_marketing_department": "no"}).question is None
True
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from .answers import _states
from .conditions import AnswerLeaf, findings_read, leaves, questions_read
from .diagnosis import ExpertSystem, reason
from .sampling import numeric_thresholds

PLAN_SLACK = 1  # plans differing by at most this many measures are the same plan
#: How much a change of each part of the verdict weighs when questions are compared.
WEIGHTS = {"level": 3.0, "target": 3.0, "cause": 2.0, "measure": 1.0}
SCAN = 3  # the choice is made among the first this many questions that matter (in order of reach) ...
SCAN_TRIALS = 24  # ... or those found once this many trial diagnoses have run
JOINT_TRIALS = 24  # at most this many joint trials before stopping
FOLLOW_UPS = 2  # follow-ups opened by follow-ups are tried this many levels deep
MEMO = 1024  # decisions remembered per selector (a consultation asks for the same one many times)
#: The certainties a trial records besides the causes' (read after the differential): those the level,
#: the aim and the plan are decided from ...
CERTAINTIES = ("support", "level", "target", "transition", "measure")
#: ... and those a joint trial pushes in one direction.
PUSHED = ("support", "level", "target", "transition", "cause")


@dataclass(frozen=True)
class Verdict:
    """What question selection protects: level, aim, named causes and the plan's measures."""

    level: str | None
    target: str | None
    causes: frozenset[str]
    plan: frozenset[str]

    @classmethod
    def of(cls, diagnosis) -> "Verdict":
        """The verdict of a :class:`~expert.diagnosis.Diagnosis`."""
        return cls(diagnosis.level.id if diagnosis.level else None,
                   diagnosis.target.id if diagnosis.target else None,
                   frozenset(c.id for c in diagnosis.inference.causes if c.named), frozenset(diagnosis.plan.order))

    def agrees(self, other: "Verdict", slack: int = PLAN_SLACK) -> bool:
        """Same level, same aim, same named causes, plans differing by at most ``slack`` measures.

        Examples
        --------
        >>> a = Verdict("LEVEL-2-DEFINED", "LEVEL-3-ALIGNED", frozenset({"C1"}), frozenset({"M1", "M2"}))
        >>> a.agrees(Verdict(a.level, a.target, a.causes, frozenset({"M1"})))
        True
        >>> a.agrees(Verdict(a.level, a.target, frozenset(), a.plan))
        False
        """
        return (self.level == other.level and self.target == other.target and self.causes == other.causes
                and len(self.plan ^ other.plan) <= slack)

    def change(self, other: "Verdict") -> float:
        """How much ``other`` differs, weighted (:data:`WEIGHTS`); 0 when they agree."""
        if self.agrees(other):
            return 0.0
        return (WEIGHTS["level"] * (self.level != other.level) + WEIGHTS["target"] * (self.target != other.target)
                + WEIGHTS["cause"] * len(self.causes ^ other.causes)
                + WEIGHTS["measure"] * len(self.plan ^ other.plan))

    def differences(self, other: "Verdict") -> list[str]:
        """The parts of the verdict that differ: ``level``, ``target``, ``causes``, ``plan``."""
        found = [part for part in ("level", "target", "causes") if getattr(self, part) != getattr(other, part)]
        return found + (["plan"] if len(self.plan ^ other.plan) > PLAN_SLACK else [])


@dataclass(frozen=True)
class Reading:
    """One trial diagnosis: its verdict and the certainties behind it (:data:`CERTAINTIES`, causes)."""

    verdict: Verdict
    certainties: Mapping[tuple[str, str], float]

    def movement(self, other: "Reading") -> float:
        """How far the certainties moved between two trials (the sum of the differences)."""
        keys = self.certainties.keys() | other.certainties.keys()
        return sum(abs(self.certainties.get(k, 0.0) - other.certainties.get(k, 0.0)) for k in keys)


@dataclass(frozen=True)
class Impact:
    """What the answers to one question can do to the verdict."""

    question: str
    change: float  # the largest change any answer (or a follow-up it opens) makes; 0: cannot change it
    weight: float  # the mean change over the answers the rules tell apart: how much it can change
    movement: float  # how far its answers move the certainties at most (breaks ties)
    trials: int

    @property
    def matters(self) -> bool:
        return self.change > 0


@dataclass(frozen=True)
class Decision:
    """What to ask next (``question``), or that nothing left can change the verdict (None).

    ``not_needed`` lists, when the consultation can stop, the questions it did
    not ask (every question still open, in questionnaire order). ``impacts``
    holds the questions tried for this decision; ``joint`` says the question
    was chosen by a joint trial; ``trials`` counts the trial diagnoses run.
    """

    question: str | None
    not_needed: tuple[str, ...] = ()
    impacts: Mapping[str, Impact] = field(default_factory=dict)
    joint: bool = False
    trials: int = 0


def read(system: ExpertSystem, answers: Mapping[str, Any], not_needed=None) -> Reading:
    """Diagnose for a trial: the verdict and its certainties, nothing else.

    ``not_needed`` (by default every question without an answer) does not
    count as ``unknown`` in the level's certainty, as in a selective
    consultation's diagnosis.
    """
    if not_needed is None:
        not_needed = system.kb.questions.keys() - answers.keys()
    answers = {q: answers[q] for q in system.kb.questions if q in answers}  # as a checked sheet orders them
    _, inference, level, target, selection = reason(system, answers, not_needed)
    verdict = Verdict(level.id if level else None, target.id if target else None,
                      frozenset(c.id for c in inference.causes if c.named), frozenset(selection.chosen))
    certainties = {(f.kind, f.id): f.cf for kind in CERTAINTIES for f in inference.of_kind(kind)}
    certainties.update({("cause", c.id): c.certainty for c in inference.causes})
    return Reading(verdict, certainties)


class Selector:
    """Decides what to ask next for one expert system (see the module docstring).

    Parameters
    ----------
    system : ExpertSystem
        The bases and the engine the trials run on (CLIPS makes them affordable).
    scan, joint_trials : int
        See :data:`SCAN` and :data:`JOINT_TRIALS`.
    memo : int
        Decisions remembered (0: none, as the benchmark times them).
    """

    def __init__(self, system: ExpertSystem, scan: int = SCAN, joint_trials: int = JOINT_TRIALS, memo: int = MEMO):
        self.system = system
        self.memo = memo
        self.scan = scan
        self.joint_trials = joint_trials
        kb = system.kb
        conditions = [r.when for r in system.rules.rules.values()]
        conditions += [q.ask_when for q in kb.questions.values() if q.ask_when is not None]
        self._tests: dict[str, list[AnswerLeaf]] = {}
        for cond in conditions:
            for leaf in leaves(cond):
                if isinstance(leaf, AnswerLeaf) and leaf not in self._tests.setdefault(leaf.question, []):
                    self._tests[leaf.question].append(leaf)
        self._rule_tests = {q: [leaf for r in system.rules.rules.values() for leaf in leaves(r.when)
                                if isinstance(leaf, AnswerLeaf) and leaf.question == q]
                            for q in kb.questions}
        self._thresholds = numeric_thresholds(kb, system.rules)
        self._classes: dict[str, tuple] = {}
        self._order = {q: i for i, q in enumerate(kb.questions)}
        self._reach = self._reach_of_questions()
        self._memo: OrderedDict = OrderedDict()
        self.trials = 0  # trial diagnoses run so far (for the benchmark)

    # ------------------------------------------------------------ answers

    def answer_classes(self, question: str) -> tuple:
        """One answer for each class of answers the rules and follow-up conditions tell apart.

        Examples
        --------
        >>> from expert import load_expert
        >>> selector = selector_for(load_expert(engine="clips"))
        >>> len(selector.answer_classes("marketing_department")) <= 4
        True
        """
        found = self._classes.get(question)
        if found is None:
            found = self._classes[question] = self._make_classes(question)
        return found

    def _make_classes(self, question: str) -> tuple:
        q = self.system.kb.questions[question]
        if q.type in ("choice", "multi"):
            values = [c.value for c in q.choices]
            if q.type == "multi":
                values = [(v,) for v in values]
        elif q.type == "yesno":
            values = ["yes", "no"]
        elif q.type == "scale":
            values = [1, 2, 3, 4, 5]
        else:  # a number: the thresholds the rules test, each side of them, and the ends of the range
            low, high = (0, 100) if q.type == "percent" else (q.minimum, q.maximum)
            values = {v for t in self._thresholds.get(question, []) for v in (t - 1, t, t + 1)}
            values |= {v for v in (low, high) if v is not None} or {0}
            values = sorted(v for v in values if (low is None or v >= low) and (high is None or v <= high))
        classes: dict[tuple, Any] = {}
        for value in values:
            signature = tuple((leaf.test(value), leaf.premise(value)) for leaf in self._tests.get(question, ()))
            classes.setdefault(signature, value)
        return tuple(classes.values())

    def _inert(self, question: str, value: Any) -> bool:
        """Whether an answer fires no rule and weighs on no level: its trial is the diagnosis without it."""
        return (question not in self.system.level_questions
                and not any(leaf.test(value) for leaf in self._rule_tests[question]))

    # -------------------------------------------------------------- reach

    def _reach_of_questions(self) -> dict[str, float]:
        """A static estimate of how far each question's evidence reaches (orders the trials only).

        A conclusion that is part of the verdict weighs its :data:`WEIGHTS`;
        a rule passes on the weight of what it concludes, times its certainty,
        to every finding and answer it reads. A question that opens follow-ups
        adds half of theirs.
        """
        reach: dict[tuple[str, str], float] = {}
        questions: dict[str, float] = {q: 0.0 for q in self.system.kb.questions}
        for stage in reversed(self.system.rules.stages):
            for rule in stage.rules:
                gain = sum(abs(c.cf) * (WEIGHTS.get(c.kind, 0.0) + reach.get((c.kind, c.id), 0.0)) for c in rule.then)
                for key in findings_read(rule.when):
                    reach[key] = reach.get(key, 0.0) + gain
                for q in questions_read(rule.when):
                    if q in questions:  # not a derived value (the quick total, how far respondents differ)
                        questions[q] += gain
        kb = self.system.kb
        for q in reversed(list(kb.questions)):  # a follow-up comes after the questions it follows
            condition = kb.questions[q].ask_when
            if condition is not None:
                for gate in questions_read(condition):
                    questions[gate] += questions[q] / 2
        return questions

    def reach(self, question: str) -> float:
        """The static estimate the trials are ordered by (higher first)."""
        return self._reach[question]

    # ----------------------------------------------------------- deciding

    def verdict(self, answers: Mapping[str, Any]) -> Verdict:
        """The verdict of these answers, unanswered questions counting as not needed."""
        return read(self.system, answers).verdict

    def could_change(self, answers: Mapping[str, Any], question: str) -> tuple[str, ...]:
        """The parts of the verdict (``level``, ``target``, ``causes``, ``plan``) some answer to a question,
        or to a follow-up it opens, would change, given the answers so far (the question's own answer set
        aside): why a selective consultation asks it.

        Examples
        --------
        >>> from expert import load_expert
        >>> selector_for(load_expert(engine="clips")).could_change({}, "marketing_department")
        ('level', 'target', 'causes', 'plan')
        """
        kb = self.system.kb
        answers = {q: v for q, v in answers.items() if q != question}
        states = _states(kb, answers)
        base = read(self.system, answers)
        parts: set[str] = set()
        for value in self.answer_classes(question):
            trial = dict(answers, **{question: value})
            parts.update(base.verdict.differences(read(self.system, trial).verdict))
            after = _states(kb, trial)
            for follow_up in kb.questions:
                if after[follow_up] is True and states[follow_up] is not True and follow_up not in trial:
                    for other in self.answer_classes(follow_up):
                        deeper = read(self.system, dict(trial, **{follow_up: other}))
                        parts.update(base.verdict.differences(deeper.verdict))
        return tuple(p for p in ("level", "target", "causes", "plan") if p in parts)

    def _read(self, answers: Mapping[str, Any]) -> Reading:
        self.trials += 1
        return read(self.system, answers)

    def decide(self, answers: Mapping[str, Any]) -> Decision:
        """What to ask next given the answers so far (see the module docstring)."""
        key = frozenset(answers.items())
        found = self._memo.get(key)
        if found is not None:
            self._memo.move_to_end(key)
            return found
        decision = self._decide({q: answers[q] for q in self._order if q in answers})  # in questionnaire order
        if self.memo:
            self._memo[key] = decision
            if len(self._memo) > self.memo:
                self._memo.popitem(last=False)
        return decision

    def _decide(self, answers: dict[str, Any]) -> Decision:
        kb = self.system.kb
        states = _states(kb, answers)
        open_questions = tuple(q for q in kb.questions if states[q] is not False and q not in answers)
        candidates = sorted((q for q in open_questions if states[q] is True),
                            key=lambda q: (-self._reach[q], self._order[q]))
        if not candidates:
            return Decision(None)
        start = self.trials
        base = self._read(answers)
        impacts: dict[str, Impact] = {}
        readings: dict[str, list[tuple[Any, Reading]]] = {}
        mattering = []
        movers: dict[str, dict] = {}
        for q in candidates:
            impacts[q], readings[q], movers[q] = self._impact(answers, states, q, base)
            if impacts[q].matters:
                mattering.append(q)
            if mattering and (len(mattering) >= self.scan or self.trials - start >= SCAN_TRIALS):
                break
        if mattering:
            best = max(mattering, key=lambda q: (impacts[q].weight, impacts[q].movement, -self._order[q]))
            return Decision(best, (), impacts, False, self.trials - start)
        joint = self._joint(answers, base, readings, {q: m for q, m in movers.items() if m})
        if joint is not None:
            return Decision(joint, (), impacts, True, self.trials - start)
        return Decision(None, open_questions, impacts, False, self.trials - start)

    def _impact(self, answers, states, question: str, base: Reading) -> tuple[Impact, list, dict]:
        """Trial diagnoses of one question (and of the follow-ups its answers open).

        Returns the impact, the trials of its own answers ``[(answer, reading)]``,
        and the answers (its own, with any follow-ups) that move the plan most
        without changing the verdict (empty when none moves it).
        """
        start = self.trials
        per_class = []
        movement = 0.0
        own = []
        move: tuple[int, dict] = (0, {})
        for value in self.answer_classes(question):
            trial = dict(answers)
            trial[question] = value
            reading = base if self._inert(question, value) else self._read(trial)
            own.append((value, reading))
            change = reading.verdict.change(base.verdict)
            movement = max(movement, reading.movement(base))
            moved = len(reading.verdict.plan ^ base.verdict.plan)
            if change == 0 and moved > move[0]:
                move = (moved, {question: value})
            if change == 0:
                change, deeper_movement, deeper_move = self._opened(trial, reading, states, base, FOLLOW_UPS)
                movement = max(movement, deeper_movement)
                if deeper_move[0] > move[0]:
                    move = (deeper_move[0], {question: value, **deeper_move[1]})
            per_class.append(change)
        impact = Impact(question, max(per_class), sum(per_class) / len(per_class), movement, self.trials - start)
        return impact, own, move[1]

    def _opened(self, trial, reading: Reading, states, base: Reading, depth: int) -> tuple[float, float, tuple]:
        """The most the follow-ups an answer opens can change the verdict, one at a time, and the
        follow-ups their answers open in turn (``depth`` levels); with how far they move the
        certainties and the follow-up answers that move the plan most, ``(measures, answers)``."""
        kb = self.system.kb
        after = _states(kb, trial)
        change, movement, move = 0.0, 0.0, (0, {})
        strongest: dict[str, tuple[float, Any]] = {}  # follow-up → the answer that moves the certainties most
        for follow_up in kb.questions:
            if after[follow_up] is not True or states[follow_up] is True or follow_up in trial:
                continue
            for other in self.answer_classes(follow_up):
                deeper = dict(trial)
                deeper[follow_up] = other
                r = reading if self._inert(follow_up, other) else self._read(deeper)
                change = max(change, r.verdict.change(base.verdict))
                movement = max(movement, r.movement(base))
                if change:
                    return change, movement, move
                pushed = r.movement(reading)
                if pushed > strongest.get(follow_up, (0.0, None))[0]:
                    strongest[follow_up] = (pushed, other)
                moved = len(r.verdict.plan ^ base.verdict.plan)
                if moved > move[0]:
                    move = (moved, {follow_up: other})
                if depth > 1:
                    more, moved_more, deeper_move = self._opened(deeper, r, after, base, depth - 1)
                    movement = max(movement, moved_more)
                    if more:
                        return more, movement, move
                    if deeper_move[0] > move[0]:
                        move = (deeper_move[0], {follow_up: other, **deeper_move[1]})
        if len(strongest) > 1:
            # evidence adds up: the follow-ups an answer opens, together, each answered the way that moves most
            together = dict(trial, **{q: value for q, (_, value) in sorted(strongest.items())})
            r = self._read(together)
            change, movement = r.verdict.change(base.verdict), max(movement, r.movement(base))
        return change, movement, move

    def _joint(self, answers, base: Reading, readings: Mapping[str, list], movers: Mapping[str, dict]) -> str | None:
        """A question to ask because the remaining answers together could change the verdict, or None.

        First the answers that each move the plan by no more than its slack
        (``movers``, with the follow-ups that move it), all at once; then, for
        each certainty of :data:`PUSHED` that the trials of two or more
        questions moved the same way, all those questions answered the way
        that moves it most, the pushes with the most combined movement first.
        """
        pushes: dict[tuple, dict[str, tuple[float, Any]]] = {}
        for q, trials in readings.items():
            for value, reading in trials:
                for key in reading.certainties.keys() | base.certainties.keys():
                    if key[0] not in PUSHED:
                        continue
                    delta = reading.certainties.get(key, 0.0) - base.certainties.get(key, 0.0)
                    if delta:
                        sign = 1 if delta > 0 else -1
                        best = pushes.setdefault((key, sign), {})
                        if abs(delta) > best.get(q, (0.0, None))[0]:
                            best[q] = (abs(delta), value)
        tried = set()
        # the plan's slack used by several questions at once: each moves one measure, together more
        if len(movers) > 1:
            together: dict[str, Any] = {}
            for q in sorted(movers, key=self._order.get):
                for asked, value in movers[q].items():
                    together.setdefault(asked, value)
            tried.add(tuple(sorted(together.items())))
            reading = self._read(dict(answers, **together))
            if not reading.verdict.agrees(base.verdict):
                return max(movers, key=lambda q: (self._reach[q], -self._order[q]))
        ranked = sorted(((sum(d for d, _ in by_q.values()), push) for push, by_q in pushes.items() if len(by_q) > 1),
                        key=lambda p: (-p[0], p[1]))
        for _, push in ranked:
            by_q = pushes[push]
            completion = tuple(sorted((q, v) for q, (_, v) in by_q.items()))
            if completion in tried:
                continue
            if len(tried) >= self.joint_trials:
                break
            tried.add(completion)
            reading = self._read(dict(answers, **dict(completion)))
            if not reading.verdict.agrees(base.verdict):
                return max(by_q, key=lambda q: (by_q[q][0], self._reach[q], -self._order[q]))
        return None


@lru_cache(maxsize=4)
def selector_for(system: ExpertSystem) -> Selector:
    """The selector of an expert system, shared (with its remembered decisions) by every consultation."""
    return Selector(system)


__all__ = ["Decision", "Impact", "PLAN_SLACK", "Reading", "Selector", "Verdict", "read",
           "selector_for"]
