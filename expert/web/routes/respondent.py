"""The respondent's pages: ``/r/<token>``, the adaptive questionnaire, one question per page.

The link's token is all a respondent has; it opens their own questionnaire
and nothing else. Each request rebuilds the consultation from the stored
answers and cursor (:func:`expert.web.service.consultation_for`); each answer
is stored before the next page is shown, so closing the tab loses nothing.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from expert.consultation import AT_START, INVALID
from expert.i18n import LANGUAGES

from .. import service, store
from ..app import page, redirect, render, web_of
from ..db import writing


def _load(web, token: str):
    """The respondent, their answer rows, version and rebuilt consultation; 404 for an unknown token."""
    with web.sessions() as s:
        r = store.respondent_by_token(s, token)
        if r is None:
            raise HTTPException(404)
        rows = store.answers_of(s, r.id)
        sheet = store.sheet_of(r, rows)
        info = {"id": r.id, "version": r.version, "lang": r.lang, "quick": r.assessment.quick,
                "organisation": r.assessment.organisation.name, "label": r.label, "role": r.role,
                "cursor": (r.state or {}).get("cursor"), "rows": rows, "respondent": r}
    c = service.consultation_for(web.system, sheet, info["quick"], info["cursor"])
    return info, c


def _lang(request: Request, info: dict, form=None) -> str:
    lang = (form.get("lang") if form is not None else None) or request.query_params.get("lang") or info["lang"]
    return lang if lang in LANGUAGES else "en"


def _question_page(request, web, token, info, c, lang, status=200, problem=None, show_why=False):
    view = service.step_view(web.system, c, lang)
    ctx = {"token": token, "info": info, "view": view, "problem": problem, "asked": c.asked(),
           "why": service.why_view(web.system, c, lang) if show_why and view is not None else None,
           "can_go_back": bool(info["rows"]) or c.revisiting}
    if view is None:
        return render(request, "respondent/done.html", ctx, status=status, lang=lang)
    return render(request, "respondent/question.html", ctx, status=status, lang=lang)


@page
def questionnaire(request: Request, form) -> object:
    web = web_of(request)
    token = request.path_params["token"]
    info, c = _load(web, token)
    lang = _lang(request, info)
    return _question_page(request, web, token, info, c, lang, show_why=request.query_params.get("why") == "1")


@page
def answer(request: Request, form) -> object:
    web = web_of(request)
    token = request.path_params["token"]
    info, c = _load(web, token)
    lang = _lang(request, info, form)
    step = c.step
    given_step = form.get("step")
    command = form.get("command")
    if command not in (None, "", "answer", "unknown", "back"):
        raise HTTPException(400)
    if step is None and command != "back":
        return redirect(f"/r/{token}")
    if step is not None and given_step != step.id:
        # a page from before (another tab, the browser's back button): nothing is stored from it
        return render(request, "respondent/stale.html", {"token": token}, status=409, lang=lang)
    view = service.step_view(web.system, c, lang) if step is not None else None
    values = [v for v in form.getlist("value") if isinstance(v, str)]
    if any(len(v) > 200 for v in values):
        raise HTTPException(400)
    text = service.typed_reply(view.kind if view else "", values, command or None)
    outcome = c.respond(text)
    if outcome.kind == INVALID:
        problem = service.invalid_hint(web.system, c, lang)
        return _question_page(request, web, token, info, c, lang, status=400, problem=problem)
    if outcome.kind == AT_START:
        return redirect(f"/r/{token}?lang={lang}")
    try:
        with writing(web.sessions) as s:
            r = s.get(type(info["respondent"]), info["id"])
            rows = store.answers_of(s, r.id)
            store.save_sheet(s, r, info["version"], rows, c.sheet, c.cursor, lang, c.done)
    except store.Conflict:
        return render(request, "respondent/stale.html", {"token": token}, status=409, lang=lang)
    return redirect(f"/r/{token}?lang={lang}")


routes = [
    Route("/r/{token}", questionnaire, methods=["GET"]),
    Route("/r/{token}", answer, methods=["POST"]),
]
