"""Several respondents of one organisation: how their answers combine, and where they differ.

The heads of sales and of marketing (and the executive, and staff of either
department) each answer on their own; :func:`diagnose_organisation` gives
one diagnosis of the organisation from all their answers files. How the
answers combine, per question:

1. **Sides.** Respondents are grouped by role into sides (executive, sales,
   marketing, other). Every side weighs the same, however many respondents
   it has; inside a side the weight is shared equally by the respondents who
   know the answer. So no role overrides another, and five salespeople do
   not outvote one head of marketing. When every respondent has the same
   role, each respondent is a side of their own.
2. **Only what a respondent was asked.** An answer counts only where the
   respondent's own earlier answers make the question apply.
3. **Unknown is filled by others.** ``unknown`` gives no vote: a question
   one side cannot answer is answered by the sides that can; it stays
   ``unknown`` only when nobody knows.
4. **Numbers are averaged.** Ratings (1–5), percentages and counts: the
   weighted average; a rating is rounded to a whole point, halves towards the
   middle of the scale (3), so a split vote never pushes a conclusion.
5. **Choices need a majority.** A choice or yes/no counts when it holds more
   than half the weight of the sides that answered; for a question that
   takes several answers, each choice counts when more than half the weight
   chose it. Without a majority the question is **undecided**: Accord takes
   nobody's answer (it counts as ``unknown``, which lowers the certainty of
   the level as any unknown does) and reports the difference.
   Quick self-assessment ratings are averaged per statement, first within a
   side, then over the sides; but when the sides' totals are a band (20
   points) or more apart, their average is not read as a level either.
6. **Difference is evidence.** Where the sides differ — ratings two or more
   points apart, or answers that lead the rules to different findings — is
   reported topic by topic, and three values worked out from it go to the
   rules with the answers (``derived:`` in ``knowledge/respondents.yaml``):
   the share of the topics the sides both answered on which they differ
   (``views_differ``), how many levels apart each side's own answers place
   the relationship (``level_spread``), and how far apart their quick
   self-assessment totals are (``quick_gap``). The rules turn a wide gap into
   the symptom SYM-PERCEPTION-GAP, which the plan treats.

Files of different organisations, or (with several files) a file that does
not say whose view it is, are refused with :class:`~expert.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping, Sequence

from .answers import PROFILE, ROLES, AnswerSheet, relevance
from .conditions import UNKNOWN, AnswerLeaf, leaves
from .errors import InputError, Location
from .knowledge import KnowledgeBase, Question
from .quick import QuickReading, quick_reading, round_half_up

MIN_COMPARED = 5  # topics both sides must answer before the share that differs means anything
SCALE_GAP = 2  # points apart on a 1–5 rating that count as a difference
SHOWN = 8  # differences a report lists; JSON has them all
# Quick totals this far apart (a whole band, as in the rule quick-totals-far-apart) are not averaged into
# a level: like a choice without a majority, the average would be a reading neither side gave.
QUICK_SPLIT = 20


# ------------------------------------------------------------------ checks

def organisation_key(name: str) -> str:
    """The name as compared: case, spacing and surrounding blanks do not matter.

    Examples
    --------
    >>> organisation_key("  Uralpack  LLC ") == organisation_key("uralpack llc")
    True
    """
    return " ".join(name.split()).casefold()


def check_organisation(sheets: Sequence[AnswerSheet]) -> None:
    """Refuse sheets that cannot be one organisation's respondents.

    Raises
    ------
    InputError
        Naming the file: a different organisation, no organisation name
        where another file gives one, or (with several files) no role.
    """
    if not sheets:
        raise InputError("no answers files to diagnose")
    named = next((s for s in sheets if s.organization.strip()), None)
    for sheet in sheets:
        where = Location(sheet.source)
        if named is not None and organisation_key(sheet.organization) != organisation_key(named.organization):
            if not sheet.organization.strip():
                raise InputError(f"no organisation name, while {named.source} names '{named.organization}'; "
                                 f"add 'organization: {named.organization}' if it is the same organisation", where)
            raise InputError(f"organisation '{sheet.organization}' differs from '{named.organization}' in "
                             f"{named.source}; one diagnosis combines the answers of one organisation", where)
        if len(sheets) > 1 and sheet.role is None:
            raise InputError("no respondent role; when several answers files are combined, each must say whose "
                             "view it is (respondent: {role: sales}; executive, sales, marketing or other)", where)


# ------------------------------------------------------------------- sides

@dataclass(frozen=True)
class Side:
    """The respondents of one role (or one respondent, when all share a role), and their combined answers."""

    id: str  # the role, or role-N when every respondent has the same role
    role: str | None
    number: int | None  # N of role-N
    sheets: tuple[AnswerSheet, ...]
    answers: Mapping[str, Any]  # the side's answers, combined within the side, questionnaire order
    ratings: Mapping[str, Any]  # the side's quick ratings (averages within the side)
    quick: QuickReading | None


@dataclass(frozen=True)
class SideVerdict:
    """What the side's own answers show: its level, with the support of every level, and its target."""

    level: str | None
    value: int | None
    certainty: float | None
    established: bool
    support: Mapping[str, float]
    target: str | None


@dataclass(frozen=True)
class Difference:
    """One topic on which the sides differ: a question or a quick statement, and each side's answer."""

    topic: str
    statement: bool  # a quick statement rather than a question
    values: tuple[tuple[str, Any], ...]  # (side id, answer) for the sides that answered
    spread: float  # 0–1: ratings' distance over 4 points; 1 for answers that read differently


@dataclass
class Respondents:
    """Several respondents of one organisation, combined (see the module docstring)."""

    sheets: tuple[AnswerSheet, ...]
    sides: tuple[Side, ...]
    combined: AnswerSheet
    differences: tuple[Difference, ...]  # widest first
    compared: int  # topics answered by at least two sides
    undecided: tuple[str, ...]  # questions without a majority, counted as unknown
    verdicts: dict[str, SideVerdict] = field(default_factory=dict)
    quick: QuickReading | None = None  # the organisation's: each statement averaged over the sides

    @property
    def differ_share(self) -> int | None:
        """Per cent of the compared topics on which the sides differ; None with too few to compare."""
        if len(self.sides) < 2 or self.compared < MIN_COMPARED:
            return None
        return round_half_up(Fraction(100 * len(self.differences), self.compared))

    @property
    def level_spread(self) -> int | None:
        """Levels between the sides whose own answers establish a level (a side that answered
        little, say only the quick statements, establishes none and is left out)."""
        values = [v.value for v in self.verdicts.values() if v.value is not None and v.established]
        return max(values) - min(values) if len(values) >= 2 else None

    @property
    def quick_split(self) -> bool:
        """Whether the sides' quick totals are too far apart to read their average as a level."""
        gap = self.quick_gap
        return gap is not None and gap >= QUICK_SPLIT

    @property
    def quick_gap(self) -> int | None:
        totals = [s.quick.total for s in self.sides if s.quick and s.quick.total is not None]
        return max(totals) - min(totals) if len(totals) >= 2 else None

    def derived(self) -> dict[str, Any]:
        """The values the rules read (``derived:`` in the knowledge base)."""
        out: dict[str, Any] = {}
        if self.quick and self.quick.total is not None and not self.quick_split:
            out["quick_total"] = self.quick.total
        for name in ("views_differ", "level_spread", "quick_gap"):
            value = self.differ_share if name == "views_differ" else getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def to_dict(self, d, lang: str = "en") -> dict:
        """As JSON-ready data in one language (``respondents`` in the diagnosis JSON)."""
        from .i18n import Messages

        kb = d.kb
        t = Messages(kb, lang)
        sides = []
        for side in self.sides:
            verdict = self.verdicts.get(side.id)
            level = None
            if verdict and verdict.level:
                level = {"id": verdict.level, "value": verdict.value, "name": kb.levels[verdict.level].name[lang],
                         "certainty": round(verdict.certainty, 3), "established": verdict.established}
            sides.append({
                "id": side.id, "role": side.role, "name": side_name(t, side), "respondents": len(side.sheets),
                "files": [s.source for s in side.sheets], "dates": sorted({s.date for s in side.sheets if s.date}),
                "level": level,
                "support": {k: round(v, 3) for k, v in verdict.support.items()} if verdict else {},
                "target": verdict.target if verdict else None,
                "quick_total": side.quick.total if side.quick else None,
                "quick_band": side.quick.band if side.quick else None,
            })
        return {
            "count": len(self.sheets), "sides": sides, "compared": self.compared,
            "differ_share": self.differ_share, "level_spread": self.level_spread, "quick_gap": self.quick_gap,
            "quick_split": self.quick_split,
            "differences": [difference_dict(t, kb, self, diff) for diff in self.differences],
            "undecided": list(self.undecided),
        }


def side_name(t, side: Side) -> str:
    """How a report names a side: its role ("Sales"), numbered when every respondent has that role."""
    name = t(f"respondents.side.{side.role}") if side.role else t("respondents.side.other")
    return f"{name} {side.number}" if side.number else name


def topic_text(kb: KnowledgeBase, diff: Difference, lang: str) -> str:
    if diff.statement:
        return kb.statements[diff.topic].text[lang]
    return kb.questions[diff.topic].text[lang]


def value_label(t, kb: KnowledgeBase, diff: Difference, value: Any) -> str:
    """A side's answer in words (a rating of a side of several respondents may be a fraction)."""
    from .report.model import answer_label

    if diff.statement or kb.questions[diff.topic].type == "scale":
        if isinstance(value, Fraction) and value.denominator != 1:
            return f"{float(value):.1f}"
        return t(f"consult.scale_{int(value)}")
    return answer_label(t, kb, diff.topic, value)


def difference_dict(t, kb: KnowledgeBase, resp: Respondents, diff: Difference) -> dict:
    names = {side.id: side_name(t, side) for side in resp.sides}
    return {
        "topic": diff.topic, "kind": "statement" if diff.statement else "question",
        "text": topic_text(kb, diff, t.lang), "spread": round(diff.spread, 3),
        "answers": [{"side": side, "name": names[side],
                     "value": (round(float(v), 1) if isinstance(v, Fraction) and v.denominator != 1 else
                               int(v) if isinstance(v, Fraction) else (list(v) if isinstance(v, tuple) else v)),
                     "label": value_label(t, kb, diff, v)} for side, v in diff.values],
    }


# --------------------------------------------------------------- combining

def combine_values(question: Question, votes: Sequence[tuple[Fraction, Any]]) -> tuple[Any, bool]:
    """One answer from weighted known answers: ``(answer, undecided)``; None when there are no votes.

    Examples
    --------
    >>> from expert import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> half = Fraction(1, 2)
    >>> combine_values(kb.questions["shared_terms"], [(half, 2), (half, 5)])
    (3, False)
    >>> combine_values(kb.questions["conflict_frequency"], [(half, "often"), (half, "rarely")])
    ('unknown', True)
    >>> third = Fraction(1, 3)
    >>> combine_values(kb.questions["conflict_frequency"], [(third, "often"), (third, "often"), (third, "rarely")])
    ('often', False)
    """
    if not votes:
        return None, False
    total = sum(w for w, _ in votes)
    kind = question.type
    if kind in ("scale", "number", "percent"):
        mean = sum(w * Fraction(v) for w, v in votes) / total
        if kind == "scale":
            return _round_to_middle(mean), False
        if mean.denominator == 1:
            return int(mean), False
        value = round(float(mean), 1)
        return (int(value) if value.is_integer() else value), False
    if kind == "multi":
        chosen = tuple(c.value for c in question.choices
                       if 2 * sum(w for w, v in votes if c.value in v) > total)
        return (chosen, False) if chosen else (UNKNOWN, True)
    weight: dict[Any, Fraction] = {}
    for w, v in votes:
        weight[v] = weight.get(v, Fraction(0)) + w
    best = max(weight.values())
    if 2 * best > total:
        return next(v for v, w in weight.items() if w == best), False
    return UNKNOWN, True


def _round_to_middle(value: Fraction) -> int:
    """A 1–5 rating rounded to a whole point, halves towards 3."""
    low = value.numerator // value.denominator
    rest = value - low
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and low + 1 <= 3):
        return low + 1
    return low


def _combine(kb: KnowledgeBase, groups: Sequence[Sequence[Mapping[str, Any]]]) -> tuple[dict[str, Any], list[str]]:
    """Combine answers: ``groups`` are the sides, each a list of its respondents' relevant answers.

    Returns the combined answers (questionnaire order) and the undecided questions.
    """
    combined, undecided = {}, []
    for qid, question in kb.questions.items():
        votes, unknown = [], False
        for members in groups:
            known = [a[qid] for a in members if qid in a and a[qid] != UNKNOWN]
            unknown = unknown or any(a.get(qid) == UNKNOWN for a in members)
            votes += [(Fraction(1, len(known)), v) for v in known]
        value, split = combine_values(question, votes)
        if value is None:
            if unknown:
                combined[qid] = UNKNOWN
            continue
        combined[qid] = value
        if split:
            undecided.append(qid)
    return combined, undecided


def _average_ratings(kb: KnowledgeBase, groups: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Quick ratings averaged per statement: within each group, then over the groups that rated it."""
    out = {}
    for sid in kb.statements:
        means, unknown = [], False
        for members in groups:
            known = [Fraction(r[sid]) for r in members if r.get(sid) not in (None, UNKNOWN)]
            unknown = unknown or any(r.get(sid) == UNKNOWN for r in members)
            if known:
                means.append(sum(known) / len(known))
        if means:
            mean = sum(means) / len(means)
            out[sid] = int(mean) if mean.denominator == 1 else mean
        elif unknown:
            out[sid] = UNKNOWN
    return out


def _own_answers(kb: KnowledgeBase, sheet: AnswerSheet) -> dict[str, Any]:
    relevant = relevance(kb, sheet.answers)
    return {q: v for q, v in sheet.answers.items() if relevant.get(q)}


def make_sides(kb: KnowledgeBase, sheets: Sequence[AnswerSheet]) -> tuple[Side, ...]:
    """Group the sheets into sides: by role, or one side per respondent when all share a role."""
    roles = [r for r in ROLES if any(s.role == r for s in sheets)]
    if len(roles) == 1 and len(sheets) > 1:
        groups = [(f"{roles[0]}-{i}", roles[0], i, (s,)) for i, s in enumerate(sheets, 1)]
    else:
        groups = [(role, role, None, tuple(s for s in sheets if s.role == role)) for role in roles]
        if any(s.role is None for s in sheets):  # a single sheet without a role
            groups.append(("other", None, None, tuple(s for s in sheets if s.role is None)))
    sides = []
    for ident, role, number, members in groups:
        answers, _ = _combine(kb, [[_own_answers(kb, s) for s in members]])
        ratings = _average_ratings(kb, [[s.quick or {} for s in members]])
        sides.append(Side(ident, role, number, members, answers, ratings, quick_reading(kb, ratings)))
    return tuple(sides)


@lru_cache(maxsize=8)
def _answer_tests(system) -> dict[str, tuple[AnswerLeaf, ...]]:
    """Every answer test of the rules and follow-up conditions, by question."""
    tests: dict[str, dict[AnswerLeaf, None]] = {}
    conditions = [rule.when for rule in system.rules.rules.values()]
    conditions += [q.ask_when for q in system.kb.questions.values() if q.ask_when is not None]
    for cond in conditions:
        for leaf in leaves(cond):
            if isinstance(leaf, AnswerLeaf):
                tests.setdefault(leaf.question, {})[leaf] = None
    return {q: tuple(found) for q, found in tests.items()}


def reads_differently(system, question: str, values: Sequence[Any]) -> bool:
    """Whether answers lead the rules (or the follow-up questions) to different findings."""
    tests = _answer_tests(system).get(question, ())
    signatures = {tuple(leaf.test(v) for leaf in tests) for v in values}
    return len(signatures) > 1


def find_differences(system, sides: Sequence[Side]) -> tuple[list[Difference], int]:
    """The topics the sides differ on (widest first) and how many topics at least two sides answered."""
    kb = system.kb
    found, compared = [], 0
    weight = system.level_questions
    order = {q: i for i, q in enumerate(list(kb.questions) + list(kb.statements))}
    for qid, question in kb.questions.items():
        values = tuple((s.id, s.answers[qid]) for s in sides if s.answers.get(qid, UNKNOWN) != UNKNOWN)
        if len(values) < 2:
            continue
        compared += 1
        if question.type == "scale":
            points = max(v for _, v in values) - min(v for _, v in values)
            if points >= SCALE_GAP:
                found.append(Difference(qid, False, values, points / 4))
        elif reads_differently(system, qid, [v for _, v in values]):
            found.append(Difference(qid, False, values, 1.0))
    for sid in kb.statements:
        values = tuple((s.id, s.ratings[sid]) for s in sides if s.ratings.get(sid, UNKNOWN) != UNKNOWN)
        if len(values) < 2:
            continue
        compared += 1
        points = max(Fraction(v) for _, v in values) - min(Fraction(v) for _, v in values)
        if points >= SCALE_GAP:
            found.append(Difference(sid, True, values, float(points) / 4))
    found.sort(key=lambda d: (-d.spread, -weight.get(d.topic, 0.0), order[d.topic]))
    return found, compared


def combine(sheets: Sequence[AnswerSheet], system) -> Respondents:
    """Combine the answers of several respondents of one organisation (see the module docstring).

    Raises
    ------
    InputError
        When the sheets are of different organisations, or one of several has no role.
    """
    check_organisation(sheets)
    kb = system.kb
    sheets = tuple(sheets)
    sides = make_sides(kb, sheets)
    answers, undecided = _combine(kb, [[_own_answers(kb, s) for s in side.sheets] for side in sides])
    ratings = _average_ratings(kb, [[s.quick or {} for s in side.sheets] for side in sides])
    named = next((s.organization for s in sheets if s.organization.strip()), "")
    dates = sorted(s.date for s in sheets if s.date)
    langs = {s.lang for s in sheets}
    migrated = [s.migrated_from for s in sheets if s.migrated_from]
    confirmed = tuple(c for c in kb.contradictions if any(c in s.confirmed for s in sheets))
    retired: dict[str, Any] = {}
    for s in sheets:
        retired.update(s.retired)
    # a question a selective consultation found not needed stays so unless another respondent answered it
    not_needed = tuple(q for q in kb.questions if q not in answers and any(q in s.not_needed for s in sheets))
    combined = AnswerSheet(named, None, answers, langs.pop() if len(langs) == 1 else None, None,
                           dates[-1] if dates else None, kb.questionnaire_version,
                           min(migrated) if migrated else None, retired, PROFILE, confirmed, not_needed)
    differences, compared = find_differences(system, sides)
    return Respondents(sheets, sides, combined, tuple(differences), compared, tuple(undecided),
                       quick=quick_reading(kb, ratings))


def diagnose_organisation(sheets: Sequence[AnswerSheet], system=None):
    """Diagnose one organisation from the answers of one or several respondents.

    With one sheet this is :func:`expert.diagnose`. With several, the answers
    combine per question (see the module docstring); each side's own answers
    are diagnosed too, and the diagnosis carries ``respondents``
    (:class:`Respondents`: the sides, their levels and quick totals, where
    they differ) and the organisation's quick self-assessment.

    Parameters
    ----------
    sheets : sequence of AnswerSheet
        Checked answers files (:func:`expert.read_answers`) of one organisation.
    system : ExpertSystem, optional

    Returns
    -------
    Diagnosis

    Raises
    ------
    InputError
        When the sheets are of different organisations, or one of several has no role.

    Examples
    --------
    >>> from expert import load_expert
    >>> from expert.answers import AnswerSheet
    >>> a = AnswerSheet("Acme", "sales", {"marketing_department": "separate", "joint_meetings": "never"})
    >>> b = AnswerSheet("Acme", "marketing", {"marketing_department": "separate", "joint_meetings": "weekly"})
    >>> d = diagnose_organisation([a, b], load_expert())
    >>> d.inference.answers["joint_meetings"], d.respondents.undecided
    ('unknown', ('joint_meetings',))
    """
    from .diagnosis import diagnose, load_expert

    system = system or load_expert()
    sheets = list(sheets)
    if len(sheets) == 1:
        check_organisation(sheets)
        return diagnose(sheets[0], system)
    resp = combine(sheets, system)
    for side in resp.sides:
        own = AnswerSheet(resp.combined.organization, side.role, dict(side.answers), quick=dict(side.ratings) or None)
        sd = diagnose(own, system)
        lv = sd.level
        resp.verdicts[side.id] = SideVerdict(lv.id if lv else None, lv.value if lv else None,
                                             lv.certainty if lv else None, bool(lv and lv.established),
                                             dict(lv.support) if lv else {}, sd.target.id if sd.target else None)
    resp.combined.derived = resp.derived()
    d = diagnose(resp.combined, system)
    d.respondents = resp
    d.quick = resp.quick
    return d
