"""The diagnosis as terminal text: headings and tables that stay readable at 80 columns.

:func:`renderables` builds rich objects that the command line prints (in
colour on a terminal); :func:`render_text` renders the same objects to plain,
deterministic text for files and pipes.
"""

from __future__ import annotations

import io
from typing import Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from .diagnosis import Diagnosis
from .i18n import Messages
from .report_model import level_doubt, migration_note, shown_by, treatment_text


def _pct(value: float) -> str:
    return f"{value:.2f}"


def renderables(d: Diagnosis, lang: str = "en") -> list[RenderableType]:
    """The report as a list of rich renderables, in reading order."""
    t = Messages(d.kb, lang)
    kb = d.kb
    out: list[RenderableType] = []
    org = d.sheet.organization or t("report.unnamed")
    out.append(Text(f"{t('report.title')} — {org}", style="bold"))
    out.append(Text(""))

    out.append(Text(t("report.level"), style="bold underline"))
    if d.level:
        lv = d.level
        level_name = t("level.value", value=lv.value, name=kb.levels[lv.id].name[lang])
        out.append(Text(t("report.level_line", level=level_name, certainty=_pct(lv.certainty))))
        doubt = level_doubt(d, t)
        if doubt:
            out.append(Text(t("doc.no_level", pct=doubt["pct"], topics="; ".join(doubt["topics"])), style="bold"))
        if lv.unknown_share > 0:
            out.append(Text(t("report.unknown_note", share=f"{lv.unknown_share:.0%}", evidence=_pct(lv.evidence_cf)),
                            style="dim"))
        for items, title in ((lv.evidence_for, "report.evidence_for"),
                             (lv.evidence_against, "report.evidence_against")):
            out.append(Text(t(title), style="italic"))  # a table title would wrap in a narrow table
            out.append(_evidence_table(d, t, items))
        support = "  ".join(f"{kb.levels[i].value}:{v:+.2f}" for i, v in lv.support.items())
        out.append(Text(f"{t('report.support')}: {support}", style="dim"))
    else:
        out.append(Text(t("report.no_level")))
    out.append(Text(""))

    if d.target and d.level:
        tg = d.target
        target_name = t("level.value", value=tg.value, name=kb.levels[tg.id].name[lang])
        out.append(Text(t("report.target"), style="bold underline"))
        if tg.stay or not tg.transition:
            out.append(Text(t("report.target_stay", level=kb.levels[tg.id].name[lang], certainty=_pct(tg.certainty))))
        else:
            out.append(Text(t("report.target_move", level=target_name, transition=t(f"phase.{tg.transition}"),
                              certainty=_pct(tg.certainty))))
        out.append(Text(""))

    out.append(Text(t("report.causes"), style="bold underline"))
    named = {c.id for c in d.inference.causes if c.named}
    if named:
        table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False)
        table.add_column(t("report.cause"), ratio=3, overflow="fold")
        table.add_column(t("report.certainty"), justify="right", no_wrap=True)
        table.add_column(t("report.shown_by"), ratio=2, overflow="fold")
        for ident, cf in d.causes:
            if ident in named:
                shown = "; ".join(shown_by(d, ident, t)[:3])
                name = Text(kb.causes[ident].name[lang])
                treatment = treatment_text(d, ident, t)
                if treatment:
                    name.append("\n" + treatment, style="dim")
                table.add_row(name, _pct(cf), shown)
        out.append(table)
    else:
        out.append(Text(t("report.none")))
    others = [f"{kb.causes[i].name[lang]} ({_pct(cf)})" for i, cf in d.causes if i not in named]
    if others:
        out.append(Text(f"{t('doc.also_possible')}: " + "; ".join(others), style="dim"))
    out.append(Text(""))

    out.append(Text(t("report.plan"), style="bold underline"))
    if d.selection and d.selection.provisional and d.plan.order:
        out.append(Text(t("doc.provisional"), style="bold"))
    if d.plan.order:
        for phase, ids in d.plan.phases():
            out.append(Text(d.plan.phase_name(phase, lang), style="bold"))
            table = Table(box=box.SIMPLE_HEAD, show_edge=False)
            table.add_column("#", justify="right", no_wrap=True)
            table.add_column(t("report.measure"), ratio=4, overflow="fold")
            table.add_column(t("report.owner"), ratio=2, overflow="fold")
            table.add_column(t("report.cost"), no_wrap=True)
            table.add_column(t("report.when"), justify="right", no_wrap=True)
            for ident in ids:
                item = d.plan.items[ident]
                label = kb.measures[ident].name[lang]
                notes = []
                if item.pulled_in:
                    notes.append(t("report.pulled_in"))
                if item.critical:
                    notes.append("*")
                if notes:
                    label += f" ({', '.join(notes)})"
                owner = kb.owners[item.owner].name[lang]
                table.add_row(str(d.plan.order.index(ident) + 1), label, owner, t(f"cost.{item.cost}"),
                              item.span)
            out.append(table)
        path = " → ".join(str(d.plan.order.index(m) + 1) for m in d.plan.critical_path)
        out.append(Text(t("report.total", weeks=d.plan.total_weeks, path=path)))
        out.append(Text("* " + t("report.critical"), style="dim"))
    else:
        out.append(Text(t("report.no_plan")))
    if d.deferred:
        out.append(Text(f"{t('report.deferred')}: " + "; ".join(kb.measures[m].name[lang] for m, _ in d.deferred)))
    if d.in_place:
        out.append(Text(f"{t('report.in_place')}: " + "; ".join(kb.measures[m].name[lang] for m in d.in_place),
                        style="dim"))
    out.append(Text(""))

    if d.contradictions:
        out.append(Text(t("report.contradictions"), style="bold underline"))
        for ident, confirmed in d.contradictions:
            note = f" ({t('report.contradiction_confirmed')})" if confirmed else ""
            out.append(Text(f"• {kb.contradictions[ident].text[lang]}{note}"))
        out.append(Text(""))

    q = d.questions_summary()
    out.append(Text(t("report.questions", **{k: q[k] for k in ("asked", "unknown", "relevant", "total")}), style="dim"))
    if q["ignored"]:
        out.append(Text(t("report.ignored", ids=", ".join(q["ignored"])), style="dim"))
    if q["migrated_from"]:
        out.append(Text(migration_note(q, t), style="dim"))
    out.append(Text(t("report.explain_hint"), style="dim"))
    return out


def _evidence_table(d: Diagnosis, t: Messages, items: Iterable) -> RenderableType:
    items = list(items)
    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for ev in items[:8]:
        table.add_row(f"{ev.cf:+.2f}", d.system.rules.rules[ev.firing.rule].summary[t.lang])
    if not items:
        table.add_row("", t("report.none"))
    return table


def render_text(d: Diagnosis, lang: str = "en", width: int = 80) -> str:
    """The report as plain text, identical for identical answers."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, emoji=False,
                      highlight=False, legacy_windows=False)
    console.print(Group(*renderables(d, lang)))
    return buffer.getvalue()
