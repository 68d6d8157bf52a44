"""The quick self-assessment (issue 10): totals and bands, the consultation, the first reading, the evidence."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
import yaml

import cli
import expert
from expert.conditions import UNKNOWN
from expert.quick import MIN_RATED, QUICK_OFFER, FullThenQuick, QuickConsultation, band_of, quick_reading, total_of
from expert.report.quick import read_quick, render_quick
from expert.report.respondents import quick_context
from expert.i18n import Messages

from conftest import EXAMPLES
from consult_script import ACCORD, asked_answers, child_env, example, lines_for

SALES = EXAMPLES / "respondents" / "uralpack-sales.yaml"
MARKETING = EXAMPLES / "respondents" / "uralpack-marketing.yaml"


def ratings(system, value):
    return {s: value for s in system.kb.statements}


class TestTotals:
    @pytest.mark.parametrize("value, total, band", [(1, 20, "LEVEL-1-UNDEFINED"), (2, 40, "LEVEL-2-DEFINED"),
                                                    (3, 60, "LEVEL-3-ALIGNED"), (4, 80, "LEVEL-4-INTEGRATED"),
                                                    (5, 100, "LEVEL-4-INTEGRATED")])
    def test_the_bands_of_the_published_instrument(self, system, value, total, band):
        reading = quick_reading(system.kb, ratings(system, value))
        assert (reading.total, reading.band) == (total, band)

    def test_band_edges(self, system):
        assert [band_of(system.kb, t) for t in (39, 40, 59, 60, 79, 80)] == \
            ["LEVEL-1-UNDEFINED", "LEVEL-2-DEFINED", "LEVEL-2-DEFINED", "LEVEL-3-ALIGNED", "LEVEL-3-ALIGNED",
             "LEVEL-4-INTEGRATED"]

    def test_unknown_statements_count_at_the_average_of_the_others(self, system):
        given = {**ratings(system, 3), "common_terms": UNKNOWN, "one_team_feeling": 5}
        # 18 threes and a five: 59 over 19 statements, times 20 = 62.1
        assert total_of(given) == 62

    def test_too_few_ratings_give_no_total(self, system):
        given = dict(list(ratings(system, 4).items())[:MIN_RATED - 1])
        assert total_of(given) is None and quick_reading(system.kb, given).band is None


class TestAnswersFile:
    def test_the_quick_section_is_read_and_written_back(self, system, tmp_path):
        sheet = expert.read_answers(SALES, system.kb)
        assert sheet.quick["regular_contact"] == 1 and len(sheet.quick) == 20
        expert.write_answers(sheet, tmp_path / "again.yaml")
        assert expert.read_answers(tmp_path / "again.yaml", system.kb).quick == sheet.quick

    @pytest.mark.parametrize("section, fragments", [
        ("quick: {common_term: 4}", ["quick.common_term", "unknown statement", "did you mean common_terms?"]),
        ("quick: {common_terms: 6}", ["quick.common_terms", "is not a rating"]),
        ("quick: [4, 5]", ["'quick' must map statement ids"]),
    ], ids=["typo", "out-of-range", "a-list"])
    def test_a_bad_quick_section_is_one_line(self, runner, tmp_path, section, fragments):
        path = tmp_path / "q.yaml"
        path.write_text(f"organization: Acme\nanswers: {{}}\n{section}\n", encoding="utf-8")
        result = runner.invoke(cli.main, ["diagnose", "--quick", "--answers", str(path)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        for fragment in fragments:
            assert fragment in result.stderr

    def test_the_blank_answers_file_lists_the_statements(self, system):
        template = expert.answers.answers_template(system.kb)
        assert "# quick:" in template and "#   joint_plans:   # 1-5 or unknown" in template


class TestQuickConsultation:
    def test_profile_then_every_statement_in_order(self, system):
        c = QuickConsultation(system)
        assert [c.step.id for _ in range(1)] == ["organization"]
        c.respond("Acme"), c.respond("2")
        assert (c.sheet.organization, c.sheet.role) == ("Acme", "sales")
        seen = []
        while c.step is not None:
            seen.append(c.step.id)
            c.respond("3")
        assert seen == list(system.kb.statements) and c.asked() == 20

    def test_back_keeps_the_rating_and_offers_it_again(self, system):
        c = QuickConsultation(system, ask_profile=False)
        c.respond("4"), c.respond("2")
        assert c.respond("back").step.id == "regular_contact" and c.step.previous == 2
        c.respond("")  # Enter keeps it
        assert c.sheet.quick == {"common_terms": 4, "regular_contact": 2} and c.step.id == "clear_duties"

    def test_unknown_help_why_and_bad_ratings(self, system):
        c = QuickConsultation(system, ask_profile=False)
        assert c.respond("не знаю").kind == "answered" and c.sheet.quick == {"common_terms": UNKNOWN}
        assert c.respond("7").kind == "invalid" and c.respond("?").help["en"].startswith("Rate how true")
        why = c.respond("why").why
        assert {r.rule for r in why.rules} >= {"quick-total-reads-aligned", "quick-total-reads-undefined"}

    def test_a_declined_offer_is_recorded_and_not_made_again(self, system):
        c = QuickConsultation(system, ask_profile=False, offer=True)
        assert c.step.id == QUICK_OFFER
        outcome = c.respond("2")
        assert outcome.changed and c.sheet.quick == {} and c.step is None
        again = QuickConsultation(system, c.sheet, ask_profile=False, offer=True)
        assert again.step is None

    def test_an_accepted_offer_asks_the_statements(self, system):
        c = QuickConsultation(system, ask_profile=False, offer=True)
        c.respond("1")
        assert c.step.id == "common_terms" and c.sheet.quick is None  # nothing to save until a rating
        assert c.respond("back").step.id == QUICK_OFFER and c.step.previous == "yes"

    def test_the_full_consultation_ends_with_the_offer_and_back_returns_to_it(self, system):
        sheet = example(system, EXAMPLES / "integrated-fmcg.yaml")
        answered = asked_answers(system, sheet)  # every question the consultation asks has an answer
        c = FullThenQuick(system, replace(sheet, answers=answered, quick=None, profile_given=("organization", "role")))
        assert c.step.id == QUICK_OFFER and c.optional
        outcome = c.respond("back")
        assert outcome.kind == "back" and c.step.id in system.kb.questions and c.step.previous is not None
        c.respond("")
        assert c.step.id == QUICK_OFFER


class TestCommandLine:
    def test_line_mode_in_english_then_resume(self, runner, tmp_path):
        session = tmp_path / "q.yaml"
        first = runner.invoke(cli.main, ["diagnose", "--quick", "--save", str(session)],
                              input="Acme\n2\n4\n3\n")
        assert first.exit_code == 0, first.stderr
        assert "accord diagnose --quick --save" in first.stderr and "--resume" in first.stderr
        saved = yaml.safe_load(session.read_text(encoding="utf-8"))
        assert saved["quick"] == {"common_terms": 4, "regular_contact": 3} and saved["respondent"] == {"role": "sales"}
        rest = runner.invoke(cli.main, ["diagnose", "--quick", "--save", str(session), "--resume"],
                             input="3\n" * 18)
        assert rest.exit_code == 0, rest.stderr
        assert "Question 3," in rest.stderr and "A first reading, not a diagnosis" in rest.stdout
        assert "Total 61 of 100: reads as 3 Aligned (60–79)." in rest.stdout

    def test_line_mode_in_russian_with_json(self, runner, tmp_path):
        result = runner.invoke(cli.main, ["diagnose", "--quick", "--lang", "ru", "--save", str(tmp_path / "q.yaml"),
                                          "--format", "json"], input="Acme\n3\n" + "2\n" * 20)
        assert result.exit_code == 0, result.stderr
        assert "Продажи и маркетинг используют одни и те же ключевые термины" in result.stderr
        data = json.loads(result.stdout)
        assert data["quick"]["total"] == 40 and data["quick"]["band_name"] == "Формализованные отношения"
        assert data["first_reading"] is True and data["language"] == "ru"

    @pytest.mark.parametrize("fmt, mark", [("md", "# Acme — Quick self-assessment"),
                                           ("html", "<h1>Quick self-assessment — Acme</h1>")])
    def test_every_format(self, runner, tmp_path, fmt, mark):
        result = runner.invoke(cli.main, ["diagnose", "--quick", "--save", str(tmp_path / "q.yaml"), "--format", fmt],
                               input="Acme\n1\n" + "4\n" * 20)
        assert result.exit_code == 0 and mark in result.stdout and "<script" not in result.stdout

    def test_the_reading_of_two_files_shows_the_sides(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--quick", "--answers", str(SALES), "--answers", str(MARKETING)])
        assert result.exit_code == 0, result.stderr
        out = " ".join(result.stdout.split())  # as read, whatever the line breaks
        assert "Average of the sides: 50 of 100." in out and "not read as a level" in out
        assert "Total 28 of 100" in out and "Total 72 of 100" in out and "Where the sides differ most" in out

    def test_same_input_same_bytes(self, system):
        summary = read_quick([expert.read_answers(SALES, system.kb), expert.read_answers(MARKETING, system.kb)], system)
        for fmt in ("text", "md", "html", "json"):
            assert render_quick(summary, fmt, "ru") == render_quick(summary, fmt, "ru")

    def test_the_full_consultation_offers_the_quick_section(self, runner, system, tmp_path):
        sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
        lines = lines_for(system, sheet)
        declined = runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "a.yaml")],
                                 input="\n".join(lines + ["2"]) + "\n")
        assert declined.exit_code == 0 and "Would you also rate 20 short statements" in declined.stderr
        assert yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))["quick"] == {}
        silent = runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "b.yaml")],
                               input="\n".join(lines) + "\n")
        assert silent.exit_code == 0 and "Accord diagnosis — Uralpack" in silent.stdout  # end of input declines
        rated = runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "c.yaml")],
                              input="\n".join(lines + ["1"] + ["5"] * 20) + "\n")
        assert rated.exit_code == 0, rated.stderr
        assert "Quick self-assessment" in rated.stdout and "Total 100 of 100" in rated.stdout

    def test_an_accepted_offer_survives_the_end_of_input(self, runner, system, tmp_path):
        # a respondent answering one line per run accepts the offer, and the next run goes on to the
        # statements with the same command, not back to the offer (every given answer is kept)
        sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
        path = tmp_path / "a.yaml"
        accepted = runner.invoke(cli.main, ["diagnose", "--save", str(path)],
                                 input="\n".join(lines_for(system, sheet) + ["1"]) + "\n")
        assert accepted.exit_code == 0, accepted.stderr
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["quick_offer"] == "accepted"
        resumed = runner.invoke(cli.main, ["diagnose", "--save", str(path), "--resume"], input="4\n")
        assert resumed.exit_code == 0, resumed.stderr
        saved = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert saved["quick"] == {"common_terms": 4} and "quick_offer" not in saved
        declined = runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "b.yaml")],
                                 input="\n".join(lines_for(system, sheet) + ["1", "back", "2"]) + "\n")
        assert declined.exit_code == 0, declined.stderr
        saved = yaml.safe_load((tmp_path / "b.yaml").read_text(encoding="utf-8"))
        assert saved["quick"] == {} and "quick_offer" not in saved

    def test_a_bad_offer_state_is_refused_with_one_line(self, runner, tmp_path):
        path = tmp_path / "a.yaml"
        path.write_text("answers: {marketing_department: separate}\nquick_offer: maybe\n", encoding="utf-8")
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(path)])
        assert result.exit_code == 2 and "quick_offer" in result.stderr and "accepted" in result.stderr
        assert "Traceback" not in result.stderr


class TestInTheDiagnosis:
    def test_a_band_the_diagnosis_agrees_with(self, system):
        sheet = replace(example(system, EXAMPLES / "defined-manufacturer.yaml"), quick=ratings(system, 2))
        d = expert.diagnose(sheet, system)
        ctx = quick_context(d, Messages(system.kb, "en"))
        assert ctx["verdict"] == "The full diagnosis agrees: 2 Defined." and ctx["reasons"] == []
        assert any(e.firing.rule == "quick-total-reads-defined" for e in d.level.evidence_for)

    def test_a_band_the_diagnosis_disagrees_with_says_why(self, system):
        sheet = replace(example(system, EXAMPLES / "defined-manufacturer.yaml"), quick=ratings(system, 5))
        d = expert.diagnose(sheet, system)
        assert d.level.id == "LEVEL-2-DEFINED"  # the total is evidence, never the verdict
        ctx = quick_context(d, Messages(system.kb, "en"))
        assert ctx["verdict"].startswith("The full diagnosis finds 2 Defined instead")
        assert ctx["reasons"][0].startswith("Against 4 Integrated: ")

    def test_the_text_report_has_the_section(self, system):
        from expert.report.text import render_text

        sheet = replace(example(system, EXAMPLES / "defined-manufacturer.yaml"), quick=ratings(system, 5))
        text = render_text(expert.diagnose(sheet, system), "ru")
        assert "Экспресс-самооценка" in text and "Сумма 100 из 100" in text


@pytest.mark.slow
def test_quick_menus_on_a_terminal(system, tmp_path):
    """accord diagnose --quick on a pseudo-terminal: menus, a number as the shortcut, Russian."""
    pexpect = pytest.importorskip("pexpect")
    env = child_env(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", COLUMNS="120")
    child = pexpect.spawn(ACCORD[0], ACCORD[1:] + ["diagnose", "--quick", "--lang", "ru", "--save",
                                                   str(tmp_path / "q.yaml"), "-o", "q.md"],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30, dimensions=(50, 120))
    child.logfile_read = io.StringIO()
    child.expect_exact("Как называется ваша организация?")
    child.sendline("Acme")
    child.expect_exact("Какова ваша роль в компании?")
    child.send("3\r")
    for number, statement in enumerate(system.kb.statements.values()):
        child.expect_exact(statement.text["ru"][:50])
        child.send(f"{1 + number % 5}\r")
    child.expect_exact("Готово: оценено 20 из 20 утверждений.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()[-3000:]
    report = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "Сумма 60 из 100" in report and "Первое впечатление, а не диагноз" in report
    assert yaml.safe_load((tmp_path / "q.yaml").read_text(encoding="utf-8"))["respondent"] == {"role": "marketing"}
