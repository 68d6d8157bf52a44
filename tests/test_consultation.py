"""The consultation state machine (expert.consultation): adaptive order, back, unknown, help, why, resume."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import expert
from expert.answers import AnswerSheet, next_question, relevance
from expert.conditions import UNKNOWN
from expert.consultation import (ANSWERED, AT_START, BACK, HELP, INVALID, WHY, Consultation, command_of,
                                 why_asked)


@pytest.fixture
def consultation(system) -> Consultation:
    return Consultation(system, ask_profile=False)


def answer_all(c: Consultation, *lines: str) -> None:
    for line in lines:
        outcome = c.respond(line)
        assert outcome.kind == ANSWERED, (line, outcome)


class TestOrder:
    def test_profile_comes_first_then_the_first_question(self, system):
        c = Consultation(system)
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
        answer_all(consultation, "separate", "420", "b2b")
        assert consultation.step.id == "marketing_origin"
        assert "plans_marketing_department" not in consultation.answers

    def test_the_current_step_is_always_the_first_relevant_unanswered_question(self, consultation, system):
        answer_all(consultation, "1", "420", "b2b", "split_from_sales", "under_1", "4")
        assert consultation.step.question is next_question(system.kb, consultation.answers)

    def test_progress_counts_questions_and_estimates_what_is_left(self, consultation, system):
        answer_all(consultation, "1", "420")
        step = consultation.step
        assert step.number == 3
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
        answer_all(consultation, "separate", word)
        assert consultation.answers["employees"] == UNKNOWN

    def test_a_bad_answer_changes_nothing(self, consultation):
        answer_all(consultation, "separate")
        outcome = consultation.respond("lots")
        assert outcome.kind == INVALID and not outcome.changed and "not a number" in outcome.problem
        assert consultation.step.id == "employees" and consultation.answers == {"marketing_department": "separate"}
        assert consultation.respond("").kind == INVALID
        assert consultation.respond("9").kind == ANSWERED  # 9 people is a number, not a choice

    def test_yes_no_in_both_languages(self, consultation):
        answer_all(consultation, "none", "да")
        assert consultation.answers["plans_marketing_department"] == "yes"


class TestBack:
    def test_back_undoes_the_previous_answer_and_offers_it_again(self, consultation):
        answer_all(consultation, "separate", "420")
        outcome = consultation.respond("back")
        assert outcome.kind == BACK and outcome.changed
        assert (consultation.step.id, consultation.step.previous) == ("employees", 420)
        assert "employees" not in consultation.answers
        assert consultation.respond("").kind == ANSWERED  # Enter keeps the earlier answer
        assert consultation.answers["employees"] == 420

    def test_back_in_russian(self, consultation):
        answer_all(consultation, "separate")
        assert consultation.respond("Назад").kind == BACK

    def test_back_at_the_first_step_stays_there(self, system):
        c = Consultation(system)
        assert c.respond("back").kind == AT_START and c.step.id == "organization"

    def test_back_from_the_first_question_returns_to_the_profile(self, system):
        c = Consultation(system)
        answer_all(c, "Acme", "executive")
        c.back()
        assert (c.step.id, c.step.previous) == ("role", "executive")

    def test_back_after_the_last_question_reopens_it(self, consultation):
        answer_all(consultation, "none", "no", "40", "b2c")
        consultation.back()
        assert consultation.step.id == "market_type"


class TestHelpAndWhy:
    def test_help_shows_the_question_help_and_changes_nothing(self, consultation, system):
        outcome = consultation.respond("?")
        assert outcome.kind == HELP and not outcome.changed
        assert outcome.help == system.kb.questions["marketing_department"].help

    def test_why_names_the_rules_that_read_the_question_and_their_conclusions(self, consultation, system):
        answer_all(consultation, "separate", "420", "b2b", "grew_separately")
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
        answers = {"marketing_department": "separate", "employees": 420, "market_type": "b2b"}
        c = Consultation(system, AnswerSheet("Acme", "executive", dict(answers)))
        assert (c.step.id, c.step.number) == ("marketing_origin", 4)

    def test_a_resumed_sheet_without_answers_asks_the_profile_again_with_the_name_offered(self, system):
        c = Consultation(system, AnswerSheet("Acme"))
        assert (c.step.id, c.step.previous) == ("organization", "Acme")

    def test_resume_does_not_change_the_sheet_it_was_given(self, system):
        sheet = AnswerSheet("Acme", "executive", {"marketing_department": "separate"})
        c = Consultation(system, sheet)
        answer_all(c, "420")
        assert sheet.answers == {"marketing_department": "separate"}


@pytest.mark.parametrize("module", ["expert.consultation", "expert.report_model", "expert.report_html",
                                    "expert.report_markdown"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# ------------------------------------------------------------ stateful test

class ConsultationMachine(RuleBasedStateMachine):
    """Random answers, unknowns, bad input and backs: the answers stay exactly what was asked."""

    def __init__(self):
        super().__init__()
        self.system = expert.load_expert()
        self.c = Consultation(self.system, ask_profile=False)
        self.kb = self.system.kb

    @initialize()
    def start(self):
        assert self.c.step.id == next(iter(self.kb.questions))

    @precondition(lambda self: not self.c.done)
    @rule(data=st.data())
    def answer(self, data):
        q = self.c.step.question
        if q.type == "choice":
            line = data.draw(st.sampled_from([str(i + 1) for i in range(len(q.choices))] + ["unknown"]))
        elif q.type == "yesno":
            line = data.draw(st.sampled_from(["yes", "no", "да", "нет", "не знаю"]))
        elif q.type == "scale":
            line = str(data.draw(st.integers(1, 5)))
        else:
            line = str(data.draw(st.integers(1 if q.minimum else 0, 100)))
        assert self.c.respond(line).kind == ANSWERED

    @rule(line=st.sampled_from(["", "0", "maybe", "-5", "?", "why"]))
    def not_an_answer(self, line):
        if self.c.done:
            return
        before = dict(self.c.answers)
        outcome = self.c.respond(line)  # "0" is a valid percentage; "" keeps an earlier answer
        if outcome.kind != ANSWERED:
            assert outcome.kind in (INVALID, HELP, WHY) and not outcome.changed
            assert self.c.answers == before

    @rule()
    def back(self):
        answered = len(self.c.answers)
        kind = self.c.respond("back").kind
        assert (kind == AT_START) == (answered == 0)
        assert len(self.c.answers) == max(0, answered - 1)

    @invariant()
    def answers_are_what_an_adaptive_interview_asks(self):
        relevant = relevance(self.kb, self.c.answers)
        assert all(relevant[q] for q in self.c.answers)
        step = self.c.step
        expected = next_question(self.kb, self.c.answers)
        assert (step.question if step else None) is expected
        if step:
            assert step.number == len(self.c.answers) + 1


ConsultationMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                                 suppress_health_check=[HealthCheck.too_slow])
TestConsultationMachine = ConsultationMachine.TestCase
