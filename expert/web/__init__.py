"""``accord serve``: respondents answer by link, the consultant reads the combined diagnosis.

A second thin shell beside ``cli.py``: :func:`create_app` builds a Starlette
application from :class:`~expert.web.settings.WebSettings`; the pages call
the same library functions the command line does (:mod:`expert.web.service`)
and keep everything in the database (:mod:`expert.web.store`), nothing in
memory between requests, so several workers or hosts can serve one
PostgreSQL database. No module of ``expert`` outside this package imports it.
"""

from __future__ import annotations

from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def create_app(settings: WebSettings | None = None):
    """The ASGI application for ``settings`` (default: from ``ACCORD_*`` variables)."""
    from .app import build

    return build(settings or WebSettings.from_env())
