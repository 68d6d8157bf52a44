"""Several respondents of one organisation (issue 10): how answers combine, where they differ, the reports."""

from __future__ import annotations

import json
from fractions import Fraction

import jsonschema
import pytest

import cli
import expert
from expert.answers import AnswerSheet
from expert.conditions import UNKNOWN
from expert.errors import InputError
from expert.respondents import combine, combine_values, diagnose_organisation, reads_differently

from conftest import EXAMPLES, ROOT

SALES = EXAMPLES / "respondents" / "uralpack-sales.yaml"
MARKETING = EXAMPLES / "respondents" / "uralpack-marketing.yaml"
CEO = EXAMPLES / "defined-manufacturer.yaml"
SCHEMA = json.loads((ROOT / "docs" / "diagnosis.schema.json").read_text(encoding="utf-8"))
HALF = Fraction(1, 2)


def sheet(role, answers, organization="Acme", quick=None, source=None):
    return AnswerSheet(organization, role, {"marketing_department": "separate", **answers}, source=source or f"{role}.yaml",
                       quick=quick)


@pytest.fixture(scope="module")
def pair(system):
    return [expert.read_answers(p, system.kb) for p in (SALES, MARKETING)]


@pytest.fixture(scope="module")
def combined(system, pair):
    return diagnose_organisation(pair, system)


class TestCombineValues:
    """One answer from the weighted answers of the sides."""

    @pytest.mark.parametrize("ratings, expected", [((2, 5), 3), ((4, 5), 4), ((1, 2), 2), ((3, 4), 3), ((1, 5), 3),
                                                   ((4, 4), 4)])
    def test_ratings_are_averaged_halves_towards_the_middle(self, system, ratings, expected):
        assert combine_values(system.kb.questions["shared_terms"], [(HALF, r) for r in ratings]) == (expected, False)

    def test_numbers_are_averaged(self, system):
        assert combine_values(system.kb.questions["lead_acceptance_pct"], [(HALF, 20), (HALF, 55)]) == (37.5, False)
        assert combine_values(system.kb.questions["employees"], [(HALF, 420), (HALF, 400)]) == (410, False)

    def test_a_choice_without_a_majority_is_undecided(self, system):
        q = system.kb.questions["joint_meetings"]
        assert combine_values(q, [(HALF, "never"), (HALF, "weekly")]) == (UNKNOWN, True)

    def test_a_choice_with_a_majority_counts(self, system):
        q = system.kb.questions["joint_meetings"]
        third = Fraction(1, 3)
        assert combine_values(q, [(third, "weekly"), (third, "weekly"), (third, "never")]) == ("weekly", False)

    def test_several_answers_count_choice_by_choice(self, system):
        q = system.kb.questions["conflict_topic"]
        assert combine_values(q, [(HALF, ("price", "leads")), (HALF, ("leads",))]) == (("leads",), False)
        assert combine_values(q, [(HALF, ("price",)), (HALF, ("leads",))]) == (UNKNOWN, True)

    def test_no_votes_no_answer(self, system):
        assert combine_values(system.kb.questions["joint_meetings"], []) == (None, False)


class TestCombine:
    def test_unknown_is_filled_in_by_the_other_side(self, system):
        r = combine([sheet("sales", {"joint_meetings": "unknown"}), sheet("marketing", {"joint_meetings": "weekly"})],
                    system)
        assert r.combined.answers["joint_meetings"] == "weekly" and r.undecided == ()

    def test_unknown_stays_when_nobody_knows(self, system):
        r = combine([sheet("sales", {"joint_meetings": "unknown"}), sheet("marketing", {})], system)
        assert r.combined.answers["joint_meetings"] == UNKNOWN

    def test_a_side_of_many_weighs_as_one(self, system):
        """Three salespeople do not outvote one head of marketing (no role overrides another)."""
        sellers = [sheet("sales", {"joint_meetings": "never"}, source=f"s{i}.yaml") for i in range(3)]
        r = combine(sellers + [sheet("marketing", {"joint_meetings": "weekly"})], system)
        assert r.combined.answers["joint_meetings"] == UNKNOWN and r.undecided == ("joint_meetings",)
        assert [s.id for s in r.sides] == ["sales", "marketing"] and len(r.sides[0].sheets) == 3

    def test_two_sides_against_one_decide(self, system):
        r = combine([sheet("executive", {"joint_meetings": "weekly"}), sheet("sales", {"joint_meetings": "never"}),
                     sheet("marketing", {"joint_meetings": "weekly"})], system)
        assert r.combined.answers["joint_meetings"] == "weekly"
        assert [d.topic for d in r.differences] == ["joint_meetings"]  # the minority view is still reported

    def test_a_follow_up_counts_only_where_the_respondent_was_asked_it(self, system):
        """separation_years applies only where marketing was split off from sales; a stray answer does not vote."""
        r = combine([sheet("sales", {"marketing_origin": "split_from_sales", "separation_years": "under_1"}),
                     sheet("marketing", {"marketing_origin": "split_from_sales"}),
                     sheet("executive", {"marketing_origin": "grew_separately", "separation_years": "over_3"})], system)
        assert r.combined.answers["separation_years"] == "under_1"

    def test_respondents_of_one_role_are_sides_of_their_own(self, system):
        r = combine([sheet("sales", {"shared_terms": 1}, source="a.yaml"),
                     sheet("sales", {"shared_terms": 5}, source="b.yaml")], system)
        assert [s.id for s in r.sides] == ["sales-1", "sales-2"]
        assert r.combined.answers["shared_terms"] == 3 and r.differences[0].topic == "shared_terms"

    def test_the_organisation_takes_the_latest_date(self, system):
        a, b = sheet("sales", {}), sheet("marketing", {})
        a.date, b.date = "2026-03-04", "2026-03-02"
        assert combine([a, b], system).combined.date == "2026-03-04"


class TestDifferences:
    def test_answers_that_lead_to_the_same_findings_do_not_differ(self, system):
        assert not reads_differently(system, "employees", [420, 400])
        assert reads_differently(system, "employees", [40, 400])
        assert reads_differently(system, "conflict_frequency", ["often", "rarely"])

    def test_the_widest_differences_come_first(self, combined):
        first = combined.respondents.differences[0]
        assert first.spread == 1.0 and first.topic in {"joint_meetings", "conflict_frequency", "results_responsibility"}
        assert [d.spread for d in combined.respondents.differences] == \
            sorted((d.spread for d in combined.respondents.differences), reverse=True)

    def test_statements_two_points_apart_differ(self, combined):
        statements = [d.topic for d in combined.respondents.differences if d.statement]
        assert "regular_contact" in statements  # sales 1, marketing 4


class TestOppositeViews:
    """Two respondent files of one example company with opposite views (issue 10, done when)."""

    def test_the_sides_own_answers_place_them_levels_apart(self, combined):
        verdicts = combined.respondents.verdicts
        assert verdicts["sales"].level == "LEVEL-1-UNDEFINED" and verdicts["marketing"].level == "LEVEL-3-ALIGNED"
        assert combined.respondents.derived() == {"views_differ": 77, "level_spread": 2, "quick_gap": 44}

    def test_the_diagnosis_carries_the_perception_gap_finding(self, combined):
        assert combined.inference.cf("symptom", "SYM-PERCEPTION-GAP") >= 0.9
        assert combined.plan.order[:2] == ("MEAS-STAFF-SURVEY", "MEAS-JOINT-DIAGNOSTIC-SESSION") or \
            list(combined.plan.order[:2]) == ["MEAS-STAFF-SURVEY", "MEAS-JOINT-DIAGNOSTIC-SESSION"]

    def test_quick_totals_a_band_apart_are_not_averaged_into_evidence(self, combined):
        assert combined.respondents.quick_split and "quick_total" not in combined.inference.answers
        assert not any(f.rule.startswith("quick-total-reads") for f in combined.trace)

    def test_a_side_that_answered_little_is_no_level_apart(self, system, pair):
        """A side with only quick ratings establishes no level of its own, so it places nothing levels apart."""
        quick_only = AnswerSheet("Uralpack", "executive", {}, source="ceo.yaml", quick=dict(pair[1].quick))
        r = diagnose_organisation([pair[0], quick_only], system).respondents
        assert not r.verdicts["executive"].established and r.level_spread is None

    def test_the_sides_who_agree_give_no_gap(self, system):
        d = diagnose_organisation([expert.read_answers(SALES, system.kb),
                                   expert.read_answers(SALES, system.kb)], system)
        assert d.respondents.differences == () and d.inference.cf("symptom", "SYM-PERCEPTION-GAP") == 0


class TestRefusals:
    def test_files_of_different_organisations(self, system):
        with pytest.raises(InputError, match="organisation 'Beta' differs from 'Acme'"):
            combine([sheet("sales", {}), sheet("marketing", {}, organization="Beta")], system)

    def test_a_file_without_a_role(self, system):
        with pytest.raises(InputError, match="no respondent role") as caught:
            combine([sheet("sales", {}), sheet(None, {}, source="anon.yaml")], system)
        assert caught.value.location.file == "anon.yaml"

    def test_a_file_without_a_name_beside_a_named_one(self, system):
        with pytest.raises(InputError, match="no organisation name, while"):
            combine([sheet("sales", {}), sheet("marketing", {}, organization="")], system)

    def test_case_and_spacing_do_not_make_another_organisation(self, system):
        r = combine([sheet("sales", {}), sheet("marketing", {}, organization="  ACME ")], system)
        assert r.combined.organization == "Acme"

    def test_one_file_needs_no_role(self, system):
        d = diagnose_organisation([sheet(None, {})], system)
        assert d.respondents is None


class TestCommandLine:
    def test_two_files_give_one_report_with_the_gap_section(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(SALES), "--answers", str(MARKETING)])
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert "How the respondents see it" in out and "Where the sides differ most" in out
        assert "Finding: the two sides see the relationship differently" in out
        assert "Joint diagnostic session" in out
        assert out.index("How the respondents see it") < out.index("Root causes")

    @pytest.mark.parametrize("fmt, marks", [("md", ["## How the respondents see it", "| Sales | 1 |"]),
                                            ("html", ['<section id="respondents">', "<td>Marketing</td>"])])
    def test_every_format_has_the_section(self, runner, fmt, marks):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(SALES), "--answers", str(MARKETING),
                                          "--format", fmt])
        assert result.exit_code == 0, result.stderr
        for mark in marks:
            assert mark in result.stdout

    def test_json_follows_the_schema_in_both_languages(self, runner):
        for lang in ("en", "ru"):
            result = runner.invoke(cli.main, ["diagnose", "--answers", str(SALES), "--answers", str(MARKETING),
                                              "--format", "json", "--lang", lang])
            data = json.loads(result.stdout)
            jsonschema.validate(data, SCHEMA)
            assert data["respondents"]["count"] == 2 and data["date"] == "2026-03-04"
            assert data["derived"]["views_differ"] == 77 and "views_differ" not in data["answers"]

    def test_the_russian_report_is_in_russian(self, runner):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(SALES), "--answers", str(MARKETING),
                                          "--lang", "ru"])
        assert "Как видят отношения респонденты" in result.stdout and "Где стороны расходятся" in result.stdout

    def test_the_order_of_the_files_does_not_matter(self, runner):
        outputs = [runner.invoke(cli.main, ["diagnose", *args, "--format", "json"]).stdout
                   for args in (["--answers", str(SALES), "--answers", str(MARKETING)],
                                ["--answers", str(MARKETING), "--answers", str(SALES)])]
        assert outputs[0] == outputs[1]

    def test_explain_and_export_take_several_files(self, runner):
        how = runner.invoke(cli.main, ["explain", "--answers", str(SALES), "--answers", str(MARKETING),
                                       "--how", "SYM-PERCEPTION-GAP"])
        assert how.exit_code == 0, how.stderr
        assert "Worked out from the respondents' answers" in how.stdout and "77 %" in how.stdout
        full = runner.invoke(cli.main, ["explain", "--answers", str(SALES), "--answers", str(MARKETING),
                                        "--how", "SYM-PERCEPTION-GAP", "--full"])
        assert "sides-differ-on-many-topics" in full.stdout and "views_differ = 77" in full.stdout
        csv = runner.invoke(cli.main, ["export", "--answers", str(SALES), "--answers", str(MARKETING),
                                       "--format", "csv"])
        assert "MEAS-JOINT-DIAGNOSTIC-SESSION" in csv.stdout

    @pytest.mark.parametrize("files, fragments", [
        ([SALES, EXAMPLES / "undefined-distributor.yaml"], ["undefined-distributor.yaml", "differs from 'Uralpack'"]),
        ([SALES, SALES], ["uralpack-sales.yaml", "given twice"]),
    ], ids=["mixed-organisations", "same-file-twice"])
    def test_bad_combinations_are_one_line(self, runner, files, fragments):
        result = runner.invoke(cli.main, ["diagnose", *[a for f in files for a in ("--answers", str(f))]])
        assert result.exit_code == 2 and result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("accord: error: ")
        for fragment in fragments:
            assert fragment in lines[0]

    def test_a_respondent_without_a_role_is_one_line(self, runner, tmp_path):
        anonymous = tmp_path / "anonymous.yaml"
        anonymous.write_text("organization: Uralpack\nanswers: {marketing_department: separate}\n", encoding="utf-8")
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(SALES), "--answers", str(anonymous)])
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and "anonymous.yaml: no respondent role" in result.stderr
