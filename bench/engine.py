"""Benchmark: a diagnosis on each inference engine, against the engine's bare run, and in batches.

Prints, for each engine (CLIPS through clipspy, and experta, the reference):

  * per-diagnosis time of a full in-process ``diagnose()`` (relevance,
    inference, trace, certainties, verdicts, plan), median and 95th
    percentile of all timed diagnoses, on the bundled examples and on
    generated answer sheets;
  * the engine's bare run on the same stage facts (reset, facts in,
    matching, firing; nothing recorded) and the ratio of the two, which is
    what Accord's own work costs on top of the engine;
  * the speed-up of CLIPS over experta;
  * a batch: generated answer sheets diagnosed by a pool of processes on
    every core, in diagnoses per second (issue 10 needs >= 150).

Targets: a diagnosis <= 5 ms median in process (issue 14); a batch >= 150
diagnoses per second (issue 10).

Usage:  python bench/engine.py [--runs 100] [--sheets 200] [--batch 1000]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import expert  # noqa: E402
from expert.answers import AnswerSheet, read_answers, relevance  # noqa: E402
from expert.inference import ENGINES, engine_available  # noqa: E402
from expert.sampling import AnswerSampler  # noqa: E402

TARGET_MS, TARGET_RATE = 5.0, 150.0


def paired_times(full, bare, runs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``full()`` and ``bare()``, timed in alternation after a warm-up.

    Alternating keeps a noisy machine's slow spells from landing on one side only.
    """
    for _ in range(min(5, runs)):
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
    return times_full, times_bare


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def bare_for(system, sheet: AnswerSheet):
    relevant = relevance(system.kb, sheet.answers)
    return system.reasoner.bare_run({q: v for q, v in sheet.answers.items() if relevant.get(q)})


def measure(system, sheets: list[AnswerSheet], runs: int) -> dict:
    """Median and 95th percentile of every timed diagnosis, the bare runs' median, in milliseconds."""
    full_ms, bare_ms = [], []
    for sheet in sheets:
        full, bare = paired_times(lambda: expert.diagnose(sheet, system), bare_for(system, sheet), runs)
        full_ms += [t * 1000 for t in full]
        bare_ms += [t * 1000 for t in bare]
    median, bare = statistics.median(full_ms), statistics.median(bare_ms)
    return {"median": median, "p95": p95(full_ms), "bare": bare, "ratio": median / bare}


_batch_system = None


def _diagnose_share(sheets: list[AnswerSheet]) -> int:
    for sheet in sheets:
        expert.diagnose(sheet, _batch_system)
    return len(sheets)


def batch_rate(system, sheets: list[AnswerSheet], processes: int) -> float:
    """Diagnoses per second of a pool of forked processes (one process: in this one)."""
    global _batch_system
    _batch_system = system
    start = time.perf_counter()
    if processes == 1:
        done = _diagnose_share(sheets)
    else:
        gc.freeze()  # forked workers then leave the loaded bases' pages shared
        shares = [sheets[i::processes] for i in range(processes)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            done = sum(pool.map(_diagnose_share, shares))
        gc.unfreeze()
    return done / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="diagnoses per example (default 100)")
    parser.add_argument("--sheets", type=int, default=200, help="generated answer sheets timed (default 200)")
    parser.add_argument("--sheet-runs", type=int, default=5, help="diagnoses per generated sheet (default 5)")
    parser.add_argument("--batch", type=int, default=1000, help="generated sheets in the batch (default 1000)")
    args = parser.parse_args()

    engines = [e for e in ENGINES if engine_available(e)]
    missing = [e for e in ENGINES if e not in engines]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    systems = {engine: expert.load_expert(engine=engine) for engine in engines}
    kb, rules = systems[engines[0]].kb, systems[engines[0]].rules
    examples = [read_answers(path, kb) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    # Companies with a separate marketing department: the consultation goes all the way
    # (with no department, or none known, a sheet has only a handful of relevant answers).
    sampler = AnswerSampler(kb, rules, fixed={"marketing_department": "separate"})
    generated = [AnswerSheet(f"generated {seed}", None, sampler.sheet(seed)) for seed in range(args.sheets)]
    batch = [AnswerSheet(f"batch {seed}", None, sampler.sheet(100_000 + seed)) for seed in range(args.batch)]
    asked = statistics.mean(len([q for q, ok in relevance(kb, s.answers).items() if ok and q in s.answers])
                            for s in generated)

    print(f"{len(rules.rules)} rules in {len(rules.stages)} stages; {cores} cores, Python {sys.version.split()[0]}; "
          f"generated sheets (separate marketing department) answer {asked:.0f} relevant questions on average")
    if missing:
        print(f"not installed here: {', '.join(missing)}")
    print(f"\n{'engine':8} {'answer sets':22} {'median ms':>9} {'p95 ms':>7} {'bare ms':>8} {'ratio':>6}")
    results: dict[str, dict[str, dict]] = {}
    for engine, system in systems.items():
        results[engine] = {}
        for label, sheets, runs in ((f"examples ({len(examples)})", examples, args.runs),
                                    (f"generated ({len(generated)})", generated, args.sheet_runs)):
            r = results[engine][label.split()[0]] = measure(system, sheets, runs)
            print(f"{engine:8} {label:22} {r['median']:9.2f} {r['p95']:7.2f} {r['bare']:8.2f} {r['ratio']:6.2f}")

    if {"clips", "experta"} <= set(results):
        print("\nCLIPS over experta:")
        for label in ("examples", "generated"):
            c, e = results["clips"][label], results["experta"][label]
            print(f"  {label:10} diagnosis {e['median'] / c['median']:5.1f}x faster, "
                  f"bare engine {e['bare'] / c['bare']:5.1f}x faster")

    print(f"\nbatch of {len(batch)} generated sheets (diagnose() each), diagnoses per second:")
    rates = {}
    for engine, system in systems.items():
        one = batch_rate(system, batch, 1)
        rates[engine] = every = batch_rate(system, batch, cores)
        print(f"  {engine:8} 1 process {one:7.0f}/s   {cores} processes {every:7.0f}/s ({every / one:.2f}x)")

    default = expert.load_expert().engine
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    worst = max(results[default]["examples"]["median"], results[default]["generated"]["median"])
    print(f"\ndefault engine here: {default}. Median diagnosis {worst:.2f} ms "
          f"(target <= {TARGET_MS:g}: {verdict(worst <= TARGET_MS)}); batch {rates[default]:.0f}/s "
          f"(target >= {TARGET_RATE:g}: {verdict(rates[default] >= TARGET_RATE)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
