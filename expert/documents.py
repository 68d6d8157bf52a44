"""Reading YAML and JSON files while remembering where every key was.

Error messages must name the file, the line and the key, so a document is
composed into a node tree first (which keeps line numbers), then turned into
plain Python data with the safe constructor. Nothing is ever ``eval``-ed and
only ``safe_load`` semantics apply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import AccordError, Location, display_path

try:  # libyaml is much faster and keeps the same marks
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

KeyPath = tuple


@dataclass
class Document:
    """Data read from one file, with the line of every key and list item."""

    path: Path
    data: Any
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    label: str | None = None  # how messages name the file; the path relative to the cwd by default

    @property
    def name(self) -> str:
        return self.label or display_path(self.path)

    def locate(self, *keys: Any) -> Location:
        """The location of a key path; falls back to the nearest known parent."""
        path = tuple(str(k) for k in keys)
        probe = path
        while probe and probe not in self.marks:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (None, None))
        return Location(self.name, line, column, format_key_path(keys) or None)


def format_key_path(keys) -> str:
    """``('answers', 'joint_meetings')`` → ``answers.joint_meetings``; list items as ``[3]``."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + str(key)
    return out


def read_document(path: Path | str, error: type[AccordError] = AccordError, label: str | None = None) -> Document:
    """Read a YAML or JSON file (chosen by extension; YAML otherwise).

    Parameters
    ----------
    path : path-like
        The file to read.
    error : type of AccordError
        Raised, with the location, when the file cannot be read or parsed.
    label : str, optional
        The name messages give the file (default: its path relative to the
        working directory). The knowledge and rule bases use
        ``knowledge/<file>`` and ``rules/<file>``, the same from any directory.

    Returns
    -------
    Document

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_text("answers:\\n  joint_meetings: monthly\\n")
    >>> doc = read_document(p)
    >>> doc.data["answers"]["joint_meetings"], doc.locate("answers", "joint_meetings").line
    ('monthly', 2)
    """
    path = Path(path)
    name = label or display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error("file not found", Location(name)) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", Location(name)) from None
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", Location(name)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (bad byte at offset {exc.start})", Location(name)) from None
    if not text.strip():
        raise error("the file is empty", Location(name))
    if path.suffix.lower() == ".json":
        return _read_json(path, text, error, name)
    return _read_yaml(path, text, error, name)


def _read_json(path: Path, text: str, error, name: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"malformed JSON: {exc.msg}", Location(name, exc.lineno, exc.colno)) from None
    try:  # JSON is (almost always) YAML too; composing it recovers line numbers
        marks = _compose_marks(text)[1]
    except (yaml.YAMLError, _DuplicateKey):
        marks = {}
    return Document(path, data, marks, name)


def _read_yaml(path: Path, text: str, error, name: str) -> Document:
    try:
        data, marks = _compose_marks(text)
    except _DuplicateKey as dup:
        raise error(f"duplicate key '{dup.key}'", Location(name, dup.line, dup.column)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise error(f"malformed YAML: {problem}", Location(name, line, column)) from None
    except yaml.YAMLError as exc:
        raise error(f"malformed YAML: {exc}", Location(name)) from None
    return Document(path, data, marks, name)


class _DuplicateKey(Exception):
    def __init__(self, key, line, column):
        super().__init__(key)
        self.key, self.line, self.column = key, line, column


def _compose_marks(text: str):
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        marks: dict[KeyPath, tuple[int, int]] = {}
        if node is not None:
            _walk(node, (), marks)
            data = loader.construct_document(node)
        else:
            data = None
    finally:
        loader.dispose()
    return data, marks


def _walk(node, path: KeyPath, marks) -> None:
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            seen.add(key)
            child = path + (key,)
            marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, marks)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (str(index),)
            marks[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, child, marks)
