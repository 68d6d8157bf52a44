"""The session file always holds exactly the answers the user last gave (issue 12).

Hypothesis types random lines into the line-mode consultation (``accord
diagnose`` through CliRunner): answers, choice numbers, bad values, ``back``,
``unknown``, ``why``, ``?``, blank lines, the end of input, and ``--resume``
after it. A model of what a user means by each line — written from the
user guide, not from the library — keeps the last answer given to every
question; before every prompt and after every run the session file on disk
must say exactly that. Going back never removes an answer; only a new answer
replaces one.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from unittest import mock

import hypothesis.strategies as st
import yaml
from hypothesis import HealthCheck, given, settings

import cli
import cli_consult
from expert.answers import ROLES
from expert.consultation import CONFIRM
from expert.quick import QUICK_OFFER

COMMAND_WORDS = {"back", "назад", "why", "почему", "зачем", "?", "help", "справка"}
UNKNOWN_WORDS = {"unknown", "u", "не знаю"}
YES, NO = {"1", "yes", "y", "да", "д"}, {"2", "no", "n", "нет", "н"}

LINES = ["1", "2", "3", "4", "5", "9", "0", "40", "420", "1, 3", "2 4", "unknown", "не знаю", "back", "назад", "why", "?", "",
         "yes", "no", "да", "abc"]


class Model:
    """What the user has said so far, as the user guide explains each line."""

    def __init__(self, kb):
        self.kb = kb
        self.organization: str | None = None
        self.role_given = False
        self.role: str | None = None
        self.answers: dict = {}
        self.quick: dict | None = None  # the quick self-assessment offered at the end (issue 10)

    def typed(self, step, line: str) -> None:
        word = " ".join(line.strip().lower().split())
        if step.id == CONFIRM or word in COMMAND_WORDS:
            return  # confirming, going back, help and why change no answer
        if step.id == "organization":
            if not (word == "" and self.organization is not None):  # Enter keeps a name given before
                self.organization = "" if word in UNKNOWN_WORDS else line.strip()
            return
        if step.id == "role":
            if word == "" and self.role_given:
                return
            if word in ("", *UNKNOWN_WORDS):
                self.role_given, self.role = True, None
            elif word.isdecimal() and 1 <= int(word) <= len(ROLES):
                self.role_given, self.role = True, ROLES[int(word) - 1]
            elif word in ROLES:
                self.role_given, self.role = True, word
            return
        if step.id == QUICK_OFFER:  # 2/no declines it, which the file records as an empty section
            if word in NO and not self.quick:
                self.quick = {}
            return
        if step.id in self.kb.statements:
            rating = "unknown" if word in UNKNOWN_WORDS else int(word) if word in ("1", "2", "3", "4", "5") else None
            if rating is not None:
                self.quick = {**(self.quick or {}), step.id: rating}
            return
        if word == "":
            return  # Enter keeps the earlier answer, or is not an answer at all
        if word in UNKNOWN_WORDS:
            self.answers[step.id] = "unknown"
            return
        value = self.value(self.kb.questions[step.id], word)
        if value is not None:
            self.answers[step.id] = value

    @classmethod
    def value(cls, q, word: str):
        if q.type == "multi":  # several choices, by number or value, separated by commas or spaces
            values = [cls.one_choice(q, part) for part in re.split(r"[,;\s]+", word) if part]
            if not values or None in values:
                return None
            order = [c.value for c in q.choices]
            return sorted(set(values), key=order.index)
        if q.type == "choice":
            return cls.one_choice(q, word)
        return cls.other(q, word)

    @staticmethod
    def one_choice(q, word: str):
        if word.isdecimal() and 1 <= int(word) <= len(q.choices):
            return q.choices[int(word) - 1].value
        return next((c.value for c in q.choices if str(c.value) == word), None)

    @staticmethod
    def other(q, word: str):
        if q.type == "choice":
            if word.isdecimal() and 1 <= int(word) <= len(q.choices):
                return q.choices[int(word) - 1].value
            return next((c.value for c in q.choices if str(c.value) == word), None)
        if q.type == "yesno":
            return "yes" if word in YES else "no" if word in NO else None
        if not word.isdecimal():
            return None
        number = int(word)
        if q.type == "scale":
            return number if 1 <= number <= 5 else None
        low, high = (0, 100) if q.type == "percent" else (q.minimum, q.maximum)
        if (low is not None and number < low) or (high is not None and number > high):
            return None
        return number

    def check(self, session: Path) -> None:
        data = yaml.safe_load(session.read_text(encoding="utf-8"))
        assert (data.get("answers") or {}) == self.answers
        assert data.get("quick") == self.quick
        assert data.get("organization") == self.organization
        if self.role_given:
            assert data["respondent"] == {"role": self.role}
        else:
            assert "respondent" not in data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(runs=st.lists(st.lists(st.sampled_from(LINES), max_size=30), min_size=1, max_size=4))
def test_the_session_file_holds_the_last_answer_given_to_every_question(system, runner, runs):
    model = Model(system.kb)
    original = cli_consult.LinePrompter.ask
    with tempfile.TemporaryDirectory() as directory:
        session = Path(directory) / "session.yaml"

        def ask(prompter, step, consultation):
            model.check(session)  # everything typed so far is on disk before the next question
            line = original(prompter, step, consultation)
            model.typed(step, line)
            return line

        with mock.patch.object(cli_consult.LinePrompter, "ask", ask):
            for number, lines in enumerate(runs):
                resume = ["--resume"] if number else []
                result = runner.invoke(cli.main, ["diagnose", "--save", str(session), *resume, "--format", "json"],
                                       input="".join(f"{line}\n" for line in lines))
                assert result.exit_code == 0, result.stderr[-2000:]
                model.check(session)
