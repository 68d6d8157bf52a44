"""Persistence only: read and write consultants, organisations, assessments, respondents and answers.

Every function takes an open :class:`sqlalchemy.orm.Session`; the caller owns
the transaction. Scoping is here too: a consultant reaches an organisation,
an assessment or a respondent only through :func:`owned_assessment` and the
like, which tell "no such thing" (None) from "not yours" (:class:`NotYours`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from expert.answers import PROFILE, AnswerSheet

from .models import Answer, Assessment, Consultant, Organisation, Respondent, now

QUICK = "quick."  # Answer.key prefix of a quick-statement rating


class NotYours(Exception):
    """The row exists but belongs to another consultant's organisation."""


class Conflict(Exception):
    """The respondent's answers changed since they were read (another tab, a double submit)."""


# ------------------------------------------------------------------ consultants

def consultant_by_email(s: Session, email: str) -> Consultant | None:
    return s.scalar(select(Consultant).where(Consultant.email == email.strip().lower()))


def add_consultant(s: Session, email: str, password_hash: str) -> Consultant:
    c = Consultant(email=email.strip().lower(), password_hash=password_hash)
    s.add(c)
    s.flush()
    return c


def organisations_of(s: Session, consultant_id: int) -> list[Organisation]:
    return list(s.scalars(select(Organisation).where(Organisation.consultant_id == consultant_id)
                          .order_by(Organisation.name, Organisation.id)))


def add_organisation(s: Session, consultant_id: int, name: str) -> Organisation:
    org = Organisation(consultant_id=consultant_id, name=name)
    s.add(org)
    s.flush()
    return org


def owned_organisation(s: Session, consultant_id: int, org_id: int) -> Organisation | None:
    org = s.get(Organisation, org_id)
    if org is not None and org.consultant_id != consultant_id:
        raise NotYours()
    return org


def add_assessment(s: Session, org: Organisation, title: str, date: str, quick: bool) -> Assessment:
    a = Assessment(organisation_id=org.id, title=title, date=date, quick=quick)
    s.add(a)
    s.flush()
    return a


def owned_assessment(s: Session, consultant_id: int, assessment_id: int) -> Assessment | None:
    a = s.get(Assessment, assessment_id)
    if a is not None and a.organisation.consultant_id != consultant_id:
        raise NotYours()
    return a


def add_respondent(s: Session, assessment: Assessment, label: str, role: str, lang: str, token: str) -> Respondent:
    r = Respondent(assessment_id=assessment.id, label=label, role=role, lang=lang, token=token, state={},
                   version=0)
    s.add(r)
    s.flush()
    return r


def owned_respondent(s: Session, consultant_id: int, respondent_id: int) -> Respondent | None:
    r = s.get(Respondent, respondent_id)
    if r is not None and r.assessment.organisation.consultant_id != consultant_id:
        raise NotYours()
    return r


# ------------------------------------------------------------------ respondents

def respondent_by_token(s: Session, token: str) -> Respondent | None:
    if not token or len(token) > 64:
        return None
    return s.scalar(select(Respondent).where(Respondent.token == token))


def answers_of(s: Session, respondent_id: int) -> list[Answer]:
    return list(s.scalars(select(Answer).where(Answer.respondent_id == respondent_id).order_by(Answer.seq)))


def answer_counts(s: Session, respondent_ids: list[int]) -> dict[int, int]:
    """Stored answers (questions and quick ratings) per respondent."""
    if not respondent_ids:
        return {}
    rows = s.execute(select(Answer.respondent_id, func.count()).where(Answer.respondent_id.in_(respondent_ids))
                     .group_by(Answer.respondent_id))
    return {rid: n for rid, n in rows}


def sheet_of(r: Respondent, rows: list[Answer]) -> AnswerSheet:
    """The respondent's answers file, as the command line would read it: answers in the order given."""
    answers: dict[str, Any] = {}
    quick: dict[str, Any] = {}
    for row in rows:
        value = json.loads(row.value)
        value = tuple(value) if isinstance(value, list) else value
        if row.key.startswith(QUICK):
            quick[row.key[len(QUICK):]] = value
        else:
            answers[row.key] = value
    state = r.state or {}
    return AnswerSheet(organization=r.assessment.organisation.name, role=r.role, answers=answers, lang=r.lang,
                       date=r.assessment.date, profile_given=PROFILE,
                       confirmed=tuple(state.get("confirmed", ())),
                       quick=quick if quick else ({} if state.get("quick_declined") else None))


def save_sheet(s: Session, r: Respondent, version: int, rows: list[Answer], sheet: AnswerSheet, cursor: dict,
               lang: str, finished: bool) -> int:
    """Store what changed in the sheet since ``rows`` were read: one row per new or changed answer.

    ``version`` is the respondent's version when the rows were read; if it has
    moved on, nothing is written and :class:`Conflict` is raised. Returns the
    number of answer rows written.
    """
    done = s.execute(update(Respondent).where(Respondent.id == r.id, Respondent.version == version)
                     .values(version=version + 1, lang=lang, finished=finished, updated=now(),
                             state={"cursor": cursor, "confirmed": list(sheet.confirmed),
                                    "quick_declined": sheet.quick == {}}))
    if done.rowcount != 1:
        raise Conflict()
    stored = {row.key: row for row in rows}
    wanted = {q: v for q, v in sheet.answers.items()}
    wanted.update({QUICK + k: v for k, v in (sheet.quick or {}).items()})
    seq = max((row.seq for row in rows), default=0)
    written = 0
    for key, value in wanted.items():
        text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False, sort_keys=True)
        row = stored.get(key)
        if row is None:
            seq += 1
            s.add(Answer(respondent_id=r.id, key=key, value=text, seq=seq))
            written += 1
        elif row.value != text:
            row.value, row.answered = text, now()
            written += 1
    return written
