"""Benchmark: a folder of generated answers files diagnosed on every core (accord diagnose --answers DIR).

Writes N seeded answer sets (expert.sampling; by default 1,000) as YAML files
into a temporary folder, then times expert.batch.diagnose_folder, the
function behind `accord diagnose --answers DIR`, in three ways:

  * csv    — the summary table only (`--format csv`);
  * json   — a JSON report per organisation and the summary (`--format json -o OUT`);
  * teams  — the same answer sets as organisations of two or three respondents
             (sales, marketing, executive), each organisation one diagnosis of
             its combined answers plus one per side, JSON reports written.

For each it prints the wall time, answer sets per second and diagnoses per
second, with one worker per core and with one worker (the speed-up), and the
CPU seconds all processes spent: on a machine that other work shares, the
wall time grows but diagnoses per CPU-second do not, and the two figures
together say whether a missed target is the code or the neighbours. The
target (issue 10): >= 150 diagnoses per second for 1,000 answer sets on a
2-core machine, JSON reports written. Timings include starting the worker
processes, reading and checking every file, and writing every report.

Usage:  python bench/batch.py [--sets 1000] [--jobs N] [--engine clips|experta] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import expert  # noqa: E402
from expert.batch import ReportRenderer, diagnose_folder  # noqa: E402
from expert.sampling import AnswerSampler  # noqa: E402

TARGET = 150.0  # diagnoses per second
ROLES = ("sales", "marketing", "executive")


def write_sets(system, folder: Path, count: int, teams: bool) -> int:
    """Write ``count`` generated answers files; returns how many organisations they make."""
    sampler = AnswerSampler(system.kb, system.rules, fixed={"marketing_department": "separate"})
    organisations, member = 0, 0
    for seed in range(count):
        if not teams or member == 0:
            organisations += 1
            size = 2 + seed % 2 if teams else 1  # two or three respondents per organisation
        answers = {q: list(v) if isinstance(v, tuple) else v for q, v in sampler.sheet(seed).items()}
        data = {"organization": f"Company {organisations:04d}", "questionnaire": system.kb.questionnaire_version,
                "date": "2026-01-15", "answers": answers}
        if teams:
            data["respondent"] = {"role": ROLES[member]}
        (folder / f"answers-{seed:05d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                         encoding="utf-8")
        member = (member + 1) % size if teams else 0
    return organisations


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(folder: Path, spec, jobs: int, out: Path | None, repeat: int) -> tuple[float, float, list]:
    """Median wall seconds, median CPU seconds, and the results."""
    times, cpu, results = [], [], []
    for _ in range(repeat):
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        start, start_cpu = time.perf_counter(), cpu_seconds()
        results = diagnose_folder(folder, spec, jobs, out, ".json", ReportRenderer("json", "en") if out else None)
        times.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
    return statistics.median(times), statistics.median(cpu), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1000, help="answer sets (files) to generate (default 1000)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--engine", choices=["clips", "experta"], default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way, the median is shown (default 3)")
    args = parser.parse_args()

    system = expert.load_expert(engine=args.engine)
    jobs = args.jobs or os.cpu_count() or 1
    spec = (None, None, system.engine)
    work = Path(tempfile.mkdtemp(prefix="accord-bench-batch-"))
    try:
        single, teams = work / "single", work / "teams"
        single.mkdir()
        teams.mkdir()
        orgs_single = write_sets(system, single, args.sets, teams=False)
        orgs_teams = write_sets(system, teams, args.sets, teams=True)
        print(f"engine: {system.engine}; {args.sets} answer sets; {os.cpu_count()} cores; "
              f"Python {sys.version.split()[0]}")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores before the runs")
        print(f"{'way':6} {'jobs':>4} {'seconds':>8} {'sets/s':>8} {'diagnoses/s':>12} {'cpu s':>6} "
              f"{'per cpu-s':>9}  organisations")
        worst = None
        for name, folder, out, orgs in (("csv", single, None, orgs_single),
                                        ("json", single, work / "out-json", orgs_single),
                                        ("teams", teams, work / "out-teams", orgs_teams)):
            for n in sorted({jobs, 1}, reverse=True):
                seconds, cpu, results = timed(folder, spec, n, out, args.repeat)
                assert len(results) == orgs
                # a team's diagnosis also diagnoses each side's own answers
                diagnoses = sum(1 + (len({*r.files}) > 1) * _sides(r) for r in results)
                rate = diagnoses / seconds
                print(f"{name:6} {n:4} {seconds:8.2f} {args.sets / seconds:8.0f} {rate:12.0f} {cpu:6.1f} "
                      f"{diagnoses / cpu:9.0f}  {orgs}"
                      + (f" ({diagnoses} diagnoses with the sides')" if name == "teams" else ""))
                if name == "json" and n == jobs:
                    worst = rate
        verdict = "ok" if worst is not None and worst >= TARGET else "MISSED"
        print(f"\n{args.sets} answer sets, JSON reports, {jobs} workers: {worst:.0f} diagnoses/s "
              f"(target >= {TARGET:g}: {verdict}); load average {os.getloadavg()[0]:.1f} after the runs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _sides(result) -> int:
    return result.respondents  # every respondent of a generated team has a different role: one side each


if __name__ == "__main__":
    sys.exit(main())
