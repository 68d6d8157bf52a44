"""Which measures make the plan, in which phase, and how each named cause is treated.

The rules decide which measures are recommended and how strongly; this
module turns that into a plan a company can carry out and that never
contradicts its own diagnosis:

* **Phases relative to the company.** "First" holds the diagnostic measures
  (finding out, and the first person committing); "now" the measures that
  make the current level work (the steps below and at the current level, and
  the free or cheap measures of later steps taken forward for a named cause
  when the company stays); "next" the move to the target level. No phase is
  named after a step below the current level.
* **In place means in place.** A measure the answers show in place, one that
  already exists and only needs enforcing, and one the context rules out are
  never planned.
* **A plan people can carry out.** "Now" keeps its ``LIMITS["now"]`` most
  needed measures, "next" its ``LIMITS["next"]`` (a company staying at its
  level has only "now", with the room of "next"); the rest are worth
  considering later.
* **Treat what is named.** Every named cause gets a planned measure that
  addresses it, promoted from the later list if need be, a remedy of the
  steps up to the target before one of a later step, and one of its own
  remedies before a measure that only eases the symptoms that show it. An
  own remedy that costs nothing and reshapes nothing may come from any later
  step (not the core of a move the company does not aim for); where none of
  its own remedies can be planned, the plan says why (in place, ruled out by
  context, or a costly measure of a later step), also where measures ease its
  symptoms.
* **Prerequisites** follow the digest's decision 1: a prerequisite a seed
  states pulls its measure into the plan when that measure may be planned; a
  suggested one only orders two planned measures. A prerequisite in place is
  met; one beyond the target is skipped and the dependant goes ahead without
  it; one ruled out by context blocks a dependant that needs it (stated) and
  is skipped otherwise (suggested). The plan records each such decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..conditions import PRESENT
from ..differential import NAMED
from ..inference import Inference
from ..knowledge import KnowledgeBase, Measure

PLAN_PHASES = ("first", "now", "next")
LIMITS = {"now": 6, "next": 8}
MEASURE_THRESHOLD = 0.4  # measures below this certainty are not recommended
IN_PLACE_THRESHOLD = 0.5  # a practice this certain counts as already in place
STRONG = 0.7  # a measure of a later step recommended this strongly ranks with those up to the target
TREATED = 0.7  # a cause named this certain has its first remedy planned before the other measures
EXCLUDED = -0.5  # a measure this negative is excluded (in place, existing, or ruled out)
COSTLY = ("medium", "high")
COST_ORDER = ("free", "low", "medium", "high")
# Restructurings that are free in money but reshape the organisation: never taken from a later step.
STRUCTURES = frozenset({"MEAS-ONE-LEADER", "MEAS-ROTATING-JOINT-HEAD"})


@dataclass(frozen=True)
class Exclusion:
    """Why a measure is not in the plan.

    ``kind``: ``in_place`` (the answers show it practised), ``exists`` (it
    exists and needs enforcing rather than building again), ``ruled_out``
    (the context rules it out), ``blocked`` (a prerequisite it needs is ruled
    out; ``detail`` names it), ``later_step`` (a costly measure, or a
    restructuring, of a step beyond the target) or ``deferred`` (recommended,
    but its phase already holds its most needed measures).
    """

    measure: str
    kind: str
    firing: int | None = None  # the rule firing that decided, when one did
    detail: str | None = None


@dataclass(frozen=True)
class Treatment:
    """What the plan does about one named cause."""

    cause: str
    measures: tuple[str, ...]  # planned measures that address it or what shows it
    # when none of its own remedies is planned (``measures`` then only ease what shows it, if any):
    # in_place, exists, ruled_out, later_step, no_measure
    reason: str | None = None
    measure: str | None = None  # the measure the reason is about


@dataclass(frozen=True)
class Skipped:
    """A prerequisite the plan goes ahead without, and why (in_place is not recorded)."""

    measure: str
    prerequisite: str
    kind: str  # exists, ruled_out, later_step


@dataclass
class Selection:
    chosen: dict[str, float | None]  # measure → certainty of the recommendation (None: pulled in)
    phases: dict[str, str]  # measure → plan phase
    required_by: dict[str, set[str]]  # measure → the chosen measures whose prerequisite it is
    edges: list[tuple[str, str]]  # (prerequisite, measure) both in the plan
    deferred: list[tuple[str, float]]
    excluded: dict[str, Exclusion]
    treatments: list[Treatment]
    skipped: list[Skipped]
    added_for: dict[str, str] = field(default_factory=dict)  # measure → why it was added (a cause id or "doubt")
    provisional: bool = False
    in_place: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> "Selection":
        """No measures: the selection of a company that needs none."""
        return cls({}, {}, {}, [], [], {}, [], [])


def level_values(kb: KnowledgeBase, level_id: str | None, target_id: str | None) -> tuple[int, int]:
    current = kb.levels[level_id].value if level_id else 1
    target = kb.levels[target_id].value if target_id else current
    return current, max(target, current)


def step(measure: Measure) -> tuple[int, int] | None:
    """``(from, to)`` level values of a measure's primary transition; None for the diagnostic phase."""
    if measure.phase == "diagnostic":
        return None
    a, b = measure.phase.removeprefix("TRANS-").split("-TO-")
    return int(a), int(b)


def plan_phase(measure: Measure, current: int, target: int) -> str:
    """The plan phase a measure belongs to for a company at ``current`` aiming for ``target``."""
    span = step(measure)
    if span is None:
        return "first"
    _, to = span
    if to <= current or target == current:
        return "now"
    return "next"


def beyond_target(measure: Measure, target: int) -> bool:
    """Whether every step the measure serves leads beyond the target level."""
    ends = [int(t.split("-TO-")[1]) for t in measure.transitions if t != "diagnostic"]
    return bool(ends) and min(ends) > target


def select(kb: KnowledgeBase, inference: Inference, level_id: str | None, target_id: str | None,
           uncertain: bool = False, plain: frozenset[str] = frozenset()) -> Selection:
    """Choose the plan's measures from the rules' conclusions (see the module docstring).

    ``plain`` holds the measures some rule recommends on need alone (no
    context gate): only those may be added to treat a named cause that no
    rule gave a measure.
    """
    current, target = level_values(kb, level_id, target_id)
    position = {m: i for i, m in enumerate(kb.measures)}
    measure_cf = {f.id: f.cf for f in inference.of_kind("measure")}
    need = {f.id: f.cf for f in inference.of_kind("need")}
    in_place = sorted((f.id for f in inference.of_kind("practice") if f.cf >= IN_PLACE_THRESHOLD), key=position.get)
    excluded: dict[str, Exclusion] = {}
    for ident in in_place:
        excluded[ident] = Exclusion(ident, "in_place", _decisive(inference, "practice", ident, positive=True))
    for ident, cf in sorted(measure_cf.items(), key=lambda kv: position[kv[0]]):
        if cf <= EXCLUDED and ident not in excluded:
            firing = _decisive(inference, "measure", ident, positive=False)
            stage = inference.trace[firing].stage if firing is not None else "measures"
            excluded[ident] = Exclusion(ident, "exists" if stage == "practices" else "ruled_out", firing)

    def phase(ident: str) -> str:
        return plan_phase(kb.measures[ident], current, target)

    def may_plan(ident: str) -> bool:
        m = kb.measures[ident]
        if ident in excluded:
            return False
        if not beyond_target(m, target):
            return True
        if m.keeps_level_alive and m.cost not in COSTLY:
            return True  # decision 6: keeping a lapsing practice alive is not held back by the measure's step
        # from a later step: only a free or cheap measure of the very next step, never a restructuring
        first = step(m)
        return m.cost not in COSTLY and ident not in STRUCTURES and first is not None and first[0] == target

    recommended = {m: cf for m, cf in measure_cf.items() if cf >= MEASURE_THRESHOLD and may_plan(m)}
    for ident, cf in sorted(measure_cf.items(), key=lambda kv: position[kv[0]]):
        if cf >= MEASURE_THRESHOLD and ident not in recommended and ident not in excluded:
            excluded[ident] = Exclusion(ident, "later_step", _decisive(inference, "measure", ident, positive=True))
    added_for: dict[str, str] = {}
    if uncertain and "MEAS-STAFF-SURVEY" not in recommended and may_plan("MEAS-STAFF-SURVEY"):
        recommended["MEAS-STAFF-SURVEY"] = 0.6
        added_for["MEAS-STAFF-SURVEY"] = "doubt"

    kept: dict[str, float | None] = {}
    phases: dict[str, str] = {}
    skipped: list[Skipped] = []

    def requirements(ident: str) -> tuple[list[str], list[Skipped], str | None]:
        """The prerequisites a measure would pull in, those it goes ahead without, and
        the ruled-out prerequisite that blocks it (if any)."""
        pull: list[str] = []
        without: list[Skipped] = []
        stack = [ident]
        while stack:
            current_id = stack.pop()
            m = kb.measures[current_id]
            suggested = "prerequisites" in m.suggested
            for pre in m.prerequisites:
                if pre in kept or pre in pull or pre == ident:
                    continue
                reason = excluded.get(pre)
                if reason is not None and reason.kind == "in_place":
                    continue
                if reason is not None and reason.kind == "ruled_out" and not suggested:
                    return [], [], pre
                if reason is not None:
                    without.append(Skipped(current_id, pre, reason.kind))
                    continue
                if not may_plan(pre):
                    without.append(Skipped(current_id, pre, "later_step"))
                    continue
                # A suggested prerequisite only orders two planned measures (decision 1);
                # the diagnostic measures open a plan only where the rules call for them (decision 3).
                if suggested or kb.measures[pre].phase == "diagnostic":
                    continue
                pull.append(pre)
                stack.append(pre)
        return pull, without, None

    def add(ident: str, certainty: float | None) -> list[str]:
        """Plan a measure with the prerequisites it pulls in (returned)."""
        pull, without, _ = requirements(ident)
        kept[ident] = certainty
        phases[ident] = phase(ident)
        for pre in pull:
            kept[pre] = recommended.get(pre)  # None: only there as a prerequisite
            phases[pre] = min(phase(pre), phases[ident], key=PLAN_PHASES.index)
        skipped.extend(without)
        return pull

    # The most needed measures of each phase, their prerequisites counted against its limit.
    # The measures of the steps up to the target come first, the first remedy of every cause
    # named with certainty TREATED or more ahead of the others; then those taken forward from a
    # later step, unless a rule recommends one strongly for a situation found here. A company
    # that stays at its level takes a named cause's first remedy forward with the first. Among equally
    # certain measures, those treating a named cause come first, then the most needed, then
    # those treating more of what the diagnosis found.
    named = [c for c in inference.causes if c.named and c.certainty >= NAMED]
    treating_named = {m for cause in named for m in _treating(kb, inference, cause)}
    found = {c.id for c in named} | {f.id for f in inference.of_kind("symptom") if f.cf >= PRESENT}
    # the first remedy of each strongly named cause: of the recommended measures addressing it,
    # the one the answers call for most, from the steps up to the target where there is one
    primary = set()
    for cause in named:
        if cause.certainty >= TREATED:
            direct = [m for m in addressing(kb, cause.id) if m in recommended]
            if direct:
                primary.add(max(direct, key=lambda m: (not beyond_target(kb.measures[m], target),
                                                       round(need.get(m, 0.0), 2), round(recommended[m], 2),
                                                       -position[m])))

    def priority(m: str) -> tuple:
        taken_forward = beyond_target(kb.measures[m], target) and recommended[m] < STRONG
        covers = len(found.intersection(kb.measures[m].addresses))  # how much of what was found it treats
        if m in primary and target == current:
            taken_forward = False  # staying put, treating what is named is the whole job
        return (taken_forward, m not in primary, -round(recommended[m], 2), m not in treating_named,
                -round(need.get(m, 0.0), 2), -covers, position[m])

    # a company that stays at its level has one working phase, which gets the room of a move
    limits = dict(LIMITS, now=LIMITS["next"]) if target == current else LIMITS
    deferred: list[tuple[str, float]] = []
    counts = dict.fromkeys(PLAN_PHASES, 0)
    for ident in sorted(recommended, key=priority):
        if ident in kept:
            continue
        pull, _, blocker = requirements(ident)
        if blocker is not None:
            excluded[ident] = Exclusion(ident, "blocked", None, blocker)
            continue
        ph = phase(ident)
        if ph in limits and counts[ph] + 1 + len(pull) > limits[ph]:
            deferred.append((ident, recommended[ident]))
            continue
        add(ident, recommended[ident])
        for m in [ident, *pull]:
            counts[phases[m]] += 1

    # the core of a move beyond the aim stays with that move (it is planned where the company aims for it)
    cores_beyond = {c for t in kb.transitions.values() if kb.levels[t.to_level].value > target for c in t.core_measures}

    def add_treatment(cause: str, remedies: list[str], own: bool = False) -> bool:
        """Plan one of ``remedies`` for a named cause that none treats yet; whether one could be.

        A cause's ``own`` remedies may also come from any later step where they cost nothing and
        reshape nothing (marketers riding along on sales visits where neither side knows the
        other's work): a free remedy a rule recommends has no reason to wait for a level."""
        nonlocal deferred
        deferred_ids = {m for m, _ in deferred}
        # a remedy of the steps up to the target before one of a later step (as for a first remedy);
        # among those, one a rule recommended (certainty) before one that is only needed (need)
        candidates = [(recommended[m], m) for m in remedies if m in deferred_ids]
        candidates += [(round(need[m], 4), m) for m in remedies
                       if m not in deferred_ids and m in plain and may_plan(m) and need.get(m, 0.0) > 0]
        if own:
            for m in remedies:
                # only what the gate of later steps kept out (nothing else excludes it), free, reshaping nothing
                held_back = (m not in deferred_ids and not may_plan(m)
                             and (m not in excluded or excluded[m].kind == "later_step"))
                if not held_back or kb.measures[m].cost != "free" or m in STRUCTURES or m in cores_beyond:
                    continue
                if measure_cf.get(m, 0.0) >= MEASURE_THRESHOLD:
                    candidates.append((measure_cf[m], m))
                elif m in plain and need.get(m, 0.0) > 0:
                    candidates.append((round(need[m], 4), m))
        # among equally certain ones, the one treating more of what the diagnosis found, then the quicker
        for certainty, ident in sorted(candidates, key=lambda c: (beyond_target(kb.measures[c[1]], target),
                                                                   c[1] not in deferred_ids, -round(c[0], 3),
                                                                   -len(found.intersection(kb.measures[c[1]].addresses)),
                                                                   kb.measures[c[1]].weeks, position[c[1]])):
            if requirements(ident)[2] is None:
                excluded.pop(ident, None)
                for m in [ident, *add(ident, certainty)]:
                    added_for[m] = cause  # its prerequisites come in for the same cause
                deferred = [(m, cf) for m, cf in deferred if m != ident]
                return True
        return False

    # every named cause gets a measure that treats it, or the plan says why not
    for cause in named:
        treating = _treating(kb, inference, cause)
        own = set(addressing(kb, cause.id))
        # one of the cause's own remedies where one can be planned; a measure that only eases
        # what shows the cause (a survey for the blame a rigid hand-off causes) where none can
        for remedies, its_own in (([m for m in treating if m in own], True), (treating, False)):
            if any(m in kept for m in remedies):
                break
            if add_treatment(cause.id, remedies, its_own):
                break

    for ident, _ in deferred:
        excluded.setdefault(ident, Exclusion(ident, "deferred", _decisive(inference, "measure", ident, positive=True)))
    # a prerequisite never comes in a later phase than a measure that needs it
    edges = sorted({(pre, ident) for ident in kept for pre in kb.measures[ident].prerequisites if pre in kept},
                   key=lambda e: (position[e[0]], position[e[1]]))
    changed = True
    while changed:
        changed = False
        for pre, ident in edges:
            if PLAN_PHASES.index(phases[pre]) > PLAN_PHASES.index(phases[ident]):
                phases[pre] = phases[ident]
                changed = True
    required_by: dict[str, set[str]] = {m: set() for m in kept}
    for pre, ident in edges:
        required_by[pre].add(ident)

    treatments = []
    for cause in named:
        planned = tuple(m for m in _treating(kb, inference, cause) if m in kept)
        own = list(addressing(kb, cause.id))
        if any(m in own for m in planned):
            treatments.append(Treatment(cause.id, planned))
            continue
        # none of its own remedies is planned: say why, also where measures ease what shows it
        reason, about = _why_untreated(kb, own, excluded, measure_cf, position, target)
        treatments.append(Treatment(cause.id, planned, reason, about))
    skipped = [s for s in dict.fromkeys(skipped) if s.measure in kept]
    return Selection(kept, phases, required_by, edges, deferred, excluded, treatments, skipped, added_for,
                     uncertain, in_place)


_ADDRESSING: dict[int, tuple[KnowledgeBase, dict[str, tuple[str, ...]]]] = {}


def addressing(kb: KnowledgeBase, ident: str) -> tuple[str, ...]:
    """The measures that address a cause or symptom, in knowledge-base order (indexed once per base)."""
    entry = _ADDRESSING.get(id(kb))
    if entry is None or entry[0] is not kb:
        index: dict[str, list[str]] = {}
        for m, measure in kb.measures.items():
            for target in measure.addresses:
                index.setdefault(target, []).append(m)
        entry = _ADDRESSING[id(kb)] = (kb, {k: tuple(v) for k, v in index.items()})
    return entry[1].get(ident, ())


def _treating(kb: KnowledgeBase, inference: Inference, cause) -> list[str]:
    """Measures that treat a named cause: those addressing it, then those addressing the
    symptoms that still count as its evidence after the differential."""
    direct = list(addressing(kb, cause.id))
    symptoms = set()
    for index in cause.counted:
        symptoms |= {leaf.id for leaf, _ in inference.trace[index].leaves if getattr(leaf, "fact", "") == "symptom"}
    found = {m for symptom in symptoms for m in addressing(kb, symptom)} - set(direct)
    return direct + [m for m in kb.measures if m in found]


def _decisive(inference: Inference, kind: str, ident: str, positive: bool) -> int | None:
    """The strongest firing for (positive) or against (negative) a conclusion."""
    finding = inference.findings.get((kind, ident))
    if finding is None:
        return None
    items = [(cf, i) for cf, i in finding.support if (cf > 0) == positive]
    if not items:
        return None
    cf, index = max(items, key=lambda p: (abs(p[0]), -p[1]))
    return index


def _why_untreated(kb, measures, excluded, measure_cf, position, target) -> tuple[str, str | None]:
    """The best reason a named cause has no planned measure among those addressing it, and the
    measure it is about."""
    for kind in ("in_place", "exists", "ruled_out", "blocked", "later_step"):
        found = sorted((m for m in measures if m in excluded and excluded[m].kind == kind),
                       key=lambda m: (-measure_cf.get(m, 0.0), position[m]))
        if found:
            return ("ruled_out" if kind == "blocked" else kind), found[0]
    later = sorted((m for m in measures if kb.measures[m].phase != "diagnostic"),
                   key=lambda m: (kb.measures[m].phase, position[m]))
    # remedies nobody recommended: where they are costly steps beyond the aim, that is the reason
    beyond = [m for m in later if beyond_target(kb.measures[m], target) and kb.measures[m].cost in COSTLY]
    if beyond:
        return "later_step", beyond[0]
    return "no_measure", (later[0] if later else None)
