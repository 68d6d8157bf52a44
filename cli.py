"""The ``accord`` command line: parse options, call the library, print.

Every command is a thin layer over one function of the ``expert`` package.
Errors the user can cause become one line on standard error and exit code 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from pathlib import Path

import click

import expert
from expert.plan import graph as plan_graph
from expert.report import render_report
from expert.errors import AccordError, ExitCode, display_path, printable
from expert.files import write_atomically
from expert.i18n import Messages

FORMATS_BY_SUFFIX = {".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "text",
                     ".pdf": "pdf"}


# click >= 8.2 raises this when a group is run without a command; it carries the help text
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def error_line(message: str) -> None:
    """The one line every error the user can cause ends in, on standard error, safe for a terminal."""
    click.echo(f"accord: error: {printable(message)}", err=True)


class AccordGroup(click.Group):
    """Turns library errors and bad usage into one line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AccordError as exc:
            if ctx.params.get("debug"):
                raise
            error_line(str(exc))
            ctx.exit(ExitCode.BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("", err=True)
            ctx.exit(ExitCode.INTERRUPTED)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's main, except that bad usage is one line, not click's usage block.

        click prints "Usage: …", "Try … --help" and "Error: …" for a bad option
        value; a script reading standard error gets one line naming the
        option and the problem, and a pointer to the help, with exit code 2.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # a group without a command: its help is the answer
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            names, context = [], exc.ctx
            while context is not None and context.parent is not None:  # the program itself is "accord",
                names.append(context.info_name)                        # however it was started
                context = context.parent
            command = " ".join(["accord", *reversed(names)])
            error_line(f"{exc.format_message().rstrip('.')} (see '{command} --help')")
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(name="accord", cls=AccordGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--kb", "kb_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Knowledge directory to use instead of the bundled one.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rules directory to use instead of the bundled one.")
@click.option("--engine", type=click.Choice(["clips", "experta"]), default=None,
              help="Inference engine: clips (fast; the default where clipspy is installed) or experta "
                   "(the reference). Default: $ACCORD_ENGINE, else clips, else experta.")
@click.option("--debug", is_flag=True, help="Show a traceback when something goes wrong.")
@click.version_option(package_name="accord", prog_name="accord")
@click.pass_context
def main(ctx: click.Context, kb_dir: Path | None, rules_dir: Path | None, engine: str | None, debug: bool):
    """Accord: diagnose how sales and marketing work together, and plan how to end the war.

    \b
    A manager answers diagnostic questions; Accord infers the integration level
    (1 Undefined, 2 Defined, 3 Aligned, 4 Integrated), the root causes of
    friction, the level worth aiming for and a sequenced plan of measures.

    \b
    Start here:
      accord diagnose                          interview, then a report
      accord diagnose --answers answers.yaml   diagnose from an answers file
      accord questions --template -o answers.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj.update(kb_dir=kb_dir, rules_dir=rules_dir, engine=engine)


def system(ctx: click.Context) -> expert.ExpertSystem:
    """The loaded knowledge and rule bases for this invocation."""
    obj = ctx.find_root().obj
    return expert.load_expert(str(obj["kb_dir"]) if obj.get("kb_dir") else None,
                              str(obj["rules_dir"]) if obj.get("rules_dir") else None, obj.get("engine"))


def language_option(func):
    return click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
                        help="Language of questions and reports.")(func)


def output_options(formats: list[str], default: str, folder: bool = False):
    """The shared ``--format`` and ``-o/--output`` options (``folder``: -o may also name a folder)."""
    def decorate(func):
        func = click.option("-o", "--output", type=click.Path(dir_okay=folder, path_type=Path), default=None,
                            help="Write to this file instead of standard output" +
                                 (" (a folder for a folder of answers files)." if folder else "."))(func)
        func = click.option("--format", "fmt", type=click.Choice(formats), default=None,
                            help=f"Output format (default: from the -o extension, else {default}).")(func)

        @functools.wraps(func)
        def wrapper(*args, fmt=None, output=None, **kwargs):
            if fmt is None:
                fmt = FORMATS_BY_SUFFIX.get(output.suffix.lower(), default) if output else default
                if fmt not in formats:
                    fmt = default
            return func(*args, fmt=fmt, output=output, **kwargs)
        return wrapper
    return decorate


def emit(content: str | bytes, output: Path | None) -> None:
    """Write a result to the file (atomically; never over a read-only file), or (text only) to standard output."""
    if output is None:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_atomically(output, content)
    click.echo(f"Wrote {display_path(output)}", err=True)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links; also before either exists)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwriting(output: Path | None, source: Path | None, what: str = "answers file") -> None:
    """``-o`` naming the file the answers come from would replace them with the report: refuse."""
    if output is not None and source is not None and same_file(output, source):
        raise click.UsageError(f"-o {display_path(output)} is the {what} itself; writing there would replace "
                               "the answers, so choose another output file")


def answers_language(ctx: click.Context, lang: str, sheet: expert.AnswerSheet) -> str:
    """--lang when given, else the language the answers were given in (a session records it), else English."""
    if ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT:
        return lang
    return sheet.lang or lang


def show_report(d: expert.Diagnosis, fmt: str, lang: str, output: Path | None) -> None:
    """The report in its format: on the terminal (text in colour), or to the -o file."""
    if fmt == "text" and output is None:
        from rich.console import Console, Group

        from expert.report.text import renderables

        Console(highlight=False).print(Group(*renderables(d, lang)))
        return
    emit(render_report(d, fmt, lang), output)


# ------------------------------------------------------------------ diagnose

DEFAULT_SESSION = Path("accord-session.yaml")


@main.command()
@click.option("--answers", "answers_files", type=click.Path(path_type=Path), multiple=True,
              help="Answers file (YAML or JSON) to diagnose instead of asking the questions; once per respondent "
                   "of one organisation, or a folder of many organisations' files.")
@click.option("--quick", is_flag=True,
              help="Only the quick self-assessment: 20 statements rated 1-5, read as a band (a first reading).")
@click.option("--save", "session_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Session file the consultation writes every answer to [default: {DEFAULT_SESSION}].")
@click.option("--resume", is_flag=True, help="Continue the consultation saved in the --save file.")
@click.option("--thorough", is_flag=True,
              help="Ask every question that applies, also those no answer to which could change the diagnosis "
                   "(with --resume: answer the questions a consultation skipped).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a folder of answers files [default: all cores].")
@language_option
@output_options(["text", "md", "html", "pdf", "json", "csv"], "text", folder=True)
@click.pass_context
def diagnose(ctx, answers_files: tuple[Path, ...], quick: bool, session_file: Path | None, resume: bool,
             thorough: bool, jobs: int | None, lang: str, fmt: str, output: Path | None):
    """Interview the manager (or read answers files) and diagnose the relationship.

    Without --answers, Accord asks the diagnostic questions one at a time:
    only those whose answer could still change the diagnosis, those that can
    change it most first, and it stops when nothing left could change it,
    listing the questions it skipped (--thorough asks every question that
    applies). At any prompt: ? shows help, 'why' says why the question is
    asked, 'back' returns to the previous question, 'unknown' (or 'не знаю')
    is always accepted. Every answer is saved at once to the session file, an
    ordinary answers file; after an interruption, --resume continues at the
    next question. On a terminal the choices are
    menus; otherwise one line is read per question (the value or the choice
    number), and the end of input saves the answers and says how to resume.
    The consultation ends by offering the quick self-assessment (20
    statements); --quick asks only those and gives a first reading.

    Several --answers files are the respondents of one organisation (each
    with a role): one diagnosis, with where their views differ. A folder
    diagnoses every organisation in it, on all cores: -o FOLDER gets a report
    per organisation and summary.csv; --format csv prints the summary alone.

    \b
    Examples:
      accord diagnose --lang ru -o report.html
      accord diagnose --save acme.yaml --resume
      accord diagnose --save acme.yaml --resume --thorough
      accord diagnose --quick --save acme.yaml
      accord diagnose --answers examples/defined-manufacturer.yaml
      accord diagnose --answers answers.yaml --format md -o report.md
      accord diagnose --answers answers.yaml -o report.pdf
      accord diagnose --answers sales.yaml --answers marketing.yaml
      accord diagnose --answers clients/ --format json -o reports/
    """
    import cli_organisation

    folder = len(answers_files) == 1 and answers_files[0].is_dir()
    if fmt == "pdf" and output is None:
        raise click.UsageError("format 'pdf' is binary: give -o FILE to write it to a file")
    if fmt == "csv" and not folder:
        raise click.UsageError("--format csv is the summary of a folder of answers files (--answers FOLDER)")
    if jobs is not None and not folder:
        raise click.UsageError("--jobs applies to a folder of answers files (--answers FOLDER)")
    if answers_files:
        if resume or session_file is not None or thorough:
            raise click.UsageError("--save, --resume and --thorough belong to a consultation; "
                                   "do not combine them with --answers")
        if any(path.is_dir() for path in answers_files):
            if len(answers_files) > 1:
                raise click.UsageError("a folder of answers files is diagnosed on its own: give --answers FOLDER once")
            if quick:
                raise click.UsageError("--quick reads the files of one organisation, not a folder")
            fmt_given = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
            cli_organisation.diagnose_folder(ctx, system(ctx), answers_files[0], fmt if fmt_given else None, lang,
                                             output, jobs)
            return
        for answers_file in answers_files:
            refuse_overwriting(output, answers_file)
        sys_ = system(ctx)
        if quick:
            cli_organisation.quick_from_files(ctx, sys_, answers_files, fmt, lang, output)
            return
        d = cli_organisation.diagnosis_of(sys_, answers_files)
        show_report(d, fmt, answers_language(ctx, lang, d.sheet), output)
        return

    import cli_consult

    session = session_file or DEFAULT_SESSION
    refuse_overwriting(output, session, "session file")
    sys_ = system(ctx)
    if quick:
        cli_organisation.quick_consultation(ctx, sys_, session, resume, lang, fmt, output)
        return
    from expert.quick import FullThenQuick

    lang_given = ctx.get_parameter_source("lang") is not click.core.ParameterSource.DEFAULT
    factory = functools.partial(FullThenQuick, selective=not thorough)
    finished = cli_consult.run(ctx, sys_, session, resume, lang, lang_given, factory=factory)
    if finished is None:
        return
    consultation, lang = finished
    # the report's hints name the session file, which now holds every answer
    d = expert.diagnose(dataclasses.replace(consultation.sheet, source=display_path(session)), sys_)
    on_screen = fmt == "text" and output is None
    cli_consult.summarise(d, lang, session, brief=on_screen)
    show_report(d, fmt, lang, output)


# ----------------------------------------------------------------- questions

@main.command()
@language_option
@click.option("--template", is_flag=True, help="Write a blank answers file with every question as a comment.")
@click.option("--quick", is_flag=True, help="List the statements of the quick self-assessment instead.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def questions(ctx, lang: str, template: bool, quick: bool, output: Path | None):
    """List the diagnostic questions, or write a blank answers file.

    \b
    Examples:
      accord questions --lang ru
      accord questions --quick
      accord questions --template -o answers.yaml
    """
    kb = system(ctx).kb
    if quick and not template:
        from expert.quick import statements_listing

        emit(statements_listing(kb, lang), output)
        return
    if template:
        emit(expert.answers.answers_template(kb, lang), output)
        return
    t = Messages(kb, lang)
    lines = []
    section = None
    for number, q in enumerate(kb.questions.values(), 1):
        if q.section != section:
            section = q.section
            lines.append(f"\n== {kb.sections[section].name[lang]}")
        marks = [t(key) for key, holds in (("questions.follow_up", q.ask_when is not None),
                                           ("questions.several", q.multiple)) if holds]
        follow = f"  ({'; '.join(marks)})" if marks else ""
        lines.append(f"{number:2}. {q.id}{follow}\n    {q.text[lang]}")
        if q.type in ("choice", "multi"):
            for c in q.choices:
                lines.append(f"      {c.value}: {c.label[lang]}")
        else:
            lines.append(f"      {q.allowed()}")
    emit("\n".join(lines).lstrip("\n") + "\n", output)


# ------------------------------------------------------------------- export

EXPORT_FORMATS_BY_SUFFIX = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf",
                            ".json": "json", ".graphml": "graphml", ".mmd": "mermaid", ".mermaid": "mermaid",
                            ".csv": "csv"}


@main.command("export")
@click.option("--answers", "answers_files", type=click.Path(dir_okay=False, path_type=Path), required=True,
              multiple=True, help="Answers file (YAML or JSON) whose plan of measures to export; once per "
                                  "respondent of one organisation.")
@click.option("--format", "fmt", type=click.Choice(plan_graph.FORMATS), default=None,
              help="Output format (default: from the -o extension).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output (png and pdf need a file).")
@language_option
@click.pass_context
def export_plan(ctx, answers_files: tuple[Path, ...], fmt: str | None, output: Path | None, lang: str):
    """Export the plan of measures as a drawing, a graph file or a task list.

    \b
    dot, svg, png, pdf  the drawing: phases, prerequisites, critical path, legend
                        (svg, png and pdf need the Graphviz 'dot' program)
    json                networkx node-link data with every attribute
    graphml             for yEd and Gephi
    mermaid             a flowchart for Markdown
    csv                 a task list for a spreadsheet (in a file: UTF-8 with BOM)

    \b
    Examples:
      accord export --answers examples/defined-manufacturer.yaml --format png -o plan.png
      accord export --answers answers.yaml -o plan.csv --lang ru
      accord export --answers answers.yaml --format mermaid
    """
    if fmt is None:
        fmt = EXPORT_FORMATS_BY_SUFFIX.get(output.suffix.lower()) if output else None
        if fmt is None:
            raise click.UsageError(f"give --format ({', '.join(plan_graph.FORMATS)})")
    if output is None and fmt in plan_graph.BINARY_FORMATS:
        raise click.UsageError(f"format '{fmt}' is binary: give -o FILE to write it to a file")
    import cli_organisation

    for answers_file in answers_files:
        refuse_overwriting(output, answers_file)
    sys_ = system(ctx)
    d = cli_organisation.diagnosis_of(sys_, answers_files)
    lang = answers_language(ctx, lang, d.sheet)
    if output is None:
        text = plan_graph.export_text(d, fmt, lang)
        click.echo(text, nl=not text.endswith("\n"))
        return
    emit(plan_graph.export(d, fmt, lang), output)


# ------------------------------------------------------------------- explain

@main.command()
@click.option("--answers", "answers_files", type=click.Path(dir_okay=False, path_type=Path), required=True,
              multiple=True, help="Answers file (YAML or JSON) whose diagnosis to explain; once per respondent of "
                                  "one organisation.")
@click.option("--how", "how_id", metavar="WHAT", default=None,
              help="Show how a conclusion was reached, one level at a time: a step number of the report (3, #3), "
                   "a name as the report prints it, 'level', 'target' or an id; append .N to go down to reason N "
                   "(3.2).")
@click.option("--full", is_flag=True, help="With --how: the whole technical proof tree, every rule and number.")
@click.option("--why", "why_id", metavar="QUESTION", default=None,
              help="Show why a question is asked and what another answer would change.")
@click.option("--why-not", "why_not_id", metavar="ID", default=None,
              help="Show why something was not concluded: every rule that could have, and what failed.")
@click.option("--graph", "graph_fmt", type=click.Choice(["dot", "svg", "png"]), default=None,
              help="Draw the reasoning graph (svg and png need the Graphviz 'dot' program).")
@click.option("--around", metavar="WHAT", default=None,
              help="With --graph: only the neighbourhood of one conclusion (a step number, a name or an id).")
@click.option("--depth", type=click.IntRange(1, 6), default=2, show_default=True,
              help="With --around: how many steps of reasoning away from it to draw.")
@language_option
@output_options(["text", "json"], "text")
@click.pass_context
def explain(ctx, answers_files: tuple[Path, ...], how_id: str | None, full: bool, why_id: str | None,
            why_not_id: str | None, graph_fmt: str | None, around: str | None, depth: int, lang: str, fmt: str,
            output: Path | None):
    """Explain a diagnosis: the reasoning trace, HOW, WHY and WHY NOT, with sources.

    \b
    Without options: every rule firing in order, with its rule file and line,
    the facts it matched, what it concluded, why, and its sources. --how and
    --why-not take what the report shows: a step number or a name.

    \b
    Examples:
      accord explain --answers examples/defined-manufacturer.yaml
      accord explain --answers answers.yaml --how 3
      accord explain --answers answers.yaml --how 3.1
      accord explain --answers answers.yaml --how "Planning in isolation"
      accord explain --answers answers.yaml --how level --full
      accord explain --answers answers.yaml --how CAUSE-ECONOMIC-BUDGET --lang ru
      accord explain --answers answers.yaml --why joint_meetings
      accord explain --answers answers.yaml --why-not MEAS-ONE-LEADER --format json
      accord explain --answers answers.yaml --graph svg -o reasoning.svg
      accord explain --answers answers.yaml --graph svg --around 3 -o step3.svg
    """
    from expert import explain as explaining
    from expert.explain import to_json as explain_json
    from expert.explain import text as explain_text
    from expert.explain import whatif
    from expert.explain import whynot

    chosen = [name for name, value in (("--how", how_id), ("--why", why_id), ("--why-not", why_not_id),
                                       ("--graph", graph_fmt)) if value is not None]
    if len(chosen) > 1:
        raise click.UsageError(f"give only one of {', '.join(chosen)}")
    if full and how_id is None:
        raise click.UsageError("--full goes with --how")
    if around is not None and graph_fmt is None:
        raise click.UsageError("--around goes with --graph")
    if graph_fmt == "png" and output is None:
        raise click.UsageError("--graph png is binary: give -o FILE to write it to a file")
    import cli_organisation

    for answers_file in answers_files:
        refuse_overwriting(output, answers_file)
    sys_ = system(ctx)
    d = cli_organisation.diagnosis_of(sys_, answers_files)
    lang = answers_language(ctx, lang, d.sheet)
    if graph_fmt is not None:
        from expert.explain.brief import explain_brief
        from expert.explain.graph import render_graph

        focus = None
        if around is not None:
            found = explain_brief(d, around).section.status
            focus = (found.kind, found.id)
        emit(render_graph(d, graph_fmt, lang, focus, depth), output)
        return
    as_json = fmt == "json"
    if how_id is not None and not full and not as_json:
        from expert.explain.brief import explain_brief, render_brief

        files = " --answers ".join(display_path(f) for f in answers_files)  # the commands it suggests name them all
        text = render_brief(explain_brief(d, how_id), d, lang, files)
    elif how_id is not None:
        from expert.explain.brief import explain_brief

        try:  # an id: every kind it was concluded as, as before
            explaining.resolve_conclusion(d, how_id)
            target = how_id
        except expert.UnknownIdError:  # a report handle (a number, a name, 3.2) names one conclusion
            found = explain_brief(d, how_id).section.status
            target = f"{found.kind}:{found.id}"
        result = explaining.explain_how(d, target)
        text = explain_json.dumps(explain_json.how_to_dict(result, d, lang)) if as_json \
            else explain_text.render_how(result, d, lang)
    elif why_id is not None:
        result = whatif.explain_why(d, why_id)
        text = explain_json.dumps(explain_json.why_to_dict(result, d, lang)) if as_json \
            else explain_text.render_why(result, d, lang)
    elif why_not_id is not None:
        from expert.explain.brief import resolve_handle

        try:  # an id or a question as before; else a step number or a name from the report
            explaining.resolve_conclusion(d, why_not_id)
            ident = why_not_id
        except expert.UnknownIdError:
            try:
                ident = resolve_handle(d, why_not_id)[0]
            except expert.UnknownIdError:
                ident = why_not_id  # a question id, or the error with the nearest ids
        result = whynot.explain_why_not(d, ident)
        text = explain_json.dumps(explain_json.why_not_to_dict(result, d, lang)) if as_json \
            else explain_text.render_why_not(result, d, lang)
    else:
        text = explain_json.dumps(explain_json.trace_to_dict(d, lang)) if as_json \
            else explain_text.render_trace(d, lang)
    emit(text, output)


# ------------------------------------------------------------------- compare

@main.command("compare")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@language_option
@output_options(["text", "md", "html", "json"], "text")
@click.pass_context
def compare_assessments(ctx, old: Path, new: Path, lang: str, fmt: str, output: Path | None):
    """Compare two assessments of one organisation: what changed, and progress on the old plan.

    OLD and NEW are answers files (diagnosed now) or diagnoses saved with
    'accord diagnose --format json' (read as they were recorded); the date of
    each comes from the file. Shows the level and its certainty then and now,
    the causes resolved, new and persisting, the measures of the old plan now
    in place, still to do or no longer needed, and what the new plan adds.

    \b
    Examples:
      accord compare examples/history/uralpack-2025.yaml examples/history/uralpack-2026.yaml
      accord compare last-year.json answers.yaml --format html -o progress.html
    """
    import cli_organisation

    cli_organisation.compare(ctx, system(ctx), old, new, fmt, lang, output)


# ------------------------------------------------------------------------ kb

@main.group()
def kb():
    """Check the knowledge and rule bases, or regenerate their catalog."""


@kb.command("check")
@click.option("--kb", "kb_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Knowledge directory (default: the bundled one).")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rules directory (default: the bundled one).")
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rule test cases (default: tests/cases next to the rules, when present).")
@click.pass_context
def kb_check(ctx, kb_dir: Path | None, rules_dir: Path | None, cases_dir: Path | None):
    """Report every problem in the knowledge and rule bases; exit 1 if there are any.

    Checks schema and types (with file and line), duplicate and dangling ids,
    prerequisite cycles, rules that name unknown questions, values or
    conclusions, missing translations, contradictions, questions whose answer
    nothing reads, and rules without a test case. Warnings (choices that no
    rule names) are listed but do not fail the check. The test cases run on
    experta, the reference engine, unless --engine says otherwise.
    """
    from expert.checks import check_all

    root = ctx.find_root().obj
    report = check_all(kb_dir or root.get("kb_dir"), rules_dir or root.get("rules_dir"), cases_dir,
                       root.get("engine"))
    for problem in report.problems:
        click.echo(printable(str(problem)))
    for warning in report.warnings:
        click.echo(printable(f"warning: {warning}"))
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) found.", err=True)
        ctx.exit(ExitCode.PROBLEMS_FOUND)
    click.echo(report.summary)


@kb.command("docs")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("docs"),
              show_default=True, help="Directory to write the rule catalog into.")
@click.pass_context
def kb_docs(ctx, out_dir: Path):
    """Regenerate the rule catalog (docs/rule-catalog.md) from rules/ and knowledge/."""
    from expert.catalog import render_catalog

    sys_ = system(ctx)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "rule-catalog.md"
    write_atomically(target, render_catalog(sys_))
    click.echo(f"Wrote {display_path(target)}", err=True)


# ----------------------------------------------------------------------- web

def _add_web_commands() -> None:
    """``accord serve``, ``accord db`` and ``accord user``: the web shell (cli_web.py, the ``web`` extra)."""
    import cli_web

    for command in (cli_web.serve, cli_web.db, cli_web.user):
        main.add_command(command)


_add_web_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
