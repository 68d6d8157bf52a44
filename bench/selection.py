"""Benchmark: question selection, how many questions a selective consultation asks and whether it
reaches the full questionnaire's verdict (issue 14).

Each answer sheet is answered through the selective consultation
(``expert.consultation.Consultation``, as ``accord diagnose`` runs it): the
respondent gives the sheet's answer to every question asked (``unknown``
where the sheet has none) and confirms any contradiction. Its verdict — level,
aim, named causes, plan — is compared with the diagnosis of the whole sheet
(the full questionnaire): *agrees* means the same level, the same aim, the
same named causes and plans differing by at most one measure; *exact*, plans
identical too. Prints:

  * questions asked, mean and max (and those of the full questionnaire), and
    the agreement, on generated complete sheets, on the bundled examples, and
    on the development cases of ../shared/cases where present;
  * the time of one question decision (what to ask next, from the answers so
    far): median, 95th percentile and max, wall and CPU time, with the trial
    diagnoses it ran; decisions are timed without the memo a consultation
    keeps, in this process, on the examples and the first --timed sheets;
  * the time of one trial diagnosis and of a full ``diagnose()``.

Generated sheets (``expert.sampling.complete_sheets``): every question
answered (5% ``unknown``), each allowed answer equally likely (one to three
choices on multi-choice questions), numbers at and beside the thresholds the
rules test; the marketing department is fixed — separate on even seeds, one
marketer on odd — since a uniform draw gives a third of the sheets no
marketing department at all, where only four questions apply and the
selection has nothing to do.

Targets (issue 14): mean questions <= 25, max <= 35; agreement >= 97%; a
decision <= 0.3 s at the 95th percentile.

With ``--bounds`` it also prints what *any* selection could reach on the
generated sheets: the agreement if the consultation stopped after at most N
questions, and the fewest answers of each sheet that reproduce its full
verdict when every answer is known in advance.

Usage:  python bench/selection.py [--sheets 1000] [--processes N] [--timed 40] [--engine clips|experta]
                                 [--parts level,target,causes,plan] [--bounds]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import expert  # noqa: E402
import expert.selection  # noqa: E402
from expert.answers import AnswerSheet, relevance  # noqa: E402
from expert.conditions import UNKNOWN  # noqa: E402
from expert.consultation import CONFIRM, Consultation  # noqa: E402
from expert.sampling import complete_sheets  # noqa: E402
from expert.selection import Selector, Verdict  # noqa: E402

TARGET_MEAN, TARGET_MAX, TARGET_AGREE, TARGET_P95 = 25, 35, 0.97, 0.3

_system = None


PARTS = ("level", "target", "causes", "plan")
_protected = PARTS
_bounds = False  # --bounds: also the running agreement and the fewest answers that would do
#: --bounds prints the agreement a consultation would reach if cut after this many questions
CUTS = (15, 20, 25, 28, 31, 34, 37, 40)


def protect(parts: tuple[str, ...]) -> None:
    """Make selection protect only some parts of the verdict (``--parts``): what each part costs in questions."""
    global _protected
    _protected = parts
    read = expert.selection.read

    def masked(system, answers, not_needed=None):
        reading = read(system, answers, not_needed)
        return replace(reading, verdict=mask(reading.verdict))

    expert.selection.read = masked


def mask(verdict: Verdict) -> Verdict:
    return Verdict(*(getattr(verdict, part) if part in _protected else (frozenset() if part in ("causes", "plan")
                                                                          else None) for part in PARTS))


def consult(system, answers: dict) -> dict:
    """The selective consultation of a respondent who answers like ``answers``, against the full sheet.

    With ``--bounds`` it also records, after every answer, whether the verdict of the answers so far
    already agrees with the full one (``running``), and the fewest of the sheet's answers that
    reproduce the full verdict (``fewest``).
    """
    full = expert.diagnose(AnswerSheet(answers=answers), system)
    wanted = mask(Verdict.of(full))
    consultation = Consultation(system, ask_profile=False)
    running = []
    while (step := consultation.step) is not None:
        if step.id == CONFIRM:
            consultation.respond("1")
        else:
            consultation.answer(answers.get(step.id, UNKNOWN))
            if _bounds:
                running.append(mask(expert.selection.read(system, dict(consultation.answers)).verdict).agrees(wanted))
    verdict = mask(Verdict.of(expert.diagnose(consultation.sheet, system)))
    return {"asked": len(consultation.answers),
            "thorough": sum(1 for q, ok in relevance(system.kb, answers).items() if ok),
            "agrees": verdict.agrees(wanted), "exact": verdict.agrees(wanted, 0),
            "differences": wanted.differences(verdict), "skipped": len(consultation.not_needed),
            **({"running": running, "fewest": fewest_answers(system, answers, wanted)} if _bounds else {})}


def fewest_answers(system, answers: dict, wanted: Verdict) -> int:
    """How few of a sheet's answers reproduce its full verdict, found by dropping answers one at a time
    (follow-ups first) while the verdict still agrees: what a consultation that knew every answer in
    advance would need to ask. No selection can stop sooner and still agree, short of luck."""
    kb = system.kb

    def applicable(given: dict) -> dict:
        relevant = relevance(kb, given)
        return {q: v for q, v in given.items() if relevant.get(q)}

    kept = applicable(answers)
    for question in reversed(list(kb.questions)):
        if question in kept:
            trial = applicable({q: v for q, v in kept.items() if q != question})
            if mask(expert.selection.read(system, trial).verdict).agrees(wanted):
                kept = trial
    return len(kept)


def _consult_share(sheets: list[dict]) -> list[dict]:
    return [consult(_system, answers) for answers in sheets]


def consult_all(system, sheets: list[dict], processes: int) -> list[dict]:
    """Every sheet through the selective consultation, by a pool of forked processes."""
    global _system
    _system = system
    if processes <= 1:
        return _consult_share(sheets)
    shares = [sheets[i::processes] for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_consult_share, shares)
    results: list[dict] = [{}] * len(sheets)
    for i, part in enumerate(parts):
        results[i::processes] = part
    return results


def timed_decisions(system, sheets: list[dict]) -> tuple[list[float], list[float], list[int]]:
    """Wall and CPU seconds of every decision of the selective consultation of each sheet, and the
    trial diagnoses each ran; no memo, so every decision is worked out."""
    selector = Selector(system, memo=0)
    wall, cpu, trials = [], [], []
    for answers in sheets:
        given: dict = {}
        while True:
            start, start_cpu, start_trials = time.perf_counter(), time.process_time(), selector.trials
            decision = selector.decide(given)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            trials.append(selector.trials - start_trials)
            if decision.question is None:
                break
            given[decision.question] = answers.get(decision.question, UNKNOWN)
    return wall, cpu, trials


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def summary(label: str, results: list[dict]) -> dict:
    asked = [r["asked"] for r in results]
    row = {"label": label, "n": len(results), "mean": statistics.mean(asked), "max": max(asked),
           "thorough": statistics.mean(r["thorough"] for r in results),
           "agree": sum(r["agrees"] for r in results) / len(results),
           "exact": sum(r["exact"] for r in results) / len(results)}
    print(f"{label:34} {row['n']:5} {row['mean']:6.1f} {row['max']:4} {row['thorough']:9.1f} "
          f"{100 * row['agree']:7.1f}% {100 * row['exact']:6.1f}%")
    return row


def print_bounds(results: list[dict]) -> None:
    """What any selection could reach on the generated sheets (``--bounds``)."""
    fewest = [r["fewest"] for r in results]
    print(f"\nfewest answers that reproduce the full verdict, knowing every answer in advance: "
          f"mean {statistics.mean(fewest):.1f}, max {max(fewest)}")
    print("agreement with the full verdict if the consultation stopped after at most N questions:")
    for cut in CUTS:
        agree = sum(r["running"][cut - 1] if cut < len(r["running"]) else r["agrees"] for r in results) / len(results)
        print(f"  N = {cut:2}: {100 * agree:5.1f}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=1000, help="generated complete sheets (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--timed", type=int, default=40, help="generated sheets whose decisions are timed (default 40)")
    parser.add_argument("--processes", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--engine", choices=["clips", "experta"], default=None,
                        help="inference engine (default: clips where installed, else experta)")
    parser.add_argument("--cases", type=Path, default=ROOT.parent / "shared" / "cases" / "answers",
                        help="development cases to consult as well, where present")
    parser.add_argument("--bounds", action="store_true",
                        help="also print what any selection could reach on these sheets: the agreement if the "
                             "consultation stopped after 15, 20, 25 ... questions, and the fewest answers of each "
                             "sheet that reproduce its full verdict (slower)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="the parts of the verdict selection protects and agreement compares, e.g. level,target "
                             "(default: all four); shows what each part costs in questions")
    args = parser.parse_args()
    global _bounds
    _bounds = args.bounds
    parts = tuple(p for p in PARTS if p in args.parts.split(","))
    if parts != PARTS:
        protect(parts)

    system = expert.load_expert(engine=args.engine)
    kb = system.kb
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    processes = args.processes or cores
    examples = {p.stem: expert.read_answers(p, kb).answers for p in sorted((ROOT / "examples").glob("*.yaml"))}
    cases = ({p.stem: expert.read_answers(p, kb).answers for p in sorted(args.cases.glob("*.yaml"))}
             if args.cases.is_dir() else {})
    generated = complete_sheets(kb, system.rules, args.sheets, args.start)
    print(f"engine: {system.engine}; {len(system.rules.rules)} rules, {len(kb.questions)} questions; "
          f"{cores} cores, load average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}")
    if parts != PARTS:
        print(f"selection protects, and agreement compares, only: {', '.join(parts)}")

    # -------------------------------------------------------------- decision times
    wall, cpu, trials = timed_decisions(system, list(examples.values()) + generated[:args.timed])
    reader = Selector(system, memo=0)
    trial_ms, full_ms = [], []
    for answers in list(examples.values()) + generated[:args.timed]:
        start = time.perf_counter()
        expert.diagnose(AnswerSheet(answers=answers), system)
        full_ms.append((time.perf_counter() - start) * 1000)
        given = {q: v for i, (q, v) in enumerate(answers.items()) if i % 2 == 0}
        start = time.perf_counter()
        reader.verdict(given)
        trial_ms.append((time.perf_counter() - start) * 1000)

    # ------------------------------------------------------------ asked, agreement
    start = time.perf_counter()
    results = consult_all(system, generated, processes)
    example_results = consult_all(system, list(examples.values()), 1)
    case_results = consult_all(system, list(cases.values()), 1) if cases else []
    took = time.perf_counter() - start

    print(f"\n{'answer sheets':34} {'n':>5} {'asked':>6} {'max':>4} {'thorough':>9} {'agrees':>8} {'exact':>7}")
    rows = [summary(f"generated (seeds {args.start}-{args.start + args.sheets - 1})", results),
            summary("examples", example_results)]
    if case_results:
        rows.append(summary("development cases", case_results))
    for name, r in zip(list(examples) + list(cases), example_results + case_results):
        print(f"  {name:40} asked {r['asked']:3} of {r['thorough']:3}  {'agrees' if r['agrees'] else 'DIFFERS: ' + ', '.join(r['differences'])}")
    missed = Counter(part for r in results if not r["agrees"] for part in r["differences"])
    if missed:
        print("generated sheets that differ, by part of the verdict: "
              + ", ".join(f"{part} {count}" for part, count in missed.most_common()))

    if args.bounds:
        print_bounds(results)

    print(f"\nquestion decisions ({len(wall)}, on the examples and {min(args.timed, args.sheets)} generated sheets, "
          f"no memo):")
    print(f"  wall   median {statistics.median(wall):.3f} s  p95 {p95(wall):.3f} s  max {max(wall):.3f} s")
    print(f"  CPU    median {statistics.median(cpu):.3f} s  p95 {p95(cpu):.3f} s  max {max(cpu):.3f} s")
    print(f"  trial diagnoses per decision: mean {statistics.mean(trials):.1f}, max {max(trials)}")
    print(f"  one trial diagnosis: median {statistics.median(trial_ms):.2f} ms; "
          f"a full diagnose(): median {statistics.median(full_ms):.2f} ms, p95 {p95(full_ms):.2f} ms")
    print(f"  ({len(generated) + len(examples) + len(cases)} consultations took {took:.0f} s on {processes} processes)")

    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    g = rows[0]
    print(f"\ngenerated sheets: mean {g['mean']:.1f} questions (target <= {TARGET_MEAN}: "
          f"{verdict(g['mean'] <= TARGET_MEAN)}), max {g['max']} (target <= {TARGET_MAX}: "
          f"{verdict(g['max'] <= TARGET_MAX)}), agreement {100 * g['agree']:.1f}% (target >= "
          f"{100 * TARGET_AGREE:g}%: {verdict(g['agree'] >= TARGET_AGREE)}); decision p95 {p95(wall):.3f} s wall, "
          f"{p95(cpu):.3f} s CPU (target <= {TARGET_P95}: {verdict(p95(wall) <= TARGET_P95)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
