"""Answers files: reading, checking, saving, and which questions are relevant.

An answers file (YAML or JSON) is what a manager's consultation produces and
what ``accord diagnose --answers`` reads::

    organization: Example Ltd
    respondent: {role: executive}
    answers:
      joint_meetings: monthly
      lead_acceptance_pct: 23
      crm_shared: unknown

A follow-up question is relevant only when its ``ask_when`` condition can
still hold given the earlier answers; answers to questions that are not
relevant are set aside (and reported), so a diagnosis never depends on
whether a consultation happened to ask them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .conditions import All, AnswerLeaf, Any_, Condition, UNKNOWN
from .answer_versions import migrate
from .documents import Document, read_document
from .errors import InputError, has_control_characters, nearest, quoted
from .files import write_atomically
from .knowledge import KnowledgeBase, Question

ROLES = ("executive", "sales", "marketing", "other")
UNKNOWN_WORDS = ("?", "unknown", "не знаю", "u")
_TOP_KEYS = ("organization", "respondent", "date", "questionnaire", "lang", "confirmed", "not_needed", "answers",
             "quick", "quick_offer")
QUICK_ACCEPTED = "accepted"  # ``quick_offer:`` in a file: the offer was accepted before any statement was rated
PROFILE = ("organization", "role")
MAX_NAME = 200  # characters of an organisation's name


@dataclass
class AnswerSheet:
    """A checked set of answers, in questionnaire order.

    ``profile_given`` names the profile steps (``organization``, ``role``)
    the respondent has answered, even if with a blank name or an unknown
    role, so a resumed consultation does not ask them again. ``confirmed``
    lists the contradictions (``knowledge/contradictions.yaml``) the
    respondent has confirmed: both answers are right. ``not_needed`` lists
    the questions a selective consultation left unasked because no answer to
    them could change the diagnosis (:mod:`expert.selection`); answering one
    takes it off the list. ``quick`` holds the
    ratings of the quick self-assessment (``expert.quick``): None when it was
    never offered, ``{}`` when it was declined; ``quick_accepted`` records that
    the offer was accepted before any statement was rated, so a resumed
    consultation goes on to the statements. ``derived`` holds values Accord
    worked out rather than asked (``derived:`` in the knowledge base), such as
    how far several respondents differ; they are never read from or written to
    a file.
    """

    organization: str = ""
    role: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None
    source: str | None = None  # the file it came from, for messages
    date: str | None = None  # ISO date the answers were given; reports show it
    version: int | None = None  # the questionnaire version the answers are in (the current one once checked)
    migrated_from: int | None = None  # the version the file was written with, when older
    retired: dict[str, Any] = field(default_factory=dict)  # answers to questions no longer asked
    profile_given: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    not_needed: tuple[str, ...] = ()
    quick: dict[str, Any] | None = None  # statement id → 1–5 or 'unknown'
    quick_accepted: bool = False  # the offer of the quick self-assessment was accepted, nothing rated yet
    derived: dict[str, Any] = field(default_factory=dict)  # worked out, not asked (several respondents)

    def to_document(self) -> dict:
        data: dict[str, Any] = {}
        if self.organization or "organization" in self.profile_given:
            data["organization"] = self.organization
        if self.role or "role" in self.profile_given:
            data["respondent"] = {"role": self.role}
        if self.date:
            data["date"] = self.date
        if self.lang:
            data["lang"] = self.lang
        if self.version:
            data["questionnaire"] = self.version
        if self.confirmed:
            data["confirmed"] = list(self.confirmed)
        not_needed = [q for q in self.not_needed if q not in self.answers]
        if not_needed:
            data["not_needed"] = not_needed
        data["answers"] = {q: list(v) if isinstance(v, tuple) else v for q, v in self.answers.items()}
        if self.quick is not None:
            data["quick"] = dict(self.quick)
        elif self.quick_accepted:
            data["quick_offer"] = QUICK_ACCEPTED
        return data


def read_answers(path: Path | str, kb: KnowledgeBase) -> AnswerSheet:
    """Read and check an answers file.

    Raises
    ------
    InputError
        With file, line and key, for malformed files, unknown question ids,
        wrong types and values out of range.
    """
    doc = read_document(path, InputError)
    return check_answers(doc, kb)


def check_answers(doc: Document, kb: KnowledgeBase) -> AnswerSheet:
    """Check the data of an answers file (see :func:`read_answers`)."""
    data = doc.data
    if not isinstance(data, Mapping):
        raise InputError("an answers file must be a mapping with an 'answers' section", doc.locate())
    for key in data:
        if key not in _TOP_KEYS:
            hint = nearest(str(key), _TOP_KEYS)
            more = f"; did you mean {hint[0]}?" if hint else f" (expected: {', '.join(_TOP_KEYS)})"
            raise InputError(f"unknown key {quoted(key)}{more}", doc.locate(key))
    if "answers" not in data:
        raise InputError("no 'answers' section", doc.locate())
    organization = data.get("organization")
    if organization is None:
        organization = ""
    if not isinstance(organization, (str, int, float)) or isinstance(organization, bool):
        raise InputError("'organization' must be a name", doc.locate("organization"))
    organization = str(organization)
    problem = organization_problem(organization)
    if problem:
        raise InputError(f"the name {problem}", doc.locate("organization"))
    role = None
    respondent = data.get("respondent")
    if respondent is not None:
        if not isinstance(respondent, Mapping) or set(respondent) - {"role"}:
            raise InputError("'respondent' must be {role: executive|sales|marketing|other}", doc.locate("respondent"))
        role = respondent.get("role")
        if role is not None and role not in ROLES:
            raise InputError(f"{quoted(role)} is not a respondent role; expected one of: {', '.join(ROLES)}",
                             doc.locate("respondent", "role"))
    lang = data.get("lang")
    if lang is not None and lang not in ("en", "ru"):
        raise InputError(f"{quoted(lang)} is not a language; expected en or ru", doc.locate("lang"))
    given_on = data.get("date")
    if given_on is not None:
        try:  # YAML reads 2026-11-24 as a date already; JSON gives a string
            if not isinstance(given_on, (str, datetime.date)) or isinstance(given_on, datetime.datetime):
                raise ValueError
            given_on = datetime.date.fromisoformat(str(given_on)).isoformat()
        except ValueError:
            raise InputError(f"{quoted(given_on)} is not a date; expected YYYY-MM-DD", doc.locate("date")) from None
    current = kb.questionnaire_version
    version = data.get("questionnaire", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"{quoted(version)} is not a questionnaire version; expected a whole number such as {current}",
                         doc.locate("questionnaire"))
    if version > current:
        raise InputError(f"written with questionnaire version {version}, newer than this Accord's ({current}); "
                         "update Accord to read it", doc.locate("questionnaire"))
    confirmed = _check_confirmed(doc, kb, data.get("confirmed"))
    not_needed = _check_not_needed(doc, kb, data.get("not_needed"))
    from .quick import check_quick  # the quick self-assessment builds on this module

    quick = check_quick(doc, kb, data.get("quick"))
    offer = data.get("quick_offer")
    if offer is not None and offer != QUICK_ACCEPTED:
        raise InputError(f"{quoted(offer)} is not a state of the quick self-assessment's offer; expected "
                         f"{QUICK_ACCEPTED}", doc.locate("quick_offer"))
    raw = data["answers"]
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InputError("'answers' must map question ids to answers", doc.locate("answers"))
    retired: dict[str, Any] = {}
    if version < current:
        raw, retired = migrate({str(k): v for k, v in raw.items()}, version, kb)
    answers: dict[str, Any] = {}
    def where(key):  # worked out only for an error: locating is slow beside checking
        return doc.locate("answers", key) if key in data["answers"] else doc.locate("answers")

    for key, value in raw.items():
        question = kb.questions.get(str(key))
        if question is None:
            hint = nearest(str(key), kb.questions)
            more = f"; did you mean {', '.join(hint)}?" if hint else "; 'accord questions' lists them"
            raise InputError(f"unknown question {quoted(key)}{more}", where(key))
        normalised, problem = file_answer(question, value)
        if problem:
            raise InputError(f"answer to '{key}': {problem}", where(key))
        answers[question.id] = normalised
    order = {q: i for i, q in enumerate(kb.questions)}
    given = tuple(step for step, key in zip(PROFILE, ("organization", "respondent")) if key in data)
    return AnswerSheet(organization, role, dict(sorted(answers.items(), key=lambda kv: order[kv[0]])),
                       lang, doc.name, given_on, current, version if version < current else None, retired,
                       given, confirmed, tuple(q for q in not_needed if q not in answers), quick,
                       quick_accepted=offer == QUICK_ACCEPTED and quick is None)


def _check_confirmed(doc: Document, kb: KnowledgeBase, confirmed) -> tuple[str, ...]:
    if confirmed is None:
        return ()
    if not isinstance(confirmed, list) or not all(isinstance(c, str) for c in confirmed):
        raise InputError("'confirmed' must be a list of contradiction ids", doc.locate("confirmed"))
    for index, ident in enumerate(confirmed):
        if ident not in kb.contradictions:
            hint = nearest(ident, kb.contradictions)
            more = f"; did you mean {', '.join(hint)}?" if hint else ""
            raise InputError(f"unknown contradiction {quoted(ident)}{more}", doc.locate("confirmed", index))
    return tuple(dict.fromkeys(confirmed))


def _check_not_needed(doc: Document, kb: KnowledgeBase, listed) -> tuple[str, ...]:
    """The questions a selective consultation found not needed, in questionnaire order."""
    if listed is None:
        return ()
    if not isinstance(listed, list) or not all(isinstance(q, str) for q in listed):
        raise InputError("'not_needed' must be a list of question ids", doc.locate("not_needed"))
    for index, ident in enumerate(listed):
        if ident not in kb.questions:
            hint = nearest(ident, kb.questions)
            more = f"; did you mean {', '.join(hint)}?" if hint else "; 'accord questions' lists them"
            raise InputError(f"unknown question {quoted(ident)}{more}", doc.locate("not_needed", index))
    return tuple(q for q in kb.questions if q in listed)


def organization_problem(name: str) -> str | None:
    """Why a name cannot be an organisation's name, or None.

    Escape codes and line breaks would reach the terminal and every report.
    """
    if has_control_characters(name):
        return "holds control characters (escape codes or line breaks); write the name on one line"
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; at most {MAX_NAME} fit on a report"
    return None


def file_answer(question: Question, value: Any) -> tuple[Any, str | None]:
    """Check one answer read from a file: a value, a choice's number, or ``unknown``;
    for a question that takes several answers, a list of them (or one)."""
    several = question.multiple and isinstance(value, (list, tuple))
    if isinstance(value, (set, Mapping)) or (isinstance(value, (list, tuple)) and not several):
        kind = "mapping" if isinstance(value, Mapping) else "list"
        return value, f"must be a single value, not a {kind}; expected {question.allowed()}"
    items = list(value) if several else [value]
    for item in items:
        if not (item is None or isinstance(item, (str, int, float, bool))):
            return value, f"{quoted(item)} is not an allowed answer; expected {question.allowed()}"
    if several:
        return question.normalise([question.by_number(item) for item in items])
    return question.normalise(question.by_number(value))


def answer_value(question: Question, text: str) -> tuple[Any, str | None]:
    """Interpret one typed answer: a value, a choice number (1-based) or ``unknown``.

    Yes/no questions take 1 for yes and 2 for no, the order they are shown in;
    a question that takes several answers takes them separated by commas or
    spaces (``1, 3`` or ``price products``).
    """
    text = text.strip()
    if question.type == "choice":
        return question.normalise(question.by_number(text))
    if question.type == "multi" and text.lower() not in UNKNOWN_WORDS:
        # several choices: numbers or values, separated by commas or spaces ("1, 3" or "1 3")
        parts = [part for part in re.split(r"[,;\s]+", text) if part]
        return question.normalise([question.by_number(part) for part in parts] if parts else [])
    if question.type == "yesno":
        word = text.lower()
        if word in ("1", "y", "да", "д"):
            return "yes", None
        if word in ("2", "n", "нет", "н"):
            return "no", None
    if text.lower() in UNKNOWN_WORDS:
        return UNKNOWN, None
    return question.normalise(text)


def as_typed(value: Any) -> str:
    """An answer as the user would type it again (several choices joined by commas)."""
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


# ------------------------------------------------------------------ relevance

def relevance(kb: KnowledgeBase, answers: Mapping[str, Any]) -> dict[str, bool]:
    """For every question, whether it should be asked given the answers so far.

    ``ask_when`` is read with three values: a condition on an unknown or
    not-yet-given answer might still hold, so the follow-up stays relevant; a
    condition on a question that is itself irrelevant does not hold.
    """
    return {q: state is not False for q, state in _states(kb, answers).items()}


def _states(kb: KnowledgeBase, answers: Mapping[str, Any]) -> dict[str, bool | None]:
    """True: asked for sure; None: may still be asked; False: not asked."""
    states: dict[str, bool | None] = {}
    relevant: dict[str, bool] = {}
    for question in kb.questions.values():
        state = True if question.ask_when is None else _kleene(question.ask_when, answers, relevant)
        states[question.id] = state
        relevant[question.id] = state is not False
    return states


def _kleene(cond: Condition, answers, relevant) -> bool | None:
    """Three-valued ``ask_when``: an answer not given yet leaves it open (None).

    An answer of ``unknown`` closes the branch: the follow-ups of a question
    the manager could not answer presuppose what they do not know ("When was
    marketing split off from sales?" after "How did marketing come about?
    — don't know"). A question that can settle something on its own must not
    be hidden behind such a condition.
    """
    if isinstance(cond, All):
        results = [_kleene(c, answers, relevant) for c in cond.items]
        return False if False in results else (None if None in results else True)
    if isinstance(cond, Any_):
        results = [_kleene(c, answers, relevant) for c in cond.items]
        return True if True in results else (None if None in results else False)
    assert isinstance(cond, AnswerLeaf)
    if not relevant.get(cond.question, False):
        return False
    value = answers.get(cond.question)
    if value is None:
        return None
    if value == UNKNOWN:
        return False
    return cond.test(value)


def split_relevant(kb: KnowledgeBase, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(answers to relevant questions, answers set aside as not relevant)``."""
    relevant = relevance(kb, answers)
    kept = {q: v for q, v in answers.items() if relevant.get(q)}
    ignored = {q: v for q, v in answers.items() if not relevant.get(q)}
    return kept, ignored


def next_question(kb: KnowledgeBase, answers: Mapping[str, Any]) -> Question | None:
    """The first relevant question without an answer, or None when the consultation is complete."""
    relevant = relevance(kb, answers)
    for question in kb.questions.values():
        if relevant[question.id] and question.id not in answers:
            return question
    return None


def remaining(kb: KnowledgeBase, answers: Mapping[str, Any]) -> int:
    """At most how many questions are still to come: those unanswered that can still apply.

    A question that later answers might open counts, so the number is an
    upper bound, and it never rises as answers are added: an answer can only
    close follow-ups that were still open, never open one that was closed.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> remaining(kb, {}) == len(kb.questions)
    True
    >>> remaining(kb, {"marketing_department": "none"}) < remaining(kb, {})
    True
    """
    return sum(1 for q, state in _states(kb, answers).items() if state is not False and q not in answers)


# ------------------------------------------------------------------- saving

def write_answers(sheet: AnswerSheet, path: Path | str) -> None:
    """Write an answers file atomically: a temporary file in the same directory, then a rename.

    A reader (or a crash at any moment) sees either the old file or the new
    one, never half of one. A read-only file is refused, never replaced.

    Raises
    ------
    InputError
        When the file is read-only or cannot be written.
    """
    text = "# Accord answers file: 'accord diagnose --answers FILE' reads it.\n" + yaml.safe_dump(
        sheet.to_document(), allow_unicode=True, sort_keys=False, default_flow_style=False)
    write_atomically(path, text, InputError, "session file")


def answers_template(kb: KnowledgeBase, lang: str = "en") -> str:
    """A blank answers file: every question as a commented line with its allowed answers.

    Follow-up questions say when they apply; uncommenting a line and filling in
    a value is all a user has to do.
    """
    lines = [
        "# Accord answers file. Fill in the answers you know; leave the others",
        "# commented out or write 'unknown'. Then run:",
        "#   accord diagnose --answers THIS_FILE",
        "organization: \"\"",
        "respondent: {role: executive}   # executive | sales | marketing | other",
        "# date: 2026-01-31              # when the answers were given; reports show it",
        "answers:",
    ]
    section = None
    for q in kb.questions.values():
        if q.section != section:
            section = q.section
            lines.append(f"  # --- {kb.sections[section].name[lang]}")
        lines.append(f"  # {q.text[lang]}")
        if q.ask_when is not None:
            lines.append(f"  #   ({'follow-up' if lang == 'en' else 'уточняющий вопрос'}: {_describe(q.ask_when)})")
        if q.type == "choice":
            for choice in q.choices:
                lines.append(f"  #   {choice.value}: {choice.label[lang]}")
        elif q.type == "scale":
            lines.append("  #   1 … 5 (" + ("1 strongly disagree, 5 strongly agree" if lang == "en"
                                             else "1 совершенно не согласен, 5 полностью согласен") + ")")
        lines.append(f"  # {q.id}:   # {q.allowed()}")
    from .quick import template_lines  # the optional quick self-assessment

    lines += template_lines(kb, lang)
    return "\n".join(lines) + "\n"


def _describe(cond: Condition) -> str:
    if isinstance(cond, All):
        return " and ".join(_describe(c) for c in cond.items)
    if isinstance(cond, Any_):
        return "(" + " or ".join(_describe(c) for c in cond.items) + ")"
    return cond.describe()
