"""The diagnosis as one self-contained HTML page, for a browser and for print.

The page is rendered from ``templates/report.html`` with autoescaping on, so
every text (the organisation's name above all) is escaped. It carries its own
CSS (screen and print), no scripts, fonts or images from elsewhere; the plan
graph is inline SVG drawn by Graphviz (:func:`expert.plan.graph.render`).
Without the ``dot`` program the page says so where the graph would be.
"""

from __future__ import annotations

import re

from ..diagnosis import Diagnosis
from ..errors import GraphvizMissingError
from ..i18n import Messages
from ..report.model import report_context
from ..templates import environment

_SVG_SIZE = re.compile(r'\s(width|height)="[^"]*"')
# Graphviz gives every node and edge a <title> naming it by its id, and a comment: a reader sees neither
# in the drawing, but a browser shows titles as tooltips and copies them with the text.
_SVG_NOISE = re.compile(r"<title>[^<]*</title>|<!--.*?-->", re.S)


def render_html(d: Diagnosis, lang: str = "en") -> str:
    """The report as an HTML document in ``lang`` (``en`` or ``ru``).

    Parameters
    ----------
    d : Diagnosis
    lang : str

    Examples
    --------
    >>> from expert import diagnose
    >>> page = render_html(diagnose({"marketing_department": "separate", "joint_meetings": "never"}))
    >>> page.startswith("<!DOCTYPE html>") and "<script" not in page
    True
    """
    t = Messages(d.kb, lang)
    ctx = report_context(d, lang)
    ctx["graph_svg"], ctx["graph_note"] = None, None
    if d.plan.order:
        try:
            ctx["graph_svg"] = inline_svg(_draw(d, lang))
        except GraphvizMissingError:
            ctx["graph_note"] = t("doc.graph_missing")
    ctx["source_titles"] = {s["id"]: s["title"] for group in ctx["sources"] for s in group["entries"]}
    ctx["source_numbers"] = {s["id"]: n for n, s in enumerate((s for g in ctx["sources"] for s in g["entries"]), 1)}
    return environment("html").get_template("report.html").render(t=t, **ctx)


def _draw(d: Diagnosis, lang: str) -> str:
    from ..plan.graph import render

    return render(d, "svg", lang).decode("utf-8")


def inline_svg(svg: str) -> str:
    """An SVG document as an element to put inside HTML: no XML prolog, scales with the page.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?><!DOCTYPE svg><svg width="10pt" height="5pt" viewBox="0 0 10 5"></svg>')
    '<svg viewBox="0 0 10 5" preserveAspectRatio="xMidYMin meet"></svg>'
    """
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document")
    svg = svg[start:]
    end = svg.find(">")
    head = _SVG_SIZE.sub("", svg[:end]) + ' preserveAspectRatio="xMidYMin meet"'
    return head + _SVG_NOISE.sub("", svg[end:]).rstrip()
