"""Measures are named after the people the organisation has (decision 4 of the digest): a firm
whose owner leads selling and whose marketing is one person has no marketing director to meet
a head of sales every week."""

from __future__ import annotations

import json

import yaml

import cli
import expert

OWNER_AND_MARKETER = {"marketing_department": "one_person", "leadership": "owner_sells", "employees": 45,
                      "market_type": "b2b", "marketing_role": ["sales_support"], "joint_meetings": "never",
                      "heads_meet": "rarely", "interaction_rules": "none", "joint_planning": "separately",
                      "information_flow": "little", "conflict_frequency": "rarely"}
MEETING = "MEAS-CMO-CCO-WEEKLY-MEETING"


def write(tmp_path, answers) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"organization": "A print shop", "answers": answers}), encoding="utf-8")
    return str(path)


def test_the_heads_meeting_is_named_after_the_owner_and_the_marketer(system, runner, tmp_path):
    d = expert.diagnose(expert.AnswerSheet(answers={k: tuple(v) if isinstance(v, list) else v
                                                    for k, v in OWNER_AND_MARKETER.items()}), system)
    assert MEETING in d.plan.order
    assert d.measure_name(MEETING, "en") == "Weekly one-to-one of the owner and the marketer"
    assert d.measure_name(MEETING, "ru") == "Еженедельные встречи собственника и маркетолога один на один"
    path = write(tmp_path, OWNER_AND_MARKETER)
    for fmt in ("text", "md", "html"):
        out = " ".join(runner.invoke(cli.main, ["diagnose", "--answers", path, "--format", fmt]).stdout.split())
        assert "Weekly one-to-one of the owner and the marketer" in out, fmt
        assert "marketing director and the head of sales" not in out, fmt
    data = json.loads(runner.invoke(cli.main, ["diagnose", "--answers", path, "--format", "json"]).stdout)
    assert next(m for m in data["measures"] if m["id"] == MEETING)["name"] == "Weekly one-to-one of the owner and the marketer"
    dot = runner.invoke(cli.main, ["export", "--answers", path, "--format", "dot"]).stdout
    assert "Weekly one-to-one of the owner and the marketer" in " ".join(dot.split())


def test_explain_takes_the_name_the_report_shows(runner, tmp_path):
    path = write(tmp_path, OWNER_AND_MARKETER)
    result = runner.invoke(cli.main, ["explain", "--answers", path, "--how", "Weekly one-to-one of the owner and the marketer"])
    assert result.exit_code == 0, result.output
    assert "Weekly one-to-one of the owner and the marketer" in result.stdout.splitlines()[2]


def test_two_heads_keep_the_digest_name(system):
    answers = dict(OWNER_AND_MARKETER, marketing_department="separate", leadership="ceo", employees=400,
                   marketing_role=("sales_support",))
    d = expert.diagnose(expert.AnswerSheet(answers=answers), system)
    assert d.measure_name(MEETING, "en") == system.kb.measures[MEETING].name["en"]


def test_joint_meetings_are_named_for_what_the_meetings_still_lack(system):
    """Departments that already meet monthly are asked to meet weekly (seed 002's cadence), those
    that only report to each other to work on common problems, those whose meetings keep being
    cancelled to restart them: never 'hold joint meetings' to a manager who said they do."""
    base = {"marketing_department": "separate", "leadership": "ceo", "employees": 400, "market_type": "b2b"}
    names = {}
    for value in ("never", "regular", "report_outs", "slipping"):
        d = expert.diagnose(expert.AnswerSheet(answers=dict(base, joint_meetings=value)), system)
        names[value] = d.measure_name("MEAS-JOINT-DEPARTMENT-MEETINGS", "en")
    assert names["never"] == system.kb.measures["MEAS-JOINT-DEPARTMENT-MEETINGS"].name["en"]
    assert "weekly" in names["regular"]
    assert "working sessions" in names["report_outs"]
    assert names["slipping"].startswith("Restart")


def test_a_crm_sales_already_has_is_opened_not_bought(system):
    base = {"marketing_department": "separate", "leadership": "ceo", "employees": 400, "market_type": "b2b"}
    names = {value: expert.diagnose(expert.AnswerSheet(answers=dict(base, crm=value)), system)
             .measure_name("MEAS-SHARED-CRM", "en") for value in ("none", "sales_only", "shared_passive")}
    assert names["none"] == system.kb.measures["MEAS-SHARED-CRM"].name["en"]
    assert names["sales_only"].startswith("Open the sales CRM to marketing")
    assert "marketing's work into the shared CRM" in names["shared_passive"]


def test_meetings_already_in_place_are_listed_as_what_they_are_not_as_a_change(system, runner, tmp_path):
    """Monthly meetings of large departments are in place (monthly suits them): the report lists
    'joint meetings' among what the company has, not 'make the joint meetings weekly'."""
    answers = {"marketing_department": "separate", "leadership": "ceo", "employees": 3000, "market_type": "b2b",
               "department_size": 900, "joint_meetings": "regular"}
    d = expert.diagnose(expert.AnswerSheet(answers=answers), system)
    assert "MEAS-JOINT-DEPARTMENT-MEETINGS" in d.in_place
    base = system.kb.measures["MEAS-JOINT-DEPARTMENT-MEETINGS"].name["en"]
    assert d.measure_name("MEAS-JOINT-DEPARTMENT-MEETINGS", "en") == base
    result = runner.invoke(cli.main, ["diagnose", "--answers", write(tmp_path, answers), "--format", "md"])
    in_place = next(line for line in result.output.splitlines() if line.startswith("Already in place"))
    assert base in in_place and "weekly" not in in_place
