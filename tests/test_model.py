from decimal import Decimal

import pytest

from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation, subclasses, superclasses


def ev(conf=0.8):
    return Evidence(doc_id="d", start=0, end=5, sentence="x", rule_id="r_v1", confidence=conf)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Mention(doc_id="d", start=7, end=3, text="x", type="Company", rule_id="r"), "end (3) must be greater than start (7)"),
        (lambda: Mention(doc_id="d", start=0, end=3, text="x", type="Firm", rule_id="r"), "Mention.type ('Firm')"),
        (lambda: Evidence(doc_id="d", start=0, end=5, sentence="x", rule_id="r", confidence=1.5), "confidence (1.5)"),
        (lambda: Entity(id="a", type="Company", label="  "), "label of 'a' must not be empty"),
        (lambda: Entity(id="a", type="Company", label="A", market_share=Decimal("1.2")), "market_share"),
        (lambda: Entity(id="a", type="Company", label="A", aliases=("A Inc.", " ")), "aliases of 'a' must not contain an empty name"),
        (lambda: Entity(id="a", type="Company", label="A", wikidata="wd:Q95"), "wikidata of 'a' ('wd:Q95') is not a Wikidata id"),
        (lambda: Entity(id="a", type="Company", label="A", wikidata="Q0"), "('Q0') is not a Wikidata id"),
        (lambda: Evidence(doc_id="d", start=0, end=5, sentence=" \n", rule_id="r", confidence=0.5), "sentence of 'd' at 0 must not be empty"),
        (lambda: Relation(subject="a", predicate="employs", object="b", evidence=(ev(),)), "predicate ('employs')"),
        (lambda: Relation(subject="a", predicate="uses", object="b", evidence=()), "needs evidence"),
        (lambda: Document(id="d", source="s", content_hash="", title=" Padded"), "Document.title (' Padded')"),
        (lambda: Document(id="d", source="s", content_hash="", date="2023-02-29"), "Document.date ('2023-02-29')"),
        (lambda: Document(id="d", source="s", content_hash="", date="5 May 2024"), "Document.date ('5 May 2024')"),
        (lambda: Document(id="d", source="s", content_hash="", url="javascript:alert(1)"), "Document.url ('javascript:alert(1)')"),
        (lambda: Document(id="d", source="s", content_hash="", url="https://a.example/x y"), "Document.url"),
    ],
)
def test_model_rejects_invalid_values_naming_field(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_model_relation_confidence_defaults_to_best_evidence():
    r = Relation(subject="a", predicate="uses", object="b", evidence=(ev(0.3), ev(0.7)))
    assert r.confidence == 0.7


def test_model_graph_sorted_and_checked():
    b, a = Entity(id="b", type="Company", label="B"), Entity(id="a", type="Company", label="A")
    kg = KnowledgeGraph(entities=(b, a), relations=(Relation(subject="b", predicate="uses", object="a", evidence=(ev(),)),))
    assert [e.id for e in kg.entities] == ["a", "b"]
    assert kg.triples() == {("B", "uses", "A")}
    assert kg.find("a").label == "A" and kg.find("nobody") is None
    with pytest.raises(ValueError, match="unknown entity 'zz'"):
        KnowledgeGraph(entities=(a,), relations=(Relation(subject="a", predicate="uses", object="zz", evidence=(ev(),)),))
    with pytest.raises(ValueError, match="duplicate ids"):
        KnowledgeGraph(entities=(a, a))


def test_model_class_hierarchy():
    assert superclasses("City") == ("City", "Place")
    assert set(subclasses("Organization")) == {"Organization", "Company", "GovernmentBody"}


def test_document_keeps_stated_metadata():
    doc = Document(id="d", source="s", content_hash="", title="Chip Sales Soar", date="2024-02-29",
                   url="https://news.example/chips?id=1")
    assert (doc.title, doc.date, doc.url) == ("Chip Sales Soar", "2024-02-29", "https://news.example/chips?id=1")
    assert Document(id="d", source="s", content_hash="").title is None
