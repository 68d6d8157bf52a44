"""A demo for ``accord serve --demo``: a consultant, and an organisation whose respondents have answered.

The respondents' answers are read from answers files (the ones in
``examples/respondents/``) exactly as ``accord diagnose --answers`` reads
them, and stored as rows, as if they had answered by their links.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import expert

from . import security, store
from .db import make_engine, session_factory, writing

DEMO_EMAIL = "demo@accord.example"


def seed(url: str, files: list[Path], system) -> tuple[str, str, int]:
    """Create (or reset the password of) the demo consultant and add an assessment answered by ``files``.

    Returns the e-mail, the new password and the assessment's id.
    """
    sheets = [expert.read_answers(path, system.kb) for path in files]
    password = secrets.token_urlsafe(9)
    engine = make_engine(url)
    try:
        with writing(session_factory(engine)) as s:
            c = store.consultant_by_email(s, DEMO_EMAIL)
            if c is None:
                c = store.add_consultant(s, DEMO_EMAIL, security.hash_password(password))
            else:
                c.password_hash = security.hash_password(password)
            name = next((sh.organization for sh in sheets if sh.organization), "Demo")
            org = store.add_organisation(s, c.id, name)
            dates = sorted(sh.date for sh in sheets if sh.date)
            a = store.add_assessment(s, org, "Demo: " + ", ".join(p.stem for p in files),
                                     dates[-1] if dates else "2026-01-01", False)
            for path, sheet in zip(files, sheets):
                r = store.add_respondent(s, a, path.stem, sheet.role or "other", sheet.lang or "en",
                                         security.new_token())
                r.finished = True
                for seq, (key, value) in enumerate(list(sheet.answers.items()) +
                                                   [(store.QUICK + k, v) for k, v in (sheet.quick or {}).items()], 1):
                    s.add(store.Answer(respondent_id=r.id, key=key, seq=seq,
                                       value=json.dumps(list(value) if isinstance(value, tuple) else value,
                                                        ensure_ascii=False, sort_keys=True)))
            ident = a.id
    finally:
        engine.dispose()
    return DEMO_EMAIL, password, ident
