"""SPARQL over a graph: run queries on Oxigraph (pyoxigraph), never rdflib.

rdflib builds and serialises graphs; its SPARQL engine has no cost-based
join order and takes minutes on two-pattern joins that Oxigraph answers in
milliseconds, so every query runs here, on a :class:`pyoxigraph.Store`:
in memory from a graph file (:func:`open_store`, any RDF format by suffix),
from an on-disk store made by ``kg load`` (opened read-only), or from a
:class:`~graph.model.KnowledgeGraph` (:func:`from_kg`).

Queries see the union of the default graph and every named graph, so a
TriG or N-Quads file with one graph per document answers the same queries
as the Turtle file (use ``SELECT DISTINCT``: a triple stated in two
documents is in two graphs). Values go in as SPARQL substitutions
(`SEP-0007 <https://github.com/w3c/sparql-dev/blob/main/SEP/SEP-0007/sep-0007.md>`_),
never by string formatting; a substituted variable must be in the
``SELECT`` clause.

The shipped queries are ``graph/queries/<name>.rq``. Each starts with a
comment header: the first line says what it answers, then::

    # Parameters:
    #   project  entity  the project (name, alias or IRI)
    #   approach entity  the approach (default: open source)

(``# Parameters: none`` when it takes none). Parameter kinds: ``entity``
(a label or alias, case-insensitive, or an IRI such as ``kgr:openai``),
``predicate`` (``partnerIn``, ``ekg:partnerIn`` or an IRI), ``class``
(``Company``), ``string``, ``integer``, ``decimal``, ``iri``. An unset
parameter stays unbound, which usually means "any".

Examples:
    >>> store = pyoxigraph.Store()
    >>> store.load(input='<http://ex/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .',
    ...            format=pyoxigraph.RdfFormat.N_TRIPLES)
    >>> res = run(store, "SELECT ?x ?l WHERE { ?x rdfs:label ?l }")
    >>> res.records()
    [{'x': 'http://ex/a', 'l': 'A'}]
    >>> run(store, "ASK { ?x rdfs:label ?l }", {"l": "B"}).boolean
    False
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph

from graph.errors import InputError, KGError, LoaderError
from graph.model import ENTITY_TYPES, PREDICATES
from graph.resources import query_names, query_text
from graph.rdf.formats import rdf_format
from graph.vocab import PREFIXES

if TYPE_CHECKING:
    from graph.model import KnowledgeGraph

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
Value = Term | str | int | float | Decimal | bool
T = TypeVar("T")

EKG_NS = PREFIXES["ekg"]
XSD_NS = PREFIXES["xsd"]

PARAM_KINDS: tuple[str, ...] = ("entity", "predicate", "class", "string", "integer", "decimal", "iri")

#: Result formats by query form (``table`` is for people, the rest for programs).
SELECT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS: tuple[str, ...] = ("table", "turtle", "ntriples", "jsonld", "json", "xml")

_RESULT_FORMATS = {
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    "table": pyoxigraph.RdfFormat.TURTLE,
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "json": pyoxigraph.RdfFormat.JSON_LD,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUERY_NAME = re.compile(r"[A-Za-z0-9_-]+")


# --------------------------------------------------------------------------- stores


def is_store(path: Path | str) -> bool:
    """Return whether ``path`` is a folder holding an Oxigraph (RocksDB) store."""
    return Path(path, "CURRENT").is_file()


def _parse_error(err: SyntaxError, path: Path, fmt: pyoxigraph.RdfFormat) -> InputError:
    """Turn a pyoxigraph parse error into an InputError with line and column."""
    text = str(err.args[0] if err.args else err)
    text = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ", "",
                  text).split("\n", 1)[0]
    column = f" (column {err.offset})" if err.offset else ""
    return InputError(f"invalid {fmt.name}: {text}{column}", path=str(path), line=err.lineno)


def load_file(store: pyoxigraph.Store, path: Path | str, *, bulk: bool = False) -> None:
    """Load one RDF file into ``store`` (format from the suffix).

    ``bulk`` uses :meth:`pyoxigraph.Store.bulk_load` (fast, not
    transactional); otherwise :meth:`~pyoxigraph.Store.load` (one
    transaction, the whole file in memory).

    Raises:
        InputError: the file is missing, unreadable, of an unknown format
            or not valid RDF (message with line and column).
    """
    path = Path(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError("no such graph file", path=str(path))
    try:
        if bulk:
            store.bulk_load(path=str(path), format=fmt)
        else:
            store.load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise _parse_error(err, path, fmt) from err
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read {fmt.name}: {_first_line(err)}", path=str(path)) from err


def open_store(source: Path | str) -> pyoxigraph.Store:
    """Open a graph file (in memory) or an on-disk Oxigraph store (read-only).

    Args:
        source: an RDF file (``.ttl``, ``.nt``, ``.nq``, ``.trig``,
            ``.jsonld``, ``.rdf``, ``.n3``) or a store folder made by
            ``kg load``.

    Raises:
        InputError: nothing at ``source``, not RDF, not a store, or a
            corrupt store.
        LoaderError: the store exists but cannot be opened (permissions).
    """
    path = Path(source)
    if path.is_dir():
        if not is_store(path):
            raise InputError(
                "not an Oxigraph store (no CURRENT file); create one with `kg load GRAPH --store DIR`",
                path=str(path),
            )
        try:
            return pyoxigraph.Store.read_only(str(path))
        except RuntimeError as err:  # RocksDB reports corruption as RuntimeError
            raise InputError(f"corrupt or incompatible Oxigraph store: {_first_line(err)}",
                             path=str(path)) from err
        except OSError as err:
            raise LoaderError(f"cannot open the Oxigraph store: {_first_line(err)}", path=str(path)) from err
    if not path.exists():
        raise InputError("no such graph file or store folder", path=str(path))
    store = pyoxigraph.Store()
    load_file(store, path)
    return store


def from_kg(kg: KnowledgeGraph) -> pyoxigraph.Store:
    """Return an in-memory store holding ``kg`` in its RDF form (:mod:`graph.rdf.convert`).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> store = from_kg(KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),)))
        >>> run(store, "SELECT ?l WHERE { ?e a ekg:Company ; rdfs:label ?l }").records()
        [{'l': 'Acme'}]
    """
    from graph.rdf.convert import to_rdf

    store = pyoxigraph.Store()
    store.load(input=to_rdf(kg).serialize(format="nt", encoding="utf-8"),
               format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


# --------------------------------------------------------------------------- queries


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


# --------------------------------------------------------------------------- parameters


def _first_line(err: BaseException) -> str:
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
        raise KGError(f"not a valid IRI: {given!r} ({_first_line(err)})") from err


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
                      + ", ".join(_compact(n.value) for n in found) + "; give one of these IRIs")
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
        if not _VAR_NAME.fullmatch(name):
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


# --------------------------------------------------------------------------- results


def _compact(iri: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and re.fullmatch(r"[\w.\-/]*", local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"


def display(term: Term | None) -> str:
    """Return how a table shows a term: prefixed IRI, literal's text, ``""``."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return _compact(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return str(term)


def to_python(term: Term | None) -> object:
    """Return a term as a Python value: IRI text, ``int``, ``Decimal``, ``str``...

    Examples:
        >>> to_python(pyoxigraph.Literal("0.85", datatype=pyoxigraph.NamedNode(XSD_NS + "decimal")))
        Decimal('0.85')
    """
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        dt = term.datatype.value[len(XSD_NS):] if term.datatype.value.startswith(XSD_NS) else ""
        try:
            if dt in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
                return int(term.value)
            if dt == "decimal":
                return Decimal(term.value)
            if dt in ("double", "float"):
                return float(term.value)
            if dt == "boolean":
                return term.value in ("true", "1")
        except (ValueError, InvalidOperation):
            return term.value
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    return str(term)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n") or [""]:
        lines.extend(textwrap.wrap(part, width, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


def format_table(header: Sequence[str], rows: Iterable[Sequence[str]], *, max_width: int = 60) -> str:
    """Return rows as a plain-text table; cells wider than ``max_width`` wrap.

    Examples:
        >>> print(format_table(["a", "bb"], [["x", "yyy"]]))
        a  bb
        -  ---
        x  yyy
    """
    wrapped = [[_wrap(c, max_width) for c in row] for row in rows]
    widths = [len(h) for h in header]
    for row in wrapped:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in cell))
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
           "  ".join("-" * w for w in widths).rstrip()]
    for row in wrapped:
        for k in range(max(len(c) for c in row) if row else 0):
            out.append("  ".join((c[k] if k < len(c) else "").ljust(w)
                                 for c, w in zip(row, widths)).rstrip())
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The materialised result of a query.

    ``kind`` is ``"select"`` (``variables``, ``rows``), ``"ask"``
    (``boolean``) or ``"graph"`` (CONSTRUCT/DESCRIBE: ``triples``).
    ``truncated`` says a ``limit`` cut rows or triples off.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[pyoxigraph.Triple, ...] = ()
    truncated: bool = False
    query: Query | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def records(self) -> list[dict[str, object]]:
        """Return the rows as dicts of Python values (unbound variables left out)."""
        return [{v: to_python(t) for v, t in zip(self.variables, row) if t is not None}
                for row in self.rows]

    def column(self, name: str) -> list[object]:
        """Return one column as Python values (``None`` where unbound)."""
        i = self.variables.index(name)
        return [to_python(row[i]) for row in self.rows]

    def to_table(self, *, max_width: int = 60) -> str:
        """Return the result as text for people: a table, ``true``/``false``, or Turtle."""
        if self.kind == "ask":
            return "true" if self.boolean else "false"
        if self.kind == "graph":
            return self.serialize("turtle").decode("utf-8").rstrip("\n")
        table = format_table(self.variables, ([display(t) for t in row] for row in self.rows),
                             max_width=max_width)
        n = len(self.rows)
        more = " shown; there are more: raise --limit" if self.truncated else ""
        return f"{table}\n({n} row{'' if n == 1 else 's'}{more})"

    def to_html(self) -> str:
        """Return the result as an HTML table (every value escaped)."""
        if self.kind != "select":
            return f"<pre>{html.escape(self.to_table())}</pre>"
        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(display(t))}</td>" for t in row) + "</tr>"
            for row in self.rows)
        return (f'<table class="kg-result"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table><p>{len(self.rows)} rows</p>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def serialize(self, fmt: str) -> bytes:
        """Return the result in ``fmt`` through pyoxigraph's serializers.

        SELECT and ASK: ``csv``, ``tsv``, ``json``, ``xml`` (SPARQL 1.1 result
        formats); CONSTRUCT and DESCRIBE: ``turtle``, ``ntriples``,
        ``jsonld`` (also ``json``), ``xml`` (RDF/XML); ``table`` for either.

        Raises:
            KGError: the format does not fit the query form.
        """
        if fmt == "table":
            return (self.to_table() + "\n").encode("utf-8")
        if self.kind == "graph":
            if fmt not in _GRAPH_FORMATS:
                raise KGError(f"format {fmt!r} does not fit a CONSTRUCT/DESCRIBE result; "
                              f"use one of: {', '.join(GRAPH_FORMATS)}")
            data = pyoxigraph.serialize(list(self.triples), format=_GRAPH_FORMATS[fmt],
                                        prefixes=PREFIXES if fmt in ("turtle", "table") else None)
            return data or b""
        if fmt not in _RESULT_FORMATS:
            raise KGError(f"format {fmt!r} does not fit a SELECT/ASK result; "
                          f"use one of: {', '.join(SELECT_FORMATS)}")
        if self.kind == "ask":
            if fmt in ("csv", "tsv"):
                return b"true\n" if self.boolean else b"false\n"
            solutions = pyoxigraph.parse_query_results(
                b'{"head":{},"boolean":%s}' % (b"true" if self.boolean else b"false"),
                pyoxigraph.QueryResultsFormat.JSON)
        else:
            solutions = pyoxigraph.parse_query_results(self._tsv(), pyoxigraph.QueryResultsFormat.TSV)
        return solutions.serialize(format=_RESULT_FORMATS[fmt]) or b""

    def _tsv(self) -> bytes:
        """The rows in SPARQL TSV (terms in N-Triples syntax, as pyoxigraph writes them)."""
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in self.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- running


def _strip_prologue(text: str) -> str:
    text = re.sub(r"(?m)#.*$", "", text)
    return re.sub(r"(?is)^\s*((PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "", text)


def _syntax_error(err: SyntaxError, query: Query) -> KGError:
    raw = _first_line(err)
    where = query.source or ("<inline query>" if query.name == "<query>" else query.name)
    keyword = _strip_prologue(query.text).lstrip().split(None, 1)[:1]
    if keyword and keyword[0].upper() in _UPDATE_KEYWORDS:
        return KGError(f"{keyword[0].upper()} is a SPARQL update; kg query runs only SELECT, ASK, "
                       "CONSTRUCT and DESCRIBE, and never changes the graph", path=where)
    m = re.match(r"error at (\d+):(\d+): (.*)", raw)
    if not m:
        return KGError(f"SPARQL syntax error: {raw}", path=where)
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    if "Prefix not found" in detail:
        detail = ("undeclared prefix; declare it with PREFIX or use a built-in one: "
                  + ", ".join(sorted(PREFIXES)))
    elif len(detail) > 160:
        detail = detail[:157] + "..."
    return KGError(f"SPARQL syntax error at column {column}: {detail}", path=where, line=line)


def _runtime_error(err: Exception, query: Query) -> KGError:
    raw = _first_line(err)
    m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", raw)
    if m:
        return KGError(f"query {query.name!r}: parameter {m.group(1)!r} is not a variable of its "
                       "SELECT clause, so it cannot be bound")
    return KGError(f"query {query.name!r} failed: {raw}")


def run(
    store: pyoxigraph.Store,
    query: Query | str,
    bindings: Mapping[str, Value] | None = None,
    *,
    limit: int | None = None,
) -> QueryResult:
    """Run a SPARQL query on ``store`` and return its materialised result.

    Args:
        store: the store (see :func:`open_store`, :func:`from_kg`).
        query: SPARQL text or a :class:`Query`.
        bindings: values of query variables (SPARQL substitution, never
            string formatting): terms, or Python values (``str`` → plain
            literal, ``int``, ``Decimal``, ``float``, ``bool``). A bound
            variable must be in the ``SELECT`` clause.
        limit: keep at most this many rows or triples (``truncated`` says
            whether there were more).

    Raises:
        KGError: a syntax error (message with line and column), an update,
            a variable that cannot be bound, a failing evaluation.
        LoaderError: the store cannot be read.
        ValueError: ``limit`` is negative.
        TypeError: a binding has an unsupported Python type.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit ({limit}) must be >= 0")
    q = query if isinstance(query, Query) else parse_query(query)
    subs = {}
    for name, value in (bindings or {}).items():
        if not _VAR_NAME.fullmatch(name):
            raise KGError(f"bad variable name {name!r}: use a SPARQL variable name without '?'")
        subs[pyoxigraph.Variable(name)] = to_term(value)
    try:
        res = store.query(q.text, prefixes=PREFIXES, use_default_graph_as_union=True,
                          substitutions=subs or None)
        if isinstance(res, pyoxigraph.QueryBoolean):
            return QueryResult("ask", boolean=bool(res), query=q)
        if isinstance(res, pyoxigraph.QuerySolutions):
            variables = tuple(v.value for v in res.variables)
            solutions: Iterable[pyoxigraph.QuerySolution] = _take(res, limit)
            rows = [tuple(sol[v] for v in variables) for sol in solutions]
            truncated = limit is not None and len(rows) > limit
            return QueryResult("select", variables, tuple(rows[:limit] if truncated else rows),
                               truncated=truncated, query=q)
        graph: Iterable[pyoxigraph.Triple] = _take(res, limit)
        triples = list(graph)
        truncated = limit is not None and len(triples) > limit
        return QueryResult("graph", triples=tuple(triples[:limit] if truncated else triples),
                           truncated=truncated, query=q)
    except SyntaxError as err:
        raise _syntax_error(err, q) from err
    except RuntimeError as err:
        raise _runtime_error(err, q) from err
    except OSError as err:
        raise LoaderError(f"cannot read the store: {_first_line(err)}") from err


def _take(results: Iterable[T], limit: int | None) -> Iterable[T]:
    """All results, or ``limit + 1`` of them (to tell whether more exist)."""
    return results if limit is None else islice(results, limit + 1)


def execute(
    store: pyoxigraph.Store,
    query: Query | str,
    params: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
) -> QueryResult:
    """Run a query named by :func:`resolve_query` with ``name=text`` parameters.

    This is what ``kg query`` does: ``query`` is a shipped name, a ``.rq``
    path or SPARQL; ``params`` are converted by :func:`bind_params`.

    Raises:
        KGError: see :func:`resolve_query`, :func:`bind_params`, :func:`run`.

    Examples:
        >>> from graph.model import Entity, Evidence, KnowledgeGraph, Relation
        >>> ev = Evidence(doc_id="d", start=0, end=20, sentence="A is a partner in P.",
        ...               rule_id="partner_in_v1", confidence=0.9)
        >>> kg = KnowledgeGraph(
        ...     entities=(Entity(id="a", type="Company", label="A"),
        ...               Entity(id="p", type="Project", label="P", aliases=("Project P",))),
        ...     relations=(Relation(subject="a", predicate="partnerIn", object="p", evidence=(ev,)),))
        >>> res = execute(from_kg(kg), "evidence", {"object": "project p", "predicate": "partnerIn"})
        >>> [(r["subjectLabel"], r["sentence"], r["rule"]) for r in res.records()]
        [('A', 'A is a partner in P.', 'partner_in_v1')]
    """
    q = query if isinstance(query, Query) else resolve_query(query)
    return run(store, q, bind_params(store, q, params), limit=limit)
