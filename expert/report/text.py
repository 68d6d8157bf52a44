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

from ..diagnosis import Diagnosis
from ..i18n import Messages
from ..report.model import disputed_line, level_doubt, migration_note, shown_by, support_words, treatment_text
from ..report.summary import summary
from ..report.words import certainty_words, weight_words


def renderables(d: Diagnosis, lang: str = "en") -> list[RenderableType]:
    """The report as a list of rich renderables, in reading order: the summary, the plan, the details."""
    t = Messages(d.kb, lang)
    kb = d.kb
    out: list[RenderableType] = []
    org = d.sheet.organization or t("report.unnamed")
    out.append(Text(f"{t('report.title')} — {org}", style="bold"))
    out.append(Text(""))
    out += _summary(d, t)
    from ..report.respondents import respondents_renderables

    out += respondents_renderables(d, t)  # several respondents: who answered, where they differ (issue 10)
    out += _plan(d, t)

    out.append(Text(t("doc.details_text"), style="bold underline"))
    out.append(Text(""))
    out.append(Text(t("doc.level_section"), style="bold"))
    if d.level:
        lv = d.level
        level_name = t("level.value", value=lv.value, name=kb.levels[lv.id].name[lang])
        out.append(Text(t("report.level_line", level=level_name, certainty=certainty_words(lv.certainty, t))))
        if lv.unknown_share > 0:
            out.append(Text(t("doc.unknown_note", share=int(lv.unknown_share * 100 + 0.5),
                              evidence=certainty_words(lv.evidence_cf, t)), style="dim"))
        for items, title in ((lv.evidence_for, "report.evidence_for"),
                             (lv.evidence_against, "report.evidence_against")):
            out.append(Text(t(title), style="italic"))  # a table title would wrap in a narrow table
            out.append(_evidence_table(d, t, items))
        out.append(Text(t("report.support"), style="italic"))
        for ident, value in lv.support.items():
            level = kb.levels[ident]
            out.append(Text(f"  {t('level.value', value=level.value, name=level.name[lang])} {support_words(value, t)}"))
    else:
        out.append(Text(t("report.no_level")))
    out.append(Text(""))

    from ..report.respondents import quick_renderables

    out += quick_renderables(d, t)  # the quick self-assessment beside the level (issue 10)
    out.append(Text(t("report.causes"), style="bold"))
    named = {c.id for c in d.inference.causes if c.named}
    if named:
        table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False)
        table.add_column(t("report.cause"), ratio=3, overflow="fold")
        table.add_column(t("report.shown_by"), ratio=2, overflow="fold")
        for ident, cf in d.causes:
            if ident in named:
                shown = "; ".join(shown_by(d, ident, t)[:3])
                name = Text(kb.causes[ident].name[lang])
                name.append("\n" + certainty_words(cf, t), style="italic")
                treatment = treatment_text(d, ident, t)
                if treatment:
                    name.append("\n" + treatment, style="dim")
                table.add_row(name, shown)
        out.append(table)
    else:
        out.append(Text(t("report.none")))
    others = [f"{kb.causes[i].name[lang]} ({certainty_words(cf, t)})" for i, cf in d.causes if i not in named]
    if others:
        out.append(Text(f"{t('doc.also_possible')}: " + "; ".join(others), style="dim"))
    disputed = d.disputed()
    if disputed:
        out.append(Text(t("report.disputed"), style="bold"))
        for ident, said in disputed:
            out.append(Text("• " + disputed_line(d, t, ident, said)))
    out.append(Text(""))

    if d.contradictions:
        out.append(Text(t("report.contradictions"), style="bold"))
        for ident, confirmed in d.contradictions:
            note = f" ({t('report.contradiction_confirmed')})" if confirmed else ""
            out.append(Text(f"• {kb.contradictions[ident].text[lang]}{note}"))
        out.append(Text(""))

    q = d.questions_summary()
    out.append(Text(t("report.questions", **{k: q[k] for k in ("asked", "unknown", "relevant", "total")}), style="dim"))
    if q["ignored"]:
        out.append(Text(t("doc.ignored", questions="; ".join(kb.questions[i].text[lang] for i in q["ignored"]
                                                              if i in kb.questions)), style="dim"))
    if q["not_needed"]:
        out.append(Text(t("report.not_needed_line", count=len(q["not_needed"])), style="dim"))
        for qid in q["not_needed"]:
            out.append(Text(f"  • {kb.questions[qid].text[lang]}", style="dim"))
    if q["migrated_from"]:
        out.append(Text(migration_note(q, t), style="dim"))
    out.append(Text(t("report.explain_hint", file=d.sheet.source or t("report.file")), style="dim"))
    return out


def _summary(d: Diagnosis, t: Messages) -> list[RenderableType]:
    """The first screen: level, aim, plan length, causes, first steps, what would change the verdict."""
    s = summary(d, t)
    out: list[RenderableType] = [Text(t("doc.summary"), style="bold underline")]
    if s["level"]:
        level = t("level.value", value=s["level"]["value"], name=s["level"]["name"])
        out.append(Text(f"{t('doc.now_line')}: {level} ({s['level']['words']})"))
    else:
        out.append(Text(t("report.no_level")))
    if s["target"]:
        target = t("level.value", value=s["target"]["value"], name=s["target"]["name"])
        move = t("doc.stay_short") if s["target"]["stay"] else t("doc.move_short")
        out.append(Text(f"{t('doc.aim_line')}: {target} — {move} ({s['target']['words']})"))
    out.append(Text(f"{t('report.plan')}: {t('doc.measures_count', count=s['count'])}, "
                    f"{t('doc.weeks', weeks=s['weeks'])}"))
    doubt = level_doubt(d, t)
    if doubt:
        out.append(Text(t("doc.no_level", topics="; ".join(doubt["topics"])), style="bold"))
    out.append(Text(""))
    out.append(Text(t("doc.top_causes"), style="bold"))
    rows = []
    for n, c in enumerate(s["causes"], 1):
        steps = f"; {c['steps_text']}" if c["steps_text"] else ""
        rows.append((f"{n}.", f"{c['name']} — {c['words']}{steps}"))
    if rows:
        out.append(_items(rows))
    if not s["causes"]:
        out.append(Text(t("report.none")))
    if s["checking"]:
        out.append(Text(t("doc.worth_checking", causes="; ".join(s["checking"])), style="dim"))
    out.append(Text(""))
    if s["first_steps"]:
        out.append(Text(t("doc.first_steps"), style="bold"))
        out.append(_items((f"{f['step']}.", f"{f['name']} — {f['owner']}, {f['when']}") for f in s["first_steps"]))
        out.append(Text(""))
    if s["changes"]:
        out.append(Text(t("doc.would_change", value=s["above"]["value"], name=s["above"]["name"]), style="bold"))
        out.append(_items(("•", c) for c in s["changes"]))
        out.append(Text(""))
    return out


def _items(marks_and_texts) -> RenderableType:
    """A list whose wrapped lines hang under the text, not under the number."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for mark, text in marks_and_texts:
        grid.add_row(mark, text)
    return grid


def _plan(d: Diagnosis, t: Messages) -> list[RenderableType]:
    kb, lang = d.kb, t.lang
    out: list[RenderableType] = [Text(t("report.plan"), style="bold underline")]
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
                label = d.measure_name(ident, lang)
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
        out.append(Text(f"{t('report.deferred')}: " + "; ".join(d.measure_name(m, lang) for m, _ in d.deferred)))
    if d.in_place:
        out.append(Text(f"{t('report.in_place')}: " + "; ".join(d.measure_name(m, lang) for m in d.in_place),
                        style="dim"))
    out.append(Text(""))
    return out


def _evidence_table(d: Diagnosis, t: Messages, items: Iterable) -> RenderableType:
    items = list(items)
    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for ev in items[:8]:
        table.add_row(weight_words(ev.cf, t), d.system.rules.rules[ev.firing.rule].summary[t.lang])
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
