"""The rule base: ``rules/*.yaml``, one file per inference stage.

A rule is a documented record (id, summary, when, then, because, sources)
read from YAML and checked against the knowledge base: every question, value
and conclusion it names must exist, and it may read only what earlier stages
concluded, so that certainties are final before anyone reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .conditions import (Condition, ConditionParser, FINDING_KINDS, FindingLeaf, findings_read, is_number,
                         leaves, questions_read)
from .documents import read_document
from .errors import KnowledgeBaseError, Location, Problem
from .knowledge import KnowledgeBase, Text, check_values, data_dir
from .schema import SPECS, check_entry

@dataclass(frozen=True)
class Conclusion:
    """One item of a rule's ``then``: a conclusion with the rule's certainty for it."""

    kind: str
    id: str
    cf: float


@dataclass(frozen=True)
class Rule:
    id: str
    stage: str
    summary: Text
    when: Condition
    then: tuple[Conclusion, ...]
    because: Text
    limits: Text | None
    aliases: tuple[str, ...]
    sources: tuple[str, ...]
    location: Location

    def reads_question(self, question: str) -> bool:
        return question in questions_read(self.when)


@dataclass(frozen=True)
class Stage:
    id: str
    index: int
    name: Text
    concludes: tuple[str, ...]
    rules: tuple[Rule, ...]
    location: Location

    def reads(self) -> set[str]:
        """The kinds of fact this stage's rules read (``answer`` for answers)."""
        kinds = set()
        for rule in self.rules:
            for leaf in leaves(rule.when):
                kinds.add(leaf.fact)
        return kinds


@dataclass(frozen=True)
class RuleSet:
    directory: Path
    stages: tuple[Stage, ...]
    rules: Mapping[str, Rule]
    problems: tuple[Problem, ...] = ()

    def rules_concluding(self, ident: str) -> list[Rule]:
        return [r for r in self.rules.values() if any(c.id == ident for c in r.then)]

    def rules_reading_question(self, question: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.reads_question(question)]

    def rules_reading(self, kind: str, ident: str) -> list[Rule]:
        return [r for r in self.rules.values() if (kind, ident) in findings_read(r.when)]

    def resolve(self, rule_id: str) -> Rule | None:
        """A rule by id or by one of its old ids (``aliases``)."""
        if rule_id in self.rules:
            return self.rules[rule_id]
        return next((r for r in self.rules.values() if rule_id in r.aliases), None)


def load_rules(kb: KnowledgeBase, directory: Path | str | None = None, strict: bool = True) -> RuleSet:
    """Load ``rules/*.yaml`` and check every rule against the knowledge base.

    Parameters
    ----------
    kb : KnowledgeBase
    directory : path-like, optional
        The ``rules/`` directory; the bundled one by default.
    strict : bool
        Raise the first problem (default); otherwise keep them in ``RuleSet.problems``.
    """
    directory = Path(directory) if directory else data_dir("rules")
    if not directory.is_dir():
        raise KnowledgeBaseError("rules directory not found", Location(str(directory)))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError("no *.yaml files in the rules directory", Location(str(directory)))
    problems: list[Problem] = []
    stages: list[Stage] = []
    all_rules: dict[str, Rule] = {}
    concluded_before: set[str] = set()
    concluded_by_stage: list[set[str]] = []
    question_types = {q.id: q.type for q in kb.questions.values()}
    question_types.update({q.id: q.type for q in kb.derived.values()})  # values worked out, read like answers
    for path in files:
        doc = read_document(path, KnowledgeBaseError, f"{directory.name}/{path.name}")
        data = doc.data
        if not isinstance(data, Mapping) or "stage" not in data or "rules" not in data:
            problems.append(Problem("a rule file needs 'stage' and 'rules'", doc.locate()))
            continue
        extra = sorted(set(map(str, data)) - {"stage", "rules"})
        if extra:
            problems.append(Problem(f"unknown key '{extra[0]}' (a rule file has 'stage' and 'rules')", doc.locate(extra[0])))
        stage_problems = check_entry(data["stage"], SPECS["stage"], doc, ("stage",))
        problems += stage_problems
        if stage_problems:
            continue
        stage_id = data["stage"]["id"]
        concludes = tuple(data["stage"]["concludes"])
        if not isinstance(data["rules"], list) or not data["rules"]:
            problems.append(Problem("'rules' must be a non-empty list", doc.locate("rules")))
            continue
        parser = ConditionParser(doc, question_types)
        stage_rules = []
        for index, entry in enumerate(data["rules"]):
            where = ("rules", index)
            entry_problems = check_entry(entry, SPECS["rules"], doc, where)
            if entry_problems:
                problems += entry_problems
                continue
            loc = doc.locate(*where)
            try:
                when = parser.parse(entry["when"], where + ("when",))
            except KnowledgeBaseError as exc:
                problems.append(Problem(exc.message, exc.location))
                continue
            then, then_problems = _parse_then(entry["then"], doc, where, concludes, kb)
            problems += then_problems
            rule = Rule(id=entry["id"], stage=stage_id, summary=entry["summary"], when=when, then=then,
                        because=entry["because"], limits=entry.get("limits"),
                        aliases=tuple(entry.get("aliases", ())), sources=tuple(entry["sources"]), location=loc)
            problems += _check_rule(rule, kb, concluded_before)
            if rule.id in all_rules:
                problems.append(Problem(f"duplicate rule id '{rule.id}' (first defined at {all_rules[rule.id].location})", loc))
                continue
            all_rules[rule.id] = rule
            stage_rules.append(rule)
        stages.append(Stage(stage_id, len(stages), data["stage"]["name"], concludes, tuple(stage_rules),
                            doc.locate("stage")))
        concluded_before |= set(concludes)
        concluded_by_stage.append(set(concludes))
    # A kind may be read only once its certainty is final: no stage from the
    # reader's on may conclude it again.
    for position, stage in enumerate(stages):
        later = set().union(*concluded_by_stage[position:])
        for kind in sorted(stage.reads() & later):
            problems.append(Problem(f"stage '{stage.id}' reads {kind} conclusions, but this or a later stage "
                                    f"concludes {kind} too, so their certainty is not final yet", stage.location))
    aliases = {}
    for rule in all_rules.values():
        for alias in rule.aliases:
            if alias in all_rules or alias in aliases:
                problems.append(Problem(f"alias '{alias}' is already used", rule.location))
            aliases[alias] = rule.id
    ruleset = RuleSet(directory, tuple(stages), MappingProxyType(all_rules), tuple(problems))
    if strict and problems:
        raise KnowledgeBaseError(problems[0].message, problems[0].location)
    return ruleset


def _parse_then(items, doc, where, concludes, kb: KnowledgeBase):
    conclusions, problems = [], []
    for i, item in enumerate(items):
        path = where + ("then", i)
        kinds = [k for k in FINDING_KINDS if isinstance(item, Mapping) and k in item]
        if not isinstance(item, Mapping) or len(kinds) != 1 or set(item) != {kinds[0], "cf"}:
            problems.append(Problem("a conclusion is {<kind>: <id>, cf: <certainty>}", doc.locate(*path)))
            continue
        kind, ident, cf = kinds[0], item[kinds[0]], item["cf"]
        if kind not in concludes:
            problems.append(Problem(f"this stage concludes {', '.join(concludes)}, not {kind}", doc.locate(*path)))
        if ident not in kb.ids_of_kind(kind):
            problems.append(Problem(f"unknown {kind} '{ident}'", doc.locate(*path, kind)))
        if not is_number(cf) or not -1 <= cf <= 1 or cf == 0:
            problems.append(Problem("'cf' needs a non-zero certainty between -1 and 1", doc.locate(*path, "cf")))
            continue
        conclusions.append(Conclusion(kind, ident, float(cf)))
    return tuple(conclusions), problems


def _check_rule(rule: Rule, kb: KnowledgeBase, concluded_before: set[str]) -> list[Problem]:
    problems = []
    for name in sorted(questions_read(rule.when)):
        if kb.answer_question(name) is None:
            problems.append(Problem(f"rule '{rule.id}' reads unknown question '{name}'", rule.location))
    problems += [Problem(f"rule '{rule.id}': {p.message}", p.location) for p in check_values(kb, rule.when, rule.location)]
    for leaf in leaves(rule.when):
        if isinstance(leaf, FindingLeaf):
            if leaf.id not in kb.ids_of_kind(leaf.fact):
                problems.append(Problem(f"rule '{rule.id}' reads unknown {leaf.fact} '{leaf.id}'", rule.location))
            elif leaf.fact not in concluded_before:
                problems.append(Problem(f"rule '{rule.id}' reads {leaf.fact} conclusions, which no earlier stage "
                                        "makes", rule.location))
    known = kb.all_ids()
    for ident in rule.sources:
        if ident not in known:
            problems.append(Problem(f"rule '{rule.id}': 'sources' names unknown id '{ident}'", rule.location))
    return problems
