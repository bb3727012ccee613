"""graph.rdf.validate (SHACL reports) and graph.rdf.convert.read_rdf (RDF files in, errors with positions)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from conftest import DATA
from graph import exporters
from graph.errors import InputError
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation
from graph.rdf.convert import entity_iri, from_rdf, read_rdf, to_rdf
from graph.rdf.validate import Report, Violation, validate

INVALID = DATA / "shapes" / "invalid"


def _kg(subject_type: str, predicate: str, object_type: str) -> KnowledgeGraph:
    ev = Evidence(doc_id="d1", start=0, end=10, sentence="X does Y.", rule_id="hand_v1", confidence=0.9)
    return KnowledgeGraph(
        documents=(Document(id="d1", source="d1.txt", content_hash="sha256:" + "0" * 64),),
        entities=(Entity(id="x", type=subject_type, label="X"), Entity(id="y", type=object_type, label="Y")),
        relations=(Relation(subject="x", predicate=predicate, object="y", evidence=(ev,)),),
        mentions_by_doc=(("d1", ("x", "y")),),
    )


# --- reports ----------------------------------------------------------------------

def test_validate_conforming_graph(small_kg):
    report = validate(to_rdf(small_kg))
    assert isinstance(report, Report)
    assert report.conforms and report.violations == () and report.shapes == ()
    assert report.format() == f"conforms: {len(to_rdf(small_kg))} triples, 0 violations"


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_validate_reads_every_format_by_suffix(small_kg, tmp_path, fmt):
    path = tmp_path / f"graph{exporters.get(fmt).suffix}"
    exporters.export(small_kg, fmt, path)
    assert validate(path).conforms
    assert validate(str(path)).conforms


def test_validate_report_is_readable():
    report = validate(INVALID / "EntityShape.ttl")
    assert not report.conforms
    [v] = report.violations
    assert v == Violation(
        focus="kgr:nvidia", label=None, shape="EntityShape", source_shape="EntityShape-label",
        path="rdfs:label", value=None,
        message="Entity must have exactly one rdfs:label, a non-empty xsd:string (no language tag)",
        component="MinCountConstraintComponent",
    )
    text = report.format()
    assert text.splitlines()[0] == "does not conform: 1 violation(s) in 23 triples"
    assert "kgr:nvidia: EntityShape rdfs:label: Entity must have exactly one rdfs:label" in text
    assert str(report) == text


def test_validate_report_names_the_focus_label_and_value():
    [v] = validate(INVALID / "TrainedOnShape.ttl").violations
    assert (v.focus, v.label, v.shape, v.source_shape, v.path, v.value) == (
        "kgr:deepseek-v3", "DeepSeek-V3", "TrainedOnShape", "TrainedOnShape-range", "ekg:trainedOn",
        "kgr:nvidia")
    assert str(v) == ("kgr:deepseek-v3 ('DeepSeek-V3'): TrainedOnShape ekg:trainedOn: "
                      "The value of ekg:trainedOn must be an ekg:Chip [value: kgr:nvidia]")


def test_validate_sparql_result_keeps_its_own_message():
    [v] = validate(INVALID / "AssertionShape.ttl").violations
    assert v.shape == v.source_shape == "AssertionShape"
    assert v.focus.startswith("assertion:")
    assert v.message.startswith("Assertion reifies a triple that is not in the graph")
    assert "blank node" not in v.message


@pytest.mark.parametrize("s_type, pred, o_type, shape", [
    ("Person", "manufacturerOf", "Chip", "ManufacturerOfShape"),        # domain
    ("Company", "trainedOn", "Chip", "TrainedOnShape"),                 # domain
    ("AIModel", "trainedOn", "Company", "TrainedOnShape"),              # range
    ("Company", "partnerIn", "Product", "PartnerInShape"),              # range
    ("Person", "uses", "Technology", "UsesShape"),                      # domain of a union
])
def test_validate_catches_domain_and_range_errors(s_type, pred, o_type, shape):
    report = validate(to_rdf(_kg(s_type, pred, o_type)))
    assert not report.conforms
    assert shape in report.shapes, report.format()


def test_validate_catches_missing_provenance(small_kg):
    g = to_rdf(small_kg)
    g.add((entity_iri("acme"), URIRef("https://w3id.org/entity-kg/ontology#backerOf"), entity_iri("bad")))
    assert validate(g).shapes == ("RelationProvenanceShape",)


def test_validate_violations_sorted_and_deterministic(small_kg):
    g = to_rdf(small_kg)
    for ent in ("acme", "widget-x", "springfield"):
        g.remove((entity_iri(ent), RDFS.label, None))
    a, b = validate(g), validate(g)
    assert a == b and len(a.violations) == 3
    assert [v.focus for v in a.violations] == ["kgr:acme", "kgr:springfield", "kgr:widget-x"]


def test_validate_explicit_xsd_string_is_a_plain_literal(small_kg):
    nt = exporters.export(small_kg, "ntriples").decode()
    typed = nt.replace('"Acme" .', f'"Acme"^^<{XSD.string}> .')
    assert typed != nt
    g = read_rdf(typed.encode(), "ntriples")
    assert (entity_iri("acme"), RDFS.label, Literal("Acme")) in g
    assert validate(g).conforms


# --- bad input --------------------------------------------------------------------

BAD = [
    # (suffix, data, message fragment, line, column)
    (".ttl", b'@prefix ex: <http://e/> .\nex:a ex:b "x .\n', "invalid Turtle at line 2, column 11", 2, 11),
    (".ttl", b"@prefix ex: <http://e/> .\nex:a ex:b ex:c ;\n  ex:d .\n", "invalid Turtle at line 3", 3, None),
    (".ttl", b"ex:a ex:b ex:c .\n", "invalid Turtle at line 1", 1, None),
    (".nt", b"<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n",
     "invalid N-Triples at line 2", 2, None),
    (".nq", b'<http://e/a> <http://e/b> "x" "g" .\n', "invalid N-Quads at line 1", 1, None),
    (".trig", b"<http://e/g> { <http://e/a> <http://e/b> <http://e/c> .\n", "invalid TriG at line", None, None),
    (".jsonld", b'{"@id": "http://e/a",\n "http://e/b": [1,}\n', "invalid JSON-LD at line 2", 2, None),
    (".ttl", b"\xff\xfe<a> <b> <c> .", "invalid Turtle", None, None),
]


@pytest.mark.parametrize("suffix, data, fragment, line, column", BAD,
                         ids=[f"{i}{b[0]}" for i, b in enumerate(BAD)])
def test_validate_bad_rdf_is_input_error_with_position(tmp_path, suffix, data, fragment, line, column):
    path = tmp_path / f"g{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        validate(path)
    err = info.value
    assert str(err).startswith(f"{path}: ")
    assert fragment in str(err)
    if line is not None:
        assert err.line == line
    if column is not None:
        assert err.column == column


def test_validate_missing_file_folder_and_unknown_suffix(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        validate(tmp_path / "nope.ttl")
    folder = tmp_path / "dir.ttl"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        validate(folder)
    other = tmp_path / "g.csv"
    other.write_text("a,b\n")
    with pytest.raises(InputError, match=r"cannot tell the RDF format from the suffix '\.csv'; known: .*\.ttl"):
        validate(other)
    with pytest.raises(InputError, match="unknown RDF format 'tutle'"):
        read_rdf(b"", "tutle")


def test_validate_read_rdf_dataset_is_union(small_kg):
    g = read_rdf(exporters.export(small_kg, "nquads"), "nquads")
    assert isinstance(g, Graph) and set(g) == set(to_rdf(small_kg))


# --- from_rdf on graphs it did not write ------------------------------------------------

def test_validate_from_rdf_names_the_broken_node(small_kg):
    g = to_rdf(small_kg)
    g.remove((entity_iri("acme"), RDFS.label, None))
    with pytest.raises(InputError, match=r"kgr/acme|resource/acme> has no rdfs:label"):
        from_rdf(g)
    g = to_rdf(small_kg)
    g.add((entity_iri("acme"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
           URIRef("https://w3id.org/entity-kg/ontology#Person")))
    with pytest.raises(InputError, match="has 2 entity classes: Company, Person"):
        from_rdf(g)


def test_validate_from_rdf_of_the_hand_written_fixture():
    """valid.ttl was written by hand: its assertion and evidence IRIs are not
    the hashes that to_rdf mints, but everything else comes back the same."""
    g = read_rdf(DATA / "shapes" / "valid.ttl")
    kg = from_rdf(g)
    assert len(kg.entities) > 10 and kg.relations

    def minted(t) -> bool:  # noqa: ANN001
        return any("/assertion/" in str(x) or "/evidence/" in str(x) for x in t)

    again = to_rdf(kg)
    # the two entailed triples the fixture states without an assertion are not read
    ekg = "https://w3id.org/entity-kg/ontology#"
    entailed = {(entity_iri("liang-wenfeng"), URIRef(ekg + "employeeOf"), entity_iri("deepseek")),
                (entity_iri("nvidia"), URIRef(ekg + "competitorOf"), entity_iri("huawei"))}
    assert {t for t in again if not minted(t)} == {t for t in g if not minted(t)} - entailed
    assert len(again) == len(g) - len(entailed)
    assert validate(again).conforms
