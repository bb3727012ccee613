"""The fast validator (SPARQL on Oxigraph) against the reference (pySHACL): the same results.

Both engines run on the same data, and every validation result must be the
same: focus node, result path, source shape, value and constraint component
(and the owning shape and message the report prints), counted with
multiplicity. The data: every fixture of ``tests/data/shapes``, one graph per
kind of broken value below (every constraint the shapes use, with the odd
literals where SPARQL and rdflib read a value differently), the sample graph,
the development articles, and a generated 300-document graph with thousands
of domain and range violations.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA
from rdflib import Graph

from graph.rdf.convert import read_rdf, to_rdf
from graph.rdf.validate import Report, validate

SHAPES_DIR = DATA / "shapes"
FIXTURES = [SHAPES_DIR / "valid.ttl", *sorted((SHAPES_DIR / "invalid").glob("*.ttl"))]
EV = "evidence:7610d67a5b1a72f5"
AS = "assertion:6a054ac792d818c2"


def _norm(text: str | None) -> str | None:
    """RDF 1.1: "x"^^xsd:string is the literal "x" (pySHACL's Oxigraph view prints the
    datatype, the fast engine does not); blank node labels are per parse."""
    if text is None:
        return None
    if re.fullmatch(r"(_:)?[A-Za-z0-9]{16,}", text):  # a blank node (rdflib prints it bare)
        return "_:b"
    return re.sub(r"_:[A-Za-z0-9]+", "_:b", text.removesuffix("^^xsd:string"))


def results(report: Report) -> Counter:
    return Counter((_norm(v.focus), v.path, v.source_shape, _norm(v.value), v.component, v.shape,
                    _norm(v.message), v.severity) for v in report.violations)


def assert_same(fast: Report, ref: Report) -> None:
    assert (fast.conforms, fast.triples) == (ref.conforms, ref.triples)
    a, b = results(fast), results(ref)
    assert a == b, f"fast only: {sorted((a - b).elements())}\npyshacl only: {sorted((b - a).elements())}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_shacl_equivalence_fixture(path: Path):
    fast = validate(path)
    assert_same(fast, validate(path, engine="pyshacl"))
    assert fast.conforms == (path.parent.name != "invalid")


# (name, Turtle added to valid.ttl, (subject, predicate) pairs removed first)
CASES = [
    ("label-lang-tag", 'kgr:deepseek rdfs:label "DeepSeek"@en .', [("kgr:deepseek", "rdfs:label")]),
    ("label-integer", 'kgr:deepseek rdfs:label 5 .', [("kgr:deepseek", "rdfs:label")]),
    ("label-empty", 'kgr:deepseek rdfs:label "" .', [("kgr:deepseek", "rdfs:label")]),
    ("label-two", 'kgr:deepseek rdfs:label "DeepSeek Inc" .', []),
    ("label-iri", 'kgr:deepseek rdfs:label kgr:x .', [("kgr:deepseek", "rdfs:label")]),
    ("altlabel-empty-and-iri", 'kgr:deepseek skos:altLabel "", kgr:y .', []),
    ("charstart-ill-typed", f'{EV} ekg:charStart "abc"^^xsd:integer .', [(EV, "ekg:charStart")]),
    ("charstart-plus-sign", f'{EV} ekg:charStart "+5"^^xsd:integer .', [(EV, "ekg:charStart")]),
    ("charstart-negative", f'{EV} ekg:charStart -1 .', [(EV, "ekg:charStart")]),
    ("charstart-string", f'{EV} ekg:charStart "3" .', [(EV, "ekg:charStart")]),
    ("charstart-not-less", f'{EV} ekg:charStart 5000 .', [(EV, "ekg:charStart")]),
    ("charstart-equal", f'{EV} ekg:charStart 10 . {EV} ekg:charEnd 10 .',
     [(EV, "ekg:charStart"), (EV, "ekg:charEnd")]),
    ("charend-two", f'{EV} ekg:charEnd 11, 12 .', []),
    ("charend-missing", "", [(EV, "ekg:charEnd")]),
    ("confidence-double", f'{EV} ekg:confidence "0.5"^^xsd:double .', [(EV, "ekg:confidence")]),
    ("confidence-high-low", f'{EV} ekg:confidence 1.5 . {AS} ekg:confidence -0.25 .',
     [(EV, "ekg:confidence"), (AS, "ekg:confidence")]),
    ("confidence-text", f'{AS} ekg:confidence "high" .', [(AS, "ekg:confidence")]),
    ("confidence-integer", f'{AS} ekg:confidence 1 .', [(AS, "ekg:confidence")]),
    ("market-share", 'kgr:nvidia ekg:marketShare 2.0 .', [("kgr:nvidia", "ekg:marketShare")]),
    ("parameter-count", 'kgr:deepseek-v3 ekg:parameterCount 0, " 7"^^xsd:integer .',
     [("kgr:deepseek-v3", "ekg:parameterCount")]),
    ("count-negative", f'{AS} ekg:count -3 .', []),
    ("amount-string", f'{AS} ekg:amount "lots" .', []),
    ("currency", f'{AS} ekg:currency "usd" .', []),
    ("currency-newline", f'{AS} ekg:currency "USD\\n" .', []),
    ("date-kinds", (f'{AS} ekg:date "2021-02-30"^^xsd:date, "20x1"^^xsd:gYear, "2021-01-01", '
     '"2021-01-01T00:00:00"^^xsd:dateTime .'), []),
    ("date-good-and-bad-month", f'{AS} ekg:date "2021-13"^^xsd:gYearMonth .', []),
    ("content-hash", 'document:stargate-announcement ekg:contentHash "sha256:ABC", "md5:0" .', []),
    ("document-title", 'document:stargate-announcement <http://purl.org/dc/terms/title> "", "Two"@en .', []),
    ("document-date", ('document:stargate-announcement <http://purl.org/dc/terms/date> "2024-02-30"^^xsd:date, '
                       '"2024-03-05", "2024-03-05T10:00:00"^^xsd:dateTime .'), []),
    ("document-url", ('document:stargate-announcement <https://schema.org/url> "ftp://x.example/"^^xsd:anyURI, '
                      '"https://a.example/", <https://b.example/> .'), []),
    ("same-as", 'kgr:deepseek owl:sameAs <http://example.org/Q1>, "Q1" .', []),
    ("same-as-blank", 'kgr:deepseek owl:sameAs [ rdfs:label "x" ] .', []),
    ("predicate-not-relation", f'{AS} rdf:predicate ekg:mentions .', [(AS, "rdf:predicate")]),
    ("subject-literal", f'{AS} rdf:subject "OpenAI" .', [(AS, "rdf:subject")]),
    ("object-missing", "", [(AS, "rdf:object")]),
    ("evidence-broken", f'{EV} ekg:sentence "" .', [(EV, "ekg:sentence")]),
    ("evidence-second-broken", f'{AS} ekg:evidence evidence:extra . evidence:extra a ekg:Evidence .', []),
    ("evidence-none", "", [(AS, "ekg:evidence")]),
    ("evidence-not-evidence", f'{AS} ekg:evidence kgr:openai .', [(AS, "ekg:evidence")]),
    ("entity-two-classes", 'kgr:deepseek a ekg:Person, ekg:Document .', []),
    ("entity-superclass", 'kgr:deepseek a ekg:Organization .', []),
    ("entity-blank", '[] a ekg:Company ; rdfs:label "Blank Co" .', []),
    ("entity-data-subclass", 'ex:Startup rdfs:subClassOf ekg:Company . kgr:newco a ex:Startup .', []),
    ("mentions-literal", 'document:stargate-announcement ekg:mentions "OpenAI", kgr:nowhere .', []),
    ("range-or", 'kgr:nvidia ekg:supplierOf kgr:liang-wenfeng .', []),
    ("domain-class", 'kgr:nvidia ekg:trainedOn kgr:h800 .', []),
    ("no-provenance", 'kgr:openai ekg:acquired kgr:oracle . kgr:oracle ekg:competitorOf kgr:openai .', []),
    ("assertion-not-in-graph", "", [("kgr:openai", "ekg:partnerIn")]),
    ("document-blank-and-label", '[] a ekg:Document . document:stargate-announcement rdfs:label "x", "y" .',
     []),
]


def _mutated(name: str, added: str, removed: list[tuple[str, str]]) -> bytes:
    head = SHAPES_DIR.joinpath("valid.ttl").read_text(encoding="utf-8")
    g = Graph().parse(data=head + "\n@prefix ex: <http://example.org/> .\n", format="turtle")
    for s, p in removed:
        g.remove((g.namespace_manager.expand_curie(s), g.namespace_manager.expand_curie(p), None))
    if added:
        g.parse(data=head.split("# --- Documents")[0] + "@prefix ex: <http://example.org/> .\n" + added,
                format="turtle")
    return g.serialize(format="nt", encoding="utf-8")


@pytest.mark.parametrize("name, added, removed", CASES, ids=[c[0] for c in CASES])
def test_shacl_equivalence_broken_value(name, added, removed):
    data = _mutated(name, added, removed)
    assert_same(validate(data, format="ntriples"), validate(data, format="ntriples", engine="pyshacl"))


def test_shacl_equivalence_cases_cover_every_constraint_the_shapes_use():
    seen = set()
    for name, added, removed in CASES:
        seen |= {v.component for v in validate(_mutated(name, added, removed), format="ntriples").violations}
    shapes = SHAPES_DIR.parent.parent.parent / "ontology" / "shapes.ttl"
    used = {"ClassConstraintComponent", "DatatypeConstraintComponent", "NodeKindConstraintComponent",
            "MinCountConstraintComponent", "MaxCountConstraintComponent", "MinLengthConstraintComponent",
            "PatternConstraintComponent", "MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent",
            "InConstraintComponent", "OrConstraintComponent", "LessThanConstraintComponent",
            "QualifiedMinCountConstraintComponent", "SPARQLConstraintComponent"}
    text = shapes.read_text(encoding="utf-8")
    for comp in used:
        key = "sh:" + comp[0].lower() + comp[1:].removesuffix("ConstraintComponent")
        assert key in text or comp in ("SPARQLConstraintComponent", "QualifiedMinCountConstraintComponent"), comp
    assert seen == used


def test_shacl_equivalence_report_text_and_exit_code_match(tmp_path, capsys):
    from graph.cli.main import main

    data = _mutated(*CASES[0])
    path = tmp_path / "broken.nt"
    path.write_bytes(data)
    assert main(["validate", str(path)]) == 1
    fast = capsys.readouterr().out
    assert main(["validate", str(path), "--engine", "pyshacl"]) == 1
    assert capsys.readouterr().out == fast
    assert "kgr:deepseek ('DeepSeek'): EntityShape rdfs:label: Entity must have exactly one rdfs:label" in fast


def test_shacl_equivalence_sample_graph(sample_kg):
    fast = validate(sample_kg)
    assert fast.conforms and fast.triples == len(to_rdf(sample_kg))
    assert_same(fast, validate(to_rdf(sample_kg), engine="pyshacl"))


@pytest.mark.slow
def test_shacl_equivalence_dev_articles(tmp_path):
    from conftest import require_model

    import graph

    require_model()
    kg = graph.build(sorted((DATA / "corpus" / "dev").glob("*.txt")))
    fast = validate(kg)
    assert fast.conforms
    assert_same(fast, validate(kg, engine="pyshacl"))


@pytest.mark.slow
def test_shacl_equivalence_generated_300_documents():
    """Random relations between random entities: thousands of domain, range and class results."""
    from bench.bench_build import synthetic_kg

    kg = synthetic_kg(entities=3000, relations=1200, documents=300, seed=1)
    g = to_rdf(kg)
    # and some broken values in bulk: labels in a language, confidences out of range
    for i, (s, p, o) in enumerate(sorted(g.triples((None, g.namespace_manager.expand_curie("rdfs:label"),
                                                           None)))):
        if i % 97 == 0:
            g.remove((s, p, o))
            g.add((s, p, type(o)(str(o), lang="en")))
    fast = validate(g)
    assert not fast.conforms and len(fast.violations) > 1000
    assert_same(fast, validate(g, engine="pyshacl"))
    # the model itself (the build's path: N-Triples into Oxigraph) gives what rdflib's copy gives
    assert_same(validate(kg), validate(read_rdf(to_rdf(kg).serialize(format="nt", encoding="utf-8"),
                                                "ntriples"), engine="pyshacl"))


@pytest.mark.parametrize("data, fmt", [
    (b"@prefix e: <http://e/> .\ne:a e:b <<( e:c e:d e:f )>> .\n", "turtle"),   # an RDF 1.2 triple term
    (b'@prefix e: <http://e/> .\ne:a e:b "x .\n', "turtle"),                       # a syntax error
], ids=["triple-term", "syntax-error"])
def test_shacl_equivalence_bad_input_is_the_same_error(data, fmt):
    from graph.errors import InputError

    errors = []
    for engine in ("fast", "pyshacl"):
        with pytest.raises(InputError) as info:
            validate(data, format=fmt, name="g.ttl", engine=engine)
        errors.append(str(info.value))
    assert errors[0] == errors[1] and errors[0].startswith("g.ttl: ")
