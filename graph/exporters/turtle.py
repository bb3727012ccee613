"""Turtle: the whole graph, entities, relations and provenance, in one file.

Written by a streaming writer rather than rdflib's serializer, which needs
an in-memory ``Graph`` and sorts every subject: at a million triples that
takes minutes, this takes seconds. The triples are those of
:func:`graph.rdf.to_rdf` (the same generators make them), so the file is
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

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf import WD, _document_triples, _entity_triples, _relation_triples, entity_iri
from graph.vocab import EKG, RESOURCE_BASE

HEADER = (
    "# Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).\n"
    "# Every relation triple has an ekg:Assertion node with its evidence.\n"
)

#: The prefixes every file declares, sorted by name (those of ``graph.rdf.new_graph``).
PREFIXES: tuple[tuple[str, str], ...] = (
    ("ekg", str(EKG._NS)),
    ("kgr", RESOURCE_BASE),
    ("owl", str(OWL)),
    ("prov", str(PROV)),
    ("rdf", str(RDF)),
    ("rdfs", str(RDFS)),
    ("skos", str(SKOS)),
    ("wd", str(WD)),
    ("xsd", str(XSD)),
)
_BY_LENGTH = sorted(PREFIXES, key=lambda p: -len(p[1]))  # longest namespace wins

#: A local name written after a prefix: ASCII only, starting with a letter or
#: "_", no "." at the end (stricter than Turtle 1.1, so every parser reads it).
_LOCAL = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
#: Characters an IRIREF cannot hold, not even as an escape.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")

_XSD_STRING, _XSD_INTEGER, _XSD_DECIMAL = str(XSD.string), str(XSD.integer), str(XSD.decimal)
_TYPE, _LABEL = str(RDF.type), str(RDFS.label)


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
    """Turtle text of rdflib terms, IRIs cached (they repeat)."""

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
        bad = _BAD_IRI.search(iri)
        if bad:
            raise ValueError(f"cannot write IRI {iri!r} in Turtle: it contains {bad.group()!r} "
                             "(entity ids must be IRI-safe slugs)")
        return f"<{iri}>"

    def term(self, node: object) -> str:
        cls = type(node)
        if cls is URIRef:
            text = self.iris.get(node)  # type: ignore[call-overload]
            if text is None:
                text = self.iris[node] = self._iri(str(node))  # type: ignore[index]
            return text
        if cls is Literal:
            lex = str(node)
            dt = node.datatype  # type: ignore[attr-defined]
            if dt is None:
                lang = node.language  # type: ignore[attr-defined]
                return escape_string(lex) + (f"@{lang}" if lang else "")
            dt = str(dt)
            if dt == _XSD_STRING:
                return escape_string(lex)
            if dt == _XSD_INTEGER and _INTEGER.fullmatch(lex):
                return lex
            if dt == _XSD_DECIMAL and _DECIMAL.fullmatch(lex):
                return lex
            return f"{escape_string(lex)}^^{self.iri(dt)}"
        if isinstance(node, (URIRef, Literal)):  # a subclass: the slow path
            return self.term(URIRef(str(node)) if isinstance(node, URIRef) else Literal(
                str(node), lang=node.language, datatype=node.datatype))  # type: ignore[attr-defined]
        raise TypeError(f"cannot write {node!r} in Turtle: only IRIs and literals (no blank nodes)")


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


def _statements(terms: _Terms, triples: Iterable[tuple[object, object, object]]) -> Iterator[tuple[str, str, str, str]]:
    """(subject text, predicate IRI, predicate text, object text) of each triple."""
    for s, p, o in triples:
        piri = str(p)
        yield terms.term(s), piri, "a" if piri == _TYPE else terms.iri(piri), terms.term(o)


def _turtle_chunks(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Iterator[str]:
    terms = _Terms()
    yield HEADER
    for prefix, ns in PREFIXES:
        yield f"@prefix {prefix}: <{ns}> .\n"

    # relations first (in memory as text), so each entity's block can hold
    # the relation triples of which it is the subject
    outgoing: dict[str, list[tuple[str, str, str]]] = {}
    entity_subjects = {terms.term(entity_iri(e.id, base)) for e in kg.entities}
    relation_blocks: list[str] = []
    for rel in kg.relations:
        local: dict[str, list[tuple[str, str, str]]] = {}
        for s, piri, ptext, o in _statements(terms, _relation_triples(rel, base)):
            if s in entity_subjects:
                outgoing.setdefault(s, []).append((piri, ptext, o))
            else:
                local.setdefault(s, []).append((piri, ptext, o))
        # the assertion node (first), then its evidence sorted
        order = list(local)
        for s in order[:1] + sorted(order[1:]):
            relation_blocks.append(_block(s, local[s]))

    if kg.entities:
        yield "\n# Entities\n"
    for ent in kg.entities:
        subject = terms.term(entity_iri(ent.id, base))
        pairs = [(piri, ptext, o) for _s, piri, ptext, o in _statements(terms, _entity_triples(ent, base))]
        pairs.extend(outgoing.pop(subject, ()))
        yield "\n" + _block(subject, pairs)
    if relation_blocks:
        yield "\n# Relations: each assertion, then its evidence\n"
    for block in relation_blocks:
        yield "\n" + block
    del relation_blocks

    # documents: a document's own triples (graph.rdf looks each one up by id;
    # give it a one-document graph so this stays linear in the corpus)
    first: dict[str, object] = {}
    for doc in kg.documents:
        first.setdefault(doc.id, doc)
    mentions: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for d, ids in kg.mentions_by_doc:
        mentions.setdefault(d, []).append((d, ids))
    doc_groups: dict[str, list[tuple[str, str, str]]] = {}
    for doc in kg.documents:
        one = KnowledgeGraph(documents=(first[doc.id],), mentions_by_doc=tuple(mentions.get(doc.id, ())))
        for s, piri, ptext, o in _statements(terms, _document_triples(one, doc.id, base)):
            doc_groups.setdefault(s, []).append((piri, ptext, o))
    if doc_groups:
        yield "\n# Documents\n"
    for s in sorted(doc_groups):
        yield "\n" + _block(s, doc_groups[s])


@register("turtle", suffix=".ttl", media_type="text/turtle", aliases=("ttl",))
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
    text = "".join(_turtle_chunks(kg))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        around = text[max(err.start - 30, 0):err.end + 30]
        raise ValueError(f"cannot write Turtle: lone surrogate {text[err.start]!r} (not text) "
                         f"in {around!r}") from err
