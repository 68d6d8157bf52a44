"""Documentation stays true: the generated catalog is current, every command is documented."""

from __future__ import annotations

import subprocess
import sys

import click

import cli
from expert.catalog import render_catalog

from conftest import ROOT


def test_rule_catalog_is_up_to_date(system):
    committed = (ROOT / "docs" / "rule-catalog.md").read_text(encoding="utf-8")
    assert committed == render_catalog(system), "run 'accord kb docs' (make docs) and commit docs/rule-catalog.md"


def all_commands(group: click.Group, prefix: str = "accord"):
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix} {name}")


def test_every_command_has_help_and_is_in_the_user_guide():
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    for name, command in all_commands(cli.main):
        assert command.help and command.get_short_help_str(), f"{name} has no help"
        assert f"`{name}" in guide or f"{name} " in guide, f"{name} is not in docs/user-guide.md"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{name} {param.opts[0]} has no help"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_doctests_of_the_library_pass():
    modules = ["expert.certainty", "expert.conditions", "expert.errors", "expert.documents", "expert.i18n",
               "expert.inference", "expert.diagnosis", "expert.files", "expert.plurals", "expert.contradictions",
               "expert.answers", "expert.compiler_clips", "expert.sampling", "expert.report.words",
               "expert.report.summary", "expert.explain.brief", "expert.explain.question"]
    result = subprocess.run([sys.executable, "-m", "pytest", "--doctest-modules", "-q", "-p", "no:cacheprovider",
                             *[str(ROOT / (m.replace(".", "/") + ".py")) for m in modules]],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:]
