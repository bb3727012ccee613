"""The exporter registry and the Turtle exporter."""

import io

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph import exporters
from graph.errors import OutputError, UnknownFormatError
from graph.rdf.convert import to_rdf


def test_exporters_registry_lists_formats_and_resolves_aliases():
    assert {"turtle", "html"} <= set(exporters.available())
    assert exporters.get("TTL").name == "turtle"
    assert exporters.for_suffix(".ttl").name == "turtle"


def test_exporters_unknown_format_message_lists_choices():
    with pytest.raises(UnknownFormatError, match=r"unknown export format 'tutle'; available: .*turtle"):
        exporters.get("tutle")


def test_exporters_duplicate_registration_raises():
    with pytest.raises(ValueError, match="already registered"):
        exporters.register("turtle", suffix=".x", media_type="x")(lambda kg: b"")


def test_exporters_export_returns_bytes_or_writes(tmp_path, small_kg):
    data = exporters.export(small_kg, "turtle")
    buf = io.BytesIO()
    exporters.export(small_kg, "turtle", buf)
    exporters.export(small_kg, "turtle", tmp_path / "sub" / "g.ttl")
    assert buf.getvalue() == data == (tmp_path / "sub" / "g.ttl").read_bytes()
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["g.ttl"]  # no temp file left


def test_exporters_write_error_leaves_old_file(tmp_path, small_kg, monkeypatch):
    dest = tmp_path / "g.ttl"
    dest.write_bytes(b"old")
    import os

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        exporters.export(small_kg, "turtle", dest)
    assert dest.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]


def test_exporters_turtle_parses_with_second_parser_and_round_trips(small_kg):
    data = exporters.export(small_kg, "turtle")
    g1 = rdflib.Graph().parse(data=data, format="turtle")
    assert isomorphic(g1, to_rdf(small_kg))
    quads = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE))
    nt = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)
    g2 = rdflib.Graph().parse(data=nt, format="nt")
    assert isomorphic(g1, g2)


def test_exporters_turtle_keeps_hostile_strings_unchanged(small_kg):
    g = rdflib.Graph().parse(data=exporters.export(small_kg, "turtle"), format="turtle")
    labels = {str(o) for o in g.objects(None, rdflib.RDFS.label)}
    assert '<script>alert(1)</script> "O\'Brien" \\ Ltd.' in labels
    sentences = {str(o) for o in g.objects(None, rdflib.URIRef("https://w3id.org/entity-kg/ontology#sentence"))}
    assert 'It said "<b>hi</b>"\nand left.' in sentences


def test_exporters_turtle_provenance_query_answers_which_sentence(small_kg):
    g = rdflib.Graph().parse(data=exporters.export(small_kg, "turtle"), format="turtle")
    q = """
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX ekg: <https://w3id.org/entity-kg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?sentence ?doc ?rule ?conf WHERE {
      ?s rdfs:label "Acme" . ?o rdfs:label "Widget X" .
      ?a rdf:subject ?s ; rdf:predicate ekg:manufacturerOf ; rdf:object ?o ; ekg:evidence ?ev .
      ?ev ekg:sentence ?sentence ; prov:wasDerivedFrom ?d ; ekg:rule ?rule ; ekg:confidence ?conf .
      ?d rdfs:label ?doc .
    }"""
    rows = [tuple(map(str, r)) for r in g.query(q)]
    assert rows == [("Acme makes the Widget X.", "d1.txt", "hand_v1", "0.9")]


def test_exporters_qualifiers_typed_in_rdf(small_kg):
    ttl = exporters.export(small_kg, "turtle").decode()
    assert 'ekg:amount 5000000' in ttl or 'ekg:amount "5000000"^^xsd:decimal' in ttl
    assert '"2024-05"^^xsd:gYearMonth' in ttl and 'ekg:currency "USD"' in ttl


def test_exporters_are_deterministic_and_leave_input_unchanged(small_kg):
    import copy

    before = copy.deepcopy(small_kg)
    assert exporters.export(small_kg, "turtle") == exporters.export(small_kg, "turtle")
    assert exporters.export(small_kg, "html") == exporters.export(small_kg, "html")
    assert small_kg == before


def test_exporters_bundle_written_as_folder_atomically(tmp_path):
    from graph.files import write_bundle_atomic

    dest = tmp_path / "b"
    write_bundle_atomic({"a.csv": b"1", "sub/b.txt": b"2"}, dest)
    write_bundle_atomic({"a.csv": b"3"}, dest)
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == ["a.csv"]
    assert (dest / "a.csv").read_bytes() == b"3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]
    with pytest.raises(ValueError, match="stay inside"):
        write_bundle_atomic({"../x": b""}, dest)


def test_exporters_streamed_outputs_are_all_or_nothing(tmp_path, small_kg):
    from graph.files import write_all_atomic

    ttl, html = tmp_path / "graph.ttl", tmp_path / "graph.html"
    ttl.write_bytes(b"old ttl")
    html.write_bytes(b"old html")

    def broken():  # a format that fails half-way through its file
        yield b"half a file"
        raise ValueError("cannot write Turtle: lone surrogate")

    with pytest.raises(ValueError, match="lone surrogate"):
        write_all_atomic([(html, b"new html"), (ttl, broken)])
    assert (ttl.read_bytes(), html.read_bytes()) == (b"old ttl", b"old html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.ttl"]  # no temporary file left
    # a streamed format gives the generated bytes, and is made only when written
    made = []
    turtle = exporters.get("turtle")
    write_all_atomic([(ttl, lambda: made.append(1) or turtle.stream(small_kg))])
    assert made == [1] and ttl.read_bytes() == turtle.generate(small_kg)
    streamed = [e for e in map(exporters.get, exporters.available()) if e.stream is not None]
    assert {e.name for e in streamed} == {"turtle", "trig"}
    for e in streamed:
        assert b"".join(e.stream(small_kg)) == e.generate(small_kg)


def test_exporters_registry_snapshot():
    assert exporters.available() == [
        "cypher", "graphml", "html", "jsonld", "kuzu", "mentions", "neo4j", "nquads", "ntriples", "trig", "turtle",
    ]


def test_exporters_mentions_table_shows_how_each_name_was_resolved():
    import graph

    kg = graph.build(["Arthur Mensch founded Zorblax Labs. Mensch leads the company as chief executive."], model="blank")
    rows = exporters.export(kg, "mentions").decode().splitlines()
    assert rows[0] == "entity_id,label,type,document,start,end,text,rule,document_title,document_date,document_url"
    assert any(",Mensch,pattern_surname_v1+surname" in r and r.startswith("arthur-mensch,") for r in rows)
    assert any(",company,coref_description_v1" in r and r.startswith("zorblax-labs,") for r in rows)
