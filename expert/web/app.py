"""The application: routes, the page helper, CSRF and error pages."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from expert.i18n import LANGUAGES, Messages

from . import security
from .db import make_engine, session_factory
from .service import ENGINE_LOCK, load_system
from .settings import WebSettings

HERE = Path(__file__).parent
LANG_COOKIE = "accord_lang"
MAX_FORM_FIELDS = 200  # a form bigger than any page's is refused before it is read


class Web:
    """What every page needs: the settings, the database, the knowledge and rule bases, the templates."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.sessions = session_factory(self.engine)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
        self.templates = Jinja2Templates(env=env)

    @property
    def system(self):
        return load_system(self.settings.kb_dir, self.settings.rules_dir, self.settings.engine)

    def t(self, lang: str) -> Messages:
        return Messages(self.system.kb, lang)


def web_of(request: Request) -> Web:
    return request.app.state.web


def chrome_lang(request: Request) -> str:
    """The consultant pages' language: ?lang=, else the cookie the language links set, else English."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "en"
    return lang if lang in LANGUAGES else "en"


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200, lang: str | None = None) -> Response:
    """A page from its template; sets the CSRF cookie the page's forms are bound to if the browser has none."""
    web = web_of(request)
    lang = lang or chrome_lang(request)
    cookie = request.cookies.get(security.CSRF_COOKIE)
    fresh = cookie is None
    if fresh:
        cookie = security.new_csrf_cookie()
    consultant = getattr(request.state, "consultant_email", None)
    response = web.templates.TemplateResponse(request, name, {
        "t": web.t(lang), "lang": lang, "csrf_field": security.CSRF_FIELD,
        "csrf_token": security.csrf_token(web.settings.secret_key, cookie), "consultant": consultant,
        "path": request.url.path, **ctx}, status_code=status)
    if fresh:
        response.set_cookie(security.CSRF_COOKIE, cookie, httponly=True, samesite="lax",
                            secure=web.settings.secure_cookies, path="/")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # a respondent's link never leaks
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page(fn: Callable[[Request, FormData | None], Response]):
    """A page handler: the form read (POST: checked against CSRF first), then ``fn`` run in the
    thread pool, since diagnosing is CPU work that must not block the event loop."""

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        form = None
        if request.method == "POST":
            try:
                form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
            except Exception:  # noqa: BLE001 - a malformed body is the client's error
                raise HTTPException(400)
            secret = web_of(request).settings.secret_key
            if not security.csrf_valid(secret, request.cookies.get(security.CSRF_COOKIE),
                                       form.get(security.CSRF_FIELD)):
                raise HTTPException(403, "csrf")
        return await run_in_threadpool(_in_turn, fn, request, form)

    return endpoint


def _in_turn(fn, request, form):
    with ENGINE_LOCK:
        return fn(request, form)


ERROR_KEYS = {400: "web.error.400", 403: "web.error.403", 404: "web.error.404", 405: "web.error.405",
              409: "web.error.409"}


async def error_page(request: Request, exc: HTTPException) -> Response:
    next_url = getattr(exc, "next_url", None)
    if next_url is not None:  # a page that needs a login: to the login page, and back after it
        from urllib.parse import quote

        return redirect("/login?next=" + quote(security.safe_next(next_url), safe="/"))
    status = exc.status_code
    key = "web.error.csrf" if exc.detail == "csrf" else ERROR_KEYS.get(status, "web.error.other")
    return render(request, "error.html", {"status": status, "message_key": key}, status=status)


async def server_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", {"status": 500, "message_key": "web.error.other"}, status=500)


def build(settings: WebSettings) -> Starlette:
    from .routes import consultant, respondent

    routes = [*consultant.routes, *respondent.routes,
              Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")]
    app = Starlette(routes=routes, exception_handlers={HTTPException: error_page, 500: server_error})
    app.state.web = Web(settings)
    return app
