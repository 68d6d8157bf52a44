"""The quick self-assessment on its own (``accord diagnose --quick``): a first reading, in every format.

:func:`read_quick` turns one or several respondents' ratings into a
:class:`QuickSummary`: the organisation's total and band, each side's when
there are several, and the statements on which the sides are two or more
points apart. It is clearly a first reading: no rule runs, there are no
causes and no plan, and the report says how to get them. Renderers:
:func:`render_quick` (text, md, html, json).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Sequence

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..answers import AnswerSheet
from ..i18n import Messages
from ..quick import MIN_RATED, QuickReading, quick_reading
from ..report.respondents import topics, total_line
from ..respondents import (QUICK_SPLIT, Difference, Side, check_organisation, combine, side_name, topic_text,
                          value_label)

SCHEMA_VERSION = "1.0"  # of the JSON of a quick reading


@dataclass
class QuickSummary:
    """A quick reading of one organisation: overall, by side, and where the sides differ."""

    system: Any
    sheets: tuple[AnswerSheet, ...]
    reading: QuickReading | None  # None when nobody rated a statement
    sides: tuple[Side, ...] = ()
    differences: tuple[Difference, ...] = ()
    gap: int | None = None  # points between the sides' highest and lowest totals

    @property
    def split(self) -> bool:
        """Whether the sides' totals are a band or more apart (their average is then not read as a level)."""
        return self.gap is not None and self.gap >= QUICK_SPLIT

    @property
    def kb(self):
        return self.system.kb

    @property
    def organization(self) -> str:
        return next((s.organization for s in self.sheets if s.organization.strip()), "")

    @property
    def date(self) -> str | None:
        dates = sorted(s.date for s in self.sheets if s.date)
        return dates[-1] if dates else None

    def to_dict(self, lang: str = "en") -> dict:
        t = Messages(self.kb, lang)
        return {
            "schema_version": SCHEMA_VERSION, "kind": "quick", "language": lang,
            "organization": self.organization, "date": self.date, "first_reading": True,
            "respondents": len(self.sheets),
            "quick": self.reading.to_dict(self.kb, lang) if self.reading else None,
            "split": self.split,
            "sides": [{"id": s.id, "role": s.role, "name": side_name(t, s), "respondents": len(s.sheets),
                       "quick": s.quick.to_dict(self.kb, lang) if s.quick else None} for s in self.sides],
            "differences": [{"statement": d.topic, "text": topic_text(self.kb, d, lang),
                             "ratings": {side: round(float(v), 1) for side, v in d.values}}
                            for d in self.differences],
        }


def read_quick(sheets: Sequence[AnswerSheet], system) -> QuickSummary:
    """The quick reading of one organisation's respondents (several need a role each, as for a diagnosis).

    Raises
    ------
    InputError
        When the sheets are of different organisations, or one of several has no role.
    """
    sheets = tuple(sheets)
    if len(sheets) == 1:
        check_organisation(sheets)
        return QuickSummary(system, sheets, quick_reading(system.kb, sheets[0].quick))
    resp = combine(sheets, system)
    differences = tuple(d for d in resp.differences if d.statement)
    return QuickSummary(system, sheets, resp.quick, resp.sides, differences, resp.quick_gap)


def quick_context(summary: QuickSummary, lang: str) -> dict[str, Any]:
    """What every format of the quick reading shows, in one language."""
    kb, t = summary.kb, Messages(summary.kb, lang)
    reading = summary.reading
    names = {s.id: side_name(t, s) for s in summary.sides}
    return {
        "lang": lang,
        "organization": summary.organization or t("report.unnamed"),
        "date": summary.date,
        "first_reading": t("quick.first_reading"),
        "total": t("quick.average_line", total=reading.total) if reading and summary.split else
        total_line(t, kb, reading) if reading else t("quick.no_total", rated=0, count=len(kb.statements),
                                                                minimum=MIN_RATED),
        "rated": t("quick.rated_line", rated=reading.rated, count=reading.count)
        if reading and reading.total is not None and reading.rated < reading.count else None,
        "split": t("quick.split", gap=summary.gap) if summary.split else None,
        "sides": [{"name": names[s.id], "total": total_line(t, kb, s.quick) if s.quick else "—"}
                  for s in summary.sides],
        "strongest": topics(kb, reading.strongest(), lang) if reading else [],
        "weakest": topics(kb, reading.weakest(), lang) if reading else [],
        "differences": [{"topic": topic_text(kb, d, lang),
                         "answers": [{"side": names[side], "label": value_label(t, kb, d, v)} for side, v in d.values]}
                        for d in summary.differences],
    }


def render_quick(summary: QuickSummary, fmt: str, lang: str = "en", next_step: str | None = None) -> str:
    """The quick reading as ``text``, ``md``, ``html`` or ``json``; the same input gives the same bytes.

    ``next_step`` is the line telling how to go on to the full consultation
    (the command line knows the session file); a generic one by default.
    """
    if fmt == "json":
        return json.dumps(summary.to_dict(lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    t = Messages(summary.kb, lang)
    ctx = quick_context(summary, lang)
    ctx["next"] = next_step or t("quick.next_file")
    if fmt in ("md", "html"):
        from ..templates import environment

        return environment(fmt).get_template(f"quick.{fmt}").render(t=t, **ctx)
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None, force_terminal=False, emoji=False,
                      highlight=False, legacy_windows=False)
    console.print(Group(*renderables(ctx, t)))
    return buffer.getvalue()


def renderables(ctx: dict, t: Messages) -> list:
    """The text reading as rich objects (coloured on a terminal)."""
    title = f"{t('quick.title')} — {ctx['organization']}" + (f" · {ctx['date']}" if ctx["date"] else "")
    out: list = [Text(title, style="bold"), Text(ctx["first_reading"], style="italic"), Text(""),
                 Text(ctx["total"], style="bold")]
    if ctx["rated"]:
        out.append(Text(ctx["rated"], style="dim"))
    if ctx["split"]:
        out.append(Text(ctx["split"]))
    if ctx["sides"]:
        out.append(Text(""))
        out.append(Text(t("quick.sides"), style="bold underline"))
        table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for side in ctx["sides"]:
            table.add_row(side["name"], side["total"])
        out.append(table)
    for key in ("strongest", "weakest"):
        if ctx[key]:
            out.append(Text(f"{t('quick.' + key)}: " + "; ".join(ctx[key])))
    if ctx["differences"]:
        out.append(Text(""))
        out.append(Text(t("respondents.differences"), style="bold underline"))
        for diff in ctx["differences"]:
            out.append(Text(f"• {diff['topic']}"))
            out.append(Text("    " + "; ".join(f"{a['side']}: {a['label']}" for a in diff["answers"]), style="dim"))
    out.append(Text(""))
    out.append(Text(ctx["next"], style="dim"))
    return out
