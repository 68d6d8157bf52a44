"""The consultation: one question at a time, adaptive, with help, why, back and unknown.

A :class:`Consultation` is the state machine behind ``accord diagnose``
without ``--answers``. It never reads a keyboard and never prints: the
command line shows :attr:`Consultation.step`, passes what the user typed to
:meth:`Consultation.respond`, shows the :class:`Outcome`, and saves
:attr:`Consultation.sheet` whenever ``outcome.changed`` is true.

The state is the answers themselves, plus where the user went back to. The
current step is normally the first one not yet answered: first the two
profile steps (the organisation's name and the respondent's role), then the
next question. A **selective** consultation (the default) asks only questions
whose answer could still change the diagnosis, the one that can change most
first, and stops when nothing left could change it
(:meth:`expert.selection.Selector.decide`); the questions it did not ask are
then in ``sheet.not_needed``. A **thorough** one (``selective=False``) asks
every relevant question in questionnaire order
(:func:`expert.answers.next_question`). Either way the next question depends
on the answers alone, so a saved answers file is enough to resume exactly
where the consultation stopped.

``back`` goes to the previous step (in the order the questions were asked;
answers read from a resumed file count in questionnaire order) and offers its
answer as the default; it never removes an answer. An answer leaves the sheet
(and the session file) only when the user replaces it, so stopping at any
moment loses nothing.
After a step the user went back to is answered, the next step is offered
again the same way, until the first unanswered one.

When an answer completes one of the knowledge base's contradictions
(:func:`expert.contradictions.find_contradictions`) that the respondent has
not confirmed, the next step is a confirmation (``Step.id == "confirm"``):
``1``/``yes`` keeps both answers and records the confirmation in
``sheet.confirmed``; ``2``/``no``/``back`` returns to the question just
answered.

Examples
--------
>>> from expert import load_expert
>>> c = Consultation(load_expert(), ask_profile=False, selective=False)
>>> c.step.id, c.step.number
('marketing_department', 1)
>>> c.respond("1").kind
'answered'
>>> c.sheet.answers
{'marketing_department': 'separate'}
>>> c.respond("back").kind, c.step.id, c.step.previous
('back', 'marketing_department', 'separate')
>>> c.sheet.answers  # going back removes nothing
{'marketing_department': 'separate'}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .answers import PROFILE, ROLES, AnswerSheet, _states, answer_value, as_typed, organization_problem, relevance
from .conditions import UNKNOWN, questions_read
from .contradictions import find_contradictions
from .diagnosis import ExpertSystem
from .knowledge import Contradiction, Question
from .selection import Decision, selector_for

#: What the user may type at any prompt besides an answer (compared lower-case).
COMMANDS = {
    "help": ("?", "help", "помощь", "справка"),
    "why": ("why", "почему", "зачем"),
    "back": ("back", "назад"),
    "unknown": ("unknown", "u", "не знаю", "незнаю", "don't know", "dont know", "н/з"),
}

#: Replies to a confirmation: both answers are right, or change the last one.
KEEP = ("1", "yes", "y", "keep", "да", "д", "оставить")
CHANGE = ("2", "no", "n", "change", "нет", "н", "изменить")

ANSWERED, HELP, WHY, BACK, AT_START, INVALID = "answered", "help", "why", "back", "at_start", "invalid"
CONFIRMED = "confirmed"
CONFIRM = "confirm"  # the id of a confirmation step


@dataclass(frozen=True)
class Step:
    """What to ask now.

    ``id`` is ``organization``, ``role``, ``confirm`` or a question id;
    ``question`` is None for the profile and confirmation steps. ``number``
    counts the questions of this consultation (1-based; None for the other
    steps) and ``left`` is the most questions that can still follow this one
    (it never rises as answers are added; a later answer can only close
    follow-ups). ``previous`` is the answer already given to this step, when
    the user went back to it, offered as the default. A confirmation step
    carries the ``contradiction`` to confirm and the ``about`` question whose
    answer completed it. A question's ``text`` and ``help`` are worded for the
    situation the earlier answers describe (``Question.wording``).
    """

    id: str
    question: Question | None
    number: int | None
    left: int
    previous: Any = None
    contradiction: Contradiction | None = None
    about: str | None = None
    text: Any = None  # {en, ru}: the question as worded for the situation the earlier answers describe
    help: Any = None  # {en, ru}: its help, likewise

    @property
    def several(self) -> bool:
        """Whether the question takes several answers at once."""
        return self.question is not None and self.question.multiple


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
    could_change: tuple[str, ...] = ()  # selective: the parts of the verdict an answer could change


@dataclass(frozen=True)
class Outcome:
    """The result of :meth:`Consultation.respond`.

    ``kind`` is ``answered``, ``help``, ``why``, ``back``, ``at_start`` (back
    at the first step), ``confirmed`` (both answers of a contradiction are
    right) or ``invalid``. ``changed`` says the sheet changed and should be
    saved.
    """

    kind: str
    step: Step | None
    value: Any = None
    help: Any = None  # {en, ru} for a question; None for profile steps
    why: WhyAsked | None = None
    problem: str | None = None
    changed: bool = False


_MISSING = object()


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
        Ask the organisation's name and the respondent's role first. A
        resumed sheet that records them (``sheet.profile_given``), has a
        role, or already has answers does not ask them again.
    selective : bool
        Ask only what can change the diagnosis (:mod:`expert.selection`);
        False asks every relevant question (``--thorough``), including those
        a selective consultation found not needed.
    """

    system: ExpertSystem
    sheet: AnswerSheet = field(default_factory=AnswerSheet)
    ask_profile: bool = True
    selective: bool = True

    def __post_init__(self):
        # The answers are in today's questionnaire (a resumed older file was migrated on reading).
        self.sheet = replace(self.sheet, answers=dict(self.sheet.answers),
                             version=self.system.kb.questionnaire_version)
        if not self.ask_profile or self.sheet.answers or self.sheet.role is not None:
            self.sheet.profile_given = PROFILE
        self._at: str | None = None  # the step the user went back to
        self._confirming: tuple[str, str] | None = None  # (contradiction, question just answered)
        self._history: list[str] = list(self.sheet.answers)  # questions in the order they were answered
        self._selector = selector_for(self.system) if self.selective else None
        self._refresh()

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
    def not_needed(self) -> tuple[str, ...]:
        """The questions a selective consultation stopped without asking, in questionnaire order
        (empty until it stops, and in a thorough consultation)."""
        return self.sheet.not_needed if self.selective else ()

    def decision(self) -> Decision | None:
        """The selection's decision for the answers so far (None in a thorough consultation)."""
        return self._selector.decide(self.answers) if self._selector is not None else None

    def _next_question(self, relevant) -> str | None:
        if self._selector is not None:
            return self.decision().question
        return next((q for q in self.kb.questions if relevant[q] and q not in self.answers), None)

    def _refresh(self) -> None:
        """Record in the sheet which questions a selective consultation that has stopped left unasked.

        A thorough consultation leaves none unasked: what an earlier selective run skipped is asked
        now, or no longer applies once the answers it follows are given."""
        if self._selector is not None:
            decision = self.decision()
            self.sheet.not_needed = decision.not_needed if decision.question is None else ()
        else:
            self.sheet.not_needed = ()

    @property
    def revisiting(self) -> bool:
        """Whether the current step is one the user went back to (it has an answer already)."""
        return self._at is not None and self._confirming is None

    @property
    def step(self) -> Step | None:
        """The step to ask now, or None when every relevant question has an answer."""
        relevant = relevance(self.kb, self.answers)
        if self._confirming is not None:
            contradiction, about = self._confirming
            return Step(CONFIRM, None, None, self._left(relevant, about), contradiction=self.kb.contradictions[contradiction],
                        about=about)
        if self._at is not None:
            return self._step(self._at, relevant, self._given_value(self._at))
        for name in (list(PROFILE) if self.ask_profile else []):
            if not self._given(name):
                return self._step(name, relevant, self.sheet.organization or None if name == "organization" else None)
        following = self._next_question(relevant)
        return None if following is None else self._step(following, relevant, None)

    def _sequence(self, relevant) -> list[str]:
        """The steps in the order they are asked: the profile, then the relevant questions
        (selective: those answered, in the order they were, then the next one)."""
        profile = list(PROFILE) if self.ask_profile else []
        if self._selector is None:
            return profile + [q for q in self.kb.questions if relevant[q]]
        asked = [q for q in self._history if relevant[q] and q in self.answers]
        following = self._next_question(relevant)
        return profile + asked + ([following] if following is not None and following not in asked else [])

    def _given(self, name: str) -> bool:
        return name in self.sheet.profile_given if name in PROFILE else name in self.answers

    def _given_value(self, name: str) -> Any:
        if name == "organization":
            return self.sheet.organization
        if name == "role":
            return self.sheet.role
        return self.answers.get(name)

    def _step(self, name: str, relevant, previous) -> Step:
        if name in PROFILE:
            return Step(name, None, None, self._left(relevant, name), previous)
        if self._selector is None:
            order = list(self.kb.questions)
            number = 1 + sum(1 for q in order[:order.index(name)] if relevant[q] and q in self.answers)
        else:
            asked = [q for q in self._history if relevant[q] and q in self.answers]
            number = 1 + (asked.index(name) if name in asked else len(asked))
        question = self.kb.questions[name]
        text, help_text = question.wording(self.answers)
        return Step(name, question, number, self._left(relevant, name), previous, text=text, help=help_text)

    def _left(self, relevant, position: str) -> int:
        """The most questions that can follow ``position``: unanswered ones that can still apply,
        and, when the user went back, the answered ones that will be offered again."""
        states = _states(self.kb, self.answers)
        if self._selector is not None:  # asked in any order: every open question but this one
            left = sum(1 for q in self.kb.questions if q not in self.answers and states[q] is not False
                       and q != position)
            if self._at is not None:
                sequence = self._sequence(relevant)
                later = sequence[sequence.index(position) + 1:] if position in sequence else []
                left += sum(1 for q in later if q in self.answers)
            return left
        order = list(self.kb.questions)
        after = order[order.index(position) + 1:] if position in self.kb.questions else order
        left = sum(1 for q in after if q not in self.answers and states[q] is not False)
        if self._at is not None:
            for q in after:
                if not relevant[q]:
                    continue
                if q not in self.answers:
                    break
                left += 1
        return left

    def asked(self) -> int:
        """How many relevant questions have an answer (``unknown`` included)."""
        relevant = relevance(self.kb, self.answers)
        return sum(1 for q in self.answers if relevant.get(q))

    # ----------------------------------------------------------------- input

    def respond(self, text: str) -> Outcome:
        """Handle one line the user typed at the current step.

        Raises
        ------
        RuntimeError
            If the consultation is already complete and the text is not ``back``.
        """
        step = self.step
        text, command, outcome = read_line(self, step, text, "the consultation")
        if outcome is not None:
            return outcome
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
        before = self.answers.get(step.id, _MISSING)
        self.answers[step.id] = normalised
        if step.id not in self._history:
            self._history.append(step.id)
        self._sort()
        self._advance(step.id)
        self._check_contradictions(step.id)
        not_needed = self.sheet.not_needed
        self._refresh()
        return Outcome(ANSWERED, step, value=normalised,
                       changed=before != normalised or not_needed != self.sheet.not_needed)

    def back(self) -> Outcome:
        """Go to the previous step, offering its answer again; no answer is removed."""
        current = self.step
        if current is not None and current.id == CONFIRM:
            self._confirming = None
            self._at = current.about
            return Outcome(BACK, self.step)
        sequence = self._sequence(relevance(self.kb, self.answers))
        end = sequence.index(current.id) if current is not None else len(sequence)
        for name in reversed(sequence[:end]):
            if self._given(name):
                self._at = name
                return Outcome(BACK, self.step)
        return Outcome(AT_START, current)

    def _advance(self, name: str) -> None:
        """After the step the user went back to is answered, offer the next one the same way."""
        if self._at != name:
            return
        sequence = self._sequence(relevance(self.kb, self.answers))
        index = sequence.index(name)
        following = sequence[index + 1] if index + 1 < len(sequence) else None
        self._at = following if following is not None and self._given(following) else None

    def _check_contradictions(self, question: str) -> None:
        for contradiction in find_contradictions(self.kb, self.answers):
            if contradiction.id not in self.sheet.confirmed and question in questions_read(contradiction.when):
                self._confirming = (contradiction.id, question)
                return

    def _confirm(self, step: Step, text: str, command: str | None) -> Outcome:
        word = " ".join(text.strip().lower().split())
        if command == "help":
            return Outcome(HELP, step)
        if command == "why":
            return Outcome(WHY, step)
        if word in KEEP:
            self.sheet.confirmed = tuple(self.sheet.confirmed) + (step.contradiction.id,)
            self._confirming = None
            self._check_contradictions(step.about)  # another one the same answer completed
            return Outcome(CONFIRMED, step, changed=True)
        if word in CHANGE or command == "back":
            return self.back()
        return Outcome(INVALID, step, problem="type 1 if both answers are right, 2 to change the last one")

    def _sort(self) -> None:
        order = {q: i for i, q in enumerate(self.kb.questions)}
        self.sheet.answers = dict(sorted(self.answers.items(), key=lambda kv: order[kv[0]]))

    # ---------------------------------------------------------------- cursor

    @property
    def cursor(self) -> dict[str, Any]:
        """Where the consultation stands beyond its answers, as plain data (empty at the first open step).

        The answers decide the next question; only a step the user went back
        to (``at``) and a confirmation still to give (``confirming``) are not
        in them. A shell that keeps nothing between requests (``accord
        serve``) stores this beside the answers and hands it to
        :meth:`restore` on a consultation rebuilt from them.
        """
        cursor: dict[str, Any] = {}
        if self._at is not None:
            cursor["at"] = self._at
        if self._confirming is not None:
            cursor["confirming"] = list(self._confirming)
        return cursor

    def resume_confirmation(self) -> None:
        """Resuming from an answers file, which keeps no :attr:`cursor`: where the last answer given
        completed a contradiction nobody confirmed, the consultation was interrupted at its
        confirmation, and asks it again before the next question (else the next reply would be
        taken as the answer to the next question)."""
        if self._confirming is None and self._at is None and self._history:
            self._check_contradictions(self._history[-1])

    def restore(self, cursor: Any) -> None:
        """Return to where :attr:`cursor` was taken; anything that no longer applies is ignored."""
        if not isinstance(cursor, dict):
            return
        at, confirming = cursor.get("at"), cursor.get("confirming")
        if isinstance(at, str) and self._given(at) and at in self._sequence(relevance(self.kb, self.answers)):
            self._at = at
        if (isinstance(confirming, list) and len(confirming) == 2 and confirming[0] in self.kb.contradictions
                and confirming[0] not in self.sheet.confirmed and confirming[1] in self.answers):
            self._confirming = (confirming[0], confirming[1])

    # ------------------------------------------------------------------- why

    def why(self, question: str) -> WhyAsked:
        """Which rules read a question and what they conclude; what made it a follow-up; in a
        selective consultation, what an answer to it could change (level, target, causes, plan)."""
        why = why_asked(self.system, question)
        if self._selector is not None:
            why = replace(why, could_change=self._selector.could_change(self.answers, question))
        return why


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


def answer_profile(consultation, step: Step, text: str, command: str | None) -> Outcome:
    """The organisation's name or the respondent's role, for any consultation that asks them
    (this one and the quick self-assessment): set on its sheet, then on to its next step."""
    sheet = consultation.sheet
    text = text.strip()
    if step.id == "organization":
        value = "" if command == "unknown" else text
        problem = organization_problem(value)
        if problem:
            return Outcome(INVALID, step, problem=f"the name {problem}")
        sheet.organization = value
    else:
        if command == "unknown" or text == "":
            value = None
        elif text.isdecimal() and len(text) < 3 and 1 <= int(text) <= len(ROLES):
            value = ROLES[int(text) - 1]
        elif text.lower() in ROLES:
            value = text.lower()
        else:
            return Outcome(INVALID, step, problem=f"'{text}' is not a role; expected one of: {', '.join(ROLES)}")
        sheet.role = value
    sheet.profile_given = tuple(name for name in PROFILE if name in sheet.profile_given or name == step.id)
    consultation._advance(step.id)
    return Outcome(ANSWERED, step, value=value, changed=True)


def read_line(consultation, step: Step | None, text: str, what: str) -> tuple[str, str | None, Outcome | None]:
    """What every consultation does first with a typed line: Enter keeps the answer given before; a
    pending confirmation, ``back``, ``help``, ``why`` and the profile steps are handled here.

    Returns ``(text, command, outcome)``: an outcome when the line is dealt with, else None and the
    step's answer is the consultation's own business.

    Raises
    ------
    RuntimeError
        If the consultation (``what``) is complete and the text is not ``back``.
    """
    if text.strip() == "" and step is not None and step.previous not in (None, ""):
        text = as_typed(step.previous)
    command = command_of(text)
    if step is not None and step.id == CONFIRM:
        return text, command, consultation._confirm(step, text, command)
    if command == "back":
        return text, command, consultation.back()
    if step is None:
        raise RuntimeError(f"{what} is complete; nothing is being asked")
    if command == "help":
        return text, command, Outcome(HELP, step, help=step.help if step.question else None)
    if command == "why":
        return text, command, Outcome(WHY, step, why=consultation.why(step.id) if step.question else None)
    if step.question is None:
        return text, command, answer_profile(consultation, step, text, command)
    return text, command, None
