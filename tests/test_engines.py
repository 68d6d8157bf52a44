"""The CLIPS engine is equivalent to experta, the reference: same firings, same order, same certainties.

The CLIPS program is generated from the rule base (expert/compiler_clips.py),
never written by hand, so these tests are what keeps it honest while the rules
change: every rule case and 10,000 generated answer sets must give identical
traces and stage certainties on both engines.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import sys
from types import SimpleNamespace

import pytest

import expert
from expert.cases import run_case
from expert.compiler_clips import Program, _float, _symbol
from expert.conditions import FindingLeaf, leaves
from expert.inference import choose_engine
from expert.sampling import AnswerSampler
from conftest import EXAMPLES
from test_rule_cases import CASES

pytest.importorskip("clips")

GENERATED = 10_000


def without_engine(d: expert.Diagnosis) -> dict:
    data = d.to_dict()
    data.pop("engine")
    return data


class TestEquivalence:
    @pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
    def test_every_rule_case_gives_the_same_diagnosis_on_both_engines(self, case, system, clips_system):
        reference, fast = run_case(case, system), run_case(case, clips_system)
        assert not fast.failures, f"{case.id} fails on CLIPS:\n  " + "\n  ".join(fast.failures)
        # the whole JSON: level, target, causes, plan, every firing with premise, matched values and certainties
        assert json.dumps(without_engine(fast.diagnosis)) == json.dumps(without_engine(reference.diagnosis))

    @pytest.mark.slow
    def test_generated_answer_sets_fire_the_same_rules_with_the_same_certainties(self, system, clips_system):
        """10,000 seeded answer sheets (some answers unknown, missing, or tuples of values), both cores."""
        chunks = [range(start, GENERATED, 2) for start in (0, 1)]
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - no fork on this platform: one core
            results = [_compare(chunk) for chunk in chunks]
        else:
            # Frozen objects are left alone by the workers' garbage collector, so
            # the loaded engines' pages stay shared instead of being copied.
            gc.freeze()
            try:
                with context.Pool(2) as pool:
                    results = pool.map(_compare, chunks)
            finally:
                gc.unfreeze()
        compared = sum(n for n, _ in results)
        differences = [d for _, found in results for d in found]
        assert compared == GENERATED
        assert not differences, "\n".join(differences[:5])

    def test_a_tuple_answer_reads_the_same_on_both_engines(self, system, clips_system):
        answers = {"marketing_department": "separate", "conflict_frequency": ("often", "constantly"),
                   "conflict_topic": ("price",), "employees": 300}
        fired = {}
        for s in (system, clips_system):
            fired[s.engine] = []
            values = s.reasoner.stage_values(answers, fired=fired[s.engine])
        assert fired["clips"] == fired["experta"] and "price-conflicts" in fired["clips"]
        assert values["symptom"]["SYM-PRICE-CONFLICT"] > 0


def _compare(seeds) -> tuple[int, list[str]]:
    """Both engines on the sheets of these seeds: the firing sequence and every stage's certainties."""
    reference, fast = expert.load_expert(engine="experta"), expert.load_expert(engine="clips")
    sampler = AnswerSampler(reference.kb, reference.rules, tuples=0.05)
    differences, count = [], 0
    for seed in seeds:
        answers = sampler.sheet(seed)
        fired_reference, fired_fast = [], []
        expected = reference.reasoner.stage_values(answers, fired=fired_reference)
        got = fast.reasoner.stage_values(answers, fired=fired_fast)
        count += 1
        if fired_fast != fired_reference:
            first = next((i for i, (a, b) in enumerate(zip(fired_reference, fired_fast)) if a != b),
                         min(len(fired_reference), len(fired_fast)))
            differences.append(f"seed {seed}: firing {first + 1} is {fired_fast[first:first + 1]} on CLIPS, "
                               f"{fired_reference[first:first + 1]} on experta")
        elif got != expected:
            kind = next(k for k in expected if got.get(k) != expected[k])
            differences.append(f"seed {seed}: {kind} certainties differ")
    return count, differences


# A small rule base written for this test: every kind of leaf, nested all/any/not,
# and a kind concluded by two stages before a third reads it. The generated CLIPS
# program must agree with experta on it too, not only on today's rules.
SMALL_RULES = {
    "first": ("symptom", [
        ("in-a-or-b", {"answer": "q1", "in": ["a", "b"]}, [("symptom", "S1", 0.8)]),
        ("not-a", {"not": {"answer": "q1", "in": ["a"]}}, [("symptom", "S2", 0.6)]),
        ("n-between", {"all": [{"answer": "n", "min": 10}, {"not": {"answer": "n", "min": 50}}]}, [("symptom", "S3", 0.7)]),
        ("weighted", {"answer": "q2", "weights": {"x": 0.5, "y": 0.9}}, [("symptom", "S1", 0.5)]),
        ("nested", {"any": [{"answer": "q1", "is": "c"},
                            {"all": [{"not": {"answer": "n", "max": 70}}, {"not": {"answer": "q2", "is": "y"}}]}]},
         [("symptom", "S4", 0.9), ("symptom", "S3", 0.2)]),
        ("against", {"not": {"any": [{"answer": "n", "max": 5}, {"answer": "q2", "in": ["x"]}]}},
         [("symptom", "S2", -0.4)]),
    ]),
    "second": ("symptom", [
        ("z-again", {"answer": "q2", "is": "z"}, [("symptom", "S1", 0.3)]),
    ]),
    "third": ("cause", [
        ("s1-strong", {"symptom": "S1", "min": 0.5}, [("cause", "C1", 1.0)]),
        ("s2-against", {"all": [{"symptom": "S2", "max": -0.2}, {"symptom": "S3", "at_least": 0.3}]},
         [("cause", "C2", 0.8)]),
        ("either", {"any": [{"symptom": "S4", "min": 0.3}, {"not": {"symptom": "S1", "below": 0.6}}]},
         [("cause", "C1", 0.4)]),
        ("not-strongly-against", {"not": {"symptom": "S2", "max": -0.5}}, [("cause", "C3", 0.5)]),
        ("mixed", {"all": [{"symptom": "S1"}, {"any": [{"symptom": "S3", "min": 0.5},
                                                      {"all": [{"symptom": "S4", "at_least": 0.2},
                                                               {"answer": "q1", "not_in": ["a"]}]}]}]},
         [("cause", "C3", 0.6), ("cause", "C2", -0.3)]),
    ]),
}


class SmallKnowledgeBase:
    # in the order the differential diagnosis breaks ties in; none is named with another, none is a root
    causes = {c: SimpleNamespace(id=c, named_with=(), root_because=None) for c in ("C1", "C2", "C3")}

    def ids_of_kind(self, kind):
        return {"symptom": ("S1", "S2", "S3", "S4"), "cause": self.causes}.get(kind, ())


def small_ruleset():
    from pathlib import Path
    from types import MappingProxyType

    from expert.conditions import ConditionParser
    from expert.documents import Document
    from expert.errors import Location
    from expert.rules import Conclusion, Rule, RuleSet, Stage

    parser = ConditionParser(Document(Path("rules/small.yaml"), {}))
    stages, rules = [], {}
    for index, (stage_id, (kind, entries)) in enumerate(SMALL_RULES.items()):
        stage_rules = tuple(Rule(ident, stage_id, {"en": ident}, parser.parse(when, ("when",)),
                                 tuple(Conclusion(*c) for c in then), {"en": "test"}, None, (), (), Location())
                            for ident, when, then in entries)
        rules.update((r.id, r) for r in stage_rules)
        stages.append(Stage(stage_id, index, {"en": stage_id}, (kind,), stage_rules, Location()))
    return RuleSet(Path("rules"), tuple(stages), MappingProxyType(rules))


def test_engines_agree_on_a_small_rule_base_with_every_kind_of_condition():
    import random

    from expert.inference import Reasoner

    ruleset = small_ruleset()
    reference, fast = (Reasoner(SmallKnowledgeBase(), ruleset, engine) for engine in ("experta", "clips"))
    choices = {"q1": ["a", "b", "c", "unknown", None, ("a", "c"), ()], "q2": ["x", "y", "z", "unknown", None, ("x", "y")],
               "n": [0, 5, 9, 10, 49, 50, 70, 71, 100, "unknown", None]}
    rng = random.Random(14)
    fired_somewhere = set()
    for _ in range(400):
        answers = {q: v for q, values in choices.items() if (v := rng.choice(values)) is not None}
        expected, got = reference.infer(answers), fast.infer(answers)
        assert [f.to_dict() for f in got.trace] == [f.to_dict() for f in expected.trace], answers
        assert got.findings == expected.findings
        fired_somewhere |= {f.rule for f in got.trace}
        assert sum(f.rule == "s1-strong" for f in got.trace) <= 1  # S1 concluded twice, read once
    assert fired_somewhere == set(ruleset.rules)


class TestGeneratedProgram:
    def test_every_rule_is_generated_from_the_rule_base(self, system):
        program = Program(system.rules)
        rules = [c for c in program.constructs if c.startswith("(defrule ")]
        assert len(rules) == len(system.rules.rules)
        assert program.text() == Program(system.rules).text()  # deterministic

    def test_thresholds_are_read_back_by_clips_as_the_same_numbers(self, clips_system):
        env = clips_system.reasoner.backend.env
        thresholds = {leaf.threshold for rule in clips_system.rules.rules.values() for leaf in leaves(rule.when)
                      if isinstance(leaf, FindingLeaf)}
        thresholds |= {round(i / 10_000, 4) for i in range(-10_000, 10_001, 7)}
        for t in sorted(thresholds):
            assert env.eval(_float(t)) == t

    def test_ids_that_are_not_clips_symbols_get_safe_names(self):
        taken: set[str] = set()
        names = [_symbol(ident, f"id-{i}", taken) for i, ident in enumerate(["SYM-A", "2-B", "C D", "MAIN", "id-1"])]
        assert names[0] == "SYM-A" and len(set(names)) == 5
        assert all(n[0].isalpha() and " " not in n and n != "MAIN" for n in names)

    def test_memory_stays_flat_over_many_runs(self, clips_system):
        """clipspy's own assert functions would leak a fact per run; ours go through deffunctions."""
        reasoner, env = clips_system.reasoner, clips_system.reasoner.backend.env
        answers = {"marketing_department": "separate", "conflict_frequency": "often", "employees": 300}
        for _ in range(50):
            reasoner.infer(answers)
        before = env.eval("(mem-used)")
        for _ in range(300):
            reasoner.infer(answers)
        assert env.eval("(mem-used)") - before < 10_000


class TestChoosingTheEngine:
    def test_clips_is_the_default_where_installed(self, monkeypatch):
        monkeypatch.delenv("ACCORD_ENGINE", raising=False)
        assert choose_engine() == "clips"

    def test_the_environment_variable_chooses(self, monkeypatch):
        monkeypatch.setenv("ACCORD_ENGINE", "experta")
        assert choose_engine() == "experta"
        assert choose_engine("clips") == "clips"  # an explicit choice wins

    def test_without_clipspy_accord_falls_back_to_experta(self, monkeypatch):
        monkeypatch.delenv("ACCORD_ENGINE", raising=False)
        monkeypatch.setitem(sys.modules, "clips", None)  # import clips now raises ImportError
        assert choose_engine() == "experta"
        with pytest.raises(expert.EngineError, match="needs clipspy"):
            choose_engine("clips")

    def test_an_unknown_engine_is_named_in_the_error(self, monkeypatch):
        monkeypatch.setenv("ACCORD_ENGINE", "drools")
        with pytest.raises(expert.EngineError, match="ACCORD_ENGINE=drools: unknown engine"):
            choose_engine()

    @pytest.mark.parametrize("engine", ["clips", "experta"])
    def test_the_json_says_which_engine_ran(self, runner, engine):
        from cli import main

        result = runner.invoke(main, ["--engine", engine, "diagnose", "--answers",
                                      str(EXAMPLES / "aligned-software.yaml"), "--format", "json"])
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["engine"] == engine

    def test_asking_for_clips_without_clipspy_is_one_line_and_exit_2(self, runner, monkeypatch):
        from cli import main

        monkeypatch.setitem(sys.modules, "clips", None)
        monkeypatch.setenv("ACCORD_ENGINE", "clips")
        result = runner.invoke(main, ["diagnose", "--answers", str(EXAMPLES / "aligned-software.yaml")])
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines() == [
            "accord: error: ACCORD_ENGINE=clips: the CLIPS engine needs clipspy (pip install clipspy); "
            "without it use --engine experta"]


@pytest.mark.parametrize("fmt", ["json", "md", "text"])
def test_reports_are_byte_identical_on_both_engines_but_for_the_engine(fmt, runner):
    from cli import main

    outputs = {}
    for engine in ("clips", "experta"):
        result = runner.invoke(main, ["--engine", engine, "diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"),
                                      "--format", fmt])
        assert result.exit_code == 0, result.stderr
        outputs[engine] = result.stdout.replace(f'"engine": "{engine}"', '"engine": "?"')
    assert outputs["clips"] == outputs["experta"]
