"""The web shell's settings: from keyword arguments (the command line), else ``ACCORD_*`` variables.

A plain dataclass rather than pydantic-settings: four values do not need a
settings framework, and ``accord serve`` options beat the environment as
init arguments would.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

DEFAULT_DATABASE = "sqlite:///accord.db"


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs use psycopg 3, the driver the ``web`` extra installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class WebSettings:
    """What ``create_app`` needs.

    ``secret_key`` signs the login cookie and the CSRF tokens; several workers
    or hosts serving one database must share it (``ACCORD_SECRET_KEY``).
    Without one, each process makes its own, so logins do not outlive it.
    """

    database_url: str = DEFAULT_DATABASE
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    kb_dir: str | None = None
    rules_dir: str | None = None
    engine: str | None = None
    secure_cookies: bool = False  # set behind HTTPS: cookies then travel only over it

    @classmethod
    def from_env(cls, **given) -> "WebSettings":
        """Settings from ``given`` (None means not given), else ``ACCORD_DATABASE_URL``,
        ``ACCORD_SECRET_KEY``, ``ACCORD_SECURE_COOKIES``, else the defaults."""
        env = os.environ
        values = {k: v for k, v in given.items() if v is not None}
        values.setdefault("database_url", env.get("ACCORD_DATABASE_URL") or DEFAULT_DATABASE)
        if env.get("ACCORD_SECRET_KEY"):
            values.setdefault("secret_key", env["ACCORD_SECRET_KEY"])
        for name, var in (("kb_dir", "ACCORD_KB"), ("rules_dir", "ACCORD_RULES")):
            if env.get(var):
                values.setdefault(name, env[var])
        if env.get("ACCORD_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
            values.setdefault("secure_cookies", True)
        values["database_url"] = normalise_url(values["database_url"])
        return cls(**values)
