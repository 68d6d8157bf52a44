"""Explanations as JSON-ready data (schema: ``docs/explain.schema.json``).

The same content as :mod:`expert.explain.text`, as plain data in one
language. Every certainty is rounded to four decimals and every list keeps
the trace's or the rule base's order, so the output is byte-identical across
runs (see :func:`dumps`).
"""

from __future__ import annotations

import json
from typing import Any

from ..certainty import combine
from ..conditions import AnswerLeaf
from ..diagnosis import UNKNOWN_WEIGHT, Diagnosis
from ..explain import Check, How, HowSection, ProofNode, Status, matched_leaves, rule_location
from ..explain.text import Writer
from ..explain.whynot import WhyNot
from ..explain.whatif import CHANGE_KINDS, Why

SCHEMA_VERSION = "1.0"


def dumps(data: dict) -> str:
    """The JSON text of an explanation: UTF-8, indented, deterministic."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, 4)


def _header(d: Diagnosis, mode: str, lang: str) -> dict:
    return {"schema_version": SCHEMA_VERSION, "mode": mode, "language": lang,
            "organization": d.sheet.organization}


def _answer(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else str(value)


def _source(w: Writer, ident: str) -> dict:
    kb = w.kb
    if ident in kb.sources:
        return {"id": ident, "type": "literature" if kb.sources[ident].kind != "seed" else "seed",
                "text": kb.sources[ident].citation}
    if ident in kb.evidence:
        return {"id": ident, "type": "evidence", "text": kb.evidence[ident].title[w.lang]}
    return {"id": ident, "type": "entry", "text": w.t.name(ident)}


# ---------------------------------------------------------------------- trace

def trace_to_dict(d: Diagnosis, lang: str = "en") -> dict:
    """The reasoning trace: every firing with its rule, matched facts, asserted facts and sources."""
    w = Writer(d, lang)
    rules = d.system.rules
    firings = []
    cited: list[str] = []
    for firing in d.trace:
        rule = rules.rules[firing.rule]
        matched = []
        for leaf, value in matched_leaves(rule, firing):
            if isinstance(leaf, AnswerLeaf):
                matched.append({"kind": "answer", "id": leaf.question, "value": _answer(value), "test": w.leaf(leaf)})
            else:
                matched.append({"kind": leaf.fact, "id": leaf.id, "cf": _r(value), "test": w.leaf(leaf)})
        for ident in rule.sources:
            if ident in d.kb.sources and ident not in cited:
                cited.append(ident)
        firings.append({
            "step": firing.index + 1, "rule": rule.id, "location": rule_location(rules, rule),
            "stage": firing.stage, "summary": rule.summary[lang], "because": rule.because[lang],
            "premise_cf": _r(firing.premise), "matched": matched,
            "asserted": [{"kind": a.kind, "id": a.id, "name": w.name(a.kind, a.id), "cf": _r(a.cf),
                          "rule_cf": _r(c.cf)} for a, c in zip(firing.asserted, rule.then)],
            "sources": [_source(w, i) for i in rule.sources],
        })
    out = _header(d, "trace", lang)
    out["questions"] = d.questions_summary()
    out["stages"] = [{"id": s.id, "number": s.index + 1, "name": s.name[lang]} for s in rules.stages]
    out["trace"] = firings
    out["references"] = [_source(w, i) for i in cited]
    return out


# ------------------------------------------------------------------------ HOW

def _status(w: Writer, st: Status) -> dict:
    return {"kind": st.kind, "id": st.id, "name": w.name(st.kind, st.id), "state": st.state, "text": w.status(st),
            "cf": _r(st.cf), "threshold": _r(st.threshold), "evidence_for": _r(st.evidence_for),
            "evidence_against": _r(st.evidence_against), "chosen": st.chosen}


def _node(w: Writer, node: ProofNode) -> dict:
    out: dict[str, Any] = {"kind": node.kind, "id": node.id, "name": w.name(node.kind, node.id)}
    if node.kind == "answer":
        out.update(value=_answer(node.value), cf=None)
    else:
        out.update(value=None, cf=_r(node.value))
    out.update(state=node.state, test=w.leaf(node.leaf) if node.leaf is not None else None, repeat=node.repeat)
    values = [s.cf for s in node.steps]
    out["combined"] = None if len(values) < 2 else {
        "values": [_r(v) for v in values], "for": _r(combine(v for v in values if v > 0)),
        "against": _r(-combine(v for v in values if v < 0)), "result": _r(node.value)}
    out["steps"] = [{"step": s.firing.index + 1, "rule": s.rule.id, "location": s.location,
                     "summary": s.rule.summary[w.lang], "cf": _r(s.cf), "rule_cf": _r(s.rule_cf),
                     "premise": _r(s.firing.premise), "inputs": [_node(w, n) for n in s.inputs]}
                    for s in node.steps]
    out["required_by"] = [_node(w, n) for n in node.required_by]
    return out


def _section(w: Writer, section: HowSection) -> dict:
    d, t, st = w.d, w.t, section.status
    out = {"status": _status(w, st), "tree": _node(w, section.tree)}
    if st.kind == "level" and st.state == "reported" and d.level:
        lv = d.level

        def evidence(items):
            return [{"rule": e.firing.rule, "step": e.firing.index + 1, "cf": _r(e.cf),
                     "summary": d.system.rules.rules[e.firing.rule].summary[w.lang]} for e in items]

        out["level"] = {"decision": t("explain.level.decision"), "certainty": _r(lv.certainty),
                        "evidence_certainty": _r(lv.evidence_cf), "unknown_share": _r(lv.unknown_share),
                        "unknown_weight": UNKNOWN_WEIGHT,
                        "evidence": {"for": evidence(lv.evidence_for), "against": evidence(lv.evidence_against)},
                        "support": {k: _r(v) for k, v in lv.support.items()}}
    if st.kind == "target" and st.state == "reported" and d.target:
        out["target"] = {"decision": t("explain.target.decision"), "transition": d.target.transition,
                         "stay": d.target.stay}
    item = section.plan_item
    if item is not None:
        out["plan"] = {"position": d.plan.order.index(item.id) + 1, "total": len(d.plan.order), "phase": item.phase,
                       "start_week": item.start, "finish_week": item.finish, "pulled_in": item.pulled_in,
                       "required_by": list(item.required_by), "prerequisites": list(item.prerequisites)}
    return out


def how_to_dict(how: How, d: Diagnosis, lang: str = "en") -> dict:
    """HOW as data: one proof tree per section (see :func:`expert.explain.explain_how`)."""
    w = Writer(d, lang)
    out = _header(d, "how", lang)
    out["id"] = how.id
    out["sections"] = [_section(w, s) for s in how.sections]
    return out


# ------------------------------------------------------------ WHY and WHY NOT

def _check(w: Writer, c: Check) -> dict:
    if c.leaf is None:
        return {"holds": c.holds, "group": c.group, "items": [_check(w, i) for i in c.items]}
    leaf = c.leaf
    is_answer = isinstance(leaf, AnswerLeaf)
    return {"holds": c.holds, "test": w.leaf(leaf), "kind": "answer" if is_answer else leaf.fact,
            "id": leaf.question if is_answer else leaf.id,
            "value": _answer(c.value) if is_answer else None, "cf": None if is_answer else _r(c.value),
            "state": c.state, "actual": w.actual(c)}


def _level_pair(value) -> dict | None:
    return None if value is None else {"id": value[0], "certainty": _r(value[1])}


def why_to_dict(why: Why, d: Diagnosis, lang: str = "en") -> dict:
    """WHY as data: the question, the rules that read it and what other answers would change."""
    w = Writer(d, lang)
    q = why.question
    out = _header(d, "why", lang)
    out["question"] = {"id": q.id, "text": q.text[lang], "type": q.type, "state": why.state,
                       "value": _answer(why.value), "follow_up": q.ask_when is not None,
                       "ask_when": _check(w, why.ask_when) if why.ask_when is not None else None}
    out["follow_ups"] = list(why.follow_ups)
    out["rules"] = [{"rule": u.rule.id, "location": u.location, "summary": u.rule.summary[lang],
                     "tests": [w.leaf(leaf) for leaf in u.tests],
                     "conclusions": [{"kind": c.kind, "id": c.id, "cf": _r(c.cf)} for c in u.conclusions],
                     "fired": u.firing is not None, "step": u.firing.index + 1 if u.firing else None}
                    for u in why.rules]
    out["what_if"] = []
    for change in why.what_if:
        entry = {"value": _answer(change.value), "unchanged": change.unchanged}
        for key in ("level", "target"):
            pair = getattr(change, key)
            entry[key] = None if pair is None else {"before": _level_pair(pair[0]), "after": _level_pair(pair[1])}
        entry["added"] = {k: list(change.added.get(k, [])) for k in CHANGE_KINDS}
        entry["removed"] = {k: list(change.removed.get(k, [])) for k in CHANGE_KINDS}
        out["what_if"].append(entry)
    return out


def why_not_to_dict(wn: WhyNot, d: Diagnosis, lang: str = "en") -> dict:
    """WHY NOT as data: every rule that could conclude the id, its conditions and what failed."""
    w = Writer(d, lang)
    out = _header(d, "why_not", lang)
    out["id"] = wn.id
    out["question"] = None
    if wn.question is not None:
        info = wn.question
        out["question"] = {"id": info.id, "state": info.state, "value": _answer(info.value),
                           "ask_when": _check(w, info.ask_when) if info.ask_when is not None else None}
    out["sections"] = []
    for section in wn.sections:
        out["sections"].append({
            "status": _status(w, section.status),
            "reasons": [{"reason": r, "rules": list(ids)} for r, ids in section.reasons],
            "need": _r(section.need), "practice": _r(section.practice),
            "rules": [{"rule": a.rule.id, "location": a.location, "summary": a.rule.summary[lang],
                       "rule_cf": _r(a.rule_cf), "fired": a.firing is not None,
                       "step": a.firing.index + 1 if a.firing else None, "cf": _r(a.cf),
                       "condition": _check(w, a.check), "failed": [_check(w, f) for f in a.failed]}
                      for a in section.attempts],
        })
    return out
