"""Turtle: the whole graph, entities, relations and provenance, in one file.

Written by a streaming writer rather than rdflib's serializer, which needs
an in-memory ``Graph`` and sorts every subject: at a million triples that
takes minutes, this takes seconds. The triples are those of
:func:`graph.rdf.convert.to_rdf` (the same generators make them), so the file is
isomorphic to it; only the layout is the writer's own:

* the header comment, then every prefix of the project (always the same
  set, sorted), then three sections: entities (by id, each with its
  relations), relations (each assertion followed by its evidence), and
  documents;
* one block per subject: ``a`` first, then ``rdfs:label``, then the other
  predicates sorted by IRI; objects sorted, several objects of a predicate
  joined with commas;
* literals always in the one-line ``"..."`` form. ``"`` and ``\\`` are
  escaped, as are line breaks, tabs and every other control character
  (C0, DEL, C1), the Unicode line and paragraph separators, the
  bidirectional controls and U+FEFF (they change how a line displays) and
  the noncharacters (U+FFFE, U+FDD0...), as ``\\uXXXX``; everything else,
  including emoji, right-to-left text and zero-width joiners, is written as
  itself in UTF-8. A statement never spans two lines.

The output is byte-deterministic: it depends only on the graph's content,
not on the order of its tuples or on the hash seed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.exporters import register
from graph.model import Entity, KnowledgeGraph, Relation
from graph.rdf.convert import (
    date_literal,
    decimal_literal,
    document_triples,
    document_iri,
    entity_iri,
    evidence_iri,
    relation_iri,
    relations_by_document,
)
from graph.vocab import EKG, RESOURCE_BASE, WD
from graph.vocab import PREFIXES as PREFIX_MAP

HEADER = (
    "# Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).\n"
    "# Every relation triple has an ekg:Assertion node with its evidence.\n"
)

TRIG_HEADER = (
    "# Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).\n"
    "# The default graph holds the entities; each document has a graph of its own.\n"
    "# Every relation triple has an ekg:Assertion node with its evidence.\n"
)

#: The prefixes every file declares, sorted by name (:data:`graph.vocab.PREFIXES`).
PREFIXES: tuple[tuple[str, str], ...] = tuple(sorted(PREFIX_MAP.items()))
_BY_LENGTH = sorted(PREFIXES, key=lambda p: -len(p[1]))  # longest namespace wins

#: A local name written after a prefix: ASCII only, starting with a letter or
#: "_", no "." at the end (stricter than Turtle 1.1, so every parser reads it).
_LOCAL = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
#: Characters an IRIREF cannot hold, not even as an escape.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")

_XSD_STRING, _XSD_INTEGER, _XSD_DECIMAL = str(XSD.string), str(XSD.integer), str(XSD.decimal)
_TYPE, _LABEL, _ALT, _SAME = str(RDF.type), str(RDFS.label), str(SKOS.altLabel), str(OWL.sameAs)
_SUBJ, _PRED, _OBJ, _DERIVED = str(RDF.subject), str(RDF.predicate), str(RDF.object), str(PROV.wasDerivedFrom)


#: Bidirectional controls: written raw they reorder how a line displays.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _escape_table() -> dict[int, str]:
    table = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
             ord("\b"): "\\b", ord("\f"): "\\f"}
    for cp in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0xFDD0, 0xFDF0), *_BIDI, 0xFEFF]:
        table.setdefault(cp, f"\\u{cp:04X}")
    for plane in range(17):
        for low in (0xFFFE, 0xFFFF):
            cp = plane << 16 | low
            table[cp] = f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\U{cp:08X}"
    return table


_ESCAPES = _escape_table()


def escape_string(text: str) -> str:
    """Return ``text`` as a Turtle (and N-Triples) ``"..."`` string literal.

    Examples:
        >>> print(escape_string('say "hi"\\\\n\\nnext\\ttab \\u200b\\ufffe 🦄'))
        "say \\"hi\\"\\\\n\\nnext\\ttab \u200b\\uFFFE 🦄"
    """
    return '"' + text.translate(_ESCAPES) + '"'


class _Terms:
    """Turtle text of rdflib terms, IRIs cached (they repeat): prefixed names where they can be."""

    #: the text of rdf:type as a predicate
    type_text = "a"

    def __init__(self) -> None:
        self.iris: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        text = self.iris.get(iri)
        if text is None:
            text = self.iris[iri] = self._iri(iri)
        return text

    @staticmethod
    def _iri(iri: str) -> str:
        for prefix, ns in _BY_LENGTH:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri, len(ns)):
                return f"{prefix}:{iri[len(ns):]}"
        return _full_iri(iri)

    @staticmethod
    def string(text: str) -> str:
        """A plain string literal."""
        return escape_string(text)

    def integer(self, value: int) -> str:
        if type(value) is int:
            return str(value)
        return self.term(Literal(value, datatype=XSD.integer))

    def term(self, node: object) -> str:
        """The Turtle text of an rdflib IRI or literal."""
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            lex = str(node)
            if node.datatype is None:
                return self.string(lex) + (f"@{node.language}" if node.language else "")
            dt = str(node.datatype)
            if dt == _XSD_STRING:
                return self.string(lex)
            if dt == _XSD_INTEGER and _INTEGER.fullmatch(lex):
                return lex
            if dt == _XSD_DECIMAL and _DECIMAL.fullmatch(lex):
                return lex
            return f"{self.string(lex)}^^{self.iri(dt)}"
        raise TypeError(f"cannot write {node!r} in Turtle: only IRIs and literals (no blank nodes)")


def _full_iri(iri: str) -> str:
    bad = _BAD_IRI.search(iri)
    if bad:
        raise ValueError(f"cannot write IRI {iri!r} in Turtle: it contains {bad.group()!r} "
                         "(entity ids must be IRI-safe slugs)")
    return f"<{iri}>"


#: What N-Triples (as Oxigraph writes it) escapes in a literal: the C0 controls
#: (\b \t \n \f \r short), DEL, U+FFFE and U+FFFF, the quote and the backslash.
_NT_ESCAPES = {**{cp: f"\\u{cp:04X}" for cp in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
               ord("\b"): "\\b", ord("\t"): "\\t", ord("\n"): "\\n", ord("\f"): "\\f", ord("\r"): "\\r",
               ord('"'): '\\"', ord("\\"): "\\\\"}


class NTriplesTerms(_Terms):
    """N-Triples text of terms: every IRI whole, every literal with its datatype,
    escaped as Oxigraph's N-Triples writer escapes (a test compares the bytes)."""

    type_text = f"<{RDF.type}>"

    @staticmethod
    def _iri(iri: str) -> str:
        return _full_iri(iri)

    @staticmethod
    def string(text: str) -> str:
        return '"' + text.translate(_NT_ESCAPES) + '"'

    def integer(self, value: int) -> str:
        if type(value) is int:  # rdflib's lexical form of an int, without making a Literal (a
            # tenth of the validation's profile on 70 articles; the same text: a test)
            return f"{self.string(str(value))}^^{self.iri(_XSD_INTEGER)}"
        return self.term(Literal(value, datatype=XSD.integer))

    def term(self, node: object) -> str:
        if isinstance(node, Literal) and node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{self.string(str(node))}^^{self.iri(str(node.datatype))}"
        return super().term(node)


def _predicate_key(p: str) -> tuple[int, str]:
    return (0 if p == _TYPE else 1 if p == _LABEL else 2, p)


def _block(subject: str, pairs: Iterable[tuple[str, str, str]]) -> str:
    """One subject's statements; ``pairs`` are (predicate IRI, predicate text, object text)."""
    by_pred: dict[str, tuple[str, set[str]]] = {}
    for p, ptext, o in pairs:
        by_pred.setdefault(p, (ptext, set()))[1].add(o)
    lines = []
    for p in sorted(by_pred, key=_predicate_key):
        ptext, objs = by_pred[p]
        lines.append(f"{ptext} " + ",\n        ".join(sorted(objs)))
    return f"{subject} " + " ;\n    ".join(lines) + " .\n"


def statements(terms: _Terms, triples: Iterable[tuple[object, object, object]]) -> Iterator[tuple[str, str, str, str]]:
    """(subject text, predicate IRI, predicate text, object text) of each triple."""
    for s, p, o in triples:
        piri = str(p)
        yield terms.term(s), piri, terms.type_text if piri == _TYPE else terms.iri(piri), terms.term(o)


class StatementWriter:
    """The statements of :func:`graph.rdf.convert.to_rdf` as Turtle text, without rdflib terms.

    Building a million rdflib terms costs more than writing them, so the
    entity and relation statements are formatted here directly. They follow
    ``graph.rdf.convert.entity_triples`` and ``relation_triples`` statement for
    statement (``tests/test_exporters_turtle.py`` checks that a graph with
    every optional field set gives the same triples as ``to_rdf``); IRIs and
    canonical literals still come from :mod:`graph.rdf.convert`, the only module that
    mints them. Documents are few and go through ``document_triples`` itself.
    """

    def __init__(self, base: str, terms: _Terms | None = None) -> None:
        self.base = base
        self.terms = terms if terms is not None else _Terms()
        t = self.terms
        self.a = t.type_text
        self.label, self.alt, self.same = t.iri(_LABEL), t.iri(_ALT), t.iri(_SAME)
        self.subj, self.predicate, self.obj = t.iri(_SUBJ), t.iri(_PRED), t.iri(_OBJ)
        self.derived = t.iri(_DERIVED)
        self.assertion, self.evidence_class = t.iri(str(EKG.Assertion)), t.iri(str(EKG.Evidence))
        self._ent: dict[str, str] = {}
        self._doc: dict[str, str] = {}
        self._dec: dict[tuple[type, str], str] = {}
        self._pred: dict[str, tuple[str, str]] = {}

    def iri(self, node: object) -> str:
        return self.terms.iri(str(node))

    def pred(self, name: str) -> tuple[str, str]:
        """(IRI, text) of an ekg: property."""
        out = self._pred.get(name)
        if out is None:
            iri = str(EKG[name])
            out = self._pred[name] = (iri, self.terms.iri(iri))
        return out

    def entity(self, entity_id: str) -> str:
        text = self._ent.get(entity_id)
        if text is None:
            text = self._ent[entity_id] = self.iri(entity_iri(entity_id, self.base))
        return text

    def document(self, doc_id: str) -> str:
        text = self._doc.get(doc_id)
        if text is None:
            text = self._doc[doc_id] = self.iri(document_iri(doc_id, self.base))
        return text

    def decimal(self, value: float | Decimal) -> str:
        key = (type(value), str(value))
        text = self._dec.get(key)
        if text is None:
            text = self._dec[key] = self.terms.term(decimal_literal(value))
        return text

    def integer(self, value: int) -> str:
        return self.terms.integer(value)

    def entity_pairs(self, ent: Entity) -> list[tuple[str, str, str]]:
        """Mirrors ``graph.rdf.convert.entity_triples``."""
        string = self.terms.string
        pairs = [(_TYPE, self.a, self.iri(EKG[ent.type])), (_LABEL, self.label, string(ent.label))]
        pairs += [(_ALT, self.alt, string(a)) for a in ent.aliases]
        if ent.wikidata:
            pairs.append((_SAME, self.same, self.iri(WD[ent.wikidata])))
        if ent.parameter_count is not None:
            pairs.append((*self.pred("parameterCount"), self.integer(ent.parameter_count)))
        if ent.market_share is not None:
            pairs.append((*self.pred("marketShare"), self.decimal(ent.market_share)))
        return pairs

    def statement(self, rel: Relation) -> tuple[str, str, str, str]:
        """The entity-to-entity statement of a relation (first of ``relation_triples``)."""
        return (self.entity(rel.subject), *self.pred(rel.predicate), self.entity(rel.object))

    def nodes(self, rel: Relation, doc_id: str | None = None) -> dict[str, list[tuple[str, str, str]]]:
        """Mirrors the rest of ``graph.rdf.convert.relation_triples``: the statements of
        the assertion node (first) and of each evidence node (from ``doc_id`` only,
        if given)."""
        s, o = self.entity(rel.subject), self.entity(rel.object)
        node = self.iri(relation_iri(rel, self.base))
        string = self.terms.string
        pairs = [(_TYPE, self.a, self.assertion), (_SUBJ, self.subj, s),
                 (_PRED, self.predicate, self.pred(rel.predicate)[1]),
                 (_OBJ, self.obj, o), (*self.pred("confidence"), self.decimal(rel.confidence))]
        if rel.amount is not None:
            pairs.append((*self.pred("amount"), self.decimal(rel.amount)))
        if rel.currency:
            pairs.append((*self.pred("currency"), string(rel.currency)))
        if rel.count is not None:
            pairs.append((*self.pred("count"), self.integer(rel.count)))
        if rel.date:
            pairs.append((*self.pred("date"), self.terms.term(date_literal(rel.date))))
        blocks = {node: pairs}
        evidence, conf = self.pred("evidence"), self.pred("confidence")
        for ev in rel.evidence:
            if doc_id is not None and ev.doc_id != doc_id:
                continue
            en = self.iri(evidence_iri(rel, ev, self.base))
            pairs.append((*evidence, en))
            blocks.setdefault(en, []).extend((
                (_TYPE, self.a, self.evidence_class),
                (_DERIVED, self.derived, self.document(ev.doc_id)),
                (*self.pred("sentence"), string(ev.sentence)),
                (*self.pred("charStart"), self.integer(ev.start)),
                (*self.pred("charEnd"), self.integer(ev.end)),
                (*self.pred("rule"), string(ev.rule_id)),
                (*conf, self.decimal(ev.confidence)),
            ))
        return blocks


def _trig_chunks(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Iterator[str]:
    """TriG of :func:`graph.rdf.convert.to_dataset`'s quads (the ``trig`` export, and
    what the ``nquads`` exporter has Oxigraph read).

    Entities in the default graph; per document, a graph named by its IRI with
    its description and the relations it states, their assertion and the
    evidence from that document.
    """
    w = StatementWriter(base)
    yield TRIG_HEADER
    for prefix, ns in PREFIXES:
        yield f"@prefix {prefix}: <{ns}> .\n"
    if kg.entities:
        yield "\n# Entities\n"
    for ent in kg.entities:
        yield "\n" + _block(w.entity(ent.id), w.entity_pairs(ent))
    if kg.documents:
        yield "\n# Documents: each one's description, then the relations it states, with its evidence\n"
    stated = relations_by_document(kg)
    mentioned = dict(kg.mentions_by_doc)
    for doc in sorted(kg.documents, key=lambda d: w.document(d.id)):  # the order of the Turtle's documents
        yield f"\n{w.document(doc.id)} {{\n"
        groups: dict[str, list[tuple[str, str, str]]] = {}
        for s, piri, ptext, o in statements(w.terms, document_triples(doc, mentioned.get(doc.id, ()), base)):
            groups.setdefault(s, []).append((piri, ptext, o))
        for s, pairs in groups.items():
            yield _indented(_block(s, pairs))
        for rel in stated.get(doc.id, ()):
            s, piri, ptext, o = w.statement(rel)
            yield "\n" + _indented(_block(s, [(piri, ptext, o)]))
            blocks = w.nodes(rel, doc.id)
            order = list(blocks)  # the assertion node, then its evidence sorted
            for n in order[:1] + sorted(order[1:]):
                yield _indented(_block(n, blocks[n]))
        yield "}\n"


def _indented(block: str) -> str:
    """A block inside a graph's braces, indented (a literal never spans lines: it is escaped)."""
    return "\n".join("    " + line if line else line for line in block.split("\n"))


def _turtle_chunks(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Iterator[str]:
    w = StatementWriter(base)
    yield HEADER
    for prefix, ns in PREFIXES:
        yield f"@prefix {prefix}: <{ns}> .\n"

    # each entity's block holds the relation statements of which it is the subject
    outgoing: dict[str, list[tuple[str, str, str]]] = {}
    for rel in kg.relations:
        s, piri, ptext, o = w.statement(rel)
        outgoing.setdefault(s, []).append((piri, ptext, o))
    if kg.entities:
        yield "\n# Entities\n"
    for ent in kg.entities:
        subject = w.entity(ent.id)
        yield "\n" + _block(subject, w.entity_pairs(ent) + outgoing.pop(subject, []))
    if kg.relations:
        yield "\n# Relations: each assertion, then its evidence\n"
    for rel in kg.relations:
        blocks = w.nodes(rel)
        order = list(blocks)  # the assertion node, then its evidence sorted
        for n in order[:1] + sorted(order[1:]):
            yield "\n" + _block(n, blocks[n])

    # documents
    mentioned = dict(kg.mentions_by_doc)
    doc_groups: dict[str, list[tuple[str, str, str]]] = {}
    for doc in kg.documents:
        for s, piri, ptext, o in statements(w.terms, document_triples(doc, mentioned.get(doc.id, ()), base)):
            doc_groups.setdefault(s, []).append((piri, ptext, o))
    if doc_groups:
        yield "\n# Documents\n"
    for s in sorted(doc_groups):
        yield "\n" + _block(s, doc_groups[s])


def iter_turtle(kg: KnowledgeGraph) -> Iterator[bytes]:
    """The bytes of :func:`generate_turtle`, in chunks made as they are consumed.

    ``kg build`` writes these to the file one by one, so the Turtle of a large
    graph is never held in memory whole.

    Raises:
        ValueError: as :func:`generate_turtle`, when the chunk is reached.
    """
    return _encoded(_turtle_chunks(kg), "Turtle")


def iter_trig(kg: KnowledgeGraph) -> Iterator[bytes]:
    """The quads of :func:`graph.rdf.convert.to_dataset` as TriG, in chunks (the ``trig``
    export, streamed like :func:`iter_turtle`; what ``nquads`` has Oxigraph read).

    Raises:
        ValueError: as :func:`generate_turtle`, when the chunk is reached.
    """
    return _encoded(_trig_chunks(kg), "RDF")


def trig_bytes(kg: KnowledgeGraph) -> bytes:
    """All of :func:`iter_trig`."""
    return b"".join(iter_trig(kg))


def _encoded(chunks: Iterable[str], what: str) -> Iterator[bytes]:
    for chunk in chunks:
        try:
            yield chunk.encode("utf-8")
        except UnicodeEncodeError as err:
            around = chunk[max(err.start - 30, 0):err.end + 30]
            raise ValueError(f"cannot write {what}: lone surrogate {chunk[err.start]!r} (not text) "
                             f"in {around!r}") from err


@register("turtle", suffix=".ttl", media_type="text/turtle", aliases=("ttl",), stream=iter_turtle)
def generate_turtle(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as Turtle (UTF-8, deterministic).

    Raises:
        ValueError: a string holds a lone surrogate (not text: it has no
            UTF-8 form), or an entity id makes an IRI that Turtle cannot
            write.

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> ttl = generate_turtle(KnowledgeGraph(entities=(
        ...     Entity(id="acme", type="Company", label='Acme "A" Corp.', aliases=("Acme",)),)))
        >>> print(ttl.decode().split("# Entities")[1].strip())
        kgr:acme a ekg:Company ;
            rdfs:label "Acme \\"A\\" Corp." ;
            skos:altLabel "Acme" .
    """
    return b"".join(iter_turtle(kg))
