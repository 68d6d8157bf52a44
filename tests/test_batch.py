"""accord diagnose --answers FOLDER (issue 10): organisations grouped, diagnosed on every core, a summary table.

How fast is measured by bench/batch.py, not here.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest

import cli
from expert.batch import diagnose_folder, group_by_organisation, report_names

from conftest import EXAMPLES


@pytest.fixture
def folder(tmp_path):
    """The four example companies, and Uralpack's heads of sales and marketing beside its CEO."""
    target = tmp_path / "clients"
    target.mkdir()
    for path in list(EXAMPLES.glob("*.yaml")) + list((EXAMPLES / "respondents").glob("*.yaml")):
        shutil.copy(path, target / path.name)
    (target / "notes.txt").write_text("not an answers file", encoding="utf-8")
    return target


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


class TestFolder:
    def test_one_diagnosis_per_organisation_in_the_order_of_their_names(self, folder):
        results = diagnose_folder(folder, jobs=1)
        assert [r.organization for r in results] == ["Nordline Software", "Sever Foods", "Uralpack", "Volga Fittings"]
        uralpack = results[2]
        assert uralpack.respondents == 3 and len(uralpack.files) == 3

    def test_every_worker_count_gives_the_same_reports(self, folder, tmp_path):
        from expert.batch import ReportRenderer

        outputs = []
        for jobs in (1, 2):
            out = tmp_path / f"out-{jobs}"
            diagnose_folder(folder, jobs=jobs, out_dir=out, suffix=".json", render=ReportRenderer("json", "en"))
            outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
        assert outputs[0] == outputs[1] and len(outputs[0]) == 4

    def test_report_names_are_unique(self):
        from expert.answers import AnswerSheet

        groups = [[AnswerSheet("ООО «Ромашка»")], [AnswerSheet("ооо ромашка")], [AnswerSheet("!!!")]]
        assert report_names(groups, ".md") == ["ооо-ромашка.md", "ооо-ромашка-2.md", "organisation.md"]

    def test_a_file_without_an_organisation_is_refused(self):
        from expert.answers import AnswerSheet
        from expert.errors import InputError

        with pytest.raises(InputError, match="no organisation name"):
            group_by_organisation([AnswerSheet("", source="x.yaml")])


class TestCommandLine:
    def test_the_summary_table(self, runner, folder):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), "--format", "csv"])
        assert result.exit_code == 0, result.stderr
        table = rows(result.stdout)
        assert table[0] == ["Organisation", "Respondents", "Level", "Certainty", "Target", "Top causes", "Plan weeks"]
        assert [r[0] for r in table[1:]] == ["Nordline Software", "Sever Foods", "Uralpack", "Volga Fittings"]
        assert table[3][1] == "3" and table[4][2] == "1 Undefined" and table[4][6].isdigit()
        assert not result.stdout.startswith("\ufeff")

    def test_reports_and_summary_in_a_folder(self, runner, folder, tmp_path):
        out = tmp_path / "reports"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), "--format", "html", "-o", str(out),
                                          "--lang", "ru", "--jobs", "2"])
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in out.iterdir()) == ["nordline-software.html", "sever-foods.html", "summary.csv",
                                                         "uralpack.html", "volga-fittings.html"]
        summary = (out / "summary.csv").read_bytes()
        assert summary.startswith("\ufeff".encode()) and "Организация".encode() in summary and b"\r\n" in summary
        assert "Как видят отношения респонденты" in (out / "uralpack.html").read_text(encoding="utf-8")
        assert "4 организации из 6 файлов" in result.stderr

    def test_json_reports_are_compact_diagnoses(self, runner, folder, tmp_path):
        import json

        out = tmp_path / "reports"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), "--format", "json", "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        text = (out / "uralpack.json").read_text(encoding="utf-8")
        assert text.count("\n") == 1 and json.loads(text)["respondents"]["count"] == 3

    @pytest.mark.parametrize("args, fragment", [
        (["--format", "json"], "give -o FOLDER"),
        (["--answers", "x.yaml"], "on its own"),
        (["--quick"], "not a folder"),
    ], ids=["json-without-a-folder", "folder-and-file", "quick"])
    def test_bad_usage(self, runner, folder, args, fragment):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), *args])
        assert result.exit_code == 2 and fragment in result.stderr and result.stderr.count("\n") == 1

    def test_jobs_and_csv_need_a_folder(self, runner):
        for args in (["--jobs", "2"], ["--format", "csv"]):
            result = runner.invoke(cli.main, ["diagnose", "--answers", str(EXAMPLES / "aligned-software.yaml"), *args])
            assert result.exit_code == 2 and "folder" in result.stderr

    def test_a_bad_file_stops_the_run_before_anything_is_written(self, runner, folder, tmp_path):
        (folder / "zz-broken.yaml").write_text("organization: Zeta\nanswers: {joint_meetings: daily}\n",
                                               encoding="utf-8")
        out = tmp_path / "reports"
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), "--format", "json", "-o", str(out)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "zz-broken.yaml" in result.stderr and "answers.joint_meetings" in result.stderr
        assert not out.exists()

    def test_an_organisation_of_several_files_needs_roles(self, runner, folder):
        (folder / "uralpack-anon.yaml").write_text("organization: Uralpack\nanswers: {}\n", encoding="utf-8")
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(folder), "--format", "csv"])
        assert result.exit_code == 2 and "uralpack-anon.yaml: no respondent role" in result.stderr

    def test_an_empty_folder(self, runner, tmp_path):
        result = runner.invoke(cli.main, ["diagnose", "--answers", str(tmp_path), "--format", "csv"])
        assert result.exit_code == 2 and "is a directory with no answers files" in result.stderr
