"""Passwords, link tokens, the login cookie, CSRF tokens and safe redirects.

* Passwords: argon2id (argon2-cffi), the current OWASP recommendation.
* Respondents' links: ``secrets.token_urlsafe(24)`` — 192 random bits; the
  database holds no sequence a guess could follow.
* Login: a cookie ``<consultant id>.<issued>.<HMAC-SHA256>``, signed with the
  settings' secret key, HttpOnly, SameSite=Lax; nothing kept on the server,
  so any worker can check it.
* CSRF: signed double submit. A random ``accord_csrf`` cookie; every form
  carries HMAC(secret, cookie); a POST whose field does not match its cookie
  is refused (403) before anything is read or stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOGIN_COOKIE = "accord_login"
CSRF_COOKIE = "accord_csrf"
CSRF_FIELD = "csrf_token"
LOGIN_MAX_AGE = 12 * 3600  # seconds a login lasts

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to check against when the e-mail is unknown, so both cases take the same time.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """A respondent's link token: 32 URL-safe characters from 192 random bits."""
    return secrets.token_urlsafe(24)


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def login_cookie(secret: str, consultant_id: int, issued: int | None = None) -> str:
    issued = int(time.time()) if issued is None else issued
    body = f"{consultant_id}.{issued}"
    return f"{body}.{_sign(secret, 'login:' + body)}"


def consultant_from_cookie(secret: str, value: str | None) -> int | None:
    """The consultant id the cookie was signed for, if the signature holds and it has not expired."""
    if not value or value.count(".") != 2:
        return None
    ident, issued, signature = value.split(".")
    if not (ident.isdecimal() and issued.isdecimal()):
        return None
    if not hmac.compare_digest(signature, _sign(secret, f"login:{ident}.{issued}")):
        return None
    if time.time() - int(issued) > LOGIN_MAX_AGE:
        return None
    return int(ident)


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, cookie: str) -> str:
    """The value every form carries: bound to the browser's CSRF cookie by the secret key."""
    return _sign(secret, "csrf:" + cookie)


def csrf_valid(secret: str, cookie: str | None, field: str | None) -> bool:
    if not cookie or not field:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie), field)


def safe_next(value: str | None, default: str = "/") -> str:
    """A redirect target from a ``next`` field: a path on this site, never another host.

    >>> safe_next("/assessments/3"), safe_next("//evil.example/"), safe_next("https://evil.example/")
    ('/assessments/3', '/', '/')
    >>> safe_next("/\\\\evil.example"), safe_next(None)
    ('/', '/')
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in value) or ":" in value.split("?", 1)[0]:
        return default
    return value
