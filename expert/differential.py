"""Differential diagnosis of root causes: causes compete for the findings they explain.

The rules of the causes stage give evidence as in MYCIN: each symptom points
to the causes it usually stems from, and a few answers speak to a cause
directly, for or against. Combined cause by cause, that evidence saturates:
a symptom shared by five causes lifts all five, and a troubled company "has"
every cause at 0.9. A consultant names three to five and says what sets them
apart. This module does that after the causes stage has run, before any later
stage reads the causes:

* **Specificity.** A finding (a symptom or sign, or an answer read by one
  rule) is full evidence for the cause it points to most strongly, and weaker
  evidence for its less likely causes (by the square of the ratio of their
  link strengths): a finding that points to one cause is strong evidence for
  it, and a cause that only ever comes second is rarely named.
* **Explaining away.** Causes are named one at a time, the strongest first
  (a greedy parsimonious cover, as in INTERNIST-1/QMR and Reggia's set
  covering). Once a cause is named, a finding it explains at least as well as
  another cause no longer counts for that other cause. One swap pass then
  checks the greedy choice: a named cause that adds less, beside the others
  named, than a cause left out would add is replaced by it (greedy naming can
  lock in a cause whose findings the causes named after it explain better).
* **One answer, one piece of evidence.** Findings that rest on the same
  answers count once for a cause (the strongest of them), so a cause is not
  made certain by one answer that shows several symptoms. The other way
  round, a finding that several answers show is one piece per answer
  (:meth:`expert.inference._Session.rank_causes` splits it): "budgets are
  fought over" and "the conflicts are about the budget" are two statements,
  and count twice.
* **Evidence against** (a direct answer that contradicts a cause) always
  counts. Unknown answers are no evidence at all: no rule reads them.
* **The manager's word stands.** A cause that an answer firmly contradicts
  (evidence of ``CONTRADICTED`` or stronger against it) is never named, however
  much else points to it: naming "unclear boundaries of responsibility" to a
  manager who said duties are clearly divided asserts the opposite of what
  they said. Where its findings outweigh that answer and would have named it,
  it is *disputed*: the report asks for the answer to be checked (the practice
  may exist on paper only) instead of asserting either side. (Where a rule
  already knows the practice fails, the answer's evidence is not asserted at
  all: written lead criteria while sales rejects most leads are on paper.)

* **Causes named together.** Where the digest says two causes go together
  (the knowledge base's ``named_with``: a budget fight is usually a promotion
  conflict too, decision 10), the second is named beside the first whenever
  its own evidence reaches ``NAMED``, even past the cap; the named cause that
  adds least beside the others gives way.
* **Root causes stay.** A cause the seeds call the origin of the others (the
  knowledge base's ``root``: the dispute over separating marketing from
  sales, the dispute over status and power) is not the one that gives way,
  in the swap pass or to a cause named beside another, while another named
  cause could. Where such a cause is left out at the cap with ``ROOT_NAMED``
  or more of its own, beside the causes named, it is named in place of the
  named cause that adds least: much of what the others explain follows from
  it, so five causes more certain than it do not crowd it out.

A cause is *named* when its certainty after this competition reaches
``NAMED`` (and at most ``MAX_NAMED`` are); the others are "also possible",
with the more likely causes that absorbed their evidence. The cap limits what
is said, not what is believed: for the certainty of the causes left unnamed,
the greedy naming goes on past the cap, so a likely cause left out at five
still explains away what it explains best. Every later stage reads the
certainty after competition, so the plan treats the named causes.

See ``../shared/domain/differential.md`` for the options weighed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .certainty import combine

NAMED = 0.45  # a cause is named at this certainty after competition ...
MAX_NAMED = 5  # ... and a consultant names at most this many
CAP_UNNAMED = 0.44  # a cause beyond the first five is declared just below NAMED
CONTRADICTED = -0.5  # an answer against a cause this firm keeps it from being named
ROOT_NAMED = 0.7  # a root cause this certain beside the named ones is named even at the cap ("likely")
DECIMALS = 4


@dataclass(frozen=True)
class Link:
    """One piece of evidence for or against a cause: a firing of the causes stage."""

    cause: str
    finding: str  # what was observed: a symptom, sign or context id, or the rule id for a direct answer
    cf: float  # what the firing asserted for the cause
    firing: int  # index into the trace
    origin: frozenset = frozenset()  # the answers the finding rests on
    whole: float | None = None  # where a firing's evidence is split by answer (one Link each): the firing's own cf


@dataclass(frozen=True)
class RankedCause:
    """A cause after the differential: its rank, whether it is named, and why."""

    id: str
    rank: int  # 1-based, named causes first
    named: bool
    certainty: float  # after competition (later stages read it capped below NAMED when not named)
    evidence_certainty: float  # all evidence combined cause by cause (MYCIN)
    counted: tuple[int, ...]  # firings whose evidence still counts after competition
    explained_by: tuple[str, ...]  # more likely causes (named, or past the cap) that explain its findings at least as well
    against: tuple[int, ...]  # firings of evidence against it
    contradicted: bool = False  # an answer speaks firmly against it (CONTRADICTED): never named
    disputed: bool = False  # contradicted, yet certain enough with the answer against it counted: worth checking
    named_beside: str | None = None  # named past the cap because this named cause is named with it (named_with)

    def to_dict(self) -> dict:
        return {"rank": self.rank, "named": self.named, "certainty": round(self.certainty, 3),
                "evidence_certainty": round(self.evidence_certainty, 3),
                "explained_by": list(self.explained_by),
                **({"named_beside": self.named_beside} if self.named_beside else {})}


def rank_causes(links: Iterable[Link], order: Sequence[str],
                companions: Mapping[str, Sequence[str]] | None = None,
                roots: frozenset[str] = frozenset()) -> list[RankedCause]:
    """Rank the causes that have any evidence.

    Parameters
    ----------
    links : iterable of Link
        Every conclusion about a cause asserted by the causes stage.
    order : sequence of str
        Cause ids in knowledge-base order, to break ties.
    companions : mapping of str to sequence of str, optional
        Causes named beside a named cause whenever their evidence reaches ``NAMED``, even past
        the cap (the knowledge base's ``named_with``: a budget fight is usually a promotion
        conflict too).
    roots : frozenset of str, optional
        Causes the seeds call the origin of the others (the knowledge base's ``root``): once
        named, such a cause does not give way at the cap to a cause that adds more beside the
        others, or to a cause named beside another.

    Returns
    -------
    list of RankedCause, named causes first in the order they were named,
    then the others by certainty.

    Examples
    --------
    Price conflict explains three findings that incentives explain less
    well; incentives has nothing of its own, so it is explained away:

    >>> links = [Link("PRICE", "blame", 0.7, 0), Link("INCENTIVES", "blame", 0.6, 0),
    ...          Link("PRICE", "discounts", 0.8, 1), Link("INCENTIVES", "discounts", 0.7, 1),
    ...          Link("PRICE", "lost-deals", 0.5, 2), Link("INCENTIVES", "lost-deals", 0.4, 2)]
    >>> [(c.id, c.named, round(c.certainty, 2), c.explained_by) for c in rank_causes(links, ["PRICE", "INCENTIVES"])]
    [('PRICE', True, 0.94, ()), ('INCENTIVES', False, 0.0, ('PRICE',))]
    """
    position = {c: i for i, c in enumerate(order)}
    positive: dict[str, list[Link]] = {}
    negative: dict[str, list[Link]] = {}
    strength: dict[str, dict[str, float]] = {}  # finding → cause → strongest link
    for link in links:
        if link.cf > 0:
            positive.setdefault(link.cause, []).append(link)
            by_cause = strength.setdefault(link.finding, {})
            by_cause[link.cause] = max(link.cf, by_cause.get(link.cause, 0.0))
        elif link.cf < 0:
            negative.setdefault(link.cause, []).append(link)
    top = {f: max(ws.values()) for f, ws in strength.items()}

    def specific(link: Link) -> float:
        """The link's weight, scaled down when the finding points more strongly to another cause.

        A symptom points to its causes most likely first; its first cause
        keeps the full weight, a cause half as likely a quarter of it.
        """
        return link.cf * (strength[link.finding][link.cause] / top[link.finding]) ** 2

    # per link, computed once: its specific weight, and the causes that explain its finding
    # at least as well (naming any of them explains the link away)
    weight: dict[int, float] = {}
    rivals: dict[int, frozenset] = {}
    for found in positive.values():
        for link in found:
            own = strength[link.finding][link.cause]
            weight[id(link)] = specific(link)
            rivals[id(link)] = frozenset(c for c, w in strength[link.finding].items() if c != link.cause and w >= own)

    def residual(link: Link, named) -> float:
        """What a link still contributes once the named causes have explained what they can:
        nothing, where a named cause explains the finding at least as well."""
        return 0.0 if rivals[id(link)].intersection(named) else weight[id(link)]

    def counting(cause: str, named: Sequence[str]) -> dict[frozenset, tuple[float, int]]:
        """The evidence that counts for a cause, one piece per origin: findings that rest on the
        same answers are one piece of evidence, not several ("little flows either way" shows two
        symptoms, but it is one answer). Origin → (what it still contributes, its firing)."""
        by_origin: dict[frozenset, tuple[float, int]] = {}
        for link in positive.get(cause, ()):
            key = link.origin or frozenset([link.finding])
            value = residual(link, named)
            if value > 0 and (key not in by_origin or (value, -link.firing) > (by_origin[key][0], -by_origin[key][1])):
                by_origin[key] = (value, link.firing)
        return by_origin

    def score(cause: str, named: Sequence[str]) -> float:
        by_origin = counting(cause, named)
        values = [by_origin[key][0] for key in sorted(by_origin, key=sorted)]
        return combine(values + [link.cf for link in negative.get(cause, ())])

    candidates = sorted(set(positive) | set(negative), key=lambda c: position.get(c, len(position)))
    named: list[str] = []
    certainty: dict[str, float] = {}
    # a cause's score changes only when a cause that explains one of its findings is named
    explained_by_naming: dict[str, set[str]] = {}
    for cause, found in positive.items():
        for link in found:
            for rival in rivals[id(link)]:
                explained_by_naming.setdefault(rival, set()).add(cause)
    scores = {c: round(score(c, named), DECIMALS) for c in candidates}
    contradicted = {c for c, found in negative.items() if any(link.cf <= CONTRADICTED for link in found)}
    while len(named) < MAX_NAMED:
        remaining = [c for c in candidates if c not in named and c not in contradicted]
        if not remaining:
            break
        best = max(remaining, key=lambda c: (scores[c], -position.get(c, 0)))
        value = scores[best]
        if value < NAMED:
            break
        certainty[best] = value
        named.append(best)
        for cause in explained_by_naming.get(best, ()):
            if cause not in named:
                scores[cause] = round(score(cause, named), DECIMALS)
    named, certainty = _swap_redundant(named, certainty, candidates, contradicted, score, position, roots)
    named, certainty, beside = _name_companions(named, certainty, companions or {}, candidates, contradicted,
                                                score, position, roots)
    named, certainty = _name_roots(named, certainty, beside, candidates, contradicted, score, position, roots)
    others = [c for c in candidates if c not in named]
    explaining = _explaining_past_the_cap(named, others, contradicted, score, position)

    def explained_before(cause: str) -> list[str]:
        """The causes that compete with ``cause`` for its findings: those named, or ranked past the
        cap, before it (all of them, for a cause below ``NAMED``). ``explaining`` starts with the
        named causes in naming order, so for a named cause these are the causes named before it."""
        return explaining[:explaining.index(cause)] if cause in explaining else explaining

    for cause in others:
        certainty[cause] = round(score(cause, explained_before(cause)), DECIMALS)
    others.sort(key=lambda c: (-certainty[c], position.get(c, 0)))

    ranked = []
    for rank, cause in enumerate(named + others, start=1):
        before = explained_before(cause)
        counted = tuple(sorted(firing for _, firing in counting(cause, before).values()))
        absorbed = tuple(n for n in before if any(strength[link.finding].get(n, 0.0) >= strength[link.finding][cause]
                                                  for link in positive.get(cause, ())))
        ranked.append(RankedCause(
            cause, rank, cause in named, certainty[cause],
            round(combine(list({link.firing: link.cf if link.whole is None else link.whole
                                for link in positive.get(cause, []) + negative.get(cause, [])}.values())), DECIMALS),
            counted, absorbed, tuple(sorted({link.firing for link in negative.get(cause, ())})),
            cause in contradicted, cause in contradicted and certainty[cause] >= NAMED, beside.get(cause)))
    return ranked


def _explaining_past_the_cap(named, others, contradicted, score, position):
    """The causes that explain findings away for the causes left unnamed: the named ones, and then,
    as the greedy naming would have gone on without the cap, every further cause that reaches
    ``NAMED`` beside them. Five named causes are what a consultant says, not all a consultant
    believes: a likely cause left out at the cap still accounts for the findings it explains best,
    so a weaker cause that shares them is not listed on their strength."""
    explaining = list(named)
    remaining = [c for c in others if c not in contradicted]
    while remaining:
        scores = {c: round(score(c, explaining), DECIMALS) for c in remaining}
        best = max(remaining, key=lambda c: (scores[c], -position.get(c, 0)))
        if scores[best] < NAMED:
            break
        explaining.append(best)
        remaining.remove(best)
    return explaining


def _swap_redundant(named, certainty, candidates, contradicted, score, position, roots=frozenset()):
    """One swap pass over the greedy choice (differential.md, section 6, step 3).

    Greedy naming can lock in a cause early on the strength of findings that
    the causes named after it explain better: a cause many weak signs point to
    is named first, and a cause with strong evidence of its own comes sixth.
    Judged against the others named, the named cause that adds least is
    replaced by the unnamed cause that would add more, as long as the new set
    still names every member with certainty ``NAMED`` or more; a named root
    cause is not the one replaced (see :func:`_adding_least`). The pass
    makes at most one swap per candidate, so it ends whatever the evidence.

    Returns the names in naming order and their certainties at naming.
    """
    for _ in range(len(candidates) if named else 0):
        weakest = _adding_least(named, named, score, position, roots)
        rest = [n for n in named if n != weakest]
        challengers = [c for c in candidates if c not in named and c not in contradicted]
        if not challengers:
            break
        best = max(challengers, key=lambda c: (round(score(c, rest), DECIMALS), -position.get(c, 0)))
        if round(score(best, rest), DECIMALS) <= round(score(weakest, rest), DECIMALS):
            break
        order, values = _name_in_turn(rest + [best], score, position)
        if min(values.values()) < NAMED:
            break
        named, certainty = order, values
    return named, certainty


def _name_companions(named, certainty, companions, candidates, contradicted, score, position, roots=frozenset()):
    """Name beside each named cause the causes it is named with (``companions``) whose evidence,
    with every named cause counted, still reaches ``NAMED``. At the cap, the named cause that adds
    least beside the others gives way; a cause that brought a companion in, or came in as one,
    never does. Returns the names in naming order, their certainties, and companion → its cause."""
    beside: dict[str, str] = {}
    for anchor in list(named):
        for other in companions.get(anchor, ()):
            if other in named or other in contradicted or other not in candidates:
                continue
            if round(score(other, named), DECIMALS) < NAMED:
                continue
            admitted = _admit(named, other, {anchor} | set(beside) | set(beside.values()), score, position, roots)
            if admitted is None:
                continue
            named, certainty = admitted
            beside[other] = anchor
    return named, certainty, beside


def _name_roots(named, certainty, beside, candidates, contradicted, score, position, roots=frozenset()):
    """Name each root cause left out at the cap whose evidence beside the named causes still
    reaches ``ROOT_NAMED``, in place of the named cause that adds least (never another root, nor a
    cause named beside another or one that brought a companion in). Returns the names in naming
    order and their certainties."""
    for root in sorted(roots, key=lambda c: position.get(c, len(position))):
        if root in named or root in contradicted or root not in candidates:
            continue
        if round(score(root, named), DECIMALS) < ROOT_NAMED:
            continue
        admitted = _admit(named, root, set(roots) | set(beside) | set(beside.values()), score, position, roots)
        if admitted is not None:
            named, certainty = admitted
    return named, certainty


def _admit(named, newcomer, keep, score, position, roots=frozenset()):
    """The causes named, in naming order with their certainties, once ``newcomer`` is named too.

    At the cap, the named cause that adds least beside the others gives way, never one in ``keep``.
    None where every named cause is to be kept, or where a cause would then fall below ``NAMED``."""
    chosen = list(named)
    if len(chosen) >= MAX_NAMED:
        droppable = [n for n in chosen if n not in keep]
        if not droppable:
            return None
        chosen.remove(_adding_least(droppable, chosen, score, position, roots))
    order, values = _name_in_turn(chosen + [newcomer], score, position)
    return (order, values) if min(values.values()) >= NAMED else None


def _adding_least(among, named, score, position, roots=frozenset()):
    """Of the causes ``among`` (all named), the one whose evidence adds least beside the other named causes.

    A root cause (``roots``: the seeds call it the origin of the others) is passed over while any
    other is left: where it is present, much of what the others explain follows from it, so it is
    the last a consultant would drop to stay within five."""
    pool = [n for n in among if n not in roots] or list(among)
    return min(pool, key=lambda n: (round(score(n, [m for m in named if m != n]), DECIMALS), -position.get(n, 0)))


def _name_in_turn(chosen, score, position):
    """The chosen causes in the order the greedy pass names them, with their certainty at naming."""
    order: list[str] = []
    values: dict[str, float] = {}
    while len(order) < len(chosen):
        left = [c for c in chosen if c not in order]
        best = max(left, key=lambda c: (round(score(c, order), DECIMALS), -position.get(c, 0)))
        values[best] = round(score(best, order), DECIMALS)
        order.append(best)
    return order, values


def declared(ranking: Sequence[RankedCause]) -> Mapping[str, float]:
    """The certainty of each cause that later stages read: a cause that is not named
    (beyond the first ``MAX_NAMED``) is read just below ``NAMED``, so no rule treats it as named."""
    return {c.id: c.certainty if c.named else min(c.certainty, CAP_UNNAMED) for c in ranking}
