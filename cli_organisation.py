"""The command line for organisations: several respondents, the quick reading, a folder, a comparison.

The I/O side of ``accord diagnose --answers A --answers B``, ``accord
diagnose --quick``, ``accord diagnose --answers FOLDER`` and ``accord
compare``; every decision is the library's (:mod:`expert.respondents`,
:mod:`expert.quick`, :mod:`expert.report.quick`, :mod:`expert.batch`,
:mod:`expert.compare`). Kept apart from ``cli.py`` so that the commands stay
thin there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

import click

import expert
from expert.errors import InputError, Location, display_path

BATCH_REPORT_FORMATS = ("json", "md", "html", "text")
SUFFIX = {"json": ".json", "md": ".md", "html": ".html", "text": ".txt"}


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def read_sheets(paths: Sequence[Path], kb) -> list[expert.AnswerSheet]:
    """Read and check answers files; the same file given twice is refused."""
    for i, path in enumerate(paths):
        for earlier in paths[:i]:
            if same_file(path, earlier):
                raise InputError(f"given twice (also as {display_path(earlier)}); each respondent's answers count once",
                                 Location(display_path(path)))
    return [expert.read_answers(path, kb) for path in paths]


def language(ctx: click.Context, lang: str, recorded: str | None) -> str:
    """--lang when given, else the language the answers record, else English."""
    if ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT:
        return lang
    return recorded or lang


def recorded_language(sheets: Sequence[expert.AnswerSheet]) -> str | None:
    langs = {s.lang for s in sheets}
    return langs.pop() if len(langs) == 1 else None


def diagnosis_of(system, paths: Sequence[Path]) -> expert.Diagnosis:
    """One diagnosis of the organisation whose respondents' answers the files hold."""
    from expert.respondents import diagnose_organisation

    return diagnose_organisation(read_sheets(paths, system.kb), system)


# ------------------------------------------------------------------ quick

def show_quick(summary, fmt: str, lang: str, output: Path | None, next_step: str | None = None) -> None:
    """The quick reading: in colour on a terminal, else rendered to standard output or the -o file."""
    from cli import emit
    from expert.report.quick import render_quick

    if fmt == "text" and output is None and sys.stdout.isatty():
        from rich.console import Console, Group

        from expert.i18n import Messages
        from expert.report.quick import quick_context, renderables

        t = Messages(summary.kb, lang)
        ctx = quick_context(summary, lang)
        ctx["next"] = next_step or t("quick.next_file")
        Console(highlight=False).print(Group(*renderables(ctx, t)))
        return
    emit(render_quick(summary, fmt, lang, next_step), output)


def quick_from_files(ctx: click.Context, system, paths: Sequence[Path], fmt: str, lang: str,
                     output: Path | None) -> None:
    """``accord diagnose --quick --answers FILE …``: the quick reading of the files' quick sections."""
    from expert.report.quick import read_quick

    sheets = read_sheets(paths, system.kb)
    show_quick(read_quick(sheets, system), fmt, language(ctx, lang, recorded_language(sheets)), output)


def quick_consultation(ctx: click.Context, system, session: Path, resume: bool, lang: str, fmt: str,
                       output: Path | None) -> None:
    """``accord diagnose --quick``: ask the twenty statements, then show the first reading."""
    import cli_consult
    from expert.i18n import Messages
    from expert.quick import QuickConsultation
    from expert.report.quick import read_quick

    lang_given = ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT
    finished = cli_consult.run(ctx, system, session, resume, lang, lang_given, factory=QuickConsultation)
    if finished is None:
        return
    consultation, lang = finished
    t = Messages(system.kb, lang)
    summary = read_quick([consultation.sheet], system)
    reading = summary.reading
    on_screen = fmt == "text" and output is None
    stream_err = not (sys.stdin.isatty() and sys.stdout.isatty()) or not on_screen
    click.echo("", err=stream_err)
    click.echo(t("quick.complete", rated=reading.rated if reading else 0, count=len(system.kb.statements)),
               err=stream_err)
    click.echo(t("quick.session_saved", file=display_path(session)), err=stream_err)
    show_quick(summary, fmt, lang, output, t("quick.next", file=display_path(session)))


# ------------------------------------------------------------------ a folder

def diagnose_folder(ctx: click.Context, system, folder: Path, fmt: str | None, lang: str, output: Path | None,
                    jobs: int | None) -> None:
    """``accord diagnose --answers FOLDER``: every organisation, a report each and the summary table."""
    from cli import emit
    from expert.batch import CSV_ENCODING, ReportRenderer, diagnose_folder as run, summary_csv
    from expert.files import write_atomically
    from expert.i18n import Messages

    fmt = fmt or ("json" if output is not None else "csv")
    if fmt != "csv" and output is None:
        raise click.UsageError("a folder gives one report per organisation: give -o FOLDER for the reports, "
                               "or --format csv for the summary table alone")
    if output is not None and output.exists() and not output.is_dir():
        raise click.UsageError(f"-o {display_path(output)} must be a folder: one report per organisation goes there")
    if output is not None and same_file(output, folder):
        raise click.UsageError("-o must not be the folder of answers files: the reports would be read as answers")
    obj = ctx.find_root().obj
    spec = (str(obj["kb_dir"]) if obj.get("kb_dir") else None, str(obj["rules_dir"]) if obj.get("rules_dir") else None,
            system.engine)
    writes = fmt != "csv" and output is not None
    results = run(folder, spec, jobs, output if writes else None, SUFFIX.get(fmt, ".json"),
                  ReportRenderer(fmt, lang) if writes else None)
    table = summary_csv(results, system.kb, lang)
    if output is None:
        emit(table, None)
        return
    output.mkdir(parents=True, exist_ok=True)
    write_atomically(output / "summary.csv", table.encode(CSV_ENCODING))
    t = Messages(system.kb, lang)
    files = sum(r.respondents for r in results)
    click.echo(t("batch.done", count=len(results), files=files, reports=len(results) if writes else 0,
                 folder=display_path(output)), err=True)


# ------------------------------------------------------------------ compare

def compare(ctx: click.Context, system, old: Path, new: Path, fmt: str, lang: str, output: Path | None) -> None:
    """``accord compare OLD NEW``."""
    from cli import emit
    from expert.compare import compare_files, render_comparison

    if same_file(old, new):
        raise click.UsageError("OLD and NEW are the same file; compare two assessments")
    for path in (old, new):
        if output is not None and same_file(output, path):
            raise click.UsageError(f"-o {display_path(output)} is one of the files compared; choose another output file")
    comparison = compare_files(old, new, system)
    emit(render_comparison(comparison, system.kb, fmt, lang), output)
