"""The library calls the web shell makes: the same ones ``cli.py`` and ``cli_consult.py`` make.

Nothing here decides anything about a diagnosis: a respondent's consultation
is :class:`expert.consultation.Consultation` (or the quick self-assessment
after it) rebuilt from the stored answers on every request; the
consultant's pages are :func:`expert.diagnose_organisation`, the HTML report,
the explanations and the exports, rendered by ``expert``.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

import expert
from expert import consultation_words as words
from expert.answers import AnswerSheet
from expert.i18n import Messages

# Downloads: name -> (what, format, media type). Reports, the plan's exports and the answers.
REPORT_DOWNLOADS = {
    "report.html": ("report", "html", "text/html; charset=utf-8"),
    "report.md": ("report", "md", "text/markdown; charset=utf-8"),
    "report.txt": ("report", "text", "text/plain; charset=utf-8"),
    "diagnosis.json": ("report", "json", "application/json"),
    "report.pdf": ("report", "pdf", "application/pdf"),
}
PLAN_DOWNLOADS = {
    "plan.svg": ("plan", "svg", "image/svg+xml"),
    "plan.png": ("plan", "png", "image/png"),
    "plan.pdf": ("plan", "pdf", "application/pdf"),
    "plan.dot": ("plan", "dot", "text/vnd.graphviz; charset=utf-8"),
    "plan.json": ("plan", "json", "application/json"),
    "plan.graphml": ("plan", "graphml", "application/xml"),
    "plan.mmd": ("plan", "mermaid", "text/plain; charset=utf-8"),
    "plan.csv": ("plan", "csv", "text/csv; charset=utf-8"),
}
DOWNLOADS = {**REPORT_DOWNLOADS, **PLAN_DOWNLOADS}


@functools.lru_cache(maxsize=4)
def load_system(kb_dir: str | None, rules_dir: str | None, engine: str | None) -> expert.ExpertSystem:
    """The knowledge and rule bases and their inference engine: read once per process, never changed
    (configuration, not state). Pages take turns at it (:data:`ENGINE_LOCK`)."""
    return expert.load_expert(kb_dir, rules_dir, engine)


#: One request at a time runs the library in a process: a CLIPS environment must not run rules for two
#: requests at once (it broke under the load test), and the work is CPU-bound, so threads would only
#: share the same cores. Taking turns also lets the question selection's remembered decisions serve the
#: page shown after an answer. Scale with processes (``accord serve --workers``) or hosts.
ENGINE_LOCK = threading.Lock()


# ------------------------------------------------------------------ respondent

def consultation_for(system: expert.ExpertSystem, sheet: AnswerSheet, quick: bool, cursor: Any):
    """The respondent's consultation where they left it: selective; ending with the offer of the
    quick self-assessment when the consultant chose it. The profile (organisation, role) is the
    consultant's, so it is not asked."""
    from expert.consultation import Consultation
    from expert.quick import FullThenQuick

    sheet.profile_given = expert.answers.PROFILE
    c = FullThenQuick(system, sheet) if quick else Consultation(system, sheet, ask_profile=False)
    c.restore(cursor)
    return c


@dataclass
class StepView:
    """What the question page shows for one step, in the respondent's language."""

    id: str
    kind: str  # choice | multi | number | confirm
    progress: str
    text: str
    choices: list[tuple[str, str]]
    previous: Any
    allowed: str | None
    help: str | None


def step_view(system, consultation, lang: str) -> StepView | None:
    """The current step in the same words as on a terminal (:mod:`expert.consultation_words`)."""
    from expert.consultation import CONFIRM

    step = consultation.step
    if step is None:
        return None
    t = Messages(system.kb, lang)
    options = words.choices(t, step)
    if step.id == CONFIRM:
        kind = "confirm"
    elif step.several:
        kind = "multi"
    elif options:
        kind = "choice"
    else:
        kind = "number"
    previous = step.previous
    if isinstance(previous, tuple):
        previous = [str(v) for v in previous]
    elif previous is not None:
        previous = expert.answers.as_typed(previous)
    help_text = None
    if step.question is not None and step.help:
        help_text = step.help[lang]
    return StepView(step.id, kind, words.progress(t, step), words.text_of(t, step), options, previous,
                    words.allowed(t, step) if kind == "number" and step.question is not None else None,
                    help_text)


def why_view(system, consultation, lang: str) -> list[str]:
    """Why the current question is asked, as the terminal's ``why`` says it (its pointer to the
    command line, which a respondent does not have, left out)."""
    step = consultation.step
    if step is None or step.question is None:
        return [Messages(system.kb, lang)(f"consult.{step.id}_why")] if step is not None else []
    why = consultation.why(step.id)
    lines = words.why_lines(Messages(system.kb, lang), system, why, "", consultation.answers)
    return [line for line in lines if "accord explain" not in line]


def typed_reply(step_kind: str, values: list[str], command: str | None) -> str:
    """The line a terminal user would type for this form: a command word, a value, or several values."""
    if command in ("unknown", "back"):
        return command
    if step_kind == "multi":
        return ", ".join(values)
    return values[0] if values else ""


def invalid_hint(system, consultation, lang: str) -> str:
    return words.invalid_hint(Messages(system.kb, lang), consultation.step)


# ------------------------------------------------------------------ consultant

def diagnose_sheets(system, sheets: list[AnswerSheet]):
    """One diagnosis of the organisation from its respondents' sheets (None without any answers)."""
    from expert.respondents import diagnose_organisation

    sheets = [s for s in sheets if s.answers or s.quick]
    if not sheets:
        return None
    return diagnose_organisation(sheets, system)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def report_parts(d, lang: str) -> tuple[str, str]:
    """The HTML report split into its style sheet and its body, to embed in the assessment page."""
    from expert.report.html import render_html

    return report_parts_of(render_html(d, lang))


def report_parts_of(page: str) -> tuple[str, str]:
    """An HTML page Accord rendered (autoescaped) split into its style sheet and its body."""
    style = _STYLE.search(page)
    body = _BODY.search(page)
    return (style.group(1) if style else ""), (body.group(1) if body else page)


def download(d, name: str, lang: str) -> bytes:
    """The bytes of one download (see :data:`DOWNLOADS`); raises ``KeyError`` for an unknown name."""
    what, fmt, _ = DOWNLOADS[name]
    if what == "plan":
        from expert.plan import graph as plan_graph

        return plan_graph.export(d, fmt, lang)
    from expert.report import render_report

    content = render_report(d, fmt, lang)
    return content if isinstance(content, bytes) else content.encode("utf-8")


def answers_yaml(sheet: AnswerSheet) -> bytes:
    """A respondent's answers as the answers file ``accord diagnose --answers`` reads."""
    import yaml

    return yaml.safe_dump(sheet.to_document(), allow_unicode=True, sort_keys=False).encode("utf-8")


def explainable(d, lang: str) -> dict[str, list[tuple[str, str]]]:
    """What the assessment page offers to explain: (handle, name) of the level, the target, each named
    cause and each measure of the plan, and the causes and levels not concluded (WHY NOT)."""
    kb = d.kb
    t = Messages(kb, lang)
    out: dict[str, list[tuple[str, str]]] = {"how": [], "why_not": []}
    if d.level:
        out["how"].append(("level", t("level.value", value=d.level.value, name=kb.levels[d.level.id].name[lang])))
    if d.target and d.level:
        out["how"].append(("target", t("level.value", value=d.target.value, name=kb.levels[d.target.id].name[lang])))
    named = [c.id for c in d.inference.causes if c.named]
    out["how"] += [(c, kb.causes[c].name[lang]) for c in named]
    out["how"] += [(m, f"{n}. {d.measure_name(m, lang)}") for n, m in enumerate(d.plan.order, 1)]
    others = [lv for lv in sorted(kb.levels.values(), key=lambda lv: lv.value) if not d.level or lv.id != d.level.id]
    out["why_not"] += [(lv.id, t("level.value", value=lv.value, name=lv.name[lang])) for lv in others]
    out["why_not"] += [(c, kb.causes[c].name[lang]) for c in kb.causes if c not in named]
    return out


def explain(d, kind: str, what: str, lang: str) -> str:
    """An explanation in plain words: ``how`` (the brief HOW, one level at a time), ``why_not``, or
    ``change`` (what a different answer to a question would change). Raises ``UnknownIdError``."""
    from expert.explain import text as explain_text
    from expert.explain import whatif
    from expert.explain import whynot
    from expert.explain.brief import explain_brief, render_brief, resolve_handle

    if kind == "how":
        text = render_brief(explain_brief(d, what), d, lang)
        return "\n".join(line for line in text.splitlines() if "accord explain" not in line).rstrip() + "\n"
    if kind == "why_not":
        from expert import explain as explaining

        try:
            explaining.resolve_conclusion(d, what)
            ident = what
        except expert.UnknownIdError:
            ident = resolve_handle(d, what)[0]
        return explain_text.render_why_not(whynot.explain_why_not(d, ident), d, lang)
    if kind == "change":
        return explain_text.render_why(whatif.explain_why(d, what), d, lang)
    raise expert.UnknownIdError("explanation", kind, ["how", "why_not", "change"])


def answered_questions(d, what: str, most: int = 8) -> list[tuple[str, str]]:
    """The answered questions the HOW of ``what`` rests on (its reasons, and theirs, two levels down):
    each can open "what would change it"."""
    from expert.explain.brief import explain_brief

    found: list[str] = []
    queue = [what]
    for _depth in range(3):
        following = []
        for handle in queue:
            try:
                brief = explain_brief(d, handle)
            except expert.UnknownIdError:
                continue
            for n, r in enumerate(brief.reasons, 1):
                if r.kind == "answer":
                    if r.id in d.kb.questions and r.id not in found:
                        found.append(r.id)
                else:
                    following.append(f"{brief.handle}.{n}")
        queue = following
        if len(found) >= most:
            break
    return [(q, q) for q in found[:most]]


def comparison_html(system, old, new, lang: str) -> str:
    """The comparison of two diagnoses of one organisation, as the HTML ``accord compare`` writes."""
    from expert.compare import compare, render_comparison, snapshot_of

    page = render_comparison(compare(snapshot_of(old), snapshot_of(new)), system.kb, "html", lang)
    return page


def diagnosis_json(d, lang: str) -> str:
    return json.dumps(d.to_dict(lang), ensure_ascii=False, indent=2, allow_nan=False)
