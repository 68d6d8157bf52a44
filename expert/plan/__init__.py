"""The intervention plan: a DAG of measures, phases, a schedule and its critical path.

The selected measures (:mod:`expert.plan.selection`) and the prerequisite
edges between them form a directed acyclic graph. The first phase opens the
plan: its measures precede every measure that has no other prerequisite.
Inside a phase the order is topological, ties broken by certainty and then by
the knowledge base's own order. Durations give earliest start and finish
(critical path method) and networkx finds the longest duration-weighted path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import networkx as nx

from ..errors import PrerequisiteCycleError
from ..knowledge import KnowledgeBase
from ..plan.selection import PLAN_PHASES, Selection

END = "__end__"


@dataclass(frozen=True)
class PlannedMeasure:
    id: str
    phase: str
    certainty: float | None  # None for a prerequisite pulled in
    pulled_in: bool
    required_by: tuple[str, ...]
    prerequisites: tuple[str, ...]  # prerequisites inside the plan
    weeks: int
    start: int
    finish: int
    critical: bool
    owner: str
    cost: str
    transition: str = ""  # the step of the level ladder the measure belongs to (its knowledge-base phase)

    @property
    def span(self) -> str:
        """The weeks it runs, as people count them: "3" for one week, "2–5" for several.

        ``start`` is the number of weeks before it begins (0 for the first
        week); every text a person reads counts weeks from 1.
        """
        return str(self.finish) if self.weeks == 1 else f"{self.start + 1}–{self.finish}"


@dataclass
class Plan:
    graph: nx.DiGraph
    order: list[str]
    items: dict[str, PlannedMeasure]
    total_weeks: int
    critical_path: list[str]
    phase_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # phase → {lang: name}

    def phase_name(self, phase: str, lang: str) -> str:
        """The phase as the company reads it ("Now: make the Defined level work")."""
        return self.phase_names[phase][lang] if phase in self.phase_names else phase

    def phases(self) -> list[tuple[str, list[str]]]:
        """``[(phase, [measure ids in order]), ...]`` for the phases that have measures."""
        out = []
        for phase in PLAN_PHASES:
            ids = [m for m in self.order if self.items[m].phase == phase]
            if ids:
                out.append((phase, ids))
        return out

    def owners(self) -> dict[str, dict]:
        """Per accountable owner: the measures, their total weeks and the cost classes."""
        totals: dict[str, dict] = {}
        for ident in self.order:
            item = self.items[ident]
            entry = totals.setdefault(item.owner, {"measures": [], "weeks": 0,
                                                   "cost": {"free": 0, "low": 0, "medium": 0, "high": 0}})
            entry["measures"].append(ident)
            entry["weeks"] += item.weeks
            entry["cost"][item.cost] += 1
        return dict(sorted(totals.items()))


def phase_names(kb: KnowledgeBase, level_id: str | None, target_id: str | None) -> dict[str, dict[str, str]]:
    """What each plan phase is called for a company at a level aiming for a target."""
    names: dict[str, dict[str, str]] = {}
    for lang in ("en", "ru"):
        level = kb.levels[level_id].name[lang] if level_id else ""
        target = kb.levels[target_id].name[lang] if target_id else level
        names.setdefault("first", {})[lang] = kb.message("phase.first", lang)
        now = "phase.now_undefined" if level_id is None or kb.levels[level_id].value == 1 else "phase.now"
        names.setdefault("now", {})[lang] = kb.message(now, lang).format(level=level)
        names.setdefault("next", {})[lang] = kb.message("phase.next", lang).format(target=target)
    return names


def build_plan(kb: KnowledgeBase, selection: Selection, owners: Mapping[str, str] | None = None,
               names: Mapping[str, Mapping[str, str]] | None = None) -> Plan:
    """Build the plan's graph, order and schedule for the selected measures.

    Parameters
    ----------
    kb : KnowledgeBase
    selection : Selection
        The measures, their phases and the prerequisite edges between them
        (:func:`expert.plan.selection.select`).
    owners : mapping, optional
        Measure id → the accountable owner in this company (the measure's
        first owner role by default).

    Raises
    ------
    PrerequisiteCycleError
        If the prerequisites form a cycle (``accord kb check`` reports it first).
    """
    owners = owners or {}
    position = {m: i for i, m in enumerate(kb.measures)}
    graph = nx.DiGraph()
    for ident in sorted(selection.chosen, key=position.get):
        m = kb.measures[ident]
        graph.add_node(ident, phase=selection.phases[ident], weeks=m.weeks, owner=owners.get(ident, m.owner_roles[0]),
                       cost=m.cost, certainty=selection.chosen[ident], pulled_in=selection.chosen[ident] is None)
    for pre, ident in selection.edges:
        graph.add_edge(pre, ident, kind="prerequisite")
    openers = [m for m in graph if graph.nodes[m]["phase"] == "first"]
    for ident in list(graph.nodes):
        if graph.nodes[ident]["phase"] != "first" and graph.in_degree(ident) == 0:
            for opener in openers:
                graph.add_edge(opener, ident, kind="phase")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [u for u, _ in nx.find_cycle(graph)]
        raise PrerequisiteCycleError(cycle, kb.measures[cycle[0]].location)

    def key(ident):
        certainty = graph.nodes[ident]["certainty"]
        return (PLAN_PHASES.index(graph.nodes[ident]["phase"]), -(certainty or 0.0), position[ident])

    order = list(nx.lexicographical_topological_sort(graph, key=key))
    # Phases must be contiguous: prerequisites never come from a later phase, so
    # sorting the topological order by phase keeps it topological.
    order.sort(key=lambda m: PLAN_PHASES.index(graph.nodes[m]["phase"]))

    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    for ident in order:
        start[ident] = max((finish[p] for p in graph.predecessors(ident)), default=0)
        finish[ident] = start[ident] + graph.nodes[ident]["weeks"]
    total = max(finish.values(), default=0)
    critical = _critical_path(graph, order)

    items = {}
    for ident in order:
        node = graph.nodes[ident]
        node.update(start=start[ident], finish=finish[ident], critical=ident in critical)
        items[ident] = PlannedMeasure(
            id=ident, phase=node["phase"], certainty=node["certainty"], pulled_in=node["pulled_in"],
            required_by=tuple(sorted(selection.required_by.get(ident, ()), key=position.get)),
            prerequisites=tuple(p for p in order if graph.has_edge(p, ident) and graph.edges[p, ident]["kind"] == "prerequisite"),
            weeks=node["weeks"], start=start[ident], finish=finish[ident], critical=ident in critical,
            owner=node["owner"], cost=node["cost"], transition=kb.measures[ident].phase)
    for u, v in graph.edges:
        graph.edges[u, v]["critical"] = u in critical and v in critical and critical.index(v) == critical.index(u) + 1
    return Plan(graph, order, items, total, critical, dict(names or {}))


def _critical_path(graph: nx.DiGraph, order: list[str]) -> list[str]:
    """The longest duration-weighted path, found by networkx on the graph plus a sink node."""
    if not order:
        return []
    weighted = nx.DiGraph()
    weighted.add_nodes_from(order + [END])
    for u, v in graph.edges:
        weighted.add_edge(u, v, weight=graph.nodes[u]["weeks"])
    for ident in order:
        weighted.add_edge(ident, END, weight=graph.nodes[ident]["weeks"])
    path = nx.dag_longest_path(weighted, weight="weight", topo_order=order + [END])
    return [p for p in path if p != END]
