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

The parts: :mod:`graph.store.stores` (stores), :mod:`graph.store.queries`
(queries and their parameters), :mod:`graph.store.results` (results); this
module runs queries and is the one import for all of it.

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

import re
from collections.abc import Collection, Iterable, Mapping
from itertools import islice
from typing import TypeVar

import pyoxigraph

from graph.errors import KGError, LoaderError
from graph.store.guard import check_query
from graph.store.queries import (  # noqa: F401 - the query API in one import
    PARAM_KINDS,
    VAR_NAME,
    Param,
    Query,
    Term,
    Value,
    bind_params,
    expand_iri,
    find_entity,
    first_line,
    parse_query,
    parse_value,
    resolve_query,
    shipped_queries,
    shipped_query,
    to_term,
)
from graph.store.results import (  # noqa: F401
    GRAPH_FORMATS,
    SELECT_FORMATS,
    QueryResult,
    display,
    format_table,
    to_python,
)
from graph.store.stores import from_kg, is_store, load_file, open_store  # noqa: F401
from graph.resources import query_names  # noqa: F401
from graph.vocab import PREFIXES

T = TypeVar("T")

_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


# --------------------------------------------------------------------------- stores


# --------------------------------------------------------------------------- queries


# --------------------------------------------------------------------------- parameters


# --------------------------------------------------------------------------- results


# --------------------------------------------------------------------------- running


def _strip_prologue(text: str) -> str:
    text = re.sub(r"(?m)#.*$", "", text)
    return re.sub(r"(?is)^\s*((PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "", text)


def _syntax_error(err: SyntaxError, query: Query) -> KGError:
    raw = first_line(err)
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
    raw = first_line(err)
    m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", raw)
    if m:
        return KGError(f"query {query.name!r}: parameter {m.group(1)!r} is not a variable of its "
                       "SELECT clause, so it cannot be bound")
    return KGError(f"query {query.name!r} failed: {raw}")


def check(query: Query, allow_service: Collection[str] = ()) -> None:
    """Refuse a query that would crash Oxigraph or go online (:func:`graph.store.guard.check_query`).

    Raises:
        KGError: one line, naming the query's file or ``<inline query>``.
    """
    try:
        check_query(query.text, allow_service)
    except KGError as err:
        where = query.source or ("<inline query>" if query.name == "<query>" else query.name)
        raise KGError(err.message, path=where) from None


def run(
    store: pyoxigraph.Store,
    query: Query | str,
    bindings: Mapping[str, Value] | None = None,
    *,
    limit: int | None = None,
    allow_service: Collection[str] = (),
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
        allow_service: endpoint URLs a ``SERVICE`` clause may name; by
            default none: a query never goes online (:mod:`graph.store.guard`).

    Raises:
        KGError: a syntax error (message with line and column), an update,
            a variable that cannot be bound, a failing evaluation, brackets
            nested too deep (they would crash Oxigraph), a ``SERVICE`` not
            allowed.
        LoaderError: the store cannot be read.
        ValueError: ``limit`` is negative.
        TypeError: a binding has an unsupported Python type.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit ({limit}) must be >= 0")
    q = query if isinstance(query, Query) else parse_query(query)
    check(q, allow_service)
    subs = {}
    for name, value in (bindings or {}).items():
        if not VAR_NAME.fullmatch(name):
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
        raise LoaderError(f"cannot read the store: {first_line(err)}") from err


def _take(results: Iterable[T], limit: int | None) -> Iterable[T]:
    """All results, or ``limit + 1`` of them (to tell whether more exist)."""
    return results if limit is None else islice(results, limit + 1)


def execute(
    store: pyoxigraph.Store,
    query: Query | str,
    params: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    allow_service: Collection[str] = (),
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
    return run(store, q, bind_params(store, q, params), limit=limit, allow_service=allow_service)
