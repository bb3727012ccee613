"""JSON-LD: the whole graph, compacted with a context of the project's prefixes."""

from __future__ import annotations

import json
from typing import Any

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf.convert import to_rdf
from graph.vocab import PREFIXES

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
    text = to_rdf(kg).serialize(format="json-ld", context=dict(CONTEXT), auto_compact=True)
    doc = json.loads(text)
    if "@graph" not in doc:  # a single node is compacted to the top level
        ctx = doc.pop("@context", CONTEXT)
        doc = {"@context": ctx, "@graph": [doc] if doc else []}
    out = json.dumps(_canonical(doc), indent=2, sort_keys=True, ensure_ascii=False)
    return (out + "\n").encode("utf-8")
