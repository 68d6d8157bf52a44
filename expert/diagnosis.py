"""The library call: answers in, a diagnosis out.

:func:`diagnose` checks the answers, sets aside answers to follow-ups that are
not relevant, runs the rule base, and assembles the conclusions: the current
level with its evidence for and against, the target level, the root causes,
and the plan of measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from .answers import AnswerSheet, check_answers, relevance
from .conditions import UNKNOWN, PRESENT, AnswerLeaf, findings_read, leaves
from .documents import Document
from .inference import Firing, Inference, Reasoner, choose_engine
from .knowledge import PHASES, KnowledgeBase, load_knowledge_base
from .plan import Plan, build_plan
from .rules import RuleSet, load_rules

SCHEMA_VERSION = "1.1"  # 1.1: "engine" says which inference engine ran
CAUSE_THRESHOLD = 0.4  # causes below this certainty are not reported
IN_PLACE_THRESHOLD = 0.5  # a practice this certain counts as already in place
MEASURE_THRESHOLD = 0.4  # measures below this certainty are not recommended
CONTEXT_THRESHOLD = 0.5  # context factors are reported when this certain, either way
# A plan people can carry out: the transition the company makes keeps its
# most needed measures, every other phase a few; the rest are reported as
# worth considering later. (Mann & Batyrev start with a handful of methods,
# not a catalogue.)
MEASURES_PER_PHASE = {"move": 8, "other": 4}
UNKNOWN_WEIGHT = 0.5  # how much the share of 'unknown' level answers lowers the level's certainty


@dataclass(frozen=True, eq=False)
class ExpertSystem:
    """The knowledge base, the rule base and the compiled engines, loaded once."""

    kb: KnowledgeBase
    rules: RuleSet
    reasoner: Reasoner
    level_questions: frozenset[str] = frozenset()  # questions whose answers feed the level

    @property
    def engine(self) -> str:
        """The inference engine the rules run on: ``"clips"`` or ``"experta"``."""
        return self.reasoner.engine


def load_expert(knowledge_dir: str | None = None, rules_dir: str | None = None,
                engine: str | None = None) -> ExpertSystem:
    """Load and compile the knowledge and rule bases (cached per directories and engine).

    Parameters
    ----------
    knowledge_dir, rules_dir : str, optional
        The bundled bases by default.
    engine : str, optional
        ``"experta"`` (the reference engine) or ``"clips"`` (the same rules
        generated for CLIPS, several times faster); by default
        ``$ACCORD_ENGINE``, else CLIPS where clipspy is installed, else experta.

    Raises
    ------
    KnowledgeBaseError
        When a knowledge or rule file is broken.
    EngineError
        When the engine asked for is unknown or not installed.
    """
    return _load_expert(knowledge_dir, rules_dir, choose_engine(engine))


@lru_cache(maxsize=4)
def _load_expert(knowledge_dir: str | None, rules_dir: str | None, engine: str) -> ExpertSystem:
    from . import cache
    from .knowledge import data_dir

    kdir = Path(knowledge_dir) if knowledge_dir else data_dir("knowledge")
    rdir = Path(rules_dir) if rules_dir else data_dir("rules")
    cache_key = cache.key(kdir, rdir)
    cached = cache.load(cache_key)
    if cached is not None:
        kb, ruleset = cached
    else:
        kb = load_knowledge_base(kdir)
        ruleset = load_rules(kb, rdir)
        cache.store(cache_key, kb, ruleset)
    return ExpertSystem(kb, ruleset, Reasoner(kb, ruleset, engine), _level_questions(ruleset))


def _level_questions(ruleset: RuleSet) -> frozenset[str]:
    """Questions whose answers feed the evidence about the level."""
    read_by_level = set()
    for stage in ruleset.stages:
        if "support" in stage.concludes:
            for rule in stage.rules:
                read_by_level |= findings_read(rule.when)
                read_by_level |= {("answer", leaf.question) for leaf in leaves(rule.when) if isinstance(leaf, AnswerLeaf)}
    questions = {q for kind, q in read_by_level if kind == "answer"}
    for rule in ruleset.rules.values():
        if any((c.kind, c.id) in read_by_level for c in rule.then):
            questions |= {leaf.question for leaf in leaves(rule.when) if isinstance(leaf, AnswerLeaf)}
    return frozenset(questions)


@dataclass(frozen=True)
class Evidence:
    """One firing that spoke for or against a conclusion."""

    firing: Firing
    cf: float


@dataclass(frozen=True)
class LevelVerdict:
    id: str
    value: int
    evidence_cf: float  # what the rules concluded
    certainty: float  # evidence_cf lowered for unknown answers
    unknown_share: float
    evidence_for: tuple[Evidence, ...]
    evidence_against: tuple[Evidence, ...]
    support: Mapping[str, float]  # net support of every level


@dataclass(frozen=True)
class TargetVerdict:
    id: str
    value: int
    certainty: float
    transition: str | None
    stay: bool


@dataclass
class Diagnosis:
    """The result of :func:`diagnose`; ``to_dict()`` gives the JSON structure."""

    system: ExpertSystem
    sheet: AnswerSheet
    inference: Inference
    ignored: dict[str, Any]
    relevant: dict[str, bool]
    level: LevelVerdict | None
    target: TargetVerdict | None
    plan: Plan
    causes: list[tuple[str, float]] = field(default_factory=list)
    symptoms: list[tuple[str, float]] = field(default_factory=list)
    context: list[tuple[str, float]] = field(default_factory=list)
    in_place: list[str] = field(default_factory=list)
    deferred: list[tuple[str, float]] = field(default_factory=list)  # recommended, but after the plan's limit

    @property
    def kb(self) -> KnowledgeBase:
        return self.system.kb

    @property
    def engine(self) -> str:
        """The inference engine that ran the rules: ``"clips"`` or ``"experta"``."""
        return self.system.engine

    @property
    def trace(self) -> Sequence[Firing]:
        return self.inference.trace

    def questions_summary(self) -> dict:
        kept = self.inference.answers
        return {
            "asked": len(kept),
            "relevant": sum(1 for v in self.relevant.values() if v),
            "total": len(self.kb.questions),
            "unknown": sum(1 for v in kept.values() if v == UNKNOWN),
            "ignored": sorted(self.ignored),
        }

    def to_dict(self, lang: str = "en") -> dict:
        """The diagnosis as JSON-ready data in one language (schema in docs/diagnosis.schema.json)."""
        kb = self.kb
        name = lambda table, ident: table[ident].name[lang]  # noqa: E731
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "language": lang,
            "organization": self.sheet.organization,
            "respondent": {"role": self.sheet.role},
            "engine": self.engine,
        }
        if self.level:
            lv = self.level
            out["level"] = {
                "id": lv.id, "value": lv.value, "name": name(kb.levels, lv.id),
                "certainty": _r(lv.certainty), "evidence_certainty": _r(lv.evidence_cf),
                "unknown_share": _r(lv.unknown_share),
                "evidence": {"for": [self._evidence(e, lang) for e in lv.evidence_for],
                             "against": [self._evidence(e, lang) for e in lv.evidence_against]},
                "support": {k: _r(v) for k, v in lv.support.items()},
            }
        else:
            out["level"] = None
        if self.target:
            tg = self.target
            out["target_level"] = {"id": tg.id, "value": tg.value, "name": name(kb.levels, tg.id),
                                   "certainty": _r(tg.certainty), "transition": tg.transition, "stay": tg.stay}
        else:
            out["target_level"] = None
        out["symptoms"] = [{"id": i, "name": name(kb.symptoms, i), "certainty": _r(c)} for i, c in self.symptoms]
        out["causes"] = [{"id": i, "name": name(kb.causes, i), "certainty": _r(c),
                          "shown_by": self.shown_by(i)} for i, c in self.causes]
        out["context"] = [{"id": i, "name": name(kb.context, i), "certainty": _r(c),
                           "statement": (kb.context[i].proposition if c > 0 else
                                         (kb.context[i].opposite or kb.context[i].proposition))[lang],
                           "holds": c > 0} for i, c in self.context]
        out["in_place"] = self.in_place
        out["measures"] = [self._measure(ident, lang) for ident in self.plan.order]
        out["deferred_measures"] = [{"id": i, "name": kb.measures[i].name[lang], "phase": kb.measures[i].phase,
                                     "certainty": _r(c)} for i, c in self.deferred]
        out["plan"] = {
            "order": list(self.plan.order),
            "phases": [{"id": phase, "measures": ids} for phase, ids in self.plan.phases()],
            "total_weeks": self.plan.total_weeks,
            "critical_path": list(self.plan.critical_path),
            "owners": self.plan.owners(),
        }
        out["questions"] = self.questions_summary()
        out["answers"] = dict(self.inference.answers)
        out["trace"] = [f.to_dict() for f in self.trace]
        return out

    def shown_by(self, cause: str) -> list[str]:
        """The symptoms and signs whose rules gave evidence for a cause."""
        finding = self.inference.findings.get(("cause", cause))
        shown = []
        for cf, index in finding.support if finding else ():
            if cf > 0:
                for m in self.trace[index].matched:
                    if m.fact != "answer" and m.id not in shown:
                        shown.append(m.id)
        return shown

    def _measure(self, ident: str, lang: str) -> dict:
        item = self.plan.items[ident]
        m = self.kb.measures[ident]
        return {
            "id": ident, "name": m.name[lang], "phase": item.phase,
            "certainty": None if item.certainty is None else _r(item.certainty),
            "pulled_in": item.pulled_in, "required_by": list(item.required_by),
            "owner": item.owner, "owner_text": m.owner_text[lang], "cost": item.cost, "weeks": item.weeks,
            "start_week": item.start, "finish_week": item.finish, "critical": item.critical,
            "prerequisites": list(item.prerequisites),
            "addresses": [a for a in m.addresses if self._present(a)],
        }

    def _present(self, ident: str) -> bool:
        kind = "symptom" if ident.startswith("SYM-") else "cause"
        threshold = PRESENT if kind == "symptom" else CAUSE_THRESHOLD
        return self.inference.cf(kind, ident) >= threshold

    def _evidence(self, ev: Evidence, lang: str) -> dict:
        rule = self.system.rules.rules[ev.firing.rule]
        return {"rule": rule.id, "cf": _r(ev.cf), "summary": rule.summary[lang], "step": ev.firing.index + 1,
                "matched": [m.to_dict() for m in ev.firing.matched]}


def _r(value: float) -> float:
    return round(value, 3)


def diagnose(answers: AnswerSheet | Mapping[str, Any], kb: ExpertSystem | None = None) -> Diagnosis:
    """Diagnose the relationship between sales and marketing from a manager's answers.

    Parameters
    ----------
    answers : AnswerSheet or mapping
        A checked answers file (:func:`expert.read_answers`) or a plain
        mapping of question id → answer, which is checked here.
    kb : ExpertSystem, optional
        The loaded knowledge and rule bases; the bundled ones by default.

    Returns
    -------
    Diagnosis

    Raises
    ------
    InputError
        If a plain mapping names an unknown question or has a bad value.

    Examples
    --------
    >>> d = diagnose({"marketing_department": "separate", "joint_meetings": "never",
    ...               "conflict_frequency": "constantly"})
    >>> d.level.value
    1
    """
    system = kb or load_expert()
    if not isinstance(answers, AnswerSheet):
        answers = check_answers(Document(Path("<answers>"), {"answers": dict(answers)}), system.kb)
    relevant = relevance(system.kb, answers.answers)
    kept = {q: v for q, v in answers.answers.items() if relevant.get(q)}
    ignored = {q: v for q, v in answers.answers.items() if not relevant.get(q)}
    inference = system.reasoner.infer(kept)

    level = _level_verdict(system, inference, kept, relevant)
    target = _target_verdict(system, inference, level)
    recommended = {f.id: f.cf for f in inference.of_kind("measure") if f.cf >= MEASURE_THRESHOLD}
    in_place = sorted((f.id for f in inference.of_kind("practice") if f.cf >= IN_PLACE_THRESHOLD),
                      key=list(system.kb.measures).index)
    selected, deferred = prioritise(system.kb, recommended, target)
    plan = build_plan(system.kb, selected, set(in_place))
    deferred = [(m, cf) for m, cf in deferred if m not in plan.items]

    def ranked(kind, threshold):
        found = [(f.id, f.cf) for f in inference.of_kind(kind) if f.cf >= threshold]
        return sorted(found, key=lambda p: (-round(p[1], 3), p[0]))

    return Diagnosis(system, answers, inference, ignored, relevant, level, target, plan,
                     causes=ranked("cause", CAUSE_THRESHOLD), symptoms=ranked("symptom", PRESENT),
                     context=sorted([(f.id, f.cf) for f in inference.of_kind("context") if abs(f.cf) >= CONTEXT_THRESHOLD],
                                    key=lambda p: p[0]),
                     in_place=in_place, deferred=deferred)


def prioritise(kb: KnowledgeBase, recommended: Mapping[str, float],
               target: "TargetVerdict | None") -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Keep the most certain measures of each phase; return ``(kept, deferred)``.

    The phase of the transition the company makes keeps up to
    ``MEASURES_PER_PHASE["move"]`` measures, every other phase up to
    ``MEASURES_PER_PHASE["other"]``; the diagnostic phase is never cut. Ties go
    to the knowledge base's order.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> many = {m: 0.9 - i / 100 for i, m in enumerate(list(kb.measures)[2:12])}
    >>> kept, later = prioritise(kb, many, None)
    >>> len(kept), len(later)
    (4, 6)
    """
    position = {m: i for i, m in enumerate(kb.measures)}
    move = target.transition if target is not None and not target.stay else None
    by_phase: dict[str, list[str]] = {}
    for ident in recommended:
        by_phase.setdefault(kb.measures[ident].phase, []).append(ident)
    kept, deferred = {}, []
    for phase, ids in by_phase.items():
        ids.sort(key=lambda m: (-round(recommended[m], 3), position[m]))
        limit = len(ids) if phase == "diagnostic" else MEASURES_PER_PHASE["move" if phase == move else "other"]
        kept.update((m, recommended[m]) for m in ids[:limit])
        deferred.extend((m, recommended[m]) for m in ids[limit:])
    deferred.sort(key=lambda p: (PHASES.index(kb.measures[p[0]].phase), -round(p[1], 3), position[p[0]]))
    return kept, deferred


def _level_verdict(system, inference: Inference, kept, relevant) -> LevelVerdict | None:
    candidates = [f for f in inference.of_kind("level") if f.cf > 0]
    if not candidates:
        return None
    kb = system.kb
    best = min(candidates, key=lambda f: (-f.cf, kb.levels[f.id].value))
    supports = inference.findings.get(("support", best.id))
    evidence_for, evidence_against = [], []
    for cf, index in supports.support if supports else ():
        (evidence_for if cf > 0 else evidence_against).append(Evidence(inference.trace[index], cf))
    # evidence against also comes from stronger support for the level above
    asked = [q for q in system.level_questions if relevant.get(q)]
    unknown = [q for q in asked if kept.get(q, UNKNOWN) == UNKNOWN]
    share = len(unknown) / len(asked) if asked else 0.0
    certainty = best.cf * (1 - UNKNOWN_WEIGHT * share)
    support = {ident: inference.cf("support", ident) for ident in kb.levels}
    return LevelVerdict(best.id, kb.levels[best.id].value, best.cf, certainty, share,
                        tuple(sorted(evidence_for, key=lambda e: (-e.cf, e.firing.index))),
                        tuple(sorted(evidence_against, key=lambda e: (e.cf, e.firing.index))), support)


def _target_verdict(system, inference: Inference, level: LevelVerdict | None) -> TargetVerdict | None:
    candidates = [f for f in inference.of_kind("target") if f.cf > 0]
    if not candidates or level is None:
        return None
    kb = system.kb
    best = min(candidates, key=lambda f: (-f.cf, kb.levels[f.id].value))
    moves = [f for f in inference.of_kind("transition") if f.cf >= PRESENT
             and kb.transitions[f.id].to_level == best.id]
    transition = moves[0].id if moves else None
    return TargetVerdict(best.id, kb.levels[best.id].value, best.cf, transition, best.id == level.id)
