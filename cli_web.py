"""The command line of the web shell: ``accord serve``, ``accord db upgrade``, ``accord user add``.

The web parts (Starlette, SQLAlchemy, Alembic, uvicorn) are the ``web``
extra; they are imported inside the commands, so the rest of ``accord``
works without them and these commands say what to install.
"""

from __future__ import annotations

from pathlib import Path

import click

from expert.errors import InputError


def _web():
    try:
        import expert.web  # noqa: F401
        import sqlalchemy  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise click.UsageError(f"the web shell needs the 'web' extra (pip install 'accord[web]'): {exc}") from None


def _settings(database: str | None, **given):
    from expert.web.settings import WebSettings

    return WebSettings.from_env(database_url=database, **given)


db_option = click.option("--db", "database", metavar="URL", default=None,
                         help="Database URL: sqlite:///FILE or postgresql://USER@HOST/NAME "
                              "[default: $ACCORD_DATABASE_URL, else sqlite:///accord.db].")


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (they share nothing but the database and ACCORD_SECRET_KEY).")
@click.option("--demo", "demo_files", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Add a demo organisation answered by these answers files (one per respondent) and print a "
                   "demo consultant's login.")
@click.pass_context
def serve(ctx, database: str | None, host: str, port: int, workers: int, demo_files: tuple[Path, ...]):
    """Serve Accord in the browser: respondents answer by link, consultants read the diagnosis.

    A SQLite database is brought up to date first (created if new); a
    PostgreSQL one must be, with 'accord db upgrade', so that several
    workers or hosts never migrate at once. Create a consultant with
    'accord user add'. Set ACCORD_SECRET_KEY so that logins survive a
    restart and are shared by several workers.

    \b
    Examples:
      accord user add me@example.com && accord serve
      accord serve --db postgresql://accord@localhost/accord --workers 4
      accord serve --demo examples/respondents/uralpack-sales.yaml --demo examples/respondents/uralpack-marketing.yaml
    """
    _web()
    import os

    import uvicorn

    from expert.web import migrate
    from expert.web.db import is_sqlite

    import cli

    settings = _settings(database)
    if is_sqlite(settings.database_url):
        migrate.upgrade(settings.database_url)
    elif not migrate.at_head(settings.database_url):
        raise InputError("the database is not up to date: run 'accord db upgrade' first")
    if demo_files:
        from expert.web.demo import seed

        email, password, ident = seed(settings.database_url, list(demo_files), cli.system(ctx))
        click.echo(f"Demo consultant: {email}  password: {password}", err=True)
        click.echo(f"Open http://{host}:{port}/login?next=/assessments/{ident}", err=True)
    obj = ctx.find_root().obj
    os.environ["ACCORD_DATABASE_URL"] = settings.database_url
    os.environ.setdefault("ACCORD_SECRET_KEY", settings.secret_key)  # one key for every worker of this run
    for name, value in (("ACCORD_KB", obj.get("kb_dir")), ("ACCORD_RULES", obj.get("rules_dir")),
                        ("ACCORD_ENGINE", obj.get("engine"))):
        if value:
            os.environ[name] = str(value)
    uvicorn.run("expert.web:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


@click.group()
def db():
    """The web shell's database: create it or bring it up to date."""


@db.command("upgrade")
@db_option
def db_upgrade(database: str | None):
    """Create the tables of a new database, or migrate an existing one to this version (Alembic)."""
    _web()
    from expert.web import migrate

    settings = _settings(database)
    migrate.upgrade(settings.database_url)
    click.echo(f"Database at revision {migrate.current_revision(settings.database_url)}", err=True)


@click.group()
def user():
    """Consultants who log in to the web shell."""


@user.command("add")
@click.argument("email")
@db_option
@click.option("--password", envvar="ACCORD_PASSWORD", default=None,
              help="The password [default: $ACCORD_PASSWORD, else asked twice].")
def user_add(email: str, database: str | None, password: str | None):
    """Add a consultant (or set a new password for one); the password is stored as an argon2 hash."""
    _web()
    from expert.web import migrate, security, store
    from expert.web.db import make_engine, session_factory, writing

    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise click.BadParameter(f"'{email}' is not an e-mail address", param_hint="EMAIL")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    settings = _settings(database)
    if settings.database_url.startswith("sqlite"):  # a new SQLite file just works; PostgreSQL: accord db upgrade
        migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with writing(session_factory(engine)) as s:
            c = store.consultant_by_email(s, email)
            if c is None:
                store.add_consultant(s, email, security.hash_password(password))
                click.echo(f"Added consultant {email}", err=True)
            else:
                c.password_hash = security.hash_password(password)
                click.echo(f"New password set for {email}", err=True)
    finally:
        engine.dispose()
