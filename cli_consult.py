"""The consultation on a terminal or through standard input: the I/O side of ``accord diagnose``.

:class:`expert.consultation.Consultation` decides what to ask; this module
shows it and reads the reply. Two ways to read a reply:

* **terminal** (standard input and output are both a terminal): questionary
  prompts. A question with choices is a menu: arrow keys or the choice's
  number, then Enter; the menu ends with *don't know*, *help* (``?``),
  *why* (``w``) and *back* (``b``). Numbers are typed, and every command
  word works there too.
* **lines** (anything else: a pipe, a file, a test): the question and its
  numbered choices go to standard error, one line is read from standard
  input per question: the value or the choice number, ``?``, ``why``,
  ``back`` or ``unknown``. End of input before the last question saves what
  was given, says how to resume, and ends the run normally.

Every change is written to the session file at once (atomically), so an
interrupt or a killed process loses nothing. Text is wrapped to the width of
the terminal (or ``COLUMNS``), between words, in both languages.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Callable, TextIO

import click

import expert
from expert.answers import write_answers
from expert.conditions import UNKNOWN
from expert.consultation import AT_START, CONFIRM, CONFIRMED, HELP, INVALID, WHY, Consultation, Outcome, Step
from expert.errors import ExitCode, InputError, Location, display_path
from expert.i18n import Messages
from expert.consultation_words import allowed, choices, invalid_hint, label_of, progress, text_of, why_lines



class EndOfInput(Exception):
    """Standard input ended before the consultation did."""


def run(ctx: click.Context, system: expert.ExpertSystem, session: Path, resume: bool, lang: str,
        lang_given: bool, factory=Consultation) -> tuple[Consultation, str] | None:
    """Run the consultation; returns it and the language, or None if input ended early.

    ``factory(system, sheet)`` makes the consultation: a full one by default
    (selective: only the questions whose answer could still change the
    diagnosis, :mod:`expert.selection`; ``partial(Consultation,
    selective=False)`` for every relevant one), the quick self-assessment
    (``expert.quick.QuickConsultation``), or a full one that ends by offering
    it (``expert.quick.FullThenQuick``). End of input at a step the
    consultation marks ``optional`` simply ends it.

    Raises ``click.exceptions.Exit`` with code 130 after Ctrl-C (the answers are saved).
    """
    kb = system.kb
    starting = resume and not os.path.lexists(session)  # --resume on a new file simply starts
    if resume and not starting:
        sheet = expert.read_answers(session, kb)
        if sheet.lang and not lang_given:
            lang = sheet.lang
    else:
        if session.exists():
            raise InputError(f"a session file already exists; continue it with 'accord diagnose --save "
                             f"{display_path(session)} --resume', or start another with --save FILE",
                             Location(display_path(session)))
        sheet = expert.AnswerSheet(date=datetime.date.today().isoformat())
    sheet.lang = lang
    t = Messages(kb, lang)
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    ui: Prompter = TerminalPrompter(t) if terminal else LinePrompter(t)
    consultation = factory(system, sheet)
    selective = getattr(consultation, "selective", False)
    name = display_path(session)
    write_answers(consultation.sheet, session)  # fail early if the file cannot be written

    if resume and not starting:
        ui.say(t("consult.resumed", file=name, count=consultation.asked()))
        consultation.resume_confirmation()  # interrupted at "two answers disagree": ask it again
    else:
        if starting:
            ui.say(t("consult.new_session", file=name))
        ui.say(t("consult.intro_terminal" if terminal else "consult.intro_lines", file=name))
        if selective:
            ui.say(t("consult.selective"))
    section = None
    try:
        while (step := consultation.step) is not None:
            question = step.question
            # the questionnaire's sections, in its order; a selective consultation asks across them
            if not selective and question is not None and question.section != section:
                section = question.section
                ui.heading(kb.sections[section].name[lang])
            outcome = consultation.respond(ui.ask(step, consultation))
            if outcome.changed:
                write_answers(consultation.sheet, session)
            show_outcome(ui, t, system, outcome, name, consultation.answers)
    except EndOfInput:
        ui.say("")
        if not getattr(consultation, "optional", False):  # e.g. the offer of the quick self-assessment ends it
            ui.say(t("consult.saved_eof", asked=consultation.asked(), file=name))
            ui.say(t(getattr(consultation, "resume_hint", "consult.resume_hint"), file=name))
            return None
    except KeyboardInterrupt:
        ui.say("")
        ui.say(t("consult.interrupted", asked=consultation.asked(), file=name))
        ui.say(t(getattr(consultation, "resume_hint", "consult.resume_hint"), file=name))
        ctx.exit(ExitCode.INTERRUPTED)
    write_answers(consultation.sheet, session)  # with the questions found not needed
    if getattr(consultation, "not_needed", ()):
        show_not_needed(ui, t, consultation, name)
    return consultation, lang


def show_not_needed(ui: "Prompter", t: Messages, consultation: Consultation, session: str) -> None:
    """Why the consultation stopped, the questions it did not ask, and how to answer them anyway."""
    kb = consultation.kb
    ui.say("")
    ui.say(t("consult.stopped", asked=consultation.asked(), count=len(consultation.not_needed)))
    for q in consultation.not_needed:
        ui.say(f"  • {kb.questions[q].wording(consultation.answers)[0][t.lang]}", hang="    ")
    ui.say(t("consult.thorough_hint", file=session))


def show_outcome(ui: "Prompter", t: Messages, system: expert.ExpertSystem, outcome: Outcome, session: str,
                 answers=None) -> None:
    step = outcome.step
    if step is not None and step.id == CONFIRM and outcome.kind in (HELP, WHY):
        ui.note(t("consult.confirm_help" if outcome.kind == HELP else "consult.confirm_why"))
    elif outcome.kind == CONFIRMED:
        ui.note(t("consult.confirmed"))
    elif outcome.kind == HELP:
        if step.question is not None:
            ui.note(step.help[t.lang])
        else:
            ui.note(t(f"consult.{step.id}_help"))
    elif outcome.kind == WHY:
        if outcome.why is None:
            ui.note(t(f"consult.{step.id}_why"))
        else:
            for line in why_lines(t, system, outcome.why, session, answers):
                ui.note(line)
    elif outcome.kind == INVALID:
        ui.note(invalid_hint(t, step))
    elif outcome.kind == AT_START:
        ui.note(t("consult.at_start"))


# --------------------------------------------------------------- wrapping

def width_of(stream: TextIO) -> int:
    """Columns to wrap text to: ``COLUMNS``, else the terminal the stream writes to, else 80; one spare."""
    columns = 0
    if os.environ.get("COLUMNS", "").isdecimal():
        columns = int(os.environ["COLUMNS"])
    else:
        try:
            if stream.isatty():
                columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
    columns = columns or shutil.get_terminal_size((80, 24)).columns
    return max(30, columns - 1)


# A command shown to be typed or copied ("accord diagnose --save s.yaml --resume") stays on one line.
COMMAND = re.compile(r"accord(?: (?:--?[\w-]+|[\w./\\~:+-]+))+")
_KEEP = "\u00a0"  # textwrap does not break at a no-break space


def wrap(text: str, width: int, indent: str = "", hang: str | None = None) -> str:
    """``text`` broken between words to ``width`` columns; ``hang`` indents the lines after the first.

    Commands (``accord …``) are never broken, so they can be copied as they are.

    Examples
    --------
    >>> print(wrap("To continue: accord diagnose --save s.yaml --resume", 30))
    To continue:
    accord diagnose --save s.yaml --resume
    """
    hang = indent if hang is None else hang
    text = COMMAND.sub(lambda m: m.group().replace(" ", _KEEP), text)
    lines = []
    for paragraph in text.split("\n"):
        lines.append(textwrap.fill(paragraph, width, initial_indent=indent, subsequent_indent=hang,
                                   break_long_words=False, break_on_hyphens=False) or indent.rstrip())
    return "\n".join(lines).replace(_KEEP, " ")


# --------------------------------------------------------------- prompters

class Prompter:
    def __init__(self, t: Messages):
        self.t = t

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @property
    def width(self) -> int:
        return width_of(self.stream)

    def say(self, text: str, hang: str = "") -> None:
        raise NotImplementedError

    def note(self, text: str) -> None:
        self.say(text)

    def heading(self, text: str) -> None:
        self.say("")
        self.say(f"── {text} ──")

    def ask(self, step: Step, consultation: Consultation) -> str:
        raise NotImplementedError


class LinePrompter(Prompter):
    """Numbered choices on standard error, one line from standard input per question."""

    def __init__(self, t: Messages, read: Callable[[], str] | None = None):
        super().__init__(t)
        self.read = read or sys.stdin.readline
        self.echo = read is None and not sys.stdin.isatty()
        self._shown: tuple | None = None

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    def say(self, text: str, hang: str = "") -> None:
        click.echo(wrap(text, self.width, hang=hang), err=True)

    def note(self, text: str) -> None:
        self.say(text, hang="    " if text.startswith("  • ") else "")

    def ask(self, step: Step, consultation: Consultation) -> str:
        t = self.t
        key = (step.id, step.number, step.left, step.previous, step.contradiction)
        if key != self._shown:  # after help, why or a bad answer, ask again without repeating it all
            self._shown = key
            self.say("")
            self.say(f"[{progress(t, step)}]")
            self.say(text_of(t, step))
            options = choices(t, step)
            for number, (_, label) in enumerate(options, 1):
                prefix = f"  {number}) "
                self.say(prefix + label, hang=" " * len(prefix))
            if step.question is not None and not options:
                self.say(f"  ({allowed(t, step)})", hang="   ")
            if step.several:
                self.say(t("consult.several_lines"))
            if step.previous not in (None, ""):
                self.say(t("consult.default", value=label_of(t, step, step.previous)))
            self.say(f"({t('consult.commands_confirm' if step.id == CONFIRM else 'consult.commands')})")
        click.echo("> ", nl=False, err=True)
        line = self.read()
        if line == "":
            raise EndOfInput()
        line = line.rstrip("\r\n")
        if self.echo:  # nobody typed it: show the answer as if it had been typed
            click.echo(line, err=True)
        return line


class TerminalPrompter(Prompter):
    """questionary menus and text prompts on a terminal."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    def say(self, text: str, hang: str = "") -> None:
        click.echo(wrap(text, self.width, hang=hang))

    def note(self, text: str) -> None:
        click.secho(wrap(text, self.width, hang="    " if text.startswith("  • ") else ""), fg="cyan")

    def heading(self, text: str) -> None:
        click.echo("")
        click.secho(wrap(f"── {text} ──", self.width), bold=True)

    def ask(self, step: Step, consultation: Consultation) -> str:
        import questionary
        from questionary import Choice, Separator

        t = self.t
        width = self.width
        click.secho(wrap(progress(t, step), width), dim=True)
        message = wrap(text_of(t, step), width - 2)  # questionary puts "? " before it
        options = choices(t, step)
        try:
            if step.several:
                return self._ask_several(step, message, options)
            if options:
                # a menu line is "» 1) label": labels wrap under themselves
                items = [Choice(wrap(label, width - 6, hang="      ").lstrip(), value=typed, shortcut_key=str(n))
                         for n, (typed, label) in enumerate(options, 1)]
                items.append(Separator())
                if step.id != CONFIRM:
                    items.append(Choice(t("consult.unknown_choice"), value="unknown", shortcut_key="u"))
                items += [Choice(t("consult.help_choice"), value="?", shortcut_key="h"),
                          Choice(t("consult.why_choice"), value="why", shortcut_key="w"),
                          Choice(t("consult.back_choice"), value="back", shortcut_key="b")]
                default = None
                if step.previous is not None:
                    wanted = "unknown" if step.previous == UNKNOWN else str(step.previous)
                    default = next((c for c in items if isinstance(c, Choice) and c.value == wanted), None)
                hint = t("consult.menu_hint")
                if len(message.rsplit("\n", 1)[-1]) + len(hint) + 3 > width:
                    message += "\n"  # the hint on a line of its own rather than broken by the terminal
                answer = questionary.select(message, choices=items, default=default, use_shortcuts=True,
                                            use_jk_keys=False, instruction=hint).unsafe_ask()
            else:
                default = "" if step.previous is None else label_of(t, step, step.previous)
                hint = t("consult.commands")
                if step.question is not None:
                    hint = f"{allowed(t, step)}; {hint}"
                if len(message.rsplit("\n", 1)[-1]) + len(hint) + 5 > width:
                    message += "\n"
                answer = questionary.text(message, default=default, instruction=f"({hint})").unsafe_ask()
        except EOFError:
            raise EndOfInput() from None
        if answer is None:  # questionary returns None when it is cancelled
            raise KeyboardInterrupt
        return answer


    def _ask_several(self, step: Step, message: str, options: list[tuple[str, str]]) -> str:
        """A checkbox menu: space ticks a choice, Enter confirms; ticking a command below the line runs it."""
        import questionary
        from questionary import Choice, Separator

        t, width = self.t, self.width
        before = set(step.previous) if isinstance(step.previous, tuple) else set()
        items = [Choice(wrap(label, width - 6, hang="      ").lstrip(), value=typed, checked=typed in before)
                 for typed, label in options]
        items += [Separator(), Choice(t("consult.unknown_choice"), value="unknown"),
                  Choice(t("consult.help_choice"), value="?"), Choice(t("consult.why_choice"), value="why"),
                  Choice(t("consult.back_choice"), value="back")]
        hint = t("consult.several_hint")
        if len(message.rsplit("\n", 1)[-1]) + len(hint) + 3 > width:
            message += "\n"
        ticked = questionary.checkbox(message, choices=items, instruction=hint, use_jk_keys=False).unsafe_ask()
        if ticked is None:
            raise KeyboardInterrupt
        commands = [value for value in ticked if value in ("unknown", "?", "why", "back")]
        return commands[0] if commands else ", ".join(ticked)


# ---------------------------------------------------------------- the end

def summarise(d: expert.Diagnosis, lang: str, session: Path, brief: bool) -> None:
    """The diagnosis in a few lines after the consultation (``brief``: the full report follows)."""
    t = Messages(d.kb, lang)
    kb = d.kb
    err = not (sys.stdin.isatty() and sys.stdout.isatty())
    q = d.questions_summary()
    lines = ["", t("consult.complete", asked=q["asked"], total=q["total"], unknown=q["unknown"])]
    if not brief:
        if d.level:
            level = t("level.value", value=d.level.value, name=kb.levels[d.level.id].name[lang])
            lines.append(f"{t('report.level')}: " + t("report.level_line", level=level,
                                                       certainty=f"{d.level.certainty:.2f}"))
        else:
            lines.append(t("report.no_level"))
        if d.target and d.level:
            target = t("level.value", value=d.target.value, name=kb.levels[d.target.id].name[lang])
            lines.append(f"{t('report.target')}: {target}")
        named = [c.id for c in d.inference.causes if c.named]
        if named:
            lines.append(f"{t('report.causes')}: " + "; ".join(kb.causes[c].name[lang] for c in named))
        lines.append(t("consult.summary_plan", count=len(d.plan.order), weeks=d.plan.total_weeks))
    lines.append(t("consult.session_saved", file=display_path(session)))
    width = width_of(sys.stderr if err else sys.stdout)
    for line in lines:
        click.echo(wrap(line, width), err=err)
