"""Change over time: two assessments of one organisation side by side (``accord compare OLD NEW``).

Each assessment is an answers file (diagnosed now, with today's knowledge
and rules) or the JSON of an earlier diagnosis (``accord diagnose --format
json``: what was concluded then, as it was). :func:`compare` puts them side
by side: the level and its certainty then and now, the target, the causes
resolved, new and persisting, the measures of the old plan that are now in
place (the progress on the old plan), those still planned or dropped, and
what the new plan adds. The date of each assessment comes from its file
(``date:`` in an answers file, ``"date"`` in a diagnosis).

Assessments of different organisations, or an "old" one dated after the
"new" one, are refused with :class:`~expert.errors.InputError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .documents import Document, read_document
from .errors import InputError, Location
from .respondents import organisation_key

SCHEMA_VERSION = "1.0"  # of the comparison's JSON


@dataclass(frozen=True)
class Snapshot:
    """What one assessment concluded: level, target, named causes, plan, measures in place."""

    source: str
    organization: str
    date: str | None
    level: str | None
    level_value: int | None
    certainty: float | None
    established: bool
    target: str | None
    causes: tuple[tuple[str, float], ...]  # named causes with their certainty
    plan: tuple[str, ...]  # measures in plan order
    in_place: tuple[str, ...]
    weeks: int
    respondents: int = 1
    perception_gap: bool = False
    from_json: bool = False  # a diagnosis read back, not answers diagnosed now


@dataclass
class Comparison:
    """Two snapshots of one organisation and what changed between them."""

    old: Snapshot
    new: Snapshot
    resolved: list[str] = field(default_factory=list)  # causes named then, not now
    appeared: list[str] = field(default_factory=list)  # causes named now, not then
    persisting: list[tuple[str, float, float]] = field(default_factory=list)  # (cause, then, now)
    done: list[str] = field(default_factory=list)  # measures of the old plan now in place
    still_planned: list[str] = field(default_factory=list)  # measures of the old plan in the new one
    dropped: list[str] = field(default_factory=list)  # measures of the old plan neither in place nor planned
    added: list[str] = field(default_factory=list)  # measures of the new plan not in the old one

    @property
    def level_change(self) -> int | None:
        if self.old.level_value is None or self.new.level_value is None:
            return None
        return self.new.level_value - self.old.level_value

    @property
    def progress(self) -> tuple[int, int]:
        """``(measures of the old plan now in place, measures of the old plan)``."""
        return len(self.done), len(self.old.plan)

    def to_dict(self, kb, lang: str = "en") -> dict:
        """As JSON-ready data, names in ``lang``."""
        from .i18n import Messages

        t = Messages(kb, lang)

        def level(ident):
            return {"id": ident, "name": t.name(ident)} if ident else None

        def side(s: Snapshot) -> dict:
            return {"source": s.source, "date": s.date, "from": "diagnosis" if s.from_json else "answers",
                    "respondents": s.respondents,
                    "level": {**level(s.level), "value": s.level_value, "certainty": s.certainty,
                              "established": s.established} if s.level else None,
                    "target": level(s.target), "plan_weeks": s.weeks, "plan": list(s.plan),
                    "in_place": list(s.in_place), "causes": [{"id": c, "name": t.name(c), "certainty": cf}
                                                             for c, cf in s.causes],
                    "perception_gap": s.perception_gap}

        named = lambda ids: [{"id": i, "name": t.name(i)} for i in ids]  # noqa: E731
        done, total = self.progress
        return {
            "schema_version": SCHEMA_VERSION, "kind": "comparison", "language": lang,
            "organization": self.new.organization or self.old.organization,
            "old": side(self.old), "new": side(self.new), "level_change": self.level_change,
            "causes": {"resolved": named(self.resolved), "new": named(self.appeared),
                       "persisting": [{"id": c, "name": t.name(c), "then": a, "now": b} for c, a, b in self.persisting]},
            "plan": {"done": named(self.done), "still_planned": named(self.still_planned),
                     "dropped": named(self.dropped), "added": named(self.added),
                     "progress": {"in_place": done, "of": total}},
        }


# ------------------------------------------------------------------ snapshots

def snapshot_of(d, source: str = "") -> Snapshot:
    """What a diagnosis concluded."""
    lv, tg = d.level, d.target
    resp = d.respondents
    return Snapshot(source or (d.sheet.source or ""), d.sheet.organization, d.sheet.date,
                    lv.id if lv else None, lv.value if lv else None,
                    round(lv.certainty, 3) if lv else None, bool(lv and lv.established),
                    tg.id if tg else None,
                    tuple((c.id, round(c.certainty, 3)) for c in d.inference.causes if c.named),
                    tuple(d.plan.order), tuple(d.in_place), d.plan.total_weeks,
                    len(resp.sheets) if resp else 1,
                    d.inference.cf("symptom", "SYM-PERCEPTION-GAP") >= 0.5)


def snapshot_from_json(doc: Document) -> Snapshot:
    """What a diagnosis JSON (``accord diagnose --format json``) records.

    Raises
    ------
    InputError
        When the file is not such a diagnosis.
    """
    data = doc.data

    def need(condition: bool, what: str, *where) -> None:
        if not condition:
            raise InputError(f"not a diagnosis of accord diagnose --format json: {what}", doc.locate(*where))

    need(isinstance(data, Mapping), "expected an object")
    version = data.get("schema_version")
    need(isinstance(version, str) and version.split(".")[0] == "2", "expected schema_version 2.x", "schema_version")
    level, target, plan = data.get("level"), data.get("target_level"), data.get("plan")
    need(level is None or (isinstance(level, Mapping) and isinstance(level.get("id"), str)
                           and isinstance(level.get("value"), int)), "'level' needs an id and a value", "level")
    need(target is None or (isinstance(target, Mapping) and isinstance(target.get("id"), str)),
         "'target_level' needs an id", "target_level")
    need(isinstance(plan, Mapping) and isinstance(plan.get("order"), list)
         and all(isinstance(m, str) for m in plan["order"]) and isinstance(plan.get("total_weeks"), int),
         "'plan' needs 'order' and 'total_weeks'", "plan")
    causes = data.get("causes", [])
    need(isinstance(causes, list) and all(isinstance(c, Mapping) and isinstance(c.get("id"), str) for c in causes),
         "'causes' must list causes with ids", "causes")
    in_place = data.get("in_place", [])
    need(isinstance(in_place, list) and all(isinstance(m, str) for m in in_place), "'in_place' must list ids",
         "in_place")
    organization = data.get("organization") or ""
    need(isinstance(organization, str), "'organization' must be a name", "organization")
    date = data.get("date")
    need(date is None or isinstance(date, str), "'date' must be YYYY-MM-DD", "date")
    # a cause is named unless the differential left it 'also possible' (schema 2.0: "named": false)
    named = tuple((c["id"], float(c.get("certainty", 0.0))) for c in causes if c.get("named", True))
    resp = data.get("respondents")
    symptoms = data.get("symptoms", [])
    gap = any(isinstance(s, Mapping) and s.get("id") == "SYM-PERCEPTION-GAP" and (s.get("certainty") or 0) >= 0.5
              for s in symptoms) if isinstance(symptoms, list) else False
    return Snapshot(doc.name, organization, date, level["id"] if level else None, level["value"] if level else None,
                    level.get("certainty") if level else None, bool(level and level.get("established", True)),
                    target["id"] if target else None, named, tuple(plan["order"]), tuple(in_place),
                    plan["total_weeks"], resp.get("count", 1) if isinstance(resp, Mapping) else 1, gap, True)


def read_snapshot(path: Path | str, system) -> Snapshot:
    """An assessment from a file: a diagnosis JSON as recorded, or an answers file diagnosed now.

    Raises
    ------
    InputError
        For a file that is neither, or is malformed.
    """
    from .answers import check_answers
    from .diagnosis import diagnose

    doc = read_document(path, InputError)
    if isinstance(doc.data, Mapping) and "schema_version" in doc.data:
        return snapshot_from_json(doc)
    sheet = check_answers(doc, system.kb)
    return snapshot_of(diagnose(sheet, system), doc.name)


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """What changed from one assessment to the next.

    Raises
    ------
    InputError
        When the two are of different organisations, or the old one is dated after the new one.

    Examples
    --------
    >>> a = Snapshot("a", "Acme", "2025-01-10", "LEVEL-1-UNDEFINED", 1, 0.7, True, "LEVEL-2-DEFINED",
    ...              (("CAUSE-UNCLEAR-RESPONSIBILITY", 0.6),), ("MEAS-FORMALISE-INTERACTION-RULES",), (), 4)
    >>> b = Snapshot("b", "ACME", "2026-01-12", "LEVEL-2-DEFINED", 2, 0.8, True, "LEVEL-2-DEFINED",
    ...              (), (), ("MEAS-FORMALISE-INTERACTION-RULES",), 0)
    >>> c = compare(a, b)
    >>> c.level_change, c.resolved, c.done, c.progress
    (1, ['CAUSE-UNCLEAR-RESPONSIBILITY'], ['MEAS-FORMALISE-INTERACTION-RULES'], (1, 1))
    """
    if old.organization.strip() and new.organization.strip() and \
            organisation_key(old.organization) != organisation_key(new.organization):
        raise InputError(f"organisation '{new.organization}' differs from '{old.organization}' in {old.source}; "
                         "compare two assessments of one organisation", Location(new.source))
    if old.date and new.date and old.date > new.date:
        raise InputError(f"dated {old.date}, after {new.source} ({new.date}); give the earlier assessment first",
                         Location(old.source))
    then = dict(old.causes)
    now = dict(new.causes)
    result = Comparison(old, new)
    result.resolved = [c for c in then if c not in now]
    result.appeared = [c for c in now if c not in then]
    result.persisting = [(c, then[c], now[c]) for c in now if c in then]
    in_place, planned = set(new.in_place), set(new.plan)
    result.done = [m for m in old.plan if m in in_place]
    result.still_planned = [m for m in old.plan if m in planned and m not in in_place]
    result.dropped = [m for m in old.plan if m not in planned and m not in in_place]
    result.added = [m for m in new.plan if m not in set(old.plan)]
    return result


def compare_files(old: Path | str, new: Path | str, system) -> Comparison:
    """:func:`compare` of two files (answers files or diagnosis JSON)."""
    return compare(read_snapshot(old, system), read_snapshot(new, system))


# ------------------------------------------------------------------ reports

def comparison_context(c: Comparison, kb, lang: str) -> dict[str, Any]:
    """What every format of the comparison shows, in one language."""
    from .i18n import Messages

    t = Messages(kb, lang)

    def level(s: Snapshot) -> str:
        if not s.level:
            return t("report.no_level")
        name = t("level.value", value=s.level_value, name=t.name(s.level))
        return f"{name} ({s.certainty:.2f})" if s.certainty is not None else name

    def target(s: Snapshot) -> str:
        return t("level.value", value=kb.levels[s.target].value, name=t.name(s.target)) \
            if s.target in kb.levels else (s.target or "—")

    change = c.level_change
    if change is None:
        movement = t("compare.level_unknown")
    elif change > 0:
        movement = t("compare.level_up", count=change)
    elif change < 0:
        movement = t("compare.level_down", count=-change)
    else:
        movement = t("compare.level_same")
    done, total = c.progress
    names = lambda ids: [t.name(i) for i in ids]  # noqa: E731
    return {
        "lang": lang,
        "organization": c.new.organization or c.old.organization or t("report.unnamed"),
        "columns": [t("compare.then"), t("compare.now")],
        "dates": [c.old.date or t("compare.undated"), c.new.date or t("compare.undated")],
        "sources": [c.old.source, c.new.source],
        "rows": [
            (t("report.level"), level(c.old), level(c.new)),
            (t("report.target"), target(c.old) if c.old.target else "—", target(c.new) if c.new.target else "—"),
            (t("compare.causes_named"), str(len(c.old.causes)), str(len(c.new.causes))),
            (t("compare.plan_size"), t("doc.measures_count", count=len(c.old.plan)) + ", " +
             t("doc.weeks", weeks=c.old.weeks),
             t("doc.measures_count", count=len(c.new.plan)) + ", " + t("doc.weeks", weeks=c.new.weeks)),
            (t("compare.respondents"), str(c.old.respondents), str(c.new.respondents)),
        ],
        "movement": movement,
        "progress": t("compare.progress", done=done, total=total) if total else t("compare.no_old_plan"),
        "resolved": names(c.resolved), "appeared": names(c.appeared),
        "persisting": [f"{t.name(i)} ({a:.2f} → {b:.2f})" for i, a, b in c.persisting],
        "done": names(c.done), "still_planned": names(c.still_planned), "dropped": names(c.dropped),
        "added": names(c.added),
        "recorded": [t("compare.recorded", file=s.source) for s in (c.old, c.new) if s.from_json],
    }


SECTIONS = (("compare.resolved", "resolved"), ("compare.appeared", "appeared"), ("compare.persisting", "persisting"),
            ("compare.done", "done"), ("compare.still_planned", "still_planned"), ("compare.dropped", "dropped"),
            ("compare.added", "added"))


def render_comparison(c: Comparison, kb, fmt: str, lang: str = "en") -> str:
    """The comparison as ``text``, ``md``, ``html`` or ``json``; the same files give the same bytes."""
    if fmt == "json":
        return json.dumps(c.to_dict(kb, lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    from .i18n import Messages

    t = Messages(kb, lang)
    ctx = comparison_context(c, kb, lang)
    sections = [{"title": t(key), "items": ctx[name]} for key, name in SECTIONS]
    if fmt in ("md", "html"):
        from .templates import environment

        return environment(fmt).get_template(f"compare.{fmt}").render(t=t, sections=sections, **ctx)
    return _text(ctx, sections, t)


def _text(ctx: dict, sections: Sequence[dict], t) -> str:
    import io

    from rich import box
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    out: list = [Text(f"{t('compare.title')} — {ctx['organization']}", style="bold"), Text("")]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("", overflow="fold")
    for column, date in zip(ctx["columns"], ctx["dates"]):
        table.add_column(f"{column}: {date}", overflow="fold")
    for row in ctx["rows"]:
        table.add_row(*row)
    out.append(table)
    out.append(Text(ctx["movement"], style="bold"))
    out.append(Text(ctx["progress"]))
    out.append(Text(""))
    for section in sections:
        out.append(Text(section["title"], style="bold underline"))
        if section["items"]:
            out += [Text(f"• {item}") for item in section["items"]]
        else:
            out.append(Text(t("report.none"), style="dim"))
        out.append(Text(""))
    out += [Text(line, style="dim") for line in ctx["recorded"]]
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None, force_terminal=False, emoji=False,
                      highlight=False, legacy_windows=False)
    console.print(Group(*out))
    return buffer.getvalue()
