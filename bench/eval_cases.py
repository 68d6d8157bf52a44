"""Evaluation: is the advice right on the development cases?

Diagnoses every answer sheet in ``../shared/cases/answers/`` with the
installed project, scores the diagnoses with ``../shared/tools/score_cases.py``
(level, target, named causes, must-recommend, must-not, early steps), and
prints the scorer's table followed, per case, by what a manager would read:
the named causes with their certainty, the practices found in place, the plan
(measure, phase, owner) and its critical path, and how many of the plan's
measures are generic (they appear in most plans of the set).

Where ``../shared/cases`` is absent it says so and exits 0: the cases are a
development aid, not part of the product.

Usage:  python bench/eval_cases.py [--cases DIR] [--keep DIR] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import expert  # noqa: E402

GENERIC_SHARE = 0.6  # a measure in at least this share of the plans is "generic"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=ROOT.parent / "shared" / "cases",
                        help="the cases directory (answers/, expected.yaml)")
    parser.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "tools" / "score_cases.py")
    parser.add_argument("--answers", type=Path, default=None,
                        help="score these answer sheets instead of CASES/answers (e.g. fresh blind consultations)")
    parser.add_argument("--keep", type=Path, default=None, help="write the diagnoses (JSON) here")
    parser.add_argument("--quiet", action="store_true", help="print only the scorer's table")
    args = parser.parse_args(argv)

    answers_dir = args.answers or args.cases / "answers"
    expected = args.cases / "expected.yaml"
    if not answers_dir.is_dir() or not expected.is_file() or not args.scorer.is_file():
        print(f"No development cases at {args.cases} (or no scorer at {args.scorer}); nothing to evaluate.")
        return 0

    system = expert.load_expert()
    kb = system.kb
    sheets = sorted(answers_dir.glob("*.yaml"))
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="accord-eval-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    diagnoses = {}
    failed = []
    for path in sheets:
        try:
            sheet = expert.read_answers(path, kb)
            diagnosis = expert.diagnose(sheet, system)
        except expert.AccordError as exc:
            failed.append((path.stem, str(exc)))
            continue
        data = diagnosis.to_dict("en")
        (out_dir / f"{path.stem}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        diagnoses[path.stem] = (diagnosis, data)

    for case, problem in failed:
        print(f"{case}: does not load: {problem}")
    results = [f"{case}={out_dir / (case + '.json')}" for case in diagnoses]
    score = subprocess.run([sys.executable, str(args.scorer), str(ROOT), str(expected), *results],
                           capture_output=True, text=True)
    print(score.stdout.rstrip())
    if score.returncode:
        print(score.stderr.rstrip())
        return 1
    if args.quiet:
        return 0

    plans = {case: data["plan"]["order"] for case, (_, data) in diagnoses.items()}
    frequency = Counter(m for order in plans.values() for m in set(order))
    generic = {m for m, n in frequency.items() if n >= GENERIC_SHARE * max(len(plans), 1)}
    name = lambda table, ident: table[ident].name["en"]  # noqa: E731
    for case, (diagnosis, data) in diagnoses.items():
        print(f"\n== {case}")
        level, target = data["level"], data["target_level"]
        print(f"   level {level['value'] if level else '-'} ({level['certainty'] if level else '-'}), "
              f"target {target['value'] if target else '-'}; "
              f"{data['questions']['asked']} questions answered, {data['questions']['unknown']} unknown")
        named = [c for c in data["causes"] if c.get("named", True)][:5]
        others = [c for c in data["causes"] if c not in named]
        for c in named:
            print(f"   cause  {c['certainty']:.2f} {c['id']}")
        if others:
            print("   also possible: " + ", ".join(f"{c['id']} {c['certainty']:.2f}" for c in others))
        if data["in_place"]:
            print("   in place: " + ", ".join(data["in_place"]))
        order = data["plan"]["order"]
        print(f"   plan: {len(order)} measures, {data['plan']['total_weeks']} weeks, "
              f"{sum(1 for m in order if m in generic)} generic")
        for m in data["measures"]:
            flag = "*" if m["critical"] else " "
            print(f"   {flag} {m['phase']:<13} {m['owner']:<10} {m['id']}"
                  + (" (generic)" if m["id"] in generic else "")
                  + (" (prerequisite)" if m["pulled_in"] else ""))
        if data.get("deferred_measures"):
            print("   later: " + ", ".join(m["id"] for m in data["deferred_measures"]))
    if generic:
        print("\nGeneric measures (in at least "
              f"{GENERIC_SHARE:.0%} of the plans): " + ", ".join(sorted(generic)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
