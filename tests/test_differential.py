"""The differential: which causes are named when they compete for the same findings."""

from expert.differential import MAX_NAMED, Link, rank_causes


def _second_everywhere() -> list[Link]:
    """A is the second-likeliest cause of four findings, each the first concern of its own cause
    (B..E), which also has a sign of its own; G has strong evidence nobody else explains."""
    links = []
    for firing, cause in enumerate("BCDE"):
        links.append(Link(cause, f"shared-{cause}", 0.6, 2 * firing))
        links.append(Link("A", f"shared-{cause}", 0.5, 2 * firing))
        links.append(Link(cause, f"own-{cause}", 0.5, 2 * firing + 1))
    return links + [Link("G", "own-G", 0.7, 8)]


def test_a_cause_whose_findings_the_others_explain_better_gives_way_to_one_with_evidence_of_its_own():
    # Summed alone, A's four weak links outscore everyone, so the greedy pass names it first, and
    # with B..E the cap of five is full before G. Once B..E are named, A explains nothing they
    # do not explain better: the swap pass names G instead.
    ranking = rank_causes(_second_everywhere(), list("ABCDEG"))
    named = {c.id for c in ranking if c.named}

    assert len(named) == MAX_NAMED
    assert named == set("BCDEG")
    a = next(c for c in ranking if c.id == "A")
    assert not a.named and set(a.explained_by) == set("BCDE")
    assert all(c.certainty >= 0.45 for c in ranking if c.named)


def test_a_named_cause_with_findings_of_its_own_keeps_its_place():
    # Same crowd, but A also has a strong finding of its own: it adds more than G would, and stays.
    links = [Link("A", "own-A", 0.9, 99)] + _second_everywhere()
    named = [c.id for c in rank_causes(links, list("ABCDEG")) if c.named]

    assert named[0] == "A" and "G" not in named


def _crowd() -> list[Link]:
    """Five causes, each with evidence of its own, and P, weaker than all five."""
    links = [Link(cause, f"own-{cause}", 0.8 - 0.02 * i, i) for i, cause in enumerate("ABCDE")]
    return links + [Link("P", "own-P", 0.5, 10)]


def test_a_cause_named_with_a_named_one_is_named_beside_it_past_the_cap():
    # E is named with P (a budget fight is usually a promotion conflict too): P is named although
    # five causes are more certain, and the named cause that adds least, other than E, gives way.
    ranking = rank_causes(_crowd(), list("ABCDEP"), companions={"E": ("P",)})
    named = {c.id: c for c in ranking if c.named}

    assert set(named) == set("ABCEP")
    assert named["P"].named_beside == "E" and named["P"].to_dict()["named_beside"] == "E"
    assert named["E"].named_beside is None


def test_a_companion_too_weak_to_be_named_on_its_own_evidence_is_not_named():
    weak = [link if link.cause != "P" else Link("P", "own-P", 0.3, 10) for link in _crowd()]
    named = {c.id for c in rank_causes(weak, list("ABCDEP"), companions={"E": ("P",)}) if c.named}

    assert named == set("ABCDE")


def test_a_root_cause_does_not_give_way_to_a_companion():
    # As above, but D is a cause the seeds call the origin of the others: C, the next that adds
    # least, gives way to P instead.
    ranking = rank_causes(_crowd(), list("ABCDEP"), companions={"E": ("P",)}, roots=frozenset("D"))
    assert {c.id for c in ranking if c.named} == set("ABDEP")


def test_the_cause_that_gives_way_is_never_a_root_while_another_could():
    # the swap pass and the companions both drop the named cause that adds least beside the others
    from expert.differential import _adding_least
    adds = {"X": 0.9, "R": 0.5, "S": 0.6}
    score = lambda cause, others: adds[cause]  # noqa: E731 - what each adds beside the others
    assert _adding_least(["X", "R"], ["X", "R"], score, {}) == "R"
    assert _adding_least(["X", "R"], ["X", "R"], score, {}, roots=frozenset("R")) == "X"
    assert _adding_least(["R", "S"], ["R", "S"], score, {}, roots=frozenset("RS")) == "R"  # all roots: the least


def test_a_root_cause_left_out_at_the_cap_is_named_when_its_own_evidence_is_strong():
    # Five causes more certain than R fill the five places; R is the origin of the others and
    # likely on its own evidence, so it is named, and the named cause that adds least gives way.
    crowd = [link for link in _crowd() if link.cause != "P"]
    ranking = rank_causes(crowd + [Link("R", "own-R", 0.7, 10)], list("ABCDER"), roots=frozenset("R"))
    assert {c.id for c in ranking if c.named} == set("ABCDR")
    # only a root is named past the cap, and only when its evidence is strong
    assert {c.id for c in rank_causes(crowd + [Link("R", "own-R", 0.7, 10)], list("ABCDER")) if c.named} == set("ABCDE")
    weak = rank_causes(crowd + [Link("R", "own-R", 0.6, 10)], list("ABCDER"), roots=frozenset("R"))
    assert {c.id for c in weak if c.named} == set("ABCDE")


def test_a_likely_cause_left_out_at_the_cap_still_explains_away_what_it_explains_best():
    # A..E fill the five places; F, likely on its own evidence, is left out at the cap. Q shares
    # F's finding, which F explains better: Q is not listed on its strength, and says F absorbed it.
    links = [Link(cause, f"own-{cause}", 0.9 - 0.02 * i, i) for i, cause in enumerate("ABCDE")]
    links += [Link("F", "own-F", 0.6, 10), Link("F", "shared", 0.5, 11), Link("Q", "shared", 0.4, 11)]
    ranking = {c.id: c for c in rank_causes(links, list("ABCDEFQ"))}

    assert not ranking["F"].named and ranking["F"].certainty >= 0.45
    assert ranking["Q"].certainty == 0 and ranking["Q"].explained_by == ("F",)


def test_causes_past_the_cap_compete_in_the_order_the_greedy_naming_would_have_named_them():
    # F and G are both likely but left out at the cap, and share a finding. F, the likelier, is
    # ranked first past the cap and keeps its full certainty; G, after it, loses the shared finding.
    links = [Link(cause, f"own-{cause}", 0.95 - 0.01 * i, i) for i, cause in enumerate("ABCDE")]
    links += [Link("F", "own-F", 0.7, 10), Link("F", "shared", 0.5, 11),
              Link("G", "own-G", 0.5, 12), Link("G", "shared", 0.5, 11)]
    ranking = {c.id: c for c in rank_causes(links, list("ABCDEFG"))}

    assert not ranking["F"].named and ranking["F"].certainty == 0.85 and ranking["F"].explained_by == ()
    assert ranking["G"].certainty == 0.5 and ranking["G"].explained_by == ("F",)
