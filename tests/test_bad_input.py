"""Bad input gets one clear line naming the file, the place and the problem, exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import cli

from conftest import ROOT


def run(runner, args):
    result = runner.invoke(cli.main, args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result, lines


def assert_one_clear_line(result, lines, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1, lines
    assert lines[0].startswith("accord: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


ANSWER_FILES = [
    # (test id, file name, content, fragments the message must contain)
    ("malformed-yaml", "a.yaml", "answers:\n  joint_meetings: [weekly\n", ["a.yaml:", "malformed YAML"]),
    ("malformed-json", "a.json", '{"answers": {"joint_meetings": "weekly",}}', ["a.json:1:", "malformed JSON"]),
    ("unknown-question", "a.yaml", "answers:\n  joint_meeting: weekly\n",
     ["a.yaml:2:3", "answers.joint_meeting", "unknown question 'joint_meeting'", "did you mean joint_meetings"]),
    ("percent-out-of-range", "a.yaml", "answers:\n  marketing_department: separate\n  lead_acceptance_pct: 140\n",
     ["a.yaml:3:3", "lead_acceptance_pct", "out of range"]),
    ("scale-out-of-range", "a.yaml", "answers:\n  shared_terms: 7\n", ["a.yaml:2:3", "shared_terms", "1 to 5"]),
    ("wrong-type-for-number", "a.yaml", "answers:\n  employees: many\n", ["a.yaml:2:3", "employees", "not a number"]),
    ("choice-not-allowed", "a.yaml", "answers:\n  joint_meetings: daily\n",
     ["a.yaml:2:3", "'daily' is not an allowed answer", "weekly"]),
    ("list-instead-of-value", "a.yaml", "answers:\n  joint_meetings: [weekly, never]\n",
     ["a.yaml:2:3", "single value"]),
    ("empty-file", "a.yaml", "", ["a.yaml", "empty"]),
    ("not-a-mapping", "a.yaml", "- joint_meetings\n", ["a.yaml", "must be a mapping"]),
    ("no-answers-section", "a.yaml", "organization: X\n", ["a.yaml", "no 'answers' section"]),
    ("duplicate-question", "a.yaml", "answers:\n  employees: 10\n  employees: 20\n", ["a.yaml:3:3", "duplicate key 'employees'"]),
    ("unknown-top-level-key", "a.yaml", "answer:\n  employees: 10\n", ["a.yaml:1:1", "did you mean answers"]),
    ("bad-respondent-role", "a.yaml", "respondent: {role: janitor}\nanswers: {}\n", ["a.yaml:1", "respondent.role", "janitor"]),
    ("not-utf8", "a.yaml", b"answers:\n  organization: \xff\xfe\n", ["a.yaml", "not UTF-8"]),
    ("bad-date", "a.yaml", "date: yesterday\nanswers: {}\n", ["a.yaml:1:1", "not a date"]),
]


@pytest.mark.parametrize("name, content, fragments", [c[1:] for c in ANSWER_FILES], ids=[c[0] for c in ANSWER_FILES])
def test_bad_answers_file(runner, tmp_path, name, content, fragments):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result, lines = run(runner, ["diagnose", "--answers", str(path)])
    assert_one_clear_line(result, lines, *fragments)


def test_missing_answers_file(runner, tmp_path):
    result, lines = run(runner, ["diagnose", "--answers", str(tmp_path / "nope.yaml")])
    assert_one_clear_line(result, lines, "nope.yaml", "file not found")


@pytest.fixture
def kb_copy(tmp_path):
    """A private copy of the knowledge and rule bases that a test may break."""
    kb = tmp_path / "knowledge"
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "knowledge", kb)
    shutil.copytree(ROOT / "rules", rules)
    return kb, rules


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diagnose_with(runner, kb, rules):
    return run(runner, ["--kb", str(kb), "--rules", str(rules), "diagnose",
                        "--answers", str(ROOT / "examples" / "defined-manufacturer.yaml")])


def test_malformed_knowledge_file(runner, kb_copy):
    kb, rules = kb_copy
    (kb / "levels.yaml").write_text("levels: [\n", encoding="utf-8")
    result, lines = diagnose_with(runner, kb, rules)
    assert_one_clear_line(result, lines, "knowledge/levels.yaml:", "malformed YAML")


def test_missing_translation(runner, kb_copy):
    kb, rules = kb_copy
    text = (kb / "causes.yaml").read_text(encoding="utf-8")
    start = text.index("    name:")
    line_end = text.index("\n", text.index("ru:", start))
    (kb / "causes.yaml").write_text(text[:start] + '    name: {en: "Only English"}' + text[line_end:], encoding="utf-8")
    result, lines = diagnose_with(runner, kb, rules)
    assert_one_clear_line(result, lines, "knowledge/causes.yaml:", "missing translation: ru")


def test_a_plural_with_the_wrong_number_of_forms(runner, kb_copy):
    kb, rules = kb_copy
    (kb / "zz-plural.yaml").write_text('messages:\n  - id: zz.plural\n    text: {en: "{n} {n|item|items}", '
                                        'ru: "{n} {n|штука|штук}"}\n', encoding="utf-8")
    result, lines = diagnose_with(runner, kb, rules)
    assert_one_clear_line(result, lines, "knowledge/zz-plural.yaml:", "ru needs 3")


def test_kb_check_lists_every_problem_and_exits_1(runner, kb_copy):
    kb, rules = kb_copy
    edit(kb / "measures-aligned.yaml", "prerequisites: [MEAS-JOINT-DEPARTMENT-MEETINGS]",
         "prerequisites: [MEAS-JOINT-DEPARTMENT-MEETING]")
    edit(rules / "10-observations.yaml", "when: {answer: employees, max: 99}", "when: {answer: headcount, max: 99}")
    result = runner.invoke(cli.main, ["kb", "check", "--kb", str(kb), "--rules", str(rules)])
    assert result.exit_code == 1
    assert "unknown measure 'MEAS-JOINT-DEPARTMENT-MEETING'" in result.stdout
    assert "unknown question 'headcount'" in result.stdout


def test_debug_shows_the_traceback(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  joint_meeting: weekly\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["--debug", "diagnose", "--answers", str(path)])
    assert result.exit_code != 0 and result.exception is not None


# ---------------------------------------------- kb check: what nothing reads (issue 12)

def questions_file(kb: Path) -> Path:
    """The knowledge file that holds the questions, wherever the questionnaire keeps them."""
    return next(p for p in sorted(kb.glob("*.yaml"))
                if "questions" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}))


def mutate(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def kb_check(runner, kb, rules):
    result = runner.invoke(cli.main, ["kb", "check", "--kb", str(kb), "--rules", str(rules)])
    return result, result.stdout.splitlines()


def test_kb_check_reports_a_question_that_nothing_reads(runner, kb_copy):
    kb, rules = kb_copy
    path = questions_file(kb)

    def add(data):
        first = data["questions"][0]
        base = {"section": first["section"], "type": "yesno", "sources": first["sources"],
                "help": {"en": "Help.", "ru": "Справка."}}
        data["questions"].append({"id": "scratch_gate", "text": {"en": "Gate?", "ru": "Шлюз?"}, **base})
        data["questions"].append({"id": "scratch_follow_up", "text": {"en": "Follow-up?", "ru": "Уточнение?"},
                                  "ask_when": {"answer": "scratch_gate", "is": "yes"}, **base})

    mutate(path, add)
    result, lines = kb_check(runner, kb, rules)
    assert result.exit_code == 1
    unread = [line for line in lines if "is read by no rule and opens no follow-up" in line]
    assert len(unread) == 1 and "'scratch_follow_up'" in unread[0]  # the gate opens a follow-up: it is read
    assert unread[0].startswith(f"knowledge/{path.name}:")


def test_kb_check_warns_about_a_choice_that_nothing_names(runner, kb_copy):
    kb, rules = kb_copy
    path = questions_file(kb)
    chosen = {}

    def add(data):
        question = next(q for q in data["questions"] if q.get("choices"))
        chosen["id"] = question["id"]
        question["choices"].append({"value": "scratch_choice", "label": {"en": "Scratch", "ru": "Черновик"}})

    mutate(path, add)
    result, lines = kb_check(runner, kb, rules)
    warned = [line for line in lines if "'scratch_choice'" in line]
    assert len(warned) == 1, lines
    assert warned[0].startswith("warning: ") and f"question '{chosen['id']}'" in warned[0]
    assert "named by no rule or follow-up condition" in warned[0]
    assert not any(line.startswith("knowledge/") for line in lines)  # a warning alone does not fail the check
    assert result.exit_code == 0


def test_kb_check_validates_contradictions(runner, kb_copy):
    kb, rules = kb_copy
    data = yaml.safe_load(questions_file(kb).read_text(encoding="utf-8"))
    first, second = [q for q in data["questions"] if q.get("choices")][:2]
    a, b = first["id"], second["id"]
    value = first["choices"][0]["value"]
    text = {"en": "They disagree.", "ru": "Они противоречат."}
    sources = first["sources"]
    entries = [
        {"id": "CONTRA-OK", "when": {"all": [{"answer": a, "is": value}, {"answer": b, "is": second["choices"][0]["value"]}]},
         "text": text, "sources": sources},
        {"id": "CONTRA-UNKNOWN-QUESTION", "when": {"all": [{"answer": a, "is": value}, {"answer": "no_such_question", "is": "x"}]},
         "text": text, "sources": sources},
        {"id": "CONTRA-ONE-QUESTION", "when": {"answer": a, "is": value}, "text": text, "sources": sources},
        {"id": "CONTRA-BAD-VALUE", "when": {"all": [{"answer": a, "is": "no_such_value"}, {"answer": b, "is": "x"}]},
         "text": text, "sources": sources},
        {"id": "CONTRA-ENGLISH-ONLY", "when": {"all": [{"answer": a, "is": value}, {"answer": b, "is": "x"}]},
         "text": {"en": "Only English."}, "sources": sources},
        {"id": "CONTRA-FINDING", "when": {"all": [{"answer": a, "is": value}, {"symptom": "SYM-X"}]},
         "text": text, "sources": sources},
    ]
    for old in kb.glob("*.yaml"):
        if "contradictions" in (yaml.safe_load(old.read_text(encoding="utf-8")) or {}):
            old.unlink()
    (kb / "contradictions.yaml").write_text(yaml.safe_dump({"contradictions": entries}, allow_unicode=True),
                                            encoding="utf-8")
    result, lines = kb_check(runner, kb, rules)
    assert result.exit_code == 1
    out = "\n".join(lines)
    assert "'when' reads unknown question 'no_such_question'" in out
    assert "a contradiction needs the answers to at least two questions" in out
    assert "'no_such_value' is not an allowed answer" in out
    assert "missing translation: ru" in out
    assert "this condition may test answers only" in out
    assert all(line.startswith(("knowledge/contradictions.yaml:", "warning: ")) for line in lines)
    assert "CONTRA-OK" not in out
    result, problems = diagnose_with(runner, kb, rules)  # a broken base stops a diagnosis with one line
    assert_one_clear_line(result, problems, "knowledge/contradictions.yaml:")


#: One edit that breaks the knowledge base or the rules, and the one line that must say where and what:
#: (id, folder, file, text replaced, replacement, where the line points, what it says).
BROKEN_ENTRIES = [
    ("dangling-reference-in-knowledge", "kb", "measures-aligned.yaml", "prerequisites: [MEAS-JOINT-DEPARTMENT-MEETINGS]",
     "prerequisites: [MEAS-JOINT-DEPARTMENT-MEETING]", "knowledge/measures-aligned.yaml:",
     "unknown measure 'MEAS-JOINT-DEPARTMENT-MEETING'"),
    # the staff survey opens every plan; making it depend on a later measure closes a cycle
    ("prerequisite-cycle-in-knowledge", "kb", "measures-diagnostic-defined-aligned.yaml", "    prerequisites: []\n",
     "    prerequisites: [MEAS-CMO-CCO-WEEKLY-MEETING]\n", "prerequisite", "MEAS-"),
    ("rule-naming-an-unknown-question", "rules", "10-observations.yaml", "when: {answer: employees, max: 99}",
     "when: {answer: headcount, max: 99}", "rules/10-observations.yaml:", "unknown question 'headcount'"),
    ("rule-naming-an-unknown-value", "rules", "55-practices.yaml", "when: {answer: joint_meetings, is: weekly}",
     "when: {answer: joint_meetings, is: daily}", "rules/55-practices.yaml:", "'daily' is not an allowed answer"),
    ("measure-name-variant-reading-an-unknown-question", "kb", "measures-diagnostic-defined-aligned.yaml",
     "- when: {answer: leadership, is: owner_sells}\n        name: {en: \"The owner",
     "- when: {answer: leadershp, is: owner_sells}\n        name: {en: \"The owner",
     "knowledge/measures-diagnostic-defined-aligned.yaml:", "leadershp"),
    ("measure-name-variant-without-a-name", "kb", "measures-diagnostic-defined-aligned.yaml",
     "name: {en: \"The owner takes charge", "nom: {en: \"The owner takes charge",
     "knowledge/measures-diagnostic-defined-aligned.yaml:", "name"),
    ("measure-name-variant-change-not-a-flag", "kb", "measures-diagnostic-defined-aligned.yaml", "        change: true\n",
     "        change: maybe\n", "knowledge/measures-diagnostic-defined-aligned.yaml:", "'change' needs true or false"),
    ("cause-named-with-an-unknown-cause", "kb", "causes.yaml", "      causes: [CAUSE-PROMOTION-3P]",
     "      causes: [CAUSE-PROMOTION-4P]", "knowledge/causes.yaml:", "unknown cause 'CAUSE-PROMOTION-4P'"),
    ("cause-root-without-a-reason", "kb", "causes.yaml", "    root:\n      because: {en: \"The Chinese seed calls the disagreement",
     "    root:\n      reason: {en: \"The Chinese seed calls the disagreement", "knowledge/causes.yaml:", "because"),
    ("measure-keeps-level-alive-not-a-flag", "kb", "measures-aligned.yaml", "    keeps_level_alive: true\n",
     "    keeps_level_alive: often\n", "knowledge/measures-aligned.yaml:", "'keeps_level_alive' needs true or false"),
]


@pytest.mark.parametrize("folder, name, old, new, where, what", [c[1:] for c in BROKEN_ENTRIES],
                         ids=[c[0] for c in BROKEN_ENTRIES])
def test_a_broken_entry_stops_a_diagnosis_with_one_line(runner, kb_copy, folder, name, old, new, where, what):
    kb, rules = kb_copy
    edit((kb if folder == "kb" else rules) / name, old, new)
    result, lines = diagnose_with(runner, kb, rules)
    assert_one_clear_line(result, lines, where, what)
