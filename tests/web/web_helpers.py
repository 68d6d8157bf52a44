"""Helpers of the web suite: a browser-like client, and pages driven as a user would."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from expert.web import security, store
from expert.web.db import writing
from expert.web.settings import normalise_url

PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="ACCORD_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server and sets it)"))]
PASSWORD = "correct horse battery"


def fresh_postgres_db() -> str:
    """A new, empty database on the test server (the URL names a database to connect to); its URL."""
    name = f"accord_test_{uuid.uuid4().hex[:10]}"
    base = normalise_url(PG_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def add_consultant(sessions, email: str | None = None) -> str:
    email = email or f"c{uuid.uuid4().hex[:8]}@example.com"
    with writing(sessions) as s:
        store.add_consultant(s, email, security.hash_password(PASSWORD))
    return email


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


class Browser:
    """A TestClient with the habits of a browser: it keeps cookies and sends each form's CSRF token."""

    def __init__(self, app):
        self.client = TestClient(app, base_url="http://testserver", follow_redirects=False)
        self.token = None

    def get(self, url, **kw):
        r = self.client.get(url, **kw)
        if "csrf_token" in r.text:
            self.token = csrf_of(r.text)
        return r

    def post(self, url, data=None, **kw):
        if self.token is None:
            self.get("/login")
        data = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=data, **kw)

    def login(self, email: str):
        self.get("/login")
        r = self.post("/login", {"email": email, "password": PASSWORD, "next": "/organisations"})
        assert r.status_code == 303, r.text
        return self


def make_assessment(b: Browser, quick: bool = False, roles=("sales", "marketing"), langs=("en", "ru")):
    """An organisation, an assessment and respondents made through the pages; (assessment id, tokens)."""
    r = b.post("/organisations", {"name": "Uralpack <script>"})
    org = r.headers["location"].rsplit("/", 1)[1]
    data = {"title": "Spring", "date": "2026-03-04"}
    if quick:
        data["quick"] = "yes"
    r = b.post(f"/organisations/{org}/assessments", data)
    assessment = int(r.headers["location"].rsplit("/", 1)[1])
    for role, lang in zip(roles, langs):
        assert b.post(f"/assessments/{assessment}/respondents",
                      {"label": f"Head of {role}", "role": role, "lang": lang}).status_code == 303
    page = b.get(f"/assessments/{assessment}").text
    tokens = re.findall(r"/r/([A-Za-z0-9_-]{20,})", page)
    return assessment, list(dict.fromkeys(tokens))


def answer_rows(sessions, token: str) -> list:
    with sessions() as s:
        r = store.respondent_by_token(s, token)
        return [(a.key, a.value) for a in store.answers_of(s, r.id)]


def current_step(b: Browser, token: str) -> str | None:
    page = b.get(f"/r/{token}").text
    m = re.search(r'name="step" value="([^"]*)"', page)
    return (m.group(1) or None) if m else None


def answer(b: Browser, token: str, command="answer", values=(), step=None, lang=None):
    step = current_step(b, token) if step is None else step
    data = {"step": step, "command": command}
    if lang:
        data["lang"] = lang
    if values:
        data["value"] = list(values)
    return b.post(f"/r/{token}", data)
