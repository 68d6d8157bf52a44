"""accord diagnose without --answers, in line mode: one line per question from standard input.

CliRunner's standard input is not a terminal, so it drives the line mode;
the interrupted run uses a real child process, killed with SIGKILL.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

import cli
import expert
from expert.consultation import CONFIRM

from conftest import EXAMPLES
from consult_script import (ACCORD, asked_answers, asked_in_order, child_env, consulted, example, jsonable, lines_for,
                            walk)

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def diagnosis_json(result) -> dict:
    """The diagnosis without the answers, the question counts and the date.

    An example file may hold answers that are set aside, or lack answers the
    consultation asks (answered 'unknown'); the conclusions must agree. A
    consultation records the day it was held; an example has no date.
    """
    data = json.loads(result.stdout)
    del data["questions"], data["answers"], data["date"]
    return data


def consult(runner, tmp_path, lines, *args, session="session.yaml"):
    return runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / session), *args],
                         input="".join(f"{line}\n" for line in lines))


def write_sheet(path: Path, sheet: expert.AnswerSheet, profile: expert.AnswerSheet) -> Path:
    """Write a consultation's answers with the organisation and role of ``profile``."""
    expert.answers.write_answers(replace(sheet, organization=profile.organization, role=profile.role,
                                         profile_given=("organization", "role")), path)
    return path


class TestLineMode:
    @pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
    def test_a_full_consultation_diagnoses_like_the_answers_file(self, runner, system, tmp_path, path):
        sheet = example(system, path)
        result = consult(runner, tmp_path, lines_for(system, sheet, selective=False), "--thorough", "--format", "json")
        assert result.exit_code == 0, result.stderr
        direct = runner.invoke(cli.main, ["diagnose", "--answers", str(path), "--format", "json"])
        assert diagnosis_json(result) == diagnosis_json(direct)
        asked = asked_answers(system, sheet, selective=False)
        assert json.loads(result.stdout)["answers"] == jsonable(asked)
        assert f"Done: {len(asked)} questions asked of {len(system.kb.questions)}" in result.stderr
        assert "Nothing left could change the diagnosis" not in result.stderr

    @pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
    def test_a_selective_consultation_diagnoses_its_answers_and_lists_what_it_skipped(self, runner, system, tmp_path,
                                                                                    path):
        sheet = example(system, path)
        result = consult(runner, tmp_path, lines_for(system, sheet), "--format", "json")
        assert result.exit_code == 0, result.stderr
        consultation, _ = consulted(system, sheet)
        data = json.loads(result.stdout)
        assert data["answers"] == jsonable(consultation.answers)
        assert f"Done: {len(consultation.answers)} questions asked of {len(system.kb.questions)}" in result.stderr
        # the report is the diagnosis of the answers given, the skipped questions not counted as unknown
        own = write_sheet(tmp_path / "own.yaml", consultation.sheet, sheet)
        direct = runner.invoke(cli.main, ["diagnose", "--answers", str(own), "--format", "json"])
        assert diagnosis_json(result) == diagnosis_json(direct)
        skipped = [q["id"] for q in data["questions"]["not_needed"]]
        assert skipped == list(consultation.not_needed)
        if skipped:
            assert "Nothing left could change the diagnosis" in result.stderr
            assert system.kb.questions[skipped[0]].text["en"].split()[0] in result.stderr
            assert "--resume --thorough" in result.stderr

    def test_the_session_file_is_an_ordinary_answers_file(self, runner, system, tmp_path):
        sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
        result = consult(runner, tmp_path, lines_for(system, sheet), "-o", str(tmp_path / "report.md"))
        assert result.exit_code == 0, result.stderr
        saved = expert.read_answers(tmp_path / "session.yaml", system.kb)
        assert (saved.organization, saved.role, saved.lang) == ("Uralpack", "executive", "en")
        assert saved.answers == asked_answers(system, sheet)
        again = runner.invoke(cli.main, ["diagnose", "--answers", str(tmp_path / "session.yaml")])
        assert again.exit_code == 0 and "Uralpack" in again.stdout
        assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Uralpack")

    def test_the_text_report_after_a_consultation_names_its_session_file(self, runner, system, tmp_path):
        sheet = example(system, EXAMPLES / "aligned-software.yaml")
        result = consult(runner, tmp_path, lines_for(system, sheet), "-o", str(tmp_path / "report.txt"))
        assert result.exit_code == 0, result.stderr
        report = "".join((tmp_path / "report.txt").read_text(encoding="utf-8").split())  # a long path wraps anywhere
        assert "session.yaml--how" in report and "--answersFILE" not in report

    def test_why_help_back_and_unknown_work_at_any_prompt(self, runner, tmp_path):
        lines = ["Acme", "?", "why", "1", "1", "1", "why", "?", "lots", "420", "back", "", "unknown", "back", "back",
                 "600", "не знаю"]
        result = consult(runner, tmp_path, lines, "--thorough")  # the questionnaire's order
        assert result.exit_code == 0, result.stderr
        err = result.stderr
        assert "Rules that read your answer" in err and "The company is small" in err  # why on 'employees'
        assert "An estimate is enough" in err  # help on 'employees'
        assert "Please type a number, at least 1" in err
        assert "Enter keeps the earlier answer: 420" in err
        saved = yaml.safe_load((tmp_path / "session.yaml").read_text(encoding="utf-8"))
        assert saved["answers"] == {"marketing_department": "separate", "leadership": "ceo", "employees": 600,
                                    "market_type": "unknown"}
        assert "To continue:" in err and f"accord diagnose --save {tmp_path / 'session.yaml'} --resume" in err

    def test_end_of_input_saves_what_was_given_and_exits_0(self, runner, system, tmp_path):
        lines = lines_for(system, example(system, EXAMPLES / "aligned-software.yaml"))[:7]
        result = consult(runner, tmp_path, lines)
        assert result.exit_code == 0
        assert result.stdout == ""
        assert "5 answers are saved in" in result.stderr
        assert f"accord diagnose --save {tmp_path / 'session.yaml'} --resume" in result.stderr
        assert len(expert.read_answers(tmp_path / "session.yaml", system.kb).answers) == 5

    def test_resume_continues_in_the_language_of_the_session(self, runner, system, tmp_path):
        lines = lines_for(system, example(system, EXAMPLES / "integrated-fmcg.yaml"))
        first = consult(runner, tmp_path, lines[:5], "--lang", "ru")
        assert first.exit_code == 0 and "Чтобы продолжить" in first.stderr
        rest = consult(runner, tmp_path, lines[5:], "--resume")
        assert rest.exit_code == 0, rest.stderr
        assert "[Вопрос 4," in rest.stderr and "Продолжаем консультацию" in rest.stderr

    def test_an_existing_session_is_not_overwritten(self, runner, tmp_path):
        (tmp_path / "session.yaml").write_text("answers: {}\n", encoding="utf-8")
        result = consult(runner, tmp_path, ["Acme"])
        assert result.exit_code == 2
        assert "already exists" in result.stderr and "--resume" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert (tmp_path / "session.yaml").read_text(encoding="utf-8") == "answers: {}\n"

    def test_resume_on_a_file_that_does_not_exist_yet_simply_starts(self, runner, system, tmp_path):  # issue 12
        result = consult(runner, tmp_path, ["Acme", "1", "1"], "--resume", session="new.yaml")
        assert result.exit_code == 0, result.stderr
        assert "There is no session in" in result.stderr and "starting a new one" in result.stderr
        saved = expert.read_answers(tmp_path / "new.yaml", system.kb)
        assert (saved.organization, saved.role, saved.answers) == ("Acme", "executive",
                                                                   {"marketing_department": "separate"})

    def test_a_blank_name_is_not_asked_again_on_resume(self, runner, system, tmp_path):  # issue 12
        first = consult(runner, tmp_path, [""])  # the name left blank, then the input ends
        assert first.exit_code == 0
        second = consult(runner, tmp_path, ["1", "1"], "--resume")  # the role, then the first question
        assert second.exit_code == 0, second.stderr
        saved = expert.read_answers(tmp_path / "session.yaml", system.kb)
        assert (saved.organization, saved.role, saved.answers) == ("", "executive",
                                                                   {"marketing_department": "separate"})

    def test_yes_no_questions_take_the_numbers_they_show(self, runner, system, tmp_path):  # issue 12
        result = consult(runner, tmp_path, ["Acme", "1", "4", "2"], "--thorough")  # no marketing department; plans: 2) No
        assert result.exit_code == 0, result.stderr
        assert "1) Yes" in result.stderr and "2) No" in result.stderr
        assert expert.read_answers(tmp_path / "session.yaml", system.kb).answers == {
            "marketing_department": "none", "plans_marketing_department": "no"}

    def test_back_then_end_of_input_keeps_every_answer(self, runner, system, tmp_path):  # issue 12
        result = consult(runner, tmp_path, ["Acme", "1", "1", "1", "420", "back", "back"], "--thorough")
        assert result.exit_code == 0
        assert "3 answers are saved" in result.stderr
        assert expert.read_answers(tmp_path / "session.yaml", system.kb).answers == {
            "marketing_department": "separate", "leadership": "ceo", "employees": 420}

    def test_one_answer_is_one_answer(self, runner, tmp_path):  # plurals, issue 12
        result = consult(runner, tmp_path, ["Acme", "1", "1"])
        assert "1 answer is saved" in result.stderr
        result = consult(runner, tmp_path, [], "--resume", "--lang", "ru")
        assert "отвечено на 1 вопрос)" in result.stderr and "1 ответ сохранён" in result.stderr

    def test_a_contradiction_is_confirmed_once_and_reported(self, runner, system, tmp_path):
        answers = {"marketing_department": "separate", "market_type": "b2b", "marketing_role": "leads",
                   "marketing_generates_leads": "no"}
        lines = lines_for(system, expert.AnswerSheet("Acme", "executive", answers), selective=False)  # "1": both right
        result = consult(runner, tmp_path, lines, "--thorough", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert result.stderr.count("Two answers disagree") == 1
        assert "Marketing's main job was given as generating leads" in result.stderr
        data = json.loads(result.stdout)
        assert data["contradictions"] == [{
            "id": "CONTRA-LEAD-ROLE-WITHOUT-LEADS", "confirmed": True,
            "questions": ["marketing_role", "marketing_generates_leads"],
            "text": system.kb.contradictions["CONTRA-LEAD-ROLE-WITHOUT-LEADS"].text["en"]}]
        saved = yaml.safe_load((tmp_path / "session.yaml").read_text(encoding="utf-8"))
        assert saved["confirmed"] == ["CONTRA-LEAD-ROLE-WITHOUT-LEADS"]

    def test_input_ending_at_a_confirmation_asks_it_again_on_resume(self, runner, system, tmp_path):
        """Fed one line per run, a consultation interrupted at "two answers disagree" asks it again
        when resumed: the next line confirms both answers instead of answering the next question."""
        answers = {"marketing_department": "separate", "market_type": "b2b", "marketing_role": "leads",
                   "marketing_generates_leads": "no"}
        sheet = expert.AnswerSheet("Acme", "executive", answers)
        lines = lines_for(system, sheet, selective=False)
        confirm = 2 + walk(system, sheet, False)[1].index(CONFIRM)  # the line that confirms both answers (after name, role)
        first = consult(runner, tmp_path, lines[:confirm], "--thorough")  # the input ends at the confirmation
        assert first.exit_code == 0, first.stderr
        assert first.stderr.rstrip().count("Two answers disagree") == 1
        second = consult(runner, tmp_path, ["1"], "--resume", "--thorough")
        assert second.exit_code == 0, second.stderr
        assert "Two answers disagree" in second.stderr
        saved = yaml.safe_load((tmp_path / "session.yaml").read_text(encoding="utf-8"))
        assert saved["confirmed"] == ["CONTRA-LEAD-ROLE-WITHOUT-LEADS"]
        assert len(saved["answers"]) == confirm - 2  # the "1" answered no further question

    @pytest.mark.parametrize("lang", ["en", "ru"])
    @pytest.mark.parametrize("columns", [80, 120])
    def test_text_is_wrapped_between_words_to_the_terminal(self, runner, system, tmp_path, monkeypatch, lang,
                                                           columns):  # issue 12
        sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
        lines = lines_for(system, sheet)
        lines[4:4] = ["why", "?"]
        monkeypatch.chdir(tmp_path)  # short file names: a command shown whole fits the line
        result = runner.invoke(cli.main, ["diagnose", "--save", "s.yaml", "--lang", lang, "-o", "r.md"],
                               input="".join(f"{line}\n" for line in lines), env={"COLUMNS": str(columns)})
        assert result.exit_code == 0, result.stderr
        out = result.stderr.splitlines()
        assert max(len(line) for line in out) < columns
        words = set(result.stderr.split())
        asked = asked_answers(system, sheet)
        texts = [q.text[lang] for q in system.kb.questions.values() if q.id in asked]
        for text in texts:  # every word of every question asked arrives whole
            for word in text.split():
                assert word in words, word

    def test_answers_and_a_session_do_not_mix(self, runner, tmp_path):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "integrated-fmcg.yaml"),
                                          "--resume"])
        assert result.exit_code == 2


def answered(path: Path) -> int:
    try:
        return len((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("answers") or {})
    except (OSError, yaml.YAMLError):
        return -1


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 9])
def test_a_killed_consultation_resumes_at_the_next_question_and_ends_with_the_same_diagnosis(system, tmp_path, k):
    sheet = example(system, EXAMPLES / "undefined-distributor.yaml")
    lines = lines_for(system, sheet)
    session = tmp_path / "session.yaml"
    err = (tmp_path / "first.err").open("w")
    child = subprocess.Popen(ACCORD + ["diagnose", "--save", str(session)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=err, env=child_env(), cwd=tmp_path)
    try:
        for number, line in enumerate(lines[:2 + k], -1):
            child.stdin.write(f"{line}\n".encode())
            child.stdin.flush()
            deadline = time.monotonic() + 20
            while answered(session) < max(number, 0) and time.monotonic() < deadline:
                time.sleep(0.02)
        assert answered(session) == k
        child.send_signal(signal.SIGKILL)  # mid-consultation, while it waits for answer k + 1
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=20)
        child.stdin.close()
        err.close()
    assert child.returncode == -signal.SIGKILL
    saved = expert.read_answers(session, system.kb)  # a valid answers file
    consultation, _ = consulted(system, sheet)
    expected, order = consultation.answers, asked_in_order(system, sheet)
    assert saved.answers == {q: expected[q] for q in order[:k]}

    resumed = subprocess.run(ACCORD + ["diagnose", "--save", str(session), "--resume", "--format", "json"],
                             input="".join(f"{line}\n" for line in lines[2 + k:]), capture_output=True, text=True,
                             env=child_env(), cwd=tmp_path, timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    first_asked = resumed.stderr.split("[Question ", 1)[1]
    assert first_asked.startswith(f"{k + 1},")
    # the question under the header, however the terminal width wraps it
    shown = " ".join(first_asked.split("\n", 1)[1].split())
    assert shown.startswith(" ".join(system.kb.questions[order[k]].text["en"].split()))
    uninterrupted = write_sheet(tmp_path / "uninterrupted.yaml", consultation.sheet, sheet)  # what it asks when not killed
    direct = subprocess.run(ACCORD + ["diagnose", "--answers", str(uninterrupted), "--format", "json"],
                            capture_output=True, text=True, env=child_env())
    assert diagnosis_json(resumed) == diagnosis_json(direct)
    assert json.loads(resumed.stdout)["answers"] == jsonable(expected)
