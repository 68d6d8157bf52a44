"""``accord kb check``: every problem of the knowledge and rule bases, located.

Loading is done leniently so that one broken entry does not hide the others;
the rule test cases are then run to find rules that no case exercises.

Besides problems (errors), the check reports warnings: things that are
probably wrong but may be deliberate. A question whose answer no rule and no
follow-up condition reads is an error (asking it changes nothing); a choice
that no rule or follow-up condition names is a warning, since one choice of a
question may be the plain case from which nothing follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .conditions import AnswerLeaf, leaves
from .errors import AccordError, Problem
from .knowledge import KnowledgeBase, data_dir, load_knowledge_base
from .rules import RuleSet, load_rules


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""


def _conditions(kb: KnowledgeBase, ruleset: RuleSet):
    """Every condition that decides something: rules' ``when`` and questions' ``ask_when``.

    Contradictions are left out on purpose: they check answers, they do not use them.
    """
    for rule in ruleset.rules.values():
        yield rule.when
    for question in kb.questions.values():
        if question.ask_when is not None:
            yield question.ask_when


def unread_questions(kb: KnowledgeBase, ruleset: RuleSet) -> list[Problem]:
    """Questions whose answer no rule and no follow-up condition reads: asking them changes nothing."""
    read = {leaf.question for cond in _conditions(kb, ruleset) for leaf in leaves(cond)
            if isinstance(leaf, AnswerLeaf)}
    return [Problem(f"question '{q.id}' is read by no rule and opens no follow-up question; "
                    "its answer changes nothing", q.location)
            for q in kb.questions.values() if q.id not in read] + \
        [Problem(f"derived value '{q.id}' is read by no rule; working it out changes nothing", q.location)
         for q in kb.derived.values() if q.id not in read]


def unused_choices(kb: KnowledgeBase, ruleset: RuleSet) -> list[Problem]:
    """Choices of a question that no rule or follow-up condition names (in ``is``, ``in``, ``not_in``, ``weights``)."""
    named: dict[str, set] = {}
    for cond in _conditions(kb, ruleset):
        for leaf in leaves(cond):
            if isinstance(leaf, AnswerLeaf):
                values = [v for v, _ in leaf.operand] if leaf.op == "weights" else \
                    (leaf.operand if leaf.op in ("in", "not_in") else ())
                named.setdefault(leaf.question, set()).update(values)
    found = []
    for q in kb.questions.values():
        for choice in q.choices:
            if choice.value not in named.get(q.id, ()):
                found.append(Problem(f"choice '{choice.value}' of question '{q.id}' is named by no rule or "
                                     "follow-up condition; nothing follows from that answer in particular",
                                     q.location))
    return found


def default_cases_dir(rules_dir: Path) -> Path | None:
    candidate = rules_dir.resolve().parent / "tests" / "cases"
    return candidate if candidate.is_dir() else None


def check_all(kb_dir=None, rules_dir=None, cases_dir=None, engine: str | None = None) -> CheckReport:
    """Check everything; problems are reported, never raised.

    The rule test cases run on ``engine``, by default experta: the reference
    engine the rules are written and tested against.
    """
    from .cases import case_problems, load_cases, run_case
    from .diagnosis import make_system
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
    report.problems.extend(unread_questions(kb, ruleset))
    report.warnings.extend(unused_choices(kb, ruleset))
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
            system = make_system(kb, ruleset, engine or "experta")
            results = [run_case(case, system) for case in cases]
        except AccordError as exc:
            report.problems.append(Problem(exc.message, exc.location))
            return report
        report.problems.extend(case_problems(cases, results, system))
        counted = f", {len(cases)} test cases"
    warned = f"; {len(report.warnings)} warning(s)" if report.warnings else ""
    report.summary = (f"ok: {len(kb.questions)} questions, {len(kb.measures)} measures, "
                      f"{len(ruleset.rules)} rules in {len(ruleset.stages)} stages, "
                      f"{len(kb.contradictions)} contradictions{counted}{warned}")
    return report
