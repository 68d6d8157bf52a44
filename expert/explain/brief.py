"""HOW for a client, in the MYCIN manner: one level at a time, in words, with sources.

``accord explain --how`` takes what the report shows — a step number (``3``,
``#3``, ``step 3``, «шаг 3»), a name as printed (“Planning in isolation”,
«Планирование в отрыве друг от друга»), ``level`` or ``target`` — or an id.
It answers with the conclusion, how certain it is in words, its three or four
strongest reasons, each numbered, and the sources behind them. A reason that
is itself a conclusion can be asked about in turn by appending its number:
``--how 3.2`` is the second reason of step 3, ``--how 3.2.1`` the first reason
of that. Intermediate bookkeeping (the evidence each level gets, the need for
a measure) is looked through, so every reason is something the report or the
questionnaire names. ``--full`` still prints the whole technical proof tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnosis import Diagnosis
from ..errors import UnknownIdError
from ..explain import HowSection, ProofNode, explain_how, resolve_conclusion, status
from ..i18n import Messages
from ..plan.selection import MEASURE_THRESHOLD
from ..report.words import certainty_words, weight_words

REASONS = 4  # reasons shown at each level
_THROUGH = ("support", "need")  # bookkeeping a client never sees: their own reasons are shown instead
_STEP = re.compile(r"^(?:#|step\s*|шаг\s*|№\s*)?(\d+)$", re.IGNORECASE)
_PATH = re.compile(r"^(.*?)((?:\.\d+)+)$")


@dataclass
class Reason:
    """One reason for a conclusion: a finding or an answer, and the rule that read it."""

    kind: str
    id: str
    value: Any  # certainty of a finding, or the answer
    node: ProofNode
    rule: Any  # the Rule whose firing read it
    cf: float  # what that firing added (negative: evidence against)


@dataclass
class Brief:
    handle: str  # how to name this conclusion again on the command line
    section: HowSection
    reasons: list[Reason] = field(default_factory=list)
    against: list[Reason] = field(default_factory=list)
    more: int = 0
    sources: list[str] = field(default_factory=list)


def resolve_handle(d: Diagnosis, given: str) -> tuple[str, tuple[str, ...]]:
    """An id, ``level``/``target``, a report step number or a name as printed → ``(id, kinds)``.

    Raises
    ------
    UnknownIdError
        Naming the closest names when nothing matches, or the candidates when a name is ambiguous.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "joint_meetings": "never"})
    >>> resolve_handle(d, "1")[0] == d.plan.order[0]
    True
    """
    text = " ".join(given.strip().strip("\"'«»“”").split())
    step = _STEP.match(text)
    if step:
        number = int(step.group(1))
        if not 1 <= number <= len(d.plan.order):
            raise UnknownIdError("step", text, [str(n) for n in range(1, len(d.plan.order) + 1)])
        return d.plan.order[number - 1], ("measure",)
    try:
        return resolve_conclusion(d, text)
    except UnknownIdError as error:
        by_name = _names(d)
        wanted = text.lower()
        if wanted in by_name:
            return by_name[wanted]
        found = sorted({v for k, v in by_name.items() if len(wanted) >= 4 and wanted in k})
        if len(found) == 1:
            return found[0]
        if found:
            names = sorted({d.kb.entry(i).name["en"] for i, _ in found})[:5]
            ambiguous = UnknownIdError("name", text, names)
            ambiguous.suggestions = names
            ambiguous.message = f"'{text}' matches several names: {'; '.join(names)}; give more of the name"
            raise ambiguous from None
        raise error from None


def _names(d: Diagnosis) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every name a report can show, in both languages, lower-cased → (id, kinds)."""
    kb = d.kb
    kinds = {"level": ("level", "target"), "cause": ("cause",), "symptom": ("symptom",), "sign": ("sign",),
             "context": ("context",), "measure": ("measure",), "transition": ("transition",)}
    tables = {"level": kb.levels, "cause": kb.causes, "symptom": kb.symptoms, "sign": kb.signs,
              "context": kb.context, "measure": kb.measures, "transition": kb.transitions}
    out = {}
    for kind, table in tables.items():
        for ident, entry in table.items():
            for lang in ("en", "ru"):
                names = [entry.name[lang]] + ([d.measure_name(ident, lang)] if kind == "measure" else [])
                for name in names:  # a measure also by the name the report gives it for this organisation
                    out.setdefault(" ".join(name.split()).lower(), (ident, kinds[kind]))
    return out


def explain_brief(d: Diagnosis, given: str) -> Brief:
    """HOW, one level at a time: the conclusion named by ``given`` and its strongest reasons.

    ``given`` may end in ``.N`` (``3.2``, ``level.1``) to go down to the N-th
    reason, as many levels as wanted.

    Raises
    ------
    UnknownIdError
        When the handle names nothing, or a reason number does not exist.

    Examples
    --------
    >>> from expert import diagnose
    >>> d = diagnose({"marketing_department": "separate", "conflict_frequency": "constantly"})
    >>> b = explain_brief(d, "Frequent open conflicts between the departments")
    >>> b.reasons[0].kind
    'answer'
    """
    text = given.strip()
    path: list[int] = []
    try:
        ident, kinds = resolve_handle(d, text)
    except UnknownIdError:
        match = _PATH.match(text)
        if not match:
            raise
        ident, kinds = resolve_handle(d, match.group(1))
        path = [int(n) for n in match.group(2).strip(".").split(".")]
        text = match.group(1)
    if text.lower() in ("level", "target"):
        text = text.lower()
    elif text.lower() == ident.lower() or ":" in text:
        text = ident  # an id as the knowledge base spells it
    how = explain_how(d, text if text in ("level", "target") else ident)
    section = next((s for s in how.sections if s.status.kind in kinds), how.sections[0])
    brief = _brief(d, text.strip(), section)
    for depth, number in enumerate(path, 1):
        if not 1 <= number <= len(brief.reasons) or brief.reasons[number - 1].kind == "answer":
            valid = [f"{brief.handle}.{n}" for n, r in enumerate(brief.reasons, 1) if r.kind != "answer"]
            raise UnknownIdError("reason", f"{brief.handle}.{number}", valid)
        reason = brief.reasons[number - 1]
        node = ProofNode(reason.kind, reason.id, reason.value)
        sub = explain_how(d, f"{reason.kind}:{reason.id}") if reason.kind != "level" else explain_how(d, "level")
        brief = _brief(d, f"{brief.handle}.{number}", sub.sections[0] if sub.sections else HowSection(
            status(d, reason.kind, reason.id), node))
    return brief


def _brief(d: Diagnosis, handle: str, section: HowSection) -> Brief:
    reasons: list[Reason] = []
    seen: set[tuple[str, str]] = set()
    _collect(d, section.tree, reasons, seen)
    positive = [r for r in reasons if r.cf > 0]
    against = [r for r in reasons if r.cf < 0]
    sources: list[str] = []
    rules = [r.rule for r in positive[:REASONS] + against[:2]]
    entry = d.kb.entry(section.status.id)
    for ident in [s for rule in rules for s in rule.sources] + list(getattr(entry, "sources", ())):
        if ident in d.kb.sources and ident not in sources:
            sources.append(ident)
    return Brief(handle, section, positive[:REASONS], against[:2], max(0, len(positive) - REASONS), sources)


def _collect(d: Diagnosis, node: ProofNode, out: list[Reason], seen: set) -> None:
    """The inputs of the firings behind a node, strongest first, looking through bookkeeping nodes."""
    for step in sorted(node.steps, key=lambda s: ((0, -s.cf) if s.cf > 0 else (1, s.cf), s.firing.index)):
        for child in step.inputs:
            key = (child.kind, child.id)
            if key in seen:
                continue
            seen.add(key)
            if child.kind in _THROUGH:
                inner = ProofNode(child.kind, child.id, child.value, steps=_steps_of(d, child))
                _collect(d, inner, out, seen)
                continue
            out.append(Reason(child.kind, child.id, child.value, child, step.rule, step.cf))


def _steps_of(d: Diagnosis, node: ProofNode):
    if node.steps or not node.repeat:
        return node.steps
    from ..explain import proof

    return proof(d, node.kind, node.id).steps


# ---------------------------------------------------------------------- text

def render_brief(brief: Brief, d: Diagnosis, lang: str = "en", answers_file: str | None = None) -> str:
    """The first screen a client reads: the conclusion, its reasons in words, sources, where to go next."""
    t = Messages(d.kb, lang)
    kb = d.kb
    org = d.sheet.organization or t("report.unnamed")
    lines = [f"{t('brief.title')} — {org}", ""]
    lines.append(_headline(d, t, brief))
    lines += _place(d, t, brief)
    added = bool(d.selection) and brief.section.status.id in d.selection.added_for  # _place said why it was added
    if brief.reasons or not added:
        lines.append("")
    if brief.reasons:
        lines.append(t("brief.because"))
        for n, r in enumerate(brief.reasons, 1):
            lines.append(f"  {n}. {_reason(d, t, r)}")
        if brief.more:
            lines.append(f"     {t('brief.more', count=brief.more)}")
        strongest = brief.reasons[0].rule
        lines += ["", t("brief.in_short", text=strongest.because[lang])]
    elif not added:
        lines.append(t("brief.no_reasons"))
    if brief.against:
        lines += ["", t("brief.against")]
        for r in brief.against:
            lines.append(f"  – {_reason(d, t, r)}")
    if brief.sources:
        lines += ["", t("brief.sources")]
        for ident in brief.sources:
            source = kb.sources[ident]
            lines.append(f"  • {source.title[lang] if source.kind == 'seed' else source.citation}")
    lines.append("")
    file = answers_file or t("report.file")
    deeper = [n for n, r in enumerate(brief.reasons, 1) if r.kind != "answer"]
    if deeper:
        lines.append(t("brief.deeper", command=f'accord explain --answers {file} --how "{brief.handle}.{deeper[0]}"'))
    lines.append(t("brief.full", command=f'accord explain --answers {file} --how "{brief.handle}" --full'))
    return "\n".join(lines) + "\n"


def _name(d: Diagnosis, kind: str, ident: str, lang: str) -> str:
    if kind == "answer":  # a question, or a value worked out from several respondents (derived:)
        return d.kb.answer_question(ident).text[lang]
    if kind == "measure":  # as the report names it for this organisation
        return d.measure_name(ident, lang)
    return Messages(d.kb, lang).name(ident)


def _headline(d: Diagnosis, t: Messages, brief: Brief) -> str:
    st, lang = brief.section.status, t.lang
    name = _name(d, st.kind, st.id, lang)
    words = certainty_words(st.cf, t)
    if st.kind == "measure" and st.id in d.plan.items:
        step = d.plan.order.index(st.id) + 1
        if d.selection and st.id in d.selection.added_for and st.cf < MEASURE_THRESHOLD:  # no rule recommended it
            return t("brief.head.step_added", step=step, name=name)
        return t("brief.head.step", step=step, name=name, words=words)
    if st.kind in ("level", "target") and st.state == "reported":
        level = d.kb.levels[st.id]
        return t(f"brief.head.{st.kind}", value=level.value, name=level.name[lang], words=words)
    state = st.state if st.state in ("reported", "pulled_in", "in_place") else "other"
    return t(f"brief.head.{state}", kind=t(f"explain.kind.{st.kind}"), name=name, words=words)


def _place(d: Diagnosis, t: Messages, brief: Brief) -> list[str]:
    st = brief.section.status
    lines = []
    if st.kind == "measure" and st.id in d.plan.items:
        item = d.plan.items[st.id]
        when = t("doc.weeks_span", start=item.start + 1, finish=item.finish) if item.weeks > 1 else \
            t("doc.week_one", week=item.finish)
        lines.append(t("brief.plan", total=len(d.plan.order), phase=d.plan.phase_name(item.phase, t.lang), when=when,
                       owner=d.kb.owners[item.owner].name[t.lang]))
        if item.critical:
            lines.append(t("brief.critical"))
        added = d.selection.added_for.get(st.id) if d.selection else None
        if added == "doubt":
            asked = d.questions_summary()
            lines.append(t("brief.added.doubt", pct=round(100 * asked["unknown"] / max(asked["asked"], 1))))
        elif added:
            lines.append(t("brief.added.cause", cause=d.kb.causes[added].name[t.lang]))
        if item.pulled_in:
            steps = ", ".join(str(d.plan.order.index(m) + 1) for m in item.required_by if m in d.plan.order)
            lines.append(t("brief.pulled_in", steps=steps))
    elif st.kind == "cause":
        ranked = d.ranked_cause(st.id)
        if ranked is not None and ranked.named:
            from ..report.model import treatment_text

            treatment = treatment_text(d, st.id, t)  # the steps that treat it, or why none does, as the report says
            lines.append(t("brief.cause_named", rank=ranked.rank) + (" " + treatment if treatment else ""))
    return lines


def _reason(d: Diagnosis, t: Messages, r: Reason) -> str:
    lang = t.lang
    if r.kind == "answer":
        from ..report.model import answer_label

        value = r.value
        shown = answer_label(t, d.kb, r.id, value) if value is not None else t("explain.answer.unanswered")
        key = "brief.derived" if r.id in d.kb.derived else "brief.answer"  # worked out, not answered
        return t(key, question=d.kb.answer_question(r.id).text[lang], answer=shown)
    weight = weight_words(r.cf, t)
    if isinstance(r.value, (int, float)) and r.value < 0:  # read as evidence that it is not so
        return t("brief.finding_absent", kind=t(f"explain.kind.{r.kind}"), name=_name(d, r.kind, r.id, lang),
                 words=certainty_words(r.value, t), weight=weight)
    return t("brief.finding", kind=t(f"explain.kind.{r.kind}"), name=_name(d, r.kind, r.id, lang),
             words=certainty_words(r.value, t), weight=weight)
