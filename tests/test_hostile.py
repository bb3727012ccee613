"""Hostile content stays data in every format (issue 8).

One place that proves the issue's list. Entity names and evidence holding
markup, quotes of every kind, backslashes, newlines, ``\"\"\"``, ``@prefix``,
``<http://evil>``, a Cypher injection, a spreadsheet formula, emoji,
right-to-left and zero-width characters go through every exporter, from a
graph built by hand and from ``kg build`` on a hostile corpus, and:

* Turtle, N-Triples, N-Quads, TriG and JSON-LD parse with a second parser
  (pyoxigraph; rdflib writes them) and carry each string unchanged, with no
  node or triple more than the graph has (``<http://evil>`` is never an IRI);
* GraphML parses (NetworkX) and carries each string unchanged;
* the HTML page shows it as text: the embedded JSON gives it back exactly and
  no markup of it reaches the page (``tests/test_html_browser.py`` checks the
  same in a real browser);
* the Cypher script runs in Kùzu and stores it as a string: every node is
  still there after the ``DETACH DELETE`` injection;
* no CSV cell (Neo4j, Kùzu, mentions) starts a spreadsheet formula;
* IRIs minted from any name are valid and stable (Hypothesis; also across
  hash seeds).

Existing per-format tests go further for each format (test_exporters_*.py).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import REPO, require
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import exporters
from graph.cli import main
from graph.exporters.tabular import FORMULA_TRIGGERS
from graph.exporters.html import page_data
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation
from graph.rdf.convert import document_iri, entity_iri, relation_iri
from graph.extract.resolve import slug
from graph.rdf.validate import validate

#: The issue's list, one entry each (and a few relatives).
HOSTILE: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img": '<img src=x onerror="alert(1)">',
    "quotes": "\"double\" 'single' ‘curly’ “curly” «guillemets» „low“ ‚x‛ `back` ′prime″",
    "backslash": "C:\\path\\new \\n \\t \\u0041 \\\" \\' ends with \\",
    "newlines": "line one\nline two\r\nline three\rline four",
    "triple": '"""triple""" \'\'\'single\'\'\' ends with a quote"',
    "prefix": "@prefix ex: <http://evil/> . @base <http://evil/> . PREFIX x: <y:>",
    "iri": "<http://evil> <javascript:alert(1)> _:b0 ?x",
    "cypher": "'); MATCH (n) DETACH DELETE n; //",
    "cypher2": '"}) MATCH (n) DETACH DELETE n //',
    "formula": '=HYPERLINK("http://evil","click")',
    "formula2": "+1+cmd|' /C calc'!A0",
    "formula3": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula4": "-2+3",
    "emoji": "Widget 🦄 👩‍👩‍👧‍👦 🏳️‍🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "rtl": "שלום עולם مرحبا \u202eevil\u202c \u200fRTL\u200e",
    "zero_width": "zero\u200bwidth\u200cnon\u200djoiner\u2060wj\ufeffbom",
    "json": '{"@id": "http://evil", "@context": null} </script><!--',
    "trig": "{ } . ; , # [ ] ( ) GRAPH <g> { <a> <b> <c> }",
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EKG = "https://w3id.org/entity-kg/ontology#"


def hostile_kg() -> KnowledgeGraph:
    """Every hostile string as an entity name, an alias, an evidence sentence
    and in a document's name; the entities partner in one project."""
    doc = Document(id="d1", source="news/" + HOSTILE["script"] + " " + HOSTILE["emoji"] + ".txt",
                   content_hash="sha256:" + "a" * 64, chars=10_000)
    ents = [Entity(id=slug(f"company {key}"), type="Company", label=value, aliases=(f"{value} Inc.",),
                   mentions=(Mention(doc_id="d1", start=0, end=len(value), text=value, type="Company",
                                     rule_id="gazetteer"),))
            for key, value in HOSTILE.items()]
    ents.append(Entity(id="project", type="Project", label="Project " + HOSTILE["cypher"]))
    rels = []
    start = 0
    for key, value in HOSTILE.items():
        sentence = f"{value} is a partner in the project, said {value}."
        rels.append(Relation(subject=slug(f"company {key}"), predicate="partnerIn", object="project",
                             evidence=(Evidence(doc_id="d1", start=start, end=start + len(sentence),
                                                sentence=sentence, rule_id="partner_in_v1", confidence=0.9),),
                             amount=Decimal(5000000), currency="USD", date="2024-05"))
        start += len(sentence) + 1
    return KnowledgeGraph(documents=(doc,), entities=tuple(sorted(ents, key=lambda e: e.id)),
                          relations=tuple(sorted(rels, key=lambda r: r.key)),
                          mentions_by_doc=(("d1", tuple(sorted(e.id for e in ents if e.mentions))),))


def strings(kg: KnowledgeGraph) -> set[str]:
    """Every label, alias and evidence sentence of ``kg``."""
    out = {e.label for e in kg.entities} | {a for e in kg.entities for a in e.aliases}
    return out | {ev.sentence for r in kg.relations for ev in r.evidence}


def generate_all(kg: KnowledgeGraph) -> dict[str, bytes | dict[str, bytes]]:
    return {name: exporters.export(kg, name) for name in exporters.available()}


# --------------------------------------------------------------------------- the checks


def check_rdf(kg: KnowledgeGraph, files: dict[str, bytes | dict[str, bytes]]) -> None:
    expected = strings(kg)
    entity_iris = {str(entity_iri(e.id)) for e in kg.entities}
    for name, fmt in RDF_FORMATS.items():
        quads = list(ox.parse(files[name], format=fmt))  # type: ignore[arg-type]
        literals = {q.object.value for q in quads if isinstance(q.object, ox.Literal)}
        missing = expected - literals
        assert not missing, (name, sorted(missing)[:3])
        iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
        assert not any("evil" in iri for iri in iris), name  # a string never becomes an IRI
        typed = {q.subject.value for q in quads if q.predicate.value.endswith("#type")
                 and q.object.value in (EKG + "Company", EKG + "Project", EKG + "Chip")}
        assert typed == entity_iris, name  # no node more, no node less
        labels = [q for q in quads if q.predicate.value == RDFS_LABEL and q.subject.value in entity_iris]
        assert len({(q.subject.value, q.object.value) for q in labels}) == len(kg.entities), name


def check_graphml(kg: KnowledgeGraph, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    path.write_bytes(data)
    g = nx.read_graphml(path, force_multigraph=True)
    assert sorted(g.nodes) == [e.id for e in kg.entities]
    for ent in kg.entities:
        assert g.nodes[ent.id]["label"] == ent.label
        assert json.loads(g.nodes[ent.id]["aliases_json"]) == list(ent.aliases)
    sentences = {d["sentence"] for _s, _o, d in g.edges(data=True)}
    assert sentences == {max(r.evidence, key=lambda e: e.confidence).sentence for r in kg.relations}


def check_html(kg: KnowledgeGraph, page: bytes) -> set[str]:
    """Check the page; return the evidence sentences it holds."""
    text = page.decode("utf-8")
    for raw in ("<script>alert(1)", "<img src=x", "<!--\"", "</script><!--"):
        assert raw not in text
    data = page_data(page)
    block = text.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert not set(block) & {"<", ">", "&"}  # cannot end its script block or open markup
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    for ent in kg.entities:
        assert data["entities"][ent.id]["names"] == [ent.label, *ent.aliases]  # exactly
        if ent.id in labels:  # the node label: white space made single spaces, long ones cut with …
            shown, full = labels[ent.id], " ".join(ent.label.split())
            assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))
    sentences = {e["sentence"] for r in data["relations"].values() for e in r["evidence"]}
    assert sentences <= {ev.sentence for r in kg.relations for ev in r.evidence}  # capped per relation
    assert len(data["relations"]) == len(kg.relations)
    return sentences


def check_csv(kg: KnowledgeGraph, files: dict[str, bytes | dict[str, bytes]]) -> int:
    """No cell of any CSV starts a formula, unless it is a plain number; return the cells read."""
    tables = [files["mentions"]] + [data for bundle in ("neo4j", "kuzu")
                                    for name, data in files[bundle].items()  # type: ignore[union-attr]
                                    if name.endswith(".csv")]
    cells = 0
    for table in tables:
        for row in csv.reader(io.StringIO(table.decode("utf-8"), newline="")):  # type: ignore[union-attr]
            for cell in row:
                cells += 1
                if cell.startswith(FORMULA_TRIGGERS):
                    float(cell)  # only a number may start with - or +
    formula = HOSTILE["formula"]
    if any(e.label == formula for e in kg.entities):
        nodes = files["neo4j"]["nodes.csv"].decode("utf-8")  # type: ignore[index]
        assert "'" + formula.replace('"', '""') in nodes
    return cells


def check_cypher_in_kuzu(kg: KnowledgeGraph, tmp_path: Path) -> None:
    kuzu = require("kuzu")
    from test_exporters_cypher import KuzuRun, _kuzu_decodes

    run = KuzuRun(kuzu, kg, tmp_path, times=1)
    try:
        assert run.rows("MATCH (n:Entity) RETURN count(*)") == [[len(kg.entities)]]  # nothing deleted
        assert run.rows("MATCH ()-[r]->() RETURN count(*)") == [[len(kg.relations)]]
        got = {r[0]: r[1] for r in run.rows("MATCH (n:Entity) RETURN n.id, n.label")}
        compared = 0
        for ent in kg.entities:
            if _kuzu_decodes(ent.label):  # Kùzu reads only \\ and \' escapes as Neo4j does
                assert got[ent.id] == ent.label
                compared += 1
        assert compared >= len(kg.entities) // 2
        cypher_ids = [e.id for e in kg.entities if e.label == HOSTILE["cypher"]]
        if cypher_ids:
            assert got[cypher_ids[0]] == HOSTILE["cypher"]
    finally:
        run.close()


# --------------------------------------------------------------------------- a graph built by hand


@pytest.fixture(scope="module")
def kg_hand() -> KnowledgeGraph:
    return hostile_kg()


@pytest.fixture(scope="module")
def files_hand(kg_hand: KnowledgeGraph) -> dict[str, bytes | dict[str, bytes]]:
    return generate_all(kg_hand)


def test_hostile_hand_graph_conforms(kg_hand: KnowledgeGraph) -> None:
    from graph.rdf.convert import to_rdf

    report = validate(to_rdf(kg_hand))
    assert report.conforms, report.format()


def test_hostile_rdf_formats_carry_the_strings_unchanged(kg_hand, files_hand) -> None:
    check_rdf(kg_hand, files_hand)


def test_hostile_graphml_carries_the_strings_unchanged(kg_hand, files_hand, tmp_path) -> None:
    check_graphml(kg_hand, files_hand["graphml"], tmp_path)


def test_hostile_html_shows_the_strings_as_text(kg_hand, files_hand) -> None:
    shown = check_html(kg_hand, files_hand["html"])
    assert shown == {ev.sentence for r in kg_hand.relations for ev in r.evidence}


def test_hostile_csv_cells_cannot_run_as_formulas(kg_hand, files_hand) -> None:
    assert check_csv(kg_hand, files_hand) > 100


def test_hostile_cypher_stores_strings_in_kuzu(kg_hand, tmp_path) -> None:
    check_cypher_in_kuzu(kg_hand, tmp_path)


def test_hostile_exports_do_not_change_the_graph(kg_hand) -> None:
    before = repr(kg_hand)
    assert generate_all(kg_hand) == generate_all(kg_hand)  # and deterministic
    assert repr(kg_hand) == before


# --------------------------------------------------------------------------- kg build on a hostile corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, Path]:
    """``kg build -f all`` on a JSONL corpus whose texts and sources are hostile."""
    import graph

    folder = tmp_path_factory.mktemp("hostile")
    lines = []
    for key, value in HOSTILE.items():
        text = (f"Acme Corp. acquired Widgets Inc. {value} in 2020.\n"
                f"{value} Nvidia Corp. makes the H100 chip, said {value}.")
        source = f"{value} {key}.txt".replace("\n", " ").replace("\r", " ")
        lines.append(json.dumps({"id": f"doc-{key}", "source": source, "text": text}))
    corpus = folder / "hostile.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "out"
    assert main(["build", str(corpus), "-o", str(out), "--model", "blank", "-f", "all", "-q"]) == 0
    return graph.build([corpus], model="blank"), out


def _files(out: Path) -> dict[str, bytes | dict[str, bytes]]:
    files: dict[str, bytes | dict[str, bytes]] = {}
    for name in exporters.available():
        path = exporters.get(name).default_path(out)
        files[name] = ({p.name: p.read_bytes() for p in path.iterdir()} if path.is_dir() else path.read_bytes())
    return files


def test_hostile_build_outputs_carry_the_evidence(built, tmp_path) -> None:
    kg, out = built
    files = _files(out)
    sentences = {ev.sentence for r in kg.relations for ev in r.evidence}
    assert sum(HOSTILE["script"] in s for s in sentences) >= 2
    assert any(HOSTILE["cypher"] in s for s in sentences)
    assert files == generate_all(kg)  # kg build wrote exactly what the library makes
    check_rdf(kg, files)
    check_graphml(kg, files["graphml"], tmp_path)  # type: ignore[arg-type]
    check_html(kg, files["html"])  # type: ignore[arg-type]
    check_csv(kg, files)


def test_hostile_build_document_names_stay_labels(built) -> None:
    kg, out = built
    quads = list(ox.parse((out / "graph.nq").read_bytes(), format=ox.RdfFormat.N_QUADS))
    docs = {q.subject.value: q.object.value for q in quads if q.predicate.value == RDFS_LABEL
            and "/document/" in q.subject.value}
    assert sorted(docs) == sorted(str(document_iri(d.id)) for d in kg.documents)
    # a document is labelled with its file name (even one that looks like markup);
    # only standard input and API texts, which have none, with their id
    assert sorted(docs.values()) == sorted(
        d.id if re.fullmatch(r"<stdin>|<text [0-9]+>", d.source) else d.source.rsplit("/", 1)[-1]
        for d in kg.documents)
    assert not [p for p in out.parent.iterdir() if p.name not in ("out", "hostile.jsonl")]


def test_hostile_build_cypher_in_kuzu(built, tmp_path) -> None:
    check_cypher_in_kuzu(built[0], tmp_path)


# --------------------------------------------------------------------------- IRIs


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_hostile_iris_from_any_name_are_valid_and_stable(name: str) -> None:
    s = slug(name)
    assert s == slug(name)
    assert 0 < len(s) <= 80 and s.strip("-") == s and all(c.isascii() and (c.isalnum() or c == "-") for c in s)
    assert s == s.lower()
    for iri in (entity_iri(s), document_iri(name),
                relation_iri(Relation(subject=s, predicate="partnerIn", object=s, evidence=(
                    Evidence(doc_id=name or "d", start=0, end=1, sentence=name if name.strip() else "x", rule_id="r_v1",
                             confidence=0.5),)))):
        node = ox.NamedNode(str(iri))  # raises on an invalid IRI
        assert node.value == str(iri)
        list(ox.parse(f"<{iri}> <{iri}> <{iri}> .", format=ox.RdfFormat.N_TRIPLES))


def test_hostile_iris_are_the_same_under_another_hash_seed() -> None:
    names = [*HOSTILE.values(), "", "深度求索", "Nvidia Corp.", "C++", "a" * 200]
    code = ("import json, sys; from graph.extract.resolve import slug; from graph.rdf.convert import document_iri; "
            "names = json.load(sys.stdin); print(json.dumps([[slug(n), str(document_iri(n))] for n in names]))")
    results = []
    for seed in ("0", "12345"):
        res = subprocess.run([sys.executable, "-c", code], input=json.dumps(names), capture_output=True, text=True,
                             cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        results.append(json.loads(res.stdout))
    assert results[0] == results[1] == [[slug(n), str(document_iri(n))] for n in names]
