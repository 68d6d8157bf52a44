"""The library call and the diagnose command on the bundled example companies."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import cli
import expert
from expert.answers import read_answers

from conftest import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "docs" / "diagnosis.schema.json").read_text(encoding="utf-8"))


def diagnose_example(name: str, system) -> expert.Diagnosis:
    return expert.diagnose(read_answers(EXAMPLES / f"{name}.yaml", system.kb), system)


def recommended(d: expert.Diagnosis) -> set[str]:
    return {m for m in d.plan.order if not d.plan.items[m].pulled_in}


class TestExamples:
    def test_undefined_distributor_should_formalise(self, system):
        d = diagnose_example("undefined-distributor", system)
        assert (d.level.id, d.target.id, d.target.transition) == ("LEVEL-1-UNDEFINED", "LEVEL-2-DEFINED", "TRANS-1-TO-2")
        causes = dict(d.causes)
        assert {"CAUSE-UNCLEAR-RESPONSIBILITY", "CAUSE-SEPARATE-PLANNING", "CAUSE-INFORMATION-FLOW",
                "CAUSE-NO-SHARED-LEAD-DEFINITION"} <= set(causes)
        measures = recommended(d)
        assert {"MEAS-FORMALISE-INTERACTION-RULES", "MEAS-DEFINE-RESPONSIBILITY-ZONES", "MEAS-SHARED-VOCABULARY",
                "MEAS-CMO-CCO-WEEKLY-MEETING", "MEAS-STAFF-SURVEY", "MEAS-CONFLICT-RESOLUTION-MECHANISM"} <= measures
        # integration measures are two steps away
        assert not measures & {"MEAS-SHARED-CRM", "MEAS-SHARED-REWARD-SYSTEM", "MEAS-COMMON-METRICS"}
        assert d.plan.order[0] in ("MEAS-TOP-MANAGEMENT-SPONSORSHIP", "MEAS-STAFF-SURVEY")

    def test_defined_manufacturer_should_align(self, system):
        d = diagnose_example("defined-manufacturer", system)
        assert (d.level.id, d.target.id, d.target.transition) == ("LEVEL-2-DEFINED", "LEVEL-3-ALIGNED", "TRANS-2-TO-3")
        assert {"CAUSE-INFORMATION-FLOW", "CAUSE-SEPARATE-PLANNING", "CAUSE-INCENTIVE-MISALIGNMENT",
                "CAUSE-PRICE-3P"} <= {c for c, _ in d.causes}
        measures = recommended(d)
        assert {"MEAS-JOINT-DEPARTMENT-MEETINGS", "MEAS-JOB-ROTATION", "MEAS-JOINT-KEY-PROJECT-DECISIONS",
                "MEAS-PROFIT-BASED-SALES-INCENTIVES", "MEAS-SALES-CHECKS-MARKETING-MIX"} <= measures
        # written rules and clear duties are already there
        assert {"MEAS-FORMALISE-INTERACTION-RULES", "MEAS-DEFINE-RESPONSIBILITY-ZONES"} <= set(d.in_place)
        assert not measures & {"MEAS-FORMALISE-INTERACTION-RULES", "MEAS-SHARED-CRM", "MEAS-CHIEF-REVENUE-OFFICER"}

    def test_aligned_software_should_integrate(self, system):
        d = diagnose_example("aligned-software", system)
        assert (d.level.id, d.target.id, d.target.transition) == ("LEVEL-3-ALIGNED", "LEVEL-4-INTEGRATED", "TRANS-3-TO-4")
        assert {"CAUSE-INCENTIVE-MISALIGNMENT", "CAUSE-NO-SHARED-SYSTEMS"} <= {c for c, _ in d.causes}
        measures = recommended(d)
        assert {"MEAS-SHARED-REWARD-SYSTEM", "MEAS-COMMON-METRICS", "MEAS-SHARED-CRM", "MEAS-DEFINE-FUNNEL-STAGES",
                "MEAS-SHARED-RESPONSIBILITY-FOR-RESULTS"} <= measures
        # marketing is already split and the departments already meet weekly
        assert not measures & {"MEAS-SPLIT-UPSTREAM-DOWNSTREAM", "MEAS-JOINT-DEPARTMENT-MEETINGS"}

    def test_integrated_fmcg_should_stay(self, system):
        d = diagnose_example("integrated-fmcg", system)
        assert (d.level.id, d.target.id, d.target.stay) == ("LEVEL-4-INTEGRATED", "LEVEL-4-INTEGRATED", True)
        assert {"MEAS-SHARED-CRM", "MEAS-SHARED-REWARD-SYSTEM", "MEAS-COMMON-METRICS"} <= set(d.in_place)
        # only residual fixes: mindsets behind costlier deals, and a common enemy in a fierce market
        assert recommended(d) <= {"MEAS-PERSPECTIVE-SWAPPING", "MEAS-JOINT-COMPETITIVE-INTELLIGENCE"}
        assert d.level.evidence_against == ()

    @pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
    def test_json_follows_the_schema(self, path, system):
        d = expert.diagnose(read_answers(path, system.kb), system)
        for lang in ("en", "ru"):
            jsonschema.validate(d.to_dict(lang), SCHEMA)


class TestCertainty:
    def test_unknown_answers_lower_the_certainty_of_the_level(self, system):
        sheet = read_answers(EXAMPLES / "defined-manufacturer.yaml", system.kb)
        known = expert.diagnose(sheet, system)
        vaguer = dict(sheet.answers, shared_terms="unknown", joint_projects="unknown", mutual_knowledge="unknown")
        unsure = expert.diagnose(vaguer, system)
        assert unsure.level.id == known.level.id
        assert unsure.level.unknown_share > 0
        assert unsure.level.certainty < known.level.certainty

    def test_unknown_never_counts_as_no(self, system):
        base = {"marketing_department": "separate"}
        assert expert.diagnose({**base, "interaction_rules": "unknown"}, system).inference.cf(
            "sign", "SIGN-L2-CONFLICT-PREVENTION-RULES") == 0.0
        assert expert.diagnose({**base, "interaction_rules": "none"}, system).inference.cf(
            "sign", "SIGN-L2-CONFLICT-PREVENTION-RULES") < 0

    def test_no_marketing_department_has_no_level(self, system):
        d = expert.diagnose({"marketing_department": "none", "plans_marketing_department": "yes", "employees": 40}, system)
        assert d.level is None and d.target is None
        assert "MEAS-DEFINE-RESPONSIBILITY-ZONES" in recommended(d)
        nothing = expert.diagnose({"marketing_department": "none", "plans_marketing_department": "no"}, system)
        assert nothing.plan.order == []

    def test_answers_to_irrelevant_follow_ups_are_set_aside(self, system):
        d = expert.diagnose({"marketing_department": "separate", "conflict_frequency": "rarely",
                             "conflict_topic": "price"}, system)
        assert d.ignored == {"conflict_topic": "price"}
        assert d.inference.cf("symptom", "SYM-PRICE-CONFLICT") == 0.0

    def test_every_firing_is_recorded_with_what_it_matched(self, system):
        d = diagnose_example("defined-manufacturer", system)
        assert [f.index for f in d.trace] == list(range(len(d.trace)))
        first = d.trace[0]
        assert first.rule in system.rules.rules and first.matched and first.asserted
        for finding in d.inference.findings.values():
            for _, index in finding.support:
                assert any(a.id == finding.id for a in d.trace[index].asserted)


class TestDiagnoseCommand:
    def test_text_report(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml")])
        assert result.exit_code == 0, result.output
        assert "Defined" in result.stdout and "Root causes" in result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) <= 80

    def test_russian_text_report(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                          "--lang", "ru"])
        assert result.exit_code == 0, result.output
        assert "Формализованные отношения" in result.stdout and "Коренные причины" in result.stdout

    def test_json_to_a_file(self, runner, tmp_path):
        out = tmp_path / "d.json"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "aligned-software.yaml"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["schema_version"] == "1.1" and data["engine"] in ("clips", "experta") and data["level"]["value"] == 3

    def test_two_runs_give_byte_identical_json(self, runner, tmp_path):
        outputs = []
        for name in ("a.json", "b.json"):
            out = tmp_path / name
            runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "undefined-distributor.yaml"),
                                     "--format", "json", "-o", str(out)])
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]


class TestReportsAreDeterministic:
    def test_same_answers_give_byte_identical_reports(self, runner, tmp_path):
        answers = tmp_path / "answers.yaml"
        answers.write_text((EXAMPLES / "defined-manufacturer.yaml").read_text(encoding="utf-8") + "date: 2026-03-02\n",
                           encoding="utf-8")
        for fmt in ("html", "md", "text", "json"):
            outputs = []
            for copy in ("a", "b"):
                out = tmp_path / f"{copy}.{fmt}"
                result = runner.invoke(cli.main, ["diagnose", "--answers", str(answers), "--format", fmt, "-o", str(out)])
                assert result.exit_code == 0, result.output
                outputs.append(out.read_bytes())
            assert outputs[0] == outputs[1], fmt
        assert "2026" in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_an_unwritable_output_is_one_line_and_exit_2(runner, tmp_path):
    result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                      "--format", "json", "-o", str(tmp_path / "missing" / "d.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("accord: error: ") and "cannot write the file" in result.stderr


class TestPlanPriorities:
    def test_each_phase_keeps_its_most_needed_measures_and_defers_the_rest(self, system):
        d = diagnose_example("defined-manufacturer", system)
        phases = {}
        for ident in recommended(d):
            phases.setdefault(d.plan.items[ident].phase, []).append(ident)
        assert len(phases["TRANS-2-TO-3"]) <= expert.diagnosis.MEASURES_PER_PHASE["move"]
        assert len(phases["TRANS-1-TO-2"]) <= expert.diagnosis.MEASURES_PER_PHASE["other"]
        deferred = dict(d.deferred)
        assert "MEAS-LEAD-KPIS" in deferred
        kept = [d.plan.items[m].certainty for m in phases["TRANS-2-TO-3"]]
        assert min(kept) >= max(cf for m, cf in d.deferred if system.kb.measures[m].phase == "TRANS-2-TO-3")

    def test_deferred_measures_are_in_every_report(self, runner, tmp_path):
        example = str(EXAMPLES / "defined-manufacturer.yaml")
        text = runner.invoke(cli.main, ["diagnose", "--answers", example]).stdout
        assert "Also worth considering later" in text
        html = tmp_path / "r.html"
        runner.invoke(cli.main, ["diagnose", "--answers", example, "-o", str(html)])
        assert "Make leads marketing" in html.read_text(encoding="utf-8")
        explained = runner.invoke(cli.main, ["explain", "--answers", example, "--why-not", "MEAS-LEAD-KPIS"]).stdout
        assert "worth considering later" in explained
