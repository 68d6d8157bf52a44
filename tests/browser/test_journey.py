"""The whole journey in a real browser: a consultant sets up an assessment, two respondents answer in
two languages (one closes the page midway and resumes by the link), the consultant reads the combined
report with its gaps and opens an explanation. Screenshots of each page, desktop and 390 px wide, go
to out/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    """The page at desktop width and at 390 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size(DESKTOP)
    capture(page, SHOTS / f"{name}-desktop.png")
    page.set_viewport_size(PHONE)
    capture(page, SHOTS / f"{name}-390.png", full_page=True)
    page.set_viewport_size(size)


def capture(page, path: Path, full_page: bool = False, attempts: int = 3) -> None:
    """A screenshot once the resized page has painted a frame. Headless chromium on a busy machine now
    and then answers "Unable to capture screenshot" right after a resize; a later frame succeeds."""
    from playwright.sync_api import Error

    for attempt in range(attempts):
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return
        except Error:
            if attempt == attempts - 1:
                raise
            page.wait_for_timeout(200)


def step_of(page) -> str | None:
    field = page.locator('input[name="step"]')
    return field.get_attribute("value") or None if field.count() else None


def answer_some(page, count: int, unknown_label: str, choose: bool = True) -> None:
    """Answer ``count`` questions: the first choice where there are choices (``choose``), else "don't know"."""
    for _ in range(count):
        if step_of(page) is None:
            return
        first = page.locator('input[name="value"][type="radio"], input[name="value"][type="checkbox"]').first
        if choose and first.count():
            first.check()
            page.get_by_role("button", name=re.compile("^(Next|Далее)$")).click()
        else:
            page.get_by_role("button", name=unknown_label).click()
        page.wait_for_load_state()


def test_consultant_and_two_respondents(live_server, chromium):
    url, email, password = live_server
    consultant = chromium.new_context(viewport=DESKTOP)
    page = consultant.new_page()
    page.goto(url + "/")
    assert "/login" in page.url
    shot(page, "01-login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/organisations$"))
    page.fill('input[name="name"]', "Uralpack")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    page.fill('input[name="title"]', "Spring 2026")
    shot(page, "02-organisation")
    page.get_by_role("button", name="Create the assessment").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    assessment_url = page.url
    for label, role, lang in (("Head of sales", "sales", "en"), ("Head of marketing", "marketing", "ru")):
        page.fill('input[name="label"]', label)
        page.select_option('select[name="role"]', role)
        page.select_option('select[name="lang"]', lang)
        page.get_by_role("button", name="Add respondent").click()
        page.wait_for_load_state()
    links = [box.input_value() for box in page.locator("input.link-box").all()]
    assert len(links) == 2
    shot(page, "03-assessment-empty")

    # the head of sales answers in English on a phone, closes the page midway and resumes by the link
    phone = chromium.new_context(viewport=PHONE)
    sales = phone.new_page()
    sales.goto(links[0])
    assert sales.locator("html").get_attribute("lang") == "en"
    shot(sales, "04-question-en")
    sales.get_by_role("link", name="Why is this asked?").click()
    sales.wait_for_load_state()
    shot(sales, "05-why-en")
    answer_some(sales, 3, "Don't know")
    where = step_of(sales)
    assert where is not None
    phone.close()  # the tab is closed
    later = chromium.new_context(viewport=PHONE)
    sales = later.new_page()
    sales.goto(links[0])
    assert step_of(sales) == where  # continues where it stopped
    answer_some(sales, 60, "Don't know", choose=False)
    assert step_of(sales) is None and "Thank you" in sales.content()
    shot(sales, "06-done-en")
    later.close()

    # the head of marketing answers in Russian
    ru = chromium.new_context(viewport=PHONE)
    marketing = ru.new_page()
    marketing.goto(links[1])
    assert "Далее" in marketing.content()
    shot(marketing, "07-question-ru")
    answer_some(marketing, 2, "Не знаю", choose=True)
    answer_some(marketing, 60, "Не знаю", choose=False)
    assert "Спасибо" in marketing.content()
    ru.close()

    # the consultant reads the combined report with the gaps and opens an explanation
    page.goto(assessment_url)
    assert page.locator("span.ok").count() == 2  # both finished
    assert "How the respondents see it" in page.content()
    shot(page, "08-assessment-report")
    page.locator("#explain ul.chips a").first.click()
    page.wait_for_load_state()
    assert "How this was concluded" in page.content()
    shot(page, "09-explanation")
    consultant.close()
