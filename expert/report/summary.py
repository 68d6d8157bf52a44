"""The executive summary: what a chief executive reads first, on one screen.

The level and the level worth aiming for, each with its certainty in words;
the named root causes and what the plan does about each; the first three
steps of the plan; the plan's length; and what would change the verdict —
the signs of the level above that were not seen (or, when no level is
established, the unknown answers that would settle it). Everything comes from
the diagnosis already made: nothing here re-runs the rules, so a report costs
one diagnosis.
"""

from __future__ import annotations

from ..conditions import PRESENT, findings_read
from ..diagnosis import Diagnosis
from ..i18n import Messages
from ..report.words import certainty_words

FIRST_STEPS = 3  # steps of the plan shown in the summary
MISSING_SIGNS = 3  # signs of the level above named as what would change the verdict


def summary(d: Diagnosis, t: Messages) -> dict:
    """The summary as plain data in ``t``'s language (see the module docstring).

    Examples
    --------
    >>> from expert import diagnose
    >>> from expert.i18n import Messages
    >>> d = diagnose({"marketing_department": "separate", "joint_meetings": "never"})
    >>> s = summary(d, Messages(d.kb, "en"))
    >>> s["level"]["value"], len(s["first_steps"]) <= FIRST_STEPS
    (1, True)
    """
    kb, lang = d.kb, t.lang
    out: dict = {"level": None, "target": None, "causes": [], "checking": [], "first_steps": [], "changes": [],
                 "settle": []}
    if d.level:
        lv = d.level
        out["level"] = {"value": lv.value, "name": kb.levels[lv.id].name[lang], "words": certainty_words(lv.certainty, t),
                        "established": lv.established}
    if d.target and d.level:
        tg = d.target
        out["target"] = {"value": tg.value, "name": kb.levels[tg.id].name[lang], "stay": tg.stay or not tg.transition,
                         "words": certainty_words(tg.certainty, t)}
    named = {c.id for c in d.inference.causes if c.named}
    for ident, cf in d.causes:
        if ident in named:
            steps = treated_by(d, ident)
            # steps that only ease what shows the cause are not said to treat it (its remedy comes later)
            reason = d.treatment(ident).reason
            key = "doc.steps_eased" if steps and reason else "doc.steps_short"
            # no step treats it: say in a few words why, as the causes table does in full
            text = (t(key, count=len(steps), steps=", ".join(map(str, steps))) if steps
                    else t(f"doc.steps_none.{reason}") if reason else "")
            out["causes"].append({"name": kb.causes[ident].name[lang], "words": certainty_words(cf, t), "steps": steps,
                                  "steps_text": text})
    # causes whose signs are present but which an answer denies: not named, but not to be missed either
    out["checking"] = [kb.causes[ident].name[lang] for ident, _ in d.disputed()]
    for n, ident in enumerate(d.plan.order[:FIRST_STEPS], 1):
        item = d.plan.items[ident]
        out["first_steps"].append({"step": n, "name": d.measure_name(ident, lang),
                                   "owner": kb.owners[item.owner].name[lang],
                                   "when": week_span(item.start + 1, item.finish, t)})
    out["weeks"] = d.plan.total_weeks
    out["count"] = len(d.plan.order)
    if d.level and not d.level.established:
        out["settle"] = [kb.questions[q].text[lang] for q in d.level.unknown_topics]
    above = next_level(d)
    if above is not None:
        out["above"] = {"value": kb.levels[above].value, "name": kb.levels[above].name[lang]}
        out["changes"] = [kb.signs[s].name[lang] for s in missing_signs(d, above)]
    return out


def week_span(start: int, finish: int, t: Messages) -> str:
    """"weeks 2–5" or "week 3"."""
    return t("doc.weeks_span", start=start, finish=finish) if start != finish else t("doc.week_one", week=start)


def treated_by(d: Diagnosis, cause: str) -> list[int]:
    """The plan's step numbers that treat a named cause."""
    treatment = d.treatment(cause)
    if treatment is None:
        return []
    return sorted(d.plan.order.index(m) + 1 for m in treatment.measures if m in d.plan.order)


def next_level(d: Diagnosis) -> str | None:
    """The level above the current one, if there is one."""
    if d.level is None:
        return None
    return next((lv.id for lv in sorted(d.kb.levels.values(), key=lambda lv: lv.value) if lv.value == d.level.value + 1),
                None)


def missing_signs(d: Diagnosis, level: str) -> list[str]:
    """Signs that speak for ``level`` and were not seen, those that would weigh most first.

    A sign's weight is the largest certainty a rule concludes for the level
    from it: what seeing the sign would add to the evidence for that level.
    """
    weight: dict[str, float] = {}
    for rule in d.system.rules.rules.values():
        gain = max((c.cf for c in rule.then if c.kind == "support" and c.id == level), default=0.0)
        if gain <= 0:
            continue
        for kind, ident in findings_read(rule.when):
            if kind == "sign" and ident in d.kb.signs:
                weight[ident] = max(weight.get(ident, 0.0), gain)
    unseen = [s for s in weight if d.inference.cf("sign", s) < PRESENT]
    order = list(d.kb.signs)
    return sorted(unseen, key=lambda s: (-weight[s], order.index(s)))[:MISSING_SIGNS]
