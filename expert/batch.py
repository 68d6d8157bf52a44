"""A folder of answers files: every organisation diagnosed, on every core, and a summary table.

A consultant with a portfolio of clients keeps their answers files in one
folder. :func:`diagnose_folder` reads every ``*.yaml``, ``*.yml`` and
``*.json`` file in it (not in subfolders; hidden files are skipped), groups
the files by organisation (the ``organization`` of each file, compared
without regard to case and spacing) and diagnoses each organisation with all
its respondents as one diagnosis (:func:`expert.respondents.diagnose_organisation`).
Reading and diagnosing run in worker processes, one per core by default;
the results are gathered in a fixed order, so the same folder gives the
same reports and the same summary, byte for byte, whatever the number of
workers.

Every file must name its organisation (files are grouped by it), and where
an organisation has several files each must give a role; a file that breaks
this, or any answers file that cannot be read, stops the run with one
:class:`~expert.errors.InputError` naming it, before anything is written.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .answers import AnswerSheet, read_answers
from .errors import AccordError, InputError, Location, display_path
from .i18n import Messages
from .report import render_report
from .respondents import check_organisation, organisation_key

SUFFIXES = (".yaml", ".yml", ".json")
TOP_CAUSES = 3  # causes named in the summary
CSV_COLUMNS = ("organization", "respondents", "level", "certainty", "target", "causes", "weeks")
CSV_ENCODING = "utf-8-sig"  # as the plan's CSV export: Excel needs the byte-order mark to read Cyrillic


@dataclass(frozen=True)
class OrganisationResult:
    """One organisation of the folder: what the summary shows, and the report written for it."""

    organization: str
    files: tuple[str, ...]
    respondents: int
    level: str | None
    certainty: float | None
    target: str | None
    causes: tuple[str, ...]  # named causes, most certain first, at most TOP_CAUSES
    weeks: int
    report: str | None = None  # the file the report was written to


def answer_files(directory: Path | str) -> list[Path]:
    """The answers files of a folder, sorted by name.

    Raises
    ------
    InputError
        When the folder does not exist or holds no answers files.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("not a folder", Location(display_path(directory)))
    files = sorted(p for p in directory.iterdir()
                   if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and p.is_file())
    if not files:
        raise InputError("is a directory with no answers files (*.yaml, *.yml, *.json) in it",
                         Location(display_path(directory)))
    return files


def group_by_organisation(sheets: Sequence[AnswerSheet]) -> list[list[AnswerSheet]]:
    """The sheets of each organisation together, organisations in the order of their names.

    Raises
    ------
    InputError
        For a file without an organisation name, or for an organisation of
        several files one of which has no role.
    """
    groups: dict[str, list[AnswerSheet]] = {}
    for sheet in sheets:
        if not sheet.organization.strip():
            raise InputError("no organisation name; in a folder, files are grouped by organisation, so each must "
                             "name one (organization: …)", Location(sheet.source))
        groups.setdefault(organisation_key(sheet.organization), []).append(sheet)
    ordered = [groups[key] for key in sorted(groups)]
    for group in ordered:
        check_organisation(group)
    return ordered


def report_names(groups: Sequence[Sequence[AnswerSheet]], suffix: str) -> list[str]:
    """A file name per organisation, from its name: letters and digits kept, unique, in group order.

    Examples
    --------
    >>> a, b = AnswerSheet("Acme Ltd"), AnswerSheet("ACME, Ltd.")
    >>> report_names([[a], [b]], ".json")
    ['acme-ltd.json', 'acme-ltd-2.json']
    """
    names, taken = [], set()
    for group in groups:
        stem = re.sub(r"[^\w]+", "-", group[0].organization.casefold()).strip("-_")[:60] or "organisation"
        name, number = stem, 1
        while name in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name)
        names.append(name + suffix)
    return names


# ------------------------------------------------------------------ workers

_STATE: dict[str, Any] = {}


def _start(spec, worker: bool = False) -> None:
    """Set-up: the expert system (inherited from the parent when forked, else loaded).

    A worker collects garbage less often: a diagnosis makes many short-lived
    objects and few cycles, and the loaded bases are frozen anyway.
    """
    if "system" not in _STATE:
        from .diagnosis import load_expert

        _STATE["system"] = load_expert(*spec)
    if worker:
        gc.set_threshold(50_000, 20, 20)


def _read(path: str):
    try:
        return "ok", read_answers(path, _STATE["system"].kb)
    except AccordError as exc:  # exceptions lose their location when pickled: send the parts
        return "error", (type(exc).__name__, exc.message, exc.location)


def _diagnose(task):
    sheets, target, render = task
    try:
        from .files import write_atomically
        from .respondents import diagnose_organisation

        d = diagnose_organisation(sheets, _STATE["system"])
        if target is not None:  # synced once, at the end of the folder (diagnose_folder)
            write_atomically(target, render(d), InputError, "report", durable=False)
        named = [c.id for c in d.inference.causes if c.named][:TOP_CAUSES]
        return "ok", OrganisationResult(d.sheet.organization, tuple(s.source for s in sheets), len(sheets),
                                        d.level.id if d.level else None,
                                        round(d.level.certainty, 2) if d.level else None,
                                        d.target.id if d.target else None, tuple(named), d.plan.total_weeks,
                                        display_path(target) if target is not None else None)
    except AccordError as exc:
        return "error", (type(exc).__name__, exc.message, exc.location)


def _raise(parts) -> None:
    from . import errors

    kind, message, location = parts
    raise getattr(errors, kind, InputError)(message, location)


def _map(function, items: list, jobs: int, spec) -> list:
    """``function`` over ``items`` in ``jobs`` processes (in this one for 1), results in order."""
    if jobs <= 1 or len(items) <= 1:
        _start(spec)
        return [function(item) for item in items]
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork here: workers load the bases themselves
        context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        _start(spec)
        gc.freeze()  # the loaded bases stay shared with the workers instead of being copied
    try:
        with context.Pool(jobs, initializer=_start, initargs=(spec, True)) as pool:
            return pool.map(function, items, chunksize=max(1, len(items) // (jobs * 8)))
    finally:
        gc.unfreeze()


def diagnose_folder(directory: Path | str, spec: tuple = (None, None, None), jobs: int | None = None,
                    out_dir: Path | str | None = None, suffix: str = ".json",
                    render: Callable | None = None) -> list[OrganisationResult]:
    """Diagnose every organisation of a folder of answers files (see the module docstring).

    Parameters
    ----------
    directory : path-like
        The folder of answers files.
    spec : tuple
        ``(knowledge_dir, rules_dir, engine)`` for :func:`expert.load_expert`.
    jobs : int, optional
        Worker processes; all cores by default.
    out_dir : path-like, optional
        Write one report per organisation here (``report_names``), rendered by
        ``render(diagnosis) -> str`` (a picklable function).

    Returns
    -------
    list of OrganisationResult
        One per organisation, in the order of their names.

    Raises
    ------
    InputError
        For a file that cannot be read or does not fit its organisation; nothing is written then.
    """
    files = answer_files(directory)
    jobs = max(1, jobs or os.cpu_count() or 1)
    sheets = []
    for status, value in _map(_read, [str(f) for f in files], jobs, spec):
        if status == "error":
            _raise(value)
        sheets.append(value)
    groups = group_by_organisation(sheets)
    targets: list[Path | None] = [None] * len(groups)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        targets = [out / name for name in report_names(groups, suffix)]
    results = []
    for status, value in _map(_diagnose, [(g, t, render) for g, t in zip(groups, targets)], jobs, spec):
        if status == "error":
            _raise(value)
        results.append(value)
    if out_dir is not None and hasattr(os, "sync"):
        os.sync()  # the reports were written without a flush each: one for all of them
    return results


def summary_csv(results: Sequence[OrganisationResult], kb, lang: str = "en") -> str:
    """The summary table as CSV (RFC 4180, CRLF), one row per organisation, headers in ``lang``.

    Columns: organisation, respondents, level, certainty, target, top causes
    (joined with ``"; "``), plan weeks. No byte-order mark; add one for a file.
    """
    t = Messages(kb, lang)
    level = lambda ident: t("level.value", value=kb.levels[ident].value, name=kb.levels[ident].name[lang]) \
        if ident else ""  # noqa: E731
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(f"batch.csv.{column}") for column in CSV_COLUMNS])
    for r in results:
        writer.writerow([r.organization, r.respondents, level(r.level),
                         "" if r.certainty is None else f"{r.certainty:.2f}", level(r.target),
                         "; ".join(kb.causes[c].name[lang] for c in r.causes), r.weeks])
    return buffer.getvalue()


class ReportRenderer:
    """Renders a diagnosis in one format and language; picklable, for the worker processes.

    JSON reports of a folder are written compact, one line each (``accord diagnose
    --format json`` indents a single diagnosis): they are for tools, and
    Python's JSON encoder is four times faster without indenting, which is a
    quarter of the time a folder takes. ``python -m json.tool FILE`` indents one.
    """

    def __init__(self, fmt: str, lang: str):
        self.fmt, self.lang = fmt, lang

    def __call__(self, d) -> str:
        if self.fmt == "json":
            import json

            return json.dumps(d.to_dict(self.lang), ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
        return render_report(d, self.fmt, self.lang)
