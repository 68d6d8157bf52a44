"""The quick self-assessment: twenty statements rated 1–5, a total, and the band it reads as.

The statements (``knowledge/quick.yaml``) paraphrase the topics of the HBR
2006 instrument (FACT-KOTLER-SELF-ASSESSMENT). A respondent's ratings live
in the ``quick:`` section of the answers file::

    quick:
      common_terms: 4
      regular_contact: 2
      joint_plans: unknown

The total is the sum of the twenty ratings; with some left ``unknown`` it is
their average times twenty (at least :data:`MIN_RATED` must be rated, else
there is no total). It reads as a band (20–39 Undefined, 40–59 Defined,
60–79 Aligned, 80–100 Integrated): ``accord diagnose --quick`` reports that
band as a first reading; in a full diagnosis the total is one more line of
evidence (the derived answer ``quick_total``, read by the rules of
``rules/15-respondents.yaml``), never the verdict.

:class:`QuickConsultation` asks the statements one at a time, with the same
steps, outcomes and commands as :class:`expert.consultation.Consultation`,
so the command line shows it with the same prompts; with ``offer=True`` it
first asks whether to add the section at all (the end of a full
consultation). A declined offer is recorded as an empty section
(``quick: {}``), so a resumed consultation does not offer it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping

from .conditions import UNKNOWN
from .documents import Document
from .errors import InputError, Location, nearest, quoted
from .knowledge import KnowledgeBase, Question

MIN_RATED = 15  # statements that must be rated (not 'unknown') for a total
QUICK_OFFER = "quick_offer"  # the id of the step that offers the section at the end of a full consultation
STRONGEST, WEAKEST = 3, 3  # topics named as the strongest and the weakest


# ------------------------------------------------------------------ reading

def check_quick(doc: Document, kb: KnowledgeBase, data: Any) -> dict[str, Any] | None:
    """Check the ``quick:`` section of an answers file: statement id → 1–5 or ``unknown``.

    Returns None when the section is absent, the ratings in statement order otherwise.

    Raises
    ------
    InputError
        With the file and key, for a section that is not a mapping, an unknown
        statement or a rating outside 1–5.
    """
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise InputError("'quick' must map statement ids to ratings from 1 to 5 (or unknown)", doc.locate("quick"))
    ratings: dict[str, Any] = {}
    for key, value in data.items():
        statement = kb.statements.get(str(key))
        where = doc.locate("quick", key)
        if statement is None:
            hint = nearest(str(key), kb.statements)
            more = f"; did you mean {', '.join(hint)}?" if hint else "; 'accord questions --quick' lists them"
            raise InputError(f"unknown statement {quoted(key)}{more}", where)
        rating, problem = rating_of(value)
        if problem:
            raise InputError(f"rating of '{key}': {problem}", where)
        ratings[statement.id] = rating
    order = {s: i for i, s in enumerate(kb.statements)}
    return dict(sorted(ratings.items(), key=lambda kv: order[kv[0]]))


def rating_of(value: Any) -> tuple[Any, str | None]:
    """A rating as read from a file or typed: 1–5, or ``unknown`` (also for an empty value)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in (UNKNOWN, "", "u", "?", "не знаю")):
        return UNKNOWN, None
    if isinstance(value, bool):
        return value, f"{quoted(value)} is not a rating; expected a whole number from 1 to 5 or unknown"
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 3:
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= 5:
        return value, None
    return value, f"{quoted(value)} is not a rating; expected a whole number from 1 to 5 or unknown"


# ------------------------------------------------------------------ totals

def round_half_up(value: Fraction | int) -> int:
    """Round to a whole number, halves up (exactly: the totals are fractions)."""
    value = Fraction(value)
    return int((value * 2 + 1) // 2)


def total_of(ratings: Mapping[str, Any], count: int = 20) -> int | None:
    """The total of the ratings on the 20–100 scale: the sum of the known ratings scaled to
    ``count`` statements; None when fewer than :data:`MIN_RATED` are known.

    A rating may be a fraction (the average of several respondents).

    Examples
    --------
    >>> total_of({f"s{i}": 3 for i in range(20)})
    60
    >>> total_of({**{f"s{i}": 4 for i in range(16)}, **{f"u{i}": "unknown" for i in range(4)}})
    80
    >>> total_of({f"s{i}": 5 for i in range(10)}) is None
    True
    """
    known = [Fraction(v) for v in ratings.values() if v != UNKNOWN and v is not None]
    if len(known) < MIN_RATED:
        return None
    return round_half_up(sum(known) * count / len(known))


def band_of(kb: KnowledgeBase, total: int | None) -> str | None:
    """The level whose band holds the total, or None."""
    if total is None:
        return None
    for band in kb.quick_bands.values():
        if band.minimum <= total <= band.maximum:
            return band.id
    return None


@dataclass(frozen=True)
class QuickReading:
    """The quick self-assessment of one respondent, one side, or a whole organisation.

    ``ratings`` maps every statement given to its rating (1–5, ``unknown``, or
    for a side or an organisation the average of its respondents, a fraction);
    ``total`` is None when fewer than :data:`MIN_RATED` statements are rated.
    """

    ratings: Mapping[str, Any]
    total: int | None
    band: str | None
    rated: int
    count: int  # statements in the self-assessment

    @property
    def complete(self) -> bool:
        """Whether every statement has a rating (``unknown`` counts)."""
        return len(self.ratings) >= self.count

    def strongest(self, n: int = STRONGEST) -> list[str]:
        """The best-rated statements (4 or more), highest first."""
        rated = [(s, Fraction(v)) for s, v in self.ratings.items() if v != UNKNOWN]
        return [s for s, v in sorted(rated, key=lambda p: -p[1]) if v >= 4][:n]

    def weakest(self, n: int = WEAKEST) -> list[str]:
        """The worst-rated statements (2 or less), lowest first: where to look first."""
        rated = [(s, Fraction(v)) for s, v in self.ratings.items() if v != UNKNOWN]
        return [s for s, v in sorted(rated, key=lambda p: p[1]) if v <= 2][:n]

    def to_dict(self, kb: KnowledgeBase, lang: str = "en") -> dict:
        """As JSON-ready data (ratings of a side or an organisation rounded to one decimal)."""
        return {
            "total": self.total, "band": self.band,
            "band_name": kb.levels[self.band].name[lang] if self.band else None,
            "rated": self.rated, "statements": self.count, "first_reading": True,
            "ratings": {s: (v if v == UNKNOWN or isinstance(v, int) else round(float(v), 1))
                        for s, v in self.ratings.items()},
            "strongest": self.strongest(), "weakest": self.weakest(),
        }


def quick_reading(kb: KnowledgeBase, ratings: Mapping[str, Any] | None) -> QuickReading | None:
    """The reading of a set of ratings, or None when no statement is rated at all.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> r = quick_reading(kb, {s: 3 for s in kb.statements})
    >>> r.total, r.band
    (60, 'LEVEL-3-ALIGNED')
    """
    if not ratings:
        return None
    order = {s: i for i, s in enumerate(kb.statements)}
    ratings = dict(sorted(ratings.items(), key=lambda kv: order.get(kv[0], len(order))))
    total = total_of(ratings, len(kb.statements))
    rated = sum(1 for v in ratings.values() if v != UNKNOWN)
    return QuickReading(ratings, total, band_of(kb, total), rated, len(kb.statements))


def derived_quick(kb: KnowledgeBase, ratings: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{"quick_total": total}`` for the rules, when the ratings give a total; else ``{}``."""
    reading = quick_reading(kb, ratings)
    return {"quick_total": reading.total} if reading and reading.total is not None else {}


def statement_help(kb: KnowledgeBase) -> Mapping[str, str]:
    """The help shown for every statement (``{en, ru}``)."""
    return kb.messages["quick.statement_help"]


def statement_question(kb: KnowledgeBase, ident: str) -> Question:
    """A statement as a 1–5 scale question (for prompts and reports)."""
    return kb.statements[ident].as_question(statement_help(kb))


def statements_listing(kb: KnowledgeBase, lang: str = "en") -> str:
    """The statements of the quick self-assessment, numbered, with their ids (``accord questions --quick``)."""
    lines = [f"== {kb.sections['quick'].name[lang]} (1-5)"]
    for number, statement in enumerate(kb.statements.values(), 1):
        lines.append(f"{number:2}. {statement.id}\n    {statement.text[lang]}")
    return "\n".join(lines) + "\n"


def template_lines(kb: KnowledgeBase, lang: str = "en") -> list[str]:
    """The quick section of a blank answers file: every statement as a commented line."""
    if not kb.statements:  # a knowledge base without the quick self-assessment
        return []
    scale = "1 strongly disagree … 5 strongly agree" if lang == "en" else "1 совершенно не согласен … 5 полностью согласен"
    lines = [f"# --- {kb.sections['quick'].name[lang]} ({scale}); optional",
             "# quick:"]
    for statement in kb.statements.values():
        lines.append(f"#   {statement.text[lang]}")
        lines.append(f"#   {statement.id}:   # 1-5 or unknown")
    return lines


def offer_question(kb: KnowledgeBase) -> Question:
    """The yes/no question that offers the quick self-assessment at the end of a full consultation."""
    return Question(id=QUICK_OFFER, sources=("FACT-KOTLER-SELF-ASSESSMENT",), location=Location(), section="quick",
                    type="yesno", text=kb.messages["quick.offer"], help=kb.messages["quick.offer_help"],
                    choices=(), minimum=None, maximum=None, ask_when=None)


# -------------------------------------------------------------- consultation

@dataclass
class QuickConsultation:
    """The quick self-assessment asked one statement at a time (see the module docstring).

    Parameters
    ----------
    system : ExpertSystem
    sheet : AnswerSheet, optional
        The sheet to fill in (its ``quick`` section); shared, not copied, so a
        full consultation and this one can fill one sheet.
    ask_profile : bool
        Ask the organisation and the role first (unless the sheet records them).
    offer : bool
        Ask first whether to add the section at all; ``no`` records the decline.

    Examples
    --------
    >>> from expert import load_expert
    >>> c = QuickConsultation(load_expert(), ask_profile=False)
    >>> c.step.id, c.step.number, c.step.left
    ('common_terms', 1, 19)
    >>> c.respond("4").kind, c.sheet.quick
    ('answered', {'common_terms': 4})
    """

    system: Any
    sheet: Any = None
    ask_profile: bool = True
    offer: bool = False

    resume_hint = "quick.resume_hint"  # the message telling how to continue (with --quick)

    def __post_init__(self):
        from .answers import PROFILE, AnswerSheet

        if self.sheet is None:
            self.sheet = AnswerSheet()
        # a resumed sheet that records answers or a role does not ask the profile again (as Consultation);
        # without the profile steps the sheet is left alone: it may be a full consultation's, still asking them
        if self.ask_profile and (self.sheet.role is not None or self.sheet.answers or self.sheet.quick):
            self.sheet.profile_given = tuple(dict.fromkeys(tuple(self.sheet.profile_given) + PROFILE))
        self._at: str | None = None  # the step the user went back to
        # the offer was accepted (in this consultation, or before it was interrupted: the sheet says so)
        self._accepted = self.offer and self.sheet.quick_accepted

    @property
    def kb(self) -> KnowledgeBase:
        return self.system.kb

    @property
    def ratings(self) -> dict[str, Any]:
        return self.sheet.quick or {}

    @property
    def answers(self) -> dict[str, Any]:
        """The sheet's answers to the questionnaire (as :attr:`Consultation.answers`; the ratings are apart)."""
        return self.sheet.answers

    @property
    def done(self) -> bool:
        return self.step is None

    @property
    def revisiting(self) -> bool:
        return self._at is not None

    def asked(self) -> int:
        """How many statements have a rating (``unknown`` included)."""
        return sum(1 for s in self.ratings if s in self.kb.statements)

    def _sequence(self) -> list[str]:
        from .answers import PROFILE

        steps = list(PROFILE) if self.ask_profile else []
        if not self.kb.statements:  # a knowledge base without the quick self-assessment: nothing to offer
            return steps
        if self.offer:
            steps.append(QUICK_OFFER)
            if not (self._accepted or self.ratings):
                return steps
        return steps + list(self.kb.statements)

    def _given(self, name: str) -> bool:
        from .answers import PROFILE

        if name in PROFILE:
            return name in self.sheet.profile_given
        if name == QUICK_OFFER:
            return self._accepted or self.sheet.quick is not None
        return name in self.ratings

    def _previous(self, name: str) -> Any:
        if name == "organization":
            return self.sheet.organization
        if name == "role":
            return self.sheet.role
        if name == QUICK_OFFER:
            return "yes" if (self._accepted or self.ratings) else ("no" if self.sheet.quick is not None else None)
        return self.ratings.get(name)

    @property
    def step(self):
        """The step to ask now, or None when every statement has a rating (or the offer was declined)."""
        if self._at is not None:
            return self._step(self._at, self._previous(self._at))
        for name in self._sequence():
            if not self._given(name):
                previous = (self.sheet.organization or None) if name == "organization" else None
                return self._step(name, previous)
        return None

    def _step(self, name: str, previous: Any):
        from .answers import PROFILE
        from .consultation import Step

        statements = list(self.kb.statements)
        if name in PROFILE:
            return Step(name, None, None, len(statements) - self.asked(), previous)
        if name == QUICK_OFFER:
            question = offer_question(self.kb)
            return Step(name, question, None, len(statements), previous, text=question.text, help=question.help)
        question = statement_question(self.kb, name)
        position = statements.index(name)
        left = sum(1 for s in statements[position + 1:] if s not in self.ratings)
        if self._at is not None:
            left = len(statements) - position - 1
        return Step(name, question, position + 1, left, previous, text=question.text, help=question.help)

    # ----------------------------------------------------------------- input

    def respond(self, text: str):
        """Handle one line typed at the current step (as :meth:`Consultation.respond`)."""
        from .answers import answer_value
        from .consultation import INVALID, Outcome, read_line

        step = self.step
        text, command, outcome = read_line(self, step, text, "the quick self-assessment")
        if outcome is not None:
            return outcome
        if command == "unknown":
            if step.id == QUICK_OFFER:
                return Outcome(INVALID, step, problem="type 1 for yes or 2 for no")
            value, problem = UNKNOWN, None
        else:
            value, problem = answer_value(step.question, text)
        if problem or text.strip() == "":
            return Outcome(INVALID, step, problem=problem or "no answer given")
        return self.answer(value)

    def answer(self, value: Any):
        """Record an already checked answer to the current step (a rating, ``unknown``, or yes/no to the offer)."""
        from .consultation import ANSWERED, INVALID, Outcome

        step = self.step
        if step is None or step.question is None:
            raise RuntimeError("no statement is being asked")
        if step.id == QUICK_OFFER:
            if value not in ("yes", "no"):
                return Outcome(INVALID, step, problem="type 1 for yes or 2 for no")
            changed = False
            self._accepted = value == "yes"
            if value == "yes" and self.sheet.quick is None:
                changed = not self.sheet.quick_accepted  # saved, so that a resumed consultation goes on from here
                self.sheet.quick_accepted = True
            if value == "no" and not self.ratings:
                changed = self.sheet.quick is None or self.sheet.quick_accepted
                self.sheet.quick = {}
                self.sheet.quick_accepted = False
            self._advance(step.id)
            return Outcome(ANSWERED, step, value=value, changed=changed)
        rating, problem = rating_of(value)
        if problem:
            return Outcome(INVALID, step, problem=problem)
        before = self.ratings.get(step.id)
        order = {s: i for i, s in enumerate(self.kb.statements)}
        self.sheet.quick = dict(sorted({**self.ratings, step.id: rating}.items(), key=lambda kv: order[kv[0]]))
        self._advance(step.id)
        return Outcome(ANSWERED, step, value=rating, changed=before != rating)

    def back(self):
        """Go to the previous step, offering its answer again; no rating is removed."""
        from .consultation import AT_START, BACK, Outcome

        current = self.step
        sequence = self._sequence()
        end = sequence.index(current.id) if current is not None and current.id in sequence else len(sequence)
        for name in reversed(sequence[:end]):
            if self._given(name):
                self._at = name
                return Outcome(BACK, self.step)
        return Outcome(AT_START, current)

    def _advance(self, name: str) -> None:
        if self._at != name:
            return
        sequence = self._sequence()
        index = sequence.index(name)
        following = sequence[index + 1] if index + 1 < len(sequence) else None
        self._at = following if following is not None and self._given(following) else None

    @property
    def cursor(self) -> dict[str, Any]:
        """Where it stands beyond the ratings (as :attr:`Consultation.cursor`): a step gone back to,
        and whether the offer was accepted before any statement was rated."""
        cursor: dict[str, Any] = {}
        if self._at is not None:
            cursor["at"] = self._at
        if self._accepted:
            cursor["accepted"] = True
        return cursor

    def resume_confirmation(self) -> None:
        """Nothing to ask again: the quick statements contradict nothing (see
        :meth:`expert.consultation.Consultation.resume_confirmation`)."""

    def restore(self, cursor: Any) -> None:
        """Return to where :attr:`cursor` was taken; anything that no longer applies is ignored."""
        if not isinstance(cursor, dict):
            return
        if cursor.get("accepted") is True and self.offer:
            self._accepted = True
        at = cursor.get("at")
        if isinstance(at, str) and at in self._sequence() and self._given(at):
            self._at = at

    def why(self, ident: str):
        """Why a statement is asked: the rules that read the quick total."""
        from .consultation import Rationale, WhyAsked

        rules = tuple(Rationale(r.id, r.summary, tuple((c.kind, c.id, c.cf) for c in r.then))
                      for r in self.system.rules.rules_reading_question("quick_total"))
        return WhyAsked(ident, rules, (), ())


@dataclass
class FullThenQuick:
    """A full consultation that ends by offering the quick self-assessment on the same sheet.

    ``back`` from the offer returns to the last question of the full
    consultation. The command line runs it exactly like a
    :class:`~expert.consultation.Consultation`; ``selective`` is that
    consultation's (only what can change the diagnosis, or every question).
    """

    system: Any
    sheet: Any = None
    selective: bool = True
    full: Any = field(init=False)
    quick: QuickConsultation = field(init=False)

    def __post_init__(self):
        from .consultation import Consultation

        self.full = (Consultation(self.system, self.sheet, selective=self.selective) if self.sheet is not None
                     else Consultation(self.system, selective=self.selective))
        self.sheet = self.full.sheet
        self.quick = QuickConsultation(self.system, self.full.sheet, ask_profile=False, offer=True)

    @property
    def kb(self) -> KnowledgeBase:
        return self.system.kb

    def __getattr__(self, name: str):
        # anything else a shell asks of a consultation is the full consultation's
        if name in ("full", "quick"):  # not set yet: still being built
            raise AttributeError(name)
        return getattr(self.full, name)

    @property
    def answers(self) -> dict[str, Any]:
        return self.full.answers

    @property
    def step(self):
        step = self.full.step
        return step if step is not None else self.quick.step

    @property
    def resume_hint(self) -> str:
        return "consult.resume_hint" if self.full.step is not None else "quick.resume_hint"

    @property
    def optional(self) -> bool:
        """Whether the current step is the offer, which the end of input may simply decline."""
        step = self.step
        return step is not None and step.id == QUICK_OFFER

    @property
    def revisiting(self) -> bool:
        return self.full.revisiting or self.quick.revisiting

    @property
    def done(self) -> bool:
        return self.step is None

    def asked(self) -> int:
        return self.full.asked()

    def respond(self, text: str):
        from .consultation import AT_START

        if self.full.step is not None:
            return self.full.respond(text)
        outcome = self.quick.respond(text)
        if outcome.kind == AT_START:  # back from the offer: the last question of the full consultation
            return self.full.back()
        return outcome

    @property
    def cursor(self) -> dict[str, Any]:
        """Both parts' cursors (see :attr:`Consultation.cursor`)."""
        return {name: c for name, c in (("full", self.full.cursor), ("quick", self.quick.cursor)) if c}

    def restore(self, cursor: Any) -> None:
        """Return to where :attr:`cursor` was taken."""
        if isinstance(cursor, dict):
            self.full.restore(cursor.get("full"))
            self.quick.restore(cursor.get("quick"))

    def resume_confirmation(self) -> None:
        """See :meth:`Consultation.resume_confirmation` (the quick statements contradict nothing)."""
        self.full.resume_confirmation()

    def why(self, ident: str):
        return self.full.why(ident) if ident in self.kb.questions else self.quick.why(ident)
