"""The relation summary ``kg load`` writes into a store, and the served explorer's use of it (issue 15).

The summary (``graph.store.summary``) must say, for every relation, the
articles its evidence comes from and their dates, whatever was loaded, in
how many steps: an append, a ``--replace``, a single-graph Turtle file. A
store without it (loaded by an older kg) is still served, more slowly, with
a note. The expected figures are computed from the graph itself.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pyoxigraph
import pytest

from archive_graph import archive
from graph.exporters import export
from graph.model import KnowledgeGraph
from graph.store import load as L
from graph.store import serve as S
from graph.store.explorer import EVIDENCE_PAGE, NO_SUMMARY
from graph.store.summary import SUMMARY_GRAPH
from graph.vocab import PREFIXES, RESOURCE_BASE
from test_load_serve import free_port, require_oxigraph
from test_serve_limits import http


def summary_of(store: Path) -> dict[tuple[str, str, str], tuple[int, list[str]]]:
    """(subject id, predicate, object id) -> (articles, dates) as the store's summary says."""
    st = pyoxigraph.Store.read_only(str(store))
    rows = st.query(f"""PREFIX ekg: <{PREFIXES['ekg']}>
        SELECT ?s ?p ?o ?n ?d WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{
          ?a ekg:summarySubject ?s ; ekg:summaryPredicate ?p ; ekg:summaryObject ?o ;
             ekg:articleCount ?n ; ekg:articleDates ?d }} }}""")
    out = {}
    for r in rows:
        key = (r["s"].value.removeprefix(RESOURCE_BASE), r["p"].value.rsplit("#", 1)[1],
               r["o"].value.removeprefix(RESOURCE_BASE))
        assert key not in out, f"two summary records for {key}"
        out[key] = (int(r["n"].value), r["d"].value.split())
    return out


def expected(kg: KnowledgeGraph, docs: set[str]) -> dict[tuple[str, str, str], tuple[int, list[str]]]:
    """The same from the graph, for the articles ``docs`` only."""
    date = {d.id: d.date for d in kg.documents}
    out = {}
    for r in kg.relations:
        mine = {e.doc_id for e in r.evidence} & docs
        if mine:
            out[(r.subject, r.predicate, r.object)] = (len(mine), sorted({date[d] for d in mine}))
    return out


def split_by_article(kg: KnowledgeGraph, folder: Path) -> tuple[Path, Path, set[str], set[str]]:
    """Two N-Quads files: the default graph and the first half of the articles; the other half."""
    nq = folder / "all.nq"
    export(kg, "nquads", nq)
    first = {d.id for d in kg.documents[: len(kg.documents) // 2]}
    halves: tuple[list, list] = ([], [])
    for quad in pyoxigraph.parse(path=str(nq), format=pyoxigraph.RdfFormat.N_QUADS):
        g = quad.graph_name
        doc = g.value.rsplit("/", 1)[1] if isinstance(g, pyoxigraph.NamedNode) else None
        halves[0 if doc is None or doc in first else 1].append(quad)
    a, b = folder / "a.nq", folder / "b.nq"
    for path, quads in ((a, halves[0]), (b, halves[1])):
        path.write_bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS))
    return a, b, first, {d.id for d in kg.documents} - first


def test_summary_follows_appends_and_replace(tmp_path: Path) -> None:
    kg = archive(40)
    a, b, first, second = split_by_article(kg, tmp_path)
    db = tmp_path / "db"
    L.load([a], db)
    assert summary_of(db) == expected(kg, first)
    L.load([b], db)  # append: the relations of both halves, counted over both
    both = expected(kg, first | second)
    assert summary_of(db) == both and len(both) == len(kg.relations)
    assert any(n > 1 for n, _ in both.values())  # some relation is stated in several articles
    L.load([a], db)  # loading a file again changes nothing
    assert summary_of(db) == both
    L.load([a], db, replace=True)
    assert summary_of(db) == expected(kg, first)
    L.load([a, b], tmp_path / "once")
    assert summary_of(tmp_path / "once") == both


def links(base: str, entity: str) -> list[dict]:
    status, body, _ = http(f"{base}/explorer/api/links?{urllib.parse.urlencode({'id': entity})}")
    assert status == 200, body[:200]
    return json.loads(body)["results"]["bindings"]


def check_served(base: str, kg: KnowledgeGraph, entity: str) -> None:
    """The served relations of ``entity`` and the evidence of its busiest one are those of the graph."""
    want = {(r.subject, r.predicate, r.object): r for r in kg.relations if entity in (r.subject, r.object)}
    rows = links(base, entity)
    got = {(r["s"]["value"].rsplit("/", 1)[1], r["p"]["value"].rsplit("#", 1)[1], r["o"]["value"].rsplit("/", 1)[1]): r
           for r in rows}
    assert set(got) == set(want) and len(rows) == len(want)
    date = {d.id: d.date for d in kg.documents}
    for key, row in got.items():
        docs = {e.doc_id for e in want[key].evidence}
        assert int(row["articles"]["value"]) == len(docs)
        assert sorted(row["dates"]["value"].split()) == sorted({date[d] for d in docs})
        assert float(row["confidence"]["value"]) == pytest.approx(want[key].confidence)
    assert [int(r["articles"]["value"]) for r in rows] == sorted((int(r["articles"]["value"]) for r in rows),
                                                                 reverse=True)
    busiest = max(want.values(), key=lambda r: len({e.doc_id for e in r.evidence}))
    assertion = got[(busiest.subject, busiest.predicate, busiest.object)]["a"]["value"].split("/resource/", 1)[1]
    seen: list[str] = []
    for page in range(50):
        status, body, _ = http(f"{base}/explorer/api/evidence?a={urllib.parse.quote(assertion)}&page={page}")
        assert status == 200
        got_rows = json.loads(body)["results"]["bindings"]
        seen += [r["sentence"]["value"] for r in got_rows[:EVIDENCE_PAGE]]
        if len(got_rows) <= EVIDENCE_PAGE:
            break
    assert sorted(seen) == sorted({(e.doc_id, e.sentence): e.sentence for e in busiest.evidence}.values())


def test_a_store_loaded_from_one_turtle_file_is_browsed_like_a_per_article_one(tmp_path: Path) -> None:
    require_oxigraph()
    kg = archive(40)
    ttl = tmp_path / "graph.ttl"
    export(kg, "turtle", ttl)
    L.load([ttl], tmp_path / "db")
    assert summary_of(tmp_path / "db") == expected(kg, {d.id for d in kg.documents})
    with S.Endpoint(tmp_path / "db", "127.0.0.1", free_port(), timeout=10, workers=1) as ep:
        status, page, _ = http(ep.explorer_url)
        assert status == 200 and NO_SUMMARY.encode() not in page
        check_served(ep.explorer_url.rstrip("/"), kg, "company-1")


def test_a_store_without_the_summary_is_served_the_slow_way_and_says_so(tmp_path: Path) -> None:
    require_oxigraph()
    kg = archive(40)
    nq = tmp_path / "graph.nq"
    export(kg, "nquads", nq)
    L.load([nq], tmp_path / "db")
    old = pyoxigraph.Store(str(tmp_path / "db"))  # as a kg before the summary left it
    old.remove_graph(pyoxigraph.NamedNode(SUMMARY_GRAPH))
    old.flush()
    del old
    with S.Endpoint(tmp_path / "db", "127.0.0.1", free_port(), timeout=10, workers=1) as ep:
        status, page, _ = http(ep.explorer_url)
        assert status == 200 and NO_SUMMARY.encode() in page
        check_served(ep.explorer_url.rstrip("/"), kg, "company-1")
