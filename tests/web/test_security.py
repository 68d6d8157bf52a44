"""Bad requests get the right status and a readable page, and nothing is stored from them."""

from __future__ import annotations

import pytest

from web.web_helpers import Browser, add_consultant, answer, answer_rows, current_step, make_assessment


def test_an_unknown_token_is_404_with_a_readable_page(browser):
    r = browser.get("/r/not-a-real-token-at-all-xxxxxxxxxx")
    assert r.status_code == 404 and "There is nothing at this address" in r.text
    assert browser.post("/r/not-a-real-token-at-all-xxxxxxxxxx", {"step": "x"}).status_code == 404


def test_tokens_are_long_random_and_not_sequential(consultant):
    _, tokens = make_assessment(consultant, roles=("sales", "marketing", "other"), langs=("en", "en", "en"))
    assert len(set(tokens)) == 3 and all(len(t) >= 32 for t in tokens)
    assert len({t[:4] for t in tokens}) == 3


def test_a_forged_form_is_refused_and_nothing_stored(consultant, browser, sessions):
    _, (token, _) = make_assessment(consultant)
    step = current_step(browser, token)
    for forged in ({"csrf_token": "forged"}, {}):
        r = browser.client.post(f"/r/{token}", data={"step": step, "command": "unknown", **forged})
        assert r.status_code == 403 and "Nothing was stored" in r.text
    stranger = Browser(consultant.client.app)  # another browser's token with this browser's cookie
    stranger.get("/login")
    r = browser.client.post(f"/r/{token}", data={"step": step, "command": "unknown", "csrf_token": stranger.token})
    assert r.status_code == 403
    assert answer_rows(sessions, token) == []
    r = consultant.client.post("/organisations", data={"name": "Forged"})
    assert r.status_code == 403


def test_a_malformed_answer_is_400_and_nothing_stored(consultant, browser, sessions):
    _, (token, _) = make_assessment(consultant)
    assert answer(browser, token, values=["banana"]).status_code == 400
    assert answer(browser, token, values=[]).status_code == 400
    assert answer(browser, token, command="drop-tables").status_code == 400
    r = answer(browser, token, values=["separate"], step="conflict_frequency")  # not the question asked
    assert r.status_code == 409
    assert answer_rows(sessions, token) == []


def test_another_consultants_organisation_is_403_and_not_shown(app, consultant, sessions):
    assessment, _ = make_assessment(consultant)
    other = Browser(app).login(add_consultant(sessions))
    page = other.get("/organisations").text
    assert "Uralpack" not in page
    for url in (f"/assessments/{assessment}", f"/assessments/{assessment}/explain?kind=how&what=level",
                f"/assessments/{assessment}/download/report.html"):
        r = other.get(url)
        assert r.status_code == 403 and "another consultant" in r.text
    r = other.post(f"/assessments/{assessment}/respondents", {"label": "Mole", "role": "sales", "lang": "en"})
    assert r.status_code == 403
    assert other.get("/assessments/999999").status_code == 404


def test_pages_need_a_login_and_next_is_never_another_site(app, sessions):
    b = Browser(app)
    r = b.get("/organisations")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/organisations"
    email = add_consultant(sessions)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        b.get("/login")
        r = b.post("/login", {"email": email, "password": "correct horse battery", "next": target})
        assert r.status_code == 303 and r.headers["location"] == "/"
    assert b.get("/lang/ru?next=https://evil.example/").headers["location"] == "/"


def test_a_wrong_password_is_refused(app, sessions):
    b = Browser(app)
    email = add_consultant(sessions)
    b.get("/login")
    r = b.post("/login", {"email": email, "password": "wrong", "next": "/"})
    assert r.status_code == 400 and "wrong" in r.text
    assert "accord_login" not in r.cookies


@pytest.mark.parametrize("field", ["label", "role", "lang"])
def test_a_respondent_with_a_bad_field_is_400_and_not_added(consultant, field):
    assessment, tokens = make_assessment(consultant)
    data = {"label": "X", "role": "sales", "lang": "en", field: "nonsense" if field != "label" else ""}
    assert consultant.post(f"/assessments/{assessment}/respondents", data).status_code == 400
    assert len(make_assessment.__globals__["re"].findall(r"/r/[A-Za-z0-9_-]{20,}",
                                                         consultant.get(f"/assessments/{assessment}").text)) == 2
