"""Load test: respondents answering concurrently against a live ``accord serve`` on loopback.

Creates an assessment (with the quick self-assessment) and enough respondents
in a fresh database, starts ``accord serve`` as a subprocess on a free port,
then runs ``--users`` concurrent respondents (asyncio + httpx, one client and
cookie jar each). Each takes a link, answers the question its page shows (the
first choice, "don't know" for a number, 3 for a statement), and moves on to
the next free link when its questionnaire is done, until ``--answers``
answers are stored. Afterwards it reads the database: every respondent must
have exactly the rows it answered, with the values it sent (0 lost, 0
misattributed). Prints the median and 95th percentile of the time per answer
(the POST that stores it plus the GET of the next question, as a respondent
waits for them) and of the POST alone.

Usage:  python bench/load_respondents.py [--users 50] [--answers 2000] [--db URL] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert import load_expert  # noqa: E402
from expert.web import migrate, security, store  # noqa: E402
from expert.web.db import make_engine, session_factory, writing  # noqa: E402
from expert.web.settings import normalise_url  # noqa: E402

STEP = re.compile(r'name="step" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHOICE = re.compile(r'<input type="(radio|checkbox)" name="value" value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(url: str, respondents: int) -> list[tuple[int, str]]:
    migrate.upgrade(url)
    engine = make_engine(url)
    out = []
    with writing(session_factory(engine)) as s:
        c = store.add_consultant(s, f"load-{time.time_ns()}@example.com", security.hash_password("load test"))
        org = store.add_organisation(s, c.id, "Load test Ltd")
        a = store.add_assessment(s, org, "Load", "2026-01-01", True)
        roles = ("sales", "marketing", "executive", "other")
        for i in range(respondents):
            r = store.add_respondent(s, a, f"R{i}", roles[i % 4], "en" if i % 2 else "ru", security.new_token())
            out.append((r.id, r.token))
    engine.dispose()
    return out


class Run:
    def __init__(self, base: str, links: list[tuple[int, str]], target: int, statements):
        self.base, self.links, self.target, self.statements = base, list(links), target, statements
        self.stored = 0
        self.expected: dict[int, dict[str, object]] = {}
        self.per_answer: list[float] = []
        self.per_post: list[float] = []
        self.errors: list[str] = []

    async def user(self) -> None:
        while self.links and self.stored < self.target:
            rid, token = self.links.pop(0)
            self.expected[rid] = {}
            async with httpx.AsyncClient(base_url=self.base, timeout=120) as client:
                page = (await client.get(f"/r/{token}")).text
                while self.stored < self.target:
                    step = STEP.search(page)
                    if step is None or not step.group(1):
                        break  # done: the next link
                    step = step.group(1)
                    choices = CHOICE.findall(page)
                    data = {"csrf_token": CSRF.search(page).group(1), "step": step, "command": "answer"}
                    if step in self.statements:
                        data["value"], value = "3", 3
                    elif step == "quick_offer":
                        data["value"], value = "yes", None
                    elif step == "confirm":
                        data["value"], value = "keep", None
                    elif choices:
                        kind, first = choices[0]
                        data["value"], value = first, ([first] if kind == "checkbox" else first)
                    else:
                        data["command"], value = "unknown", "unknown"
                    if value is not None:
                        self.stored += 1  # claimed before the await: the target is never overshot
                    start = time.perf_counter()
                    r = await client.post(f"/r/{token}", data=data)
                    posted = time.perf_counter()
                    if r.status_code != 303:
                        self.errors.append(f"{step}: HTTP {r.status_code}")
                        if value is not None:
                            self.stored -= 1
                        break
                    page = (await client.get(r.headers["location"])).text
                    done = time.perf_counter()
                    if value is not None:
                        key = (store.QUICK + step) if step in self.statements else step
                        self.expected[rid][key] = value
                        self.per_answer.append(done - start)
                        self.per_post.append(posted - start)


def same(value):
    """A value as typed: the server stores a scale's "3" as 3, as the answers file would."""
    return [str(v) for v in value] if isinstance(value, list) else str(value)


def check(url: str, expected: dict[int, dict[str, object]]) -> tuple[int, int, int]:
    """(rows, lost, misattributed): answers missing or different, rows no respondent of ours sent."""
    engine = make_engine(url)
    lost = wrong = rows = 0
    with session_factory(engine)() as s:
        for rid, answers in expected.items():
            stored = {a.key: json.loads(a.value) for a in store.answers_of(s, rid)}
            rows += len(stored)
            missing = [(k, v, stored.get(k)) for k, v in answers.items() if same(stored.get(k)) != same(v)]
            if missing and os.environ.get("ACCORD_LOAD_DEBUG"):
                print("  differs:", missing[:3])
            lost += len(missing)
            wrong += sum(1 for k in stored if k not in answers)
    engine.dispose()
    return rows, lost, wrong


def ms(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {statistics.quantiles(values, n=20)[18] * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=1, help="accord serve --workers")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="accord-load-")
    url = normalise_url(args.db) if args.db else f"sqlite:///{tmp}/accord.db"
    links = setup(url, max(args.users * 3, args.answers // 20))
    statements = set(load_expert().kb.statements)
    port = free_port()
    env = {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_SECRET_KEY": "load-test"}
    log = open(Path(tmp) / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "serve", "--port", str(port),
                               "--workers", str(args.workers)], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        run = Run(base, links, args.answers, statements)
        start = time.perf_counter()

        async def everyone():
            await asyncio.gather(*(run.user() for _ in range(args.users)))

        asyncio.run(everyone())
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    rows, lost, wrong = check(url, run.expected)
    backend = url.split(":", 1)[0]
    print(f"{backend}: {args.users} concurrent respondents, {len(run.expected)} links, {len(run.per_answer)} answers "
          f"in {wall:.1f} s ({len(run.per_answer) / wall:.1f} answers/s), server workers: {args.workers}")
    print(f"time per answer (POST + next page): {ms(run.per_answer)}")
    print(f"time per POST alone:                {ms(run.per_post)}")
    print(f"rows in the database: {rows}; lost {lost}; misattributed {wrong}; failed requests {len(run.errors)}")
    for e in run.errors[:5]:
        print("  ", e)
    return 0 if lost == wrong == 0 and rows == len(run.per_answer) and not run.errors else 1


if __name__ == "__main__":
    sys.exit(main())
