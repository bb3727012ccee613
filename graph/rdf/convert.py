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
    kgr:document/<id> a ekg:Document ; rdfs:label "file.txt" ; ekg:mentions kgr:nvidia ;
        dcterms:title "..." ; dcterms:date "2025-01-27"^^xsd:date ;
        schema:url "https://..."^^xsd:anyURI .       # when the input states them

No blank nodes, so every serialisation is deterministic and graphs built
from the same input are equal, not merely isomorphic.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.errors import InputError
from graph.rdf.formats import rdf_format
from graph.model import (
    ENTITY_TYPES,
    PREDICATES,
    Document,
    Entity,
    Evidence,
    KnowledgeGraph,
    Relation,
)
from graph.extract.resolve import slug
from graph.vocab import DCT, EKG, PREFIXES, RESOURCE_BASE, SCHEMA, WD


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
    # the document as the graph names it (its IRI), so that from_rdf can rebuild it
    key = _hash(rel.subject, rel.predicate, rel.object, slug(ev.doc_id), ev.start, ev.end, ev.rule_id)
    return URIRef(f"{base}evidence/{key}")


def decimal_literal(value: float | Decimal) -> Literal:
    """An xsd:decimal in canonical form ("0.85", "5000000.0"), so parsers agree."""
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def date_literal(value: str) -> Literal:
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
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, base if prefix == "kgr" else ns)


def entity_triples(ent: Entity, base: str):  # noqa: ANN202
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
        yield node, EKG.marketShare, decimal_literal(ent.market_share)


def relation_triples(rel: Relation, base: str, doc_id: str | None = None):  # noqa: ANN202
    s, o = entity_iri(rel.subject, base), entity_iri(rel.object, base)
    yield s, EKG[rel.predicate], o
    node = relation_iri(rel, base)
    yield node, RDF.type, EKG.Assertion
    yield node, RDF.subject, s
    yield node, RDF.predicate, EKG[rel.predicate]
    yield node, RDF.object, o
    evs = [e for e in rel.evidence if doc_id is None or e.doc_id == doc_id]
    yield node, EKG.confidence, decimal_literal(rel.confidence)
    if rel.amount is not None:
        yield node, EKG.amount, decimal_literal(rel.amount)
    if rel.currency:
        yield node, EKG.currency, Literal(rel.currency)
    if rel.count is not None:
        yield node, EKG["count"], Literal(rel.count, datatype=XSD.integer)
    if rel.date:
        yield node, EKG.date, date_literal(rel.date)
    for ev in evs:
        en = evidence_iri(rel, ev, base)
        yield node, EKG.evidence, en
        yield en, RDF.type, EKG.Evidence
        yield en, PROV.wasDerivedFrom, document_iri(ev.doc_id, base)
        yield en, EKG.sentence, Literal(ev.sentence)
        yield en, EKG.charStart, Literal(ev.start, datatype=XSD.integer)
        yield en, EKG.charEnd, Literal(ev.end, datatype=XSD.integer)
        yield en, EKG.rule, Literal(ev.rule_id)
        yield en, EKG.confidence, decimal_literal(ev.confidence)


#: Sources that name no file: standard input and texts passed to the API.
_SYNTHETIC_SOURCE = re.compile(r"<stdin>|<text [0-9]+>")


def document_triples(doc: Document, mentioned: Iterable[str], base: str):  # noqa: ANN202
    node = document_iri(doc.id, base)
    yield node, RDF.type, EKG.Document
    synthetic = _SYNTHETIC_SOURCE.fullmatch(doc.source)
    yield node, RDFS.label, Literal(doc.id if synthetic else doc.source.rsplit("/", 1)[-1])
    if doc.content_hash:
        yield node, EKG.contentHash, Literal(doc.content_hash)
    if doc.title is not None:
        yield node, DCT.title, Literal(doc.title)
    if doc.date is not None:
        yield node, DCT.date, Literal(doc.date, datatype=XSD.date)
    if doc.url is not None:
        yield node, SCHEMA.url, Literal(doc.url, datatype=XSD.anyURI)
    for eid in mentioned:
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
        for t in entity_triples(ent, base):
            g.add(t)
    for rel in kg.relations:
        for t in relation_triples(rel, base):
            g.add(t)
    mentioned = dict(kg.mentions_by_doc)
    for doc in kg.documents:
        for t in document_triples(doc, mentioned.get(doc.id, ()), base):
            g.add(t)
    return g


def relations_by_document(kg: KnowledgeGraph) -> dict[str, list[Relation]]:
    """The relations each document states (has evidence for), in graph order:
    what its named graph holds."""
    stated: dict[str, list[Relation]] = {}
    for rel in kg.relations:
        for doc_id in dict.fromkeys(e.doc_id for e in rel.evidence):
            stated.setdefault(doc_id, []).append(rel)
    return stated


def to_dataset(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Dataset:
    """Return the graph as a dataset: entities in the default graph, and one
    named graph per document (its IRI) holding the relations it states, their
    provenance and the document's own description.
    """
    ds = Dataset()
    _bind(ds, base)
    default = ds.default_context
    for ent in kg.entities:
        for t in entity_triples(ent, base):
            default.add(t)
    mentioned = dict(kg.mentions_by_doc)
    stated = relations_by_document(kg)
    for doc in kg.documents:
        ctx = ds.graph(document_iri(doc.id, base))
        for t in document_triples(doc, mentioned.get(doc.id, ()), base):
            ctx.add(t)
        for rel in stated.get(doc.id, ()):
            for t in relation_triples(rel, base, doc.id):
                ctx.add(t)
    return ds


# ---------------------------------------------------------------------------
# Reading: RDF files back into a KnowledgeGraph
# ---------------------------------------------------------------------------

_POSITION = re.compile(r"^Parser error [^:]*: ")

def rdflib_term(t):  # noqa: ANN001, ANN201
    """A pyoxigraph term as the rdflib term that :func:`read_rdf` makes of it."""
    import pyoxigraph

    if isinstance(t, pyoxigraph.NamedNode):
        return URIRef(t.value)
    if isinstance(t, pyoxigraph.BlankNode):
        return BNode(t.value)
    if isinstance(t, pyoxigraph.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == str(XSD.string):  # RDF 1.1: the same literal as a plain one
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"unsupported RDF term {t!r} (RDF-star triple terms are not read)")


def read_source(source: str | Path | bytes, format: str | None = None, *,  # noqa: A002
                name: str = "<data>") -> tuple[bytes, object, str]:
    """The bytes of an RDF file (or the bytes given), its pyoxigraph format, and its name for messages.

    Raises:
        InputError: the file is missing or unreadable, or the format is unknown.
    """
    where = name if isinstance(source, bytes) else str(source)
    fmt = rdf_format(where, format)
    if isinstance(source, bytes):
        return source, fmt, where
    try:
        return Path(source).read_bytes(), fmt, where
    except FileNotFoundError as err:
        raise InputError("no such file", path=where) from err
    except IsADirectoryError as err:
        raise InputError("is a folder, not an RDF file", path=where) from err
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=where) from err


def syntax_error(err: SyntaxError, fmt: object, where: str) -> InputError:
    """Oxigraph's syntax error as an :class:`InputError` naming the line and column."""
    reason = _POSITION.sub("", str(err.msg))
    reason = reason[:1].lower() + reason[1:]
    at = f" at line {err.lineno}, column {err.offset}" if err.lineno else ""
    e = InputError(f"invalid {fmt.name}{at}: {reason}", path=where)  # type: ignore[attr-defined]
    e.line = err.lineno
    e.column = err.offset  # type: ignore[attr-defined]
    return e


def read_rdf(source: str | Path | bytes, format: str | None = None, *, name: str = "<data>") -> Graph:  # noqa: A002
    """Parse an RDF file (or bytes) into one rdflib ``Graph``.

    A dataset format (TriG, N-Quads) gives the union of all its graphs. The
    parser is Oxigraph's, which reports where a syntax error is.

    Args:
        source: a file path, or the data itself as bytes.
        format: ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``jsonld`` or
            ``rdfxml``; by default, from the file suffix (see :func:`rdf_format`).
        name: how to name bytes input in messages.

    Raises:
        InputError: the file is missing or unreadable, the format is unknown,
            or the data is not valid (the message gives line and column).

    Examples:
        >>> g = read_rdf(b'<http://e/a> <http://e/b> "x" .', "ntriples")
        >>> [str(o) for o in g.objects()]
        ['x']
        >>> read_rdf(b'<http://e/a> <http://e/b> "x', "turtle", name="g.ttl")
        Traceback (most recent call last):
        ...
        graph.errors.InputError: g.ttl: invalid Turtle at line 1, column 27: unexpected end of file
    """
    import pyoxigraph

    data, fmt, where = read_source(source, format, name=name)
    g = new_graph()
    try:
        for q in pyoxigraph.parse(data, format=fmt):
            g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    except SyntaxError as err:
        raise syntax_error(err, fmt, where) from err
    except TypeError as err:
        raise InputError(str(err), path=where) from err
    return g


def _local(node: object, ns: str) -> str | None:
    s = str(node)
    return s[len(ns):] if isinstance(node, URIRef) and s.startswith(ns) else None


def from_rdf(g: Graph, base: str = RESOURCE_BASE) -> KnowledgeGraph:
    """Rebuild the :class:`KnowledgeGraph` that :func:`to_rdf` wrote.

    The exact inverse on the RDF side: ``to_rdf(from_rdf(to_rdf(kg)))`` equals
    ``to_rdf(kg)``. What RDF does not hold is not restored: the mentions of
    an entity (spans), a document's path beyond its file name, and its
    length. Document ids are the slugs of their IRIs. Relation triples with
    no ``ekg:Assertion`` (which a built graph never has) are ignored.

    Raises:
        InputError: the graph is not one that entity-kg builds (a missing or
            malformed value; the message names the node).

    Examples:
        >>> kg = KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),))
        >>> from_rdf(to_rdf(kg)) == kg
        True
    """
    ns = PREFIXES["ekg"]
    doc_ns = base + "document/"
    types = {EKG[t]: t for t in ENTITY_TYPES}

    def fail(node: object, what: str) -> InputError:
        n = node.n3() if hasattr(node, "n3") else repr(node)
        return InputError(f"not a graph built by entity-kg: {n} {what}")

    def one(node: object, prop: URIRef, what: str, required: bool = True):  # noqa: ANN202
        values = sorted(g.objects(node, prop))
        if len(values) > 1:
            raise fail(node, f"has {len(values)} values of {what}, expected one")
        if not values:
            if required:
                raise fail(node, f"has no {what}")
            return None
        return values[0]

    def entity_id(node: object) -> str:
        s = str(node)
        if not isinstance(node, URIRef) or not s.startswith(base) or len(s) == len(base):
            raise fail(node, f"is not an entity IRI under {base}")
        return s[len(base):]

    def doc_id(node: object) -> str:
        s = str(node)
        if not isinstance(node, URIRef) or not s.startswith(doc_ns) or len(s) == len(doc_ns):
            raise fail(node, f"is not a document IRI under {doc_ns}")
        return s[len(doc_ns):]

    def build(node: object, cls, **kw):  # noqa: ANN001, ANN202
        try:
            return cls(**kw)
        except ValueError as err:
            raise fail(node, str(err)) from err

    entities = []
    for node in sorted(set(g.subjects(RDF.type, None))):
        found = sorted(types[t] for t in g.objects(node, RDF.type) if t in types)
        if not found:
            continue
        if len(found) > 1:
            raise fail(node, f"has {len(found)} entity classes: {', '.join(found)}")
        label = one(node, RDFS.label, "rdfs:label")
        same = one(node, OWL.sameAs, "owl:sameAs", required=False)
        params = one(node, EKG.parameterCount, "ekg:parameterCount", required=False)
        share = one(node, EKG.marketShare, "ekg:marketShare", required=False)
        entities.append(build(
            node, Entity, id=entity_id(node), type=found[0], label=str(label),
            aliases=tuple(sorted(str(a) for a in g.objects(node, SKOS.altLabel))),
            wikidata=_local(same, str(WD)) if same is not None else None,
            parameter_count=int(str(params)) if params is not None else None,
            market_share=Decimal(str(share)) if share is not None else None,
        ))

    documents, mentions = [], []
    for node in sorted(g.subjects(RDF.type, EKG.Document)):
        did = doc_id(node)
        label = one(node, RDFS.label, "rdfs:label")
        chash = one(node, EKG.contentHash, "ekg:contentHash", required=False)
        title, date, url = (one(node, p, what, required=False) for p, what in (
            (DCT.title, "dcterms:title"), (DCT.date, "dcterms:date"), (SCHEMA.url, "schema:url")))
        documents.append(build(node, Document, id=did, source=str(label),
                               content_hash=str(chash) if chash is not None else "",
                               title=str(title) if title is not None else None,
                               date=str(date) if date is not None else None,
                               url=str(url) if url is not None else None))
        ids = tuple(sorted(entity_id(e) for e in g.objects(node, EKG.mentions)))
        if ids:
            mentions.append((did, ids))

    relations = []
    for node in sorted(g.subjects(RDF.type, EKG.Assertion)):
        pred = _local(one(node, RDF.predicate, "rdf:predicate"), ns)
        if pred not in PREDICATES:
            raise fail(node, f"has rdf:predicate ekg:{pred}, not a relation of the ontology")
        evidence = []
        for en in sorted(g.objects(node, EKG.evidence)):
            evidence.append(build(
                en, Evidence, doc_id=doc_id(one(en, PROV.wasDerivedFrom, "prov:wasDerivedFrom")),
                start=_int(en, one(en, EKG.charStart, "ekg:charStart"), fail),
                end=_int(en, one(en, EKG.charEnd, "ekg:charEnd"), fail),
                sentence=str(one(en, EKG.sentence, "ekg:sentence")),
                rule_id=str(one(en, EKG.rule, "ekg:rule")),
                confidence=float(str(one(en, EKG.confidence, "ekg:confidence"))),
            ))
        evidence.sort(key=lambda e: (e.doc_id, e.start, e.end, e.rule_id))
        amount = one(node, EKG.amount, "ekg:amount", required=False)
        currency = one(node, EKG.currency, "ekg:currency", required=False)
        count = one(node, EKG["count"], "ekg:count", required=False)
        date = one(node, EKG.date, "ekg:date", required=False)
        relations.append(build(
            node, Relation, subject=entity_id(one(node, RDF.subject, "rdf:subject")), predicate=pred,
            object=entity_id(one(node, RDF.object, "rdf:object")), evidence=tuple(evidence),
            confidence=float(str(one(node, EKG.confidence, "ekg:confidence"))),
            amount=Decimal(str(amount)) if amount is not None else None,
            currency=str(currency) if currency is not None else None,
            count=_int(node, count, fail) if count is not None else None,
            date=str(date) if date is not None else None,
        ))
    try:
        return KnowledgeGraph(documents=tuple(documents), entities=tuple(entities),
                              relations=tuple(relations), mentions_by_doc=tuple(mentions))
    except ValueError as err:
        raise InputError(f"not a graph built by entity-kg: {err}") from err


def _int(node: object, value: object, fail) -> int:  # noqa: ANN001
    try:
        return int(str(value))
    except ValueError as err:
        raise fail(node, f"has {value!r} where an integer is expected") from err
