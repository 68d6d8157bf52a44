"""Reading YAML and JSON files while remembering where every key was.

Error messages must name the file, the line and the key, so a document is
composed into a node tree first (which keeps line numbers), then turned into
plain Python data with the safe constructor. Nothing is ever ``eval``-ed and
only ``safe_load`` semantics apply.

A file can be hostile, so reading is bounded: only regular files are read
(never a device or a named pipe, which could block or never end), at most
:data:`MAX_BYTES` of them; the parser's events are counted before a node
tree is built; YAML aliases are expanded in the count (an "alias bomb" of a
few hundred bytes would otherwise describe billions of items); nesting is
limited to :data:`MAX_DEPTH` levels; numbers must be finite and of sensible
length, so that nothing read can later fail to print or be written as JSON.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import AccordError, Location, display_path, printable

try:  # libyaml is much faster and keeps the same marks
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Base = yaml.SafeLoader

KeyPath = tuple

MAX_BYTES = 2_000_000  # answers files are a few kilobytes, knowledge files about 100 kB
MAX_ITEMS = 100_000  # keys, values and list items, with every YAML alias expanded
MAX_DEPTH = 64  # levels of nesting; the rule files need about 10
MAX_NUMBER_LENGTH = 100  # characters of a number literal


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
            out += ("." if out else "") + printable(str(key))
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

    Raises
    ------
    AccordError
        Of the class ``error``: the file is missing, not a regular file, too
        large, not UTF-8, malformed, nested too deeply, expands to too many
        items, repeats a key, or holds a number that is not finite or too long.

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
    raw = _read_bytes(path, error, name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (bad byte at offset {exc.start})", Location(name)) from None
    if not text.strip():
        raise error("the file is empty", Location(name))
    if path.suffix.lower() == ".json":
        return _read_json(path, text, error, name)
    return _read_yaml(path, text, error, name)


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"))


def _read_bytes(path: Path, error, name: str) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES; never blocks on a pipe or reads a device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: opening a named pipe does not wait for a writer
    except FileNotFoundError:
        raise error("file not found", Location(name)) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", Location(name)) from None
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", Location(name)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error("is a directory, not a file", Location(name))
        if not stat.S_ISREG(mode):
            kind = next((word for test, word in _KINDS if test(mode)), "not a regular file")
            raise error(f"is {kind}, not a file; give the path of a YAML or JSON file", Location(name))
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", Location(name)) from None
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        raise error(f"the file is too large (over {MAX_BYTES // 1_000_000} MB); answers and knowledge files "
                    "are a few kilobytes", Location(name))
    return b"".join(chunks)


# --------------------------------------------------------------------- limits

class _Rejected(Exception):
    """Something in the document breaks a limit; ``mark`` is a libyaml mark (0-based) or None."""

    def __init__(self, message: str, mark=None, literal: str | None = None):
        super().__init__(message)
        self.message = message
        self.literal = literal  # the offending text, to find it in a JSON file
        self.line, self.column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)

    def place(self, text: str) -> tuple[int | None, int | None]:
        """Line and column: from the mark, or where the literal first occurs in ``text``."""
        if self.line is not None or not self.literal:
            return self.line, self.column
        offset = text.find(self.literal)
        if offset < 0:
            return None, None
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _DuplicateKey(Exception):
    def __init__(self, key, line=None, column=None):
        super().__init__(key)
        self.key, self.line, self.column = key, line, column


def _too_many() -> str:
    return f"too many items: more than {MAX_ITEMS:,}, counting every repetition made by YAML aliases"


def _too_deep() -> str:
    return f"nested too deeply: more than {MAX_DEPTH} levels"


def _short(text: str, limit: int = 40) -> str:
    text = printable(text)
    return text if len(text) <= limit else text[:limit] + "…"


# The safe constructor with guards: numbers that cannot be printed (Python refuses to turn an
# integer of more than 4,300 digits into text) or that are not finite (.nan, .inf, 1.0e999) are
# refused where they are written, and an impossible date is a located error, not a crash.

class _Loader(_Base):
    pass


def _construct_int(loader, node):
    if len(node.value) > MAX_NUMBER_LENGTH:
        raise _Rejected(f"a number of {len(node.value)} characters; at most {MAX_NUMBER_LENGTH} are read",
                        node.start_mark)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


def _construct_float(loader, node):
    value = yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise _Rejected(f"'{_short(node.value)}' is not a finite number", node.start_mark)
    return value


def _construct_timestamp(loader, node):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise _Rejected(f"'{_short(node.value)}' is not a valid date: {exc}", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# ----------------------------------------------------------------------- JSON

def _json_object(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _json_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise _Rejected(f"a number of {len(literal)} characters; at most {MAX_NUMBER_LENGTH} are read",
                        literal=literal)
    return int(literal)


def _json_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Rejected(f"'{_short(literal)}' is not a finite number", literal=literal)
    return value


def _json_constant(literal: str):
    raise _Rejected(f"'{literal}' is not a number JSON allows", literal=literal)


def _read_json(path: Path, text: str, error, name: str) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int, parse_float=_json_float,
                          parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise error(f"malformed JSON: {exc.msg}", Location(name, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise error(_too_deep(), Location(name)) from None
    except _DuplicateKey as dup:
        line, column = _json_duplicate_place(text, dup.key)
        raise error(f"duplicate key '{printable(dup.key)}'", Location(name, line, column)) from None
    except _Rejected as bad:
        raise error(bad.message, Location(name, *bad.place(text))) from None
    try:
        _check_tree(data)
    except _Rejected as bad:
        raise error(bad.message, Location(name)) from None
    try:  # JSON is (almost always) YAML too; composing it recovers line numbers
        marks = _compose_marks(text)[1]
    except (yaml.YAMLError, _DuplicateKey, _Rejected, RecursionError):
        marks = {}
    return Document(path, data, marks, name)


def _json_duplicate_place(text: str, key: str) -> tuple[int | None, int | None]:
    """Where the second occurrence of a duplicated key is, if YAML can tell."""
    try:
        _compose_marks(text)
    except _DuplicateKey as dup:
        return dup.line, dup.column
    except (yaml.YAMLError, _Rejected, RecursionError):
        pass
    return None, None


def _check_tree(data: Any) -> None:
    """Depth and size limits for plain data (JSON has no aliases, so a walk is linear)."""
    stack, count = [(data, 1)], 0  # depth: how many lists and mappings enclose a value, itself included
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_ITEMS:
            raise _Rejected(_too_many())
        if isinstance(value, (dict, list)) and depth > MAX_DEPTH:
            raise _Rejected(_too_deep())
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


# ----------------------------------------------------------------------- YAML

def _read_yaml(path: Path, text: str, error, name: str) -> Document:
    try:
        data, marks = _compose_marks(text)
    except _DuplicateKey as dup:
        raise error(f"duplicate key '{printable(dup.key)}'", Location(name, dup.line, dup.column)) from None
    except _Rejected as bad:
        raise error(bad.message, Location(name, bad.line, bad.column)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise error(f"malformed YAML: {problem}", Location(name, line, column)) from None
    except yaml.YAMLError as exc:
        raise error(f"malformed YAML: {exc}", Location(name)) from None
    return Document(path, data, marks, name)


def _count_events(text: str) -> None:
    """Count the parser's events before any node is built: bounded memory for any input."""
    depth, count = 0, 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            count += 1
            if count > MAX_ITEMS:
                raise _Rejected(_too_many(), event.start_mark)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Rejected(_too_deep(), event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _compose_marks(text: str):
    _count_events(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        marks: dict[KeyPath, tuple[int, int]] = {}
        if node is not None:
            _Walk(marks).walk(node, (), 1)
            data = loader.construct_document(node)
        else:
            data = None
    finally:
        loader.dispose()
    return data, marks


class _Walk:
    """Records the line of every key path, expanding aliases as the data will, within the limits.

    An alias makes one node appear at several paths; each appearance counts
    towards MAX_ITEMS, which stops an alias bomb after MAX_ITEMS steps. A node
    reached again inside itself (``&a [*a]``) is a cycle and refused.
    """

    def __init__(self, marks):
        self.marks = marks
        self.count = 0
        self.open: set[int] = set()

    def walk(self, node, path: KeyPath, depth: int) -> None:
        self.count += 1
        if self.count > MAX_ITEMS:
            raise _Rejected(_too_many(), node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return
        if depth > MAX_DEPTH:  # depth: the lists and mappings enclosing a value, itself included
            raise _Rejected(_too_deep(), node.start_mark)
        if id(node) in self.open:
            raise _Rejected("a YAML alias refers to the list or mapping that contains it", node.start_mark)
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Rejected("a key must be a plain name, not a list or mapping", key_node.start_mark)
                key = str(key_node.value)
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                seen.add(key)
                child = path + (key,)
                self.marks.setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                self.walk(value_node, child, depth + 1)
        else:
            for index, item in enumerate(node.value):
                child = path + (str(index),)
                self.marks.setdefault(child, (item.start_mark.line + 1, item.start_mark.column + 1))
                self.walk(item, child, depth + 1)
        self.open.discard(id(node))
