"""The RDF form of a graph: entities, relation triples and their provenance.

The only module that mints IRIs. Layout (see ``ontology/kg.ttl``)::

    kgr:nvidia a ekg:Company ; rdfs:label "Nvidia" ; skos:altLabel "Nvidia Corp." .
    kgr:nvidia ekg:supplierOf kgr:h800 .
    kgr:assertion/<hash> a ekg:Assertion ; rdf:subject kgr:nvidia ;
        rdf:predicate ekg:supplierOf ; rdf:object kgr:h800 ;
        ekg:confidence 0.85 ; ekg:evidence kgr:evidence/<hash> .
    kgr:evidence/<hash> a ekg:Evidence ; prov:wasDerivedFrom kgr:document/<id> ;
        ekg:sentence "..." ; ekg:charStart 10 ; ekg:charEnd 90 ; ekg:rule "..." ;
        ekg:confidence 0.85 .
    kgr:document/<id> a ekg:Document ; rdfs:label "file.txt" ; ekg:mentions kgr:nvidia .

No blank nodes, so every serialisation is deterministic and graphs built
from the same input are equal, not merely isomorphic.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.model import Entity, Evidence, KnowledgeGraph, Relation
from graph.resolve import slug
from graph.vocab import EKG, RESOURCE_BASE

WD = Namespace("http://www.wikidata.org/entity/")


def entity_iri(entity_id: str, base: str = RESOURCE_BASE) -> URIRef:
    """Return the IRI of an entity id (ids are slugs, so always valid)."""
    return URIRef(base + entity_id)


def document_iri(doc_id: str, base: str = RESOURCE_BASE) -> URIRef:
    """Return the IRI of a source document."""
    return URIRef(f"{base}document/{slug(doc_id)}")


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def relation_iri(rel: Relation, base: str = RESOURCE_BASE) -> URIRef:
    """Return the IRI of a relation's assertion node (hash of s, p, o)."""
    return URIRef(f"{base}assertion/{_hash(rel.subject, rel.predicate, rel.object)}")


def evidence_iri(rel: Relation, ev: Evidence, base: str = RESOURCE_BASE) -> URIRef:
    """Return the IRI of one piece of evidence of a relation."""
    key = _hash(rel.subject, rel.predicate, rel.object, ev.doc_id, ev.start, ev.end, ev.rule_id)
    return URIRef(f"{base}evidence/{key}")


def _decimal(value: float | Decimal) -> Literal:
    """An xsd:decimal in canonical form ("0.85", "5000000.0"), so parsers agree."""
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def _date(value: str) -> Literal:
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.gYear)


def new_graph(base: str = RESOURCE_BASE) -> Graph:
    """Return an empty graph with the project's prefixes bound."""
    g = Graph(bind_namespaces="core")
    _bind(g, base)
    return g


def _bind(g: Graph | Dataset, base: str) -> None:
    g.bind("ekg", str(EKG._NS))
    g.bind("kgr", base)
    g.bind("skos", SKOS)
    g.bind("prov", PROV)
    g.bind("owl", OWL)
    g.bind("wd", WD)


def _entity_triples(ent: Entity, base: str):  # noqa: ANN202
    node = entity_iri(ent.id, base)
    yield node, RDF.type, EKG[ent.type]
    yield node, RDFS.label, Literal(ent.label)
    for alias in ent.aliases:
        yield node, SKOS.altLabel, Literal(alias)
    if ent.wikidata:
        yield node, OWL.sameAs, WD[ent.wikidata]
    if ent.parameter_count is not None:
        yield node, EKG.parameterCount, Literal(ent.parameter_count, datatype=XSD.integer)
    if ent.market_share is not None:
        yield node, EKG.marketShare, _decimal(ent.market_share)


def _relation_triples(rel: Relation, base: str, doc_id: str | None = None):  # noqa: ANN202
    s, o = entity_iri(rel.subject, base), entity_iri(rel.object, base)
    yield s, EKG[rel.predicate], o
    node = relation_iri(rel, base)
    yield node, RDF.type, EKG.Assertion
    yield node, RDF.subject, s
    yield node, RDF.predicate, EKG[rel.predicate]
    yield node, RDF.object, o
    evs = [e for e in rel.evidence if doc_id is None or e.doc_id == doc_id]
    yield node, EKG.confidence, _decimal(rel.confidence)
    if rel.amount is not None:
        yield node, EKG.amount, _decimal(rel.amount)
    if rel.currency:
        yield node, EKG.currency, Literal(rel.currency)
    if rel.count is not None:
        yield node, EKG["count"], Literal(rel.count, datatype=XSD.integer)
    if rel.date:
        yield node, EKG.date, _date(rel.date)
    for ev in evs:
        en = evidence_iri(rel, ev, base)
        yield node, EKG.evidence, en
        yield en, RDF.type, EKG.Evidence
        yield en, PROV.wasDerivedFrom, document_iri(ev.doc_id, base)
        yield en, EKG.sentence, Literal(ev.sentence)
        yield en, EKG.charStart, Literal(ev.start, datatype=XSD.integer)
        yield en, EKG.charEnd, Literal(ev.end, datatype=XSD.integer)
        yield en, EKG.rule, Literal(ev.rule_id)
        yield en, EKG.confidence, _decimal(ev.confidence)


def _document_triples(kg: KnowledgeGraph, doc_id: str, base: str):  # noqa: ANN202
    doc = next(d for d in kg.documents if d.id == doc_id)
    node = document_iri(doc.id, base)
    yield node, RDF.type, EKG.Document
    yield node, RDFS.label, Literal(doc.source.rsplit("/", 1)[-1] if not doc.source.startswith("<") else doc.id)
    yield node, EKG.contentHash, Literal(doc.content_hash)
    for d, ids in kg.mentions_by_doc:
        if d == doc_id:
            for eid in ids:
                yield node, EKG.mentions, entity_iri(eid, base)


def to_rdf(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Graph:
    """Return the whole graph as one rdflib ``Graph``.

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> g = to_rdf(KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),)))
        >>> sorted(str(o) for o in g.objects())
        ['Acme', 'https://w3id.org/entity-kg/ontology#Company']
    """
    g = new_graph(base)
    for ent in kg.entities:
        for t in _entity_triples(ent, base):
            g.add(t)
    for rel in kg.relations:
        for t in _relation_triples(rel, base):
            g.add(t)
    for doc in kg.documents:
        for t in _document_triples(kg, doc.id, base):
            g.add(t)
    return g


def to_dataset(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Dataset:
    """Return the graph as a dataset: entities in the default graph, and one
    named graph per document (its IRI) holding the relations it states, their
    provenance and the document's own description.
    """
    ds = Dataset()
    _bind(ds, base)
    default = ds.default_context
    for ent in kg.entities:
        for t in _entity_triples(ent, base):
            default.add(t)
    for doc in kg.documents:
        ctx = ds.graph(document_iri(doc.id, base))
        for t in _document_triples(kg, doc.id, base):
            ctx.add(t)
        for rel in kg.relations:
            if any(e.doc_id == doc.id for e in rel.evidence):
                for t in _relation_triples(rel, base, doc.id):
                    ctx.add(t)
    return ds
