"""The knowledge base: typed, immutable entries loaded from ``knowledge/*.yaml``.

Every YAML file under the knowledge directory holds one or more top-level
collections (``measures:``, ``questions:``, ...). Entries are checked against
the specs in :mod:`expert.schema`, then cross-references are resolved; any
problem carries the file and line it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .conditions import Condition, ConditionParser, UNKNOWN, evaluate, questions_read, leaves
from .documents import Document, read_document
from .errors import KnowledgeBaseError, Location, Problem, quoted
from .plurals import plural_problem
from .schema import CHOICE_SPEC, LANGS, NAME_VARIANT_SPEC, SPECS, TAKEOVER_SPEC, VARIANT_SPEC, check_entry

Text = Mapping[str, str]

PHASES = ("diagnostic", "TRANS-1-TO-2", "TRANS-2-TO-3", "TRANS-3-TO-4")


def data_dir(name: str) -> Path:
    """Where the bundled ``knowledge/`` or ``rules/`` directory is.

    In a wheel they are copied into the package (``expert/_data``); in a
    checkout or an editable install they sit next to the package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise KnowledgeBaseError(f"the bundled '{name}' directory is missing from the installation",
                             Location(str(here / "_data" / name)))


@dataclass(frozen=True)
class Entry:
    id: str
    sources: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class Level(Entry):
    value: int
    name: Text
    labels: Text
    description: Text


@dataclass(frozen=True)
class Sign(Entry):
    level: str
    trigger_of: str | None
    name: Text
    description: Text


@dataclass(frozen=True)
class Transition(Entry):
    from_level: str
    to_level: str
    name: Text
    triggers: Text
    not_needed_when: Text
    core_measures: tuple[str, ...]
    difficulty: Text | None


@dataclass(frozen=True)
class Symptom(Entry):
    name: Text
    description: Text
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Cause(Symptom):
    #: causes named beside this one whenever the answers support them enough to be named at all,
    #: even past the cap of named causes (a budget fight is usually a promotion conflict too)
    named_with: tuple[str, ...] = ()
    named_with_because: Text | None = None
    #: why the seeds call this cause the origin of the others (None: an ordinary cause); once named,
    #: a root cause is the last to give way at the cap
    root_because: Text | None = None


@dataclass(frozen=True)
class ContextFactor(Entry):
    name: Text
    proposition: Text
    opposite: Text | None
    effect: Text


@dataclass(frozen=True)
class Measure(Entry):
    name: Text
    summary: Text
    phase: str
    transitions: tuple[str, ...]
    owner_roles: tuple[str, ...]
    owner_text: Text
    cost: str
    cost_note: Text | None
    weeks: int
    duration: Text
    prerequisites: tuple[str, ...]
    addresses: tuple[str, ...]
    context: tuple[str, ...]
    evidence: tuple[str, ...]
    order_note: Text | None
    cautions: Mapping[str, tuple[str, ...]] | None
    tips: Mapping[str, tuple[str, ...]] | None
    suggested: tuple[str, ...]
    variants: tuple["NameVariant", ...] = ()  # the name in the words of the organisation the answers describe
    # keeps a level's lapsing practices alive (decision 6): a rule may plan it at any level, from any step
    keeps_level_alive: bool = False

    def title(self, answers: Mapping[str, Any], proposed: bool = True) -> Text:
        """The measure's name for the organisation the answers describe (the first variant whose
        condition holds, else the digest's name): a weekly meeting of 'the owner and the marketer'
        where there is no marketing director and no head of sales.

        A variant that asks for a change to what the company has ("make the joint meetings
        weekly") names the measure only where it is proposed (``proposed``); a practice already
        in place is listed under the name of what it is."""
        for variant in self.variants:
            if (proposed or not variant.change) and evaluate(variant.when, lambda fact, name: answers.get(name))[0]:
                return variant.name
        return self.name


@dataclass(frozen=True)
class NameVariant:
    """A measure's name for one kind of organisation."""

    when: Condition
    name: Text
    change: bool = False  # the name asks for a change to what the company has: only for a proposal


@dataclass(frozen=True)
class Takeover:
    """When the answers describe it, this owner takes over the measures of other roles."""

    when: Condition
    roles: tuple[str, ...]
    measures: tuple[str, ...]
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class Owner(Entry):
    name: Text
    takes_over: tuple[Takeover, ...] = ()


@dataclass(frozen=True)
class Evidence(Entry):
    title: Text
    summary: Text
    supports: tuple[str, ...]
    source: str | None


@dataclass(frozen=True)
class Source(Entry):
    kind: str
    citation: str
    title: Text
    seed: str | None


@dataclass(frozen=True)
class Choice:
    value: Any
    label: Text


@dataclass(frozen=True)
class Variant:
    """Wording of a question for one situation (e.g. a commercial director heads both departments)."""

    when: Condition
    text: Text
    help: Text | None


@dataclass(frozen=True)
class Question(Entry):
    section: str
    type: str
    text: Text
    help: Text
    choices: tuple[Choice, ...]
    minimum: float | None
    maximum: float | None
    ask_when: Condition | None
    variants: tuple[Variant, ...] = ()

    @property
    def multiple(self) -> bool:
        """Whether the answer may name several choices (a ``multi`` question)."""
        return self.type == "multi"

    def wording(self, answers: Mapping[str, Any]) -> tuple[Text, Text]:
        """``(text, help)`` for the situation the earlier answers describe.

        The first variant whose condition holds wins; unknown answers match no variant.
        """
        for variant in self.variants:
            if evaluate(variant.when, lambda fact, name: answers.get(name))[0]:
                return variant.text, variant.help or self.help
        return self.text, self.help

    def label(self, value: Any, lang: str) -> str:
        """The chosen answer in the question's own words (several choices joined)."""
        if value == UNKNOWN:
            return UNKNOWN
        labels = {c.value: c.label[lang] for c in self.choices}
        if isinstance(value, tuple):
            return "; ".join(labels.get(v, str(v)) for v in value)
        return labels.get(value, f"{value:g}" if isinstance(value, float) else str(value))

    def allowed(self) -> str:
        """The allowed answers, as a user should read them."""
        if self.type == "multi":
            values = [str(c.value) for c in self.choices]
            return "one or more of: " + ", ".join(values) + f" (a list), or {UNKNOWN}"
        if self.type == "choice":
            values = [str(c.value) for c in self.choices]
        elif self.type == "yesno":
            values = ["yes", "no"]
        elif self.type == "scale":
            values = ["1", "2", "3", "4", "5"]
        else:
            low = 0 if self.type == "percent" else self.minimum
            high = 100 if self.type == "percent" else self.maximum
            span = f"a number from {low:g}" if low is not None else "a number"
            if high is not None:
                span += f" to {high:g}"
            values = [span]
        return ", ".join(values + [UNKNOWN])

    def normalise(self, value: Any) -> tuple[Any, str | None]:
        """Check an answer; returns ``(normalised value, problem or None)``."""
        if isinstance(value, str) and value.strip().lower() == UNKNOWN:
            return UNKNOWN, None
        if value is None:
            return UNKNOWN, None
        kind = self.type
        if kind == "multi":
            return self._normalise_several(value)
        if isinstance(value, (list, tuple)):
            return value, f"one answer is expected, not a list; expected {self.allowed()}"
        if kind == "yesno":
            if isinstance(value, bool):
                return ("yes" if value else "no"), None
            if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
                return value.strip().lower(), None
            return value, f"{quoted(value)} is not an allowed answer; expected yes, no or unknown"
        if kind == "choice":
            return self._choice(value)
        number = _as_number(value)
        if number is None:
            return value, f"{quoted(value)} is not a number; expected {self.allowed()}"
        if kind == "scale":
            if number not in (1, 2, 3, 4, 5):
                return value, f"{quoted(value)} is out of range; expected a whole number from 1 to 5 or unknown"
            return int(number), None
        low, high = (0, 100) if kind == "percent" else (self.minimum, self.maximum)
        if (low is not None and number < low) or (high is not None and number > high):
            return value, f"{quoted(value)} is out of range; expected {self.allowed()}"
        return number, None

    def by_number(self, value: Any) -> Any:
        """The choice a number stands for (1 is the first choice), or ``value`` itself.

        A value that is one of the choices stays what it is; numbering applies
        only when no choice is itself a number, so it is never ambiguous.
        """
        if not self.choices or isinstance(value, bool) or any(value == c.value for c in self.choices):
            return value
        if any(isinstance(c.value, int) or str(c.value).strip().isdecimal() for c in self.choices):
            return value
        if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 4:
            number = int(value.strip())
        elif isinstance(value, int):
            number = value
        else:
            return value
        return self.choices[number - 1].value if 1 <= number <= len(self.choices) else value


    def _choice(self, value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) and {"yes", "no"} <= {c.value for c in self.choices}:
            value = "yes" if value else "no"  # a former yes/no question, written as a YAML boolean
        for choice in self.choices:
            if value == choice.value or (isinstance(value, str) and str(choice.value) == value.strip()):
                return choice.value, None
        return value, f"{quoted(value)} is not an allowed answer; expected one of: {self.allowed()}"

    def _normalise_several(self, value: Any) -> tuple[Any, str | None]:
        """A multi-choice answer: a list of choices (a single choice is a list of one),
        returned as a tuple in the questionnaire's order without repeats."""
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if not items:
            return value, f"choose at least one answer, or {UNKNOWN}; expected {self.allowed()}"
        chosen = set()
        for item in items:
            if isinstance(item, (list, tuple, Mapping)) or item is None:
                return value, f"{quoted(item)} is not an allowed answer; expected {self.allowed()}"
            if isinstance(item, str) and item.strip().lower() == UNKNOWN:
                if len(items) > 1:
                    return value, f"'{UNKNOWN}' cannot be combined with other answers"
                return UNKNOWN, None
            normalised, problem = self._choice(item)
            if problem:
                return value, problem
            chosen.add(normalised)
        return tuple(c.value for c in self.choices if c.value in chosen), None


def _as_number(value: Any) -> float | int | None:
    """A finite number, or None: NaN, infinities and text that is not a number are not answers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().rstrip("%")
        if len(text) > 40:  # no answer needs more; float() would read 5,000 digits as infinity
            return None
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() else number
    return None


@dataclass(frozen=True)
class Section(Entry):
    name: Text


@dataclass(frozen=True)
class ValueChange:
    """How answers to one question of an older questionnaire map onto the newer one.

    ``values`` maps an old value to the new values it stands for (an empty
    tuple drops it); ``absorb`` folds answers to retired questions into this
    one: ``(old question, {old value: new values})``.
    """

    question: str
    values: Mapping[Any, tuple]
    absorb: tuple[tuple[str, Mapping[Any, tuple]], ...]


@dataclass(frozen=True)
class Migration(Entry):
    """From one questionnaire version to the next (``knowledge/questionnaire.yaml``)."""

    from_version: int
    to_version: int
    summary: Text
    renamed: Mapping[str, str]
    changes: tuple[ValueChange, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Contradiction(Entry):
    """Answers that cannot all be true: ``when`` reads answers only; ``text`` says what conflicts."""

    when: Condition
    text: Text


@dataclass(frozen=True)
class Statement(Entry):
    """One statement of the quick self-assessment, rated 1 (strongly disagree) to 5 (strongly agree)."""

    topic: Text  # a short name for lists of topics
    text: Text

    def as_question(self, help_text: Text) -> "Question":
        """The statement as a 1–5 scale question, so that consultations and reports can ask and show it."""
        return Question(id=self.id, sources=self.sources, location=self.location, section="quick", type="scale",
                        text=self.text, help=help_text, choices=(), minimum=None, maximum=None, ask_when=None)


@dataclass(frozen=True)
class QuickBand(Entry):
    """The totals of the quick self-assessment (``minimum``–``maximum``) that read as one level; ``id`` is the level."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries of the knowledge base, by kind and id, in file order."""

    directory: Path
    levels: Mapping[str, Level]
    signs: Mapping[str, Sign]
    transitions: Mapping[str, Transition]
    symptoms: Mapping[str, Symptom]
    causes: Mapping[str, Cause]
    context: Mapping[str, ContextFactor]
    measures: Mapping[str, Measure]
    owners: Mapping[str, Owner]
    evidence: Mapping[str, Evidence]
    sources: Mapping[str, Source]
    questions: Mapping[str, Question]
    sections: Mapping[str, Section]
    messages: Mapping[str, Text]
    migrations: Mapping[str, Migration] = field(default_factory=dict)
    contradictions: Mapping[str, Contradiction] = field(default_factory=dict)
    statements: Mapping[str, Statement] = field(default_factory=dict)  # the quick self-assessment
    quick_bands: Mapping[str, QuickBand] = field(default_factory=dict)  # level id → its band of quick totals
    derived: Mapping[str, Question] = field(default_factory=dict)  # values worked out, never asked; rules read them
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def owner_of(self, measure: str, answers: Mapping[str, Any]) -> str:
        """Who is accountable for a measure in this company.

        The measure's first owner role, unless the answers show someone else
        holds it (a commercial director over both departments, the owner who
        leads sales, a one-person marketing function, no HR director in a small
        firm): the first owner in ``owners.yaml`` whose ``takes_over`` applies.
        """
        role = self.measures[measure].owner_roles[0]
        value = lambda fact, name: answers.get(name)  # noqa: E731
        for owner in self.owners.values():
            for t in owner.takes_over:
                applies = measure in t.measures or (role in t.roles and measure not in t.exceptions)
                if applies and evaluate(t.when, value)[0]:
                    return owner.id
        return role

    @property
    def questionnaire_version(self) -> int:
        """The version of the questionnaire: answers files record it, older ones are migrated."""
        return max((m.to_version for m in self.migrations.values()), default=1)

    def level_by_value(self, value: int) -> Level:
        return next(level for level in self.levels.values() if level.value == value)

    def ids_of_kind(self, kind: str) -> tuple[str, ...]:
        """The ids a conclusion of ``kind`` may have."""
        table = {
            "symptom": self.symptoms, "sign": self.signs, "context": self.context,
            "support": self.levels, "level": self.levels, "target": self.levels,
            "cause": self.causes, "transition": self.transitions,
            "practice": self.measures, "need": self.measures, "measure": self.measures,
        }
        return tuple(table[kind])

    def answer_question(self, ident: str) -> Question | None:
        """A question, or a derived value the rules read like an answer (``derived:``), by id."""
        return self.questions.get(ident) or self.derived.get(ident)

    def entry(self, ident: str) -> Entry | None:
        for table in (self.levels, self.signs, self.transitions, self.symptoms, self.causes,
                      self.context, self.measures, self.evidence, self.sources, self.questions,
                      self.derived, self.statements):
            if ident in table:
                return table[ident]
        return None

    def message(self, key: str, lang: str) -> str:
        return self.messages[key][lang]

    def all_ids(self) -> set[str]:
        ids = set()
        for table in (self.levels, self.signs, self.transitions, self.symptoms, self.causes, self.context,
                      self.measures, self.owners, self.evidence, self.sources, self.questions, self.derived,
                      self.statements):
            ids.update(table)
        return ids


_COLLECTIONS = ("levels", "signs", "transitions", "symptoms", "causes", "context", "measures",
                "owners", "evidence", "sources", "questions", "sections", "messages", "migrations",
                "contradictions", "statements", "quick_bands", "derived")


def load_knowledge_base(directory: Path | str | None = None, strict: bool = True) -> KnowledgeBase:
    """Load and check the knowledge base.

    Parameters
    ----------
    directory : path-like, optional
        The ``knowledge/`` directory; the bundled one by default.
    strict : bool
        Raise the first problem (default). With False, problems are kept in
        ``KnowledgeBase.problems`` and broken entries are skipped.

    Raises
    ------
    KnowledgeBaseError
        When ``strict`` and a file is malformed or an entry is wrong.
    """
    directory = Path(directory) if directory else data_dir("knowledge")
    if not directory.is_dir():
        raise KnowledgeBaseError("knowledge directory not found", Location(str(directory)))
    raw: dict[str, list[tuple[Document, int, Mapping]]] = {name: [] for name in _COLLECTIONS}
    problems: list[Problem] = []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError("no *.yaml files in the knowledge directory", Location(str(directory)))
    for path in files:
        doc = read_document(path, KnowledgeBaseError, f"{directory.name}/{path.name}")
        if not isinstance(doc.data, Mapping):
            problems.append(Problem("a knowledge file must be a mapping of collections (measures:, questions:, …)",
                                    doc.locate()))
            continue
        for key, entries in doc.data.items():
            if key not in raw:
                problems.append(Problem(f"unknown collection '{key}' (expected one of: {', '.join(_COLLECTIONS)})",
                                        doc.locate(key)))
                continue
            if not isinstance(entries, list):
                problems.append(Problem(f"'{key}' must be a list of entries", doc.locate(key)))
                continue
            for index, entry in enumerate(entries):
                entry_problems = check_entry(entry, SPECS[key], doc, (key, index))
                if key == "questions" and isinstance(entry, Mapping):
                    entry_problems += _check_choices(entry, doc, (key, index))
                if key == "messages" and isinstance(entry, Mapping) and not entry_problems:
                    problem = plural_problem(entry["text"])
                    if problem:
                        entry_problems.append(Problem(problem, doc.locate(key, index, "text")))
                problems.extend(entry_problems)
                if not entry_problems:
                    raw[key].append((doc, index, entry))
    kb = _build(directory, raw, problems)
    if strict and kb.problems:
        first = kb.problems[0]
        raise KnowledgeBaseError(first.message, first.location)
    return kb


def _check_choices(entry, doc, path) -> list[Problem]:
    problems = []
    kind, choices = entry.get("type"), entry.get("choices")
    if kind in ("choice", "multi") and not choices:
        problems.append(Problem(f"a {kind} question needs 'choices'", doc.locate(*path)))
    if kind not in ("choice", "multi") and choices:
        problems.append(Problem(f"a {kind} question cannot have 'choices'", doc.locate(*path, "choices")))
    if isinstance(choices, list):
        seen = set()
        for i, choice in enumerate(choices):
            problems += check_entry(choice, CHOICE_SPEC, doc, path + ("choices", i))
            value = choice.get("value") if isinstance(choice, Mapping) else None
            if value in seen:
                problems.append(Problem(f"choice '{value}' appears twice", doc.locate(*path, "choices", i)))
            seen.add(value)
    return problems


def _text(value) -> Text | None:
    return MappingProxyType({lang: value[lang].strip() for lang in LANGS}) if value else None


def _text_list(value):
    return MappingProxyType({lang: tuple(value[lang]) for lang in LANGS}) if value else None


def _build(directory: Path, raw, problems: list[Problem]) -> KnowledgeBase:
    tables: dict[str, dict[str, Any]] = {name: {} for name in _COLLECTIONS}
    question_types = {e["id"]: e["type"] for _, _, e in raw["questions"]}
    question_types.update({e["id"]: e["type"] for _, _, e in raw["derived"]})
    for name, entries in raw.items():
        for doc, index, e in entries:
            loc = doc.locate(name, index)
            ident = e["id"]
            if ident in tables[name]:
                problems.append(Problem(f"duplicate id '{ident}' (first defined at {tables[name][ident].location})"
                                        if name != "messages" else f"duplicate message '{ident}'", loc))
                continue
            try:
                tables[name][ident] = _make(name, e, loc, doc, index, question_types)
            except KnowledgeBaseError as exc:
                problems.append(Problem(exc.message, exc.location))
    kb = KnowledgeBase(
        directory=directory,
        **{name: MappingProxyType(table) for name, table in tables.items() if name != "messages"},
        messages=MappingProxyType({k: v.name for k, v in tables["messages"].items()}),
        problems=tuple(problems),
    )
    problems.extend(_cross_references(kb))
    return KnowledgeBase(**{**kb.__dict__, "problems": tuple(problems)})


def _make(name, e, loc, doc, index, question_types):
    common = dict(id=e["id"], sources=tuple(e.get("sources", ())), location=loc)
    if name == "levels":
        return Level(**common, value=e["value"], name=_text(e["name"]), labels=_text(e["labels"]),
                     description=_text(e["description"]))
    if name == "signs":
        return Sign(**common, level=e["level"], trigger_of=e.get("trigger_of"), name=_text(e["name"]),
                    description=_text(e["description"]))
    if name == "transitions":
        return Transition(**common, from_level=e["from"], to_level=e["to"], name=_text(e["name"]),
                          triggers=_text(e["triggers"]), not_needed_when=_text(e["not_needed_when"]),
                          core_measures=tuple(e["core_measures"]), difficulty=_text(e.get("difficulty")))
    if name == "symptoms":
        return Symptom(**common, name=_text(e["name"]), description=_text(e["description"]),
                       evidence=tuple(e.get("evidence", ())))
    if name == "causes":
        beside = e.get("named_with") or {}
        return Cause(**common, name=_text(e["name"]), description=_text(e["description"]),
                     evidence=tuple(e.get("evidence", ())), named_with=tuple(beside.get("causes", ())),
                     named_with_because=_text(beside.get("because")),
                     root_because=_text((e.get("root") or {}).get("because")))
    if name == "context":
        return ContextFactor(**common, name=_text(e["name"]), proposition=_text(e["proposition"]),
                             opposite=_text(e.get("opposite")), effect=_text(e["effect"]))
    if name == "measures":
        return Measure(**common, name=_text(e["name"]), summary=_text(e["summary"]), phase=e["phase"],
                       transitions=tuple(e["transitions"]), owner_roles=tuple(e["owner"]["roles"]),
                       owner_text=_text(e["owner"]["text"]), cost=e["cost"], cost_note=_text(e.get("cost_note")),
                       weeks=e["weeks"], duration=_text(e["duration"]), prerequisites=tuple(e["prerequisites"]),
                       addresses=tuple(e["addresses"]), context=tuple(e.get("context", ())),
                       evidence=tuple(e.get("evidence", ())), order_note=_text(e.get("order_note")),
                       cautions=_text_list(e.get("cautions")), tips=_text_list(e.get("tips")),
                       suggested=tuple(e.get("suggested", ())), variants=_variants(
                           e, ("measures", index), NAME_VARIANT_SPEC, "{when: <condition>, name: {en, ru}, change: true|false}",
                           lambda when, v: NameVariant(when, _text(v["name"]), v.get("change", False)), doc, question_types),
                       keeps_level_alive=e.get("keeps_level_alive", False))
    if name == "owners":
        takeovers = []
        for i, item in enumerate(e.get("takes_over", ())):
            where = ("owners", index, "takes_over", i)
            if not isinstance(item, Mapping):
                raise KnowledgeBaseError("'takes_over' items are {when: <condition>, roles: [...], measures: [...]}",
                                         doc.locate(*where))
            item_problems = check_entry(item, TAKEOVER_SPEC, doc, where)
            if item_problems:
                raise KnowledgeBaseError(item_problems[0].message, item_problems[0].location)
            parser = ConditionParser(doc, question_types, allow_findings=False)
            takeovers.append(Takeover(parser.parse(item["when"], where + ("when",)), tuple(item.get("roles", ())),
                                      tuple(item.get("measures", ())), tuple(item.get("except", ()))))
        return Owner(**common, name=_text(e["name"]), takes_over=tuple(takeovers))
    if name == "evidence":
        return Evidence(**common, title=_text(e["title"]), summary=_text(e["summary"]),
                        supports=tuple(e["supports"]), source=e.get("source"))
    if name == "sources":
        return Source(**common, kind=e["kind"], citation=e["citation"], title=_text(e["title"]), seed=e.get("seed"))
    if name == "sections":
        return Section(**common, name=_text(e["name"]))
    if name == "messages":
        return Section(id=e["id"], sources=(), location=loc, name=_text(e["text"]))
    if name == "migrations":
        return _migration(e, common, doc, index, question_types)
    if name == "statements":
        return Statement(**common, topic=_text(e["topic"]), text=_text(e["text"]))
    if name == "quick_bands":
        return QuickBand(**common, minimum=e["min"], maximum=e["max"])
    if name == "derived":
        return Question(**common, section="derived", type=e["type"], text=_text(e["text"]), help=_text(e["help"]),
                        choices=(), minimum=e.get("min"), maximum=e.get("max"), ask_when=None)
    if name == "contradictions":
        parser = ConditionParser(doc, question_types, allow_findings=False)
        return Contradiction(**common, when=parser.parse(e["when"], ("contradictions", index, "when")),
                             text=_text(e["text"]))
    # questions
    ask_when = None
    if e.get("ask_when") is not None:
        parser = ConditionParser(doc, question_types, allow_findings=False)
        ask_when = parser.parse(e["ask_when"], ("questions", index, "ask_when"))
    choices = tuple(Choice(c["value"], _text(c["label"])) for c in e.get("choices", ()))
    variants = _variants(e, ("questions", index), VARIANT_SPEC, "{when: <condition>, text: {en, ru}, help: {en, ru}}",
                         lambda when, v: Variant(when, _text(v["text"]), _text(v.get("help"))), doc, question_types)
    return Question(**common, section=e["section"], type=e["type"], text=_text(e["text"]), help=_text(e["help"]),
                    choices=choices, minimum=e.get("min"), maximum=e.get("max"), ask_when=ask_when,
                    variants=variants)


def _variants(e, where: tuple, spec, form: str, make, doc, question_types) -> tuple:
    """An entry's ``variants`` (a question's wording or a measure's name for one situation): each
    checked against ``spec``, its ``when`` parsed, then built by ``make(when, variant)``."""
    variants = []
    for i, v in enumerate(e.get("variants", ())):
        here = where + ("variants", i)
        if not isinstance(v, Mapping):
            raise KnowledgeBaseError(f"a variant is {form}", doc.locate(*here))
        problems = check_entry(v, spec, doc, here)
        if problems:
            raise KnowledgeBaseError(problems[0].message, problems[0].location)
        parser = ConditionParser(doc, question_types, allow_findings=False)
        variants.append(make(parser.parse(v["when"], here + ("when",)), v))
    return tuple(variants)


def _migration(e, common, doc, index, question_types) -> Migration:
    def new_values(mapping, where) -> Mapping[Any, tuple]:
        if not isinstance(mapping, Mapping):
            raise KnowledgeBaseError("'values' needs a mapping of old value to a list of new values", doc.locate(*where))
        out = {}
        for old, new in mapping.items():
            new = new if isinstance(new, list) else [new]
            if any(isinstance(v, (list, Mapping)) or v is None for v in new):
                raise KnowledgeBaseError(f"'{old}' must map to a value or a list of values", doc.locate(*where, old))
            key = ("yes" if old else "no") if isinstance(old, bool) else old
            out[key] = tuple(new)
        return MappingProxyType(out)

    changes = []
    for i, change in enumerate(e.get("changes", ())):
        where = ("migrations", index, "changes", i)
        if not isinstance(change, Mapping) or not isinstance(change.get("question"), str):
            raise KnowledgeBaseError("a change is {question: id, values: {...}, absorb: [...]}", doc.locate(*where))
        absorb = []
        for j, item in enumerate(change.get("absorb", ())):
            if not isinstance(item, Mapping) or not isinstance(item.get("from"), str):
                raise KnowledgeBaseError("'absorb' items are {from: old question, values: {...}}",
                                         doc.locate(*where, "absorb", j))
            absorb.append((item["from"], new_values(item.get("values", {}), where + ("absorb", j, "values"))))
        changes.append(ValueChange(change["question"], new_values(change.get("values", {}), where + ("values",)),
                                   tuple(absorb)))
    return Migration(**common, from_version=e["from"], to_version=e["to"], summary=_text(e["summary"]),
                     renamed=MappingProxyType(dict(e.get("renamed", {}))), changes=tuple(changes),
                     removed=tuple(e.get("removed", ())))


def _cross_references(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    known = kb.all_ids()

    def need(ident, table, what, loc, key):
        if ident not in table:
            problems.append(Problem(f"'{key}' names unknown {what} '{ident}'", loc))

    for entry in _all_entries(kb):
        for ident in entry.sources:
            if ident not in known:
                problems.append(Problem(f"'sources' names unknown id '{ident}'", entry.location))
    for sign in kb.signs.values():
        need(sign.level, kb.levels, "level", sign.location, "level")
        if sign.trigger_of:
            need(sign.trigger_of, kb.transitions, "transition", sign.location, "trigger_of")
    for t in kb.transitions.values():
        need(t.from_level, kb.levels, "level", t.location, "from")
        need(t.to_level, kb.levels, "level", t.location, "to")
        for m in t.core_measures:
            need(m, kb.measures, "measure", t.location, "core_measures")
    for s in list(kb.symptoms.values()) + list(kb.causes.values()):
        for f in s.evidence:
            need(f, kb.evidence, "evidence", s.location, "evidence")
    for c in kb.causes.values():
        for other in c.named_with:
            need(other, kb.causes, "cause", c.location, "named_with.causes")
    phases = set(kb.transitions) | {"diagnostic"}
    for m in kb.measures.values():
        for t in m.transitions:
            if t not in phases:
                problems.append(Problem(f"'transitions' names unknown transition '{t}'", m.location))
        if m.transitions and m.phase != m.transitions[0]:
            problems.append(Problem(f"'phase' {m.phase} must be the first of 'transitions'", m.location))
        for r in m.owner_roles:
            need(r, kb.owners, "owner", m.location, "owner.roles")
        for p in m.prerequisites:
            need(p, kb.measures, "measure", m.location, "prerequisites")
            if p in kb.measures and PHASES.index(kb.measures[p].phase) > PHASES.index(m.phase):
                problems.append(Problem(f"prerequisite {p} belongs to a later phase ({kb.measures[p].phase}) "
                                        f"than {m.id} ({m.phase})", m.location))
        for a in m.addresses:
            if a not in kb.symptoms and a not in kb.causes:
                problems.append(Problem(f"'addresses' names unknown symptom or cause '{a}'", m.location))
        for c in m.context:
            need(c, kb.context, "context factor", m.location, "context")
        for f in m.evidence:
            need(f, kb.evidence, "evidence", m.location, "evidence")
        for s in m.suggested:
            if s not in ("owner", "cost", "duration", "prerequisites"):
                problems.append(Problem(f"'suggested' names unknown field '{s}'", m.location))
    for f in kb.evidence.values():
        for s in f.supports:
            if s not in known:
                problems.append(Problem(f"'supports' names unknown id '{s}'", f.location))
        if f.source:
            need(f.source, kb.sources, "source", f.location, "source")
    for o in kb.owners.values():
        for t in o.takes_over:
            for r in t.roles:
                need(r, kb.owners, "owner", o.location, "takes_over.roles")
            for m in t.measures + t.exceptions:
                need(m, kb.measures, "measure", o.location, "takes_over.measures")
            for name in sorted(questions_read(t.when)):
                if name not in kb.questions:
                    problems.append(Problem(f"'takes_over' reads unknown question '{name}'", o.location))
            problems.extend(check_values(kb, t.when, o.location))
    for m in kb.measures.values():
        for v in m.variants:
            for name in sorted(questions_read(v.when)):
                if name not in kb.questions:
                    problems.append(Problem(f"a name variant reads unknown question '{name}'", m.location))
            problems.extend(check_values(kb, v.when, m.location))
    order = {q: i for i, q in enumerate(kb.questions)}
    for q in kb.questions.values():
        need(q.section, kb.sections, "section", q.location, "section")
        conditions = [("ask_when", q.ask_when)] if q.ask_when is not None else []
        conditions += [("variants", v.when) for v in q.variants]
        for key, cond in conditions:
            for name in sorted(questions_read(cond)):
                if name not in kb.questions:
                    problems.append(Problem(f"'{key}' reads unknown question '{name}'", q.location))
                elif order[name] >= order[q.id]:
                    problems.append(Problem(f"'{key}' reads '{name}', which is not asked before '{q.id}'",
                                            q.location))
            problems.extend(check_values(kb, cond, q.location))
    versions = sorted((m.from_version, m.to_version, m) for m in kb.migrations.values())
    for position, (start, end, m) in enumerate(versions):
        if end != start + 1 or start != position + 1:
            problems.append(Problem(f"migrations must step one version at a time from 1 "
                                    f"(this one goes from {start} to {end})", m.location))
        for new in list(m.renamed.values()) + [c.question for c in m.changes]:
            need(new, kb.questions, "question", m.location, "migrations")
    for c in kb.contradictions.values():
        read = sorted(questions_read(c.when))
        for name in read:
            if name not in kb.questions:
                problems.append(Problem(f"'when' reads unknown question '{name}'", c.location))
        if len(read) < 2:
            problems.append(Problem("a contradiction needs the answers to at least two questions", c.location))
        problems.extend(check_values(kb, c.when, c.location))
    problems.extend(_quick_references(kb))
    problems.extend(_prerequisite_cycles(kb))
    return problems


def _quick_references(kb: KnowledgeBase) -> list[Problem]:
    """The quick bands name levels and cover 20–100 in level order; derived values do not shadow questions."""
    problems = []
    expected_low = 20
    for band in kb.quick_bands.values():
        if band.id not in kb.levels:
            problems.append(Problem(f"'id' names unknown level '{band.id}'", band.location))
            continue
        if band.minimum != expected_low or band.maximum < band.minimum:
            problems.append(Problem(f"the bands must cover 20–100 without gaps or overlaps in level order; this one "
                                    f"should start at {expected_low}", band.location))
        expected_low = band.maximum + 1
    if kb.quick_bands and expected_low != 101:
        last = list(kb.quick_bands.values())[-1]
        problems.append(Problem("the last band must end at 100", last.location))
    if kb.statements and len(kb.statements) != 20:
        first = next(iter(kb.statements.values()))
        problems.append(Problem(f"the quick self-assessment has {len(kb.statements)} statements; its totals and "
                                "bands (20–100) need exactly 20", first.location))
    for ident, derived in kb.derived.items():
        if ident in kb.questions or ident in kb.statements:
            problems.append(Problem(f"derived value '{ident}' has the id of a question or statement", derived.location))
    for ident, statement in kb.statements.items():
        if ident in kb.questions:
            problems.append(Problem(f"statement '{ident}' has the id of a question", statement.location))
    return problems


def check_values(kb: KnowledgeBase, cond: Condition, location: Location) -> list[Problem]:
    """Problems with the answer values a condition tests (unknown question or value)."""
    problems = []
    for leaf in leaves(cond):
        question = kb.answer_question(getattr(leaf, "question", None))
        if question is None:
            continue
        values = ()
        if leaf.op in ("in", "not_in"):
            values = leaf.operand
        elif leaf.op == "weights":
            values = [v for v, _ in leaf.operand]
        for value in values:
            _, problem = question.normalise(value)
            if problem:
                problems.append(Problem(f"question '{question.id}': {problem}", location))
        if leaf.op in ("min", "max", "below", "above") and question.type in ("choice", "multi", "yesno"):
            problems.append(Problem(f"question '{question.id}' is a {question.type} question and has no numeric "
                                    f"answers to compare", location))
    return problems


def _prerequisite_cycles(kb: KnowledgeBase) -> list[Problem]:
    import networkx as nx

    graph = nx.DiGraph()
    for m in kb.measures.values():
        graph.add_node(m.id)
        for p in m.prerequisites:
            if p in kb.measures:
                graph.add_edge(p, m.id)
    problems = []
    for component in sorted(nx.strongly_connected_components(graph), key=sorted):
        if len(component) > 1 or any(graph.has_edge(n, n) for n in component):
            cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component))]
            first = min(cycle, key=lambda n: kb.measures[n].location.line or 0)
            start = cycle.index(first)
            cycle = cycle[start:] + cycle[:start]
            path = " → ".join(cycle + cycle[:1])
            problems.append(Problem(f"prerequisite cycle among measures: {path}", kb.measures[first].location))
    return problems


def _all_entries(kb: KnowledgeBase) -> Iterable[Entry]:
    for table in (kb.levels, kb.signs, kb.transitions, kb.symptoms, kb.causes, kb.context, kb.measures,
                  kb.owners, kb.evidence, kb.sources, kb.questions, kb.sections, kb.contradictions,
                  kb.statements, kb.quick_bands, kb.derived):
        yield from table.values()
