"""The reasoning graph: answers → observations → causes and level → target → measures.

Nodes are the conclusions the diagnosis reports (symptoms, causes, the
level, the target and its transition, the measures of the plan) and,
walking back through the firings that support them, the signs, context
factors, evidence and needs in between, down to the answers. An edge runs
from a fact a rule matched to what the rule concluded and is labelled with
the rule id. Only the evidence that made a conclusion what it is is drawn
(for a sign read as evidence of its opposite, the evidence against it);
the other evidence, and conditions that merely require something to be
absent, are left to ``accord explain --how`` so that the graph stays readable.

The Python ``graphviz`` package writes the DOT source; SVG and PNG need the
system ``dot`` program (:class:`~expert.errors.GraphvizMissingError` otherwise).
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

from ..conditions import AnswerLeaf
from ..diagnosis import Diagnosis
from ..errors import GraphvizMissingError
from ..explain import matched_leaves
from ..explain.text import Writer, cf

GRAPH_FORMATS = ("dot", "svg", "png")
_EVIDENCE_OPS = ("min", "max", "at_least")  # gates on absence ('below', 'over') carry no evidence
_COLUMNS = {"answer": 0, "sign": 1, "symptom": 1, "context": 1, "support": 2, "cause": 2, "level": 3,
            "target": 4, "transition": 4, "need": 5, "measure": 6}
_COLOURS = {"answer": "#f2f2f2", "sign": "#e3f2fd", "symptom": "#ffebee", "context": "#f3e5f5",
            "support": "#e8f5e9", "cause": "#fff3e0", "level": "#c8e6c9", "target": "#c8e6c9",
            "transition": "#dcedc8", "need": "#fffde7", "measure": "#e0f7fa"}


def neighbourhood(nodes: list[tuple[str, str]], edges: dict[tuple, list[str]], focus: tuple[str, str],
                  depth: int) -> tuple[list[tuple[str, str]], dict[tuple, list[str]]]:
    """What leads to ``focus`` and what it leads to, ``depth`` steps each way; order kept.

    A graph of a whole diagnosis has a hundred nodes and more; one conclusion's
    reasons and consequences fit on a screen. Siblings (other conclusions that
    share a reason) are left out: they are not about this one.
    """
    near = {focus}
    for forward in (False, True):
        frontier = {focus}
        for _ in range(depth):
            frontier = {b for a, b in edges if a in frontier} if forward else {a for a, b in edges if b in frontier}
            frontier -= near
            near |= frontier
    return [n for n in nodes if n in near], {e: r for e, r in edges.items() if e[0] in near and e[1] in near}


def graph_nodes(d: Diagnosis) -> tuple[list[tuple[str, str]], dict[tuple, list[str]]]:
    """``(nodes, edges)``: the nodes as (kind, id) and the edges (from, to) → rule ids, in a stable order."""
    inf = d.inference
    roots: list[tuple[str, str]] = []
    if d.level:
        roots.append(("level", d.level.id))
    if d.target:
        roots.append(("target", d.target.id))
        if d.target.transition:
            roots.append(("transition", d.target.transition))
    roots += [("symptom", i) for i, _ in d.symptoms] + [("cause", i) for i, _ in d.causes]
    roots += [("measure", m) for m in d.plan.order if not d.plan.items[m].pulled_in]
    nodes: list[tuple[str, str]] = []
    edges: dict[tuple, list[str]] = defaultdict(list)
    queue = list(roots)
    seen = set()
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.add(node)
        nodes.append(node)
        finding = inf.findings.get(node)
        for value, index in finding.support if finding else ():
            if value * finding.cf <= 0:  # only the evidence that made it what it is (for or, read via max, against)
                continue
            firing = d.trace[index]
            rule = d.system.rules.rules[firing.rule]
            for leaf, _ in matched_leaves(rule, firing):
                if isinstance(leaf, AnswerLeaf):
                    source = ("answer", leaf.question)
                elif leaf.op in _EVIDENCE_OPS and leaf.fact in _COLUMNS:
                    source = (leaf.fact, leaf.id)
                else:
                    continue
                if rule.id not in edges[(source, node)]:
                    edges[(source, node)].append(rule.id)
                if source not in seen:
                    queue.append(source)
    for m in d.plan.order:  # prerequisites pulled into the plan, drawn next to the measures needing them
        item = d.plan.items[m]
        if item.pulled_in:
            nodes.append(("measure", m))
            for other in item.required_by:
                edges[(("measure", m), ("measure", other))].append("prerequisite")
    order = {kind: {ident: i for i, ident in enumerate(d.kb.ids_of_kind(kind))} for kind in _COLUMNS if kind != "answer"}
    order["answer"] = {q: i for i, q in enumerate(d.kb.questions)}
    nodes.sort(key=lambda n: (_COLUMNS[n[0]], n[0], order[n[0]].get(n[1], 0)))
    return nodes, dict(sorted(edges.items()))


def _node_name(kind: str, ident: str) -> str:
    return f"{kind}__{ident}"


def reasoning_graph(d: Diagnosis, lang: str = "en", around: tuple[str, str] | None = None, depth: int = 2):
    """The reasoning graph as a ``graphviz.Digraph`` (left to right, one column per stage).

    With ``around`` (a ``(kind, id)`` node), only its neighbourhood of ``depth`` edges is drawn.
    """
    import graphviz

    w = Writer(d, lang)
    nodes, edges = graph_nodes(d)
    if around is not None:
        if around not in nodes:
            nodes.append(around)
        nodes, edges = neighbourhood(nodes, edges, around, depth)
    org = d.sheet.organization or w.t("report.unnamed")
    g = graphviz.Digraph("reasoning", graph_attr={
        "rankdir": "LR", "label": f"{w.t('explain.graph.title')} — {org}", "labelloc": "t", "fontsize": "18",
        "fontname": "Helvetica", "nodesep": "0.15", "ranksep": "1.2", "newrank": "true"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#777777", "fontcolor": "#444444"})
    columns: dict[int, list] = defaultdict(list)
    for kind, ident in nodes:
        if kind == "answer":
            value = d.inference.answers.get(ident)
            label = f"{ident} = {w.value(ident, value)}"
            label = "\n".join(textwrap.wrap(label, 34))
        else:
            name = "\n".join(textwrap.wrap(w.name(kind, ident), 30))
            label = f"{w.kind(kind)} {ident}\n{name}\n{cf(d.inference.cf(kind, ident))}"
        columns[_COLUMNS[kind]].append(_node_name(kind, ident))
        g.node(_node_name(kind, ident), label=label, fillcolor=_COLOURS[kind],
               penwidth="2" if kind in ("level", "target") else "1")
    for column in sorted(columns):
        with g.subgraph(name=f"rank{column}") as s:
            s.attr(rank="same")
            for name in columns[column]:
                s.node(name)
    for (source, target), rules in edges.items():
        style = "dashed" if rules == ["prerequisite"] else "solid"
        g.edge(_node_name(*source), _node_name(*target), label="\n".join(rules), style=style)
    return g


def render_graph(d: Diagnosis, fmt: str, lang: str = "en", around: tuple[str, str] | None = None,
                 depth: int = 2) -> bytes:
    """The reasoning graph as DOT source, SVG or PNG bytes.

    Raises
    ------
    GraphvizMissingError
        For ``svg`` and ``png`` when the system ``dot`` program is missing.
    """
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format '{fmt}'")
    import graphviz

    g = reasoning_graph(d, lang, around, depth)
    if fmt == "dot":
        return g.source.encode("utf-8")
    try:
        return g.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissingError(fmt) from None
