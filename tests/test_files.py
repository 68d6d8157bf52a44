"""Writing files (expert.files): atomic, read-only respected, permissions kept, no debris left (issue 12)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cli
from expert.errors import AccordError, InputError
from expert.files import remove_stale_temporaries, write_atomically

from conftest import EXAMPLES


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dead_pid() -> int:
    """The id of a process that has ended (and, almost surely, not been reused yet)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class TestWriteAtomically:
    def test_replaces_the_content_and_keeps_the_permissions(self, tmp_path):
        path = tmp_path / "report.md"
        path.write_text("old", encoding="utf-8")
        path.chmod(0o640)
        write_atomically(path, "new")
        assert path.read_text(encoding="utf-8") == "new" and mode(path) == 0o640

    def test_a_new_file_gets_the_usual_permissions(self, tmp_path):
        mask = os.umask(0o022)
        try:
            write_atomically(tmp_path / "new.md", b"x")
        finally:
            os.umask(mask)
        assert mode(tmp_path / "new.md") == 0o644

    def test_a_read_only_file_is_refused_and_left_alone(self, tmp_path):
        path = tmp_path / "session.yaml"
        path.write_text("answers: {}\n", encoding="utf-8")
        path.chmod(0o444)
        with pytest.raises(InputError, match="read-only"):
            write_atomically(path, "replaced", InputError, "session file")
        assert path.read_text(encoding="utf-8") == "answers: {}\n" and mode(path) == 0o444
        assert [p.name for p in tmp_path.iterdir()] == ["session.yaml"]

    def test_a_link_is_written_through(self, tmp_path):
        (tmp_path / "real.md").write_text("old", encoding="utf-8")
        (tmp_path / "link.md").symlink_to("real.md")
        write_atomically(tmp_path / "link.md", "new")
        assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_text(encoding="utf-8") == "new"

    def test_a_device_is_written_into_not_replaced(self):
        write_atomically(Path(os.devnull), "nothing")
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)

    def test_a_directory_is_refused(self, tmp_path):
        with pytest.raises(AccordError, match="is a directory"):
            write_atomically(tmp_path, "x")


class TestStaleTemporaries:
    def test_files_of_ended_writers_are_removed_and_others_kept(self, tmp_path):
        target = tmp_path / "session.yaml"
        gone = tmp_path / f".session.yaml.{dead_pid()}.abcdefgh.tmp"
        alive = tmp_path / f".session.yaml.{os.getppid()}.abcdefgh.tmp"  # our parent is running
        old_style = tmp_path / ".session.yaml.abcdefgh.tmp"  # an older version's name, an hour old
        fresh_old_style = tmp_path / ".session.yaml.ijklmnop.tmp"
        other = tmp_path / ".other.yaml.123.abcdefgh.tmp"
        for path in (gone, alive, old_style, fresh_old_style, other):
            path.write_text("partial", encoding="utf-8")
        hour_ago = time.time() - 3600
        os.utime(old_style, (hour_ago, hour_ago))
        removed = remove_stale_temporaries(target)
        assert sorted(removed) == sorted([gone, old_style])
        assert alive.exists() and fresh_old_style.exists() and other.exists()

    def test_a_consultation_cleans_up_after_a_killed_one(self, runner, tmp_path):
        leftover = tmp_path / f".session.yaml.{dead_pid()}.abcdefgh.tmp"
        leftover.write_text("organization: half a", encoding="utf-8")
        result = runner.invoke(cli.main, ["diagnose", "--save", str(tmp_path / "session.yaml")], input="Acme\n")
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["session.yaml"]


class TestLanguageOfTheAnswers:
    """A Russian session's answers file gives Russian output unless --lang says otherwise (issue 12)."""

    @pytest.fixture
    def russian(self, tmp_path) -> Path:
        path = tmp_path / "session.yaml"
        path.write_text("lang: ru\n" + (EXAMPLES / "defined-manufacturer.yaml").read_text(encoding="utf-8"),
                        encoding="utf-8")
        return path

    @pytest.mark.parametrize("command", [["diagnose"], ["diagnose", "--format", "md"], ["explain"],
                                         ["export", "--format", "csv"]], ids=lambda c: "-".join(c))
    def test_the_file_language_is_used(self, runner, russian, command):
        def cyrillic_share(text: str) -> float:  # English output still cites Russian sources by name
            letters = [ch for ch in text if ch.isalpha()]
            return sum(1 for ch in letters if "а" <= ch.lower() <= "я") / max(1, len(letters))

        result = runner.invoke(cli.main, [command[0], "--answers", str(russian), *command[1:]])
        assert result.exit_code == 0, result.stderr
        english = runner.invoke(cli.main, [command[0], "--answers", str(russian), *command[1:], "--lang", "en"])
        assert english.exit_code == 0, english.stderr
        assert cyrillic_share(result.stdout) > 0.5 > 0.2 > cyrillic_share(english.stdout)
