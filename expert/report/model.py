"""What the Markdown and HTML reports show, as plain data in one language.

:func:`report_context` turns a :class:`~expert.diagnosis.Diagnosis` into
dictionaries and lists of strings and numbers, so that the templates in
``expert/templates/`` only lay things out: every text is already looked up in
the chosen language, every number already rounded. Causes and measures carry
references to their evidence (the FACT items of ``knowledge/evidence.yaml``),
numbered in order of first citation; the sources are the literature and seed
documents behind every conclusion shown.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..conditions import UNKNOWN
from ..diagnosis import Diagnosis
from ..i18n import Messages
from ..knowledge import KnowledgeBase
from ..report.summary import summary, treated_by, week_span
from ..report.words import certainty_words, glossary, weight_words

SOURCE_KINDS = ("literature", "web", "seed")  # the kinds of knowledge/sources.yaml, in report order


def report_context(d: Diagnosis, lang: str = "en") -> dict[str, Any]:
    """Everything a report template needs, in ``lang``.

    Parameters
    ----------
    d : Diagnosis
    lang : str
        ``en`` or ``ru``. The header shows the date the answers were given
        when the answers file records one, so the same answers give the same
        report.

    Examples
    --------
    >>> from expert import diagnose
    >>> ctx = report_context(diagnose({"marketing_department": "separate", "joint_meetings": "never"}))
    >>> ctx["level"]["value"], ctx["plan"]["count"] == len(ctx["plan"]["rows"])
    (1, True)
    """
    kb = d.kb
    t = Messages(kb, lang)
    refs = _References(kb, lang)
    ctx: dict[str, Any] = {
        "lang": lang,
        "organization": d.sheet.organization or "",
        "role": t(f"consult.role.{d.sheet.role}") if d.sheet.role else None,
        # the date the answers were given, from the answers file: the same answers give the same report
        "generated": _date(datetime.date.fromisoformat(d.sheet.date), lang) if d.sheet.date else None,
        "questions": d.questions_summary(),
    }
    ctx["summary"] = summary(d, t)
    ctx["level"] = _level(d, t) if d.level else None
    ctx["ladder"] = [{"value": lv.value, "name": lv.name[lang],
                      "current": bool(d.level and d.level.id == lv.id),
                      "target": bool(d.target and d.level and d.target.id == lv.id)}
                     for lv in sorted(kb.levels.values(), key=lambda lv: lv.value)]
    ctx["target"] = _target(d, t) if d.target and d.level else None
    ctx["situation"] = _situation(d, lang)
    named = {c.id for c in d.inference.causes if c.named}
    ctx["causes"] = [_cause(d, t, refs, ident, cf) for ident, cf in d.causes if ident in named]
    ctx["also_possible"] = [{"id": ident, "name": kb.causes[ident].name[lang], "pct": _pct(cf),
                             "words": certainty_words(cf, t)}
                            for ident, cf in d.causes if ident not in named]
    ctx["disputed"] = [{"id": ident, "name": kb.causes[ident].name[lang], "line": disputed_line(d, t, ident, said)}
                       for ident, said in d.disputed()]
    ctx["doubt"] = level_doubt(d, t)
    ctx["migrated"] = migration_note(ctx["questions"], t) if ctx["questions"]["migrated_from"] else None
    ctx["provisional"] = bool(d.selection and d.selection.provisional)
    ctx["symptoms"] = [{"id": i, "name": kb.symptoms[i].name[lang], "certainty": cf, "pct": _pct(cf),
                        "words": certainty_words(cf, t)}
                       for i, cf in d.symptoms if cf > 0]
    ctx["plan"] = _plan(d, t, refs)
    ctx["in_place"] = [d.measure_name(m, lang) for m in d.in_place]
    ctx["deferred"] = [d.measure_name(m, lang) for m, _ in d.deferred]
    ctx["answers"] = _answers(d, t)
    ctx["not_needed"] = [{"id": q, "question": kb.questions[q].text[lang]} for q in ctx["questions"]["not_needed"]]
    ctx["contradictions"] = [{"id": i, "text": kb.contradictions[i].text[lang], "confirmed": confirmed}
                             for i, confirmed in d.contradictions]
    ctx["evidence"] = refs.items()
    ctx["sources"] = _sources(d, refs, lang)
    ctx["ignored"] = [kb.questions[q].text[lang] for q in ctx["questions"]["ignored"] if q in kb.questions]
    ctx["glossary"] = glossary(t)
    from ..report.respondents import quick_context, respondents_context  # several respondents, the quick total

    ctx["respondents"] = respondents_context(d, t)
    ctx["quick"] = quick_context(d, t)
    return ctx


def _pct(cf: float) -> int:
    return max(0, min(100, int(abs(cf) * 100 + 0.5)))  # half up: 0.405 is 41, as in the text report


def _date(day: datetime.date, lang: str) -> str:
    if lang == "ru":
        return day.strftime("%d.%m.%Y")
    return f"{day.day} {day.strftime('%B %Y')}"


class _References:
    """Evidence (FACT) items cited by causes and measures, numbered in order of first citation."""

    def __init__(self, kb: KnowledgeBase, lang: str):
        self.kb, self.lang = kb, lang
        self.numbers: dict[str, int] = {}
        self.supporting: dict[str, list[str]] = {}
        for fact in kb.evidence.values():
            for ident in fact.supports:
                self.supporting.setdefault(ident, []).append(fact.id)

    def cite(self, entry) -> list[dict]:
        """The evidence of a cause or measure: its own ``evidence:`` list, then FACT items that name it."""
        ids = list(getattr(entry, "evidence", ()))
        ids += [f for f in self.supporting.get(entry.id, ()) if f not in ids]
        out = []
        for ident in ids:
            number = self.numbers.setdefault(ident, len(self.numbers) + 1)
            out.append({"id": ident, "n": number, "title": self.kb.evidence[ident].title[self.lang]})
        return out

    def items(self) -> list[dict]:
        out = []
        for ident, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            fact = self.kb.evidence[ident]
            sources = [fact.source] if fact.source else [s for s in fact.sources if s in self.kb.sources]
            out.append({"id": ident, "n": number, "title": fact.title[self.lang], "summary": fact.summary[self.lang],
                        "source": sources[0] if sources else None})
        return out


def _level(d: Diagnosis, t: Messages) -> dict:
    kb, lv, lang = d.kb, d.level, t.lang
    rule = d.system.rules.rules
    level = kb.levels[lv.id]
    return {
        "id": lv.id, "value": lv.value, "name": level.name[lang], "description": level.description[lang],
        "certainty": lv.certainty, "pct": _pct(lv.certainty), "evidence_cf": lv.evidence_cf,
        "words": certainty_words(lv.certainty, t), "evidence_words": certainty_words(lv.evidence_cf, t),
        "unknown_share": lv.unknown_share, "unknown_pct": _pct(lv.unknown_share),
        "for": [{"rule": e.firing.rule, "summary": rule[e.firing.rule].summary[lang], "cf": e.cf, "pct": _pct(e.cf),
                 "weight": weight_words(e.cf, t)}
                for e in lv.evidence_for],
        "against": [{"rule": e.firing.rule, "summary": rule[e.firing.rule].summary[lang], "cf": e.cf,
                     "pct": _pct(e.cf), "weight": weight_words(e.cf, t)} for e in lv.evidence_against],
        "support": [{"value": kb.levels[i].value, "name": kb.levels[i].name[lang], "cf": cf,
                     "pct": _pct(cf), "negative": cf < 0, "current": i == lv.id, "verdict": support_words(cf, t)}
                    for i, cf in lv.support.items()],
    }


def support_words(cf: float, t: Messages) -> str:
    """What the evidence says about one level, in words: established, ruled out, leaning either way."""
    if cf >= 0.5:
        band = "established"
    elif cf > 0:
        band = "some_for"
    elif cf <= -0.5:
        band = "ruled_out"
    elif cf < 0:
        band = "some_against"
    else:
        band = "none"
    return t(f"words.support.{band}")


def _target(d: Diagnosis, t: Messages) -> dict:
    kb, tg, lang = d.kb, d.target, t.lang
    finding = d.inference.findings.get(("target", tg.id))
    reasons = []
    for cf, index in sorted(finding.support if finding else (), key=lambda s: (-s[0], s[1])):
        summary = d.system.rules.rules[d.trace[index].rule].summary[lang]
        if cf > 0 and summary not in reasons:
            reasons.append(summary)
    transition = kb.transitions.get(tg.transition) if tg.transition else None
    return {
        "id": tg.id, "value": tg.value, "name": kb.levels[tg.id].name[lang], "stay": tg.stay or transition is None,
        "certainty": tg.certainty, "pct": _pct(tg.certainty), "words": certainty_words(tg.certainty, t),
        "transition": t(f"phase.{tg.transition}") if transition else None,
        "triggers": transition.triggers[lang] if transition else None,
        "reasons": reasons,
    }


def _situation(d: Diagnosis, lang: str) -> list[str]:
    """The context factors found, as statements (the opposite wording when the certainty is negative)."""
    out = []
    for ident, cf in d.context:
        factor = d.kb.context[ident]
        if cf > 0:
            out.append(factor.proposition[lang])
        elif factor.opposite:
            out.append(factor.opposite[lang])
    return out


SHOWN_BY = 4  # findings listed for a cause; the rest are counted


def shown_by(d: Diagnosis, cause: str, t: Messages) -> list[str]:
    """The findings that set a cause apart (:meth:`Diagnosis.cause_support`), as statements:
    a sign or symptom found absent reads "absent: …", and evidence read from an answer directly
    reads as its rule's summary, so a cause that rests on answers alone still says why.

    :meth:`Diagnosis.shown_by` lists the ids only; a rule may read a sign's
    absence (``certainty ≤ -0.5``), which must not read as its presence.
    """
    seen: dict[str, str] = {}
    for _, index in d.cause_support(cause):
        firing = d.trace[index]
        matched = firing.matched
        if any(m.fact == "answer" for m in matched):
            # an answer read directly (alone or with findings): the rule says what it shows, in words
            # ("Lead criteria exist on paper, yet sales accepts few of marketing's leads")
            seen.setdefault(f"rule:{firing.rule}", d.system.rules.rules[firing.rule].summary[t.lang])
            continue
        for m in matched:
            if m.id in seen:
                continue
            name = t.name(m.id)
            seen[m.id] = t("doc.absent", name=name) if isinstance(m.value, (int, float)) and m.value < 0 else name
    return list(seen.values())


def disputed_line(d: Diagnosis, t: Messages, cause: str, said) -> str:
    """A disputed cause (:meth:`Diagnosis.disputed`) in one sentence: its signs, what the answers say
    against it, and how to tell which is right."""
    return t("report.disputed_line", cause=d.kb.causes[cause].name[t.lang],
             shown="; ".join(shown_by(d, cause, t)[:SHOWN_BY]),
             said="; ".join(t("report.quoted", text=answer_label(t, d.kb, q, value)) for q, value in said))


def _cause(d: Diagnosis, t: Messages, refs: _References, ident: str, cf: float) -> dict:
    cause = d.kb.causes[ident]
    shown = shown_by(d, ident, t)
    return {"id": ident, "name": cause.name[t.lang], "description": cause.description[t.lang], "certainty": cf,
            "pct": _pct(cf), "words": certainty_words(cf, t), "shown_by": shown[:SHOWN_BY], "shown_more": max(0, len(shown) - SHOWN_BY),
            "evidence": refs.cite(cause), "treatment": treatment_text(d, ident, t)}


def treatment_text(d: Diagnosis, cause: str, t: Messages) -> str:
    """What the plan does about a named cause, in words: the steps that treat it, or why none does."""
    treatment = d.treatment(cause)
    if treatment is None:
        return ""
    return _named_beside(d, cause, t) + _treated(d, cause, treatment, t)


def _named_beside(d: Diagnosis, cause: str, t: Messages) -> str:
    """Why a cause past the cap of five is named: the digest names it with another (decision 10)."""
    ranked = d.ranked_cause(cause)
    if ranked is None or not ranked.named_beside:
        return ""
    return t("doc.named_beside", cause=d.kb.causes[ranked.named_beside].name[t.lang],
             because=d.kb.causes[cause].named_with_because[t.lang]) + " "


def _treated(d: Diagnosis, cause: str, treatment, t: Messages) -> str:
    steps = ", ".join(map(str, treated_by(d, cause)))
    if treatment.reason is None:
        return t("doc.treated_by", count=len(treatment.measures), steps=steps)
    measure = d.measure_name(treatment.measure, t.lang) if treatment.measure else ""
    if treatment.reason == "later_step":
        step = d.kb.measures[treatment.measure].phase
        level = d.kb.levels[d.kb.transitions[step].to_level].name[t.lang]
        why = t("doc.untreated.later_step", level=level, measure=measure)
    else:
        why = t(f"doc.untreated.{treatment.reason}", measure=measure)
    # measures that only ease what shows the cause are said to do just that
    return (t("doc.eased_by", count=len(treatment.measures), steps=steps) + " " + why) if treatment.measures else why


def migration_note(questions: dict, t: Messages) -> str:
    """That the answers file predates today's questionnaire, and which retired answers were set aside."""
    note = t("report.migrated", old=questions["migrated_from"], new=questions["questionnaire"])
    if questions["retired"]:
        note += " " + t("report.retired", count=len(questions["retired"]))
    return note


def level_doubt(d: Diagnosis, t: Messages) -> dict | None:
    """No level established: how certain the verdict is, and the unknown answers that would settle it."""
    lv = d.level
    if lv is None or lv.established:
        return None
    return {"pct": _pct(lv.certainty), "topics": [d.kb.questions[q].text[t.lang] for q in lv.unknown_topics]}


def _plan(d: Diagnosis, t: Messages, refs: _References) -> dict:
    kb, plan, lang = d.kb, d.plan, t.lang
    step = {ident: n for n, ident in enumerate(plan.order, 1)}
    total = max(plan.total_weeks, 1)
    rows, phases = [], []
    costs = {"free": 0, "low": 0, "medium": 0, "high": 0}
    for phase, ids in plan.phases():
        phase_rows = []
        for ident in ids:
            item, m = plan.items[ident], kb.measures[ident]
            costs[item.cost] += 1
            row = {
                "step": step[ident], "id": ident, "name": d.measure_name(ident, lang), "summary": m.summary[lang],
                "owner": kb.owners[item.owner].name[lang], "participants": m.owner_text[lang],
                "cost": t(f"cost.{item.cost}"), "cost_class": item.cost,
                "cost_note": m.cost_note[lang] if m.cost_note else None,
                "weeks": item.weeks, "duration": m.duration[lang], "start": item.start + 1, "finish": item.finish,
                "span": item.span,
                "when": week_span(item.start + 1, item.finish, t),
                "bar_left": round(100 * item.start / total, 2), "bar_width": round(100 * item.weeks / total, 2),
                "critical": item.critical, "pulled_in": item.pulled_in,
                "certainty": item.certainty, "pct": _pct(item.certainty) if item.certainty is not None else None,
                "prerequisites": [step[p] for p in item.prerequisites],
                "required_by": sorted(step[r] for r in item.required_by if r in step),
                "addresses": [t.name(a) for a in m.addresses if d._present(a)],
                "evidence": refs.cite(m),
            }
            phase_rows.append(row)
            rows.append(row)
        start = min(r["start"] for r in phase_rows)
        finish = max(r["finish"] for r in phase_rows)
        phases.append({"id": phase, "name": plan.phase_name(phase, lang), "start": start, "finish": finish,
                       "rows": phase_rows})
    owners = [{"name": kb.owners[o].name[lang], "count": len(v["measures"]), "weeks": v["weeks"],
               "steps": [step[m] for m in v["measures"]]}
              for o, v in sorted(plan.owners().items(), key=lambda kv: (-len(kv[1]["measures"]), kv[0]))]
    return {
        "count": len(plan.order), "rows": rows, "phases": phases, "total_weeks": plan.total_weeks,
        "critical_path": [step[m] for m in plan.critical_path],
        "critical_names": [d.measure_name(m, lang) for m in plan.critical_path],
        "costs": [{"class": c, "name": t(f"cost.{c}"), "count": n} for c, n in costs.items() if n],
        "owners": owners, "pulled_in": sum(1 for r in rows if r["pulled_in"]),
        "axis": _axis(plan.total_weeks),
    }


def _axis(total: int) -> list[dict]:
    """Week ticks for the timeline header: about six, on round numbers."""
    if total <= 0:
        return []
    step = next(s for s in (1, 2, 4, 5, 10, 20, 25, 50, 100) if total / s <= 7)
    return [{"week": w, "left": round(100 * (w - 1) / total, 2)} for w in range(1, total + 1, step)]


def answer_label(t: Messages, kb: KnowledgeBase, question: str, value) -> str:
    """An answer as the manager chose it: the choice's label, yes/no, the scale's wording, or the number
    (also for a value worked out rather than asked, ``derived:``)."""
    q = kb.answer_question(question)
    if value == UNKNOWN:
        return t("consult.unknown_choice")
    if q.type in ("choice", "multi"):
        return q.label(value, t.lang)
    if q.type == "yesno":
        return t(f"consult.{value}")
    if q.type == "scale":
        return t(f"consult.scale_{value}")
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number} %" if q.type == "percent" else number


def _answers(d: Diagnosis, t: Messages) -> list[dict]:
    kb = d.kb
    sections: list[dict] = []
    for qid, value in d.inference.answers.items():
        if qid not in kb.questions:  # a value worked out, not asked (expert.respondents, expert.quick)
            continue
        q = kb.questions[qid]
        if not sections or sections[-1]["id"] != q.section:
            sections.append({"id": q.section, "name": kb.sections[q.section].name[t.lang], "rows": []})
        sections[-1]["rows"].append({"id": qid, "question": q.text[t.lang],
                                      "answer": answer_label(t, kb, qid, value), "unknown": value == UNKNOWN})
    return sections


def _sources(d: Diagnosis, refs: _References, lang: str) -> list[dict]:
    """The literature and seed documents behind what the report shows, grouped by kind, in KB order."""
    kb = d.kb
    cited: set[str] = set()
    entries = [kb.causes[c] for c, _ in d.causes] + [kb.measures[m] for m in d.plan.order]
    if d.level:
        entries.append(kb.levels[d.level.id])
    if d.target:
        entries.append(kb.levels[d.target.id])
        if d.target.transition:
            entries.append(kb.transitions[d.target.transition])
    entries += [kb.evidence[e["id"]] for e in refs.items()]
    for entry in entries:
        cited.update(entry.sources)
        if getattr(entry, "source", None):
            cited.add(entry.source)
    for firing in d.trace:
        cited.update(d.system.rules.rules[firing.rule].sources)
    groups = []
    for kind in SOURCE_KINDS:
        # a source document of the knowledge base is cited by its title: its catalogue note
        # (what the seed file is, what it lacks) is the knowledge engineer's, not the reader's
        items = [{"id": s.id, "title": s.title[lang], "citation": s.citation if s.kind != "seed" else None}
                 for s in kb.sources.values() if s.kind == kind and s.id in cited]
        if items:
            groups.append({"kind": kind, "entries": items})
    return groups
