"""Benchmark: how long a diagnosis takes, against experta alone and from a cold start.

Prints, for each bundled example:
  * the median milliseconds of one in-process diagnosis (the engines are built
    once; each diagnosis is reset + declare + run of every stage, plus Accord's
    own work: relevance, trace, certainty combination, the plan);
  * the median of the engine's bare run (reset, facts in, run) of the same
    compiled stages with the same facts, and the ratio of the two;
  * the wall time of a cold `accord diagnose --answers FILE --format json`
    process (first run with an empty cache, then the median of later runs).

Targets (issue 2): median <= 20 ms, ratio <= 2 (set for experta), cold <= 0.8 s.
bench/engine.py compares the engines.

Usage:  python bench/diagnose.py [--runs 200] [--cold-runs 5] [--engine clips|experta]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import expert  # noqa: E402
from expert.answers import read_answers, relevance  # noqa: E402

TARGET_MS, TARGET_RATIO, TARGET_COLD = 20.0, 2.0, 0.8


def paired_medians_ms(full, bare, runs: int) -> tuple[float, float]:
    """Median milliseconds of two functions, timed in alternation.

    Alternating keeps a noisy machine's slow spells from landing on one side
    only, so the ratio of the two medians is stable.
    """
    for _ in range(min(10, runs)):
        full()
        bare()
    times_full, times_bare = [], []
    for _ in range(runs):
        start = time.perf_counter()
        full()
        middle = time.perf_counter()
        bare()
        times_full.append(middle - start)
        times_bare.append(time.perf_counter() - middle)
    return statistics.median(times_full) * 1000, statistics.median(times_bare) * 1000


def cold_runs(example: Path, runs: int, engine: str) -> tuple[float, float]:
    accord = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"
    cache = tempfile.mkdtemp(prefix="accord-bench-cache-")
    env = {**os.environ, "ACCORD_CACHE_DIR": cache, "ACCORD_ENGINE": engine}
    command = [accord, "diagnose", "--answers", str(example), "--format", "json"]

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        return time.perf_counter() - start

    first = once()
    later = statistics.median(once() for _ in range(runs))
    shutil.rmtree(cache, ignore_errors=True)
    return first, later


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="in-process diagnoses per example (default 200)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold processes per example (default 5)")
    parser.add_argument("--engine", choices=["clips", "experta"], default=None,
                        help="inference engine (default: clips where installed, else experta)")
    args = parser.parse_args()

    system = expert.load_expert(engine=args.engine)
    print(f"engine: {system.engine}")
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    print(f"{'example':34} {'diagnose ms':>11} {'bare ms':>8} {'ratio':>6} {'cold 1st s':>10} {'cold s':>7}")
    worst = {"ms": 0.0, "ratio": 0.0, "cold": 0.0}
    for example in examples:
        sheet = read_answers(example, system.kb)
        relevant = relevance(system.kb, sheet.answers)
        kept = {q: v for q, v in sheet.answers.items() if relevant[q]}
        full, bare = paired_medians_ms(lambda: expert.diagnose(sheet, system),
                                       system.reasoner.bare_run(kept), args.runs)
        first, cold = cold_runs(example, args.cold_runs, system.engine)
        ratio = full / bare
        worst = {"ms": max(worst["ms"], full), "ratio": max(worst["ratio"], ratio), "cold": max(worst["cold"], cold)}
        print(f"{example.name:34} {full:11.2f} {bare:8.2f} {ratio:6.2f} {first:10.2f} {cold:7.2f}")
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    # Issue 2's ratio target was set for experta; on CLIPS the engine is so fast
    # that Accord's own work is most of a diagnosis (bench/engine.py shows it).
    ratio_verdict = verdict(worst['ratio'] <= TARGET_RATIO) if system.engine == "experta" else "for experta only"
    print(f"\nworst median {worst['ms']:.2f} ms (target <= {TARGET_MS:g}: {verdict(worst['ms'] <= TARGET_MS)}); "
          f"worst ratio {worst['ratio']:.2f} (target <= {TARGET_RATIO:g}: {ratio_verdict}); "
          f"worst cold {worst['cold']:.2f} s (target <= {TARGET_COLD:g}: {verdict(worst['cold'] <= TARGET_COLD)})")
    print(f"{len(system.rules.rules)} rules in {len(system.rules.stages)} stages; machine: {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
