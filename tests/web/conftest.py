"""The web suite's fixtures: one migrated database per backend per session, an app and clients.

Every test runs against SQLite (a temporary file) and, when
``ACCORD_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one), against
PostgreSQL too. Nothing is mocked: the app is the one ``accord serve`` runs,
driven in-process through Starlette's TestClient.
"""

from __future__ import annotations


import pytest

pytest.importorskip("starlette", reason="the web shell needs the 'web' extra")

from expert.web import create_app, migrate  # noqa: E402
from expert.web.settings import WebSettings  # noqa: E402
from web.web_helpers import BACKENDS, Browser, add_consultant, fresh_postgres_db  # noqa: E402


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request, tmp_path_factory) -> str:
    """A migrated database (alembic upgrade head), one per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'accord.db'}"
    else:
        url = fresh_postgres_db()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def app(db_url):
    app = create_app(WebSettings(database_url=db_url, secret_key="test-secret"))
    yield app
    app.state.web.engine.dispose()


@pytest.fixture(scope="session")
def sessions(app):
    return app.state.web.sessions


@pytest.fixture()
def consultant(app, sessions) -> Browser:
    return Browser(app).login(add_consultant(sessions))


@pytest.fixture()
def browser(app) -> Browser:
    return Browser(app)
