"""The words of a consultation's step, for every shell alike: its text, progress, choices, the hint
after an invalid answer, and the short WHY (``accord diagnose`` on a terminal, ``accord serve`` in a page).

Everything is looked up in the knowledge base's messages (:class:`~expert.i18n.Messages`), in the
consultation's language.
"""

from __future__ import annotations

from .answers import ROLES
from .conditions import UNKNOWN
from .consultation import CONFIRM, Step
from .diagnosis import ExpertSystem
from .i18n import Messages
from .quick import QUICK_OFFER

WHY_SHOWN = 3  # rules listed by `why` (after what the question establishes) before pointing to `accord explain --why`


def why_lines(t: Messages, system: ExpertSystem, why, session: str, answers=None) -> list[str]:
    """The short WHY: what the question tries to establish and what is already known, what made it
    relevant, the rules reading it, what depends on it."""
    from .explain.question import goal_lines, question_goal

    kb = system.kb
    lines = goal_lines(question_goal(system, why.question, answers), system, t.lang)
    quoted = lambda ids: "; ".join(f"«{kb.questions[q].text[t.lang]}»" for q in ids)  # noqa: E731
    if why.could_change:
        lines.append(t("consult.why_could_change",
                       parts=", ".join(t(f"consult.part_{part}") for part in why.could_change)))
    if why.follow_up_of:
        lines.append(t("consult.why_follow_up", questions=quoted(why.follow_up_of)))
    if why.rules:
        lines.append(t("consult.why_rules", count=len(why.rules)))
        for reason in why.rules[:WHY_SHOWN]:
            summary, concluded = reason.summary[t.lang], conclusions(t, kb, reason.concludes)
            said = all(part.strip().lower() in summary.lower() for part in concluded.split(","))
            lines.append(f"  • {summary}" + ("" if said else f" → {concluded}"))
        if len(why.rules) > WHY_SHOWN:
            lines.append("    " + t("consult.why_more", count=len(why.rules) - WHY_SHOWN, id=why.question,
                                      file=session))
    elif not why.opens:
        lines.append(t("consult.why_none"))
    if why.opens:
        lines.append(t("consult.why_opens", count=len(why.opens)))
    return lines


def conclusions(t: Messages, kb, concludes) -> str:
    """What a rule concludes, in words: names for, then names against."""
    pro, con = [], []
    for kind, ident, cf in concludes:
        if kind == "context":
            factor = kb.context[ident]
            if cf < 0 and factor.opposite:
                pro.append(factor.opposite[t.lang])
                continue
            name = (factor.proposition if cf > 0 else factor.name)[t.lang]
        elif kind in ("need", "practice"):
            name = t(f"consult.kind_{kind}", name=t.name(ident))
        else:
            name = t.name(ident)
        bucket = pro if cf > 0 else con
        if name not in bucket:
            bucket.append(name)
    text = ", ".join(pro)
    if con:
        text += ("; " if text else "") + f"{t('consult.why_against')}: " + ", ".join(con)
    return text


def invalid_hint(t: Messages, step: Step) -> str:
    q = step.question
    if step.id == CONFIRM:
        return t("consult.invalid_confirm")
    if step.id == "organization":
        return t("consult.invalid_organization")
    if q is None:
        return t("consult.invalid_role", count=len(ROLES))
    if q.type == "choice":
        return t("consult.invalid_choice", count=len(q.choices))
    if q.type == "multi":
        return t("consult.invalid_several", count=len(q.choices))
    if q.type in ("yesno", "scale"):
        return t(f"consult.invalid_{q.type}")
    return t("consult.invalid_number", allowed=allowed(t, step))


def allowed(t: Messages, step: Step) -> str:
    q = step.question
    if q.type == "percent":
        return t("consult.allowed_percent")
    if q.minimum is not None and q.maximum is not None:
        return t("consult.allowed_range", min=f"{q.minimum:g}", max=f"{q.maximum:g}")
    if q.minimum is not None:
        return t("consult.allowed_min", min=f"{q.minimum:g}")
    return t("consult.allowed_number")


def choices(t: Messages, step: Step) -> list[tuple[str, str]]:
    """``[(value as typed, label)]`` for a step answered by picking; empty for typed answers."""
    q = step.question
    if step.id == CONFIRM:
        return [("keep", t("consult.confirm_keep")), ("change", t("consult.confirm_change"))]
    if q is None:
        return [(role, t(f"consult.role.{role}")) for role in ROLES] if step.id == "role" else []
    if q.type in ("choice", "multi"):
        return [(str(c.value), c.label[t.lang]) for c in q.choices]
    if q.type == "yesno":
        return [("yes", t("consult.yes")), ("no", t("consult.no"))]
    if q.type == "scale":
        return [(str(n), t(f"consult.scale_{n}")) for n in range(1, 6)]
    return []


def label_of(t: Messages, step: Step, value) -> str:
    if value is None:
        return ""
    if value == UNKNOWN:
        return t("consult.unknown_choice")
    if isinstance(value, tuple):  # several answers
        return "; ".join(label_of(t, step, v) for v in value)
    for typed, label in choices(t, step):
        if typed == str(value):
            return label
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_of(t: Messages, step: Step) -> str:
    if step.id == CONFIRM:
        return t("consult.confirm", text=step.contradiction.text[t.lang])
    if step.question is None:
        return t(f"consult.{step.id}")
    return step.text[t.lang]


def progress(t: Messages, step: Step) -> str:
    if step.id == CONFIRM:
        return t("consult.confirm_heading")
    if step.id == QUICK_OFFER:
        return t("quick.offer_progress")
    if step.number is None:
        return t("consult.profile")
    if step.left == 0:
        return t("consult.progress_last", number=step.number)
    return t("consult.progress", number=step.number, left=step.left)
