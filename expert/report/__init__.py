"""A diagnosis in any of the report formats of ``accord diagnose``, for every shell alike."""

from __future__ import annotations

import json

REPORT_FORMATS = ("text", "md", "html", "pdf", "json")


def render_report(d, fmt: str, lang: str) -> str | bytes:
    """A diagnosis as ``text``, ``md``, ``html``, ``json`` (str) or ``pdf`` (bytes; needs the ``pdf`` extra)."""
    if fmt == "pdf":
        from ..report.pdf import render_pdf

        return render_pdf(d, lang)
    if fmt == "json":
        return json.dumps(d.to_dict(lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if fmt == "md":
        from ..report.markdown import render_markdown

        return render_markdown(d, lang)
    if fmt == "html":
        from ..report.html import render_html

        return render_html(d, lang)
    from ..report.text import render_text

    return render_text(d, lang)
