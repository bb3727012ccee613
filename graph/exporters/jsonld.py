"""JSON-LD: the whole graph, compacted with a context of the project's prefixes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf.convert import document_triples, entity_triples, relation_triples
from graph.vocab import PREFIXES, RESOURCE_BASE

XSD = "http://www.w3.org/2001/XMLSchema#"

#: The ``@context`` of every JSON-LD file: the prefixes only (:data:`graph.vocab.PREFIXES`), so
#: every value keeps its datatype explicitly and any JSON-LD 1.1 processor reads it back as is.
CONTEXT: dict[str, str] = dict(PREFIXES)


def _canonical(value: Any) -> Any:  # noqa: ANN401
    """Sort ``@graph`` by ``@id`` and every list of values, recursively."""
    if isinstance(value, dict):
        out = {k: _canonical(v) for k, v in value.items()}
        if isinstance(out.get("@graph"), list):
            out["@graph"] = sorted(out["@graph"], key=lambda n: (str(n.get("@id", "")), _key(n)))
        return out
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=_key)
    return value


def _key(value: Any) -> str:  # noqa: ANN401
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


#: rdflib's JSON-LD writer (which made these files up to issue 16) keeps these datatypes as
#: native JSON values when a context is given; any other literal is ``{"@type", "@value"}``.
_NATIVE = {XSD + "boolean", XSD + "integer", XSD + "double", XSD + "string"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _shrinker(context: dict[str, str]) -> Callable[[str], str]:
    """``prefix:name`` where the IRI up to its last ``#`` (else ``/``, else ``:``) is a prefix
    of ``context``, as rdflib compacts; the IRI itself otherwise (``kgr:acme``, but
    ``https://w3id.org/entity-kg/resource/assertion/<hash>`` whole)."""
    prefixes = {ns: pfx for pfx, ns in context.items()}

    def shrink(iri: str) -> str:
        for delim in ("#", "/", ":"):
            at = iri.rfind(delim)
            if at > -1:
                pfx = prefixes.get(iri[: at + 1])
                return f"{pfx}:{iri[at + 1:]}" if pfx else iri
        return iri
    return shrink


def _value(o: Any, shrink: Callable[[str], str]) -> Any:  # noqa: ANN401
    from rdflib import Literal

    if not isinstance(o, Literal):
        return {"@id": shrink(str(o))}
    dt = str(o.datatype) if o.datatype is not None else None
    if dt is None and not o.language:
        return str(o)
    if dt in _NATIVE:
        return o.toPython()
    if dt is None:
        return {"@language": o.language, "@value": str(o)}
    return {"@type": shrink(dt), "@value": str(o)}


def jsonld_document(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> dict[str, Any]:
    """The JSON-LD document of ``kg`` (before sorting): one node a subject, compacted.

    Written from the model's triples (:func:`graph.rdf.convert.entity_triples` and the
    others), not by rdflib's serializer: that took 11 s for 290k triples and held the
    graph as an rdflib ``Graph``; the nodes and values are the ones it wrote, so the
    bytes are unchanged.
    """
    shrink = _shrinker(CONTEXT)
    nodes: dict[str, dict[str, dict[str, Any]]] = {}

    def add(s: Any, p: Any, o: Any) -> None:  # noqa: ANN401
        props = nodes.setdefault(str(s), {})
        if str(p) == _RDF_TYPE:
            props.setdefault("@type", {})[shrink(str(o))] = shrink(str(o))
            return
        value = _value(o, shrink)
        props.setdefault(shrink(str(p)), {})[_key(value)] = value

    for ent in kg.entities:
        for t in entity_triples(ent, base):
            add(*t)
    for rel in kg.relations:
        for t in relation_triples(rel, base):
            add(*t)
    mentioned = dict(kg.mentions_by_doc)
    for doc in kg.documents:
        for t in document_triples(doc, mentioned.get(doc.id, ()), base):
            add(*t)
    graph = []
    for s, props in nodes.items():
        node: dict[str, Any] = {"@id": shrink(s)}
        for key, values in props.items():
            vs = list(values.values())
            node[key] = vs[0] if len(vs) == 1 else vs
        graph.append(node)
    return {"@context": dict(CONTEXT), "@graph": graph}


@register("jsonld", suffix=".jsonld", media_type="application/ld+json", aliases=("json-ld",))
def generate_jsonld(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as compact JSON-LD (UTF-8, deterministic).

    Nodes are sorted by ``@id``, keys by name (``@context``, ``@id`` and
    ``@type`` first), and multiple values by their JSON text.

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> doc = json.loads(generate_jsonld(KnowledgeGraph(
        ...     entities=(Entity(id="acme", type="Company", label="Acme"),))))
        >>> doc["@graph"]
        [{'@id': 'kgr:acme', '@type': 'ekg:Company', 'rdfs:label': 'Acme'}]
    """
    out = json.dumps(_canonical(jsonld_document(kg)), indent=2, sort_keys=True, ensure_ascii=False)
    return (out + "\n").encode("utf-8")
