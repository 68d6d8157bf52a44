"""Question selection (issue 14): ask only what can change the diagnosis, stop when nothing can.

These tests check the mechanism and its promises (a skipped question cannot
change the verdict on its own, decisions depend on the answers alone, the
consultation's back, resume and --thorough work with selection on), never
how many questions today's rules need: bench/selection.py measures that.
"""

from __future__ import annotations

import json
from dataclasses import replace

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import cli
import expert
from expert.answers import _states, relevance
from expert.conditions import UNKNOWN, AnswerLeaf, leaves
from expert.consultation import ANSWERED, BACK, CONFIRM, CONFIRMED, Consultation
from expert.diagnosis import reason
from expert.errors import InputError
from expert.sampling import complete_sheets, numeric_thresholds
from expert.selection import PLAN_SLACK, Selector, Verdict, read, selector_for

from conftest import EXAMPLES
from consult_script import asked_in_order, consulted, example, fast, lines_for

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def quick(system) -> expert.ExpertSystem:
    """The bases on the engine a consultation uses (CLIPS where installed)."""
    return fast(system)


def allowed_answers(system: expert.ExpertSystem, question) -> list:
    """Every answer worth trying: each choice (each single choice of a multi question), yes and no,
    1 to 5, and the numbers at and beside every threshold the rules and follow-ups test."""
    if question.type == "choice":
        return [c.value for c in question.choices]
    if question.type == "multi":
        return [(c.value,) for c in question.choices]
    if question.type == "yesno":
        return ["yes", "no"]
    if question.type == "scale":
        return [1, 2, 3, 4, 5]
    low, high = (0, 100) if question.type == "percent" else (question.minimum, question.maximum)
    values = {v for t in numeric_thresholds(system.kb, system.rules).get(question.id, []) for v in (t - 1, t, t + 1)}
    values |= {v for v in (low, high, 1, 50, 100_000) if v is not None}
    return sorted(v for v in values if (low is None or v >= low) and (high is None or v <= high))


def can_change(system, answers: dict, question: str, verdict: Verdict, depth: int = 2) -> bool:
    """Whether some answer to ``question``, or to a follow-up it opens (``depth`` levels), changes the verdict."""
    states = _states(system.kb, answers)
    for value in allowed_answers(system, system.kb.questions[question]):
        trial = dict(answers, **{question: value})
        if not read(system, trial).verdict.agrees(verdict):
            return True
        after = _states(system.kb, trial)
        opened = [f for f in system.kb.questions if after[f] is True and states[f] is not True and f not in trial]
        if depth > 1 and any(can_change(system, trial, f, verdict, depth - 1) for f in opened):
            return True
    return False


class TestVerdict:
    A = Verdict("LEVEL-2-DEFINED", "LEVEL-3-ALIGNED", frozenset({"CAUSE-A", "CAUSE-B"}), frozenset({"M1", "M2", "M3"}))

    def test_a_plan_differing_by_one_measure_is_the_same_verdict(self):
        assert PLAN_SLACK == 1
        assert self.A.agrees(replace(self.A, plan=frozenset({"M1", "M2"})))
        assert self.A.agrees(replace(self.A, plan=frozenset({"M1", "M2", "M3", "M4"})))
        assert self.A.change(replace(self.A, plan=frozenset({"M1", "M2"}))) == 0

    @pytest.mark.parametrize("other, parts", [
        (replace(A, level="LEVEL-3-ALIGNED"), ["level"]),
        (replace(A, target="LEVEL-2-DEFINED"), ["target"]),
        (replace(A, causes=frozenset({"CAUSE-A"})), ["causes"]),
        (replace(A, plan=frozenset({"M1", "M4"})), ["plan"]),
    ])
    def test_level_aim_named_causes_or_two_measures_change_it(self, other, parts):
        assert not self.A.agrees(other) and self.A.differences(other) == parts
        assert self.A.change(other) > 0

    def test_of_a_diagnosis_reads_the_named_causes(self, quick):
        d = expert.diagnose(example(quick, EXAMPLES / "defined-manufacturer.yaml"), quick)
        verdict = Verdict.of(d)
        assert verdict.causes == {c.id for c in d.inference.causes if c.named}
        assert verdict.plan == set(d.plan.order) and verdict.level == d.level.id


class TestAnswerClasses:
    def test_each_allowed_answer_has_exactly_one_class_tested_alike(self, quick):
        selector = Selector(quick)
        conditions = [r.when for r in quick.rules.rules.values()]
        conditions += [q.ask_when for q in quick.kb.questions.values() if q.ask_when is not None]
        for question in quick.kb.questions.values():
            tests = [leaf for c in conditions for leaf in leaves(c)
                     if isinstance(leaf, AnswerLeaf) and leaf.question == question.id]
            signature = lambda v: tuple((t.test(v), t.premise(v)) for t in tests)  # noqa: E731
            classes = selector.answer_classes(question.id)
            assert len({signature(v) for v in classes}) == len(classes), question.id
            for value in allowed_answers(quick, question):
                assert signature(value) in {signature(v) for v in classes}, (question.id, value)
            for value in classes:
                assert question.normalise(value)[1] is None, (question.id, value)

    def test_a_multi_choice_question_is_tried_one_choice_at_a_time(self, quick):
        selector = Selector(quick)
        for question in quick.kb.questions.values():
            if question.multiple:
                classes = selector.answer_classes(question.id)
                assert all(len(v) == 1 for v in classes) and len(classes) <= len(question.choices)


class TestDecision:
    @pytest.mark.parametrize("path", EXAMPLE_FILES[:2], ids=lambda p: p.stem)
    def test_the_question_asked_has_an_answer_that_changes_the_verdict(self, quick, path):
        sheet = example(quick, path)
        selector = selector_for(quick)
        order = asked_in_order(quick, sheet)
        for k in (1, len(order) // 2, len(order) - 1):
            answers = {q: sheet.answers.get(q, UNKNOWN) for q in order[:k]}
            decision = selector.decide(answers)
            assert decision.question == order[k]
            if decision.joint:
                continue
            assert can_change(quick, answers, decision.question, read(quick, answers).verdict)
            impact = decision.impacts[decision.question]
            assert impact.matters
            assert impact.weight == max(i.weight for i in decision.impacts.values() if i.matters)

    @pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
    def test_no_single_answer_to_a_skipped_question_changes_the_verdict(self, quick, path):
        consultation, _ = consulted(quick, example(quick, path))
        answers = consultation.answers
        assert consultation.done and consultation.sheet.not_needed == consultation.not_needed
        verdict = read(quick, answers).verdict
        states = _states(quick.kb, answers)
        for qid in consultation.not_needed:
            if states[qid] is not True:
                continue  # a follow-up still closed: tried through the question that opens it
            question = quick.kb.questions[qid]
            for value in allowed_answers(quick, question):
                tried = read(quick, dict(answers, **{qid: value})).verdict
                assert tried.agrees(verdict), f"{qid} = {value!r} changes {verdict.differences(tried)}"

    def test_decisions_depend_on_the_answers_alone(self, quick):
        sheet = example(quick, EXAMPLES / "integrated-fmcg.yaml")
        order = asked_in_order(quick, sheet)
        fresh = Selector(quick)  # nothing remembered
        for k in (0, 3, len(order)):
            answers = {q: sheet.answers.get(q, UNKNOWN) for q in order[:k]}
            assert fresh.decide(answers).question == selector_for(quick).decide(answers).question
            assert fresh.decide(dict(reversed(list(answers.items())))).question == fresh.decide(answers).question

    def test_nothing_to_ask_when_every_question_that_applies_is_answered(self, quick):
        answers = {"marketing_department": "none", "plans_marketing_department": "no", "employees": 40,
                   "market_type": "b2c"}
        decision = selector_for(quick).decide(answers)
        assert decision.question is None and decision.not_needed == ()

    def test_the_first_question_is_the_one_that_opens_the_questionnaire(self, quick):
        decision = selector_for(quick).decide({})
        assert decision.question == "marketing_department"


class TestNotNeeded:
    def test_a_question_not_needed_does_not_count_as_unknown(self, quick):
        consultation, _ = consulted(quick, example(quick, EXAMPLES / "aligned-software.yaml"))
        skipped_level = [q for q in consultation.not_needed if q in quick.level_questions]
        stopped = expert.diagnose(consultation.sheet, quick)
        missing = expert.diagnose(replace(consultation.sheet, not_needed=()), quick)
        asked = [q for q in quick.level_questions if stopped.relevant.get(q) and q in consultation.answers]
        unknown = [q for q in asked if consultation.answers[q] == UNKNOWN]
        assert stopped.level.unknown_share == pytest.approx(len(unknown) / len(asked))
        if skipped_level:
            assert missing.level.unknown_share > stopped.level.unknown_share

    def test_the_reports_and_json_list_skipped_questions_with_the_reason(self, quick):
        consultation, _ = consulted(quick, example(quick, EXAMPLES / "defined-manufacturer.yaml"))
        assert consultation.not_needed
        d = expert.diagnose(consultation.sheet, quick)
        data = d.to_dict("ru")
        assert [q["id"] for q in data["questions"]["not_needed"]] == list(consultation.not_needed)
        assert {q["reason"] for q in data["questions"]["not_needed"]} == {"not_needed"}
        first = quick.kb.questions[consultation.not_needed[0]]
        from expert.report.html import render_html
        from expert.report.markdown import render_markdown
        from expert.report.text import render_text

        for lang in ("en", "ru"):
            text = " ".join(render_text(d, lang, width=200).split())
            assert first.text[lang] in text
            assert first.text[lang] in render_markdown(d, lang)
            html = render_html(d, lang)
            reason = quick.kb.messages["report.not_needed_reason"][lang]
            assert reason in html and reason in render_markdown(d, lang)

    def test_the_answers_file_keeps_them_and_an_answer_takes_one_off(self, quick, tmp_path):
        consultation, _ = consulted(quick, example(quick, EXAMPLES / "integrated-fmcg.yaml"))
        path = tmp_path / "s.yaml"
        expert.answers.write_answers(consultation.sheet, path)
        saved = expert.read_answers(path, quick.kb)
        assert saved.not_needed == consultation.not_needed and saved.answers == consultation.answers
        first = consultation.not_needed[0]
        answered = replace(saved, answers={**saved.answers, first: UNKNOWN})
        assert first not in answered.to_document().get("not_needed", [])

    @pytest.mark.parametrize("value, problem", [("joint_meetings", "must be a list"),
                                                ([3], "must be a list"),
                                                (["joint_meeting"], "did you mean joint_meetings")])
    def test_a_bad_list_is_refused_with_its_place(self, quick, tmp_path, value, problem):
        path = tmp_path / "a.yaml"
        path.write_text(yaml.safe_dump({"answers": {"marketing_department": "separate"}, "not_needed": value}),
                        encoding="utf-8")
        with pytest.raises(InputError, match=problem):
            expert.read_answers(path, quick.kb)


class TestConsultationWithSelection:
    def test_back_returns_to_the_question_asked_before_and_keeps_every_answer(self, quick):
        sheet = example(quick, EXAMPLES / "undefined-distributor.yaml")
        order = asked_in_order(quick, sheet)
        c = Consultation(quick, ask_profile=False)
        for q in order[:4]:
            assert c.step.id == q
            c.answer(sheet.answers.get(q, UNKNOWN))
        kept = dict(c.answers)
        assert c.respond("back").kind == BACK and (c.step.id, c.step.previous) == (order[3], kept[order[3]])
        assert c.respond("back").kind == BACK and c.step.id == order[2]
        assert c.answers == kept and c.step.number == 3
        assert c.respond("").kind == ANSWERED  # Enter keeps it; the later answer is offered again
        assert (c.step.id, c.step.previous) == (order[3], kept[order[3]]) and c.revisiting
        assert c.respond("").kind == ANSWERED
        assert c.step.id == order[4] and not c.revisiting and c.step.number == 5

    def test_resume_asks_what_the_uninterrupted_consultation_would(self, quick):
        sheet = example(quick, EXAMPLES / "aligned-software.yaml")
        order = asked_in_order(quick, sheet)
        for k in (2, 7):
            resumed = Consultation(quick, expert.AnswerSheet("Acme", "executive",
                                                             {q: sheet.answers.get(q, UNKNOWN) for q in order[:k]}))
            assert (resumed.step.id, resumed.step.number) == (order[k], k + 1)

    def test_what_is_left_never_rises_and_the_end_may_come_early(self, quick):
        sheet = example(quick, EXAMPLES / "defined-manufacturer.yaml")
        c = Consultation(quick, ask_profile=False)
        left = []
        while (step := c.step) is not None:
            left.append(step.left)
            c.answer(sheet.answers.get(step.id, UNKNOWN))
        assert all(later < earlier for earlier, later in zip(left, left[1:])), left
        remaining = sum(1 for q, ok in relevance(quick.kb, c.answers).items() if ok and q not in c.answers)
        assert left[-1] >= remaining - 1 >= 0 and c.not_needed

    def test_a_thorough_resume_asks_the_skipped_questions(self, quick):
        sheet = example(quick, EXAMPLES / "defined-manufacturer.yaml")
        consultation, _ = consulted(quick, sheet)
        skipped = consultation.not_needed
        thorough = Consultation(quick, consultation.sheet, selective=False)
        asked = []
        while (step := thorough.step) is not None:  # answered as the example would, so follow-ups open alike
            asked.append(step.id)
            thorough.answer(sheet.answers.get(step.id, UNKNOWN))
        # a skipped follow-up whose gate was skipped too may no longer apply once that gate is answered
        still_apply = {q for q, ok in relevance(quick.kb, thorough.answers).items() if ok}
        assert set(skipped) & still_apply <= set(asked) and set(skipped) & still_apply
        assert "not_needed" not in thorough.sheet.to_document()

    def test_why_says_what_an_answer_could_change(self, quick):
        c = Consultation(quick, ask_profile=False)
        c.answer("separate")
        why = c.respond("why").why
        assert why.could_change and set(why.could_change) <= {"level", "target", "causes", "plan"}
        assert why.rules  # and still which rules read it

    def test_going_back_and_changing_an_answer_reopens_the_consultation(self, quick):
        consultation, _ = consulted(quick, example(quick, EXAMPLES / "integrated-fmcg.yaml"))
        assert consultation.done and consultation.not_needed
        consultation.respond("back")
        assert consultation.step is not None and consultation.revisiting


class SelectiveMachine(RuleBasedStateMachine):
    """Random answers and backs with selection on: the answers are always the last ones given,
    the step outside a revisit is the selection's decision, and going back removes nothing."""

    def __init__(self):
        super().__init__()
        self.system = fast(expert.load_expert())
        self.c = Consultation(self.system, ask_profile=False)
        self.given: dict = {}

    @initialize(marketing=st.sampled_from(["separate", "one_person"]))
    def start(self, marketing):
        """A company with marketing: the consultation goes all the way."""
        assert self.c.step.id == "marketing_department"
        self.c.answer(marketing)
        self.given["marketing_department"] = marketing

    def asking(self) -> bool:
        return not self.c.done and self.c.step.question is not None

    @precondition(lambda self: self.asking())
    @rule(data=st.data(), count=st.integers(1, 8))
    def answer(self, data, count):
        """Answer the next few questions (a consultation is long; runs of single steps stay short)."""
        for _ in range(count):
            if not self.asking():
                return
            q = self.c.step.question
            value = data.draw(st.sampled_from(allowed_answers(self.system, q) + [UNKNOWN]))
            assert self.c.answer(value).kind == ANSWERED
            self.given[q.id] = q.normalise(value)[0]

    @precondition(lambda self: not self.c.done and self.c.step.id == CONFIRM)
    @rule()
    def confirm(self):
        assert self.c.respond("1").kind == CONFIRMED

    @rule(count=st.integers(1, 3))
    def back(self, count):
        for _ in range(count):
            self.c.respond("back")

    @invariant()
    def answers_are_the_last_ones_given(self):
        assert self.c.answers == self.given

    @invariant()
    def outside_a_revisit_the_step_is_the_decision(self):
        step = self.c.step
        if step is None or step.id == CONFIRM or self.c.revisiting:
            return
        assert step.id == selector_for(self.system).decide(self.c.answers).question


SelectiveMachine.TestCase.settings = settings(max_examples=4, stateful_step_count=8, deadline=None,
                                              suppress_health_check=[HealthCheck.too_slow])
TestSelectiveMachine = SelectiveMachine.TestCase


class TestCommandLine:
    def consult(self, runner, tmp_path, lines, *args):
        return runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "s.yaml"), *args],
                             input="".join(f"{line}\n" for line in lines))

    def test_a_skipped_question_is_listed_with_its_reason_and_answerable_with_thorough(self, runner, quick,
                                                                                      tmp_path):
        sheet = example(quick, EXAMPLES / "defined-manufacturer.yaml")
        consultation, _ = consulted(quick, sheet)
        skipped = consultation.not_needed
        first = self.consult(runner, tmp_path, lines_for(quick, sheet))
        assert first.exit_code == 0, first.stderr
        err = " ".join(first.stderr.split())
        assert "Nothing left could change the diagnosis" in err
        assert "no answer would change the level, the aim, the named causes or the plan" in err
        for q in skipped:
            assert " ".join(quick.kb.questions[q].text["en"].split()) in err
        assert f"accord diagnose --save {tmp_path / 's.yaml'} --resume --thorough" in first.stderr
        assert yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))["not_needed"] == list(skipped)

        # later, with --resume --thorough: the skipped questions are asked and answered
        question = quick.kb.questions[skipped[0]]
        answers = ["unknown"] * 60
        second = self.consult(runner, tmp_path, answers, "--resume", "--thorough", "--format", "json")
        assert second.exit_code == 0, second.stderr
        assert question.text["en"][:40] in second.stderr
        data = json.loads(second.stdout)
        assert data["answers"][question.id] == "unknown" and data["questions"]["not_needed"] == []
        assert "not_needed" not in yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
        assert "Nothing left could change" not in second.stderr

    def test_thorough_asks_every_question_that_applies(self, runner, quick, tmp_path):
        sheet = example(quick, EXAMPLES / "integrated-fmcg.yaml")
        result = self.consult(runner, tmp_path, lines_for(quick, sheet, selective=False), "--thorough")
        assert result.exit_code == 0, result.stderr
        answers = expert.read_answers(tmp_path / "s.yaml", quick.kb).answers
        assert all(q in answers for q, ok in relevance(quick.kb, answers).items() if ok)
        assert "Nothing left could change" not in result.stderr

    def test_thorough_with_an_answers_file_is_bad_usage(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLE_FILES[0]), "--thorough"])
        assert result.exit_code == 2 and "--thorough" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_selective_consultation_reaches_the_full_questionnaires_verdict(quick):
    """A small version of bench/selection.py's agreement figure: every bundled example, and generated
    companies. The examples' lead questions matter only together (whether marketing generates leads
    opens several follow-ups, none decisive alone), so they check that follow-ups are tried jointly."""
    examples = [example(quick, p).answers for p in EXAMPLE_FILES]
    sheets = examples + complete_sheets(quick.kb, quick.rules, 4, start=900)
    agree, skipped, disagreeing = 0, 0, []
    for number, answers in enumerate(sheets):
        full = Verdict.of(expert.diagnose(expert.AnswerSheet(answers=answers), quick))
        consultation, _ = consulted(quick, expert.AnswerSheet(answers=answers))
        agrees = Verdict.of(expert.diagnose(consultation.sheet, quick)).agrees(full)
        agree += agrees
        if not agrees and number < len(examples):
            disagreeing.append(EXAMPLE_FILES[number].stem)
        skipped += bool(consultation.not_needed)
    assert not disagreeing, f"the selective consultation of {disagreeing} differs from the full questionnaire"
    assert agree >= len(sheets) - 1, f"{agree} of {len(sheets)} agree"
    assert skipped >= len(sheets) // 2


def test_doctests():
    import doctest

    import expert.selection

    result = doctest.testmod(expert.selection, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
