"""A small declarative validator for the YAML entries of the knowledge base.

Each collection (``measures``, ``questions``, ...) has a field spec; checking
an entry against it yields problems located at the offending key. Keeping the
spec as data makes the file format and its checks one and the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import re

from .conditions import FINDING_KINDS, is_number
from .documents import Document
from .errors import Problem

LANGS = ("en", "ru")


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], str | None]  # returns a problem message or None
    required: bool = True


def text(value) -> str | None:
    if not isinstance(value, Mapping):
        return "needs both languages: {en: …, ru: …}"
    missing = [lang for lang in LANGS if not isinstance(value.get(lang), str) or not value.get(lang).strip()]
    if missing:
        return "missing translation: " + ", ".join(missing)
    extra = sorted(set(value) - set(LANGS))
    if extra:
        return "unknown language: " + ", ".join(map(str, extra))
    return None


def text_list(value) -> str | None:
    if not isinstance(value, Mapping):
        return "needs both languages: {en: [...], ru: [...]}"
    for lang in LANGS:
        items = value.get(lang)
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
            return f"missing translation: {lang} needs a non-empty list of texts"
    if len(value["en"]) != len(value["ru"]):
        return f"en has {len(value['en'])} items but ru has {len(value['ru'])}"
    return None


def string(value) -> str | None:
    return None if isinstance(value, str) and value.strip() else "needs a non-empty string"


def id_list(value) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return "needs a list of ids"
    dupes = sorted({v for v in value if value.count(v) > 1})
    return f"lists {', '.join(dupes)} twice" if dupes else None


def nonempty_id_list(value) -> str | None:
    return id_list(value) or (None if value else "needs at least one id")


def positive_int(value) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else "needs a whole number ≥ 1"


def number(value) -> str | None:
    return None if is_number(value) else "needs a number"


def flag(value) -> str | None:
    return None if isinstance(value, bool) else "needs true or false"


def one_of(*allowed) -> Callable[[Any], str | None]:
    def check(value):
        return None if value in allowed else "must be one of: " + ", ".join(map(str, allowed))
    return check


def anything(value) -> str | None:
    return None


def nested(spec: Mapping[str, Field]) -> Callable[[Any], str | None]:
    """A mapping checked field by field; the first problem is reported."""
    def check(value):
        if not isinstance(value, Mapping):
            return "needs a mapping with: " + ", ".join(spec)
        for key, field in spec.items():
            if key not in value:
                if field.required:
                    return f"needs '{key}'"
                continue
            problem = field.check(value[key])
            if problem:
                return f"{key}: {problem}"
        extra = sorted(set(map(str, value)) - set(spec))
        return f"unknown key '{extra[0]}'" if extra else None
    return check


def check_entry(entry: Any, spec: Mapping[str, Field], doc: Document, path: tuple) -> list[Problem]:
    """Problems of one entry; an unusable entry yields one problem."""
    if not isinstance(entry, Mapping):
        return [Problem("each entry must be a mapping", doc.locate(*path))]
    problems = []
    for key, field in spec.items():
        if key not in entry:
            if field.required:
                problems.append(Problem(f"missing '{key}'", doc.locate(*path)))
            continue
        message = field.check(entry[key])
        if message:
            problems.append(Problem(f"'{key}' {message}", doc.locate(*path, key)))
    for key in entry:
        if str(key) not in spec:
            problems.append(Problem(f"unknown key '{key}' (expected one of: {', '.join(spec)})", doc.locate(*path, key)))
    return problems


ID = Field(string)
SOURCES = Field(nonempty_id_list)

SPECS: dict[str, dict[str, Field]] = {
    "levels": {
        "id": ID, "value": Field(one_of(1, 2, 3, 4)), "name": Field(text), "labels": Field(text),
        "description": Field(text), "sources": SOURCES,
    },
    "signs": {
        "id": ID, "level": Field(string), "trigger_of": Field(string, required=False),
        "name": Field(text), "description": Field(text), "sources": SOURCES,
    },
    "transitions": {
        "id": ID, "from": Field(string), "to": Field(string), "name": Field(text),
        "triggers": Field(text), "not_needed_when": Field(text), "core_measures": Field(id_list),
        "difficulty": Field(text, required=False), "sources": SOURCES,
    },
    "symptoms": {
        "id": ID, "name": Field(text), "description": Field(text),
        "evidence": Field(id_list, required=False), "sources": SOURCES,
    },
    "causes": {
        "id": ID, "name": Field(text), "description": Field(text),
        "evidence": Field(id_list, required=False),
        "named_with": Field(nested({"causes": Field(nonempty_id_list), "because": Field(text)}), required=False),
        "root": Field(nested({"because": Field(text)}), required=False),
        "sources": SOURCES,
    },
    "context": {
        "id": ID, "name": Field(text), "proposition": Field(text), "opposite": Field(text, required=False),
        "effect": Field(text), "sources": SOURCES,
    },
    "measures": {
        "id": ID, "name": Field(text), "summary": Field(text),
        "phase": Field(one_of("diagnostic", "TRANS-1-TO-2", "TRANS-2-TO-3", "TRANS-3-TO-4")),
        "transitions": Field(nonempty_id_list),
        "owner": Field(nested({"roles": Field(nonempty_id_list), "text": Field(text)})),
        "cost": Field(one_of("free", "low", "medium", "high")), "cost_note": Field(text, required=False),
        "weeks": Field(positive_int), "duration": Field(text),
        "prerequisites": Field(id_list), "addresses": Field(nonempty_id_list),
        "context": Field(id_list, required=False), "evidence": Field(id_list, required=False),
        "order_note": Field(text, required=False), "cautions": Field(text_list, required=False),
        "tips": Field(text_list, required=False),
        "suggested": Field(id_list, required=False),
        "variants": Field(lambda v: None if isinstance(v, list) and v else "needs a non-empty list", required=False),
        "keeps_level_alive": Field(flag, required=False),
        "sources": SOURCES,
    },
    "owners": {"id": ID, "name": Field(text),
               "takes_over": Field(lambda v: None if isinstance(v, list) and v else "needs a non-empty list", required=False),
               "sources": SOURCES},
    "evidence": {
        "id": ID, "title": Field(text), "summary": Field(text), "supports": Field(id_list),
        "source": Field(string, required=False), "sources": SOURCES,
    },
    "sources": {
        "id": ID, "kind": Field(one_of("seed", "literature", "web")), "citation": Field(string),
        "title": Field(text), "seed": Field(string, required=False), "sources": SOURCES,
    },
    "questions": {
        "id": ID, "section": Field(string),
        "type": Field(one_of("choice", "multi", "scale", "yesno", "percent", "number")),
        "text": Field(text), "help": Field(text),
        "variants": Field(lambda v: None if isinstance(v, list) and v else "needs a non-empty list", required=False),
        "choices": Field(lambda v: None if isinstance(v, list) and v else "needs a non-empty list", required=False),
        "min": Field(number, required=False), "max": Field(number, required=False),
        "ask_when": Field(anything, required=False), "sources": SOURCES,
    },
    "sections": {"id": ID, "name": Field(text), "sources": SOURCES},
    "migrations": {
        "id": ID, "from": Field(positive_int), "to": Field(positive_int), "summary": Field(text),
        "renamed": Field(lambda v: None if isinstance(v, Mapping) and all(isinstance(k, str) and isinstance(x, str)
                                                                           for k, x in v.items())
                         else "needs a mapping of old question id to new id", required=False),
        "changes": Field(lambda v: None if isinstance(v, list) else "needs a list of question changes", required=False),
        "removed": Field(id_list, required=False), "sources": SOURCES,
    },
    "messages": {"id": ID, "text": Field(text)},
    # the quick self-assessment and several respondents (knowledge/quick.yaml, knowledge/respondents.yaml)
    "statements": {"id": ID, "topic": Field(text), "text": Field(text), "sources": SOURCES},
    "quick_bands": {"id": ID, "min": Field(positive_int), "max": Field(positive_int), "sources": SOURCES},
    "derived": {
        "id": ID, "type": Field(one_of("percent", "number")), "text": Field(text), "help": Field(text),
        "min": Field(number, required=False), "max": Field(number, required=False), "sources": SOURCES,
    },
    "contradictions": {"id": ID, "when": Field(anything), "text": Field(text), "sources": SOURCES},
}

CHOICE_SPEC = {"value": Field(lambda v: None if isinstance(v, (str, int)) and not isinstance(v, bool) and v != "unknown" else "needs a plain value other than 'unknown'"),
               "label": Field(text)}

# A question's wording for one situation: the first variant whose condition
# (on earlier answers) holds replaces the default text and help.
# Who stands in for a role in a company that does not have it, or where
# someone else holds it: {when: <condition on answers>, roles: [...]} takes
# over every measure owned by those roles (but those in `except`), plus the
# measures listed in `measures`.
TAKEOVER_SPEC = {"when": Field(lambda v: None), "roles": Field(id_list, required=False),
                 "measures": Field(id_list, required=False), "except": Field(id_list, required=False)}

VARIANT_SPEC = {"when": Field(lambda v: None), "text": Field(text), "help": Field(text, required=False)}

NAME_VARIANT_SPEC = {"when": Field(lambda v: None), "name": Field(text),
                     "change": Field(flag, required=False)}

RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

SPECS["stage"] = {
    "id": Field(string), "name": Field(text),
    "concludes": Field(lambda v: nonempty_id_list(v) or (None if set(v) <= set(FINDING_KINDS)
                                                         else "names an unknown kind; use: " + ", ".join(FINDING_KINDS))),
}
SPECS["rules"] = {
    "id": Field(lambda v: None if isinstance(v, str) and RULE_ID.match(v) else "needs a kebab-case id such as 'price-conflicts-frequent'"),
    "summary": Field(text),
    "when": Field(lambda v: None),
    "then": Field(lambda v: None if isinstance(v, list) and v else "needs a non-empty list of conclusions"),
    "because": Field(text),
    "limits": Field(text, required=False),
    "aliases": Field(id_list, required=False),
    "sources": Field(nonempty_id_list),
}
