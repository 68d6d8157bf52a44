"""The engine's building blocks: certainty, conditions, relevance, the compat shim, the cache."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import expert
from expert import cache
from expert.answers import relevance
from expert.certainty import combine, combine_pair
from expert.conditions import All, AnswerLeaf, Any_, ConditionParser, FindingLeaf, evaluate
from expert.documents import Document
from expert.errors import KnowledgeBaseError

cfs = st.floats(min_value=-0.99, max_value=0.99, allow_nan=False)


class TestCertainty:
    @given(cfs, cfs)
    def test_combination_is_commutative(self, a, b):
        assert math.isclose(combine_pair(a, b), combine_pair(b, a), abs_tol=1e-9)

    @given(cfs, cfs, cfs)
    @settings(max_examples=200)
    def test_combination_is_associative(self, a, b, c):
        assert math.isclose(combine_pair(combine_pair(a, b), c), combine_pair(a, combine_pair(b, c)), abs_tol=1e-6)

    @given(st.lists(cfs, max_size=8))
    def test_combination_stays_in_range(self, values):
        assert -1 <= combine(values) <= 1

    def test_positive_evidence_combines_as_a_plus_b_minus_ab(self):
        assert combine([0.6, 0.5]) == pytest.approx(0.8)


def parse(data, question_types=None):
    return ConditionParser(Document(Path("rules/test.yaml"), {}), question_types).parse(data, ("when",))


class TestConditions:
    def test_not_is_pushed_down_to_the_leaves(self):
        cond = parse({"not": {"any": [{"answer": "q", "in": ["a"]}, {"symptom": "S", "min": 0.5}]}})
        assert cond == All((AnswerLeaf("q", "not_in", frozenset({"a"})), FindingLeaf("symptom", "S", "below", 0.5)))

    def test_yes_and_no_written_as_yaml_booleans_mean_yes_and_no(self):
        assert parse({"answer": "q", "is": True}, {"q": "yesno"}) == AnswerLeaf("q", "in", frozenset({"yes"}))

    def test_unknown_satisfies_no_answer_test(self):
        for leaf in (AnswerLeaf("q", "in", frozenset({"a"})), AnswerLeaf("q", "not_in", frozenset({"a"})),
                     AnswerLeaf("q", "min", 3)):
            assert not leaf.test("unknown") and not leaf.test(None)

    def test_premise_takes_the_minimum_of_all_and_the_maximum_of_any(self):
        cond = All((FindingLeaf("symptom", "A", "min", 0.2),
                    Any_((FindingLeaf("symptom", "B", "min", 0.2), FindingLeaf("symptom", "C", "min", 0.2)))))
        values = {"A": 0.9, "B": 0.3, "C": 0.6}
        holds, premise, matched = evaluate(cond, lambda fact, field: values[field])
        assert holds and premise == 0.6 and len(matched) == 3

    @pytest.mark.parametrize("data, message", [
        ({"answer": "q"}, "exactly one of"),
        ({"symptom": "S", "min": 2}, "between -1 and 1"),
        ({"symptom": "S", "max": 0.5}, "value ≤ 0"),
        ({"color": "red"}, "unknown condition"),
        ({"all": []}, "non-empty list"),
        ({"answer": "q", "is": "unknown"}, "cannot test for 'unknown'"),
    ])
    def test_malformed_conditions_are_rejected(self, data, message):
        with pytest.raises(KnowledgeBaseError, match=message):
            parse(data)


class TestRelevance:
    def test_a_follow_up_is_asked_only_when_its_condition_can_hold(self, system):
        kb = system.kb
        assert relevance(kb, {"marketing_department": "separate", "rewards": ("separate",)})["pay_resentment"]
        assert not relevance(kb, {"marketing_department": "separate", "rewards": ("common",)})["pay_resentment"]

    def test_a_follow_up_waits_for_its_parent_and_an_unknown_parent_closes_it(self, system):
        kb = system.kb
        # not yet answered: the follow-up may still be asked
        assert relevance(kb, {"marketing_department": "separate"})["pay_resentment"]
        # 'unknown' to the parent: a respondent who cannot say how the departments are paid
        # cannot say whether the pay gap breeds resentment either, so the follow-up is not asked
        assert not relevance(kb, {"marketing_department": "separate", "rewards": "unknown"})["pay_resentment"]

    def test_a_follow_up_of_an_irrelevant_question_is_irrelevant(self, system):
        answers = {"marketing_department": "separate", "marketing_origin": "grew_separately", "separation_years": "under_1"}
        states = relevance(system.kb, answers)
        assert not states["separation_years"] and not states["hostility_to_marketing"]


def test_cached_bases_equal_freshly_loaded_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ACCORD_NO_CACHE", raising=False)
    fresh_kb = expert.load_knowledge_base()
    fresh_rules = expert.load_rules(fresh_kb)
    cache.store("k", fresh_kb, fresh_rules)
    kb, rules = cache.load("k")
    assert kb.measures == fresh_kb.measures and kb.questions == fresh_kb.questions
    assert rules.rules == fresh_rules.rules and rules.stages == fresh_rules.stages


def test_a_broken_cache_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ACCORD_NO_CACHE", raising=False)
    (tmp_path / "bases-k.json").write_text('{"kb": {"__dc": "Popen", "f": {}}}', encoding="utf-8")
    assert cache.load("k") is None
