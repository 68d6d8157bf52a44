"""`accord explain`: the trace, HOW, WHY, WHY NOT, JSON and the reasoning graph (issue 4)."""

from __future__ import annotations

import doctest
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

import cli
import expert
from expert import explain
from expert.explain import to_json as explain_json
from expert.explain import text as explain_text
from expert.explain import whatif
from expert.explain import whynot
from expert.certainty import combine
from expert.conditions import AnswerLeaf, FindingLeaf
from expert.explain import explain_how
from expert.explain.graph import graph_nodes
from expert.explain.whatif import explain_why
from expert.explain.whynot import explain_why_not

from conftest import EXAMPLES, ROOT, planned_file

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
DEFINED = "defined-manufacturer"  # Uralpack: Defined → Aligned, pulled-in prerequisites, practices in place
HAS_DOT = shutil.which("dot") is not None
SCHEMA = json.loads((ROOT / "docs" / "explain.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture(scope="module")
def diagnoses(system) -> dict[str, expert.Diagnosis]:
    return {name: expert.diagnose(expert.read_answers(EXAMPLES / f"{name}.yaml", system.kb), system)
            for name in EXAMPLE_NAMES}


def example_answers(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))["answers"]


def run(runner, *args):
    return runner.invoke(cli.main, ["explain", *args], catch_exceptions=False)


def conclusions(d: expert.Diagnosis) -> list[tuple[str, str]]:
    """Every conclusion the diagnosis reports, as (kind, id)."""
    found = []
    if d.level:
        found.append(("level", d.level.id))
    if d.target:
        found.append(("target", d.target.id))
    found += [("symptom", i) for i, _ in d.symptoms] + [("cause", i) for i, _ in d.causes]
    found += [("context", i) for i, _ in d.context] + [("measure", m) for m in d.plan.order]
    found += [("practice", m) for m in d.in_place]
    return found


# ------------------------------------------------------------------------ HOW

class TestHow:
    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    def test_every_conclusion_has_a_proof_tree_that_ends_in_answers(self, name, diagnoses, system):
        d = diagnoses[name]
        rule_lines = {}
        for kind, ident in conclusions(d):
            how = explain_how(d, f"{kind}:{ident}")
            assert [s.status.kind for s in how.sections] == [kind]
            tree = how.sections[0].tree
            assert tree.steps or tree.required_by, f"{kind} {ident} has no proof"
            nodes = list(tree.walk())
            expanded = {(n.kind, n.id) for n in nodes if n.steps or n.required_by}
            assert any(n.kind == "answer" for n in nodes), f"the proof of {kind} {ident} reaches no answer"
            for node in nodes:
                if node.kind == "answer":
                    assert node.state == "answered" and node.leaf.test(node.value)
                elif node.repeat:
                    assert (node.kind, node.id) in expanded
                elif not node.steps and not node.required_by:
                    # a gate on something no rule concluded: it holds at certainty 0
                    assert node.state == "absent" and node.leaf.test(0.0), (kind, ident, node)
                elif node.ranking is not None:  # a cause: the evidence combined, then the differential
                    assert round(combine(s.cf for s in node.steps), 4) == round(node.ranking.evidence_certainty, 4)
                else:
                    assert round(combine(s.cf for s in node.steps), 4) == node.value or node.required_by
                for step in node.steps:
                    rule = system.rules.rules[step.rule.id]  # every step names a rule of the rule base
                    path, line = step.location.rsplit(":", 1)
                    if path not in rule_lines:
                        rule_lines[path] = (ROOT / path).read_text(encoding="utf-8").splitlines()
                    assert f"id: {rule.id}" in rule_lines[path][int(line) - 1]
                    assert step.cf == round(step.rule_cf * step.firing.premise, 4)

    def test_level_shows_the_decision_and_the_evidence_for_and_against(self, runner, diagnoses):
        d = diagnoses[DEFINED]
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--how", "level", "--full")
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert f"level {d.level.id}" in out and "Decision:" in out
        assert "Evidence for:" in out and "Evidence against:" in out and "Support for each level:" in out
        for evidence in d.level.evidence_for:
            assert evidence.firing.rule in out

    def test_combined_certainty_shows_each_firing_and_the_result(self, diagnoses):
        d = diagnoses[DEFINED]
        cause = next(i for i, _ in d.causes if len(d.inference.findings[("cause", i)].support) > 1)
        text = explain_text.render_how(explain_how(d, cause), d, "en")
        finding = d.inference.findings[("cause", cause)]
        ranked = explain.ranking(d, cause)
        combined = " ⊕ ".join(explain_text.cf(v) for v, _ in finding.support)
        assert (f"{len(finding.support)} rules combined (EMYCIN): {combined} = "
                f"{explain_text.cf(ranked.evidence_certainty)}") in text
        assert (f"Differential diagnosis: evidence {explain_text.cf(ranked.evidence_certainty)} → "
                f"{explain_text.cf(ranked.certainty)}") in text

    def test_prerequisite_pulled_into_the_plan_names_the_measures_requiring_it(self, runner, system):
        answers = planned_file()
        d = expert.diagnose(expert.read_answers(answers, system.kb), system)
        pulled = [m for m in d.plan.order if d.plan.items[m].pulled_in]
        assert pulled
        for measure in pulled:
            result = run(runner, "--answers", str(answers), "--how", measure, "--full")
            required_by = ", ".join(d.plan.items[measure].required_by)
            assert f"Pulled into the plan as a prerequisite of: {required_by}." in result.stdout
            assert "required by:" in result.stdout

    def test_ids_are_accepted_in_any_case(self, runner):
        answers = str(EXAMPLES / f"{DEFINED}.yaml")
        upper = run(runner, "--answers", answers, "--how", "CAUSE-PRICE-3P")
        lower = run(runner, "--answers", answers, "--how", "cause-price-3p")
        assert upper.exit_code == lower.exit_code == 0
        assert upper.stdout == lower.stdout
        assert run(runner, "--answers", answers, "--why", "JOINT_MEETINGS").exit_code == 0

    def test_a_conclusion_no_rule_reached_says_so(self, diagnoses):
        d = diagnoses[DEFINED]
        how = explain_how(d, "CAUSE-SEPARATION-DISPUTE")
        assert how.sections[0].status.state == "not_concluded"
        assert "(no rule concluded it: certainty 0)" in explain_text.render_how(how, d, "en")


# -------------------------------------------------------------------- WHY NOT

def failed_leaves(section):
    return [leaf for a in section.attempts for f in a.failed for leaf in f.flat() if not leaf.holds]


class TestWhyNot:
    def test_names_the_failed_answer_condition_and_the_actual_answer(self, runner, system, tmp_path):
        d = expert.diagnose({"marketing_department": "separate", "conflict_frequency": "rarely"}, system)
        section = explain_why_not(d, "SYM-FREQUENT-CONFLICTS").sections[0]
        assert section.status.state == "against"
        readers = [a for a in section.attempts if a.rule.reads_question("conflict_frequency") and a.rule_cf > 0]
        assert readers
        for attempt in readers:
            assert attempt.firing is None
            [leaf] = [f for f in attempt.failed if isinstance(f.leaf, AnswerLeaf)]
            assert (leaf.leaf.question, leaf.value, leaf.state) == ("conflict_frequency", "rarely", "answered")
        answers = tmp_path / "answers.yaml"
        answers.write_text("answers: {marketing_department: separate, conflict_frequency: rarely}\n")
        out = run(runner, "--answers", str(answers), "--why-not", "SYM-FREQUENT-CONFLICTS").stdout
        assert "✗ conflict_frequency is sometimes — actual: rarely" in out
        assert "✗ conflict_frequency is one of constantly (1), often (0.8) — actual: rarely" in out

    def test_a_failed_certainty_condition_shows_the_certainty_the_rule_saw(self, diagnoses):
        d = diagnoses[DEFINED]
        section = explain_why_not(d, "LEVEL-3-ALIGNED").sections[0]
        assert section.status.state in ("not_concluded", "outranked")
        leaves = [c for c in failed_leaves(section) if isinstance(c.leaf, FindingLeaf)]
        assert any(c.leaf.fact == "support" and c.leaf.id == "LEVEL-3-ALIGNED" for c in leaves)
        for c in leaves:
            assert c.value == d.inference.cf(c.leaf.fact, c.leaf.id) and not c.leaf.test(c.value)

    def test_measure_advised_against_by_context(self, system):
        answers = example_answers(DEFINED) | {"location": "dispersed"}
        d = expert.diagnose(answers, system)
        section = explain_why_not(d, "MEAS-CO-LOCATION").sections[0]
        assert dict(section.reasons)["against"] == ("dispersed-sales-force-keeps-departments-apart",)
        attempt = next(a for a in section.attempts if a.rule.id == "dispersed-sales-force-keeps-departments-apart")
        assert attempt.firing is not None
        assert any(m.id == "CTX-DISPERSED-SALES-FORCE" for m in attempt.firing.matched)

    def test_measure_excluded_by_level(self, diagnoses):
        d = diagnoses[DEFINED]
        section = explain_why_not(d, "MEAS-ONE-LEADER").sections[0]
        assert "one-leader-needed" in dict(section.reasons)["level"]
        transition = [c for c in failed_leaves(section) if c.leaf.fact == "transition"]
        assert transition and all(c.value == d.inference.cf("transition", c.leaf.id) for c in transition)

    def test_measure_already_in_place(self, runner, diagnoses):
        d = diagnoses["aligned-software"]
        section = explain_why_not(d, "MEAS-CO-LOCATION").sections[0]
        assert section.status.state == "in_place" and section.reasons[0] == ("in_place", ("departments-already-together",))
        assert section.practice >= expert.diagnosis.IN_PLACE_THRESHOLD
        out = run(runner, "--answers", str(EXAMPLES / "aligned-software.yaml"), "--why-not", "MEAS-CO-LOCATION").stdout
        assert "Not recommended: it is already in place." in out

    def test_measure_not_needed(self, diagnoses):
        d = diagnoses[DEFINED]
        section = explain_why_not(d, "MEAS-CO-LOCATION").sections[0]
        assert dict(section.reasons) == {"need": ("co-location-needed",)}

    def test_fired_but_below_the_threshold_gives_the_numbers(self, diagnoses):
        d = diagnoses["aligned-software"]
        cause = next(c.id for c in d.inference.causes
                     if explain.status(d, "cause", c.id).state == "below_threshold" and c.certainty > 0)
        wn = explain_why_not(d, cause)
        assert wn.sections[0].status.state == "below_threshold"
        assert any(a.firing is not None for a in wn.sections[0].attempts)
        text = explain_text.render_why_not(wn, d, "en")
        certainty = explain_text.cf(explain.ranking(d, cause).certainty)
        assert f"Not named: certainty {certainty} once the causes competed" in text and "below the threshold 0.45" in text

    def test_a_cause_whose_findings_a_named_cause_explains_says_which(self, diagnoses):
        d = diagnoses["undefined-distributor"]
        explained = [c for c in d.inference.causes if explain.status(d, "cause", c.id).state == "explained"]
        assert explained
        for cause in explained:
            text = explain_text.render_why_not(explain_why_not(d, cause.id), d, "en")
            assert "Also possible, not named: its findings are explained at least as well by" in text
            assert all(named in text for named in cause.explained_by)

    def test_evidence_against_outweighing_the_evidence_for_gives_both(self, diagnoses):
        d = diagnoses[DEFINED]
        mixed = [f for f in d.inference.of_kind("cause") if explain.status(d, "cause", f.id).state == "outweighed"]
        assert mixed
        for finding in mixed:
            wn = explain_why_not(d, finding.id)
            st = wn.sections[0].status
            pro = combine(v for v, _ in finding.support if v > 0)
            con = -combine(v for v, _ in finding.support if v < 0)
            assert st.state == "outweighed" and (st.evidence_for, st.evidence_against) == (pro, con)
            assert st.cf == explain.ranking(d, finding.id).certainty
            text = explain_text.render_why_not(wn, d, "en")
            assert (f"Outweighed: evidence for {pro:.2f}, against {con:.2f}; certainty {explain_text.cf(st.cf)} "
                    "once the causes competed") in text

    def test_a_rule_advising_against_a_measure_is_reported(self, system):
        d = expert.diagnose({"marketing_department": "separate", "conflict_frequency": "often",
                             "conflict_topic": ["status"], "mutual_views": ["ivory_tower"]}, system)
        section = explain_why_not(d, "MEAS-ROTATING-JOINT-HEAD").sections[0]
        assert section.status.state == "against"
        assert dict(section.reasons) == {"against": ("rotating-head-advised-against",)}

    def test_no_rule_can_conclude_it(self, runner):
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--why-not", "practice:MEAS-CREATE-COMMON-VISION")
        assert result.exit_code == 0
        assert "No rule in the rule base can conclude this." in result.stdout

    def test_a_follow_up_that_was_not_asked(self, diagnoses):
        d = diagnoses[DEFINED]
        info = explain_why_not(d, "separation_years").question
        assert info.state == "not_relevant"
        [failed] = info.ask_when.failures()
        assert (failed.leaf.question, failed.value) == ("marketing_origin", "added_to_support")
        text = explain_text.render_why_not(explain_why_not(d, "separation_years"), d, "en")
        assert "Not asked: it is a follow-up" in text and "actual: added_to_support" in text


# ------------------------------------------------------------------------ WHY

def outline_of(d: expert.Diagnosis) -> dict:
    return {"level": (d.level.id, round(d.level.certainty, 2)) if d.level else None,
            "target": (d.target.id, round(d.target.certainty, 2)) if d.target else None,
            "symptoms": {i for i, _ in d.symptoms}, "causes": {i for i, _ in d.causes}, "measures": set(d.plan.order)}


class TestWhy:
    @pytest.mark.parametrize("question", ["joint_meetings", "lead_acceptance_pct", "employees", "pay_resentment",
                                          "shared_terms"])
    def test_what_would_change_agrees_with_rerunning_the_diagnosis(self, question, diagnoses, system):
        d = diagnoses[DEFINED]
        why = explain_why(d, question)
        assert why.what_if and all(change.value != d.sheet.answers.get(question) for change in why.what_if)
        before = outline_of(d)
        for change in why.what_if:
            after = outline_of(expert.diagnose(example_answers(DEFINED) | {question: change.value}, system))
            for key in ("level", "target"):
                expected = None if before[key] == after[key] else (before[key], after[key])
                assert getattr(change, key) == expected, (question, change.value, key)
            for key in ("symptoms", "causes", "measures"):
                assert set(change.added[key]) == after[key] - before[key], (question, change.value, key)
                assert set(change.removed[key]) == before[key] - after[key], (question, change.value, key)
            assert change.unchanged == (before == after)

    def test_lists_the_rules_that_read_the_question_and_its_follow_ups(self, diagnoses, system):
        d = diagnoses[DEFINED]
        why = explain_why(d, "joint_meetings")
        assert [u.rule.id for u in why.rules] == [r.id for r in system.rules.rules_reading_question("joint_meetings")]
        fired = {f.rule for f in d.trace}
        assert all((u.firing is not None) == (u.rule.id in fired) for u in why.rules)
        assert "department_size" in why.follow_ups
        assert why.ask_when is not None and why.ask_when.holds

    def test_numbers_are_tried_next_to_each_threshold(self, diagnoses):
        d = diagnoses[DEFINED]
        values = explain_why(d, "lead_acceptance_pct").what_if
        numbers = [w.value for w in values if w.value != "unknown"]
        assert values[-1].value == "unknown"
        assert numbers == sorted(set(numbers)) and all(0 <= n <= 100 for n in numbers)
        assert 25 in numbers and 47 in numbers  # just across 'max 25' and 'min 47' from the answer 30

    @pytest.mark.slow
    def test_the_tried_numbers_cover_every_outcome(self, diagnoses, system):
        d = diagnoses[DEFINED]
        tried = [d.sheet.answers["lead_acceptance_pct"]] + [w.value for w in explain_why(d, "lead_acceptance_pct").what_if]
        outcomes = [outline_of(expert.diagnose(example_answers(DEFINED) | {"lead_acceptance_pct": v}, system))
                    for v in tried]
        for value in range(0, 101):
            outcome = outline_of(expert.diagnose(example_answers(DEFINED) | {"lead_acceptance_pct": value}, system))
            assert outcome in outcomes, value

    def test_text_reports_each_change(self, runner):
        out = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--why", "joint_meetings").stdout
        assert "Rules that read it (" in out and "What would change with another answer:" in out
        assert "- weekly «Every week»:" in out and "− measure: MEAS-JOINT-DEPARTMENT-MEETINGS" in out


# ----------------------------------------------------------------- JSON output

MODES = [[], ["--how", "level"], ["--how", "target"], ["--how", "MEAS-SHARED-CRM"], ["--why", "joint_planning"],
         ["--why-not", "MEAS-ONE-LEADER"], ["--why-not", "LEVEL-4-INTEGRATED"], ["--why-not", "separation_years"]]


class TestJson:
    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    @pytest.mark.parametrize("mode", MODES, ids=lambda m: "-".join(m).strip("-") or "trace")
    def test_validates_against_the_schema(self, name, mode, diagnoses):
        d = diagnoses[name]
        lang = "ru" if name == DEFINED else "en"
        if not mode:
            data = explain_json.trace_to_dict(d, lang)
        elif mode[0] == "--how":
            data = explain_json.how_to_dict(explain_how(d, mode[1]), d, lang)
        elif mode[0] == "--why":
            data = explain_json.why_to_dict(explain_why(d, mode[1]), d, lang)
        else:
            data = explain_json.why_not_to_dict(explain_why_not(d, mode[1]), d, lang)
        data = json.loads(explain_json.dumps(data))
        errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
        assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
        assert data["schema_version"] == explain_json.SCHEMA_VERSION

    @pytest.mark.parametrize("mode", MODES[:6], ids=lambda m: "-".join(m).strip("-") or "trace")
    def test_is_byte_identical_across_runs(self, runner, mode):
        args = ["--answers", str(EXAMPLES / f"{DEFINED}.yaml"), *mode, "--format", "json"]
        first, second = run(runner, *args), run(runner, *args)
        assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes

    def test_trace_lists_every_firing_with_matched_and_asserted_facts(self, diagnoses, system):
        d = diagnoses[DEFINED]
        data = explain_json.trace_to_dict(d, "en")
        assert [f["rule"] for f in data["trace"]] == [f.rule for f in d.trace]
        for entry, firing in zip(data["trace"], d.trace):
            assert entry["rule"] in system.rules.rules
            assert [(m["kind"], m["id"]) for m in entry["matched"]] == [(m.fact, m.id) for m in firing.matched]
            assert [(a["kind"], a["id"], a["cf"]) for a in entry["asserted"]] == \
                [(a.kind, a.id, a.cf) for a in firing.asserted]
        cited = {s["id"] for f in data["trace"] for s in f["sources"] if s["type"] in ("seed", "literature")}
        assert cited == {r["id"] for r in data["references"]}
        assert all(r["text"] == system.kb.sources[r["id"]].citation for r in data["references"])

    def test_the_schema_is_a_valid_json_schema(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)


# --------------------------------------------------------------- the command

class TestCommand:
    def test_trace_shows_every_step_with_location_because_and_sources(self, runner, diagnoses, system):
        d = diagnoses[DEFINED]
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"))
        assert result.exit_code == 0
        out = result.stdout
        for firing in d.trace:
            rule = system.rules.rules[firing.rule]
            assert f"{firing.index + 1}. {rule.id} — {explain.rule_location(system.rules, rule)}" in out
        first = system.rules.rules[d.trace[0].rule]
        assert first.because["en"] in out and "References" in out and "[1] SRC-" in out
        assert "answer marketing_department = separate" in out

    @pytest.mark.parametrize("args, heading", [([], "Ход рассуждения"), (["--how", "level", "--full"], "КАК"),
                                               (["--how", "level"], "Как Accord пришёл к этому выводу"),
                                               (["--why", "joint_meetings"], "ЗАЧЕМ"),
                                               (["--why-not", "MEAS-ONE-LEADER"], "ПОЧЕМУ НЕТ")])
    def test_russian(self, runner, args, heading):
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--lang", "ru", *args)
        assert result.exit_code == 0 and result.stdout.startswith(heading)

    @pytest.mark.parametrize("option, given, suggestion", [
        ("--how", "CAUSE-PRICE", "CAUSE-PRICE-3P"),
        ("--how", "meas-shared-crn", "MEAS-SHARED-CRM"),
        ("--why", "joint_meeting", "joint_meetings"),
        ("--why-not", "SYM-FREQUENT-CONFLICT", "SYM-FREQUENT-CONFLICTS"),
        ("--why-not", "xyzzy", ""),
    ])
    def test_unknown_ids_give_one_line_with_the_nearest_valid_ids(self, runner, option, given, suggestion):
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), option, given)
        assert result.exit_code == 2 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and f"'{given}'" in lines[0] and suggestion in lines[0]
        assert "did you mean" in lines[0] or "nearest valid ids" in lines[0]

    def test_only_one_question_at_a_time(self, runner):
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--how", "level", "--why", "crm")
        assert result.exit_code == 2 and "only one of" in result.stderr

    def test_library_doctests_pass(self):
        for module in (explain, whatif, whynot):
            assert doctest.testmod(module).failed == 0, module.__name__


# ---------------------------------------------------------------------- graph

class TestGraph:
    def test_dot_graph_labels_every_edge_with_a_rule(self, runner, diagnoses, system):
        d = diagnoses[DEFINED]
        nodes, edges = graph_nodes(d)
        assert ("level", d.level.id) in nodes and all(("cause", c) in nodes for c, _ in d.causes)
        assert all(("measure", m) in nodes for m in d.plan.order)
        for (source, target), rules in edges.items():
            assert rules and all(r == "prerequisite" or r in system.rules.rules for r in rules)
        kinds = {kind for kind, _ in nodes}
        assert {"answer", "symptom", "cause", "level", "target", "measure"} <= kinds
        # every conclusion is reached by an edge (a prerequisite pulled in leads to the measures
        # needing it instead), and every answer leads somewhere
        targets = {t for _, t in edges}
        sources = {s for s, _ in edges}
        pulled = {("measure", m) for m in d.plan.order if d.plan.items[m].pulled_in}
        assert all(n in targets for n in nodes if n[0] != "answer" and n not in pulled)
        assert all(edges[(p, ("measure", m))] == ["prerequisite"] for p in pulled
                   for m in d.plan.items[p[1]].required_by)
        assert all(n in sources for n in nodes if n[0] == "answer")
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--graph", "dot")
        assert result.exit_code == 0 and result.stdout.startswith("digraph")
        assert "defined-level-established" in result.stdout

    @pytest.mark.skipif(not HAS_DOT, reason="the Graphviz 'dot' program is not installed")
    @pytest.mark.parametrize("fmt, magic", [("svg", b"<svg"), ("png", b"\x89PNG")])
    def test_svg_and_png(self, runner, tmp_path, fmt, magic):
        out = tmp_path / f"reasoning.{fmt}"
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--graph", fmt, "-o", str(out),
                     "--lang", "ru")
        assert result.exit_code == 0, result.stderr
        assert magic in out.read_bytes()[:400]

    def test_png_needs_a_file(self, runner):
        result = run(runner, "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--graph", "png")
        assert result.exit_code == 2 and "-o FILE" in result.stderr

    def test_missing_dot_is_one_clear_line(self, runner, tmp_path):
        out = tmp_path / "reasoning.svg"
        result = runner.invoke(cli.main, ["explain", "--answers", str(EXAMPLES / f"{DEFINED}.yaml"), "--graph", "svg",
                                          "-o", str(out)], env={"PATH": str(tmp_path)})
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "'dot'" in lines[0] and "apt-get install graphviz" in lines[0]
        assert not out.exists()
