"""The streaming Turtle writer (issue 7): same triples as to_rdf, any string, fixed layout."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph import exporters
from graph.exporters.turtle import HEADER, PREFIXES, escape_string, generate_turtle
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation
from graph.rdf.convert import to_rdf

HOSTILE = [
    'plain "double" \'single\' ‘curly’ “curly” «guillemets» „low“ `back` ′prime″',
    "back\\slash \\n \\u0041 \\U0001F600 \\\" \\' ends with \\",
    "line\nfeed, carriage\rreturn, both\r\n, tab\there",
    '"""triple""" \'\'\'triple\'\'\' "" ends with a quote"',
    '"starts with a quote',
    "@prefix ex: <http://evil/> . @base <http://evil/> . PREFIX x: <y:> .",
    "<http://evil> <javascript:alert(1)> _:b0 ?x $y ; , . [ ] ( ) { } # not a comment",
    "emoji 🦄 👩‍👩‍👧‍👦 🏳️‍🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "RTL שלום مرحبا \u202eevil\u202c \u200fmark\u200e \u2066isolate\u2069 \u061c",
    "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom",
    "controls nul\x00 bel\x07 bs\x08 vt\x0b ff\x0c esc\x1b del\x7f c1\x85\x9f",
    "separators ls\u2028 ps\u2029",
    "noncharacters \ufffe \uffff \ufdd0 \U0001fffe \U0010ffff",
    "",
    " ",
]


def _ev(doc: str, sentence: str, start: int = 0, conf: float = 0.5, rule: str = "r_v1") -> Evidence:
    return Evidence(doc_id=doc, start=start, end=start + max(len(sentence), 1), sentence=sentence,
                    rule_id=rule, confidence=conf)


def hostile_graph() -> KnowledgeGraph:
    ents = tuple(Entity(id=f"e{i}", type="Company", label=s if s.strip() else f"blank {i}",
                        aliases=tuple(x for x in HOSTILE if x.strip() and x != s))
                 for i, s in enumerate(HOSTILE))
    rels = tuple(Relation(subject=f"e{i}", predicate="partnerIn", object=f"e{i + 1}",
                          evidence=(_ev("d1", s if s.strip() else f"blank {i}", start=i),
                                    _ev("d 2", s[::-1] if s.strip() else f"{i} knalb", start=i)))
                 for i, s in enumerate(HOSTILE[:-1]))
    docs = (Document(id="d1", source="news/" + HOSTILE[0], content_hash="sha256:" + "1" * 64),
            Document(id="d 2", source=HOSTILE[6], content_hash="sha256:" + "2" * 64))
    mentions = (("d1", tuple(e.id for e in ents)), ("d 2", ("e0", "e1")))
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels, mentions_by_doc=mentions)


def every_field_graph() -> KnowledgeGraph:
    """Every optional field of the model set, so a field the writer misses shows."""
    m = Mention(doc_id="d1", start=0, end=4, text="Acme", type="Company", rule_id="gazetteer")
    ents = (
        Entity(id="acme", type="Company", label="Acme", aliases=("Acme Corp.", "ACME"), mentions=(m,),
               wikidata="Q42", parameter_count=7, market_share=Decimal("0.125")),
        Entity(id="model-x", type="AIModel", label="Model X", aliases=("X",), mentions=(m,),
               wikidata="Q7", parameter_count=671_000_000_000, market_share=Decimal("0.5")),
    )
    rel = Relation(subject="acme", predicate="investsIn", object="model-x",
                   evidence=(_ev("d1", "Acme put $5 billion into Model X.", 3, 0.8),
                             _ev("d2", "Again.", 9, 0.6, "other_v1")),
                   confidence=0.92, amount=Decimal("5000000000"), currency="USD", count=2048, date="2024-05-17")
    docs = (Document(id="d1", source="a/b/d1.txt", content_hash="sha256:" + "a" * 64, chars=40,
                     title='Acme "makes" \\ Widget\u2028X <b>né</b>', date="2024-05-06",
                     url="https://news.example/a?b=1&c=%3C2%3E#x'y"),
            Document(id="d2", source="<text 2>", content_hash="sha256:" + "b" * 64, chars=6))
    return KnowledgeGraph(documents=docs, entities=ents, relations=(rel,),
                          mentions_by_doc=(("d1", ("acme", "model-x")), ("d2", ("acme",))))


def both_parsers(data: bytes) -> tuple[rdflib.Graph, rdflib.Graph]:
    g1 = rdflib.Graph().parse(data=data, format="turtle")
    quads = ox.parse(data, format=ox.RdfFormat.TURTLE)
    nt = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return g1, rdflib.Graph().parse(data=nt, format="nt")


# --- the same triples as graph.rdf --------------------------------------------------------


def test_exporters_turtle_every_model_field_gives_the_triples_of_to_rdf():
    kg = every_field_graph()
    for cls, obj in ((Entity, kg.entities[0]), (Relation, kg.relations[0]), (Document, kg.documents[0])):
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else None
            assert getattr(obj, f.name) not in (default, (), None), \
                f"every_field_graph() must set {cls.__name__}.{f.name}: the writer may not cover it"
    want = to_rdf(kg)
    for g in both_parsers(generate_turtle(kg)):
        assert set(g) == set(want)


def test_exporters_turtle_hostile_strings_survive_both_parsers():
    kg = hostile_graph()
    data = generate_turtle(kg)
    want = to_rdf(kg)
    for g in both_parsers(data):
        assert isomorphic(g, want) and set(g) == set(want)
    labels = {str(o) for o in rdflib.Graph().parse(data=data, format="turtle").objects(None, rdflib.RDFS.label)}
    assert {s for s in HOSTILE if s.strip()} <= labels


def test_exporters_turtle_one_statement_per_line_and_no_invisible_controls():
    text = generate_turtle(hostile_graph()).decode("utf-8")
    for ch in ["\r", "\x00", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\ufffe",
               "\U0010ffff"]:
        assert ch not in text, f"{ch!r} written raw"
    for line in text.split("\n"):
        # every line is a comment, a prefix, blank, a subject, a predicate or a continued object
        assert line == "" or line.startswith(("#", "@prefix ", "kgr:", "<https://", "    ")), line
        if line.startswith("    ") and not line.startswith("        "):
            assert line.endswith((" ;", " .", ",")), line


@pytest.mark.parametrize(("text", "want"), [
    ('a"b', '"a\\"b"'),
    ("a\\b", '"a\\\\b"'),
    ("a\nb\rc\td", '"a\\nb\\rc\\td"'),
    ("\x00\x1f\x7f\x85", '"\\u0000\\u001F\\u007F\\u0085"'),
    ("\u2028\u2029\u202e\ufeff", '"\\u2028\\u2029\\u202E\\uFEFF"'),
    ("\ufffe\uffff\U0001fffe", '"\\uFFFE\\uFFFF\\U0001FFFE"'),
    ("é 東京 🦄 \u200d", '"é 東京 🦄 \u200d"'),
    ('"""', '"\\"\\"\\""'),
])
def test_exporters_turtle_escape_string(text, want):
    assert escape_string(text) == want
    g = rdflib.Graph().parse(data=f"<http://e/a> <http://e/b> {want} .", format="turtle")
    assert [str(o) for o in g.objects()] == [text]
    assert [q.object.value for q in ox.parse(f"<http://e/a> <http://e/b> {want} .".encode(),
                                               format=ox.RdfFormat.TURTLE)] == [text]


# --- layout and determinism ------------------------------------------------------------------


def test_exporters_turtle_layout(small_kg):
    text = exporters.export(small_kg, "turtle").decode()
    assert text.startswith(HEADER)
    prefixes = [ln for ln in text.splitlines() if ln.startswith("@prefix")]
    assert prefixes == [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES] and [p for p, _ in PREFIXES] == sorted(
        p for p, _ in PREFIXES)
    assert text.index("# Entities") < text.index("# Relations") < text.index("# Documents")
    assert ('kgr:acme a ekg:Company ;\n    rdfs:label "Acme" ;\n    skos:altLabel "Acme Corp." ;\n'
            "    ekg:headquarteredIn kgr:springfield ;\n    ekg:manufacturerOf kgr:widget-x .\n") in text
    # an assertion is followed by its evidence
    a = text.index("a ekg:Assertion ;\n    rdf:object kgr:widget-x")
    assert text.index("a ekg:Evidence", a) < text.index("a ekg:Assertion", a + 1)
    assert 'ekg:amount 5000000.0 ;' in text and 'ekg:date "2024-05"^^xsd:gYearMonth' in text


def test_exporters_turtle_bytes_do_not_depend_on_tuple_order():
    kg = every_field_graph()
    first = generate_turtle(kg)
    rel = kg.relations[0]
    shuffled = KnowledgeGraph(
        documents=kg.documents[::-1],
        entities=tuple(dataclasses.replace(e, aliases=e.aliases[::-1]) for e in kg.entities[::-1]),
        relations=(dataclasses.replace(rel, evidence=rel.evidence[::-1]),),
        mentions_by_doc=tuple((d, ids[::-1]) for d, ids in kg.mentions_by_doc[::-1]))
    assert generate_turtle(shuffled) == first


def test_exporters_turtle_duplicate_statements_are_written_once():
    ev = _ev("d1", "Acme makes X.")
    kg = KnowledgeGraph(
        entities=(Entity(id="a", type="Company", label="A", aliases=("A", "B", "B")),
                  Entity(id="x", type="Product", label="X")),
        relations=(Relation(subject="a", predicate="manufacturerOf", object="x", evidence=(ev, ev)),))
    text = generate_turtle(kg).decode()
    assert text.count('"B"') == 1 and text.count("a ekg:Evidence") == 1
    assert set(rdflib.Graph().parse(data=text, format="turtle")) == set(to_rdf(kg))


# --- what cannot be written -----------------------------------------------------------------------


def test_exporters_turtle_lone_surrogate_is_a_value_error():
    kg = KnowledgeGraph(entities=(Entity(id="a", type="Company", label="bad \ud800 half"),))
    with pytest.raises(ValueError, match="lone surrogate"):
        generate_turtle(kg)


@pytest.mark.parametrize("bad_id", ["a b", "a>b", 'a"b', "a{b}", "a\\b"])
def test_exporters_turtle_entity_id_that_is_no_iri_is_a_value_error(bad_id):
    with pytest.raises(ValueError, match="cannot write IRI"):
        generate_turtle(KnowledgeGraph(entities=(Entity(id=bad_id, type="Company", label="A"),)))


def test_exporters_turtle_odd_but_valid_ids_use_full_iris():
    kg = KnowledgeGraph(entities=(Entity(id="3m", type="Company", label="3M"),
                                  Entity(id="a.", type="Company", label="A."),
                                  Entity(id="é", type="Company", label="É")))
    text = generate_turtle(kg).decode()
    assert "<https://w3id.org/entity-kg/resource/3m>" in text and "kgr:3m" not in text
    assert "<https://w3id.org/entity-kg/resource/a.>" in text
    for g in both_parsers(text.encode()):
        assert set(g) == set(to_rdf(kg))
