"""expert.web is a shell: it imports no engine and reads no rules itself; nothing else in expert imports it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "expert" / "web"
EXPERT = WEB.parent


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_expert_web_imports_no_engine_and_reads_no_rules():
    for path in WEB.rglob("*.py"):
        names = imported_names(path)
        assert not any(n.split(".")[0] in ("experta", "clips") for n in names), path
        assert not names & {"cli", "cli_consult", "cli_organisation", "cli_web"}, f"{path} imports another shell"
        assert not any(n.split(".")[-1] in ("compiler", "compiler_clips", "rules", "inference", "_experta")
                       for n in names), path
        text = path.read_text(encoding="utf-8")
        assert "rules/" not in text and '"rules"' not in text, path


def test_importing_the_app_loads_no_engine():
    code = ("import sys; import expert.web, expert.web.app, expert.web.routes.consultant, "
            "expert.web.routes.respondent; print('experta' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_nothing_else_in_expert_imports_the_web_shell():
    for path in EXPERT.rglob("*.py"):
        if WEB in path.parents:
            continue
        assert not any(n.startswith("expert.web") or n == "web" or n.startswith(".web")
                       for n in imported_names(path)), path
