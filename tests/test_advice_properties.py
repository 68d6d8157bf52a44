"""What the advice promises, on every diagnosis (issue 9): checked on the examples, every rule
case and 10,000 generated answer sheets.

* A measure the answers show in place is never planned.
* At most five causes are named, and every named cause at 0.7 or more is treated by a planned
  measure or carries the reason it is not.
* No phase of the plan lies below the company's level: a measure is never in a later phase than
  its step puts it for this company (a prerequisite may come earlier, never later).
* No measure costing medium or high, and no restructuring, comes from a step beyond the target.
* Weeks are counted the same way in the plan, its JSON, the graph and the CSV.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing

import pytest

import expert
from expert.plan import graph as plan_graph
from expert.answers import read_answers
from expert.plan.selection import COSTLY, PLAN_PHASES, STRUCTURES, beyond_target, level_values, plan_phase
from expert.sampling import AnswerSampler

from conftest import EXAMPLES
from test_rule_cases import CASES

GENERATED = 10_000
TREATED = 0.7  # from this certainty a named cause must be treated or say why not


def broken_promises(d: expert.Diagnosis) -> list[str]:
    """Every promise of the module docstring that this diagnosis breaks, in words."""
    kb, plan, found = d.kb, d.plan, []
    both = set(d.in_place) & set(plan.order)
    if both:
        found.append(f"in place and planned: {sorted(both)}")
    named = [c for c in d.inference.causes if c.named]
    if len(named) > 5:
        found.append(f"{len(named)} causes named")
    treatments = {t.cause: t for t in d.selection.treatments} if d.selection else {}
    for cause in named:
        if cause.certainty >= TREATED:
            treatment = treatments.get(cause.id)
            if treatment is None or not (treatment.measures or treatment.reason):
                found.append(f"named cause {cause.id} ({cause.certainty:.2f}) neither treated nor explained")
    current, target = level_values(kb, d.level.id if d.level else None, d.target.id if d.target else None)
    for ident in plan.order:
        item, measure = plan.items[ident], kb.measures[ident]
        home = plan_phase(measure, current, target)
        if PLAN_PHASES.index(item.phase) > PLAN_PHASES.index(home):
            found.append(f"{ident} in phase {item.phase}, later than its step puts it ({home})")
        if d.level is not None and beyond_target(measure, target) and (measure.cost in COSTLY or ident in STRUCTURES):
            found.append(f"{ident} ({measure.cost}) comes from a step beyond the target")
        if item.finish != item.start + item.weeks:
            found.append(f"{ident}: weeks {item.start}+{item.weeks} ≠ {item.finish}")
    return found


def _check(seeds) -> list[str]:
    system = expert.load_expert()
    kb, rules = system.kb, system.rules
    separate = AnswerSampler(kb, rules, fixed={"marketing_department": "separate"})
    anything = AnswerSampler(kb, rules)
    problems = []
    for seed in seeds:
        sampler = anything if seed % 10 == 0 else separate  # most companies have a marketing department
        d = expert.diagnose(sampler.sheet(seed), system)
        problems += [f"seed {seed}: {p}" for p in broken_promises(d)]
    return problems


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_examples_keep_every_promise(path, system):
    assert broken_promises(expert.diagnose(read_answers(path, system.kb), system)) == []


def test_every_rule_case_keeps_every_promise(system):
    problems = []
    for case in CASES:
        problems += [f"{case.id}: {p}" for p in broken_promises(expert.diagnose(case.answers, system))]
    assert problems == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_weeks_agree_in_the_plan_its_json_the_graph_and_the_csv(path, system):
    d = expert.diagnose(read_answers(path, system.kb), system)
    data = d.to_dict()
    graph = plan_graph.plan_graph(d)
    rows = list(csv.reader(io.StringIO(plan_graph.export(d, "csv").decode("utf-8"))))[1:]
    columns = {name: i for i, name in enumerate(plan_graph.CSV_COLUMNS)}
    rows = [{name: row[i] for name, i in columns.items()} for row in rows]
    assert [r["id"] for r in rows] == d.plan.order
    for measure, row in zip(data["measures"], rows):
        item = d.plan.items[measure["id"]]
        # people count weeks from 1; machine fields give the weeks elapsed before the start
        assert int(row["start"]) == measure["start_week"] + 1 == graph.nodes[item.id]["start"] + 1
        assert int(row["weeks"]) == item.weeks == measure["finish_week"] - measure["start_week"]
        first, _, last = item.span.partition("–")
        assert int(first) == item.start + 1 and int(last or first) == item.finish


@pytest.mark.slow
def test_generated_answer_sheets_keep_every_promise():
    """10,000 seeded answer sheets (nine in ten with a marketing department), on both cores."""
    chunks = [range(start, GENERATED, 2) for start in (0, 1)]
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform: one core
        results = [_check(chunk) for chunk in chunks]
    else:
        gc.freeze()  # the loaded bases stay shared between the workers instead of being copied
        try:
            with context.Pool(2) as pool:
                results = pool.map(_check, chunks)
        finally:
            gc.unfreeze()
    problems = [p for found in results for p in found]
    assert not problems, f"{len(problems)} broken promises, e.g.:\n" + "\n".join(problems[:10])
