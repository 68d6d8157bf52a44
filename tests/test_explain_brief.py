"""HOW for a client: the report's own handles, one level at a time, in words (issue 13)."""

from __future__ import annotations

import re

import pytest

import cli
import expert
from expert.explain.brief import explain_brief, resolve_handle

from conftest import EXAMPLES
from consult_script import example
from test_manager_facing import KB_ID, RAW_SCORE, ROLE_ACRONYM

ANSWERS = str(EXAMPLES / "defined-manufacturer.yaml")


@pytest.fixture(scope="module")
def d(system):
    return expert.diagnose(example(system, EXAMPLES / "defined-manufacturer.yaml"), system)


def explain(runner, *args):
    return runner.invoke(cli.main, ["explain", "--answers", ANSWERS, *args])


def first_screen(text: str) -> str:
    """What a client sees before the pointers to the technical detail (the commands at the end)."""
    return text.split("\n\n")[0] + "\n" + "\n".join(line for line in text.splitlines() if "accord explain" not in line)


class TestHandles:
    def test_a_step_number_in_any_form_names_that_step_of_the_plan(self, d):
        for given in ("3", "#3", "step 3", "шаг 3", "№3"):
            assert resolve_handle(d, given) == (d.plan.order[2], ("measure",))

    def test_a_name_as_printed_in_either_language_names_the_conclusion(self, d):
        cause = next(c.id for c in d.inference.causes if c.named)
        for lang in ("en", "ru"):
            assert resolve_handle(d, d.kb.causes[cause].name[lang])[0] == cause
            assert resolve_handle(d, f"«{d.kb.causes[cause].name[lang].upper()}»")[0] == cause

    def test_a_step_beyond_the_plan_is_one_line_and_exit_2(self, runner, d):
        result = explain(runner, "--how", str(len(d.plan.order) + 1))
        assert result.exit_code == 2 and "unknown step" in result.stderr and len(result.stderr.splitlines()) == 1

    def test_a_name_matching_several_says_which(self, runner):
        result = explain(runner, "--how", "marketing")
        assert result.exit_code == 2 and "matches several names" in result.stderr

    def test_why_not_takes_the_same_handles(self, runner, d):
        by_number = explain(runner, "--why-not", "3")
        by_id = explain(runner, "--why-not", d.plan.order[2])
        assert by_number.exit_code == 0 and by_number.stdout == by_id.stdout


HANDLES = [("3", "en"), ("Planning in isolation", "en"), ("level", "en"), ("target", "ru"),
           ("Маркетинговые программы искажаются при исполнении", "ru")]


class TestFirstScreen:
    @pytest.mark.parametrize("handle, lang", HANDLES)
    def test_five_report_lines_read_as_words_with_reasons_and_sources(self, runner, handle, lang):
        result = explain(runner, "--how", handle, "--lang", lang)
        assert result.exit_code == 0, result.stderr
        text = result.stdout
        screen = first_screen(text)
        assert len(text.splitlines()) <= 24, "more than a screen"
        assert not KB_ID.search(screen) and not RAW_SCORE.search(screen)
        assert re.search(r"^  1\. ", text, re.M), "no numbered reasons"
        assert ("Sources:" if lang == "en" else "Источники:") in text
        if lang == "ru":
            assert not ROLE_ACRONYM.search(screen) and not re.search(r"\d\.\d\d\b", screen)

    def test_a_reason_number_goes_one_level_deeper(self, d):
        top = explain_brief(d, "Planning in isolation")
        first = next(n for n, r in enumerate(top.reasons, 1) if r.kind != "answer")
        deeper = explain_brief(d, f"Planning in isolation.{first}")
        assert deeper.section.status.id == top.reasons[first - 1].id
        assert deeper.handle == f"Planning in isolation.{first}"

    def test_full_keeps_the_technical_proof_tree(self, runner):
        result = explain(runner, "--how", "3", "--full")
        assert result.exit_code == 0 and "rules/60-measures.yaml:" in result.stdout

    def test_full_needs_how(self, runner):
        result = explain(runner, "--full")
        assert result.exit_code == 2 and "--full goes with --how" in result.stderr


class TestWhyInTheInterview:
    def test_why_says_what_the_question_establishes_and_what_is_already_known(self, system):
        from expert.explain.question import goal_lines, question_goal

        sheet = example(system, EXAMPLES / "defined-manufacturer.yaml")
        goal = question_goal(system, "joint_planning", sheet.answers)
        assert ("sign", "SIGN-L3-JOINT-PLANNING") in goal.findings and "LEVEL-3-ALIGNED" in goal.levels
        assert goal.known and goal.leaning[0] == "LEVEL-2-DEFINED"
        en = "\n".join(goal_lines(goal, system, "en"))
        assert "The departments plan their activities together" in en and "3 Aligned" in en
        assert "Already known from your answers:" in en and "point to level 2 Defined (very likely" in en
        ru = "\n".join(goal_lines(goal, system, "ru"))
        assert "Из ваших ответов уже известно:" in ru and not KB_ID.search(ru + en)

    def test_the_answer_being_asked_about_is_not_counted_as_known(self, system):
        from expert.explain.question import question_goal

        sheet = example(system, EXAMPLES / "aligned-software.yaml")
        goal = question_goal(system, "joint_planning", sheet.answers)
        assert ("sign", "SIGN-L3-JOINT-PLANNING") not in goal.known


class TestGraphAround:
    def test_around_draws_only_what_leads_to_a_conclusion_and_what_it_leads_to(self, runner, d):
        whole = explain(runner, "--graph", "dot")
        around = explain(runner, "--graph", "dot", "--around", "Planning in isolation", "--depth", "1")
        assert whole.exit_code == around.exit_code == 0
        edges = lambda text: [line for line in text.splitlines() if "->" in line]  # noqa: E731
        assert 0 < len(edges(around.stdout)) < len(edges(whole.stdout)) / 4
        cause = next(c.id for c in d.inference.causes if c.named and d.kb.causes[c.id].name["en"] == "Planning in isolation")
        ends = lambda lines: {n for line in lines for n in re.findall(r'"([a-z]+__[^"]+)"', line)}  # noqa: E731
        touching = [line for line in edges(whole.stdout) if f'"cause__{cause}"' in line]
        assert ends(edges(around.stdout)) <= ends(touching)  # depth 1: it and what is one step from it

    def test_around_needs_graph(self, runner):
        result = explain(runner, "--around", "3")
        assert result.exit_code == 2 and "--around goes with --graph" in result.stderr
