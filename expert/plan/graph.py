"""The plan of measures as a graph: exported for other tools, or drawn by Graphviz.

Every format starts from :func:`plan_graph`, a networkx ``DiGraph`` of the
planned measures (in plan order) with all their attributes in one language.
The edges are the plan's: ``kind="prerequisite"`` from the knowledge base, and
``kind="phase"`` from the diagnostic measures to every measure that has no
other predecessor (it starts once the diagnostic is done).

Formats, all deterministic (same answers → same bytes) except PNG and PDF:

``json``
    networkx node-link data (``nodes``/``edges``), every attribute as is.
``graphml``
    For yEd and Gephi. GraphML has no lists and no null, so lists are joined
    with ``"; "`` (:data:`LIST_SEPARATOR`; ``""`` for an empty list) and an
    attribute whose value is ``None`` (the certainty of a measure pulled in as
    a prerequisite, a missing organisation name) is left out.
    :func:`from_graphml_value` undoes the joining.
``mermaid``
    A flowchart for Markdown: one node line per measure, phases as subgraphs.
``csv``
    A task list, one row per measure in plan order. Written to a file it is
    UTF-8 with a byte-order mark (:data:`CSV_ENCODING`) so that Excel reads
    Cyrillic names correctly; comma-separated with CRLF line ends (RFC 4180),
    which Excel, LibreOffice and Google Sheets import as is.
``dot``, ``svg``, ``png``, ``pdf``
    The drawing (:mod:`expert.plan.drawing`); all but ``dot`` need the system
    Graphviz ``dot`` program.
"""

from __future__ import annotations

import csv
import io
import json

import networkx as nx

from ..diagnosis import Diagnosis
from ..errors import GraphvizMissingError
from ..i18n import Messages
from ..plan.drawing import dot_source, totals_caption, weeks_caption

__all__ = [
    "BINARY_FORMATS", "CSV_ENCODING", "DRAWN_FORMATS", "FORMATS", "LIST_SEPARATOR", "TEXT_FORMATS",
    "export", "export_text", "from_graphml_value", "plan_graph", "render", "to_csv", "to_dot", "to_graphml",
    "to_mermaid", "to_node_link_json",
]

GRAPH_SCHEMA_VERSION = "1.0"
FORMATS = ("dot", "svg", "png", "pdf", "json", "graphml", "mermaid", "csv")
DRAWN_FORMATS = ("svg", "png", "pdf")  # need the system `dot` program
BINARY_FORMATS = ("png", "pdf")  # cannot go to a terminal
TEXT_FORMATS = tuple(f for f in FORMATS if f not in BINARY_FORMATS)
LIST_SEPARATOR = "; "  # joins lists in GraphML and in the CSV 'depends on' column
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: Excel needs it to read Cyrillic

# Attributes (of the graph or of nodes) that hold lists; GraphML joins them with LIST_SEPARATOR.
_LIST_ATTRIBUTES = ("critical_path", "prerequisites", "required_by", "depends_on")


def plan_graph(d: Diagnosis, lang: str = "en") -> nx.DiGraph:
    """The plan as a networkx graph with every attribute, in one language.

    Nodes are measure ids in plan order; node attributes: ``step`` (1-based
    position in the plan), ``name``, ``phase`` and ``phase_name``, ``owner``
    (the accountable role) and ``owner_name``, ``participants`` (who takes
    part, as the knowledge base words it), ``cost`` and ``cost_name``,
    ``weeks``, ``start`` (weeks elapsed before it starts) and ``finish``,
    ``critical``, ``pulled_in``, ``certainty`` (``None`` when pulled in),
    ``prerequisites`` (prerequisite edges into it), ``depends_on`` (every
    predecessor, prerequisites and phase edges) and ``required_by`` (for a
    measure pulled in: the measures that need it). Edge attributes: ``kind``
    (``prerequisite`` or ``phase``) and ``critical``. Graph attributes:
    ``schema_version``, ``language``, ``organization``, ``total_weeks``,
    ``critical_path``, ``level`` and ``target_level`` (ids, ``None`` when no
    level applies) with ``level_name`` and ``target_level_name``.

    Examples
    --------
    >>> from expert import diagnose
    >>> g = plan_graph(diagnose({"marketing_department": "separate", "joint_meetings": "never"}))
    >>> nx.is_directed_acyclic_graph(g)
    True
    """
    kb, plan = d.kb, d.plan
    t = Messages(kb, lang)
    position = {ident: i for i, ident in enumerate(plan.order)}
    # one attribute per phase (phase_name_first, ...): GraphML stores no mappings
    graph = nx.DiGraph(**{f"phase_name_{phase}": d.plan.phase_name(phase, lang) for phase, _ in d.plan.phases()})
    graph.graph.update(schema_version=GRAPH_SCHEMA_VERSION, language=lang,
                       organization=d.sheet.organization or None, total_weeks=plan.total_weeks,
                       critical_path=list(plan.critical_path))
    for key, verdict in (("level", d.level), ("target_level", d.target)):
        graph.graph[key] = verdict.id if verdict else None
        graph.graph[f"{key}_name"] = (t("level.value", value=verdict.value, name=kb.levels[verdict.id].name[lang])
                                      if verdict else None)
    for step, ident in enumerate(plan.order, 1):
        item, measure = plan.items[ident], kb.measures[ident]
        graph.add_node(
            ident, step=step, name=d.measure_name(ident, lang), phase=item.phase, phase_name=d.plan.phase_name(item.phase, lang),
            owner=item.owner, owner_name=kb.owners[item.owner].name[lang], participants=measure.owner_text[lang],
            cost=item.cost, cost_name=t(f"cost.{item.cost}"), weeks=item.weeks, start=item.start,
            finish=item.finish, critical=item.critical, pulled_in=item.pulled_in,
            certainty=None if item.certainty is None else round(item.certainty, 3),
            prerequisites=list(item.prerequisites),
            depends_on=sorted(plan.graph.predecessors(ident), key=position.get),
            required_by=list(item.required_by))
    for u, v in sorted(plan.graph.edges, key=lambda e: (position[e[0]], position[e[1]])):
        data = plan.graph.edges[u, v]
        graph.add_edge(u, v, kind=data["kind"], critical=bool(data.get("critical", False)))
    return graph


# ---------------------------------------------------------------- JSON, GraphML

def to_node_link_json(d: Diagnosis, lang: str = "en") -> str:
    """The plan graph as networkx node-link JSON (``nodes`` and ``edges``).

    Load it back with ``nx.node_link_graph(json.loads(text), edges="edges")``.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "joint_meetings": "never"})
    >>> g = nx.node_link_graph(json.loads(to_node_link_json(d)), edges="edges")
    >>> sorted(g.nodes) == sorted(d.plan.order)
    True
    """
    graph = plan_graph(d, lang)
    try:
        data = nx.node_link_data(graph, edges="edges")
    except TypeError:  # networkx < 3.4 names the key with `link=`
        data = nx.node_link_data(graph, link="edges")
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def to_graphml(d: Diagnosis, lang: str = "en") -> str:
    """The plan graph as GraphML (yEd, Gephi), readable by ``nx.read_graphml``.

    Lists are joined with :data:`LIST_SEPARATOR`; ``None`` values are left
    out (GraphML cannot store either). Node ``label`` repeats ``name`` for
    Gephi, which shows that attribute.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "joint_meetings": "never"})
    >>> to_graphml(d).startswith("<?xml")
    True
    """
    graph = plan_graph(d, lang)
    safe = nx.DiGraph()
    safe.graph.update(_graphml_attributes(graph.graph))
    for ident, data in graph.nodes(data=True):
        safe.add_node(ident, label=data["name"], **_graphml_attributes(data))
    for u, v, data in graph.edges(data=True):
        safe.add_edge(u, v, **_graphml_attributes(data))
    buffer = io.BytesIO()
    # The pure-Python writer, so the output does not depend on whether lxml is installed.
    nx.write_graphml_xml(safe, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def _graphml_attributes(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if value is None:
            continue
        out[key] = LIST_SEPARATOR.join(value) if isinstance(value, (list, tuple)) else value
    return out


def from_graphml_value(key: str, value):
    """Undo the GraphML conversion of one attribute value (split joined lists).

    Examples
    --------
    >>> from_graphml_value("prerequisites", "MEAS-A; MEAS-B")
    ['MEAS-A', 'MEAS-B']
    >>> from_graphml_value("prerequisites", "")
    []
    >>> from_graphml_value("weeks", 4)
    4
    """
    if key in _LIST_ATTRIBUTES:
        return value.split(LIST_SEPARATOR) if value else []
    return value


# ---------------------------------------------------------------------- Mermaid

def to_mermaid(d: Diagnosis, lang: str = "en") -> str:
    """The plan as a Mermaid flowchart: phases as subgraphs, one node line per measure.

    Solid arrows are prerequisites, dotted arrows lead from the diagnostic;
    the critical path is drawn thick and red, measures pulled in as
    prerequisites have a dashed border.

    Examples
    --------
    >>> from expert import diagnose
    >>> print(to_mermaid(diagnose({"marketing_department": "separate"})).splitlines()[0])
    flowchart LR
    """
    graph = plan_graph(d, lang)
    t = Messages(d.kb, lang)
    lines = ["flowchart LR"]
    title = t("export.title_for", organization=d.sheet.organization) if d.sheet.organization else t("export.title")
    # a comment ends at the line's end, so a name with a line break must not carry one in
    lines.append("  %% " + " ".join(f"{title}: {totals_caption(t, graph)}".split()))
    if not len(graph):
        lines.append(f'  empty["{_mermaid_text(t("export.no_plan"))}"]')
        return "\n".join(lines) + "\n"
    for phase, ids in d.plan.phases():
        lines.append(f'  subgraph phase_{_mermaid_id(phase)}["{_mermaid_text(d.plan.phase_name(phase, lang))}"]')
        for ident in ids:
            node = graph.nodes[ident]
            caption = f"{node['step']}. {node['name']}<br/>{node['participants']}<br/>{weeks_caption(t, node)}"
            lines.append(f'    {_mermaid_id(ident)}["{_mermaid_text(caption)}"]')
        lines.append("  end")
    critical_links = []
    for index, (u, v, data) in enumerate(graph.edges(data=True)):
        arrow = "-->" if data["kind"] == "prerequisite" else "-.->"
        lines.append(f"  {_mermaid_id(u)} {arrow} {_mermaid_id(v)}")
        if data["critical"]:
            critical_links.append(str(index))
    lines.append("  classDef critical stroke:#c0392b,stroke-width:3px")
    lines.append("  classDef pulledIn stroke-dasharray:5 5")
    critical = [_mermaid_id(n) for n, c in graph.nodes(data="critical") if c]
    pulled = [_mermaid_id(n) for n, p in graph.nodes(data="pulled_in") if p]
    if critical:
        lines.append(f"  class {','.join(critical)} critical")
    if pulled:
        lines.append(f"  class {','.join(pulled)} pulledIn")
    if critical_links:
        lines.append(f"  linkStyle {','.join(critical_links)} stroke:#c0392b,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_id(ident: str) -> str:
    return ident.replace("-", "_")


def _mermaid_text(text: str) -> str:
    """Escape a caption for a quoted Mermaid label (``<br/>`` is kept)."""
    for char, entity in (("&", "#amp;"), ('"', "#quot;"), ("<br/>", "\0"), ("<", "#lt;"), (">", "#gt;"),
                         ("\0", "<br/>")):
        text = text.replace(char, entity)
    return text


# -------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("step", "id", "name", "owner", "phase", "start", "weeks", "cost", "depends_on", "depends_on_steps",
               "finish", "critical", "pulled_in", "participants")


def to_csv(d: Diagnosis, lang: str = "en") -> str:
    """The plan as a task list: one CSV row per measure, in plan order.

    Columns (headers in ``lang``): step, id, name, owner (the accountable
    role), phase, start week (1-based), weeks, cost, depends on (ids of the
    measures that must finish first, joined with ``"; "``), the same as step
    numbers (what project tools call predecessors), finish week, critical
    path, prerequisite only, who takes part. The text has no byte-order mark;
    :func:`export` adds one for files.

    Examples
    --------
    >>> from expert import diagnose
    >>> to_csv(diagnose({"marketing_department": "separate"})).splitlines()[0].split(",")[:9]
    ['Step', 'ID', 'Measure', 'Owner', 'Phase', 'Start week', 'Weeks', 'Cost', 'Depends on']
    """
    graph = plan_graph(d, lang)
    t = Messages(d.kb, lang)
    yes_no = {True: t("export.yes"), False: t("export.no")}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(f"export.csv.{column}") for column in CSV_COLUMNS])
    for ident, node in graph.nodes(data=True):
        steps = LIST_SEPARATOR.join(str(graph.nodes[p]["step"]) for p in node["depends_on"])
        writer.writerow([node["step"], ident, node["name"], node["owner_name"], node["phase_name"],
                         node["start"] + 1, node["weeks"], node["cost_name"], LIST_SEPARATOR.join(node["depends_on"]),
                         steps, node["finish"], yes_no[node["critical"]], yes_no[node["pulled_in"]],
                         node["participants"]])
    return buffer.getvalue()


# --------------------------------------------------------------- drawing, dispatch

def to_dot(d: Diagnosis, lang: str = "en") -> str:
    """The drawing of the plan as Graphviz DOT source (see :mod:`expert.plan.drawing`).

    Measures are boxes labelled with step, name, who takes part and weeks,
    grouped in one cluster per phase; the critical path is red, measures
    pulled in as prerequisites have a dashed border, and the title holds a
    legend. Needs no Graphviz program.

    Examples
    --------
    >>> from expert import diagnose
    >>> to_dot(diagnose({"marketing_department": "separate"})).startswith("digraph plan {")
    True
    """
    return dot_source(plan_graph(d, lang), d.plan.phases(), Messages(d.kb, lang))


def render(d: Diagnosis, fmt: str, lang: str = "en") -> bytes:
    """Draw the plan with Graphviz: ``fmt`` is ``svg``, ``png`` or ``pdf``.

    Raises
    ------
    GraphvizMissingError
        If the system ``dot`` program is not installed.
    ValueError
        If ``fmt`` is not a drawn format.
    """
    if fmt not in DRAWN_FORMATS:
        raise ValueError(f"cannot draw format '{fmt}'; expected one of {', '.join(DRAWN_FORMATS)}")
    import graphviz

    try:
        return graphviz.Source(to_dot(d, lang)).pipe(format=fmt, engine="dot", quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissingError(fmt) from None


def export_text(d: Diagnosis, fmt: str, lang: str = "en") -> str:
    """The plan in a text format (anything but ``png`` and ``pdf``), for printing.

    Raises
    ------
    GraphvizMissingError
        For ``svg`` without the system ``dot`` program.
    """
    if fmt == "svg":
        return render(d, fmt, lang).decode("utf-8")
    makers = {"dot": to_dot, "json": to_node_link_json, "graphml": to_graphml, "mermaid": to_mermaid,
              "csv": to_csv}
    if fmt not in makers:
        raise ValueError(f"'{fmt}' is not a text format; expected one of {', '.join(TEXT_FORMATS)}")
    return makers[fmt](d, lang)


def export(d: Diagnosis, fmt: str, lang: str = "en") -> bytes:
    """The plan as the bytes of a file in format ``fmt`` (one of :data:`FORMATS`).

    Text formats are UTF-8; CSV carries a byte-order mark for spreadsheets.

    Raises
    ------
    GraphvizMissingError
        For ``svg``, ``png`` and ``pdf`` without the system ``dot`` program.
    """
    if fmt in DRAWN_FORMATS:
        return render(d, fmt, lang)
    return export_text(d, fmt, lang).encode(CSV_ENCODING if fmt == "csv" else "utf-8")
