"""Hostile input (issue 12): one line naming the file and the problem, exit 2, fast, small, nothing overwritten.

Each row of the issue's table runs ``accord`` in a child process, measured
by ``wait4``'s resource usage: the CPU seconds and the peak memory of that
process, against the bar of 2 seconds and 200 MB (CPU time, not wall time,
so that a machine busy with other work does not fail the test; a child that
waits instead of working is caught by the wall-clock deadline of a hang). The
files involved must be byte for byte (and mode for mode) what they were.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import cli
import expert
from expert.documents import MAX_DEPTH, read_document
from expert.errors import InputError

from conftest import EXAMPLES
from consult_script import ACCORD, child_env

pytestmark = pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 to measure a child's memory")

SECONDS = 2.0
MEGABYTES = 200
ESC = "\x1b"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    megabytes: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def accord(*args: str, cwd: Path, timeout: float = 30) -> Run:
    """Run accord in a child process; its exit code, output, CPU seconds and peak resident memory."""
    out, err = cwd / ".stdout", cwd / ".stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        start = time.monotonic()
        child = subprocess.Popen(ACCORD + list(args), cwd=cwd, env=child_env(), stdin=subprocess.DEVNULL,
                                 stdout=stdout, stderr=stderr)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                child.returncode = os.waitstatus_to_exitcode(status)
                pytest.fail(f"accord {' '.join(args)} still ran after {timeout} s: it hangs")
            time.sleep(0.005)
    seconds = usage.ru_utime + usage.ru_stime
    child.returncode = os.waitstatus_to_exitcode(status)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Run(child.returncode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"), seconds,
               usage.ru_maxrss / scale)


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """One ordinary run first, so the measured runs find the knowledge-base cache as a user's second run does."""
    where = tmp_path_factory.mktemp("warm")
    run = accord("diagnose", "--answers", str(EXAMPLES / "defined-manufacturer.yaml"), "--format", "json",
                 cwd=where)
    assert run.code == 0, run.stderr
    return run


def fingerprint(*paths: Path) -> dict:
    return {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in paths}


def assert_refused(run: Run, *fragments: str) -> None:
    """One line naming the file and the problem, exit 2, within the time and memory bar."""
    assert run.code == 2, (run.code, run.stderr)
    assert len(run.lines) == 1, run.lines
    line = run.lines[0]
    assert line.startswith("accord: error: "), line
    for fragment in fragments:
        assert fragment in line, line
    assert "Traceback" not in run.stderr and ESC not in run.stderr
    assert run.stdout == ""
    assert run.seconds < SECONDS, f"took {run.seconds:.2f} s of CPU"
    assert run.megabytes < MEGABYTES, f"used {run.megabytes:.0f} MB"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """About 400 bytes of YAML that describe 9⁹ (387 million) strings."""
    lines = [f'a0: &a0 [{", ".join(["lol"] * width)}]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


BOMB_IN_ANSWERS = "answers:\n" + "".join("  " + line + "\n" for line in alias_bomb().splitlines()) + \
    "  employees: *a8\n"

FILES = [
    # id, file name, content, fragments of the one line
    ("alias-bomb", "bomb.yaml", alias_bomb(), ["bomb.yaml:", "too many items", "YAML aliases"]),
    ("alias-bomb-in-answers", "bomb.yaml", BOMB_IN_ANSWERS, ["bomb.yaml:", "too many items"]),
    ("merge-key-bomb", "bomb.yaml",
     "m0: &m0 {x: 1}\n" + "".join(f"m{n}: &m{n} {{<<: [{', '.join([f'*m{n - 1}'] * 9)}]}}\n" for n in range(1, 10)),
     ["bomb.yaml:", "too many items"]),
    ("alias-cycle", "cycle.yaml", "answers: &a\n  x: *a\n", ["cycle.yaml:1:", "refers to the list or mapping"]),
    ("5000-digit-integer-yaml", "big.yaml", "answers:\n  employees: " + "9" * 5000 + "\n",
     ["big.yaml:2:14", "5000 characters"]),
    ("5000-digit-integer-json", "big.json", '{"answers": {"employees": ' + "9" * 5000 + "}}",
     ["big.json:1:27", "5000 characters"]),
    ("5000-digit-integer-in-a-string", "big.yaml", "answers:\n  employees: '" + "9" * 5000 + "'\n",
     ["big.yaml:2:3", "is not a number"]),
    ("nan", "nan.yaml", "answers:\n  employees: .nan\n", ["nan.yaml:2:14", "'.nan' is not a finite number"]),
    ("infinity", "inf.yaml", "answers:\n  employees: .inf\n", ["inf.yaml:2:14", "not a finite number"]),
    ("1e999-as-text", "inf.yaml", "answers:\n  employees: '1e999'\n", ["inf.yaml:2:3", "'1e999' is not a number"]),
    ("1e999-as-a-float", "inf.yaml", "answers:\n  employees: 1.0e+999\n", ["inf.yaml:2:14", "not a finite number"]),
    ("json-nan", "nan.json", '{"answers": {"employees": NaN}}', ["nan.json:1:27", "'NaN' is not a number"]),
    ("json-infinity", "inf.json", '{"answers": {"employees": 1e999}}', ["inf.json:1:27", "not a finite number"]),
    ("json-duplicate-key", "dup.json", '{"answers": {"employees": 5,\n  "employees": 7}}',
     ["dup.json:2:3", "duplicate key 'employees'"]),
    ("escape-codes-in-the-name", "esc.yaml", 'organization: "Acme\\e]0;owned\\a\\e[2J"\nanswers: {}\n',
     ["esc.yaml:1:1", "control characters"]),
    ("newline-in-the-name", "nl.yaml", 'organization: "Acme\\nLtd"\nanswers: {}\n', ["nl.yaml:1:1", "control characters"]),
    ("escape-codes-in-a-key", "key.yaml", 'answers:\n  "\\e[31memployees": 5\n', ["key.yaml:2:3", "\\x1b[31memployees"]),
    ("impossible-date", "date.yaml", "date: 2026-02-30\nanswers: {}\n", ["date.yaml:1:7", "not a valid date"]),
    ("key-that-is-a-list", "key.yaml", "answers:\n  ? [a, b]\n  : c\n", ["key.yaml:2:5", "plain name"]),
]


@pytest.mark.parametrize("name, content, fragments", [f[1:] for f in FILES], ids=[f[0] for f in FILES])
def test_a_hostile_answers_file_is_one_line(warm, tmp_path, name, content, fragments):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = fingerprint(path)
    run = accord("diagnose", "--answers", name, "--format", "json", cwd=tmp_path)
    assert_refused(run, *fragments)
    assert fingerprint(path) == before


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_an_answers_file_that_is_not_a_file_is_one_line(warm, tmp_path, kind):
    if kind == "device":
        target = "/dev/zero"
        fragments = ["/dev/zero", "is a device"]
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(tmp_path / "answers.yaml")
        target, fragments = "answers.yaml", ["answers.yaml", "is a named pipe"]
    else:
        (tmp_path / "answers.yaml").mkdir()
        target, fragments = "answers.yaml", ["answers.yaml", "is a directory"]
    for command in (["diagnose", "--answers", target], ["export", "--answers", target, "--format", "csv"],
                    ["explain", "--answers", target]):
        assert_refused(accord(*command, cwd=tmp_path, timeout=10), *fragments)


@pytest.mark.parametrize("command", [
    ["diagnose", "--answers", "answers.yaml", "--format", "md", "-o", "answers.yaml"],
    ["diagnose", "--answers", "answers.yaml", "-o", "./link.yaml"],
    ["export", "--answers", "answers.yaml", "--format", "csv", "-o", "answers.yaml"],
    ["explain", "--answers", "answers.yaml", "-o", "answers.yaml"],
    ["diagnose", "--save", "answers.yaml", "--resume", "-o", "answers.yaml"],
], ids=["diagnose", "diagnose-through-a-link", "export", "explain", "consultation"])
def test_output_over_the_answers_file_is_refused(warm, tmp_path, command):
    shutil.copy(EXAMPLES / "defined-manufacturer.yaml", tmp_path / "answers.yaml")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "answers.yaml")
    before = fingerprint(tmp_path / "answers.yaml")
    run = accord(*command, cwd=tmp_path)
    assert_refused(run, "answers.yaml", "itself")
    assert fingerprint(tmp_path / "answers.yaml") == before


def test_a_read_only_session_file_is_refused_not_replaced(warm, tmp_path):
    session = tmp_path / "session.yaml"
    shutil.copy(EXAMPLES / "aligned-software.yaml", session)
    session.chmod(0o444)
    before = fingerprint(session)
    run = accord("diagnose", "--save", "session.yaml", "--resume", cwd=tmp_path)
    assert_refused(run, "session.yaml", "read-only")
    assert fingerprint(session) == before


def test_an_immutable_session_file_is_refused(warm, tmp_path):
    session = tmp_path / "session.yaml"
    shutil.copy(EXAMPLES / "aligned-software.yaml", session)
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(session)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    try:
        before = fingerprint(session)
        run = accord("diagnose", "--save", "session.yaml", "--resume", cwd=tmp_path)
        assert_refused(run, "session.yaml", "read-only")
        assert fingerprint(session) == before
    finally:
        subprocess.run([chattr, "-i", str(session)], check=True)


@pytest.mark.parametrize("args, fragments", [
    (["diagnose", "--lang", "xx"], ["'--lang'", "'xx'", "accord diagnose --help"]),
    (["export", "--answers", "answers.yaml", "--format", "xyz"], ["'--format'", "'xyz'"]),
    # diagnose reads a folder of answers files (issue 10); explain takes files only
    (["explain", "--answers", "."], ["'--answers'", "is a directory"]),
    (["diagnose", "--lnag", "ru"], ["--lnag", "Did you mean '--lang'"]),
    (["diagnoze"], ["diagnoze", "Did you mean 'diagnose'"]),
], ids=["lang", "export-format", "directory", "option-typo", "command-typo"])
def test_bad_usage_is_one_line(warm, tmp_path, args, fragments):
    shutil.copy(EXAMPLES / "defined-manufacturer.yaml", tmp_path / "answers.yaml")
    run = accord(*args, cwd=tmp_path)
    assert_refused(run, *fragments)
    assert "Usage:" not in run.stderr


# ------------------------------------------------------- in-process details

def test_a_choice_by_its_number_in_a_file_is_accepted(runner, tmp_path):  # as the user guide promises
    by_value = tmp_path / "v.yaml"
    by_number = tmp_path / "n.json"
    by_value.write_text("answers: {marketing_department: separate, joint_meetings: never}\n", encoding="utf-8")
    by_number.write_text('{"answers": {"marketing_department": 1, "joint_meetings": "1"}}', encoding="utf-8")
    results = [runner.invoke(cli.main, ["diagnose", "--answers", str(p), "--format", "json"])
               for p in (by_value, by_number)]
    assert [r.exit_code for r in results] == [0, 0], results[1].stderr
    answers = [json.loads(r.stdout)["answers"] for r in results]
    assert answers[0] == answers[1] == {"marketing_department": "separate", "joint_meetings": "never"}


def test_a_choice_number_out_of_range_names_the_choices(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  marketing_department: 5\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["diagnose", "--answers", str(path)])
    assert result.exit_code == 2 and "'5' is not an allowed answer" in result.stderr and "separate" in result.stderr


def test_output_json_is_strict(runner):
    """No NaN or Infinity can reach the output; a strict parser reads every JSON Accord writes."""
    def refuse(constant):
        raise ValueError(f"{constant} in the output")

    answers = str(EXAMPLES / "integrated-fmcg.yaml")
    for args in (["diagnose", "--answers", answers, "--format", "json"],
                 ["explain", "--answers", answers, "--format", "json"],
                 ["export", "--answers", answers, "--format", "json"]):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 0
        json.loads(result.stdout, parse_constant=refuse)


def test_an_answers_file_that_is_too_large_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.write(b"answers:\n")
        handle.truncate(50_000_000)  # a sparse file: 50 MB, almost nothing on disk
    with pytest.raises(InputError, match="too large"):
        read_document(path, InputError)


@pytest.mark.parametrize("text, problem", [
    ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "nested too deeply"),
    ("- " * 10 + "x\n" + "answers: x\n", "malformed YAML"),
    ("answers:\n" + "".join(f"  q{n}: {n}\n" for n in range(100_001)), "too many items"),
], ids=["deep", "malformed", "many"])
def test_document_limits(tmp_path, text, problem):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        read_document(path, InputError)


def test_json_nested_beyond_the_limit_is_one_error(tmp_path):
    for depth in (MAX_DEPTH + 1, 100_000):
        path = tmp_path / "deep.json"
        path.write_text("[" * depth + "]" * depth, encoding="utf-8")
        with pytest.raises(InputError, match="nested too deeply"):
            read_document(path, InputError)


def test_aliases_within_the_limits_still_work(tmp_path, system):
    path = tmp_path / "a.yaml"
    path.write_text("organization: &name Acme\nanswers:\n  marketing_department: &s separate\n", encoding="utf-8")
    sheet = expert.read_answers(path, system.kb)
    assert (sheet.organization, sheet.answers) == ("Acme", {"marketing_department": "separate"})


def test_an_organisation_name_longer_than_a_report_title_is_refused(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(f"organization: {'A' * 201}\nanswers: {{}}\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["diagnose", "--answers", str(path)])
    assert result.exit_code == 2 and "a.yaml:1:1" in result.stderr and "201 characters long" in result.stderr
