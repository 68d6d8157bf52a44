"""The diagnosis as Markdown: headings, tables and a Mermaid diagram of the plan, for GitHub and wikis.

Rendered from ``templates/report.md``. Markdown has no autoescaping, so the
template passes every text through :func:`markdown_text` (running text) or
:func:`markdown_cell` (a table cell): the organisation's name or a knowledge
text can neither inject HTML nor break a table.
"""

from __future__ import annotations

import re

from ..diagnosis import Diagnosis
from ..i18n import Messages
from ..report.model import report_context
from ..templates import environment

_HEADING = re.compile(r"([^\n])\n(#{1,6} )")
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")


def markdown_text(text) -> str:
    r"""Escape text for Markdown: no markup, no HTML, no line breaks.

    Examples
    --------
    >>> markdown_text("<script>alert(1)</script> *Acme* | #1")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\*Acme\\* \\| \\#1'
    """
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "<>" else m.group(1), text)


def markdown_cell(text) -> str:
    """Escape text for a cell of a Markdown table (the same as :func:`markdown_text`)."""
    return markdown_text(text)


def render_markdown(d: Diagnosis, lang: str = "en") -> str:
    """The report as Markdown in ``lang``, with the plan as a Mermaid flowchart.

    Examples
    --------
    >>> from expert import diagnose
    >>> text = render_markdown(diagnose({"marketing_department": "separate", "joint_meetings": "never"}))
    >>> "```mermaid" in text and text.startswith("# ")
    True
    """
    from ..plan.graph import to_mermaid

    ctx = report_context(d, lang)
    ctx["mermaid"] = to_mermaid(d, lang).rstrip("\n") if d.plan.order else None
    ctx["source_titles"] = {s["id"]: s["title"] for group in ctx["sources"] for s in group["entries"]}
    text = environment("md").get_template("report.md").render(t=Messages(d.kb, lang), **ctx)
    text = _HEADING.sub(r"\1\n\n\2", text)  # a heading always follows a blank line
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
