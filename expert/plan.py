"""The intervention plan: a DAG of measures, phases, a schedule and its critical path.

Recommended measures and the prerequisites they need (pulled in unless the
company already has them in place) form a directed acyclic graph. The
diagnostic phase opens the plan: its measures precede every measure that has
no other prerequisite. Phases follow the level transitions; inside a phase the
order is topological, ties broken by certainty and then by the knowledge
base's own order. Durations give earliest start and finish (critical path
method) and networkx finds the longest duration-weighted path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import networkx as nx

from .errors import PrerequisiteCycleError
from .knowledge import PHASES, KnowledgeBase

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


@dataclass
class Plan:
    graph: nx.DiGraph
    order: list[str]
    items: dict[str, PlannedMeasure]
    total_weeks: int
    critical_path: list[str]

    def phases(self) -> list[tuple[str, list[str]]]:
        """``[(phase, [measure ids in order]), ...]`` for the phases that have measures."""
        out = []
        for phase in PHASES:
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


def build_plan(kb: KnowledgeBase, recommended: Mapping[str, float], in_place: set[str] | frozenset = frozenset()) -> Plan:
    """Build the plan for the recommended measures.

    Parameters
    ----------
    kb : KnowledgeBase
    recommended : mapping
        Measure id → certainty of the recommendation.
    in_place : set
        Measures the company already practises; they are never pulled in.

    Raises
    ------
    PrerequisiteCycleError
        If the prerequisites form a cycle (``accord kb check`` reports it first).
    """
    members: dict[str, set[str]] = {m: set() for m in recommended}
    queue = list(recommended)
    while queue:
        current = queue.pop(0)
        for prerequisite in kb.measures[current].prerequisites:
            if prerequisite in in_place or prerequisite in recommended:
                continue
            if prerequisite not in members:
                members[prerequisite] = set()
                queue.append(prerequisite)
            members[prerequisite].add(current)

    position = {m: i for i, m in enumerate(kb.measures)}
    graph = nx.DiGraph()
    for ident in sorted(members, key=position.get):
        m = kb.measures[ident]
        graph.add_node(ident, phase=m.phase, weeks=m.weeks, owner=m.owner_roles[0], cost=m.cost,
                       certainty=recommended.get(ident), pulled_in=ident not in recommended)
    for ident in graph.nodes:
        for prerequisite in kb.measures[ident].prerequisites:
            if prerequisite in graph:
                graph.add_edge(prerequisite, ident, kind="prerequisite")
    openers = [m for m in graph if graph.nodes[m]["phase"] == "diagnostic"]
    for ident in list(graph.nodes):
        if graph.nodes[ident]["phase"] != "diagnostic" and graph.in_degree(ident) == 0:
            for opener in openers:
                graph.add_edge(opener, ident, kind="phase")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [u for u, _ in nx.find_cycle(graph)]
        raise PrerequisiteCycleError(cycle, kb.measures[cycle[0]].location)

    def key(ident):
        certainty = graph.nodes[ident]["certainty"]
        return (PHASES.index(graph.nodes[ident]["phase"]), -(certainty or 0.0), position[ident])

    order = list(nx.lexicographical_topological_sort(graph, key=key))
    # Phases must be contiguous: prerequisites never come from a later phase, so
    # sorting the topological order by phase keeps it topological.
    order.sort(key=lambda m: PHASES.index(graph.nodes[m]["phase"]))

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
            required_by=tuple(sorted(members[ident], key=position.get)),
            prerequisites=tuple(p for p in order if graph.has_edge(p, ident) and graph.edges[p, ident]["kind"] == "prerequisite"),
            weeks=node["weeks"], start=start[ident], finish=finish[ident], critical=ident in critical,
            owner=node["owner"], cost=node["cost"])
    for u, v in graph.edges:
        graph.edges[u, v]["critical"] = u in critical and v in critical and critical.index(v) == critical.index(u) + 1
    return Plan(graph, order, items, total, critical)


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
