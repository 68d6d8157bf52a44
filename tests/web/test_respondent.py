"""The respondent's side: the adaptive questionnaire by link, stored answer by answer, resumable."""

from __future__ import annotations

import json

from web.web_helpers import answer, answer_rows, current_step, make_assessment


def test_each_answer_is_stored_when_given_and_the_link_resumes(consultant, browser, sessions):
    _, (token, _) = make_assessment(consultant)
    first = current_step(browser, token)
    assert first == "marketing_department"
    page = browser.get(f"/r/{token}").text
    assert "Uralpack &lt;script&gt;" in page and "<script>" not in page  # autoescaped
    assert answer(browser, token, values=["separate"]).status_code == 303
    assert answer_rows(sessions, token) == [("marketing_department", '"separate"')]
    second = current_step(browser, token)
    assert second != first
    # a new browser (the tab closed, the link opened later) continues at the same question
    from web.web_helpers import Browser

    later = Browser(consultant.client.app)
    assert current_step(later, token) == second
    assert answer(later, token, command="unknown").status_code == 303
    assert answer_rows(sessions, token)[1] == (second, '"unknown"')


def test_back_offers_the_answer_again_and_removes_nothing(consultant, browser, sessions):
    _, (token, _) = make_assessment(consultant)
    answer(browser, token, values=["separate"])
    answer(browser, token, command="unknown")
    assert answer(browser, token, command="back").status_code == 303
    page = browser.get(f"/r/{token}").text
    assert 'name="step" value="' in page and len(answer_rows(sessions, token)) == 2
    step = current_step(browser, token)
    assert step == answer_rows(sessions, token)[1][0]  # the second question, offered again


def test_the_page_speaks_the_respondents_language_and_switches(consultant, browser):
    _, (en_token, ru_token) = make_assessment(consultant)
    assert "Далее" in browser.get(f"/r/{ru_token}").text
    assert "Next" in browser.get(f"/r/{en_token}").text
    assert "Далее" in browser.get(f"/r/{en_token}?lang=ru").text
    answer(browser, en_token, command="unknown", lang="ru")
    assert "<html lang=\"ru\">" in browser.get(f"/r/{en_token}").text  # the language chosen is kept


def test_help_and_why_are_shown(consultant, browser):
    _, (token, _) = make_assessment(consultant)
    page = browser.get(f"/r/{token}").text
    assert "Help: what does the question mean?" in page
    why = browser.get(f"/r/{token}?why=1").text
    assert '<div class="why">' in why


def test_a_finished_questionnaire_says_thank_you_and_offers_the_quick_section_when_chosen(consultant, browser,
                                                                                         sessions):
    _, (token, _) = make_assessment(consultant, quick=True)
    seen = []
    for _ in range(80):
        step = current_step(browser, token)
        if step is None:
            break
        seen.append(step)
        if step == "quick_offer":
            answer(browser, token, values=["yes"], step=step)
        elif step == "confirm":
            answer(browser, token, values=["keep"], step=step)
        else:
            answer(browser, token, command="unknown", step=step)
    assert step is None, seen
    assert "quick_offer" in seen and "common_terms" in seen
    assert "Thank you" in browser.get(f"/r/{token}").text
    keys = [k for k, _ in answer_rows(sessions, token)]
    assert "quick.common_terms" in keys
    assert all(json.loads(v) == "unknown" for _, v in answer_rows(sessions, token))
