"""The SHACL shapes (``ontology/shapes.ttl``) compiled for :mod:`graph.rdf.shacl`.

Each shape becomes a :class:`Shape`: its targets as a SPARQL pattern that
binds ``?this``, and its constraints as SPARQL boolean expressions over a
value node. Only what the shapes use is supported: the targets
``sh:targetClass``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` and
``sh:targetNode``; predicate paths; ``sh:class``, ``sh:datatype``,
``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:minLength``,
``sh:pattern``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:in``,
``sh:or``, ``sh:lessThan``, ``sh:node``, ``sh:qualifiedValueShape`` with
``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``, and ``sh:sparql``
SELECT constraints. A SHACL class is the class or any subclass in the data
(``rdfs:subClassOf``, the ontology included): the expressions name them as
``{sub:<C> ...}``, which :class:`graph.rdf.shacl.Validator` fills in. Any other SHACL term in a shape is an
:class:`~graph.errors.OntologyError`: the fast validator never skips a
constraint it does not know (pySHACL, ``kg validate --engine pyshacl``,
reads any shape).

The shapes are read with pyoxigraph, not rdflib: the build validates on
every run, and importing rdflib's graph machinery for 1,000 triples of
shapes was most of its start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from graph.errors import OntologyError
from graph.resources import ontology_path

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Predicates of a shape that carry no constraint of their own.
_ANNOTATIONS = {RDF + "type", RDFS + "label", RDFS + "comment", SH + "message", SH + "name",
                SH + "description", SH + "property", SH + "path", SH + "targetClass",
                SH + "targetSubjectsOf", SH + "targetObjectsOf", SH + "targetNode",
                SH + "qualifiedMinCount", SH + "qualifiedMaxCount"}
_SUPPORTED = {SH + n for n in ("class", "datatype", "nodeKind", "minCount", "maxCount", "minLength",
                               "pattern", "minInclusive", "maxInclusive", "in", "or", "lessThan", "node",
                               "qualifiedValueShape", "sparql")}
_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})", "IRIOrLiteral": "!isBlank({v})",
}
#: Datatypes whose well-formed literals Oxigraph stores as numbers: ``isNumeric`` is then
#: proof that rdflib (pySHACL's reader) parses them too; any other literal goes to Python.
NUMERIC = (XSD + "integer", XSD + "decimal")


def term_sparql(term: object) -> str:
    """A pyoxigraph term as SPARQL text (its ``str`` is N-Triples, which SPARQL reads)."""
    return str(term)


@dataclass(frozen=True)
class Test:
    """One constraint on a single value node.

    ``sure`` is a SPARQL expression over ``{v}``: true proves the value
    passes. When ``exact``, false proves it fails; otherwise the value is
    decided in Python by :mod:`graph.rdf.shacl` with pySHACL's rules
    (rdflib's reading of the literal), which only the rare odd literal needs.
    """

    component: str
    kind: str
    sure: str
    exact: bool
    arg: object = None
    branches: tuple[tuple[Test, ...], ...] = ()


@dataclass
class Shape:
    """A node or property shape, compiled."""

    node: object
    name: str
    path: str | None = None
    messages: tuple[str, ...] = ()
    targets: list[str] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    min_count: int | None = None
    max_count: int | None = None
    less_than: list[str] = field(default_factory=list)
    nodes: list[Shape] = field(default_factory=list)
    qualified: list[tuple[Shape, int | None, int | None]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


class _Graph:
    """The shapes graph as ``subject -> predicate -> [objects]`` of pyoxigraph terms."""

    def __init__(self, data: bytes, name: str) -> None:
        import pyoxigraph

        self.out: dict[object, dict[str, list[object]]] = {}
        try:
            for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE):
                self.out.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
        except SyntaxError as err:
            raise OntologyError(f"cannot load {name}: {err}", path=name) from err

    def objects(self, s: object, p: str) -> list[object]:
        return self.out.get(s, {}).get(p, [])

    def one(self, s: object, p: str) -> object | None:
        values = self.objects(s, p)
        return values[0] if values else None

    def items(self, head: object) -> list[object]:
        out = []
        while head is not None and getattr(head, "value", None) != RDF + "nil":
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out


def _name(node: object) -> str:
    s = getattr(node, "value", str(node))
    return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]


def _int(value: object) -> int:
    return int(getattr(value, "value", value))


class _Compiler:
    def __init__(self, g: _Graph) -> None:
        self.g = g
        self.done: dict[object, Shape] = {}

    def prefixes(self, shape_node: object) -> str:
        lines = []
        for onto in self.g.objects(shape_node, SH + "prefixes"):
            for decl in self.g.objects(onto, SH + "declare"):
                prefix = self.g.one(decl, SH + "prefix")
                ns = self.g.one(decl, SH + "namespace")
                lines.append(f"PREFIX {prefix.value}: <{ns.value}>")  # type: ignore[union-attr]
        return "\n".join(lines)

    def shape(self, node: object) -> Shape:
        if node in self.done:
            return self.done[node]
        g = self.g
        shape = Shape(node=node, name=_name(node))
        self.done[node] = shape
        props = g.out.get(node, {})
        unknown = [p for p in props if p not in _ANNOTATIONS and p not in _SUPPORTED and p != SH + "prefixes"]
        unknown += [p for p in props if p.startswith(SH) and p in (SH + "severity", SH + "deactivated")]
        if unknown:
            raise OntologyError(f"shape {shape.name} uses {', '.join(sorted(unknown))}, which the fast "
                                "validator does not support (use --engine pyshacl)")
        path = g.one(node, SH + "path")
        if path is not None:
            if type(path).__name__ != "NamedNode":
                raise OntologyError(f"shape {shape.name}: only predicate paths are supported")
            shape.path = path.value  # type: ignore[attr-defined]
        shape.messages = tuple(sorted(m.value for m in g.objects(node, SH + "message")))  # type: ignore[attr-defined]
        if classes := g.objects(node, SH + "targetClass"):
            shape.targets.append(f"?this rdf:type ?_t . FILTER(?_t IN ({{sub:{' '.join(map(term_sparql, classes))}}}))")
        for p in g.objects(node, SH + "targetSubjectsOf"):
            shape.targets.append(f"?this {term_sparql(p)} [] .")
        for p in g.objects(node, SH + "targetObjectsOf"):
            shape.targets.append(f"[] {term_sparql(p)} ?this .")
        for n in g.objects(node, SH + "targetNode"):
            shape.targets.append(f"VALUES ?this {{ {term_sparql(n)} }}")
        shape.tests = self.tests(node)
        if (v := g.one(node, SH + "minCount")) is not None:
            shape.min_count = _int(v)
        if (v := g.one(node, SH + "maxCount")) is not None:
            shape.max_count = _int(v)
        shape.less_than = [p.value for p in g.objects(node, SH + "lessThan")]  # type: ignore[attr-defined]
        shape.nodes = [self.shape(n) for n in g.objects(node, SH + "node")]
        for q in g.objects(node, SH + "qualifiedValueShape"):
            lo, hi = g.one(node, SH + "qualifiedMinCount"), g.one(node, SH + "qualifiedMaxCount")
            shape.qualified.append((self.shape(q), None if lo is None else _int(lo), None if hi is None else _int(hi)))
        shape.properties = [self.shape(p) for p in g.objects(node, SH + "property")]
        for c in g.objects(node, SH + "sparql"):
            select = g.one(c, SH + "select")
            if select is None:
                raise OntologyError(f"shape {shape.name}: a sh:sparql constraint without sh:select")
            messages = tuple(sorted(m.value for m in g.objects(c, SH + "message")))  # type: ignore[attr-defined]
            shape.sparql.append((self.prefixes(c), select.value, messages))  # type: ignore[attr-defined]
        return shape

    def tests(self, node: object) -> list[Test]:
        g = self.g
        out: list[Test] = []
        for c in g.objects(node, SH + "class"):
            out.append(_class_test([c]))
        if (dt := g.one(node, SH + "datatype")) is not None:
            out.append(_datatype_test(dt.value))  # type: ignore[attr-defined]
        if (kind := g.one(node, SH + "nodeKind")) is not None:
            expr = _NODE_KINDS[_name(kind)]
            out.append(Test("NodeKindConstraintComponent", "nodeKind", expr, True))
        if (n := g.one(node, SH + "minLength")) is not None:
            n = _int(n)
            # exact for IRIs and strings; other literals are read as rdflib reads them
            sure = (f"(isIRI({{v}}) || (isLiteral({{v}}) && (datatype({{v}}) = xsd:string || lang({{v}}) != \"\")))"
                    f" && STRLEN(STR({{v}})) >= {n}")
            out.append(Test("MinLengthConstraintComponent", "minLength", "true" if n == 0 else sure, n == 0, n))
        if (pat := g.one(node, SH + "pattern")) is not None:
            out.append(Test("PatternConstraintComponent", "pattern", _pattern_sure(pat.value), False, pat.value))  # type: ignore[attr-defined]
        for key, op in (("minInclusive", ">="), ("maxInclusive", "<=")):
            if (bound := g.one(node, SH + key)) is not None:
                if bound.datatype.value not in NUMERIC:  # type: ignore[attr-defined]
                    raise OntologyError(f"shape {_name(node)}: sh:{key} must be an xsd:integer or xsd:decimal")
                sure = (f"isNumeric({{v}}) && datatype({{v}}) IN (xsd:integer, xsd:decimal) && "
                        f"{{v}} {op} {term_sparql(bound)}")
                out.append(Test(key[0].upper() + key[1:] + "ConstraintComponent", key, sure, False, bound))
        if (head := g.one(node, SH + "in")) is not None:
            members = g.items(head)
            if any(type(m).__name__ != "NamedNode" for m in members):
                raise OntologyError(f"shape {_name(node)}: sh:in of literals is not supported")
            sure = " || ".join(f"sameTerm({{v}}, {term_sparql(m)})" for m in members) or "false"
            out.append(Test("InConstraintComponent", "in", sure, True))
        if (head := g.one(node, SH + "or")) is not None:
            branches = []
            for b in g.items(head):
                extra = [p for p in g.out.get(b, {}) if p not in (SH + "class", SH + "datatype", SH + "nodeKind")]
                if extra:
                    raise OntologyError(f"shape {_name(node)}: an sh:or branch may only use sh:class, "
                                        f"sh:datatype and sh:nodeKind, not {', '.join(extra)}")
                branches.append(tuple(self.tests(b)))
            out.append(_or_test(branches))
        return out


def _class_test(classes: list[object]) -> Test:
    # the classes and their subclasses are listed ({sub:...}, filled in by graph.rdf.shacl from the
    # data's rdfs:subClassOf): Oxigraph ran `?v rdf:type/rdfs:subClassOf* ?c` in an EXISTS from the
    # unbound end, seconds for a few hundred values (measured: 74 s for ekg:mentions of 100 documents)
    values = " ".join(term_sparql(c) for c in classes)
    sure = f"EXISTS {{ {{v}} rdf:type ?_t . FILTER(?_t IN ({{sub:{values}}})) }}"
    return Test("ClassConstraintComponent", "class", sure, True, tuple(classes))


def _datatype_test(dt: str) -> Test:
    sure = f"isLiteral({{v}}) && datatype({{v}}) = <{dt}>"
    if dt == XSD + "string":  # a literal typed xsd:string is always well formed
        return Test("DatatypeConstraintComponent", "datatype", sure, True, dt)
    if dt in NUMERIC:
        return Test("DatatypeConstraintComponent", "datatype", f"{sure} && isNumeric({{v}})", False, dt)
    return Test("DatatypeConstraintComponent", "datatype", "false", False, dt)


def _pattern_sure(pattern: str) -> str:
    """A SPARQL proof that a string matches: only for patterns whose XPath and Python
    readings agree on every string they accept (anchors, classes, literal characters)."""
    import re

    if re.fullmatch(r"\^?(?:[A-Za-z0-9:/_-]|\\\.|\[[A-Za-z0-9-]+\]|\{[0-9,]+\}|[+*?])*\$?", pattern):
        escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
        return f'(isIRI({{v}}) || (isLiteral({{v}}) && datatype({{v}}) = xsd:string)) && REGEX(STR({{v}}), "{escaped}")'
    return "false"


def _or_test(branches: list[tuple[Test, ...]]) -> Test:
    if branches and all(len(b) == 1 and b[0].kind == "class" for b in branches):
        # one EXISTS for all the classes: 13 EXISTS a value was the slowest part of the check
        merged = _class_test([c for b in branches for c in b[0].arg])  # type: ignore[union-attr]
        return Test("OrConstraintComponent", "or", merged.sure, True, branches=tuple(branches))
    exact = all(t.exact for b in branches for t in b)
    sure = " || ".join("(" + (" && ".join(f"COALESCE({t.sure}, false)" for t in b) or "true") + ")"
                       for b in branches) or "false"
    return Test("OrConstraintComponent", "or", sure, exact, branches=tuple(branches))


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[Shape, ...]:
    """The top-level (IRI) node shapes of ``shapes.ttl``, compiled, in file order of their names."""
    path = ontology_path("shapes.ttl")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OntologyError(f"cannot load shapes.ttl: {err}", path=str(path)) from err
    g = _Graph(data, str(path))
    comp = _Compiler(g)
    tops = sorted((s for s, props in g.out.items()
                   if any(getattr(t, "value", "") == SH + "NodeShape" for t in props.get(RDF + "type", []))
                   and type(s).__name__ == "NamedNode"), key=lambda s: s.value)  # type: ignore[attr-defined]
    shapes = tuple(comp.shape(s) for s in tops)
    for shape in comp.done.values():
        if (shape.targets or shape.path) and not shape.messages and (shape.tests or shape.min_count is not None
                                                                    or shape.max_count is not None):
            raise OntologyError(f"shape {shape.name} reports results but has no sh:message")
    return shapes


@lru_cache(maxsize=1)
def ontology_bytes() -> bytes:
    """``kg.ttl``: mixed into the data so that ``sh:class`` sees the subclass axioms."""
    path = ontology_path("kg.ttl")
    try:
        return path.read_bytes()
    except OSError as err:
        raise OntologyError(f"cannot load kg.ttl: {err}", path=str(path)) from err
