"""Validation of a built graph against the SHACL shapes (``ontology/shapes.ttl``).

Two engines give the same results: ``fast`` (the default, :mod:`graph.rdf.shacl`:
the shapes compiled to SPARQL on an Oxigraph store; 1M triples in about
20 s on one core, the graph never as rdflib objects) and ``pyshacl``, the
reference (about 1 s per 1,000 triples and the graph as rdflib objects).

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

from typing import TYPE_CHECKING

from graph.errors import KGError, OntologyError
from graph.resources import ontology_path
from graph.vocab import RESOURCE_BASE

if TYPE_CHECKING:
    from rdflib import Graph

    from graph.model import KnowledgeGraph

#: The validation engines: ``fast`` (the default) and ``pyshacl`` (the reference).
ENGINES = ("fast", "pyshacl")

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
    component: str = ""

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
    from rdflib import Graph

    graphs = []
    for name in ("shapes.ttl", "kg.ttl"):
        path = ontology_path(name)
        try:
            graphs.append(Graph().parse(path, format="turtle"))
        except (OSError, SyntaxError, ValueError) as err:
            raise OntologyError(f"cannot load {name}: {err}", path=str(path)) from err
    return graphs[0], graphs[1]


def _short(g: Graph, node: object) -> str:
    from rdflib import Literal, URIRef

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
    from rdflib import URIRef
    from rdflib.namespace import RDF, SH

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
    from rdflib import Graph

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


def _names(data: Graph | None) -> Graph:
    from graph.rdf.convert import new_graph

    names = new_graph()
    names.bind("ekgsh", "https://w3id.org/entity-kg/shapes#")
    for kind in ("assertion", "evidence", "document"):
        names.bind(kind, RESOURCE_BASE + kind + "/")
    if data is not None:
        for prefix, ns in data.namespaces():
            if prefix not in dict(names.namespaces()):
                names.bind(prefix, ns)
    return names


def validate(graph_or_path: Graph | KnowledgeGraph | str | Path | bytes, *, engine: str = "fast",
             format: str | None = None, name: str = "<data>") -> Report:  # noqa: A002
    """Validate a graph (a :class:`~graph.model.KnowledgeGraph`, an rdflib ``Graph``, or an
    RDF file) against the shapes.

    Args:
        graph_or_path: the graph, or the path of an RDF file in any format
            that :func:`graph.rdf.convert.read_rdf` reads (a dataset is validated as
            the union of its graphs).
        engine: ``fast`` (SPARQL on Oxigraph) or ``pyshacl`` (the reference);
            both report the same violations.
        format: the RDF format of a file or bytes (default: from the suffix).
        name: how to name bytes in messages.

    Returns:
        A :class:`Report`; ``report.conforms`` is False if any shape is violated.

    Raises:
        InputError: the file is missing or not valid RDF.
        OntologyError: the shapes or the ontology cannot be loaded.
    """
    if engine not in ENGINES:
        raise KGError(f"unknown validation engine {engine!r}; known: {', '.join(ENGINES)}")
    if engine == "fast":
        return _validate_fast(graph_or_path, format, name)
    from graph.model import KnowledgeGraph
    from graph.rdf.convert import read_rdf, to_rdf

    if isinstance(graph_or_path, KnowledgeGraph):
        graph_or_path = to_rdf(graph_or_path)
    elif isinstance(graph_or_path, (str, Path, bytes)):
        graph_or_path = read_rdf(graph_or_path, format, name=name)
    return _validate_pyshacl(graph_or_path)


#: N-Triples lines loaded into the store at a time (a 1M-triple graph is never one string).
_CHUNK = 100_000


def _load_kg(kg: KnowledgeGraph):  # noqa: ANN202
    def load(store) -> None:  # noqa: ANN001
        import pyoxigraph

        from graph.exporters.ntriples import ntriples_lines

        buf: list[str] = []
        for line in ntriples_lines(kg):
            buf.append(line)
            if len(buf) >= _CHUNK:
                store.load("\n".join(buf).encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
                buf.clear()
        store.load("\n".join(buf).encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return load


def _load_file(source: str | Path | bytes, format: str | None, name: str):  # noqa: ANN202, A002
    from graph.errors import InputError
    from graph.rdf.convert import read_source, syntax_error

    data, fmt, where = read_source(source, format, name=name)

    def load(store) -> None:  # noqa: ANN001
        import pyoxigraph

        try:
            store.load(data, format=fmt)
        except SyntaxError as err:
            raise syntax_error(err, fmt, where) from err
        # read_rdf (and so the reference engine) refuses RDF 1.2 triple terms: so does this
        for row in store.query("SELECT ?t WHERE { ?s ?p ?t FILTER(isTRIPLE(?t)) } LIMIT 1"):
            raise InputError(f"unsupported RDF term {row['t']!r} (RDF-star triple terms are not read)", path=where)
    return load


def _load_graph(g: Graph):  # noqa: ANN202
    def load(store) -> None:  # noqa: ANN001
        import pyoxigraph

        store.load(g.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return load


def _validate_fast(source: Graph | KnowledgeGraph | str | Path | bytes, fmt: str | None, name: str) -> Report:
    from graph.model import KnowledgeGraph
    from graph.rdf import shacl

    if isinstance(source, KnowledgeGraph):
        load, data = _load_kg(source), None
    elif isinstance(source, (str, Path, bytes)):
        load, data = _load_file(source, fmt, name), None
    else:
        load, data = _load_graph(source), source
    store, triples = shacl.load_store(load)
    from graph.rdf.convert import rdflib_term

    results = shacl.Validator(store, rdflib_term).run()
    if not results:
        return Report(conforms=True, violations=(), triples=triples)
    import pyoxigraph

    names = _names(data)
    label_iri = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    violations = []
    for r in results:
        labels = sorted(q.object.value for q in store.quads_for_pattern(r.focus, label_iri, None, None))
        src = rdflib_term(r.source_shape)
        violations.append(Violation(
            focus=_short(names, rdflib_term(r.focus)),
            label=labels[0] if labels else None,
            shape=r.owner,
            source_shape=_local(src) if isinstance(r.source_shape, pyoxigraph.NamedNode) else _short(names, src),
            path=_short(names, rdflib_term(pyoxigraph.NamedNode(r.path))) if r.path else None,
            value=_short(names, rdflib_term(r.value)) if r.value is not None else None,
            message=r.message,
            component=r.component,
        ))
    violations.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message, v.value or ""))
    return Report(conforms=False, violations=tuple(violations), triples=triples)


def _validate_pyshacl(data: Graph) -> Report:
    """The reference: pySHACL on the data and the ontology (see :func:`_data_graph`)."""
    import pyshacl
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS, SH

    shapes, ontology = _shapes()
    conforms, results, text = pyshacl.validate(
        _data_graph(data, ontology), shacl_graph=shapes, inference="none", allow_warnings=True
    )
    names = _names(data)
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
            component=_local(results.value(result, SH.sourceConstraintComponent) or ""),
        ))
    violations.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message, v.value or ""))
    return Report(conforms=bool(conforms), violations=tuple(violations), triples=len(data), text=text)
