"""Validation of a built graph against the SHACL shapes (``ontology/shapes.ttl``).

pySHACL runs without inference: RDFS inference would "repair" a wrongly
typed subject or object by adding the domain or range class, hiding exactly
the errors the shapes are there to catch. The ontology (``kg.ttl``) is
mixed in so that the shapes can see the subclass axioms, and the SPARQL
constraints run on Oxigraph (see :func:`_data_graph`).

Examples:
    >>> from graph.model import Entity, KnowledgeGraph
    >>> from graph.rdf.convert import to_rdf
    >>> validate(to_rdf(KnowledgeGraph(entities=(
    ...     Entity(id="acme", type="Company", label="Acme"),)))).conforms
    True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from graph.errors import OntologyError
from graph.rdf.convert import new_graph, read_rdf
from graph.resources import ontology_path
from graph.vocab import RESOURCE_BASE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One SHACL result, with its names made readable.

    ``shape`` is the owning node shape (``EntityShape``); ``source_shape``
    the shape that reported it, which for a property constraint is one of
    the node shape's property shapes (``EntityShape-label``).
    """

    focus: str
    label: str | None
    shape: str
    source_shape: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"

    def __str__(self) -> str:
        node = f"{self.focus} ({self.label!r})" if self.label is not None else self.focus
        where = f" {self.path}" if self.path else ""
        value = f" [value: {self.value}]" if self.value is not None and self.value != self.focus else ""
        return f"{node}: {self.shape}{where}: {self.message}{value}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The outcome of :func:`validate`: conforms or not, and every violation."""

    conforms: bool
    violations: tuple[Violation, ...]
    triples: int
    text: str = ""

    @property
    def shapes(self) -> tuple[str, ...]:
        """The owning node shapes that reported something, sorted, once each."""
        return tuple(sorted({v.shape for v in self.violations}))

    def format(self) -> str:
        """Return the report as text: a summary line, then one line a violation."""
        if self.conforms:
            return f"conforms: {self.triples} triples, 0 violations"
        head = f"does not conform: {len(self.violations)} violation(s) in {self.triples} triples"
        return "\n".join([head, *(f"  {v}" for v in self.violations)])

    def __str__(self) -> str:
        return self.format()


@lru_cache(maxsize=1)
def _shapes() -> tuple[Graph, Graph]:
    graphs = []
    for name in ("shapes.ttl", "kg.ttl"):
        path = ontology_path(name)
        try:
            graphs.append(Graph().parse(path, format="turtle"))
        except (OSError, SyntaxError, ValueError) as err:
            raise OntologyError(f"cannot load {name}: {err}", path=str(path)) from err
    return graphs[0], graphs[1]


def _short(g: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        try:
            return g.namespace_manager.normalizeUri(node)
        except ValueError:  # pragma: no cover - rdflib gives up on odd IRIs
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(g.namespace_manager)
    return str(node)


def _local(node: object) -> str:
    s = str(node)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]


def _owner(shapes: Graph, src: object) -> object:
    """The named node shape that a (property, nested or blank) shape belongs to."""
    seen = set()
    node = src
    while node not in seen:
        seen.add(node)
        if isinstance(node, URIRef) and (node, RDF.type, SH.NodeShape) in shapes:
            return node
        parent = shapes.value(None, SH.property, node)
        if parent is None:
            parents = sorted(shapes.subjects(None, node))
            parent = parents[0] if parents else None
        if parent is None:
            return node
        node = parent
    return src  # pragma: no cover - a cycle in the shapes


def _data_graph(data: Graph, ontology: Graph) -> object:
    """pySHACL's data graph: the data plus the ontology, on an Oxigraph store.

    This is what ``pyshacl.validate(data, ont_graph=ontology)`` validates,
    only faster. pySHACL runs the shapes' SPARQL constraints on the data
    graph's engine, once per focus node; rdflib's parses the query text again
    every time and evaluates it slowly (seconds for the sample, many minutes
    for a few thousand entities), Oxigraph's takes a millisecond. pySHACL
    0.40's ``ont_graph`` mixing fails on an Oxigraph store, so the ontology
    is loaded into the store here; and its Oxigraph view counts the whole
    store each time it tests whether the graph is empty (once per failed
    ``sh:or`` branch, so quadratic time), so the view below counts once: the
    store does not change during validation (no inference, no rules).
    Without that view (another pySHACL), the plain rdflib path is used.
    """
    import pyoxigraph

    try:
        from pyshacl.graph_abstraction import OxigraphDataGraph
    except ImportError:  # pragma: no cover - pySHACL without Oxigraph support
        merged = Graph()
        merged += data
        merged += ontology
        return merged

    class _StoreView(OxigraphDataGraph):  # type: ignore[misc,valid-type]
        def __init__(self, store: pyoxigraph.Store, *args: object, **kwargs: object) -> None:
            super().__init__(store, *args, **kwargs)
            self._size = len(store)

        def __len__(self, context: object = None) -> int:
            return self._size if context is None else int(super().__len__(context))

    store = pyoxigraph.Store()
    for g in (data, ontology):
        store.load(g.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return _StoreView.from_oxigraph_store(store)


def validate(graph_or_path: Graph | str | Path) -> Report:
    """Validate a graph (an rdflib ``Graph``, or an RDF file) against the shapes.

    Args:
        graph_or_path: the graph, or the path of an RDF file in any format
            that :func:`graph.rdf.convert.read_rdf` reads (a dataset is validated as
            the union of its graphs).

    Returns:
        A :class:`Report`; ``report.conforms`` is False if any shape is violated.

    Raises:
        InputError: the file is missing or not valid RDF.
        OntologyError: the shapes or the ontology cannot be loaded.
    """
    import pyshacl

    data = graph_or_path if isinstance(graph_or_path, Graph) else read_rdf(graph_or_path)
    shapes, ontology = _shapes()
    conforms, results, text = pyshacl.validate(
        _data_graph(data, ontology), shacl_graph=shapes, inference="none", allow_warnings=True
    )
    names = new_graph()
    names.bind("ekgsh", "https://w3id.org/entity-kg/shapes#")
    for kind in ("assertion", "evidence", "document"):
        names.bind(kind, RESOURCE_BASE + kind + "/")
    for prefix, ns in data.namespaces():
        if prefix not in dict(names.namespaces()):
            names.bind(prefix, ns)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        src = results.value(result, SH.sourceShape)
        owner = _owner(shapes, src)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        # a SPARQL constraint's result also carries its shape's general message
        generic = {str(m) for m in shapes.objects(src, SH.message)}
        specific = [m for m in messages if m not in generic] or messages
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        label = data.value(focus, RDFS.label) if focus is not None else None
        violations.append(Violation(
            focus=_short(names, focus),
            label=str(label) if label is not None else None,
            shape=_local(owner) if isinstance(owner, URIRef) else _short(names, owner),
            source_shape=_local(src) if isinstance(src, URIRef) else _short(names, src),
            path=_short(names, path) if path is not None else None,
            value=_short(names, value) if value is not None else None,
            message="; ".join(specific) or "(no message)",
            severity=_local(results.value(result, SH.resultSeverity) or SH.Violation),
        ))
    violations.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message, v.value or ""))
    return Report(conforms=bool(conforms), violations=tuple(violations), triples=len(data), text=text)
