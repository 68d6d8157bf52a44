"""The database engine: SQLite (a file, by default) or PostgreSQL, one session per request.

SQLite: WAL so readers never wait for the writer, a busy timeout so writers
queue instead of failing, foreign keys on, and every transaction begun
``BEGIN IMMEDIATE`` — a transaction that reads and then writes would otherwise
fail at once with "database is locked" when another writer got there first.
pysqlite's own transaction handling is switched off so SQLAlchemy's BEGIN is
the one that counts (SQLAlchemy docs, "Serializable isolation / Savepoints").
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_S = 30
WRITE = "accord_write"  # execution option: this transaction writes


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLAlchemy form); SQLite gets the connection settings above."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut loses at most the last commits
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # a writing transaction takes the write lock at once; reading ones share the database
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def writing(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction writes (SQLite: ``BEGIN IMMEDIATE``): committed at the end,
    rolled back on any error."""
    with factory() as session:
        session.connection(execution_options={WRITE: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
