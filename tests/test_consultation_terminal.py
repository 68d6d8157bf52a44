"""accord diagnose on a real pseudo-terminal (pexpect): the questionary menus a manager sees.

On a terminal every question with choices is a menu. The test answers the
way a person does: the choice's number (a menu shortcut) or the arrow keys,
then Enter; numbers are typed. prompt_toolkit asks the terminal where the
cursor is; a pty driven by pexpect never answers, so PROMPT_TOOLKIT_NO_CPR
turns the question off.
"""

from __future__ import annotations

import io
import json
import re
import signal
from dataclasses import replace

import pytest
import yaml

import expert
from expert.conditions import UNKNOWN
from expert.consultation import Consultation

from conftest import EXAMPLES
from consult_script import ACCORD, asked_answers, asked_in_order, child_env, consulted, example, fast, jsonable

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow

DOWN, ENTER = "\x1b[B", "\r"


def spawn(tmp_path, *args, columns=120):
    env = child_env(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", COLUMNS=str(columns))
    child = pexpect.spawn(ACCORD[0], ACCORD[1:] + ["diagnose", "--save", str(tmp_path / "session.yaml"), *args],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30, dimensions=(50, columns))
    child.logfile_read = io.StringIO()  # what the terminal showed, for failure messages
    return child


def menu_key(question, value) -> str:
    """The shortcut of a menu entry: the choice's number, or u for unknown."""
    if value == UNKNOWN:
        return "u"
    if question.type == "choice":
        return str([c.value for c in question.choices].index(value) + 1)
    if question.type == "yesno":
        return "1" if value == "yes" else "2"
    return str(value)  # scale: 1 … 5


SPACE = " "


def tick(child, question, values) -> None:
    """A checkbox menu: the arrow keys down to each choice, space to tick it, then Enter."""
    order = [c.value for c in question.choices]
    at = 0
    for value in values:
        child.send(DOWN * (order.index(value) - at) + SPACE)
        at = order.index(value)
    child.send(ENTER)


def command(child, question, key: str) -> None:
    """A command from a menu: its shortcut key in a menu; in a checkbox menu, ticked below the choices
    (don't know, help, why, back)."""
    if question.type == "multi":
        below = {"u": 0, "h": 1, "w": 2, "b": 3}[key]
        child.send(DOWN * (len(question.choices) + below) + SPACE + ENTER)
    else:
        child.send(key + ENTER)


def give(child, question, value, lang="en") -> None:
    child.expect_exact(question.text[lang][:60])
    if question.type in ("number", "percent"):
        child.sendline("unknown" if value == UNKNOWN else f"{value:g}")
    elif question.type == "multi":
        if value == UNKNOWN:
            command(child, question, "u")
        else:
            tick(child, question, value)
    else:
        child.send(menu_key(question, value))
        child.send(ENTER)


def test_a_full_consultation_with_why_back_and_unknown(system, tmp_path):
    kb = system.kb
    sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
    order = asked_in_order(system, sheet)
    dont_know = next(q for q in order[1:] if kb.questions[q].type in ("scale", "choice"))
    sheet = replace(sheet, answers={**sheet.answers, dont_know: UNKNOWN})  # answered "don't know" below
    consultation, _ = consulted(system, sheet)
    expected, order = consultation.answers, asked_in_order(system, sheet)
    typed = next(q for q in order if kb.questions[q].type in ("number", "percent"))
    menu = next(q for q in order[1:] if kb.questions[q].type == "choice")
    # a wrong answer first, then back from the question it leads to, to correct it
    wrong_at = next(i for i, q in enumerate(order[2:-1], 2) if kb.questions[q].type == "choice")
    wrong_q = kb.questions[order[wrong_at]]
    replay = Consultation(fast(system), ask_profile=False)
    for q in order[:wrong_at]:
        replay.answer(expected[q])
    wrong = next(c.value for c in wrong_q.choices if c.value != expected[wrong_q.id])
    replay.answer(wrong)
    after_wrong = kb.questions[replay.step.id] if replay.step is not None and replay.step.question else None
    assert after_wrong is not None
    child = spawn(tmp_path, "-o", "report.html")
    child.expect_exact("What is your organisation called?")
    child.sendline("Uralpack <script>")
    child.expect_exact("What is your role in the company?")
    child.send(DOWN + DOWN)  # arrow keys: executive → sales → marketing
    child.send(ENTER)
    for qid in order:
        question, value = kb.questions[qid], expected[qid]
        if qid == typed:  # why, on a typed answer
            child.expect_exact(question.text["en"][:60])
            child.sendline("why")
            child.expect_exact("Rules that read your answer")
        if qid == menu:  # why, from the menu
            child.expect_exact(question.text["en"][:60])
            child.send("w" + ENTER)
            child.expect_exact("Rules that read your answer")
        if qid == wrong_q.id:
            give(child, question, wrong)
            child.expect_exact(after_wrong.text["en"][:60])
            command(child, after_wrong, "b")
        give(child, question, value)
    child.expect_exact("Would you also rate 20 short statements")  # the quick self-assessment, offered (issue 10)
    child.send("2" + ENTER)
    child.expect_exact(f"Done: {len(expected)} questions asked of")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()[-3000:]
    saved = yaml.safe_load((tmp_path / "session.yaml").read_text(encoding="utf-8"))
    assert saved["organization"] == "Uralpack <script>" and saved["respondent"] == {"role": "marketing"}
    assert saved["answers"] == jsonable(expected) and saved["quick"] == {}  # declined, so not offered again
    assert saved.get("not_needed", []) == list(consultation.not_needed)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Uralpack &lt;script&gt;" in page and "<script" not in page


def test_ctrl_c_keeps_every_answer_and_resume_asks_the_next_question(system, tmp_path):
    kb = system.kb
    sheet = example(system, EXAMPLES / "aligned-software.yaml")
    expected, order = asked_answers(system, sheet), asked_in_order(system, sheet)
    k = 6
    child = spawn(tmp_path, "--lang", "ru")
    child.expect_exact("Как называется ваша организация?")
    child.sendline(sheet.organization)
    child.expect_exact("Какова ваша роль в компании?")
    child.send("1" + ENTER)
    for qid in order[:k]:
        give(child, kb.questions[qid], expected[qid], "ru")
    child.expect_exact(kb.questions[order[k]].text["ru"][:60])
    child.sendcontrol("c")
    child.expect_exact("Чтобы продолжить: accord diagnose --save session.yaml --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    saved = expert.read_answers(tmp_path / "session.yaml", kb)
    assert saved.answers == {q: expected[q] for q in order[:k]}

    child = spawn(tmp_path, "--resume", "--format", "json", "-o", "diagnosis.json")
    child.expect_exact(f"Вопрос {k + 1},")
    child.expect_exact(kb.questions[order[k]].text["ru"][:60])
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert not (tmp_path / "diagnosis.json").exists()
    assert json.loads(json.dumps(expert.read_answers(tmp_path / "session.yaml", kb).answers)) == \
        jsonable({q: expected[q] for q in order[:k]})


def test_back_then_ctrl_c_loses_no_answer(system, tmp_path):  # issue 12
    kb = system.kb
    sheet = example(system, EXAMPLES / "aligned-software.yaml")
    expected, order = asked_answers(system, sheet), asked_in_order(system, sheet)
    first = order[:4]
    child = spawn(tmp_path, "--lang", "ru")
    child.expect_exact("Как называется ваша организация?")
    child.sendline("Acme")
    child.expect_exact("Какова ваша роль в компании?")
    child.send("2" + ENTER)
    for qid in first:
        give(child, kb.questions[qid], expected[qid], "ru")
    child.expect_exact(kb.questions[order[4]].text["ru"][:60])
    command(child, kb.questions[order[4]], "b")  # back to the fourth question ...
    child.expect_exact(kb.questions[first[3]].text["ru"][:60])
    command(child, kb.questions[first[3]], "b")  # ... and the third, then give up
    child.expect_exact(kb.questions[first[2]].text["ru"][:60])
    child.sendcontrol("c")
    child.expect_exact("4 ответа сохранены")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    saved = expert.read_answers(tmp_path / "session.yaml", kb)
    assert (saved.organization, saved.role) == ("Acme", "sales")
    assert saved.answers == {q: expected[q] for q in first}


def test_menus_are_wrapped_between_words(system, tmp_path):  # issue 12
    child = spawn(tmp_path, "--lang", "ru", columns=60)
    child.expect_exact("Как называется ваша организация?")
    child.sendline("Acme")
    child.expect_exact("Какова ваша роль в компании?")
    child.send("1" + ENTER)
    question = system.kb.questions["marketing_department"]
    child.expect_exact(question.choices[-1].label["ru"].split()[0])
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    shown = child.logfile_read.getvalue()
    words = set(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", shown).split())
    for choice in question.choices:
        for word in choice.label["ru"].split():
            assert word in words, word
