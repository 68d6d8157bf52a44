"""The drawing of the plan: Graphviz DOT for a management audience.

Left to right in time: each phase is a tinted cluster, each measure a white
box with its step number, name, who takes part and its weeks. Prerequisites
are dark arrows, the start after the diagnostic a light dashed arrow, the
critical path thick and red; a measure pulled in as a prerequisite has a
dashed border. The title carries the totals and the legend, so the picture
stands on its own on a slide.

Only the DOT text is made here; :func:`expert.plan.graph.render` hands it to
the system ``dot`` program.
"""

from __future__ import annotations

import textwrap
from html import escape

import graphviz
import networkx as nx

from ..i18n import Messages

FONT = "Helvetica,Arial,sans-serif"
CRITICAL = "#c0392b"
PREREQUISITE = "#4d4d4d"
PHASE_EDGE = "#a6a6a6"
MUTED = "#595959"
# (cluster fill, cluster border) per phase: light tints, one hue per transition.
PHASE_COLOURS = {
    "first": ("#f2f2f2", "#a6a6a6"),
    "now": ("#e8f1fa", "#7fa7d1"),
    "next": ("#e9f5ec", "#7fb58b"),
}
NAME_WIDTH = 30  # characters per line of a measure's name
DETAIL_WIDTH = 38  # characters per line of the smaller caption
PHASE_WIDTH = 30  # characters per line of a phase's name


def dot_source(graph: nx.DiGraph, phases: list[tuple[str, list[str]]], t: Messages) -> str:
    """DOT source for a plan graph made by :func:`expert.plan.graph.plan_graph`."""
    dot = graphviz.Digraph(
        "plan",
        graph_attr=dict(rankdir="LR", newrank="true", compound="true", nodesep="0.22", ranksep="0.55", pad="0.3",
                        fontname=FONT, bgcolor="white", labelloc="t", labeljust="l",
                        label=_title(graph, t)),
        node_attr=dict(shape="box", style="rounded,filled", fillcolor="white", color=MUTED, penwidth="1.2",
                       fontname=FONT, fontsize="13", margin="0.14,0.07"),
        edge_attr=dict(color=PREREQUISITE, penwidth="1.3", arrowsize="0.8", tailport="e", headport="w"),
    )
    if not len(graph):
        dot.node("empty", t("export.no_plan"), shape="plaintext", fontsize="16")
        return dot.source
    for phase, ids in phases:
        fill, border = PHASE_COLOURS.get(phase, PHASE_COLOURS["first"])
        nodes = [graph.nodes[i] for i in ids]
        start, finish = min(n["start"] for n in nodes) + 1, max(n["finish"] for n in nodes)
        span = t("export.phase_week" if start == finish else "export.phase_weeks", start=start, finish=finish)
        name = '<br align="left"/>'.join(_text(line) for line in _lines(graph.graph[f"phase_name_{phase}"], PHASE_WIDTH))
        label = f'<<b>{name}</b><br align="left"/><font point-size="13">{_text(span)}</font><br align="left"/>>'
        with dot.subgraph(name=f"cluster_{phase}") as cluster:
            cluster.attr(label=label, style="rounded,filled", fillcolor=fill, color=border,
                         penwidth="1.5", fontsize="16", fontcolor="#262626", margin="14")
            for ident in ids:
                node = graph.nodes[ident]
                attrs = {}
                if node["critical"]:
                    attrs.update(color=CRITICAL, penwidth="3")
                if node["pulled_in"]:
                    attrs.update(style="rounded,filled,dashed")
                # The tooltip keeps the whole name in one piece in SVG (the label is wrapped).
                cluster.node(ident, _node_label(node, weeks_caption(t, node), t), tooltip=node["name"], **attrs)
    _order_phases(dot, graph, phases)
    drawn_phase_edges = set()
    for u, v, data in graph.edges(data=True):
        attrs = {}
        if data["kind"] == "phase":
            # Every diagnostic measure precedes v: one dashed arrow from the
            # diagnostic cluster says so (from the critical measure, if any).
            if v in drawn_phase_edges:
                continue
            drawn_phase_edges.add(v)
            critical = [p for p in graph.predecessors(v) if graph.edges[p, v]["critical"]]
            if critical:
                u, data = critical[0], graph.edges[critical[0], v]
            else:
                attrs.update(ltail=f"cluster_{graph.nodes[u]['phase']}")
            attrs.update(style="dashed", color=PHASE_EDGE, penwidth="1.2", arrowsize="0.7")
        if data["critical"]:
            attrs.update(color=CRITICAL, penwidth="3", arrowsize="0.9")
        dot.edge(u, v, **attrs)
    return dot.source


def totals_caption(t: Messages, graph: nx.DiGraph) -> str:
    """'26 measures, 25 weeks in total' for a plan graph."""
    count, weeks = len(graph), graph.graph["total_weeks"]
    return ", ".join([t("export.count_one") if count == 1 else t("export.count_many", count=count),
                      t("export.total_one") if weeks == 1 else t("export.total_many", weeks=weeks)])


def weeks_caption(t: Messages, node: dict) -> str:
    """'4 weeks · weeks 2–5' for a measure of a plan graph."""
    if node["weeks"] == 1:
        return t("export.weeks_one", start=node["start"] + 1)
    return t("export.weeks_many", weeks=node["weeks"], start=node["start"] + 1, finish=node["finish"])


def _order_phases(dot: graphviz.Digraph, graph: nx.DiGraph, phases: list[tuple[str, list[str]]]) -> None:
    """Lay the phases out as columns in order, through an invisible gate between each two.

    Without it dot stacks phases that overlap in time in any order. The gate
    only moves boxes: start and finish weeks are in every label.
    """
    for (before, earlier), (after, later) in zip(phases, phases[1:]):
        gate = f"gate_{before}_{after}"
        dot.node(gate, "", shape="point", style="invis", width="0", height="0")
        for ident in earlier:
            if not any(graph.nodes[s]["phase"] == before for s in graph.successors(ident)):
                dot.edge(ident, gate, style="invis", weight="0")
        for ident in later:
            if not any(graph.nodes[p]["phase"] == after for p in graph.predecessors(ident)):
                dot.edge(gate, ident, style="invis", weight="0")


def _text(text: str) -> str:
    """Escape text for an HTML-like label (quotes may stay as they are)."""
    return escape(text, quote=False)


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def _node_label(node: dict, weeks: str, t: Messages) -> str:
    left = '<br align="left"/>'
    name = left.join(_text(line) for line in _lines(f"{node['step']}. {node['name']}", NAME_WIDTH))
    detail = [_text(line) for line in _lines(node["participants"], DETAIL_WIDTH)]
    detail.append(_text(weeks))
    if node["pulled_in"]:
        detail.append(f"<i>{_text(t('export.pulled_in'))}</i>")
    return f'<<b>{name}</b>{left}<font point-size="11" color="{MUTED}">{left.join(detail)}{left}</font>>'


def _title(graph: nx.DiGraph, t: Messages) -> str:
    """The title, the totals and the legend, as one HTML-like label."""
    organization = graph.graph.get("organization")
    title = t("export.title_for", organization=organization) if organization else t("export.title")
    lines = [totals_caption(t, graph)] if len(graph) else []
    level, target = graph.graph.get("level_name"), graph.graph.get("target_level_name")
    if level and target:
        stay = graph.graph["level"] == graph.graph["target_level"]
        lines.insert(0, t("export.levels_stay", level=level) if stay
                     else t("export.levels", level=level, target=target))
    rows = [f'<tr><td align="left" colspan="6"><font point-size="24"><b>{_text(title)}</b></font></td></tr>']
    rows += [f'<tr><td align="left" colspan="6"><font point-size="15" color="{MUTED}">{_text(line)}</font></td></tr>'
             for line in lines]
    # The legend explains only what the picture shows: arrows in one row, boxes in the other.
    kinds = {kind for _, _, kind in graph.edges(data="kind")}
    arrows = [(f'<font color="{CRITICAL}"><b>━━━━▶</b></font>', "export.legend.critical",
               any(c for _, _, c in graph.edges(data="critical"))),
              (f'<font color="{PREREQUISITE}">────▶</font>', "export.legend.prerequisite",
               "prerequisite" in kinds),
              (f'<font color="{PHASE_EDGE}">╌╌╌╌▶</font>', "export.legend.phase", "phase" in kinds)]
    boxes = [(_sample_box(MUTED, 1, "solid"), "export.legend.recommended",
              any(not p for _, p in graph.nodes(data="pulled_in"))),
             (_sample_box(CRITICAL, 3, "solid"), "export.legend.critical_measure",
              any(c for _, c in graph.nodes(data="critical"))),
             (_sample_box(MUTED, 1, "dashed"), "export.legend.pulled_in",
              any(p for _, p in graph.nodes(data="pulled_in")))]
    for row in (arrows, boxes):
        cells = [f'<td align="center">{sample}</td><td align="left">{_text(t(key))}</td>'
                 for sample, key, shown in row if shown]
        if cells:
            rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<<table border="0" cellspacing="4" cellpadding="3">{"".join(rows)}</table>>'


def _sample_box(colour: str, border: int, style: str) -> str:
    return (f'<table border="{border}" style="rounded{"" if style == "solid" else ",dashed"}" color="{colour}" '
            f'cellborder="0" cellpadding="2" bgcolor="white"><tr><td>      </td></tr></table>')
