"""Alembic's environment for Accord's web database: the URL and metadata come from the caller
(:mod:`expert.web.migrate`), never from an alembic.ini."""

from alembic import context
from sqlalchemy import create_engine, pool

from expert.web.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch: SQLite alters a table by copying it; harmless elsewhere
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
