"""The consultation: one question at a time, adaptive, with help, why, back and unknown.

A :class:`Consultation` is the state machine behind ``accord diagnose``
without ``--answers``. It never reads a keyboard and never prints: the
command line shows :attr:`Consultation.step`, passes what the user typed to
:meth:`Consultation.respond`, shows the :class:`Outcome`, and saves
:attr:`Consultation.sheet` whenever ``outcome.changed`` is true.

The state is the answers themselves. The current step is the first one not
yet answered: first the two profile steps (the organisation's name and the
respondent's role), then the first relevant unanswered question
(:func:`expert.answers.next_question`). Because a follow-up's ``ask_when``
reads only earlier questions, the questions are always asked in
questionnaire order, so a saved answers file is enough to resume exactly
where the consultation stopped. ``back`` undoes the answer to the previous
step and offers it again as the default.

Examples
--------
>>> from expert import load_expert
>>> c = Consultation(load_expert(), ask_profile=False)
>>> c.step.id, c.step.number
('marketing_department', 1)
>>> c.respond("1").kind
'answered'
>>> c.sheet.answers
{'marketing_department': 'separate'}
>>> c.respond("back").kind, c.step.id, c.step.previous
('back', 'marketing_department', 'separate')
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .answers import ROLES, AnswerSheet, answer_value, relevance, remaining
from .conditions import UNKNOWN, questions_read
from .diagnosis import ExpertSystem
from .knowledge import Question

PROFILE = ("organization", "role")

#: What the user may type at any prompt besides an answer (compared lower-case).
COMMANDS = {
    "help": ("?", "help", "помощь", "справка"),
    "why": ("why", "почему", "зачем"),
    "back": ("back", "назад"),
    "unknown": ("unknown", "u", "не знаю", "незнаю", "don't know", "dont know", "н/з"),
}

ANSWERED, HELP, WHY, BACK, AT_START, INVALID = "answered", "help", "why", "back", "at_start", "invalid"


@dataclass(frozen=True)
class Step:
    """What to ask now.

    ``id`` is ``organization``, ``role`` or a question id; ``question`` is
    None for the two profile steps. ``number`` counts the questions of this
    consultation (1-based; None for profile steps) and ``left`` estimates how
    many relevant questions remain after this one (later answers can open
    or close follow-ups). ``previous`` is the answer given before the user
    went back to this step, offered as the default.
    """

    id: str
    question: Question | None
    number: int | None
    left: int
    previous: Any = None


@dataclass(frozen=True)
class Rationale:
    """One rule that reads the question, and what it concludes."""

    rule: str
    summary: Any  # {en, ru}
    concludes: tuple[tuple[str, str, float], ...]  # (kind, id, certainty)


@dataclass(frozen=True)
class WhyAsked:
    """The classic expert-system WHY for one question."""

    question: str
    rules: tuple[Rationale, ...]
    follow_up_of: tuple[str, ...]  # earlier questions whose answers made it relevant
    opens: tuple[str, ...]  # later questions whose relevance depends on it


@dataclass(frozen=True)
class Outcome:
    """The result of :meth:`Consultation.respond`.

    ``kind`` is ``answered``, ``help``, ``why``, ``back``, ``at_start`` (back
    at the first step) or ``invalid``. ``changed`` says the answers changed
    and should be saved.
    """

    kind: str
    step: Step | None
    value: Any = None
    help: Any = None  # {en, ru} for a question; None for profile steps
    why: WhyAsked | None = None
    problem: str | None = None
    changed: bool = False


@dataclass
class Consultation:
    """An interview in progress.

    Parameters
    ----------
    system : ExpertSystem
        The loaded knowledge and rule bases.
    sheet : AnswerSheet, optional
        Answers to continue from (``--resume``); a new consultation otherwise.
    ask_profile : bool
        Ask the organisation's name and the respondent's role first. When
        resuming a sheet that already has answers, they count as given.
    """

    system: ExpertSystem
    sheet: AnswerSheet = field(default_factory=AnswerSheet)
    ask_profile: bool = True

    def __post_init__(self):
        # The answers are in today's questionnaire (a resumed older file was migrated on reading).
        self.sheet = replace(self.sheet, answers=dict(self.sheet.answers),
                             version=self.system.kb.questionnaire_version)
        done = not self.ask_profile or bool(self.sheet.answers) or self.sheet.role is not None
        self._profile_done = {name: done for name in PROFILE}
        self._defaults: dict[str, Any] = {}
        if self.ask_profile and not done and self.sheet.organization:
            self._defaults["organization"] = self.sheet.organization

    # ------------------------------------------------------------------ state

    @property
    def kb(self):
        return self.system.kb

    @property
    def answers(self) -> dict[str, Any]:
        return self.sheet.answers

    @property
    def done(self) -> bool:
        return self.step is None

    @property
    def step(self) -> Step | None:
        """The step to ask now, or None when every relevant question has an answer."""
        for name in PROFILE:
            if not self._profile_done[name]:
                return Step(name, None, None, remaining(self.kb, self.answers), self._defaults.get(name))
        relevant = relevance(self.kb, self.answers)
        order = list(self.kb.questions)
        for index, qid in enumerate(order):
            if relevant[qid] and qid not in self.answers:
                number = 1 + sum(1 for q in order[:index] if relevant[q] and q in self.answers)
                return Step(qid, self.kb.questions[qid], number, remaining(self.kb, self.answers) - 1,
                            self._defaults.get(qid))
        return None

    def asked(self) -> int:
        """How many relevant questions have an answer (``unknown`` included)."""
        relevant = relevance(self.kb, self.answers)
        return sum(1 for q in self.answers if relevant.get(q))

    def _previous_step(self, current: Step | None) -> str | None:
        """The step ``back`` returns to: the last answered step before the current one."""
        if current is not None and current.question is None:
            index = PROFILE.index(current.id)
            earlier = [p for p in PROFILE[:index] if self.ask_profile]
            return earlier[-1] if earlier else None
        relevant = relevance(self.kb, self.answers)
        order = list(self.kb.questions)
        end = order.index(current.id) if current is not None else len(order)
        for qid in reversed(order[:end]):
            if relevant[qid] and qid in self.answers:
                return qid
        return PROFILE[-1] if self.ask_profile else None

    # ----------------------------------------------------------------- input

    def respond(self, text: str) -> Outcome:
        """Handle one line the user typed at the current step.

        Raises
        ------
        RuntimeError
            If the consultation is already complete and the text is not ``back``.
        """
        step = self.step
        if text.strip() == "" and step is not None and step.previous is not None:
            text = str(step.previous)  # Enter keeps the answer given before
        command = command_of(text)
        if command == "back":
            return self.back()
        if step is None:
            raise RuntimeError("the consultation is complete; nothing is being asked")
        if command == "help":
            return Outcome(HELP, step, help=step.question.help if step.question else None)
        if command == "why":
            return Outcome(WHY, step, why=self.why(step.id) if step.question else None)
        if step.question is None:
            return self._profile(step, text, command)
        if command == "unknown":
            value, problem = UNKNOWN, None
        else:
            value, problem = answer_value(step.question, text)
        if problem or text.strip() == "":
            return Outcome(INVALID, step, problem=problem or "no answer given")
        return self.answer(value)

    def answer(self, value: Any) -> Outcome:
        """Record an already checked answer (a value, or ``unknown``) to the current question."""
        step = self.step
        if step is None or step.question is None:
            raise RuntimeError("no question is being asked")
        normalised, problem = step.question.normalise(value)
        if problem:
            return Outcome(INVALID, step, problem=problem)
        self.answers[step.id] = normalised
        self._defaults.pop(step.id, None)
        self._sort()
        return Outcome(ANSWERED, step, value=normalised, changed=True)

    def back(self) -> Outcome:
        """Undo the answer to the previous step; it becomes the current step again."""
        current = self.step
        target = self._previous_step(current)
        if target is None:
            return Outcome(AT_START, current)
        if target in PROFILE:
            self._profile_done[target] = False
            self._defaults[target] = self.sheet.organization if target == "organization" else self.sheet.role
            if target == "role":
                self.sheet.role = None
        else:
            self._defaults[target] = self.answers.pop(target)
        return Outcome(BACK, self.step, changed=True)

    def _profile(self, step: Step, text: str, command: str | None) -> Outcome:
        text = text.strip()
        if step.id == "organization":
            value = "" if command == "unknown" else text
            self.sheet.organization = value
        else:
            if command == "unknown" or text == "":
                value = None
            elif text.isdigit() and 1 <= int(text) <= len(ROLES):
                value = ROLES[int(text) - 1]
            elif text.lower() in ROLES:
                value = text.lower()
            else:
                return Outcome(INVALID, step, problem=f"'{text}' is not a role; expected one of: {', '.join(ROLES)}")
            self.sheet.role = value
        self._profile_done[step.id] = True
        self._defaults.pop(step.id, None)
        return Outcome(ANSWERED, step, value=value, changed=True)

    def _sort(self) -> None:
        order = {q: i for i, q in enumerate(self.kb.questions)}
        self.sheet.answers = dict(sorted(self.answers.items(), key=lambda kv: order[kv[0]]))

    # ------------------------------------------------------------------- why

    def why(self, question: str) -> WhyAsked:
        """Which rules read a question and what they conclude; what made it a follow-up."""
        return why_asked(self.system, question)


def command_of(text: str) -> str | None:
    """``help``, ``why``, ``back`` or ``unknown`` when the text is one of their words, else None.

    Examples
    --------
    >>> command_of(" Не знаю "), command_of("?"), command_of("3")
    ('unknown', 'help', None)
    """
    word = " ".join(text.strip().lower().split())
    for command, words in COMMANDS.items():
        if word in words:
            return command
    return None


def why_asked(system: ExpertSystem, question: str) -> WhyAsked:
    """The short WHY of a question: the rules reading it (in firing-stage order) with their conclusions.

    Examples
    --------
    >>> from expert import load_expert
    >>> why = why_asked(load_expert(), "conflict_frequency")
    >>> any(kind == "symptom" for r in why.rules for kind, _, _ in r.concludes)
    True
    """
    kb = system.kb
    q = kb.questions[question]
    rules = tuple(Rationale(r.id, r.summary, tuple((c.kind, c.id, c.cf) for c in r.then))
                  for r in system.rules.rules_reading_question(question))
    follow_up_of = tuple(sorted(questions_read(q.ask_when), key=list(kb.questions).index)) if q.ask_when else ()
    opens = tuple(other.id for other in kb.questions.values()
                  if other.ask_when is not None and question in questions_read(other.ask_when))
    return WhyAsked(question, rules, follow_up_of, opens)
