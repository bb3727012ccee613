"""Time SPARQL on a 100k-triple graph: Oxigraph for every shipped query, rdflib for contrast.

Not a test: a script to run by hand when changing the shipped queries, the
RDF layout or the query code (``graph/store/query.py``, ``graph/store/load.py``). It
synthesises a news-like knowledge graph (companies, projects, chips, AI
models, places, people; preferential attachment, so a few hubs; every
relation with an assertion node and one or two pieces of evidence) of about
``--triples`` triples, writes it as Turtle with the project's exporter, and
prints:

* ``write``: seconds for the Turtle exporter (rdflib) and the file size;
* ``parse``: seconds to read the Turtle into an in-memory Oxigraph store
  (what ``kg query FILE`` does);
* ``load``: seconds for ``kg load`` into an on-disk store (bulk load and the
  atomic swap), and to open that store read-only;
* for every shipped query, the median time over ``--repeat`` runs on the
  in-memory store and on the on-disk store (parameter binding included;
  entity names are resolved to IRIs by a lookup query), and the row count;
* for contrast, rdflib's parse time and its time on the two-hop query (and
  the developers join), each in a subprocess killed after ``--timeout``
  seconds.

Usage::

    .venv/bin/python tests/bench/sparql_bench.py                 # 100,000 triples
    .venv/bin/python tests/bench/sparql_bench.py --triples 20000 --timeout 30 --keep out/
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from graph.store import query as Q
from graph.exporters import export
from graph.store.load import load
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation

#: Parameters for the parameterised shipped queries (names exist in the synthetic graph).
PARAMS: dict[str, dict[str, str]] = {
    "partners": {"project": "Project 1"},
    "chip-suppliers": {"chip": "Chip 1"},
    "open-source": {},
    "companies-by-country": {"country": "Country 1"},
    "paths-2hop": {"from": "Company 1", "to": "Company 2"},
    "evidence": {"predicate": "partnerIn", "object": "Project 1"},
    "developers": {"developer": "Company 1"},
    "investments": {"investor": "Company 1"},
    "relations-of": {"entity": "Company 1"},
    "neighbourhood": {"entity": "Company 1"},
    "has-relation": {"subject": "Company 1", "predicate": "partnerIn", "object": "Project 1"},
}
#: Queries rdflib is timed on (name, parameters, also unbound?).
RDFLIB_QUERIES: tuple[tuple[str, dict[str, str]], ...] = (
    ("paths-2hop", PARAMS["paths-2hop"]),
    ("developers", {}),
)


def synthesise(target_triples: int, seed: int = 7) -> KnowledgeGraph:
    """Return a random news-like graph of about ``target_triples`` RDF triples."""
    rng = random.Random(seed)
    scale = target_triples / 100_000
    counts = {"Company": 900, "Project": 150, "Chip": 120, "AIModel": 400, "Technology": 60,
              "Person": 300, "City": 150, "Country": 40}
    ents: dict[str, Entity] = {}
    by_type: dict[str, list[str]] = {}
    for cls, n in counts.items():
        for i in range(1, max(3, round(n * scale)) + 1):
            eid = f"{cls.lower()}-{i}"
            label = f"{'Country' if cls == 'Country' else cls} {i}"
            aliases = (f"{label} Inc.",) if cls == "Company" and i % 2 else ()
            pc = rng.randrange(1, 700) * 10**9 if cls == "AIModel" and i % 3 == 0 else None
            ents[eid] = Entity(id=eid, type=cls, label=label, aliases=aliases, parameter_count=pc)
            by_type.setdefault(cls, []).append(eid)
    for eid, label in (("open-source", "open source"), ("closed-source", "closed source")):
        ents[eid] = Entity(id=eid, type="Approach", label=label)
        by_type.setdefault("Approach", []).append(eid)

    def pick(cls: str) -> str:  # preferential: low numbers are hubs
        ids = by_type[cls]
        return ids[min(len(ids) - 1, int(rng.paretovariate(1.2)) - 1)] if rng.random() < 0.5 else rng.choice(ids)

    n_docs = max(2, round(200 * scale))
    docs = tuple(Document(id=f"doc-{i}", source=f"doc-{i}.txt", content_hash=f"sha256:{i:064x}", chars=8000)
                 for i in range(n_docs))
    plan = [("partnerIn", "Company", "Project", 800), ("supplierOf", "Company", "Chip", 400),
            ("manufacturerOf", "Company", "Chip", 200), ("uses", "Company", "Chip", 600),
            ("uses", "Company", "Technology", 500), ("uses", "Company", "Approach", 300),
            ("developerOf", "Company", "AIModel", 600), ("trainedOn", "AIModel", "Chip", 450),
            ("headquarteredIn", "Company", "City", 700), ("headquarteredIn", "Company", "Country", 150),
            ("locatedIn", "City", "Country", 150), ("investsIn", "Company", "Project", 300),
            ("investsIn", "Company", "Company", 200), ("backerOf", "Company", "Company", 300),
            ("distributorOf", "Company", "AIModel", 200), ("competitorOf", "Company", "Company", 250),
            ("ceoOf", "Person", "Company", 200), ("employeeOf", "Person", "Company", 250)]
    rels: dict[tuple[str, str, str], Relation] = {}
    mentions: dict[str, set[str]] = {d.id: set() for d in docs}

    def add(s: str, p: str, o: str) -> None:
        if s == o or (s, p, o) in rels:
            return
        evs = []
        for _ in range(1 if rng.random() < 0.8 else 2):
            doc = rng.choice(docs).id
            start = rng.randrange(0, 7000)
            sentence = f"{ents[s].label} {p} {ents[o].label}, the report said."
            evs.append(Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence,
                                rule_id=f"{p.lower()}_v1", confidence=round(rng.uniform(0.6, 1.0), 3)))
            mentions[doc].update((s, o))
        amount = Decimal(rng.randrange(1, 500)) * 10**6 if p == "investsIn" else None
        rels[(s, p, o)] = Relation(subject=s, predicate=p, object=o, evidence=tuple(evs), amount=amount,
                                   currency="USD" if amount else None)

    # guaranteed shapes for the parameterised queries
    add("company-1", "partnerIn", "project-1")
    add("company-2", "partnerIn", "project-1")
    add("company-1", "supplierOf", "chip-1")
    add("company-2", "uses", "chip-1")
    add("company-1", "developerOf", "aimodel-1")
    add("aimodel-1", "trainedOn", "chip-1")
    add("company-1", "uses", "open-source")
    add("company-1", "headquarteredIn", "city-1")
    add("city-1", "locatedIn", "country-1")
    add("company-1", "investsIn", "project-1")
    factor = target_triples / 94_000  # relations carry ~94% of the triples
    for p, scls, ocls, n in plan:
        for _ in range(round(n * factor)):
            add(pick(scls), p, pick(ocls))
    return KnowledgeGraph(documents=docs, entities=tuple(ents.values()), relations=tuple(rels.values()),
                          mentions_by_doc=tuple((d, tuple(sorted(ids))) for d, ids in mentions.items()))


def _time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _rdflib_worker(ttl: str, name: str, params: dict[str, str], conn) -> None:  # noqa: ANN001
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS, SKOS

    t0 = time.perf_counter()
    g = Graph()
    g.parse(ttl, format="turtle")
    parse = time.perf_counter() - t0
    conn.send(("parse", parse, len(g)))
    bindings = {}
    for k, v in params.items():  # resolve names the way graph.store.query does (exact label or alias)
        node = next(iter(g.subjects(RDFS.label, Literal(v))), None) or next(iter(g.subjects(SKOS.altLabel, Literal(v))))
        bindings[k] = URIRef(node)
    t0 = time.perf_counter()
    rows = len(list(g.query(Q.shipped_query(name).text, initBindings=bindings)))
    conn.send(("query", time.perf_counter() - t0, rows))


def time_rdflib(ttl: Path, name: str, params: dict[str, str], timeout: float) -> tuple[str, str, str]:
    """Return (parse, query, rows) as text; the query is killed after ``timeout`` s."""
    ctx = mp.get_context("fork" if sys.platform != "win32" else "spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_rdflib_worker, args=(str(ttl), name, params, child), daemon=True)
    proc.start()
    parse = query = rows = "-"
    deadline = time.monotonic() + timeout + 120  # parsing is not part of the query's timeout
    query_deadline = None
    while proc.is_alive() and time.monotonic() < (query_deadline or deadline):
        if parent.poll(0.1):
            kind, secs, n = parent.recv()
            if kind == "parse":
                parse = f"{secs:.2f} s"
                query_deadline = time.monotonic() + timeout
            else:
                query, rows = f"{secs:.3f} s", str(n)
                break
    if query == "-":
        query = f"> {timeout:.0f} s (killed)"
    proc.kill()
    proc.join()
    return parse, query, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=100_000, help="target size (default 100000)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per query; the median is shown")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before rdflib's query is killed")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="keep the Turtle and the store in this folder")
    ap.add_argument("--no-rdflib", action="store_true", help="skip the rdflib contrast")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-sparql-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    kg = synthesise(args.triples, args.seed)
    synth = time.perf_counter() - t0
    ttl = work / "graph.ttl"
    t0 = time.perf_counter()
    export(kg, "turtle", ttl)
    write = time.perf_counter() - t0

    t0 = time.perf_counter()
    mem = Q.open_store(ttl)
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = load([ttl], work / "db", replace=True)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    disk = Q.open_store(work / "db")
    open_s = time.perf_counter() - t0

    print(f"graph: {len(kg.entities):,} entities, {len(kg.relations):,} relations, "
          f"{len(kg.documents)} documents -> {len(mem):,} triples (synthesised in {synth:.2f} s)")
    print(f"write Turtle (rdflib exporter): {write:.2f} s, {ttl.stat().st_size / 1e6:.1f} MB")
    print(f"parse Turtle into in-memory Oxigraph (kg query FILE): {parse:.3f} s")
    print(f"kg load into an on-disk store (bulk_load + swap): {load_s:.3f} s ({report.quads:,} quads); "
          f"open read-only: {open_s:.3f} s")
    print()
    header = ["query", "params", "in-memory", "on-disk", "rows"]
    table = []
    for q in Q.shipped_queries():
        params = PARAMS.get(q.name, {})
        t_mem, res = _time(lambda q=q, params=params: Q.execute(mem, q, params), args.repeat)
        t_disk, _ = _time(lambda q=q, params=params: Q.execute(disk, q, params), args.repeat)
        n = str(res.boolean).lower() if res.kind == "ask" else f"{len(res):,}"
        table.append([q.name, ", ".join(f"{k}={v}" for k, v in params.items()) or "-",
                      f"{t_mem * 1000:.1f} ms", f"{t_disk * 1000:.1f} ms", n])
    print(Q.format_table(header, table, max_width=60))
    if not args.no_rdflib:
        print()
        print(f"rdflib contrast (Graph.parse + Graph.query with initBindings; killed after {args.timeout:.0f} s):")
        rows = []
        for name, params in RDFLIB_QUERIES:
            t_ox, res = _time(lambda name=name, params=params: Q.execute(mem, name, params), args.repeat)
            rows.append([name, ", ".join(f"{k}={v}" for k, v in params.items()) or "-",
                         *time_rdflib(ttl, name, params, args.timeout),
                         f"{t_ox * 1000:.1f} ms ({len(res):,} rows)"])
        print(Q.format_table(["query", "params", "rdflib parse", "rdflib query", "rows", "Oxigraph"], rows))
    if args.keep is None:
        import shutil

        del disk
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
