"""Exporting and drawing the plan (expert/plan/graph.py, `accord export`) — issue 5."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import cli
import expert
from expert.plan import graph as plan_graph
from expert.answers import read_answers
from expert.plan import build_plan
from expert.plan.selection import Selection
from expert.plan.graph import LIST_SEPARATOR, from_graphml_value

from conftest import EXAMPLES, PLANNED_ORGANIZATION, ROOT, planned_file
from test_plan import CYCLE, knowledge_with_cycle

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
PLANNED = "planned"  # a plan with every kind of measure and edge (conftest.planned_file)
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="the Graphviz 'dot' program is not installed (make setup does it)")


@pytest.fixture(scope="module")
def diagnoses(system) -> dict[str, expert.Diagnosis]:
    found = {name: expert.diagnose(read_answers(EXAMPLES / f"{name}.yaml", system.kb), system)
             for name in EXAMPLE_NAMES}
    found[PLANNED] = expert.diagnose(read_answers(planned_file(), system.kb), system)
    return found


@pytest.fixture(params=EXAMPLE_NAMES)
def example(request, diagnoses) -> tuple[str, expert.Diagnosis]:
    return request.param, diagnoses[request.param]


def empty_plan(d: expert.Diagnosis) -> expert.Diagnosis:
    """The diagnosis of a company that needs no measures."""
    return dataclasses.replace(d, plan=build_plan(d.kb, Selection.empty()))


def names(d: expert.Diagnosis, lang: str = "en") -> dict[str, str]:
    return {m: d.measure_name(m, lang) for m in d.plan.order}  # as the organisation reads it


class TestPlanGraph:
    def test_nodes_and_edges_are_the_plans(self, example):
        _, d = example
        g = plan_graph.plan_graph(d)
        assert list(g.nodes) == d.plan.order
        assert set(g.edges) == set(d.plan.graph.edges)
        assert g.graph["total_weeks"] == d.plan.total_weeks
        assert g.graph["critical_path"] == d.plan.critical_path

    def test_attributes_are_in_the_asked_language(self, diagnoses):
        d = diagnoses[PLANNED]
        g = plan_graph.plan_graph(d, "ru")
        first = next(ids for phase, ids in d.plan.phases() if phase == "first")[0]  # the planned file has a first phase
        node = g.nodes[first]
        assert node["name"] == d.measure_name(first, "ru") and node["name"] != d.measure_name(first, "en")
        assert node["phase_name"] == "Сначала: выяснить и взять ответственность"
        assert g.graph["language"] == "ru"

    def test_depends_on_lists_every_predecessor(self, diagnoses):
        d = diagnoses[PLANNED]
        g = plan_graph.plan_graph(d)
        for ident in g:
            assert set(g.nodes[ident]["depends_on"]) == set(d.plan.graph.predecessors(ident))
            assert g.nodes[ident]["prerequisites"] == list(d.plan.items[ident].prerequisites)


class TestToDot:
    def test_every_measure_phase_and_legend_is_drawn(self, diagnoses):
        d = diagnoses[PLANNED]
        dot = plan_graph.to_dot(d)
        for ident in d.plan.order:
            assert f'"{ident}"' in dot
        for phase, _ in d.plan.phases():
            assert f"cluster_{phase}" in dot
        for text in ("Critical path", "Prerequisite", "Starts once the diagnostic is done", PLANNED_ORGANIZATION):
            assert text in dot

    def test_critical_path_and_pulled_in_measures_are_marked(self, diagnoses):
        d = diagnoses[PLANNED]
        dot = plan_graph.to_dot(d)
        for ident in d.plan.critical_path:
            assert re.search(rf'\t\t"{ident}" \[.*color="#c0392b"', dot), ident
        pulled = [m for m in d.plan.order if d.plan.items[m].pulled_in]
        assert pulled
        for ident in pulled:
            assert re.search(rf'\t\t"{ident}" \[.*style="rounded,filled,dashed"', dot), ident
        path = d.plan.critical_path
        for u, v in zip(path, path[1:]):
            assert re.search(rf'"{u}" -> "{v}" \[.*color="#c0392b"', dot)

    def test_phase_edges_are_drawn_light_and_dashed(self, diagnoses):
        d = diagnoses[PLANNED]
        dot = plan_graph.to_dot(d)
        heads = {v for u, v, kind in d.plan.graph.edges(data="kind") if kind == "phase"}
        for v in heads:
            assert re.search(rf'-> "{v}" \[.*style=dashed', dot), v

    def test_russian_labels(self, diagnoses):
        dot = plan_graph.to_dot(diagnoses[PLANNED], "ru")
        assert "Критический путь" in dot and "Сначала: выяснить и взять" in dot

    def test_empty_plan_says_so(self, diagnoses):
        d = empty_plan(diagnoses[PLANNED])
        assert "No measures are needed now." in plan_graph.to_dot(d)


@needs_dot
class TestRender:
    def test_svg_parses_and_names_every_measure(self, example):
        _, d = example
        svg = plan_graph.render(d, "svg")
        root = ET.fromstring(svg)
        titles = {el.text for el in root.iter("{http://www.w3.org/2000/svg}title")}
        tooltips = {el.get("{http://www.w3.org/1999/xlink}title") for el in root.iter()}
        for ident, name in names(d).items():
            assert ident in titles
            assert name in tooltips

    @pytest.mark.parametrize("lang", ["en", "ru"])
    def test_png_is_a_sensible_picture(self, example, lang):
        name, d = example
        png = plan_graph.render(d, "png", lang)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert 400 <= width <= 4000 and 200 <= height <= 3000, (name, width, height)
        assert len(png) > 20_000

    def test_pdf_is_a_pdf(self, example):
        _, d = example
        pdf = plan_graph.render(d, "pdf")
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert len(pdf) > 5_000

    def test_unknown_format_is_refused(self, diagnoses):
        with pytest.raises(ValueError):
            plan_graph.render(diagnoses[PLANNED], "gif")


class TestToNodeLinkJson:
    def test_loads_back_with_the_same_nodes_edges_and_attributes(self, example):
        _, d = example
        data = json.loads(plan_graph.to_node_link_json(d))
        loaded = nx.node_link_graph(data, edges="edges")
        expected = plan_graph.plan_graph(d)
        assert list(loaded.nodes(data=True)) == list(expected.nodes(data=True))
        assert sorted(loaded.edges(data=True)) == sorted(expected.edges(data=True))
        assert loaded.graph == expected.graph
        assert data["graph"]["schema_version"]

    def test_a_pulled_in_measure_has_no_certainty(self, diagnoses):
        data = json.loads(plan_graph.to_node_link_json(diagnoses[PLANNED]))
        pulled = [n for n in data["nodes"] if n["pulled_in"]]
        assert pulled and all(n["certainty"] is None for n in pulled)


class TestToGraphml:
    def test_loads_back_with_the_same_nodes_edges_and_attributes(self, example, tmp_path):
        _, d = example
        path = tmp_path / "plan.graphml"
        path.write_text(plan_graph.to_graphml(d), encoding="utf-8")
        loaded = nx.read_graphml(path)
        expected = plan_graph.plan_graph(d)
        assert list(loaded.nodes) == list(expected.nodes)
        assert set(loaded.edges) == set(expected.edges)
        for ident, attrs in expected.nodes(data=True):
            back = {k: from_graphml_value(k, v) for k, v in loaded.nodes[ident].items()}
            assert back.pop("label") == attrs["name"]
            assert back == {k: v for k, v in attrs.items() if v is not None}
        for u, v, attrs in expected.edges(data=True):
            assert loaded.edges[u, v] == attrs
        graph_back = {k: from_graphml_value(k, v) for k, v in loaded.graph.items()
                      if k not in ("node_default", "edge_default")}  # added by read_graphml
        assert graph_back == {k: v for k, v in expected.graph.items() if v is not None}

    def test_lists_are_joined_and_none_left_out(self, diagnoses):
        d = diagnoses[PLANNED]
        text = plan_graph.to_graphml(d)
        several = next(m for m in d.plan.order if len(d.plan.items[m].required_by) > 1)
        assert LIST_SEPARATOR.join(d.plan.items[several].required_by) in text
        assert "None" not in text


class TestToMermaid:
    NODE_LINE = re.compile(r'^    (MEAS_[A-Z0-9_]+)\["(.+)"\]$')

    def test_one_node_line_per_measure(self, example):
        _, d = example
        text = plan_graph.to_mermaid(d)
        assert text.startswith("flowchart LR\n")
        node_ids = [m.group(1) for m in map(self.NODE_LINE.match, text.splitlines()) if m]
        assert node_ids == [m.replace("-", "_") for m in d.plan.order]
        edges = [line for line in text.splitlines() if re.match(r"^  MEAS_\S+ (-->|-\.->) MEAS_\S+$", line)]
        assert len(edges) == d.plan.graph.number_of_edges()
        assert text.count("  subgraph ") == len(d.plan.phases())

    def test_quotes_in_names_are_escaped(self, diagnoses):
        text = plan_graph.to_mermaid(diagnoses[PLANNED])
        for line in text.splitlines():
            match = self.NODE_LINE.match(line)
            if match:
                assert '"' not in match.group(2)


class TestToCsv:
    def rows(self, d, lang="en"):
        return list(csv.reader(io.StringIO(plan_graph.to_csv(d, lang))))

    def test_one_row_per_measure_with_its_dependencies(self, example):
        _, d = example
        header, *rows = self.rows(d)
        assert header[:9] == ["Step", "ID", "Measure", "Owner", "Phase", "Start week", "Weeks", "Cost", "Depends on"]
        assert [r[1] for r in rows] == d.plan.order
        for row in rows:
            ident = row[1]
            item = d.plan.items[ident]
            depends = row[8].split(LIST_SEPARATOR) if row[8] else []
            assert set(depends) == set(d.plan.graph.predecessors(ident))
            assert int(row[5]) == item.start + 1 and int(row[6]) == item.weeks and int(row[10]) == item.finish
            steps = [int(s) for s in row[9].split(LIST_SEPARATOR)] if row[9] else []
            assert [d.plan.order[s - 1] for s in steps] == depends
            assert row[2] == d.measure_name(ident, "en")

    def test_russian_survives_a_spreadsheet(self, diagnoses):
        d = diagnoses[PLANNED]
        data = plan_graph.export(d, "csv", "ru")
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
        header, first, *_ = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        assert header[0] == "Шаг" and first[2] == names(d, "ru")[first[1]]
        assert b"\r\n" in data

    def test_stdout_text_has_no_bom(self, diagnoses):
        assert not plan_graph.export_text(diagnoses[PLANNED], "csv").startswith("\ufeff")


class TestEmptyPlan:
    @pytest.mark.parametrize("fmt", ["dot", "json", "graphml", "mermaid", "csv"]
                             + (["svg", "png", "pdf"] if HAS_DOT else []))
    def test_every_format_copes_with_no_measures(self, diagnoses, fmt):
        assert plan_graph.export(empty_plan(diagnoses[PLANNED]), fmt)

    def test_csv_has_only_the_header(self, diagnoses):
        assert len(plan_graph.to_csv(empty_plan(diagnoses[PLANNED])).splitlines()) == 1


class TestDeterminism:
    @pytest.mark.parametrize("fmt", ["dot", "json", "graphml", "mermaid", "csv"])
    def test_same_answers_give_the_same_bytes(self, system, fmt):
        runs = [plan_graph.export(expert.diagnose(read_answers(planned_file(), system.kb), system),
                                  fmt) for _ in range(2)]
        assert runs[0] == runs[1]

    @needs_dot
    def test_same_answers_give_the_same_svg(self, system):
        runs = [plan_graph.render(expert.diagnose(read_answers(planned_file(), system.kb), system),
                                  "svg") for _ in range(2)]
        assert runs[0] == runs[1]

    @pytest.mark.slow
    def test_output_does_not_depend_on_the_hash_seed(self):
        """Set order changes with PYTHONHASHSEED; two processes with different seeds must agree."""
        formats = ["dot", "json", "graphml", "mermaid", "csv"] + (["svg"] if HAS_DOT else [])
        script = ("import hashlib, sys, expert\nfrom expert.plan import graph as plan_graph\n"
                  "from expert.answers import read_answers\ns = expert.load_expert()\n"
                  "for path in sys.argv[2:]:\n"
                  "    d = expert.diagnose(read_answers(path, s.kb), s)\n"
                  "    for fmt in sys.argv[1].split(','):\n"
                  "        for lang in ('en', 'ru'):\n"
                  "            print(path, fmt, lang, hashlib.sha256(plan_graph.export(d, fmt, lang)).hexdigest())\n")
        paths = [str(EXAMPLES / f"{name}.yaml") for name in EXAMPLE_NAMES]
        outputs = []
        for seed in ("1", "2"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run([sys.executable, "-c", script, ",".join(formats), *paths], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True)
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1] and outputs[0].count("\n") == len(paths) * len(formats) * 2


class TestExportCommand:
    @property
    def ANSWERS(self) -> str:  # noqa: N802 - reads like the constant it stands for
        return str(planned_file())

    @pytest.mark.parametrize("fmt", ["dot", "json", "graphml", "mermaid", "csv"])
    def test_text_formats_go_to_stdout(self, runner, diagnoses, fmt):
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "--format", fmt])
        assert result.exit_code == 0, result.stderr
        assert result.stdout_bytes.decode("utf-8") == plan_graph.export_text(diagnoses[PLANNED], fmt)

    @needs_dot
    def test_png_goes_to_a_file(self, runner, tmp_path):
        out = tmp_path / "plan.png"
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "-o", str(out), "--lang", "ru"])
        assert result.exit_code == 0, result.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert result.stdout == ""

    @pytest.mark.parametrize("fmt", ["png", "pdf"])
    def test_binary_format_needs_an_output_file(self, runner, fmt):
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "--format", fmt])
        assert result.exit_code == 2
        assert "-o FILE" in result.stderr and result.stdout == ""

    def test_format_comes_from_the_output_suffix(self, runner, tmp_path, diagnoses):
        out = tmp_path / "plan.csv"
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        assert out.read_bytes() == plan_graph.export(diagnoses[PLANNED], "csv")

    def test_format_is_required_without_a_known_suffix(self, runner):
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS])
        assert result.exit_code == 2
        assert "give --format" in result.stderr

    def test_missing_answers_file_is_one_line(self, runner, tmp_path):
        result = runner.invoke(cli.main, ["export", "--answers", str(tmp_path / "nope.yaml"), "--format", "csv"])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1

    @pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
    def test_missing_dot_is_one_line_with_the_remedy(self, runner, tmp_path, fmt):
        no_dot = {"PATH": str(tmp_path)}  # an empty directory: no `dot` on the PATH
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "--format", fmt,
                                          "-o", str(tmp_path / f"plan.{fmt}")], env=no_dot)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "svg, png and pdf" in lines[0] and "apt-get install graphviz" in lines[0]
        assert not (tmp_path / f"plan.{fmt}").exists()

    @pytest.mark.parametrize("fmt", ["dot", "json", "graphml", "mermaid", "csv"])
    def test_text_formats_work_without_dot(self, runner, tmp_path, fmt):
        result = runner.invoke(cli.main, ["export", "--answers", self.ANSWERS, "--format", fmt],
                               env={"PATH": str(tmp_path)})
        assert result.exit_code == 0, result.stderr
        assert result.stdout

    def test_prerequisite_cycle_is_reported(self, runner, tmp_path):
        kb_dir = knowledge_with_cycle(tmp_path)
        result = runner.invoke(cli.main, ["--kb", str(kb_dir), "export", "--answers", self.ANSWERS,
                                          "--format", "csv"])
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "prerequisite cycle" in lines[0]
        assert all(m in lines[0] for m in CYCLE)
        assert result.stdout == ""

    def test_kb_check_reports_the_cycle(self, runner, tmp_path):
        kb_dir = knowledge_with_cycle(tmp_path)
        result = runner.invoke(cli.main, ["kb", "check", "--kb", str(kb_dir)])
        assert result.exit_code == 1
        cycle_lines = [line for line in result.stdout.splitlines() if "prerequisite cycle" in line]
        assert len(cycle_lines) == 1 and all(m in cycle_lines[0] for m in CYCLE)

    def test_help_lists_the_formats(self, runner):
        result = runner.invoke(cli.main, ["export", "--help"])
        assert result.exit_code == 0
        for fmt in plan_graph.FORMATS:
            assert fmt in result.stdout


def test_doctests_of_the_export_modules_pass():
    import doctest

    from expert.plan import drawing as plan_drawing

    for module in (plan_graph, plan_drawing):
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0, module.__name__
