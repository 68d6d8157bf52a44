"""Exceptions of the library and the process exit codes the CLI maps them to.

Every error a user can cause carries where it happened (file, line, column,
key path) so that the command line can print it as one line.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``accord`` command."""

    OK = 0
    PROBLEMS_FOUND = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where in which file something is: 1-based line and column."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            place = self.file
            if self.line:
                place += f":{self.line}"
                if self.column:
                    place += f":{self.column}"
            parts.append(place)
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)


class AccordError(Exception):
    """Base of every error the library raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    location : Location, optional
        Where it is wrong.
    """

    def __init__(self, message: str, location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.location = location or Location()

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "error": type(self).__name__,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": loc.path,
        }


class EngineError(AccordError):
    """The inference engine asked for is unknown or not installed."""


class InputError(AccordError):
    """An answers or session file the user gave is unusable."""


class KnowledgeBaseError(AccordError):
    """A file under ``knowledge/`` or ``rules/`` is broken."""


class PrerequisiteCycleError(KnowledgeBaseError):
    """The prerequisites of the measures form a cycle."""

    def __init__(self, cycle: list[str], location: Location | None = None):
        self.cycle = list(cycle)
        path = " → ".join(self.cycle + self.cycle[:1])
        super().__init__(f"prerequisite cycle among measures: {path}", location)


class UnknownIdError(AccordError):
    """An id given on the command line names nothing in the knowledge base."""

    def __init__(self, kind: str, given: str, valid: Iterable[str], location: Location | None = None):
        self.kind = kind
        self.given = given
        self.suggestions = nearest(given, valid)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} '{given}'{hint}", location)


class GraphvizMissingError(AccordError):
    """The system ``dot`` program that draws graphs is not installed."""

    def __init__(self, fmt: str):
        super().__init__(
            f"format '{fmt}' needs the Graphviz 'dot' program, which is not installed "
            "(formats svg, png and pdf need it; dot, json, graphml, mermaid and csv do not). "
            "Install it with 'apt-get install graphviz' (Debian/Ubuntu) or "
            "'brew install graphviz' (macOS)."
        )


class PdfUnavailableError(AccordError):
    """The PDF report needs WeasyPrint and its system libraries (Pango), and they are missing."""

    def __init__(self, reason: str):
        super().__init__(
            f"the PDF report needs WeasyPrint: {reason}. Install it with \"pip install 'accord[pdf]'\" "
            "(and, on Debian/Ubuntu, 'apt-get install libpango-1.0-0 libpangoft2-1.0-0'); "
            "the html, md, text and json formats work without it"
        )


def nearest(given: str, valid: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` valid ids closest to ``given``.

    Examples
    --------
    >>> nearest("joint_meeting", ["joint_meetings", "joint_training", "budgeting"])
    ['joint_meetings', 'joint_training']
    """
    valid = sorted(set(valid))
    by_case = {v.lower(): v for v in valid}
    found = difflib.get_close_matches(given.lower(), list(by_case), n=limit, cutoff=0.6)
    return [by_case[f] for f in found]


@dataclass
class Problem:
    """One finding of ``accord kb check``."""

    message: str
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory if inside it, printable."""
    p = Path(path)
    try:
        return printable(str(p.resolve().relative_to(Path.cwd().resolve())))
    except (ValueError, OSError):
        return printable(str(p))


# Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
# overrides that can make text read differently from what it is: a terminal must never
# receive them from a file or a user's typing (escape sequences can move the cursor,
# rewrite the title, hide text).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    r"""``text`` with every control character written as an escape, so it is one safe line.

    Examples
    --------
    >>> printable("Acme\x1b]0;owned\x07\nLtd")
    'Acme\\x1b]0;owned\\x07\\nLtd'
    """
    return _UNSAFE.sub(_escape, text)


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character :func:`printable` would escape."""
    return _UNSAFE.search(text) is not None


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quoted(value, limit: int = 60) -> str:
    """A value as a message shows it: quoted, printable, cut to ``limit`` characters.

    A list or mapping is named by its type, never expanded (it may be huge).

    Examples
    --------
    >>> quoted("daily"), quoted("x" * 100, limit=5), quoted([1, 2])
    ("'daily'", "'xxxxx…'", 'a list')
    """
    if isinstance(value, (list, tuple, set, frozenset)):
        return "a list"
    if isinstance(value, dict) or hasattr(value, "keys"):
        return "a mapping"
    text = printable(str(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"'{text}'"
