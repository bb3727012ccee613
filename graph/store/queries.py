"""Queries and their parameters: the shipped ``.rq`` files, their headers, values bound as terms.

A parameter's value is never pasted into the query text: it becomes an RDF
term (:func:`to_term`, :func:`parse_value`; an entity is looked up by name,
:func:`find_entity`) substituted for the variable (see :mod:`graph.store.query`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph

from graph.errors import InputError, KGError
from graph.model import ENTITY_TYPES, PREDICATES
from graph.resources import query_names, query_text
from graph.vocab import PREFIXES

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
Value = Term | str | int | float | Decimal | bool

EKG_NS = PREFIXES["ekg"]
XSD_NS = PREFIXES["xsd"]

PARAM_KINDS: tuple[str, ...] = ("entity", "predicate", "class", "string", "integer", "decimal", "iri")


VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_QUERY_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Param:
    """A declared query parameter: the variable, its kind, what it means."""

    name: str
    kind: str
    description: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """A SPARQL query with what its header says about it.

    ``params`` is ``None`` when the query declares nothing (inline SPARQL, a
    file without a header): then any variable of its ``SELECT`` clause may be
    bound. A declared list, even empty, is the complete list.
    """

    text: str
    name: str = "<query>"
    description: str = ""
    params: tuple[Param, ...] | None = None
    source: str | None = None

    def param(self, name: str) -> Param | None:
        """Return the declared parameter ``name``, if any."""
        return next((p for p in self.params or () if p.name == name), None)


_PARAM_LINE = re.compile(r"#\s+(\w+)\s+(\w+)\s+(.*\S)\s*$")


_DEFAULT = re.compile(r"\(default:\s*(.+?)\)\s*$")


def parse_query(text: str, name: str = "<query>", source: str | None = None) -> Query:
    """Read a query's comment header: description and parameters.

    Raises:
        KGError: a parameter line names an unknown kind.

    Examples:
        >>> q = parse_query('''# Partners of a project.
        ... # Parameters:
        ... #   project  entity  the project (default: Stargate)
        ... SELECT ?org ?project WHERE { ?org ekg:partnerIn ?project }''')
        >>> q.description, [(p.name, p.kind, p.default) for p in q.params]
        ('Partners of a project.', [('project', 'entity', 'Stargate')])
    """
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        header.append(stripped)
    description = ""
    params: list[Param] | None = None
    for i, line in enumerate(header):
        body = line.lstrip("#").strip()
        if not description and body and not body.lower().startswith("parameters:"):
            description = body
        if body.lower().startswith("parameters:"):
            params = []
            for pline in header[i + 1:]:
                m = _PARAM_LINE.match(pline)
                if not m:
                    break
                pname, kind, desc = m.groups()
                if kind not in PARAM_KINDS:
                    raise KGError(f"query {name!r}: parameter {pname!r} has unknown kind {kind!r}; "
                                  f"known: {', '.join(PARAM_KINDS)}", path=source)
                dm = _DEFAULT.search(desc)
                params.append(Param(pname, kind, desc, dm.group(1).strip() if dm else None))
            break
    return Query(text=text, name=name, description=description,
                 params=None if params is None else tuple(params), source=source)


def shipped_query(name: str) -> Query:
    """Return the shipped query ``name`` (``graph/queries/<name>.rq``).

    Raises:
        KGError: no shipped query has that name (the message lists them).

    Examples:
        >>> shipped_query("evidence").params[1].kind
        'predicate'
    """
    if name not in query_names():
        raise KGError(f"no shipped query {name!r}; shipped: {', '.join(query_names())}")
    return parse_query(query_text(name), name=name, source=f"{name}.rq")


def shipped_queries() -> list[Query]:
    """Return every shipped query, sorted by name."""
    return [shipped_query(n) for n in query_names()]


def resolve_query(spec: str) -> Query:
    """Return the query ``spec`` names: a ``.rq`` file, a shipped name, or SPARQL.

    Raises:
        InputError: a query file is missing or not UTF-8.
        KGError: ``spec`` looks like a name but no shipped query has it.

    Examples:
        >>> resolve_query("partners").name
        'partners'
        >>> resolve_query("ASK { ?s ?p ?o }").name
        '<query>'
    """
    path = Path(spec)
    if spec.endswith((".rq", ".sparql")) or (len(spec) < 4096 and "\n" not in spec and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as err:
            raise InputError("no such query file", path=spec) from err
        except UnicodeDecodeError as err:
            raise InputError("query file is not valid UTF-8", path=spec) from err
        except OSError as err:
            raise InputError(f"cannot read the query file: {err.strerror or err}", path=spec) from err
        return parse_query(text, name=path.stem, source=spec)
    if _QUERY_NAME.fullmatch(spec):
        if spec in query_names():
            return shipped_query(spec)
        raise KGError(f"unknown query {spec!r}: not a query file, not SPARQL, and not a shipped "
                      f"query; shipped: {', '.join(query_names())}")
    return parse_query(spec)


def first_line(err: BaseException) -> str:
    text = str(err.args[0] if err.args and isinstance(err.args[0], str) else err)
    return text.strip().split("\n", 1)[0]


def expand_iri(text: str) -> str | None:
    """Return the IRI ``text`` writes (``<…>`` or a known prefix), or None.

    Examples:
        >>> expand_iri("kgr:openai")
        'https://w3id.org/entity-kg/resource/openai'
        >>> expand_iri("OpenAI") is None
        True
    """
    if text.startswith("<") and text.endswith(">") and len(text) > 2:
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and " " not in local:
        return PREFIXES[prefix] + local
    return None


def to_term(value: Value) -> Term:
    """Return the RDF term for a Python value (``str`` → plain literal).

    Examples:
        >>> to_term(3)
        <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(value, (pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal, pyoxigraph.Triple)):
        return value
    if isinstance(value, bool):
        return pyoxigraph.Literal("true" if value else "false", datatype=pyoxigraph.NamedNode(XSD_NS + "boolean"))
    if isinstance(value, int):
        return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(XSD_NS + "integer"))
    if isinstance(value, Decimal):
        return pyoxigraph.Literal(format(value, "f"), datatype=pyoxigraph.NamedNode(XSD_NS + "decimal"))
    if isinstance(value, float):
        return pyoxigraph.Literal(repr(value), datatype=pyoxigraph.NamedNode(XSD_NS + "double"))
    if isinstance(value, str):
        return pyoxigraph.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__} ({value!r}) in a SPARQL query")


def parse_value(text: str) -> Term:
    """Return the term a free ``--param`` value writes.

    ``<iri>`` and ``prefix:name`` (known prefixes) are IRIs, integers and
    decimals are numbers, ``"quoted"`` text and anything else a string.

    Examples:
        >>> parse_value("ekg:Company").value
        'https://w3id.org/entity-kg/ontology#Company'
        >>> parse_value('"2024"').value, parse_value("2024").datatype.value[-7:]
        ('2024', 'integer')
    """
    iri = expand_iri(text)
    if iri is not None:
        return _named_node(iri, text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return pyoxigraph.Literal(text[1:-1])
    if re.fullmatch(r"[+-]?\d+", text):
        return to_term(int(text))
    if re.fullmatch(r"[+-]?\d*\.\d+", text):
        return to_term(Decimal(text))
    return pyoxigraph.Literal(text)


def _named_node(iri: str, given: str) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(iri)
    except ValueError as err:
        raise KGError(f"not a valid IRI: {given!r} ({first_line(err)})") from err


_LOOKUP_EXACT = """
SELECT DISTINCT ?e ?name WHERE {
  ?e rdfs:label|skos:altLabel ?name .
  FILTER NOT EXISTS { ?e a ekg:Document }
}"""


_LOOKUP_FOLDED = """
SELECT DISTINCT ?e ?name WHERE {
  ?e rdfs:label|skos:altLabel ?n .
  FILTER(LCASE(STR(?n)) = LCASE(STR(?name)))
  FILTER NOT EXISTS { ?e a ekg:Document }
}"""


def find_entity(store: pyoxigraph.Store, name: str) -> pyoxigraph.NamedNode:
    """Return the entity whose label or alias is ``name`` (or the IRI given).

    An exact match wins; otherwise the match ignores case.

    Raises:
        KGError: no entity has that name, or several do (the message lists
            their IRIs, which can be given instead).
    """
    iri = expand_iri(name)
    if iri is not None:
        node = _named_node(iri, name)
        if not store.query("ASK { ?e ?p ?o }", substitutions={pyoxigraph.Variable("e"): node},
                           use_default_graph_as_union=True):
            raise KGError(f"no entity {name!r} in the graph")
        return node
    found: list[pyoxigraph.NamedNode] = []
    for lookup in (_LOOKUP_EXACT, _LOOKUP_FOLDED):
        rows = store.query(lookup, prefixes=PREFIXES, use_default_graph_as_union=True,
                           substitutions={pyoxigraph.Variable("name"): pyoxigraph.Literal(name)})
        if not isinstance(rows, pyoxigraph.QuerySolutions):  # pragma: no cover - a SELECT
            raise TypeError("entity lookup must be a SELECT")
        found = sorted({r["e"] for r in rows if isinstance(r["e"], pyoxigraph.NamedNode)},
                       key=lambda n: n.value)
        if found:
            break
    if not found:
        raise KGError(f"no entity named {name!r} in the graph (labels and aliases are searched, "
                      "ignoring case)")
    if len(found) > 1:
        raise KGError(f"{name!r} names {len(found)} entities: "
                      + ", ".join(compact_iri(n.value) for n in found) + "; give one of these IRIs")
    return found[0]


def _convert(store: pyoxigraph.Store, query: Query, param: Param, text: str) -> Term:
    where = f"query {query.name!r}, parameter {param.name!r}"
    if param.kind == "entity":
        try:
            return find_entity(store, text)
        except KGError as err:
            raise KGError(f"{where}: {err}") from err
    if param.kind == "predicate":
        iri = expand_iri(text) or EKG_NS + text
        local = iri[len(EKG_NS):] if iri.startswith(EKG_NS) else None
        if local not in (*PREDICATES, "mentions"):
            raise KGError(f"{where}: unknown predicate {text!r}; known: {', '.join(PREDICATES)}")
        return _named_node(iri, text)
    if param.kind == "class":
        iri = expand_iri(text) or EKG_NS + text
        local = iri[len(EKG_NS):] if iri.startswith(EKG_NS) else None
        if local not in ENTITY_TYPES:
            raise KGError(f"{where}: unknown class {text!r}; known: {', '.join(ENTITY_TYPES)}")
        return _named_node(iri, text)
    if param.kind == "iri":
        iri = expand_iri(text) or text
        return _named_node(iri, text)
    if param.kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", text.strip()):
            raise KGError(f"{where}: {text!r} is not an integer")
        return to_term(int(text))
    if param.kind == "decimal":
        try:
            return to_term(Decimal(text.strip()))
        except InvalidOperation as err:
            raise KGError(f"{where}: {text!r} is not a number") from err
    return pyoxigraph.Literal(text)


def bind_params(store: pyoxigraph.Store, query: Query, params: Mapping[str, str] | None) -> dict[str, Term]:
    """Turn ``name=text`` parameters into terms, by the query's declared kinds.

    Declared parameters that are not given take their default, if any.
    For a query that declares nothing, values are read by :func:`parse_value`.

    Raises:
        KGError: an unknown parameter, a value of the wrong kind, or an
            entity name that matches no entity or several.
    """
    params = dict(params or {})
    for name in params:
        if not VAR_NAME.fullmatch(name):
            raise KGError(f"bad parameter name {name!r}: use a SPARQL variable name without '?'")
    if query.params is None:
        return {name: parse_value(text) for name, text in params.items()}
    declared = {p.name for p in query.params}
    unknown = sorted(set(params) - declared)
    if unknown:
        allowed = ", ".join(sorted(declared)) or "none"
        raise KGError(f"query {query.name!r} has no parameter {unknown[0]!r}; parameters: {allowed}")
    out: dict[str, Term] = {}
    for p in query.params:
        text = params.get(p.name, p.default)
        if text is not None:
            out[p.name] = _convert(store, query, p, text)
    return out


def compact_iri(iri: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and re.fullmatch(r"[\w.\-/]*", local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"
