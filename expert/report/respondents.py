"""The report sections of several respondents and of the quick self-assessment, in every format.

:func:`respondents_context` and :func:`quick_context` give plain data in one
language for the Markdown and HTML templates (``respondents.*`` after the
summary, ``quick.*`` beside the level, included by the report templates);
:func:`respondents_renderables` and :func:`quick_renderables` give the same
sections as rich objects for the text report. The JSON output carries the data itself
(``Diagnosis.to_dict``: ``respondents`` and ``quick``).

A quick total read beside a full diagnosis says whether the diagnosis
agrees with its band, and where it does not, why: the evidence the answers
give against the band's level, or for the level found.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..diagnosis import Diagnosis
from ..i18n import Messages
from ..quick import QuickReading
from ..report.words import certainty_words
from ..respondents import SHOWN, Respondents, side_name, topic_text, value_label

GAP_SHOWN = 0.5  # the perception-gap finding is stated from this certainty on
REASONS = 3  # lines of evidence given for a disagreement between the quick band and the diagnosis
UNDECIDED_SHOWN = 4  # undecided questions named; the rest are counted
QUICK_RULES_PREFIX = "quick-total-"


def _level_name(t: Messages, kb, level_id: str) -> str:
    return t("level.value", value=kb.levels[level_id].value, name=kb.levels[level_id].name[t.lang])


def _band_range(kb, level_id: str) -> tuple[int, int]:
    band = kb.quick_bands[level_id]
    return band.minimum, band.maximum


def total_line(t: Messages, kb, reading: QuickReading) -> str:
    """"Total 63 of 100: reads as 3 Aligned (60–79)", or why there is no total."""
    if reading.total is None:
        from ..quick import MIN_RATED

        return t("quick.no_total", rated=reading.rated, count=reading.count, minimum=MIN_RATED)
    low, high = _band_range(kb, reading.band)
    return t("quick.total_line", total=reading.total, level=_level_name(t, kb, reading.band), low=low, high=high)


def topics(kb, ids: list[str], lang: str) -> list[str]:
    return [kb.statements[s].topic[lang] for s in ids]


# ------------------------------------------------------------ respondents

def respondents_context(d: Diagnosis, t: Messages) -> dict[str, Any] | None:
    """The section on several respondents, or None for one respondent."""
    resp: Respondents | None = d.respondents
    if resp is None:
        return None
    kb, lang = d.kb, t.lang
    sides = []
    for side in resp.sides:
        verdict = resp.verdicts.get(side.id)
        if verdict and verdict.level:
            level = f"{_level_name(t, kb, verdict.level)} ({certainty_words(verdict.certainty, t)})"
        else:
            level = t("respondents.no_level")
        quick = "—"
        if side.quick and side.quick.total is not None:
            quick = f"{side.quick.total} ({kb.levels[side.quick.band].name[lang]})"
        sides.append({"name": side_name(t, side), "respondents": len(side.sheets), "level": level, "quick": quick})
    differences = [{"topic": topic_text(kb, diff, lang),
                    "answers": [{"side": side_name(t, next(s for s in resp.sides if s.id == sid)),
                                 "label": value_label(t, kb, diff, value)} for sid, value in diff.values]}
                   for diff in resp.differences[:SHOWN]]
    facts = []
    if resp.differ_share is not None:
        facts.append(t("respondents.differ_share", share=resp.differ_share, compared=resp.compared))
    if resp.level_spread:
        facts.append(t("respondents.levels_apart", spread=resp.level_spread))
    if resp.quick_gap:
        facts.append(t("respondents.quick_apart", gap=resp.quick_gap))
    gap = d.inference.cf("symptom", "SYM-PERCEPTION-GAP")
    undecided = None
    if resp.undecided:
        named = [kb.questions[q].text[lang] for q in resp.undecided[:UNDECIDED_SHOWN]]
        if len(resp.undecided) > UNDECIDED_SHOWN:
            named.append(t("doc.more", count=len(resp.undecided) - UNDECIDED_SHOWN))
        undecided = t("respondents.undecided", count=len(resp.undecided), topics="; ".join(named))
    return {
        "intro": t("respondents.intro", count=len(resp.sheets)),
        "sides": sides,
        "facts": facts,
        "gap": t("respondents.gap_found", certainty=certainty_words(gap, t)) if gap >= GAP_SHOWN else None,
        "differences": differences,
        "no_differences": t("respondents.no_differences") if not resp.differences else None,
        "more": t("respondents.more_differences", count=len(resp.differences) - SHOWN)
        if len(resp.differences) > SHOWN else None,
        "undecided": undecided,
    }


# ------------------------------------------------------------------ quick

def _reasons(d: Diagnosis, t: Messages, level_id: str, sign: int) -> list[str]:
    """Rule summaries of the strongest evidence for (sign 1) or against (sign -1) a level, the quick total's aside."""
    finding = d.inference.findings.get(("support", level_id))
    found: list[str] = []
    for cf, index in sorted(finding.support if finding else (), key=lambda s: (-abs(s[0]), s[1])):
        rule = d.system.rules.rules[d.trace[index].rule]
        if cf * sign <= 0 or rule.id.startswith(QUICK_RULES_PREFIX):
            continue
        summary = rule.summary[t.lang]
        if summary not in found:
            found.append(summary)
        if len(found) == REASONS:
            break
    return found


def quick_context(d: Diagnosis, t: Messages) -> dict[str, Any] | None:
    """The quick self-assessment beside a full diagnosis, or None without one."""
    reading = d.quick
    if reading is None:
        return None
    kb = d.kb
    verdict, reasons = None, None
    if d.respondents is not None and d.respondents.quick_split:
        verdict = t("quick.split", gap=d.respondents.quick_gap)
    elif reading.band and d.level and not d.level.established:
        verdict = t("quick.no_verdict")
    elif reading.band and d.level:
        band, level = reading.band, d.level.id
        if band == level:
            verdict = t("quick.agrees", level=_level_name(t, kb, level))
        else:
            verdict = t("quick.disagrees", level=_level_name(t, kb, level), band=_level_name(t, kb, band))
            against = _reasons(d, t, band, -1)
            support = _reasons(d, t, level, 1)
            reasons = []
            if against:
                reasons.append(t("quick.disagrees_against", band=_level_name(t, kb, band), reasons="; ".join(against)))
            if support:
                reasons.append(t("quick.disagrees_for", level=_level_name(t, kb, level), reasons="; ".join(support)))
    split = d.respondents is not None and d.respondents.quick_split
    return {
        "total": t("quick.average_line", total=reading.total) if split else total_line(t, kb, reading),
        "rated": t("quick.rated_line", rated=reading.rated, count=reading.count)
        if reading.total is not None and reading.rated < reading.count else None,
        "note": t("quick.in_diagnosis"),
        "verdict": verdict,
        "reasons": reasons or [],
        "strongest": topics(kb, reading.strongest(), t.lang),
        "weakest": topics(kb, reading.weakest(), t.lang),
    }


# ------------------------------------------------------------------- text

def respondents_renderables(d: Diagnosis, t: Messages) -> list[RenderableType]:
    """The section on several respondents for the text report (nothing for one respondent)."""
    out: list[RenderableType] = []
    resp = respondents_context(d, t)
    if not resp:
        return out
    out.append(Text(t("respondents.title"), style="bold underline"))
    out.append(Text(resp["intro"], style="dim"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(t("respondents.side"), overflow="fold")
    table.add_column(t("respondents.respondents"), justify="right", no_wrap=True)
    table.add_column(t("respondents.own_level"), overflow="fold")
    table.add_column(t("respondents.quick_total"), overflow="fold")
    for side in resp["sides"]:
        table.add_row(side["name"], str(side["respondents"]), side["level"], side["quick"])
    out.append(table)
    for fact in resp["facts"]:
        out.append(Text(fact))
    if resp["gap"]:
        out.append(Text(resp["gap"], style="bold"))
    out.append(Text(t("respondents.differences"), style="italic"))
    for diff in resp["differences"]:
        out.append(Text(f"• {diff['topic']}"))
        out.append(Text("    " + "; ".join(f"{a['side']}: {a['label']}" for a in diff["answers"]), style="dim"))
    if resp["no_differences"]:
        out.append(Text(resp["no_differences"]))
    if resp["more"]:
        out.append(Text(resp["more"], style="dim"))
    if resp["undecided"]:
        out.append(Text(resp["undecided"], style="dim"))
    out.append(Text(""))
    return out


def quick_renderables(d: Diagnosis, t: Messages) -> list[RenderableType]:
    """The quick self-assessment beside the diagnosis, for the text report (nothing without one)."""
    out: list[RenderableType] = []
    quick = quick_context(d, t)
    if not quick:
        return out
    out.append(Text(t("quick.title"), style="bold"))
    out.append(Text(quick["total"]))
    if quick["rated"]:
        out.append(Text(quick["rated"], style="dim"))
    if quick["verdict"]:
        out.append(Text(quick["verdict"], style="bold" if quick["reasons"] else ""))
    for reason in quick["reasons"]:
        out.append(Text(reason))
    if quick["strongest"]:
        out.append(Text(f"{t('quick.strongest')}: " + "; ".join(quick["strongest"])))
    if quick["weakest"]:
        out.append(Text(f"{t('quick.weakest')}: " + "; ".join(quick["weakest"])))
    out.append(Text(quick["note"], style="dim"))
    out.append(Text(""))
    return out


def renderables(d: Diagnosis, t: Messages) -> list[RenderableType]:
    """Both sections for the text report, in the order the report shows them."""
    return respondents_renderables(d, t) + quick_renderables(d, t)
