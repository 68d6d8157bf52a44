"""``accord kb check``: every problem of the knowledge and rule bases, located.

Loading is done leniently so that one broken entry does not hide the others;
the rule test cases are then run to find rules that no case exercises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import AccordError, Problem
from .knowledge import data_dir, load_knowledge_base
from .rules import load_rules


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""


def default_cases_dir(rules_dir: Path) -> Path | None:
    candidate = rules_dir.resolve().parent / "tests" / "cases"
    return candidate if candidate.is_dir() else None


def check_all(kb_dir=None, rules_dir=None, cases_dir=None, engine: str | None = None) -> CheckReport:
    """Check everything; problems are reported, never raised.

    The rule test cases run on ``engine``, by default experta: the reference
    engine the rules are written and tested against.
    """
    from .cases import case_problems, load_cases, run_case
    from .diagnosis import ExpertSystem, _level_questions
    from .inference import Reasoner

    report = CheckReport()
    try:
        kb = load_knowledge_base(kb_dir, strict=False)
    except AccordError as exc:
        report.problems.append(Problem(exc.message, exc.location))
        return report
    report.problems.extend(kb.problems)
    rules_path = Path(rules_dir) if rules_dir else data_dir("rules")
    try:
        ruleset = load_rules(kb, rules_path, strict=False)
    except AccordError as exc:
        report.problems.append(Problem(exc.message, exc.location))
        return report
    report.problems.extend(ruleset.problems)
    if report.problems:
        report.notes.append("rule test cases were not run because the bases have problems")
        return report
    cases_path = Path(cases_dir) if cases_dir else default_cases_dir(rules_path)
    counted = ""
    if cases_path is None:
        report.notes.append("no tests/cases directory found; rules were not checked for test cases")
    else:
        try:
            cases = load_cases(cases_path)
            system = ExpertSystem(kb, ruleset, Reasoner(kb, ruleset, engine or "experta"), _level_questions(ruleset))
            results = [run_case(case, system) for case in cases]
        except AccordError as exc:
            report.problems.append(Problem(exc.message, exc.location))
            return report
        report.problems.extend(case_problems(cases, results, system))
        counted = f", {len(cases)} test cases"
    report.summary = (f"ok: {len(kb.questions)} questions, {len(kb.measures)} measures, "
                      f"{len(ruleset.rules)} rules in {len(ruleset.stages)} stages{counted}")
    return report
