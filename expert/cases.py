"""Rule test cases kept as data (``tests/cases/*.yaml``) and their runner.

A case file holds file-level ``defaults`` (answers merged into every case)
and a list of ``cases``. Each case states, in one line, why it exists, gives
answers, and lists the conclusions expected present and absent, and
optionally rules that must fire or stay silent::

    defaults:
      marketing_department: separate
    cases:
      - id: price-war
        why: Disputes over discounts point to the price P of the 3 Ps.
        answers: {conflict_frequency: often, conflict_topic: price}
        expect:
          symptom: [SYM-PRICE-CONFLICT]
          cause: [CAUSE-PRICE-3P]
        absent:
          symptom: [SYM-PROMOTION-CONFLICT]
        fires: [price-conflicts]
        silent: [promotion-conflicts]

A case may rate the quick self-assessment (``quick: {statement: 1–5}``),
give derived values among its answers (``views_differ: 40``), or describe
several respondents of one organisation, each with a role, whose answers
are combined as ``accord diagnose`` combines several files (``answers``
then holds what every respondent answered alike)::

      - id: heads-disagree
        why: Opposite views of the two heads are a perception gap.
        respondents:
          - {role: sales, answers: {joint_meetings: never}}
          - {role: marketing, answers: {joint_meetings: weekly}}
        expect:
          symptom: [SYM-PERCEPTION-GAP]

``expect`` takes, per kind, a list of ids (certainty at least 0.2; for
causes and measures the diagnosis' own reporting thresholds) or a mapping of
id to a minimum certainty; a negative number expects the opposite to hold at
least that firmly (a certainty at most that number). ``level`` and ``target`` take a single id. A
measure is expected as the rules recommend it, whether the plan keeps it or
defers it past its phase's limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .conditions import FINDING_KINDS, PRESENT
from .diagnosis import CAUSE_THRESHOLD, MEASURE_THRESHOLD, Diagnosis, ExpertSystem, diagnose
from .documents import Document, read_document
from .errors import KnowledgeBaseError, Location, Problem

_KINDS = set(FINDING_KINDS)


@dataclass
class Case:
    id: str
    why: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    absent: dict[str, Any]
    fires: list[str]
    silent: list[str]
    location: Location
    quick: dict[str, Any] | None = None  # ratings of the quick self-assessment
    respondents: list[dict[str, Any]] = field(default_factory=list)  # several respondents: role, answers, quick

    @property
    def test_id(self) -> str:
        return self.id

    def location_path(self, respondent: int) -> Path:
        """A name for one respondent of the case in messages: the case file and the case id."""
        return Path(f"{self.location.file or 'case'}#{self.id}.{respondent}")


@dataclass
class CaseResult:
    case: Case
    diagnosis: Diagnosis
    fired: set[str]
    failures: list[str] = field(default_factory=list)


def load_cases(directory: Path | str) -> list[Case]:
    """Read every ``*.yaml`` case file of a directory, in file order."""
    cases: list[Case] = []
    seen: dict[str, Location] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        doc = read_document(path, KnowledgeBaseError)
        data = doc.data if isinstance(doc.data, Mapping) else {}
        defaults = data.get("defaults") or {}
        entries = data.get("cases")
        if not isinstance(entries, list):
            raise KnowledgeBaseError("a case file needs a 'cases' list", doc.locate())
        for index, entry in enumerate(entries):
            loc = doc.locate("cases", index)
            case = _case(entry, defaults, doc, index, loc)
            if case.id in seen:
                raise KnowledgeBaseError(f"duplicate case id '{case.id}' (also at {seen[case.id]})", loc)
            seen[case.id] = loc
            cases.append(case)
    return cases


def _case(entry, defaults, doc: Document, index: int, loc: Location) -> Case:
    if not isinstance(entry, Mapping) or "id" not in entry or "why" not in entry or \
            ("answers" not in entry and "respondents" not in entry):
        raise KnowledgeBaseError("a case needs 'id', 'why' and 'answers' (or 'respondents')", loc)
    unknown = set(entry) - {"id", "why", "answers", "expect", "absent", "fires", "silent", "quick", "respondents"}
    if unknown:
        raise KnowledgeBaseError(f"unknown key '{sorted(unknown)[0]}' in a case", loc)
    for key in ("expect", "absent"):
        for kind in entry.get(key) or {}:
            if kind not in _KINDS:
                raise KnowledgeBaseError(f"'{key}' names unknown kind '{kind}'", doc.locate("cases", index, key, kind))
    answers = {**defaults, **(entry.get("answers") or {})}
    respondents = entry.get("respondents") or []
    if not isinstance(respondents, list) or any(not isinstance(r, Mapping) or set(r) - {"role", "answers", "quick"}
                                                for r in respondents):
        raise KnowledgeBaseError("'respondents' is a list of {role: …, answers: {…}, quick: {…}}",
                                 doc.locate("cases", index, "respondents"))
    return Case(str(entry["id"]), str(entry["why"]), answers, dict(entry.get("expect") or {}),
                dict(entry.get("absent") or {}), list(entry.get("fires") or []), list(entry.get("silent") or []), loc,
                entry.get("quick"), [dict(r) for r in respondents])


def run_case(case: Case, system: ExpertSystem) -> CaseResult:
    """Diagnose a case's answers and compare with what it expects."""
    d = _diagnose_case(case, system)
    fired = {f.rule for f in d.trace}
    result = CaseResult(case, d, fired)
    for kind, wanted in case.expect.items():
        for ident, minimum in _wanted(kind, wanted):
            actual = _actual(d, kind, ident)
            if minimum < 0 and actual > minimum:
                result.failures.append(f"expected {kind} {ident} against (certainty ≤ {minimum:g}), got {actual:.3f}")
            elif minimum >= 0 and actual < minimum:
                result.failures.append(f"expected {kind} {ident} (certainty ≥ {minimum:g}), got {actual:.3f}")
    for kind, unwanted in case.absent.items():
        for ident, _ in _wanted(kind, unwanted):
            actual = _actual(d, kind, ident)
            if actual >= _threshold(kind):
                result.failures.append(f"expected no {kind} {ident}, got certainty {actual:.3f}")
    for rule in case.fires:
        if rule not in fired:
            result.failures.append(f"expected rule '{rule}' to fire")
    for rule in case.silent:
        if rule in fired:
            result.failures.append(f"expected rule '{rule}' to stay silent")
    return result


def _diagnose_case(case: Case, system: ExpertSystem) -> Diagnosis:
    """The diagnosis of a case: its answers, or its respondents' answers combined."""
    if not case.quick and not case.respondents:
        return diagnose(case.answers, system)
    from .answers import check_answers
    from .respondents import diagnose_organisation

    derived = {q: v for q, v in case.answers.items() if q in system.kb.derived}
    shared = {q: v for q, v in case.answers.items() if q not in derived}
    people = case.respondents or [{"role": None, "answers": {}, "quick": case.quick}]
    sheets = []
    for number, person in enumerate(people, 1):
        data = {"organization": "Case", "questionnaire": system.kb.questionnaire_version,
                "answers": {**shared, **(person.get("answers") or {})}}
        if person.get("role"):
            data["respondent"] = {"role": person["role"]}
        if person.get("quick") is not None:
            data["quick"] = person["quick"]
        sheets.append(check_answers(Document(case.location_path(number), data), system.kb))
    if derived:
        sheets[0].derived = derived
    return diagnose_organisation(sheets, system)


def _threshold(kind: str) -> float:
    if kind == "cause":
        return CAUSE_THRESHOLD
    if kind == "measure":
        return MEASURE_THRESHOLD
    return PRESENT


def _wanted(kind: str, wanted) -> list[tuple[str, float]]:
    if isinstance(wanted, str):
        return [(wanted, _threshold(kind))]
    if isinstance(wanted, Mapping):
        return [(str(k), float(v)) for k, v in wanted.items()]
    return [(str(w), _threshold(kind)) for w in wanted]


def _actual(d: Diagnosis, kind: str, ident: str) -> float:
    if kind == "level":
        return d.level.evidence_cf if d.level and d.level.id == ident else 0.0
    if kind == "target":
        return d.target.certainty if d.target and d.target.id == ident else 0.0
    # a measure counts as recommended by the rules whether the plan keeps it or defers it
    return d.inference.cf(kind, ident)


def case_problems(cases: list[Case], results: list[CaseResult], system: ExpertSystem) -> list[Problem]:
    """Problems for ``accord kb check``: unknown ids in cases and rules not covered both ways."""
    problems = []
    known_rules = set(system.rules.rules)
    for case in cases:
        for rule in case.fires + case.silent:
            if rule not in known_rules:
                problems.append(Problem(f"case '{case.id}' names unknown rule '{rule}'", case.location))
        for block in (case.expect, case.absent):
            for kind, wanted in block.items():
                ids = system.kb.ids_of_kind(kind)
                for ident, _ in _wanted(kind, wanted):
                    if ident not in ids:
                        problems.append(Problem(f"case '{case.id}' names unknown {kind} '{ident}'", case.location))
    fired_somewhere = set().union(*(r.fired for r in results)) if results else set()
    silent_somewhere = set()
    for r in results:
        silent_somewhere |= known_rules - r.fired
    for rule in system.rules.rules.values():
        if rule.id not in fired_somewhere:
            problems.append(Problem(f"rule '{rule.id}' has no test case in which it fires", rule.location))
        elif rule.id not in silent_somewhere:
            problems.append(Problem(f"rule '{rule.id}' has no test case in which it stays silent", rule.location))
    return problems
