"""'pip install .' gives a working accord that finds its bases from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_diagnoses(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                    "-w", str(wheels), str(ROOT)], check=True)
    wheel = next(wheels.glob("accord-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "ACCORD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(env_dir / "bin" / "accord"), "diagnose", "--answers",
                             str(EXAMPLES / "aligned-software.yaml"), "--format", "json"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    assert data["level"]["id"] == "LEVEL-3-ALIGNED"
    # the wheel carries its own knowledge and rules, not the checkout's
    located = subprocess.run([str(python), "-c", "import expert.knowledge as k; print(k.data_dir('rules'))"],
                             cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(located).is_relative_to(env_dir)
    check = subprocess.run([str(env_dir / "bin" / "accord"), "kb", "check"], cwd=elsewhere, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
