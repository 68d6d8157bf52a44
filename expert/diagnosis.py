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
from types import MappingProxyType
from typing import Any, Collection, Mapping, Sequence

from .answers import AnswerSheet, check_answers, relevance
from .conditions import UNKNOWN, PRESENT, AnswerLeaf, findings_read, leaves
from .contradictions import find_contradictions, questions_of
from .differential import NAMED, RankedCause
from .documents import Document
from .inference import Firing, Inference, Reasoner, choose_engine
from .knowledge import KnowledgeBase, load_knowledge_base
from .plan import Plan, build_plan, phase_names
from .plan.selection import IN_PLACE_THRESHOLD, MEASURE_THRESHOLD, Selection, select
from .quick import QuickReading, derived_quick, quick_reading
from .rules import RuleSet, load_rules

# 2.0: causes ranked by the differential diagnosis (named, also possible); plan phases relative to
# the company (first/now/next) with each measure's transition beside; not_planned; contradictions;
# "engine" says which inference engine ran.
# 2.1: "date" of the answers; "quick" (the quick self-assessment) and "respondents" (several respondents
# of one organisation: the sides, their own levels, where they differ), null when absent.
# 2.2: "disputed_causes": causes whose signs are present but which an answer firmly denies.
# 2.3: a cause's "treatment" has "reason" and "measure" whenever none of its own remedies is planned,
#      also where planned measures only ease what shows it.
SCHEMA_VERSION = "2.4"
CAUSE_THRESHOLD = NAMED  # a cause this certain after the differential is named (see expert.differential)
ALSO_POSSIBLE = 0.2  # other causes this certain are reported as also possible, unless an answer contradicts them
UNCERTAIN = 0.5  # below this level certainty no level is established: the plan opens with finding out
MOSTLY_UNKNOWN = 0.5  # from this share of 'unknown' level answers on, the plan opens with finding out too
PARTIAL_VIEW = 1 / 3  # from this share of 'unknown' answers on, the respondent sees only part of the picture
UNKNOWN_TOPICS = 5  # unknown level questions named as what would settle the level
CONTEXT_THRESHOLD = 0.5  # context factors are reported when this certain, either way
UNKNOWN_WEIGHT = 0.5  # how much the share of 'unknown' level answers lowers the level's certainty


@dataclass(frozen=True, eq=False)
class ExpertSystem:
    """The knowledge base, the rule base and the compiled engines, loaded once."""

    kb: KnowledgeBase
    rules: RuleSet
    reasoner: Reasoner
    level_questions: Mapping[str, float] = field(default_factory=dict)  # questions feeding the level → weight
    plain_measures: frozenset[str] = frozenset()  # measures some rule recommends on need alone

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
    return make_system(kb, ruleset, engine)


def make_system(kb: KnowledgeBase, ruleset: RuleSet, engine: str | None = None) -> ExpertSystem:
    """Compile the rule base for an engine (see :func:`load_expert`) and work out what the
    diagnosis needs to know about it."""
    return ExpertSystem(kb, ruleset, Reasoner(kb, ruleset, engine), _level_questions(ruleset),
                        _plain_measures(ruleset))


def _plain_measures(ruleset: RuleSet) -> frozenset[str]:
    """Measures some rule recommends on need, level and target alone, with no context gate."""
    plain = set()
    for rule in ruleset.rules.values():
        reads = {leaf.fact for leaf in leaves(rule.when)}
        if reads <= {"need", "transition", "cause", "target", "level"}:
            plain |= {c.id for c in rule.then if c.kind == "measure" and c.cf > 0}
    return frozenset(plain)


def _level_questions(ruleset: RuleSet) -> Mapping[str, float]:
    """Questions whose answers feed the evidence about the level, each with how much it can weigh.

    The weight of a question is the largest |certainty| a level-evidence rule
    concludes from a finding the question establishes: what an answer to it
    could do to the level at most.
    """
    weight_of: dict[tuple[str, str], float] = {}
    for stage in ruleset.stages:
        if "support" in stage.concludes:
            for rule in stage.rules:
                strongest = max(abs(c.cf) for c in rule.then)
                for key in findings_read(rule.when) | {("answer", leaf.question) for leaf in leaves(rule.when)
                                                       if isinstance(leaf, AnswerLeaf)}:
                    weight_of[key] = max(weight_of.get(key, 0.0), strongest)
    questions = {q: w for (kind, q), w in weight_of.items() if kind == "answer"}
    for rule in ruleset.rules.values():
        weight = max((weight_of.get((c.kind, c.id), 0.0) for c in rule.then), default=0.0)
        if weight:
            for leaf in leaves(rule.when):
                if isinstance(leaf, AnswerLeaf):
                    questions[leaf.question] = max(questions.get(leaf.question, 0.0), weight)
    return MappingProxyType(dict(sorted(questions.items())))


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
    unknown_topics: tuple[str, ...] = ()  # level questions answered unknown that weigh most, strongest first

    @property
    def established(self) -> bool:
        return self.certainty >= UNCERTAIN

    @property
    def needs_finding_out(self) -> bool:
        """Whether the plan should open by finding out: the level is not established, or
        half or more of the questions that decide it were answered 'unknown'."""
        return not self.established or self.unknown_share >= MOSTLY_UNKNOWN


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
    selection: Selection | None = None  # how the plan was chosen: exclusions, named causes' treatment
    contradictions: list[tuple[str, bool]] = field(default_factory=list)  # (id, confirmed by the respondent)
    quick: QuickReading | None = None  # the quick self-assessment, when the answers include it
    respondents: Any = None  # expert.respondents.Respondents, when several respondents were combined

    @property
    def kb(self) -> KnowledgeBase:
        return self.system.kb

    def ranked_cause(self, cause: str) -> RankedCause | None:
        """Where the differential diagnosis put a cause (None: no evidence for or against it)."""
        return next((c for c in self.inference.causes if c.id == cause), None)

    def treatment(self, cause: str):
        """What the plan does about a named cause (:class:`expert.plan.selection.Treatment`), else None."""
        if self.selection is None:
            return None
        return next((tr for tr in self.selection.treatments if tr.cause == cause), None)

    def measure_name(self, ident: str, lang: str) -> str:
        """A measure's name in the words of this organisation (:meth:`expert.knowledge.Measure.title`):
        a practice already in place is named for what it is, not for a change to it."""
        return self.kb.measures[ident].title(self.inference.answers, proposed=ident not in self.in_place)[lang]

    @property
    def engine(self) -> str:
        """The inference engine that ran the rules: ``"clips"`` or ``"experta"``."""
        return self.system.engine

    @property
    def trace(self) -> Sequence[Firing]:
        return self.inference.trace

    def questions_summary(self) -> dict:
        kept = {q: v for q, v in self.inference.answers.items() if q in self.kb.questions}  # not derived values
        return {
            "asked": len(kept),
            "relevant": sum(1 for v in self.relevant.values() if v),
            "total": len(self.kb.questions),
            "unknown": sum(1 for v in kept.values() if v == UNKNOWN),
            "ignored": sorted(self.ignored),
            "not_needed": self.not_needed(),
            "questionnaire": self.kb.questionnaire_version,
            "migrated_from": self.sheet.migrated_from,
            "retired": sorted(self.sheet.retired),
        }

    def not_needed(self) -> list[str]:
        """Questions a selective consultation did not ask because no answer to them could change
        the diagnosis (:mod:`expert.selection`), those still open, in questionnaire order."""
        return [q for q in self.sheet.not_needed if self.relevant.get(q) and q not in self.sheet.answers]

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
            "date": self.sheet.date,
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
                "established": lv.established,
                "unknown_topics": list(lv.unknown_topics),
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
        ranking = {c.id: c for c in self.inference.causes}
        treatments = {i: self.treatment(i) for i, _ in self.causes}
        out["causes"] = [{"id": i, "name": name(kb.causes, i), "certainty": _r(c),
                          **{k: v for k, v in ranking[i].to_dict().items() if k != "certainty"},
                          "shown_by": self.shown_by(i),
                          **({"treatment": _treatment(treatments[i])} if treatments[i] else {})}
                         for i, c in self.causes]
        out["disputed_causes"] = [{"id": i, "name": name(kb.causes, i), "shown_by": self.shown_by(i),
                                   "said": [{"question": q, "answer": v} for q, v in said]}
                                  for i, said in self.disputed()]
        # the statement is what the answers establish; `holds` says whether that is the factor's proposition
        out["context"] = [{"id": i, "name": name(kb.context, i), "certainty": _r(c),
                           "statement": (kb.context[i].proposition if c > 0 else
                                         (kb.context[i].opposite or kb.context[i].proposition))[lang],
                           "holds": c > 0 or kb.context[i].opposite is not None, "proposition_holds": c > 0}
                          for i, c in self.context]
        out["in_place"] = self.in_place
        out["measures"] = [self._measure(ident, lang) for ident in self.plan.order]
        out["deferred_measures"] = [{"id": i, "name": self.measure_name(i, lang),
                                     "transition": kb.measures[i].phase, "certainty": _r(c)} for i, c in self.deferred]
        sel = self.selection
        out["not_planned"] = [{"id": e.measure, "reason": e.kind, **({"prerequisite": e.detail} if e.detail else {}),
                               **({"rule": self.trace[e.firing].rule} if e.firing is not None else {})}
                              for e in sorted(sel.excluded.values(), key=lambda e: list(kb.measures).index(e.measure))
                              if e.kind != "in_place" and e.kind != "deferred"] if sel else []
        out["plan"] = {
            "order": list(self.plan.order),
            "phases": [{"id": phase, "name": self.plan.phase_name(phase, lang), "measures": ids}
                       for phase, ids in self.plan.phases()],
            "total_weeks": self.plan.total_weeks,
            "critical_path": list(self.plan.critical_path),
            "owners": self.plan.owners(),
            "provisional": bool(sel and sel.provisional),
            "goes_ahead_without": [{"measure": k.measure, "prerequisite": k.prerequisite, "reason": k.kind}
                                   for k in sel.skipped] if sel else [],
        }
        out["questions"] = self.questions_summary()
        out["questions"]["not_needed"] = [{"id": q, "text": kb.questions[q].text[lang], "reason": "not_needed"}
                                          for q in out["questions"]["not_needed"]]
        out["contradictions"] = [{"id": i, "text": kb.contradictions[i].text[lang],
                                  "questions": questions_of(kb.contradictions[i], kb), "confirmed": confirmed}
                                 for i, confirmed in self.contradictions]
        out["answers"] = {q: v for q, v in self.inference.answers.items() if q in kb.questions}
        out["derived"] = {q: v for q, v in self.inference.answers.items() if q in kb.derived}
        out["quick"] = self.quick.to_dict(kb, lang) if self.quick else None
        out["respondents"] = self.respondents.to_dict(self, lang) if self.respondents else None
        out["trace"] = [f.to_dict() for f in self.trace]
        return out

    def cause_support(self, cause: str) -> list[tuple[float, int]]:
        """The evidence that still counts for a cause after the differential diagnosis:
        ``(certainty, firing index)``, strongest first. Findings a named cause explains
        better, and repeats of one answer, are left out: what remains sets the cause apart."""
        finding = self.inference.findings.get(("cause", cause))
        ranked = next((c for c in self.inference.causes if c.id == cause), None)
        found = [(cf, index) for cf, index in (finding.support if finding else ())
                 if cf > 0 and (ranked is None or index in ranked.counted)]
        return sorted(found, key=lambda s: (-s[0], s[1]))

    def disputed(self) -> list[tuple[str, list[tuple[str, Any]]]]:
        """Causes whose own findings would name them but which an answer firmly contradicts
        (:mod:`expert.differential`), each with the answers that speak against it,
        ``(question, answer)``, in the order the firings ran: what the manager is asked to check."""
        found = []
        for cause in self.inference.causes:
            if not cause.disputed:
                continue
            said: list[tuple[str, Any]] = []
            for index in cause.against:
                for m in self.trace[index].matched:
                    if m.fact == "answer" and (m.id, m.value) not in said:
                        said.append((m.id, m.value))
            found.append((cause.id, said))
        return found

    def shown_by(self, cause: str) -> list[str]:
        """The symptoms and signs behind the evidence that counts for a cause (:meth:`cause_support`)."""
        shown = []
        for _, index in self.cause_support(cause):
            for m in self.trace[index].matched:
                if m.fact != "answer" and m.id not in shown:
                    shown.append(m.id)
        return shown

    def _measure(self, ident: str, lang: str) -> dict:
        item = self.plan.items[ident]
        m = self.kb.measures[ident]
        added = self.selection.added_for.get(ident) if self.selection else None
        return {
            "id": ident, "name": self.measure_name(ident, lang), "phase": item.phase, "phase_name": self.plan.phase_name(item.phase, lang),
            "transition": item.transition, "owner_name": self.kb.owners[item.owner].name[lang],
            **({"added_for": added} if added else {}),
            "certainty": None if item.certainty is None else _r(item.certainty),
            "pulled_in": item.pulled_in, "required_by": list(item.required_by),
            "owner": item.owner, "owner_text": m.owner_text[lang], "cost": item.cost, "weeks": item.weeks,
            "start_week": item.start, "finish_week": item.finish, "critical": item.critical,
            "prerequisites": list(item.prerequisites),
            "addresses": [a for a in m.addresses if self._present(a)],
        }

    def _present(self, ident: str) -> bool:
        """Whether a symptom is present, or a cause named, in this diagnosis."""
        if ident.startswith("SYM-"):
            return self.inference.cf("symptom", ident) >= PRESENT
        return any(c.id == ident and c.named for c in self.inference.causes)

    def _evidence(self, ev: Evidence, lang: str) -> dict:
        rule = self.system.rules.rules[ev.firing.rule]
        return {"rule": rule.id, "cf": _r(ev.cf), "summary": rule.summary[lang], "step": ev.firing.index + 1,
                "matched": [m.to_dict() for m in ev.firing.matched]}


def _r(value: float) -> float:
    return round(value, 3)


def _treatment(tr) -> dict:
    """What the plan does about a named cause, for JSON."""
    if tr.reason is None:
        return {"measures": list(tr.measures)}
    return {"measures": list(tr.measures), "reason": tr.reason, "measure": tr.measure}


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
        # a mapping given to the library uses today's question ids; it may also give derived values
        # (``derived:`` in the knowledge base), as the rule cases do
        plain = dict(answers)
        given = {q: plain.pop(q) for q in list(plain) if q in system.kb.derived}
        answers = check_answers(Document(Path("<answers>"), {"questionnaire": system.kb.questionnaire_version,
                                                              "answers": plain}), system.kb)
        answers.derived = _check_derived(system.kb, given)
    # values worked out rather than asked (the quick total; how far several respondents differ) go to the
    # rules with the answers (expert.quick, expert.respondents)
    derived = {**derived_quick(system.kb, answers.quick), **answers.derived}
    relevant, inference, level, target, selection = reason(system, answers.answers, answers.not_needed, derived)
    kept = {q: v for q, v in answers.answers.items() if relevant.get(q)}
    ignored = {q: v for q, v in answers.answers.items() if not relevant.get(q)}
    owners = {m: system.kb.owner_of(m, kept) for m in selection.chosen}
    plan = build_plan(system.kb, selection, owners,
                      phase_names(system.kb, level.id if level else None, target.id if target else None))
    in_place = selection.in_place
    deferred = [(m, cf) for m, cf in selection.deferred if m not in plan.items]

    def ranked(kind, threshold):
        found = [(f.id, f.cf) for f in inference.of_kind(kind) if f.cf >= threshold]
        return sorted(found, key=lambda p: (-round(p[1], 3), p[0]))

    causes = [(c.id, c.certainty) for c in inference.causes
              if c.named or (c.certainty >= ALSO_POSSIBLE and not c.contradicted)]
    contradictions = [(c.id, c.id in answers.confirmed) for c in find_contradictions(system.kb, answers.answers)]
    return Diagnosis(system, answers, inference, ignored, relevant, level, target, plan,
                     causes=causes, symptoms=ranked("symptom", PRESENT),
                     context=sorted([(f.id, f.cf) for f in inference.of_kind("context") if abs(f.cf) >= CONTEXT_THRESHOLD],
                                    key=lambda p: p[0]),
                     in_place=in_place, deferred=deferred, selection=selection, contradictions=contradictions,
                     quick=quick_reading(system.kb, answers.quick))


def _check_derived(kb: KnowledgeBase, given: Mapping[str, Any]) -> dict[str, Any]:
    from .errors import InputError, Location

    checked = {}
    for ident, value in given.items():
        normalised, problem = kb.derived[ident].normalise(value)
        if problem or normalised == UNKNOWN:
            raise InputError(f"derived value '{ident}': {problem or 'must be known'}", Location("<answers>"))
        checked[ident] = normalised
    return checked


def reason(system: ExpertSystem, answers: Mapping[str, Any], not_needed: Collection[str] = (),
           derived: Mapping[str, Any] | None = None) -> tuple[dict[str, bool], Inference, "LevelVerdict | None", "TargetVerdict | None", Selection]:
    """The verdict's making, shared by :func:`diagnose` and the trial diagnoses of question selection.

    Sets aside answers to questions that are not relevant, runs the rules, and
    decides the level, the target and the plan's measures. ``not_needed``
    names questions left unasked because no answer to them could change the
    diagnosis (:mod:`expert.selection`): unlike a missing answer, such a
    question does not count as unknown when the level's certainty is lowered.
    ``derived`` are values worked out rather than asked (the quick total, how
    far several respondents differ); the rules read them beside the answers.

    Returns ``(relevant, inference, level, target, selection)``.
    """
    relevant = relevance(system.kb, answers)
    kept = {q: v for q, v in answers.items() if relevant.get(q)}
    inference = system.reasoner.infer({**kept, **derived} if derived else kept)
    level = _level_verdict(system, inference, kept, relevant, not_needed)
    target = _target_verdict(system, inference, level)
    uncertain = level is not None and level.needs_finding_out or _share_unknown(kept) >= PARTIAL_VIEW
    selection = select(system.kb, inference, level.id if level else None, target.id if target else None,
                       uncertain, system.plain_measures)
    return relevant, inference, level, target, selection


def _share_unknown(answers: Mapping[str, Any]) -> float:
    """The share of the given answers that are 'unknown'. From ``PARTIAL_VIEW`` on, the causes rest
    partly on guesses and the plan opens with the staff survey, which finds the real ones (decision 3)."""
    return sum(1 for v in answers.values() if v == UNKNOWN) / len(answers) if answers else 0.0


def _level_verdict(system, inference: Inference, kept, relevant, not_needed: Collection[str] = ()
                   ) -> LevelVerdict | None:
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
    asked = [q for q in system.level_questions if relevant.get(q) and (q in kept or q not in not_needed)]
    unknown = [q for q in asked if kept.get(q, UNKNOWN) == UNKNOWN]
    share = len(unknown) / len(asked) if asked else 0.0
    certainty = best.cf * (1 - UNKNOWN_WEIGHT * share)
    support = {ident: inference.cf("support", ident) for ident in kb.levels}
    weight = system.level_questions
    topics = tuple(sorted(unknown, key=lambda q: (-weight[q], list(kb.questions).index(q)))[:UNKNOWN_TOPICS])
    return LevelVerdict(best.id, kb.levels[best.id].value, best.cf, certainty, share,
                        tuple(sorted(evidence_for, key=lambda e: (-e.cf, e.firing.index))),
                        tuple(sorted(evidence_against, key=lambda e: (e.cf, e.firing.index))), support, topics)


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
