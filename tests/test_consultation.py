"""The consultation state machine (expert.consultation): adaptive order, back, unknown, help, why, resume.

Most tests here run the thorough consultation, whose order is the
questionnaire's; tests/test_selection.py runs the same mechanisms with
question selection on.
"""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import expert
from expert.answers import AnswerSheet, next_question, relevance
from expert.conditions import UNKNOWN, questions_read
from expert.consultation import (ANSWERED, AT_START, BACK, CONFIRM, CONFIRMED, HELP, INVALID, WHY, Consultation,
                                 command_of, why_asked)

from conftest import EXAMPLES


@pytest.fixture
def consultation(system) -> Consultation:
    return Consultation(system, ask_profile=False, selective=False)


def answer_all(c: Consultation, *lines: str) -> None:
    for line in lines:
        outcome = c.respond(line)
        assert outcome.kind == ANSWERED, (line, outcome)


class TestOrder:
    def test_profile_comes_first_then_the_first_question(self, system):
        c = Consultation(system, selective=False)
        assert c.step.id == "organization" and c.step.question is None
        answer_all(c, "Acme")
        assert c.step.id == "role"
        answer_all(c, "2")
        assert (c.sheet.organization, c.sheet.role) == ("Acme", "sales")
        assert (c.step.id, c.step.number) == ("marketing_department", 1)

    def test_follow_up_is_asked_only_when_an_answer_makes_it_relevant(self, consultation):
        answer_all(consultation, "none")
        assert consultation.step.id == "plans_marketing_department"
        consultation.back()
        answer_all(consultation, "separate", "ceo", "420", "b2b")
        assert consultation.step.id == "marketing_origin"
        assert "plans_marketing_department" not in consultation.answers

    def test_the_current_step_is_always_the_first_relevant_unanswered_question(self, consultation, system):
        answer_all(consultation, "1", "ceo", "420", "b2b", "split_from_sales", "under_1", "4")
        assert consultation.step.question is next_question(system.kb, consultation.answers)

    def test_progress_counts_questions_and_estimates_what_is_left(self, consultation, system):
        answer_all(consultation, "1", "ceo", "420")
        step = consultation.step
        assert step.number == 4
        assert step.left == expert.answers.remaining(system.kb, consultation.answers) - 1

    def test_complete_when_no_relevant_question_is_left(self, consultation):
        answer_all(consultation, "none", "no", "40", "b2c")
        assert consultation.done and consultation.asked() == 4


class TestAnswers:
    def test_choice_by_number_or_by_value(self, consultation):
        answer_all(consultation, "1")
        consultation.back()
        answer_all(consultation, "separate")
        assert consultation.answers == {"marketing_department": "separate"}

    @pytest.mark.parametrize("word", ["unknown", "Unknown", "u", "не знаю", "Не знаю", "don't know"])
    def test_unknown_is_always_accepted(self, consultation, word):
        answer_all(consultation, "separate", "ceo", word)
        assert consultation.answers["employees"] == UNKNOWN

    def test_a_bad_answer_changes_nothing(self, consultation):
        answer_all(consultation, "separate", "ceo")
        outcome = consultation.respond("lots")
        assert outcome.kind == INVALID and not outcome.changed and "not a number" in outcome.problem
        assert consultation.step.id == "employees"
        assert consultation.answers == {"marketing_department": "separate", "leadership": "ceo"}
        assert consultation.respond("").kind == INVALID
        assert consultation.respond("9").kind == ANSWERED  # 9 people is a number, not a choice

    def test_yes_no_in_both_languages(self, consultation):
        answer_all(consultation, "none", "да")
        assert consultation.answers["plans_marketing_department"] == "yes"

    @pytest.mark.parametrize("line, value", [("1", "yes"), ("2", "no")])
    def test_yes_no_by_the_number_shown(self, consultation, line, value):  # issue 12
        answer_all(consultation, "none", line)
        assert consultation.answers["plans_marketing_department"] == value
        assert consultation.respond("back").kind == BACK and consultation.respond("3").kind == INVALID


class TestBack:
    def test_back_keeps_the_answer_and_offers_it_again(self, consultation):
        answer_all(consultation, "separate", "ceo", "420")
        outcome = consultation.respond("back")
        assert outcome.kind == BACK and not outcome.changed  # nothing to save: no answer is removed
        assert (consultation.step.id, consultation.step.previous) == ("employees", 420)
        assert consultation.answers == {"marketing_department": "separate", "leadership": "ceo", "employees": 420}
        assert consultation.respond("").kind == ANSWERED  # Enter keeps the earlier answer
        assert consultation.answers["employees"] == 420
        assert consultation.step.id == "market_type" and not consultation.revisiting

    def test_after_back_every_later_answer_is_offered_again_until_the_first_unanswered(self, consultation):
        answer_all(consultation, "separate", "ceo", "420", "b2b")
        consultation.back()
        consultation.back()
        assert (consultation.step.id, consultation.step.previous) == ("employees", 420)
        answer_all(consultation, "500")
        assert (consultation.step.id, consultation.step.previous) == ("market_type", "b2b")
        answer_all(consultation, "")
        assert consultation.step.id == "marketing_origin" and consultation.step.previous is None
        assert consultation.answers == {"marketing_department": "separate", "leadership": "ceo", "employees": 500, "market_type": "b2b"}

    def test_an_answer_leaves_only_when_replaced(self, consultation):
        answer_all(consultation, "none", "no")  # plans_marketing_department applies only without marketing
        consultation.back()
        consultation.back()
        answer_all(consultation, "separate")
        assert consultation.answers["plans_marketing_department"] == "no"  # kept, though it no longer applies
        assert consultation.step.id == "leadership"
        assert "plans_marketing_department" in expert.diagnose(consultation.sheet).questions_summary()["ignored"]

    def test_back_in_russian(self, consultation):
        answer_all(consultation, "separate")
        assert consultation.respond("Назад").kind == BACK

    def test_back_at_the_first_step_stays_there(self, system):
        c = Consultation(system, selective=False)
        assert c.respond("back").kind == AT_START and c.step.id == "organization"

    def test_back_from_the_first_question_returns_to_the_profile(self, system):
        c = Consultation(system, selective=False)
        answer_all(c, "Acme", "executive")
        c.back()
        assert (c.step.id, c.step.previous) == ("role", "executive")
        assert c.sheet.role == "executive"

    def test_back_after_the_last_question_reopens_it(self, consultation):
        answer_all(consultation, "none", "no", "40", "b2c")
        consultation.back()
        assert consultation.step.id == "market_type" and consultation.answers["market_type"] == "b2c"


class TestProfile:
    def test_a_blank_name_is_an_answer_and_is_not_asked_again(self, system):
        c = Consultation(system, selective=False)
        answer_all(c, "")
        assert c.step.id == "role" and c.sheet.to_document()["organization"] == ""
        resumed = Consultation(system, expert.answers.check_answers(
            expert.documents.Document(Path("s.yaml"), c.sheet.to_document()), system.kb), selective=False)
        assert resumed.step.id == "role"

    def test_an_unknown_role_is_an_answer_and_is_not_asked_again(self, system):
        c = Consultation(system, selective=False)
        answer_all(c, "", "unknown")
        document = c.sheet.to_document()
        assert document["respondent"] == {"role": None}
        resumed = Consultation(system, expert.answers.check_answers(
            expert.documents.Document(Path("s.yaml"), document), system.kb), selective=False)
        assert resumed.step.id == "marketing_department"

    @pytest.mark.parametrize("name", ["Acme\x1b[2J", "Acme\nLtd", "\x9b31m", "Acme\u202eLtd"])
    def test_a_name_with_control_characters_is_refused(self, system, name):
        c = Consultation(system, selective=False)
        outcome = c.respond(name)
        assert outcome.kind == INVALID and not outcome.changed and "control characters" in outcome.problem
        assert c.step.id == "organization"


class TestProgress:
    def test_what_is_left_never_rises_while_answering_forward(self, system):
        sheet = expert.read_answers(EXAMPLES / "defined-manufacturer.yaml", system.kb)
        c = Consultation(system, ask_profile=False, selective=False)
        left = [c.step.left]
        while (step := c.step) is not None:
            c.answer(sheet.answers.get(step.id, UNKNOWN))
            if c.step is not None:
                left.append(c.step.left)
        assert all(later < earlier for earlier, later in zip(left, left[1:])), left
        assert left[-1] == 0

    def test_left_counts_only_questions_that_can_still_apply(self, consultation, system):
        assert consultation.step.left == len(system.kb.questions) - 1
        answer_all(consultation, "none")  # no marketing department: almost everything closes
        assert consultation.step.left <= 3


class TestContradictions:
    LEADS = ["separate", "ceo", "420", "b2b", "grew_separately", "leads"]

    def reach_leads_question(self, c: Consultation) -> None:
        answer_all(c, *self.LEADS)
        while c.step.id != "marketing_generates_leads":
            assert c.respond("unknown").kind == ANSWERED

    def test_a_contradicting_answer_is_confirmed_once(self, consultation):
        self.reach_leads_question(consultation)
        answer_all(consultation, "3")  # no leads, though leads were said to be marketing's main job
        step = consultation.step
        assert step.id == CONFIRM and step.contradiction.id == "CONTRA-LEAD-ROLE-WITHOUT-LEADS"
        assert step.about == "marketing_generates_leads"
        assert consultation.respond("?").kind == HELP and consultation.respond("maybe").kind == INVALID
        outcome = consultation.respond("1")
        assert outcome.kind == CONFIRMED and outcome.changed
        assert consultation.sheet.confirmed == ("CONTRA-LEAD-ROLE-WITHOUT-LEADS",)
        assert consultation.answers["marketing_generates_leads"] == "no"
        consultation.back()
        answer_all(consultation, "")  # the same answer again: confirmed already, not asked again
        assert consultation.step.id != CONFIRM

    def test_changing_the_answer_instead(self, consultation):
        self.reach_leads_question(consultation)
        answer_all(consultation, "3")
        assert consultation.respond("2").kind == BACK
        assert (consultation.step.id, consultation.step.previous) == ("marketing_generates_leads", "no")
        answer_all(consultation, "1")
        assert consultation.step.id != CONFIRM and consultation.answers["marketing_generates_leads"] == "yes"
        assert consultation.sheet.confirmed == ()

    def test_the_report_lists_what_remains(self, consultation):
        self.reach_leads_question(consultation)
        answer_all(consultation, "3")  # no leads
        assert consultation.respond("2").kind == BACK  # 'change' ...
        answer_all(consultation, "")  # ... but keep it after all: asked again, and left unconfirmed
        assert consultation.respond("back").kind == BACK  # 'back' at the confirmation also returns
        d = expert.diagnose(consultation.sheet)
        assert [c["id"] for c in d.to_dict()["contradictions"]] == ["CONTRA-LEAD-ROLE-WITHOUT-LEADS"]
        assert d.to_dict()["contradictions"][0]["confirmed"] is False


class TestHelpAndWhy:
    def test_help_shows_the_question_help_and_changes_nothing(self, consultation, system):
        outcome = consultation.respond("?")
        assert outcome.kind == HELP and not outcome.changed
        assert outcome.help == system.kb.questions["marketing_department"].help

    def test_why_names_the_rules_that_read_the_question_and_their_conclusions(self, consultation, system):
        answer_all(consultation, "separate", "ceo", "420", "b2b", "grew_separately")
        outcome = consultation.respond("почему")
        assert outcome.kind == WHY
        why = outcome.why
        expected = {r.id for r in system.rules.rules_reading_question(consultation.step.id)}
        assert {r.rule for r in why.rules} == expected and expected
        assert all(r.concludes for r in why.rules)
        assert why.follow_up_of == ("marketing_department",)

    def test_why_of_a_gate_question_lists_the_follow_ups_it_opens(self, system):
        why = why_asked(system, "marketing_department")
        assert "plans_marketing_department" in why.opens and "marketing_origin" in why.opens

    @pytest.mark.parametrize("text, command", [("?", "help"), ("help", "help"), ("справка", "help"),
                                               ("why", "why"), ("зачем", "why"), ("back", "back"),
                                               ("не  знаю", "unknown"), ("b2b", None), ("3", None)])
    def test_command_words(self, text, command):
        assert command_of(text) == command


class TestResume:
    def test_resume_continues_at_the_first_unanswered_question(self, system):
        answers = {"marketing_department": "separate", "leadership": "ceo", "employees": 420, "market_type": "b2b"}
        c = Consultation(system, AnswerSheet("Acme", "executive", dict(answers)), selective=False)
        assert (c.step.id, c.step.number) == ("marketing_origin", 5)

    def test_a_resumed_sheet_without_answers_asks_the_profile_again_with_the_name_offered(self, system):
        c = Consultation(system, AnswerSheet("Acme"), selective=False)
        assert (c.step.id, c.step.previous) == ("organization", "Acme")

    def test_resume_does_not_change_the_sheet_it_was_given(self, system):
        sheet = AnswerSheet("Acme", "executive", {"marketing_department": "separate"})
        c = Consultation(system, sheet, selective=False)
        answer_all(c, "ceo")
        assert sheet.answers == {"marketing_department": "separate"}


@pytest.mark.parametrize("module", ["expert.consultation", "expert.report.model", "expert.report.html",
                                    "expert.report.markdown"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# ------------------------------------------------------------ stateful test

class ConsultationMachine(RuleBasedStateMachine):
    """Random answers, unknowns, bad input, backs and confirmations.

    A model keeps the last answer the user gave to every question; the
    consultation's answers must always be exactly that. Outside a revisit,
    the step is the first relevant unanswered question, and what is left
    only falls as answers are given.
    """

    def __init__(self):
        super().__init__()
        self.system = expert.load_expert()
        self.c = Consultation(self.system, ask_profile=False, selective=False)
        self.kb = self.system.kb
        self.given: dict = {}

    @initialize()
    def start(self):
        assert self.c.step.id == next(iter(self.kb.questions))

    def asking(self) -> bool:
        return not self.c.done and self.c.step.question is not None

    @precondition(lambda self: self.asking())
    @rule(data=st.data())
    def answer(self, data):
        step = self.c.step
        q = step.question
        if q.type == "choice":
            n = data.draw(st.integers(0, len(q.choices)))
            line, value = (str(n), q.choices[n - 1].value) if n else ("unknown", UNKNOWN)
        elif q.type == "multi":
            numbers = data.draw(st.lists(st.integers(1, len(q.choices)), max_size=3, unique=True))
            line = ", ".join(map(str, numbers)) if numbers else "unknown"
            order = [c.value for c in q.choices]
            value = tuple(sorted((order[n - 1] for n in numbers), key=order.index)) if numbers else UNKNOWN
        elif q.type == "yesno":
            line = data.draw(st.sampled_from(["yes", "no", "да", "нет", "1", "2", "не знаю"]))
            value = {"yes": "yes", "да": "yes", "1": "yes", "no": "no", "нет": "no", "2": "no"}.get(line, UNKNOWN)
        elif q.type == "scale":
            value = data.draw(st.integers(1, 5))
            line = str(value)
        else:
            value = data.draw(st.integers(1 if q.minimum else 0, 100))
            line = str(value)
        revisiting = self.c.revisiting
        assert self.c.respond(line).kind == ANSWERED
        self.given[q.id] = value
        after = self.c.step
        if not revisiting and after is not None and after.question is not None and not self.c.revisiting:
            assert after.left < step.left

    @precondition(lambda self: not self.c.done and self.c.step.id == CONFIRM)
    @rule(keep=st.booleans())
    def confirm(self, keep):
        contradiction = self.c.step.contradiction.id
        outcome = self.c.respond("1" if keep else "2")
        assert outcome.kind == (CONFIRMED if keep else BACK)
        assert (contradiction in self.c.sheet.confirmed) == keep

    @rule(line=st.sampled_from(["", "0", "maybe", "-5", "?", "why"]))
    def not_an_answer(self, line):
        if not self.asking():
            return
        step = self.c.step
        outcome = self.c.respond(line)  # "0" is a valid percentage; "" keeps an earlier answer
        if outcome.kind == ANSWERED:
            self.given[step.id] = outcome.value
        else:
            assert outcome.kind in (INVALID, HELP, WHY) and not outcome.changed

    @rule()
    def back(self):
        kind = self.c.respond("back").kind
        assert kind in (BACK, AT_START)

    @invariant()
    def answers_are_the_last_ones_given(self):
        assert self.c.answers == self.given

    @invariant()
    def outside_a_revisit_the_step_is_the_first_relevant_unanswered_question(self):
        step = self.c.step
        if step is None or step.id == CONFIRM:
            return
        relevant = relevance(self.kb, self.c.answers)
        order = list(self.kb.questions)
        assert step.number == 1 + sum(1 for q in order[:order.index(step.id)] if relevant[q] and q in self.c.answers)
        if not self.c.revisiting:
            assert step.question is next_question(self.kb, self.c.answers)
        else:
            assert step.id in self.c.answers and step.previous == self.c.answers[step.id]


ConsultationMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                                 suppress_health_check=[HealthCheck.too_slow])
TestConsultationMachine = ConsultationMachine.TestCase


def test_an_unknown_answer_closes_its_follow_ups(system):  # issue 18
    """A manager who answers every question "unknown" is asked no follow-up of an unknown answer."""
    c = Consultation(system, ask_profile=False, selective=False)
    asked = []
    while (step := c.step) is not None:
        asked.append(step.question)
        assert c.respond("unknown").kind == ANSWERED
    for question in asked:
        assert question.ask_when is None or not (questions_read(question.ask_when) & {q.id for q in asked}), \
            f"{question.id} follows up an answer that was unknown"
    assert [q.id for q in asked] == [q.id for q in system.kb.questions.values() if q.ask_when is None]


def test_the_question_list_says_which_questions_take_several_answers(runner):
    import cli

    out = runner.invoke(cli.main, ["questions"]).stdout
    several = [line for line in out.splitlines() if "several answers" in line]
    assert several and all(". " in line for line in several)
    assert any("conflict_topic" in line for line in several)
