"""A cache of the checked knowledge and rule bases, so a cold start skips YAML.

Parsing and checking ~20 YAML files takes about a quarter of a second; a
command-line run should not pay that every time. After a successful strict
load, the typed bases are written as JSON to the user's cache directory,
keyed by a hash of every source file, the package version and the cache
format. JSON (not pickle) keeps the cache plain data: only the dataclasses
registered below can be rebuilt from it, so a tampered cache file cannot run
code; a stale or broken one is ignored and rebuilt.

``ACCORD_CACHE_DIR`` moves the cache; ``ACCORD_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import conditions, errors, knowledge, rules

FORMAT = "9"

_CLASSES = {cls.__name__: cls for cls in (
    knowledge.Level, knowledge.Sign, knowledge.Transition, knowledge.Symptom, knowledge.Cause,
    knowledge.ContextFactor, knowledge.Measure, knowledge.Owner, knowledge.Evidence, knowledge.Source,
    knowledge.Choice, knowledge.Question, knowledge.Variant, knowledge.NameVariant, knowledge.Section, knowledge.Migration,
    knowledge.ValueChange, knowledge.Takeover, knowledge.Contradiction, knowledge.KnowledgeBase,
    knowledge.Statement, knowledge.QuickBand,
    conditions.AnswerLeaf, conditions.FindingLeaf, conditions.All, conditions.Any_,
    rules.Conclusion, rules.Rule, rules.Stage, rules.RuleSet, errors.Location, errors.Problem,
)}


def cache_dir() -> Path | None:
    if os.environ.get("ACCORD_NO_CACHE"):
        return None
    base = os.environ.get("ACCORD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "accord"


def key(*directories: Path) -> str:
    """A hash of every YAML file of the given directories and of this code's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("accord")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        package = "0"
    digest = hashlib.sha256(f"{FORMAT}|{package}|{sys.version_info[:2]}".encode())
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(str(directory.resolve()).encode() + b"\1")
    return digest.hexdigest()[:32]


def load(cache_key: str) -> tuple[Any, Any] | None:
    """The cached ``(KnowledgeBase, RuleSet)``, or None when absent or unusable."""
    directory = cache_dir()
    if directory is None:
        return None
    path = directory / f"bases-{cache_key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _decode(data["kb"]), _decode(data["rules"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(cache_key: str, kb, ruleset) -> None:
    """Write the bases to the cache; failures only mean no cache next time."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"kb": _encode(kb), "rules": _encode(ruleset)}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".bases-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, directory / f"bases-{cache_key}.json")
    except OSError:
        pass


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CLASSES:
        return {"__dc": type(value).__name__,
                "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, (dict, MappingProxyType)):
        return {"__map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple": [_encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"__set": sorted((_encode(v) for v in value), key=repr)}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, Path):
        return {"__path": str(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__dc" in value:
        cls = _CLASSES[value["__dc"]]
        return cls(**{k: _decode(v) for k, v in value["f"].items()})
    if "__map" in value:
        return MappingProxyType({_decode(k): _decode(v) for k, v in value["__map"]})
    if "__tuple" in value:
        return tuple(_decode(v) for v in value["__tuple"])
    if "__set" in value:
        return frozenset(_decode(v) for v in value["__set"])
    if "__path" in value:
        return Path(value["__path"])
    raise ValueError("unknown cache entry")
