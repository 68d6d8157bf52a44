"""The tables: consultants own organisations; an organisation's assessments have respondents,
each with a link token and one row per answer.

A respondent's answers are the answers file the command line reads
(``AnswerSheet.to_document``), kept as rows so every answer is stored when it
is given and counted apart; :func:`expert.web.store.sheet_of` puts them back
together.
"""

from __future__ import annotations

import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints: SQLite can drop only named ones in a later (batch) migration.
NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
          "pk": "pk_%(table_name)s"}


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Consultant(Base):
    __tablename__ = "consultant"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=now)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultant.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=now)

    assessments: Mapped[list["Assessment"]] = relationship(back_populates="organisation",
                                                           order_by="Assessment.id")


class Assessment(Base):
    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[str] = mapped_column(String(10))  # ISO date: the answers files' `date`
    quick: Mapped[bool] = mapped_column(Boolean, default=False)  # respondents are offered the 20 statements
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=now)

    organisation: Mapped[Organisation] = relationship(back_populates="assessments")
    respondents: Mapped[list["Respondent"]] = relationship(back_populates="assessment", order_by="Respondent.id")


class Respondent(Base):
    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # secrets.token_urlsafe: the link
    label: Mapped[str] = mapped_column(String(200))  # who it is, for the consultant
    role: Mapped[str] = mapped_column(String(20))  # executive | sales | marketing | other
    lang: Mapped[str] = mapped_column(String(2), default="en")
    # beyond the answers: the step gone back to, a pending confirmation, the confirmed
    # contradictions, the quick section declined (Consultation.cursor, AnswerSheet.confirmed)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every write: two tabs cannot interleave
    updated: Mapped[datetime.datetime] = mapped_column(DateTime, default=now)

    assessment: Mapped[Assessment] = relationship(back_populates="respondents")


class Answer(Base):
    """One answer of one respondent: a question (``key`` = its id) or a quick statement (``quick.<id>``)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("respondent_id", "key", name="uq_answer_respondent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(Text)  # JSON of the value as the answers file holds it
    seq: Mapped[int] = mapped_column(Integer)  # the order answers were first given (the consultation's history)
    answered: Mapped[datetime.datetime] = mapped_column(DateTime, default=now)
