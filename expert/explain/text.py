"""Explanations as plain text: the reasoning trace, HOW trees, WHY and WHY NOT.

Every word comes from ``knowledge/messages-explain.yaml`` (English and
Russian); rule texts and names come from the rule and knowledge bases. The
output is deterministic, so it can be saved and compared.
"""

from __future__ import annotations

from typing import Any

from ..certainty import combine
from ..conditions import UNKNOWN, AnswerLeaf, FindingLeaf, Leaf
from ..diagnosis import UNKNOWN_WEIGHT, Diagnosis
from ..differential import MAX_NAMED, NAMED
from ..explain import Check, How, HowSection, ProofNode, Status, matched_leaves, rule_location
from ..i18n import Messages
from ..explain.whynot import WhyNot
from ..explain.whatif import CHANGE_KINDS, Why


def cf(value: float) -> str:
    """A certainty with its sign: ``+0.36``, ``-1.00``."""
    return f"{value + 0.0:+.2f}"


def num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class Writer:
    """Shared helpers: names, answers, conditions and numbered literature references."""

    def __init__(self, d: Diagnosis, lang: str):
        self.d, self.kb, self.lang = d, d.kb, lang
        self.t = Messages(d.kb, lang)
        self.references: list[str] = []

    def kind(self, kind: str) -> str:
        return self.t(f"explain.kind.{kind}")

    def name(self, kind: str, ident: str) -> str:
        if kind == "answer":
            q = self.kb.answer_question(ident)  # a question, or a value worked out (derived:)
            return q.text[self.lang] if q else ident
        return self.t.name(ident)

    def finding(self, kind: str, ident: str) -> str:
        return f"{self.kind(kind)} {ident} «{self.name(kind, ident)}»"

    def value(self, question: str, value: Any, state: str | None = None) -> str:
        """An answer as a user reads it: the value and, for a choice, its label."""
        if state == "not_relevant":
            return self.t("explain.answer.not_relevant")
        if value is None:
            return self.t("explain.answer.unanswered")
        if value == UNKNOWN:
            return self.t("explain.answer.unknown")
        q = self.kb.questions.get(question)
        if isinstance(value, tuple):  # several choices
            return ", ".join(num(v) for v in value) + (f" «{q.label(value, self.lang)}»" if q else "")
        label = next((c.label[self.lang] for c in q.choices if c.value == value), None) if q else None
        return f"{num(value)} «{label}»" if label else num(value)

    def leaf(self, leaf: Leaf) -> str:
        """A condition leaf in words (the rule base's own wording, translated)."""
        if isinstance(leaf, AnswerLeaf):
            op, operand = leaf.op, leaf.operand
            if op in ("in", "not_in"):
                values = ", ".join(sorted(num(v) for v in operand))
                key = "in" if op == "in" and len(operand) > 1 else ("is" if op == "in" else "not_in")
                return self.t(f"explain.test.{key}", question=leaf.question, values=values)
            if op == "weights":
                values = ", ".join(f"{num(v)} ({w:g})" for v, w in operand)
                return self.t("explain.test.in", question=leaf.question, values=values)
            sym = {"min": "≥", "max": "≤", "below": "<", "above": ">"}[op]
            return f"{leaf.question} {sym} {operand:g}"
        assert isinstance(leaf, FindingLeaf)
        sym = {"min": "≥", "at_least": "≥", "max": "≤", "below": "<", "over": ">"}[leaf.op]
        return self.t("explain.test.finding", kind=self.kind(leaf.fact), id=leaf.id, op=sym,
                      threshold=f"{leaf.threshold:g}")

    def actual(self, c: Check) -> str:
        """What a leaf actually saw."""
        if isinstance(c.leaf, AnswerLeaf):
            return self.value(c.leaf.question, c.value, c.state)
        text = cf(c.value)
        return text + (" " + self.t("explain.absent") if c.state == "absent" else "")

    def sources(self, ids) -> str:
        out = []
        for ident in ids:
            if ident in self.kb.sources:
                if ident not in self.references:
                    self.references.append(ident)
                out.append(f"{ident} [{self.references.index(ident) + 1}]")
            elif ident in self.kb.evidence:
                out.append(f"{ident} «{self.kb.evidence[ident].title[self.lang]}»")
            else:
                out.append(ident)
        return ", ".join(out)

    def reference_lines(self) -> list[str]:
        if not self.references:
            return []
        lines = ["", self.t("explain.references")]
        for number, ident in enumerate(self.references, 1):
            lines.append(f"[{number}] {ident}: {self.kb.sources[ident].citation}")
        return lines

    def checks(self, c: Check, indent: str) -> list[str]:
        """A condition as a list of ✓/✗ lines, groups indented."""
        if c.leaf is not None:
            mark = "✓" if c.holds else "✗"
            return [f"{indent}{mark} {self.leaf(c.leaf)} — {self.t('explain.actual')} {self.actual(c)}"]
        lines = []
        inner = indent
        if c.group == "any":
            lines.append(f"{indent}{'✓' if c.holds else '✗'} {self.t('explain.any_of')}")
            inner = indent + "    "
        for item in c.items:
            if item.group == "all" and c.group == "any":
                lines.append(f"{inner}{'✓' if item.holds else '✗'} {self.t('explain.all_of')}")
                lines += self.checks(item, inner + "    ")
            else:
                lines += self.checks(item, inner)
        return lines

    def status(self, st: Status) -> str:
        threshold = "" if st.threshold is None else f"{st.threshold:.2f}"
        chosen = ""
        if st.chosen:
            level = self.kb.levels[st.chosen]
            chosen = self.t("level.value", value=level.value, name=level.name[self.lang])
        elif st.explained_by:
            chosen = ", ".join(f"{c} «{self.kb.causes[c].name[self.lang]}»" for c in st.explained_by)
        key = f"explain.status.{st.state}.{st.kind}"
        key = key if key in self.kb.messages else f"explain.status.{st.state}"
        return self.t(key, cf=cf(st.cf), threshold=threshold, chosen=chosen,
                      pro=f"{st.evidence_for:.2f}", con=f"{st.evidence_against:.2f}")

    def title(self, key: str, subject: str) -> list[str]:
        org = self.d.sheet.organization or self.t("report.unnamed")
        return [f"{self.t(key)} — {org}", subject]


# ---------------------------------------------------------------------- trace

def render_trace(d: Diagnosis, lang: str = "en") -> str:
    """The full reasoning trace in firing order: every step with its rule, facts, rationale and sources."""
    w = Writer(d, lang)
    t, rules = w.t, d.system.rules
    summary = d.questions_summary()
    lines = [f"{t('explain.trace.title')} — {d.sheet.organization or t('report.unnamed')}",
             t("explain.trace.counts", firings=len(d.trace), rules=len({f.rule for f in d.trace}),
               stages=len(rules.stages), asked=summary["asked"], unknown=summary["unknown"],
               ignored=len(summary["ignored"]))]
    stage = None
    for firing in d.trace:
        rule = rules.rules[firing.rule]
        if firing.stage != stage:
            stage = firing.stage
            st = next(s for s in rules.stages if s.id == stage)
            lines += ["", f"== {t('explain.stage', number=st.index + 1, id=st.id)}: {st.name[lang]}"]
        lines += ["", f"{firing.index + 1}. {rule.id} — {rule_location(rules, rule)}", f"   {rule.summary[lang]}"]
        label = t("explain.trace.matched")
        for leaf, value in matched_leaves(rule, firing):
            if isinstance(leaf, AnswerLeaf):
                fact = f"{w.kind('answer')} {leaf.question} = {w.value(leaf.question, value)}"
            else:
                fact = f"{w.kind(leaf.fact)} {leaf.id} {cf(value)}"
            lines.append(f"   {label:<12}{fact}  [{w.leaf(leaf)}]")
            label = ""
        label = t("explain.trace.concluded")
        for a, conclusion in zip(firing.asserted, rule.then):
            factor = f"{conclusion.cf:g} × {t('explain.trace.premise')} {firing.premise:.2f}"
            lines.append(f"   {label:<12}{w.finding(a.kind, a.id)} {cf(a.cf)}  ({factor})")
            label = ""
        lines.append(f"   {t('explain.trace.because'):<12}{rule.because[lang]}")
        lines.append(f"   {t('explain.trace.sources'):<12}{w.sources(rule.sources)}")
    if not d.trace:
        lines += ["", t("explain.trace.empty")]
    return "\n".join(lines + w.reference_lines()) + "\n"


# ------------------------------------------------------------------------ HOW

def render_how(how: How, d: Diagnosis, lang: str = "en") -> str:
    """The proof trees of a conclusion, with the level's or target's decision and the plan context."""
    w = Writer(d, lang)
    lines: list[str] = []
    for section in how.sections:
        st = section.status
        lines += w.title("explain.how.title", w.finding(st.kind, st.id))
        lines.append(w.status(st))
        lines += _section_context(w, section)
        lines.append("")
        lines += _tree(w, section.tree, "", "", True)
        lines.append("")
    lines.append(w.t("explain.how.legend"))
    return "\n".join(lines + w.reference_lines()) + "\n"


def _section_context(w: Writer, section: HowSection) -> list[str]:
    d, t, lang, st = w.d, w.t, w.lang, section.status
    lines = []
    if st.kind == "level" and st.state == "reported" and d.level:
        lv = d.level
        lines.append(t("explain.level.decision"))
        lines.append(t("explain.level.certainty", evidence=f"{lv.evidence_cf:.2f}", weight=f"{UNKNOWN_WEIGHT:g}",
                       share=f"{lv.unknown_share:.0%}", certainty=f"{lv.certainty:.2f}"))
        for key, evidence in (("report.evidence_for", lv.evidence_for), ("report.evidence_against", lv.evidence_against)):
            lines.append(f"{t(key)}:")
            for e in evidence:
                rule = d.system.rules.rules[e.firing.rule]
                lines.append(f"  {cf(e.cf)}  {rule.id} ({t('explain.step', step=e.firing.index + 1)}) — {rule.summary[lang]}")
            if not evidence:
                lines.append(f"  {t('report.none')}")
        support = ", ".join(f"{t('level.value', value=d.kb.levels[i].value, name=d.kb.levels[i].name[lang])} {cf(v)}"
                            for i, v in lv.support.items())
        lines.append(f"{t('report.support')}: {support}")
    elif st.kind == "target" and st.state == "reported" and d.target:
        tg = d.target
        lines.append(t("explain.target.decision"))
        if tg.transition and not tg.stay:
            lines.append(t("explain.target.transition", transition=f"{tg.transition} «{w.name('transition', tg.transition)}»"))
        else:
            lines.append(t("explain.target.stay"))
    item = section.plan_item
    if item is not None:
        position = d.plan.order.index(item.id) + 1
        lines.append(t("explain.plan.position_one" if item.weeks == 1 else "explain.plan.position", position=position, total=len(d.plan.order),
                       phase=d.plan.phase_name(item.phase, t.lang), weeks=item.span))
        if item.pulled_in:
            lines.append(t("explain.plan.pulled_in", measures=", ".join(item.required_by)))
        if item.prerequisites:
            lines.append(t("explain.plan.prerequisites", measures=", ".join(item.prerequisites)))
    return lines


def _tree(w: Writer, node: ProofNode, first: str, rest: str, root: bool = False) -> list[str]:
    """Lines of one node and its subtree; ``first`` prefixes its first line, ``rest`` the others."""
    t = w.t
    test = f" [{w.leaf(node.leaf)}]" if node.leaf is not None else ""
    if node.kind == "answer":
        return [f"{first}{w.kind('answer')} {node.id} = {w.value(node.id, node.value, node.state)}{test}"]
    head = f"{first}{w.kind(node.kind)} {node.id} = {cf(node.value)}{test} «{w.name(node.kind, node.id)}»"
    if node.repeat:
        return [head + " " + t("explain.how.repeat")]
    lines = [head]
    children: list[tuple[str, Any]] = []
    if len(node.steps) > 1:
        lines.append(f"{rest}   {_combination(w, node)}")
    if node.ranking is not None:
        lines.append(f"{rest}   {_differential(w, node)}")
    if not node.steps and not node.required_by:
        lines.append(f"{rest}   {t('explain.how.no_firing')}")
    for step in node.steps:
        children.append(("step", step))
    for other in node.required_by:
        children.append(("required", other))
    for i, (what, child) in enumerate(children):
        last = i == len(children) - 1
        branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
        if what == "required":
            lines.append(f"{rest}{branch}{t('explain.how.required_by')}")
            lines += _tree(w, child, rest + cont + "└─ ", rest + cont + "   ")
            continue
        step = child
        factor = f"{abs(step.rule_cf):.2f} × {step.firing.premise:.2f}"
        uncounted = (node.ranking is not None and step.cf > 0 and step.firing.index not in node.ranking.counted)
        lines.append(f"{rest}{branch}{cf(step.cf)} = {'-' if step.rule_cf < 0 else ''}{factor}  {step.rule.id}  "
                     f"{step.location} ({t('explain.step', step=step.firing.index + 1)})"
                     + (f" — {t('explain.how.not_counted')}" if uncounted else ""))
        lines.append(f"{rest}{cont}     {step.rule.summary[w.lang]}")
        for j, node_in in enumerate(step.inputs):
            last_in = j == len(step.inputs) - 1
            b2, c2 = ("└─ ", "   ") if last_in else ("├─ ", "│  ")
            lines += _tree(w, node_in, rest + cont + b2, rest + cont + c2)
    return lines


def _combination(w: Writer, node: ProofNode) -> str:
    values = [s.cf for s in node.steps]
    pro = [v for v in values if v > 0]
    con = [v for v in values if v < 0]
    result = node.ranking.evidence_certainty if node.ranking is not None else node.value
    text = w.t("explain.how.combined", n=len(values), values=" ⊕ ".join(cf(v) for v in values), result=cf(result))
    if pro and con:
        a, b = combine(pro), combine(con)
        text += " " + w.t("explain.how.mixed", pro=f"{a:.2f}", con=f"{-b:.2f}",
                           formula=f"({a:.2f} − {-b:.2f}) / (1 − {min(a, -b):.2f})")
    return text


def _differential(w: Writer, node: ProofNode) -> str:
    """How the competition between causes changed a cause's certainty, and its verdict."""
    r = node.ranking
    if r.named and r.named_beside:
        verdict = w.t("explain.how.named_beside", rank=r.rank, cause=r.named_beside,
                      because=w.kb.causes[node.id].named_with_because[w.lang].rstrip("."))
    elif r.named and w.kb.causes[node.id].root_because:
        verdict = w.t("explain.how.named_root", rank=r.rank,
                      because=w.kb.causes[node.id].root_because[w.lang].rstrip("."))
    elif r.named:
        verdict = w.t("explain.how.named", rank=r.rank)
    elif r.contradicted:
        verdict = w.t("explain.how.denied")
    elif r.certainty >= NAMED:
        verdict = w.t("explain.how.crowded_out", most=MAX_NAMED)
    elif r.explained_by:
        verdict = w.t("explain.how.explained_by", causes=", ".join(r.explained_by))
    else:
        verdict = w.t("explain.how.not_named", threshold=f"{NAMED:.2f}")
    text = w.t("explain.how.differential", evidence=cf(r.evidence_certainty), certainty=cf(r.certainty), verdict=verdict)
    if round(node.value, 4) != round(r.certainty, 4):
        text += " " + w.t("explain.how.read_as", value=cf(node.value))
    return text


# ------------------------------------------------------------------------ WHY

def render_why(why: Why, d: Diagnosis, lang: str = "en") -> str:
    """Which rules read a question and what another answer would change."""
    w = Writer(d, lang)
    t, q = w.t, why.question
    lines = w.title("explain.why.title", f"{w.kind('question')} {q.id} «{q.text[lang]}»")
    lines.append(f"{t('explain.why.answer')}: {w.value(q.id, why.value, why.state)}")
    if why.ask_when is None:
        lines.append(t("explain.why.always"))
    else:
        lines.append(t("explain.why.follow_up_" + ("holds" if why.state != "not_relevant" else "fails")))
        lines += w.checks(why.ask_when, "  ")
    if why.follow_ups:
        lines.append(t("explain.why.opens", questions=", ".join(why.follow_ups)))
    lines += ["", t("explain.why.rules", n=len(why.rules))]
    for number, use in enumerate(why.rules, 1):
        fired = t("explain.fired", step=use.firing.index + 1) if use.firing else t("explain.not_fired")
        lines.append(f"{number}. {use.rule.id} — {use.location} — {fired}")
        lines.append(f"   {use.rule.summary[lang]}")
        lines.append(f"   {t('explain.why.tests')}: " + "; ".join(w.leaf(leaf) for leaf in use.tests))
        concludes = "; ".join(f"{w.kind(c.kind)} {c.id} {cf(c.cf)}" for c in use.conclusions)
        lines.append(f"   {t('explain.why.concludes')}: {concludes}")
    if not why.rules:
        lines.append(t("explain.why.no_rules"))
    lines += ["", t("explain.why.what_if")]
    if why.state == "not_relevant":
        lines.append(t("explain.why.set_aside"))
    for change in why.what_if:
        lines.append(f"- {w.value(q.id, change.value)}:")
        if change.unchanged:
            lines.append(f"    {t('explain.why.no_change')}")
        for key in ("level", "target"):
            pair = getattr(change, key)
            if pair:
                lines.append(f"    {t('explain.why.' + key)}: {_level(w, pair[0])} → {_level(w, pair[1])}")
        for key in CHANGE_KINDS:
            for sign, ids in (("+", change.added.get(key, [])), ("−", change.removed.get(key, []))):
                for ident in ids:
                    lines.append(f"    {sign} {t('explain.why.' + key)}: {ident} «{w.name(key, ident)}»")
    return "\n".join(lines) + "\n"


def _level(w: Writer, value) -> str:
    if value is None:
        return w.t("explain.none")
    level = w.kb.levels[value[0]]
    return f"{w.t('level.value', value=level.value, name=level.name[w.lang])} ({value[1]:.2f})"


# -------------------------------------------------------------------- WHY NOT

def render_why_not(wn: WhyNot, d: Diagnosis, lang: str = "en") -> str:
    """Every rule that could have concluded an id, with the conditions that failed."""
    w = Writer(d, lang)
    t = w.t
    lines: list[str] = []
    if wn.question is not None:
        q = d.kb.questions[wn.id]
        lines += w.title("explain.why_not.title", f"{w.kind('question')} {q.id} «{q.text[lang]}»")
        info = wn.question
        lines.append(t(f"explain.question.{info.state}", value=w.value(q.id, info.value)))
        if info.ask_when is not None:
            lines += w.checks(info.ask_when, "  ")
        return "\n".join(lines) + "\n"
    for section in wn.sections:
        st = section.status
        lines += w.title("explain.why_not.title", w.finding(st.kind, st.id))
        lines.append(w.status(st))
        if section.need is not None:
            lines.append(t("explain.measure.need", need=cf(section.need), practice=cf(section.practice or 0.0)))
        if section.reasons:
            lines.append(t("explain.measure.excluded"))
            for reason, rule_ids in section.reasons:
                lines.append(f"  • {t(f'explain.reason.{reason}')}" + (f": {', '.join(rule_ids)}" if rule_ids else ""))
        lines += ["", t("explain.why_not.rules", n=len(section.attempts))]
        if not section.attempts:
            lines.append(t("explain.why_not.no_rule"))
        for number, a in enumerate(section.attempts, 1):
            direction = f" ({t('explain.against')})" if a.rule_cf < 0 else ""
            fired = t("explain.fired_cf", step=a.firing.index + 1, cf=cf(a.cf)) if a.firing else t("explain.not_fired")
            lines.append(f"{number}. {a.rule.id} — {a.location} → {cf(a.rule_cf)}{direction} — {fired}")
            lines.append(f"   {a.rule.summary[lang]}")
            lines += w.checks(a.check, "   ")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
