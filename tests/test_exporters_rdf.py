"""The RDF exporters: Turtle, N-Triples, N-Quads, TriG and JSON-LD.

Every format is re-parsed by a second parser (pyoxigraph), is isomorphic to
the others and to ``to_rdf(kg)`` (a dataset as the union of its graphs),
conforms to the SHACL shapes, is byte-deterministic (also across hash
seeds), and carries hostile strings through unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import REPO
import graph
from graph import exporters
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation
from graph.rdf.convert import document_iri, from_rdf, to_rdf

#: format name -> (pyoxigraph format, rdflib format, is a dataset format)
FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "turtle", False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "nt", False),
    "nquads": (ox.RdfFormat.N_QUADS, "nquads", True),
    "trig": (ox.RdfFormat.TRIG, "trig", True),
    "jsonld": (ox.RdfFormat.JSON_LD, "json-ld", False),
}
RDF_FORMATS = list(FORMATS)
RAPPER_FORMATS = ["turtle", "ntriples", "nquads", "trig"]  # raptor2 has no JSON-LD parser

# Strings that break naive serialisers: markup, every kind of quote, escapes
# that a parser would interpret, line breaks of every kind, the long-string
# delimiters, directives, IRIs, astral characters and ZWJ sequences,
# bidirectional overrides, zero-width and control characters.
HOSTILE = {
    "script": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "quotes": "O'Brien & \"Co\" ‘single’ “double” «guillemets» „low“ `back` ‚x‛ ′prime″",
    "backslash": "C:\\path\\to\\new \\n \\u0041 \\U0001F600 \\\" \\' ends with \\",
    "newlines": "line one\nline two\r\nline three\rline four\n",
    "long": '"""triple""" \'\'\'single\'\'\' "" ends with a quote"',
    "directive": "@prefix ex: <http://evil/> . @base <http://evil/> . PREFIX x: <y:>",
    "iri": "<http://evil> <javascript:alert(1)> _:b0 ?x $y",
    "emoji": "Widget 🦄 👩‍👩‍👧‍👦 🏳️‍🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "rtl": "שלום עולם مرحبا \u202eevil\u202c \u200fRTL\u200e mark",
    "zero_width": "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060wj",
    "separators": "ls\u2028ps\u2029nel\x85 tab\there vt\x0bff\x0c",
    "control": "nul\x00bel\x07esc\x1b del\x7f",
    "trig": "{ } . ; , # [ ] ( ) GRAPH <g> { <a> <b> <c> }",
    "json": '{"@id": "http://evil", "@context": null}, [] \\/ </script>',
}


def _ev(doc: str, sentence: str, rule: str, conf: float, start: int = 0) -> Evidence:
    return Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence,
                    rule_id=rule, confidence=conf)


def hostile_kg() -> KnowledgeGraph:
    """Three documents, hostile strings everywhere a string goes, every qualifier."""
    h = HOSTILE
    docs = (
        Document(id="Report One", source=f"news/{h['script']} {h['quotes']}.txt",
                 content_hash="sha256:" + "a" * 64, chars=500),
        Document(id="d2", source=f"/tmp/{h['emoji']} {h['rtl']}.md", content_hash="sha256:" + "b" * 64),
        Document(id="text-3", source="<text 3>", content_hash="sha256:" + "c" * 64),
    )
    ents = (
        Entity(id="acme", type="Company", label=h["script"],
               aliases=(h["quotes"], h["backslash"], h["long"], h["directive"], h["iri"]),
               wikidata="Q123"),
        Entity(id="widget", type="Chip", label=h["emoji"], aliases=(h["json"],)),
        Entity(id="model-x", type="AIModel", label=h["rtl"], parameter_count=671_000_000_000),
        Entity(id="zw", type="Company", label=h["zero_width"], market_share=Decimal("0.25")),
        Entity(id="ctl", type="Organization", label=h["newlines"] + h["control"],
               aliases=(h["separators"], h["control"])),
        Entity(id="proj", type="Project", label=h["trig"]),
        Entity(id="sao-paulo", type="City", label="São Paulo"),
    )
    rels = (
        Relation(subject="acme", predicate="manufacturerOf", object="widget", evidence=(
            _ev("Report One", f"{h['script']} makes {h['emoji']}; {h['newlines']}", "manufacturer_v1", 0.85),
            _ev("d2", f"{h['backslash']} {h['long']}", "manufacturer_v1", 0.0, start=40),
        )),
        Relation(subject="acme", predicate="developerOf", object="model-x",
                 evidence=(_ev("d2", f"{h['rtl']} {h['zero_width']}", "developer_v1", 0.7),)),
        Relation(subject="model-x", predicate="trainedOn", object="widget", count=2048,
                 evidence=(_ev("text-3", f"{h['separators']} {h['control']}", "trained_on_v1", 1.0),)),
        Relation(subject="zw", predicate="investsIn", object="proj", amount=Decimal("5000000000"),
                 currency="USD", date="2025-01-21",
                 evidence=(_ev("Report One", f"{h['directive']} {h['iri']}", "invests_v1", 0.6, start=7),)),
        Relation(subject="ctl", predicate="partnerIn", object="proj", date="2025",
                 evidence=(_ev("Report One", h["trig"] + h["json"], "partner_v1", 0.5, start=99),)),
        Relation(subject="acme", predicate="headquarteredIn", object="sao-paulo", date="2024-05",
                 evidence=(_ev("text-3", h["quotes"], "hq_v1", 0.9, start=3),)),
        Relation(subject="acme", predicate="competitorOf", object="zw",
                 evidence=(_ev("d2", h["long"] + h["emoji"], "competitor_v1", 0.4, start=5),)),
    )
    mentions = (
        ("Report One", ("acme", "ctl", "proj", "widget", "zw")),
        ("d2", ("acme", "model-x", "widget", "zw")),
        ("text-3", ("acme", "model-x", "sao-paulo", "widget")),
    )
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels, mentions_by_doc=mentions)


@pytest.fixture(scope="module")
def hostile() -> KnowledgeGraph:
    return hostile_kg()


@pytest.fixture(params=["small", "hostile"])
def any_kg(request, small_kg, hostile) -> KnowledgeGraph:  # noqa: ANN001
    return small_kg if request.param == "small" else hostile


def parse_rdflib(data: bytes, fmt: str) -> rdflib.Graph:
    """rdflib's reading of ``data``; a dataset as the union of its graphs."""
    _ox, rf, dataset = FORMATS[fmt]
    if not dataset:
        return rdflib.Graph().parse(data=data, format=rf)
    ds = rdflib.Dataset()
    ds.parse(data=data, format=rf)
    union = rdflib.Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def parse_oxigraph(data: bytes, fmt: str) -> rdflib.Graph:
    """pyoxigraph's reading, written as N-Triples by pyoxigraph and read by rdflib."""
    quads = list(ox.parse(data, format=FORMATS[fmt][0]))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


def assert_isomorphic(got: rdflib.Graph, want: rdflib.Graph, what: str) -> None:
    if not isomorphic(got, want):
        _both, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(f"{what} is not isomorphic to to_rdf(kg)\n"
                    f"only in {what}:\n{only_got.serialize(format='nt')}\n"
                    f"missing:\n{only_want.serialize(format='nt')}")


# --- registry ---------------------------------------------------------------

def test_exporters_rdf_registered_with_suffix_media_type_and_aliases():
    want = {
        "ntriples": (".nt", "application/n-triples", "nt"),
        "nquads": (".nq", "application/n-quads", "nq"),
        "trig": (".trig", "application/trig", None),
        "jsonld": (".jsonld", "application/ld+json", "json-ld"),
    }
    for name, (suffix, media, alias) in want.items():
        exp = exporters.get(name)
        assert (exp.suffix, exp.media_type, exp.bundle) == (suffix, media, False)
        assert exporters.for_suffix(suffix).name == name
        if alias:
            assert exporters.get(alias).name == name


# --- second parser, isomorphism ------------------------------------------------

@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_exporters_rdf_reparsed_by_pyoxigraph_and_rdflib_isomorphic(any_kg, fmt):
    data = exporters.export(any_kg, fmt)
    want = to_rdf(any_kg)
    assert_isomorphic(parse_rdflib(data, fmt), want, f"{fmt} read by rdflib")
    assert_isomorphic(parse_oxigraph(data, fmt), want, f"{fmt} read by pyoxigraph")


def test_exporters_rdf_all_formats_isomorphic_to_each_other(hostile):
    graphs = {fmt: parse_oxigraph(exporters.export(hostile, fmt), fmt) for fmt in RDF_FORMATS}
    first = graphs["turtle"]
    for fmt, g in graphs.items():
        assert isomorphic(g, first), f"{fmt} differs from turtle"
    # equal, not merely isomorphic: there are no blank nodes
    assert all(set(g) == set(first) for g in graphs.values())


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_exporters_rdf_from_rdf_is_inverse(any_kg, fmt):
    data = exporters.export(any_kg, fmt)
    kg2 = from_rdf(parse_rdflib(data, fmt))
    assert set(to_rdf(kg2)) == set(to_rdf(any_kg))
    assert exporters.export(kg2, fmt) == data


# --- hostile strings ------------------------------------------------------------

@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_exporters_rdf_hostile_strings_round_trip_unchanged(hostile, fmt):
    data = exporters.export(hostile, fmt)
    for parse in (parse_rdflib, parse_oxigraph):
        back = from_rdf(parse(data, fmt))
        for want in hostile.entities:
            got = back.entity(want.id)
            assert got.label == want.label, (fmt, parse.__name__, want.id)
            assert sorted(got.aliases) == sorted(want.aliases), (fmt, parse.__name__, want.id)
        sentences = {(e.start, e.sentence) for r in back.relations for e in r.evidence}
        assert sentences == {(e.start, e.sentence) for r in hostile.relations for e in r.evidence}
        # a document's label is its file name: the source after the last "/"
        assert {d.source for d in back.documents} == {
            "script><img src=x onerror=alert(1)> " + HOSTILE["quotes"] + ".txt",
            f"{HOSTILE['emoji']} {HOSTILE['rtl']}.md", "text-3"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=st.text(min_size=1).filter(str.strip), alias=st.text(min_size=1).filter(str.strip),
       sentence=st.text(min_size=1).filter(str.strip))
def test_exporters_rdf_any_unicode_round_trips(label, alias, sentence):
    kg = KnowledgeGraph(
        documents=(Document(id="d1", source="d1.txt", content_hash="sha256:" + "0" * 64),),
        entities=(Entity(id="a", type="Company", label=label, aliases=(alias,)),
                  Entity(id="b", type="Product", label=alias)),
        relations=(Relation(subject="a", predicate="developerOf", object="b",
                            evidence=(_ev("d1", sentence, "r_v1", 0.5),)),),
        mentions_by_doc=(("d1", ("a", "b")),),
    )
    want = set(to_rdf(kg))
    for fmt in RDF_FORMATS:
        data = exporters.export(kg, fmt)
        assert set(parse_oxigraph(data, fmt)) == want, fmt
        assert set(parse_rdflib(data, fmt)) == want, fmt


# --- determinism ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_exporters_rdf_byte_deterministic(any_kg, fmt):
    first = exporters.export(any_kg, fmt)
    assert exporters.export(any_kg, fmt) == first
    shuffled = KnowledgeGraph(documents=any_kg.documents[::-1], entities=any_kg.entities[::-1],
                              relations=any_kg.relations[::-1], mentions_by_doc=any_kg.mentions_by_doc[::-1])
    assert exporters.export(shuffled, fmt) == first
    first.decode("utf-8")


def _digests_in_subprocess(seed: str) -> dict[str, str]:
    code = (
        "import hashlib, json, sys; sys.path[:0] = ['tests']\n"
        "from test_exporters_rdf import hostile_kg, RDF_FORMATS\n"
        "from graph import exporters\n"
        "kg = hostile_kg()\n"
        "print(json.dumps({f: hashlib.sha256(exporters.export(kg, f)).hexdigest() for f in RDF_FORMATS}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_exporters_rdf_deterministic_across_hash_seeds(hostile):
    here = {f: hashlib.sha256(exporters.export(hostile, f)).hexdigest() for f in RDF_FORMATS}
    assert _digests_in_subprocess("1") == here
    assert _digests_in_subprocess("4242") == here


@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_exporters_rdf_line_formats_are_sorted_statements(hostile, fmt):
    text = exporters.export(hostile, fmt).decode("utf-8")
    assert text.endswith(" .\n") and "\n\n" not in text
    lines = text.split("\n")[:-1]
    assert lines == sorted(set(lines))
    assert all(line.endswith(" .") and "  ." not in line[-4:] for line in lines)
    assert len(lines) == len(list(ox.parse(text.encode(), format=FORMATS[fmt][0])))


def test_exporters_rdf_ntriples_lines_hold_no_raw_control_character(hostile):
    # the hostile graph's names hold NUL, BEL, form feed, ESC, DEL...: escaped, so every
    # line-based tool (sort, grep, split) sees one statement a line
    text = exporters.export(hostile, "ntriples").decode("utf-8")
    assert "\\u0000" in text and "\\f" in text
    assert not [c for c in text if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F]


# --- named graphs -------------------------------------------------------------------

def _rdflib_graph(quads: list) -> set:  # noqa: ANN001
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return set(rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"))


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_exporters_rdf_one_named_graph_per_document(hostile, fmt):
    quads = list(ox.parse(exporters.export(hostile, fmt), format=FORMATS[fmt][0]))
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert {q.graph_name.value for q in named} == {str(document_iri(d.id)) for d in hostile.documents}
    # entities (types, labels, aliases, sameAs, data values) in the default graph, nothing else
    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    assert _rdflib_graph(default) == set(to_rdf(KnowledgeGraph(entities=hostile.entities)))
    # a document's graph describes that document: it is the subject of its own triples
    for q in named:
        if q.predicate.value in (str(rdflib.RDFS.label), "https://w3id.org/entity-kg/ontology#mentions") \
                and q.subject.value.startswith("https://w3id.org/entity-kg/resource/document/"):
            assert q.subject == q.graph_name
    # each evidence node lives in the graph of the document it comes from
    for q in named:
        if q.predicate.value == str(rdflib.PROV.wasDerivedFrom):
            assert q.graph_name == q.object
    # a relation stated in two documents is in both graphs
    made = "https://w3id.org/entity-kg/ontology#manufacturerOf"
    graphs = {q.graph_name.value for q in named if q.predicate.value == made}
    assert graphs == {str(document_iri("Report One")), str(document_iri("d2"))}


def test_exporters_rdf_nquads_and_trig_hold_the_same_quads(hostile):
    def quads(fmt: str) -> set[str]:
        return {str(q) for q in ox.parse(exporters.export(hostile, fmt), format=FORMATS[fmt][0])}

    assert quads("nquads") == quads("trig")


# --- JSON-LD ---------------------------------------------------------------------------

def test_exporters_rdf_jsonld_context_and_key_order(hostile):
    data = exporters.export(hostile, "jsonld")
    doc = json.loads(data)
    assert list(doc) == ["@context", "@graph"]
    assert {"ekg", "kgr", "rdfs", "skos", "prov", "xsd"} <= set(doc["@context"])
    assert doc["@context"]["ekg"] == "https://w3id.org/entity-kg/ontology#"
    assert doc["@context"]["kgr"] == "https://w3id.org/entity-kg/resource/"
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert data == (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    acme = next(n for n in doc["@graph"] if n["@id"] == "kgr:acme")
    assert acme["@type"] == "ekg:Company" and acme["rdfs:label"] == HOSTILE["script"]


def test_exporters_rdf_jsonld_of_one_entity_still_has_a_graph():
    kg = KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),))
    doc = json.loads(exporters.export(kg, "jsonld"))
    assert doc["@graph"] == [{"@id": "kgr:acme", "@type": "ekg:Company", "rdfs:label": "Acme"}]
    assert json.loads(exporters.export(KnowledgeGraph(), "jsonld"))["@graph"] == []


# --- SHACL -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_exporters_rdf_every_format_conforms_to_the_shapes(any_kg, fmt):
    from graph.rdf.convert import read_rdf
    from graph.rdf.validate import validate

    report = validate(read_rdf(exporters.export(any_kg, fmt), fmt))
    assert report.conforms, report.format()


# --- rapper (Debian raptor2-utils) -----------------------------------------------------

def rapper() -> str:
    """The rapper binary; skip without it, but in CI its absence is a failure."""
    path = shutil.which("rapper")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI: rapper is not installed (apt-get install raptor2-utils; see .ci/run)")
        pytest.skip("rapper not installed (apt-get install raptor2-utils)")
    return path


def _rapper_check(data: bytes, fmt: str, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / f"graph{exporters.get(fmt).suffix}"
    path.write_bytes(data)
    out = subprocess.run([rapper(), "-q", "-i", fmt, "-c", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, f"rapper rejected the {fmt}:\n{out.stderr}"


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_exporters_rdf_rapper_accepts_the_sample(sample_kg, fmt, tmp_path):
    _rapper_check(exporters.export(sample_kg, fmt), fmt, tmp_path)


@pytest.mark.parametrize("fmt", RAPPER_FORMATS)
def test_exporters_rdf_rapper_accepts_hostile_strings(hostile, fmt, tmp_path):
    _rapper_check(exporters.export(hostile, fmt), fmt, tmp_path)


def test_exporters_rdf_rapper_rejects_broken_turtle(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text('<http://e/a> <http://e/b> "unterminated .\n')
    out = subprocess.run([rapper(), "-q", "-i", "turtle", "-c", str(path)], capture_output=True, text=True)
    assert out.returncode != 0


def test_exporters_rdf_nquads_are_the_quads_of_to_dataset():
    # the fast path (Turtle writer -> TriG -> Oxigraph) against rdflib's dataset, on a
    # relation stated in two documents: each document's graph holds its own evidence only
    from graph.rdf.convert import to_dataset

    kg = graph.build(["Nvidia makes the H100 chip. Acme Corp. uses the H100.",
                      "Acme Corp. uses the H100 in its data centres."], model="blank")
    uses = [r for r in kg.relations if r.predicate == "uses"]
    assert uses and {e.doc_id for e in uses[0].evidence} == {"text-1", "text-2"}
    ours = set(ox.parse(exporters.export(kg, "nquads"), format=ox.RdfFormat.N_QUADS))
    rdflib_quads = set(ox.parse(to_dataset(kg).serialize(format="nquads", encoding="utf-8"),
                                format=ox.RdfFormat.N_QUADS))
    assert ours == rdflib_quads
    graphs = {q.graph_name for q in ours}
    assert len(graphs) == 3  # the default graph and one per document


@pytest.mark.parametrize("fmt, source, ox_in, ox_out", [
    ("ntriples", "turtle", ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES),
    ("nquads", "trig", ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS),
])
def test_exporters_rdf_line_formats_are_the_bytes_oxigraph_writes(any_kg, sample_kg, fmt, source, ox_in, ox_out):
    # N-Triples and N-Quads are made from the statements, not by re-parsing our Turtle/TriG:
    # the bytes are still exactly those of Oxigraph's serialisation of the same statements
    for kg in (any_kg, sample_kg):
        statements = ox.parse(exporters.export(kg, source), format=ox_in)
        lines = ox.serialize(statements, format=ox_out).decode("utf-8").split("\n")
        want = "".join(line + "\n" for line in sorted({line for line in lines if line})).encode("utf-8")
        assert exporters.export(kg, fmt) == want


@given(st.integers() | st.sampled_from([0, -1, 10**30]))
def test_ntriples_integers_are_written_as_an_rdflib_literal_of_them(n):
    """N-Triples integers (char offsets in evidence) skip rdflib's Literal: the text must be the same."""
    from graph.exporters.turtle import NTriplesTerms

    terms = NTriplesTerms()
    assert terms.integer(n) == terms.term(rdflib.Literal(n, datatype=rdflib.XSD.integer))
    [triple] = ox.parse(f"<http://a> <http://b> {terms.integer(n)} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    assert (triple.object.value, triple.object.datatype.value) == (str(n), str(rdflib.XSD.integer))
