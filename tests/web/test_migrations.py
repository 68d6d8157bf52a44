"""Migrations: upgrade head on an empty database (SQLite, and PostgreSQL when available), and the
models agree with them (an empty autogenerate diff)."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, pool

from web.web_helpers import BACKENDS, fresh_postgres_db  # noqa: F401
from expert.web import migrate

import pytest


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return fresh_postgres_db()


def test_upgrade_head_on_an_empty_database_and_no_autogenerate_diff(empty_url):
    migrate.upgrade(empty_url)
    assert migrate.at_head(empty_url)
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"consultant", "organisation", "assessment", "respondent", "answer"} <= tables
    migrate.check(empty_url)  # raises if the models and the migrations differ


def test_db_upgrade_command(tmp_path):
    from click.testing import CliRunner

    import cli

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(cli.main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli.main, ["user", "add", "a@example.com", "--db", url, "--password", "long enough"])
    assert result.exit_code == 0 and "Added consultant" in result.output
    result = CliRunner().invoke(cli.main, ["user", "add", "not-an-email", "--db", url, "--password", "long enough"])
    assert result.exit_code == 2


def test_serve_refuses_a_postgresql_database_that_is_not_up_to_date():
    from web.web_helpers import PG_URL

    if not PG_URL:
        pytest.skip("ACCORD_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    from click.testing import CliRunner

    import cli

    result = CliRunner().invoke(cli.main, ["serve", "--db", fresh_postgres_db()])
    assert result.exit_code == 2 and "accord db upgrade" in result.output
