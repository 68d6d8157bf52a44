"""The consultant's pages: login, organisations, assessments, respondents' links, the combined
report with its explanations, downloads and the comparison with an earlier assessment.

A consultant sees only their own organisations: every id in a URL is looked
up through :mod:`expert.web.store`'s ``owned_*`` functions (404: no such
thing; 403: another consultant's).
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import expert
from expert.answers import ROLES, organization_problem
from expert.errors import AccordError
from expert.i18n import LANGUAGES

from .. import security, service, store
from ..app import LANG_COOKIE, page, redirect, render, web_of
from ..db import writing


def current(request: Request) -> int:
    """The logged-in consultant's id; anyone else is sent to the login page."""
    web = web_of(request)
    ident = security.consultant_from_cookie(web.settings.secret_key, request.cookies.get(security.LOGIN_COOKIE))
    if ident is None:
        raise _LoginNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    with web.sessions() as s:
        c = s.get(store.Consultant, ident)
        if c is None:
            raise _LoginNeeded("/")
        request.state.consultant_email = c.email
    return ident


class _LoginNeeded(HTTPException):
    def __init__(self, next_url: str):
        super().__init__(303)
        self.next_url = next_url


def _owned(fn, s, consultant_id, ident):
    try:
        found = fn(s, consultant_id, ident)
    except store.NotYours:
        raise HTTPException(403)
    if found is None:
        raise HTTPException(404)
    return found


def _int(value) -> int:
    if not isinstance(value, str) or not value.isdecimal() or len(value) > 12:
        raise HTTPException(404)
    return int(value)


def _text_field(form, name: str, limit: int = 200) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        raise HTTPException(400)
    value = " ".join(value.split())
    if not value or len(value) > limit or organization_problem(value):
        raise HTTPException(400)
    return value


# ------------------------------------------------------------------ login

@page
def login_page(request: Request, form) -> Response:
    return render(request, "consultant/login.html", {"next": security.safe_next(request.query_params.get("next")),
                                                     "failed": False})


@page
def login(request: Request, form) -> Response:
    web = web_of(request)
    email, password = form.get("email"), form.get("password")
    next_url = security.safe_next(form.get("next"))
    if not isinstance(email, str) or not isinstance(password, str) or len(email) > 254 or len(password) > 1000:
        raise HTTPException(400)
    with web.sessions() as s:
        c = store.consultant_by_email(s, email)
        ok = security.check_password(c.password_hash if c else security.DUMMY_HASH, password) and c is not None
        ident = c.id if c else None
    if not ok:
        return render(request, "consultant/login.html", {"next": next_url, "failed": True}, status=400)
    response = redirect(next_url)
    response.set_cookie(security.LOGIN_COOKIE, security.login_cookie(web.settings.secret_key, ident),
                        max_age=security.LOGIN_MAX_AGE, httponly=True, samesite="lax",
                        secure=web.settings.secure_cookies, path="/")
    return response


@page
def logout(request: Request, form) -> Response:
    response = redirect("/login")
    response.delete_cookie(security.LOGIN_COOKIE, path="/")
    return response


@page
def set_language(request: Request, form) -> Response:
    lang = request.path_params["lang"]
    if lang not in LANGUAGES:
        raise HTTPException(404)
    response = redirect(security.safe_next(request.query_params.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


# ------------------------------------------------------------------ organisations

@page
def organisations(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    with web.sessions() as s:
        orgs = [{"id": o.id, "name": o.name, "assessments": len(o.assessments)} for o in store.organisations_of(s, me)]
    return render(request, "consultant/organisations.html", {"organisations": orgs})


@page
def add_organisation(request: Request, form) -> Response:
    me = current(request)
    name = _text_field(form, "name")
    with writing(web_of(request).sessions) as s:
        org = store.add_organisation(s, me, name)
    return redirect(f"/organisations/{org.id}")


@page
def organisation(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    with web.sessions() as s:
        org = _owned(store.owned_organisation, s, me, _int(request.path_params["org"]))
        ctx = {"org": {"id": org.id, "name": org.name},
               "assessments": [{"id": a.id, "title": a.title, "date": a.date, "quick": a.quick,
                                "respondents": len(a.respondents),
                                "finished": sum(1 for r in a.respondents if r.finished)}
                               for a in org.assessments],
               "today": datetime.date.today().isoformat()}
    return render(request, "consultant/organisation.html", ctx)


@page
def add_assessment(request: Request, form) -> Response:
    me = current(request)
    title = _text_field(form, "title")
    date = form.get("date") or datetime.date.today().isoformat()
    try:
        date = datetime.date.fromisoformat(date).isoformat()
    except (TypeError, ValueError):
        raise HTTPException(400)
    with writing(web_of(request).sessions) as s:
        org = _owned(store.owned_organisation, s, me, _int(request.path_params["org"]))
        a = store.add_assessment(s, org, title, date, form.get("quick") == "yes")
    return redirect(f"/assessments/{a.id}")


# ------------------------------------------------------------------ assessments

def _assessment_data(request: Request, me: int):
    """The assessment's rows, and its respondents' sheets, read in one short transaction."""
    web = web_of(request)
    with web.sessions() as s:
        a = _owned(store.owned_assessment, s, me, _int(request.path_params["assessment"]))
        counts = store.answer_counts(s, [r.id for r in a.respondents])
        respondents = [{"id": r.id, "label": r.label, "role": r.role, "lang": r.lang, "token": r.token,
                        "finished": r.finished, "answers": counts.get(r.id, 0)} for r in a.respondents]
        sheets = [store.sheet_of(r, store.answers_of(s, r.id)) for r in a.respondents]
        others = [{"id": o.id, "title": o.title, "date": o.date} for o in a.organisation.assessments if o.id != a.id]
        info = {"id": a.id, "title": a.title, "date": a.date, "quick": a.quick,
                "org": {"id": a.organisation.id, "name": a.organisation.name}}
    return info, respondents, sheets, others


@page
def assessment(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    lang = _lang_of(request)
    info, respondents, sheets, others = _assessment_data(request, me)
    d = service.diagnose_sheets(web.system, sheets)
    ctx = {"a": info, "respondents": respondents, "others": others, "roles": ROLES, "d": d,
           "base_url": str(request.base_url).rstrip("/"), "downloads": list(service.DOWNLOADS)}
    if d is not None:
        ctx["report_style"], ctx["report_body"] = service.report_parts(d, lang)
        ctx["explainable"] = service.explainable(d, lang)
    return render(request, "consultant/assessment.html", ctx)


def _lang_of(request: Request) -> str:
    from ..app import chrome_lang

    return chrome_lang(request)


@page
def add_respondent(request: Request, form) -> Response:
    me = current(request)
    label = _text_field(form, "label")
    role, lang = form.get("role"), form.get("lang") or "en"
    if role not in ROLES or lang not in LANGUAGES:
        raise HTTPException(400)
    with writing(web_of(request).sessions) as s:
        a = _owned(store.owned_assessment, s, me, _int(request.path_params["assessment"]))
        store.add_respondent(s, a, label, role, lang, security.new_token())
    return redirect(f"/assessments/{a.id}#respondents")


@page
def explain(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    lang = _lang_of(request)
    kind, what = request.query_params.get("kind", "how"), request.query_params.get("what", "")
    if kind not in ("how", "why_not", "change") or not what or len(what) > 120:
        raise HTTPException(400)
    info, _, sheets, _ = _assessment_data(request, me)
    d = service.diagnose_sheets(web.system, sheets)
    if d is None:
        raise HTTPException(404)
    try:
        text = service.explain(d, kind, what, lang)
        questions = service.answered_questions(d, what) if kind == "how" else []
    except (AccordError, ValueError):
        raise HTTPException(404)
    questions = [(q, d.kb.questions[q].text[lang]) for q, _ in questions]
    return render(request, "consultant/explain.html", {"a": info, "kind": kind, "what": what, "text": text,
                                                       "questions": questions})


@page
def download(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    lang = _lang_of(request)
    name = request.path_params["name"]
    if name not in service.DOWNLOADS:
        raise HTTPException(404)
    info, _, sheets, _ = _assessment_data(request, me)
    d = service.diagnose_sheets(web.system, sheets)
    if d is None:
        raise HTTPException(404)
    try:
        content = service.download(d, name, lang)
    except (expert.GraphvizMissingError, expert.PdfUnavailableError) as exc:
        return Response(str(exc) + "\n", status_code=501, media_type="text/plain; charset=utf-8")
    filename = f"accord-{info['id']}-{name}"
    return Response(content, media_type=service.DOWNLOADS[name][2],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


@page
def respondent_answers(request: Request, form) -> Response:
    """One respondent's answers as the answers file the command line reads."""
    me = current(request)
    web = web_of(request)
    with web.sessions() as s:
        r = _owned(store.owned_respondent, s, me, _int(request.path_params["respondent"]))
        sheet = store.sheet_of(r, store.answers_of(s, r.id))
        ident = r.id
    return Response(service.answers_yaml(sheet), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=respondent-{ident}.yaml"})


@page
def compare(request: Request, form) -> Response:
    me = current(request)
    web = web_of(request)
    lang = _lang_of(request)
    info, _, sheets, others = _assessment_data(request, me)
    other_id = _int(request.query_params.get("with", ""))
    with web.sessions() as s:
        old = _owned(store.owned_assessment, s, me, other_id)
        if old.organisation_id != info["org"]["id"] or old.id == info["id"]:
            raise HTTPException(400)
        old_sheets = [store.sheet_of(r, store.answers_of(s, r.id)) for r in old.respondents]
        old_info = {"id": old.id, "title": old.title, "date": old.date}
    d_new = service.diagnose_sheets(web.system, sheets)
    d_old = service.diagnose_sheets(web.system, old_sheets)
    if d_new is None or d_old is None:
        raise HTTPException(404)
    style, body = service.report_parts_of(service.comparison_html(web.system, d_old, d_new, lang))
    return render(request, "consultant/compare.html", {"a": info, "old": old_info, "report_style": style,
                                                       "report_body": body})


@page
def home(request: Request, form) -> Response:
    current(request)
    return redirect("/organisations")


routes = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/lang/{lang}", set_language, methods=["GET"]),
    Route("/organisations", organisations, methods=["GET"]),
    Route("/organisations", add_organisation, methods=["POST"]),
    Route("/organisations/{org}", organisation, methods=["GET"]),
    Route("/organisations/{org}/assessments", add_assessment, methods=["POST"]),
    Route("/assessments/{assessment}", assessment, methods=["GET"]),
    Route("/assessments/{assessment}/respondents", add_respondent, methods=["POST"]),
    Route("/assessments/{assessment}/explain", explain, methods=["GET"]),
    Route("/assessments/{assessment}/compare", compare, methods=["GET"]),
    Route("/assessments/{assessment}/download/{name}", download, methods=["GET"]),
    Route("/respondents/{respondent}/answers.yaml", respondent_answers, methods=["GET"]),
]
