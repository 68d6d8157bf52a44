"""The consultant's side: the combined report with gaps, explanations, downloads, comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

import expert
from web.web_helpers import make_assessment
from expert.web import demo

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "examples/respondents/uralpack-sales.yaml", ROOT / "examples/respondents/uralpack-marketing.yaml"]


@pytest.fixture(scope="module")
def demo_assessment(db_url):
    """The demo: the heads of sales and marketing of the manufacturer, answered from their files."""
    email, password, ident = demo.seed(db_url, FILES, expert.load_expert())
    return email, password, ident


@pytest.fixture()
def demo_consultant(app, demo_assessment):
    from web.web_helpers import Browser

    b = Browser(app)
    b.get("/login")
    assert b.post("/login", {"email": demo_assessment[0], "password": demo_assessment[1], "next": "/"}).status_code == 303
    return b


def test_the_assessment_page_shows_the_combined_report_with_gaps(demo_consultant, demo_assessment):
    page = demo_consultant.get(f"/assessments/{demo_assessment[2]}")
    assert page.status_code == 200
    system = expert.load_expert()
    from expert.respondents import diagnose_organisation

    d = diagnose_organisation([expert.read_answers(f, system.kb) for f in FILES], system)
    name = system.kb.levels[d.level.id].name["en"]
    assert name in page.text
    assert "How the respondents see it" in page.text  # the perception gaps section of the report
    assert "<svg" in page.text  # the plan graph
    assert "finished" in page.text
    assert f"/assessments/{demo_assessment[2]}/explain?kind=how&amp;what=level" in page.text


def test_an_explanation_opens_in_plain_words(demo_consultant, demo_assessment):
    a = demo_assessment[2]
    how = demo_consultant.get(f"/assessments/{a}/explain?kind=how&what=level")
    assert how.status_code == 200 and "How this was concluded" in how.text
    assert "accord explain" not in how.text
    cause = demo_consultant.get(f"/assessments/{a}/explain?kind=how&what=CAUSE-NO-SHARED-LEAD-DEFINITION")
    assert "kind=change&amp;what=lead_acceptance_pct" in cause.text
    why_not = demo_consultant.get(f"/assessments/{a}/explain?kind=why_not&what=LEVEL-4-INTEGRATED")
    assert why_not.status_code == 200
    change = demo_consultant.get(f"/assessments/{a}/explain?kind=change&what=lead_acceptance_pct")
    assert change.status_code == 200
    assert demo_consultant.get(f"/assessments/{a}/explain?kind=how&what=NO-SUCH-THING").status_code == 404
    assert demo_consultant.get(f"/assessments/{a}/explain?kind=eval&what=level").status_code == 400


@pytest.mark.parametrize("name", ["report.html", "report.md", "report.txt", "diagnosis.json", "plan.svg",
                                  "plan.dot", "plan.json", "plan.graphml", "plan.mmd", "plan.csv", "plan.png"])
def test_every_format_downloads(demo_consultant, demo_assessment, name):
    r = demo_consultant.get(f"/assessments/{demo_assessment[2]}/download/{name}")
    if r.status_code == 501:
        pytest.skip(r.text.strip())
    assert r.status_code == 200 and r.content
    assert "attachment" in r.headers["content-disposition"]


def test_the_answers_file_of_a_respondent_reads_back(demo_consultant, demo_assessment, tmp_path):
    page = demo_consultant.get(f"/assessments/{demo_assessment[2]}").text
    import re

    ident = re.search(r"/respondents/(\d+)/answers.yaml", page).group(1)
    path = tmp_path / "a.yaml"
    path.write_bytes(demo_consultant.get(f"/respondents/{ident}/answers.yaml").content)
    sheet = expert.read_answers(path, expert.load_expert().kb)
    assert sheet.organization == "Uralpack" and sheet.answers


def test_compare_with_an_earlier_assessment(demo_consultant, demo_assessment, db_url):
    _, _, later = demo.seed(db_url, FILES[:1], expert.load_expert())  # the same consultant, a new organisation
    r = demo_consultant.get(f"/assessments/{demo_assessment[2]}/compare?with={later}")
    assert r.status_code == 400  # another organisation's assessment: not comparable


def test_compare_two_assessments_of_one_organisation(consultant):
    from web.web_helpers import answer

    a1, (t1, _) = make_assessment(consultant)
    answer(consultant, t1, values=["separate"])
    import re

    org = re.search(r'href="/organisations/(\d+)"', consultant.get(f"/assessments/{a1}").text).group(1)
    r = consultant.post(f"/organisations/{org}/assessments", {"title": "Autumn", "date": "2026-10-01"})
    a2 = int(r.headers["location"].rsplit("/", 1)[1])
    consultant.post(f"/assessments/{a2}/respondents", {"label": "Head of sales", "role": "sales", "lang": "en"})

    t2 = re.findall(r"/r/([A-Za-z0-9_-]{20,})", consultant.get(f"/assessments/{a2}").text)[0]
    answer(consultant, t2, command="unknown")
    r = consultant.get(f"/assessments/{a2}/compare?with={a1}")
    assert r.status_code == 200 and "What changed" in r.text


def test_an_assessment_without_answers_says_so(consultant):
    a, _ = make_assessment(consultant)
    assert "No answers yet" in consultant.get(f"/assessments/{a}").text
