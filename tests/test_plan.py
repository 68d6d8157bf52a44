"""The plan of measures (expert/plan/__init__.py): exact small plans, and invariants over random answers (issue 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expert
from expert.conditions import UNKNOWN
from expert.plan import Plan, build_plan
from expert.plan.selection import PLAN_PHASES, Selection, plan_phase

from conftest import ROOT

KB = expert.load_knowledge_base()
OMIT = object()  # the question is left unanswered

# A 2-core CI machine runs other test files beside these: keep the examples few
# and the deadline generous (a diagnosis takes some 20 ms; a plan far less).
PROPERTY_SETTINGS = settings(max_examples=50, deadline=5000, suppress_health_check=[HealthCheck.too_slow])


def answer_values(question) -> st.SearchStrategy:
    """Every allowed answer to a question, 'unknown', or no answer at all."""
    if question.type == "choice":
        values = st.sampled_from([c.value for c in question.choices])
    elif question.type == "multi":
        values = st.lists(st.sampled_from([c.value for c in question.choices]), min_size=1, max_size=3, unique=True)
    elif question.type == "yesno":
        values = st.sampled_from(["yes", "no"])
    elif question.type == "scale":
        values = st.integers(1, 5)
    elif question.type == "percent":
        values = st.integers(0, 100)
    else:
        low = int(question.minimum) if question.minimum is not None else 0
        high = int(question.maximum) if question.maximum is not None else low + 5000
        values = st.integers(low, high)
    return st.one_of(values, st.just(UNKNOWN), st.just(OMIT))


ANSWER_SETS = st.fixed_dictionaries({q.id: answer_values(q) for q in KB.questions.values()}).map(
    lambda answers: {k: v for k, v in answers.items() if v is not OMIT})


def check_plan_invariants(plan: Plan, kb, met=()) -> None:
    """A sound schedule: acyclic, topological, contiguous phases, a true critical path.

    ``met``: prerequisites the plan may go without (in place, or skipped for a recorded reason).
    """
    graph = plan.graph
    assert nx.is_directed_acyclic_graph(graph)
    assert sorted(plan.order) == sorted(graph.nodes) == sorted(plan.items)
    position = {m: i for i, m in enumerate(plan.order)}
    for u, v in graph.edges:
        assert position[u] < position[v], f"{v} comes before its predecessor {u}"
        assert plan.items[v].start >= plan.items[u].finish, f"{v} starts before {u} finishes"
    for ident, item in plan.items.items():
        measure = kb.measures[ident]
        for p in measure.prerequisites:
            if p in plan.items:
                assert graph.has_edge(p, ident)
            elif "prerequisites" not in measure.suggested and kb.measures[p].phase != "diagnostic":
                assert p in met, f"{ident} lacks its prerequisite {p}"
        assert item.finish == item.start + item.weeks
    # phases are contiguous and in plan order
    phase_ranks = [PLAN_PHASES.index(plan.items[m].phase) for m in plan.order]
    assert phase_ranks == sorted(phase_ranks)
    # the critical path is a path of the graph, as long as the whole schedule
    path = plan.critical_path
    assert all(graph.has_edge(u, v) for u, v in zip(path, path[1:]))
    assert sum(plan.items[m].weeks for m in path) == plan.total_weeks
    assert plan.total_weeks == max((i.finish for i in plan.items.values()), default=0)
    if path:
        assert plan.items[path[0]].start == 0 and plan.items[path[-1]].finish == plan.total_weeks
    assert {m for m, i in plan.items.items() if i.critical} == set(path)


def selection_of(chosen: dict, phases: dict | None = None, current: int = 1, target: int = 4) -> Selection:
    """A selection of exactly these measures (None: only a prerequisite), phased as select() phases them."""
    phases = phases or {m: plan_phase(KB.measures[m], current, target) for m in chosen}
    edges = [(p, m) for m in chosen for p in KB.measures[m].prerequisites if p in chosen]
    required_by = {m: {d for p, d in edges if p == m} for m in chosen}
    return Selection(dict(chosen), phases, required_by, edges, [], {}, [], [])


class TestBuildPlan:
    def test_prerequisites_come_first_and_are_marked(self):
        plan = build_plan(KB, selection_of({"MEAS-DEFINE-RESPONSIBILITY-ZONES": None,
                                            "MEAS-FORMALISE-INTERACTION-RULES": 0.9}))
        assert plan.order == ["MEAS-DEFINE-RESPONSIBILITY-ZONES", "MEAS-FORMALISE-INTERACTION-RULES"]
        assert [plan.items[m].pulled_in for m in plan.order] == [True, False]
        assert plan.items["MEAS-DEFINE-RESPONSIBILITY-ZONES"].required_by == ("MEAS-FORMALISE-INTERACTION-RULES",)
        assert [(plan.items[m].start, plan.items[m].finish) for m in plan.order] == [(0, 4), (4, 8)]
        assert plan.total_weeks == 8
        assert plan.critical_path == plan.order

    def test_the_first_phase_opens_the_plan(self):
        plan = build_plan(KB, selection_of({"MEAS-STAFF-SURVEY": 0.8, "MEAS-CO-LOCATION": 0.7}))
        assert plan.graph.edges["MEAS-STAFF-SURVEY", "MEAS-CO-LOCATION"]["kind"] == "phase"
        assert plan.items["MEAS-CO-LOCATION"].prerequisites == ()
        assert plan.items["MEAS-CO-LOCATION"].start == 1
        assert plan.phases() == [("first", ["MEAS-STAFF-SURVEY"]), ("next", ["MEAS-CO-LOCATION"])]

    def test_phases_are_relative_to_the_company(self):
        survey, rules, meetings = KB.measures["MEAS-STAFF-SURVEY"], KB.measures["MEAS-FORMALISE-INTERACTION-RULES"], \
            KB.measures["MEAS-JOINT-DEPARTMENT-MEETINGS"]
        assert plan_phase(survey, 2, 3) == "first"
        # a Defined company moving to Aligned fixes the Defined step now and moves next
        assert (plan_phase(rules, 2, 3), plan_phase(meetings, 2, 3)) == ("now", "next")
        # a company staying where it is only makes its level work
        assert (plan_phase(rules, 3, 3), plan_phase(meetings, 3, 3)) == ("now", "now")

    def test_an_empty_selection_gives_an_empty_plan(self):
        plan = build_plan(KB, selection_of({}))
        assert (plan.order, plan.total_weeks, plan.critical_path, plan.phases()) == ([], 0, [], [])

    def test_prerequisite_cycle_is_reported(self, tmp_path):
        kb_dir = knowledge_with_cycle(tmp_path)
        kb = expert.load_knowledge_base(kb_dir, strict=False)
        assert any("prerequisite cycle" in p.message for p in kb.problems)
        chosen = {m: 0.9 for m in CYCLE}
        edges = [(p, m) for m in CYCLE for p in kb.measures[m].prerequisites if p in chosen]
        with pytest.raises(expert.PrerequisiteCycleError) as caught:
            build_plan(kb, Selection(chosen, dict.fromkeys(CYCLE, "next"), {}, edges, [], {}, [], []))
        assert set(caught.value.cycle) == set(CYCLE)
        assert all(m in str(caught.value) for m in CYCLE)


CYCLE = ("MEAS-DEFINE-RESPONSIBILITY-ZONES", "MEAS-FORMALISE-INTERACTION-RULES")


def knowledge_with_cycle(tmp_path: Path) -> Path:
    """A copy of knowledge/ in which two measures of one phase need each other."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    first, second = CYCLE  # second already needs first
    for path in sorted(target.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        measures = {m["id"]: m for m in (data or {}).get("measures", [])}
        if first in measures:
            assert second not in measures[first]["prerequisites"]
            measures[first]["prerequisites"] = [second]
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return target
    raise AssertionError(f"{first} not found in knowledge/")


class TestPlanProperties:
    @PROPERTY_SETTINGS
    @given(answers=ANSWER_SETS)
    def test_plan_of_any_answers_is_a_sound_schedule(self, system, answers):
        d = expert.diagnose(answers, system)
        met = set(d.in_place) | {s.prerequisite for s in d.selection.skipped}
        check_plan_invariants(d.plan, system.kb, met)

    @settings(max_examples=100, deadline=5000)
    @given(chosen=st.dictionaries(st.sampled_from(sorted(KB.measures)), st.floats(0.4, 1.0), max_size=25),
           levels=st.tuples(st.integers(1, 4), st.integers(1, 4)))
    def test_plan_of_any_measures_is_a_sound_schedule(self, chosen, levels):
        current, target = min(levels), max(levels)
        phases = {m: plan_phase(KB.measures[m], current, target) for m in chosen}
        # a prerequisite never comes in a later phase than its dependant (select() sees to it)
        for m in chosen:
            for p in KB.measures[m].prerequisites:
                if p in chosen and PLAN_PHASES.index(phases[p]) > PLAN_PHASES.index(phases[m]):
                    phases[p] = phases[m]
        plan = build_plan(KB, selection_of(chosen, phases))
        met = {p for m in chosen for p in KB.measures[m].prerequisites if p not in chosen}
        check_plan_invariants(plan, KB, met)
        assert set(plan.order) == set(chosen)
