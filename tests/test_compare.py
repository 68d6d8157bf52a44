"""accord compare OLD NEW (issue 10): what changed between two dated assessments of one organisation."""

from __future__ import annotations

import json

import pytest

import cli
from expert.compare import compare_files, read_snapshot, render_comparison

from conftest import EXAMPLES

OLD = EXAMPLES / "history" / "uralpack-2025.yaml"
NEW = EXAMPLES / "history" / "uralpack-2026.yaml"


@pytest.fixture(scope="module")
def comparison(system):
    return compare_files(OLD, NEW, system)


class TestComparison:
    def test_the_level_moved_up_and_the_dates_come_from_the_files(self, comparison):
        assert (comparison.old.level, comparison.new.level) == ("LEVEL-1-UNDEFINED", "LEVEL-2-DEFINED")
        assert comparison.level_change == 1
        assert (comparison.old.date, comparison.new.date) == ("2025-03-03", "2026-03-02")

    def test_progress_on_the_old_plan(self, comparison):
        done, total = comparison.progress
        assert "MEAS-FORMALISE-INTERACTION-RULES" in comparison.done and done == len(comparison.done) >= 2
        assert total == len(comparison.old.plan)
        # every measure of the old plan is accounted for exactly once
        assert sorted(comparison.done + comparison.still_planned + comparison.dropped) == sorted(comparison.old.plan)

    def test_causes_resolved_new_and_persisting(self, comparison):
        then, now = dict(comparison.old.causes), dict(comparison.new.causes)
        assert set(comparison.resolved) == set(then) - set(now) and set(comparison.appeared) == set(now) - set(then)
        assert {c for c, _, _ in comparison.persisting} == set(then) & set(now)
        assert "CAUSE-UNCLEAR-RESPONSIBILITY" in comparison.resolved

    def test_what_the_new_plan_adds(self, comparison):
        assert comparison.added and not set(comparison.added) & set(comparison.old.plan)

    def test_a_diagnosis_json_reads_back_as_it_was_recorded(self, runner, system, tmp_path, comparison):
        saved = tmp_path / "2025.json"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(OLD), "--format", "json", "-o", str(saved)])
        assert result.exit_code == 0, result.stderr
        snapshot = read_snapshot(saved, system)
        assert snapshot.from_json and snapshot.date == "2025-03-03"
        assert (snapshot.level, snapshot.plan, snapshot.causes) == \
            (comparison.old.level, comparison.old.plan, comparison.old.causes)


class TestCommandLine:
    def test_text(self, runner):
        result = runner.invoke(cli.main, ["compare", str(OLD), str(NEW)])
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert "What changed — Uralpack" in out and "Then: 2025-03-03" in out and "Now: 2026-03-02" in out
        assert "The relationship moved up 1 level." in out and "Progress on the old plan:" in out
        assert "Measures of the old plan now in place" in out and "What the new plan adds" in out

    @pytest.mark.parametrize("fmt, mark", [("md", "# Uralpack — What changed"), ("html", "<h1>What changed — Uralpack</h1>")])
    def test_markdown_and_html(self, runner, fmt, mark):
        result = runner.invoke(cli.main, ["compare", str(OLD), str(NEW), "--format", fmt])
        assert result.exit_code == 0 and mark in result.stdout

    def test_json_in_russian(self, runner):
        result = runner.invoke(cli.main, ["compare", str(OLD), str(NEW), "--format", "json", "--lang", "ru"])
        data = json.loads(result.stdout)
        assert data["level_change"] == 1 and data["new"]["level"]["name"] == "Формализованные отношения"
        assert data["plan"]["progress"]["in_place"] == len(data["plan"]["done"])

    def test_same_files_same_bytes(self, runner, tmp_path):
        outputs = [runner.invoke(cli.main, ["compare", str(OLD), str(NEW), "--format", "html"]).stdout for _ in range(2)]
        assert outputs[0] == outputs[1]

    @pytest.mark.parametrize("files, fragment", [
        ((NEW, OLD), "uralpack-2026.yaml: dated 2026-03-02, after"),
        ((OLD, EXAMPLES / "aligned-software.yaml"), "differs from 'Uralpack'"),
    ], ids=["newer-first", "another-organisation"])
    def test_refused_in_one_line(self, runner, files, fragment):
        result = runner.invoke(cli.main, ["compare", *map(str, files)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and fragment in result.stderr

    def test_the_same_file_twice_is_bad_usage(self, runner):
        result = runner.invoke(cli.main, ["compare", str(OLD), str(OLD)])
        assert result.exit_code == 2 and "the same file" in result.stderr

    def test_a_json_that_is_not_a_diagnosis(self, runner, tmp_path):
        bad = tmp_path / "bad.json"
        bad.write_text('{"schema_version": "9.0", "plan": {}}', encoding="utf-8")
        result = runner.invoke(cli.main, ["compare", str(bad), str(NEW)])
        assert result.exit_code == 2 and "bad.json" in result.stderr and "schema_version 2.x" in result.stderr

    def test_render_is_deterministic(self, system, comparison):
        for fmt in ("text", "md", "html", "json"):
            assert render_comparison(comparison, system.kb, fmt, "en") == render_comparison(comparison, system.kb, fmt, "en")
