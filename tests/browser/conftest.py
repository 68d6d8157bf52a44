"""A live ``accord serve`` on a free port (the datasette pattern) and the system chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """``accord serve`` as a subprocess with a consultant; yields (base URL, e-mail, password)."""
    pytest.importorskip("uvicorn", reason="the web shell needs the 'web' extra")
    httpx = pytest.importorskip("httpx")
    db = f"sqlite:///{tmp_path_factory.mktemp('live') / 'accord.db'}"
    env = {**os.environ, "ACCORD_DATABASE_URL": db, "ACCORD_SECRET_KEY": "browser-test",
           "ACCORD_PASSWORD": "browser journey"}
    accord = [sys.executable, "-c", "import cli; cli.main()"]
    subprocess.run([*accord, "user", "add", "consultant@example.com"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    port = free_port()
    log = tmp_path_factory.mktemp("live-log") / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([*accord, "serve", "--port", str(port)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("accord serve did not start: " + log.read_text(errors="replace")[-2000:])
    yield url, "consultant@example.com", "browser journey"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()
