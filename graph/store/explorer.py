"""The explorer over a store: the page ``kg serve`` puts at ``/`` and the queries behind it.

The page is the static explorer's template (:mod:`graph.exporters.html`)
with another data source: it starts with no entity drawn and a list of the
most connected ones, and what the user asks for (search, an entity's
relations, a relation's evidence a page at a time, expand, paths) comes from
``GET /explorer/api/NAME?...``. Each NAME is one *fixed* SPARQL query of this
module; the request's values (a search text, entity ids, a predicate, a page
number) are checked here, made into RDF terms by pyoxigraph (which escapes
them as N-Triples terms) and bound with a ``VALUES`` clause, never pasted
into the query's text. The query then goes to an Oxigraph server through the
proxy's own path (:meth:`graph.store.proxy._ProxyHandler`), so the read-only
servers, the time, size and concurrency limits and the ``Host`` check apply
to the page as to any client of ``/query``; the answer is the SPARQL JSON
results, which the page reads.

What the page needs once (class and relation counts, article dates, the most
connected entities) is asked of the store when ``kg serve`` starts
(:func:`summary`), with the shipped queries ``entity-types``, ``predicates``
and ``most-connected``.

Examples:
    >>> q = api_query("search", {"q": ['Acme "Corp"']})
    >>> 'VALUES ?q { "acme \\\\"corp\\\\"" }' in q
    True
    >>> api_query("links", {"id": ["acme"]}).count("<https://w3id.org/entity-kg/resource/acme>")
    1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyoxigraph

from graph.errors import KGError
from graph.model import PREDICATES
from graph.resources import query_text
from graph.store.summary import SUMMARY_GRAPH
from graph.vocab import PREFIXES, RESOURCE_BASE

#: Where the explorer page (``/``) asks its fixed queries: ``/explorer/api/NAME?...``.
EXPLORER_API = "/explorer/api/"
#: The page's Content-Security-Policy header (its ``<meta>`` says the same, less what a meta cannot).
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
#: Rows of evidence per page of a relation's panel (one more is asked for, to know if there is a next page).
EVIDENCE_PAGE = 20
#: Relations of an entity per ``links`` answer (the most reported first; the page asks for the next
#: page when the user wants more). All 1,714 of the busiest entity of 10,000 articles took 0.95 s
#: (1.2 MB of JSON); a page of 200, ~0.3 s (measured).
LINKS_PAGE = 200
#: Entities one ``links`` request may name (Expand, the path finder): one query for 60 entities
#: took 0.42 s where 60 requests took 1.2 s (measured, 10,000 articles).
BATCH_IDS = 60
#: Relations one answer for several entities holds at most (the most reported first). The cost is
#: per relation listed: the busiest entity's ring of 60 (4,425 relations, 10,000 articles) took
#: 0.88 s for 4,000 and 0.44 s for 2,000 (measured); an entity cut short gets "Load more".
BATCH_LINKS = 2000
#: Search hits one answer holds at most (names and aliases; the page shows 12 entities).
MAX_SEARCH_ROWS = 60
#: The longest search text.
MAX_SEARCH_CHARS = 200
#: Entities listed on the empty page to start from (the shipped most-connected query's 25).
START_ENTITIES = 25

_PROLOGUE = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("rdf", "rdfs", "skos", "ekg", "prov", "dcterms",
                                                               "schema")) + "\n"
_ENTITY_TYPE = ('?t . FILTER(STRSTARTS(STR(?t), STR(ekg:)) && ?t NOT IN (ekg:Assertion, ekg:Evidence, '
                'ekg:Document))')
#: An entity id as the page knows it (the local part of its IRI); no character a IRI may not hold.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/@!$&'()*+,;=%-]{0,300}")

QUERIES: dict[str, str] = {
    # entities with a name (label or alias) containing ?q, lower case; exact, prefix, anywhere
    "search": """SELECT ?entity ?label ?name ?t ?rank WHERE {
  # the names first, in a subquery of its own: joined with the types at once, Oxigraph 0.5 took
  # 16 s on 10,000 articles instead of 0.07 s (measured)
  {
    SELECT ?entity ?name ?key WHERE {
      {VALUES}
      { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
      BIND(LCASE(STR(?name)) AS ?key)
      FILTER(CONTAINS(?key, ?q))
    }
    LIMIT 1000
  }
  ?entity a """ + _ENTITY_TYPE + """
  ?entity rdfs:label ?label .
  BIND(IF(?key = ?q, 0, IF(STRSTARTS(?key, ?q), 1, 2)) AS ?rank)
}
ORDER BY ?rank STRLEN(?label) ?label ?name
LIMIT """ + str(MAX_SEARCH_ROWS),
    # the relations of some entities, from the store's relation summary (graph.store.summary, which
    # kg load writes): other end, number of articles, their dates, the assertion node and confidence
    "links": """SELECT ?s ?p ?o ?sLabel ?sType ?oLabel ?oType ?a ?confidence ?articles ?dates WHERE {
  {
    # the whole record in the subquery: its dates and confidence joined after it took 0.1 s for any
    # entity (Oxigraph 0.5 read every record), inside it 2 ms for one with 10 relations (measured)
    SELECT DISTINCT ?a ?s ?p ?o ?articles ?dates ?confidence WHERE {
      {VALUES}
      GRAPH <""" + SUMMARY_GRAPH + """> {
        { ?a ekg:summarySubject ?e } UNION { ?a ekg:summaryObject ?e }
        ?a ekg:articleCount ?articles ; ekg:summarySubject ?s ; ekg:summaryPredicate ?p ; ekg:summaryObject ?o ;
           ekg:articleDates ?dates ; ekg:summaryConfidence ?confidence .
      }
      FILTER(?p IN (""" + ", ".join(f"ekg:{p}" for p in PREDICATES) + """))
    }
    ORDER BY DESC(?articles) ?s ?p ?o
    LIMIT {LIMIT} OFFSET {OFFSET}
  }
  ?s rdfs:label ?sLabel ; a ?st . ?o rdfs:label ?oLabel ; a ?ot .
  FILTER(STRSTARTS(STR(?st), STR(ekg:)) && STRSTARTS(STR(?ot), STR(ekg:)))
  BIND(STRAFTER(STR(?st), "#") AS ?sType)
  BIND(STRAFTER(STR(?ot), "#") AS ?oType)
}
ORDER BY DESC(?articles) ?s ?p ?o""",
    # one page of a relation's evidence: a row per sentence of an article, the rules that read it merged
    "evidence": """SELECT ?sentence ?doc ?docLabel ?title ?date ?url (MIN(?start) AS ?charStart)
       (MAX(?end) AS ?charEnd) (GROUP_CONCAT(DISTINCT ?rule; separator=" ") AS ?rules)
       (MAX(?conf) AS ?confidence) WHERE {
  {VALUES}
  # the article is the one the evidence was derived from (not the graph it is in): a store loaded
  # from a single-graph file answers as one loaded from a graph per article
  ?a ekg:evidence ?ev .
  ?ev prov:wasDerivedFrom ?doc ; ekg:sentence ?sentence ; ekg:charStart ?start ; ekg:charEnd ?end ;
      ekg:rule ?rule ; ekg:confidence ?conf .
  OPTIONAL { ?doc rdfs:label ?docLabel }
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?doc schema:url ?url }
}
GROUP BY ?sentence ?doc ?docLabel ?title ?date ?url
ORDER BY ?date ?docLabel ?charStart ?sentence
LIMIT {LIMIT} OFFSET {OFFSET}""",
}

#: ``links`` for a store without the summary (loaded by a kg before it wrote one): it reads every
#: (relation, article) pair, so it is slow for a busy entity of a large per-article store, and it
#: finds nothing in a single-graph store. The served page says so (:func:`summary`). The union
#: default graph repeats a triple once per graph, so each pattern stays inside one graph (?g).
LINKS_BY_GRAPH = """SELECT ?s ?p ?o ?sLabel ?sType ?oLabel ?oType ?a ?confidence ?articles ?dates WHERE {
  {
    SELECT ?s ?p ?o (COUNT(DISTINCT ?g) AS ?articles) (SAMPLE(?g) AS ?one)
           (GROUP_CONCAT(DISTINCT STR(?date); separator=" ") AS ?dates) WHERE {
      {VALUES}
      { GRAPH ?g { ?e ?p ?o } BIND(?e AS ?s) } UNION { GRAPH ?g { ?s ?p ?e } BIND(?e AS ?o) }
      # a FILTER, not VALUES ?p: 0.4 s instead of 1.9 s for 60 entities (measured)
      FILTER(?p IN (""" + ", ".join(f"ekg:{p}" for p in PREDICATES) + """))
      # the articles' dates as a table joined once: a lookup per (relation, article) took 1.1 s of
      # the 1.3 s for the busiest entity of 10,000 articles (measured)
      OPTIONAL { SELECT ?g ?date WHERE { GRAPH ?g { ?g dcterms:date ?date } } }
    }
    GROUP BY ?s ?p ?o
    ORDER BY DESC(?articles) ?s ?p ?o
    LIMIT {LIMIT} OFFSET {OFFSET}
  }
  # not OPTIONAL: Oxigraph 0.5 then runs the pattern over every graph (0.4 s on 1,000 articles, measured)
  GRAPH ?one { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; ekg:confidence ?confidence }
  ?s rdfs:label ?sLabel ; a ?st . ?o rdfs:label ?oLabel ; a ?ot .
  FILTER(STRSTARTS(STR(?st), STR(ekg:)) && STRSTARTS(STR(?ot), STR(ekg:)))
  BIND(STRAFTER(STR(?st), "#") AS ?sType)
  BIND(STRAFTER(STR(?ot), "#") AS ?oType)
}
ORDER BY DESC(?articles) ?s ?p ?o"""


def entity_node(entity_id: str) -> pyoxigraph.NamedNode:
    """The IRI of an entity (or assertion) id the page sent: the IRI less the resource base.

    Raises:
        KGError: not an entity id.
    """
    if not _ID.fullmatch(entity_id):
        raise KGError(f"not an entity id: {entity_id[:80]!r}")
    try:
        return pyoxigraph.NamedNode(RESOURCE_BASE + entity_id)
    except ValueError as err:
        raise KGError(f"not an entity id: {entity_id[:80]!r}") from err


def _values(names: Sequence[str], rows: Sequence[Sequence[pyoxigraph.NamedNode | pyoxigraph.Literal]]) -> str:
    """A ``VALUES`` clause; each term written by pyoxigraph (N-Triples escapes), so no value is SPARQL."""
    head = " ".join(f"?{n}" for n in names)
    if len(names) == 1:
        return f"VALUES ?{names[0]} {{ " + " ".join(str(r[0]) for r in rows) + " }"
    return f"VALUES ({head}) {{ " + " ".join("(" + " ".join(str(t) for t in r) + ")" for r in rows) + " }"


def _one(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or []
    if len(values) != 1:
        raise KGError(f"give exactly one {name}=")
    return values[0]


def api_query(name: str, params: Mapping[str, Sequence[str]], summarised: bool = True) -> str:
    """Return the SPARQL text for ``GET /explorer/api/NAME`` with ``params`` (the URL's query values).

    ``summarised``: the store has the relation summary of :mod:`graph.store.summary` (else ``links``
    reads every article's graph, :data:`LINKS_BY_GRAPH`).

    Raises:
        KGError: an unknown NAME or a bad value (the message says which).
    """
    if name not in QUERIES:
        raise KGError(f"no explorer query {name!r}; known: {', '.join(sorted(QUERIES))}")
    text = QUERIES[name] if summarised or name != "links" else LINKS_BY_GRAPH
    if name == "search":
        q = " ".join(_one(params, "q").split()).lower()
        if not q or len(q) > MAX_SEARCH_CHARS:
            raise KGError(f"q= must have 1 to {MAX_SEARCH_CHARS} characters")
        values = _values(["q"], [[pyoxigraph.Literal(q)]])
    else:
        page = _one(params, "page") if params.get("page") else "0"
        if not page.isdigit() or int(page) > 100_000:
            raise KGError("page= must be a number from 0")
        ids = list(dict.fromkeys(params.get("id") or []))
        if name == "links" and not 1 <= len(ids) <= BATCH_IDS:
            raise KGError(f"give 1 to {BATCH_IDS} id= values")
        size = EVIDENCE_PAGE if name == "evidence" else LINKS_PAGE if len(ids) == 1 else BATCH_LINKS
        # one more row than a page: the page knows there is a next one
        offset = 0 if len(ids) > 1 else int(page) * size
        text = text.replace("{LIMIT}", str(size + 1)).replace("{OFFSET}", str(offset))
        values = _values(["e"], [[entity_node(i)] for i in ids]) if name == "links" else \
            _values(["a"], [[entity_node(_one(params, "a"))]])
    return _PROLOGUE + text.replace("{VALUES}", values)


# --------------------------------------------------------------------------- what the page needs once

_COUNTS = """SELECT (COUNT(DISTINCT ?d) AS ?documents) WHERE { ?d a ekg:Document }"""
_RELATIONS = """SELECT (COUNT(DISTINCT ?a) AS ?relations) WHERE { ?a a ekg:Assertion }"""
_DATES = """SELECT DISTINCT ?date WHERE { ?d a ekg:Document ; dcterms:date ?date } ORDER BY ?date"""
_SUMMARISED = "SELECT ?a WHERE { GRAPH <" + SUMMARY_GRAPH + "> { ?a ekg:articleCount ?n } } LIMIT 1"
#: What the page (and ``kg serve``) says of a store without the relation summary.
NO_SUMMARY = ("this store has no relation summary (loaded by an older kg): relations are listed slowly, and "
              "not at all for a single-graph file; load the files again with kg load --replace")

Run = Callable[[str], dict[str, Any]]


def _rows(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]


def local_id(iri: str) -> str:
    """The entity id of an IRI (the page's ids are those of the static page)."""
    return iri[len(RESOURCE_BASE):] if iri.startswith(RESOURCE_BASE) else iri


def summary(run: Run) -> dict[str, Any]:
    """What the served page shows before any request: counts, classes, relations, dates, where to start.

    ``run`` sends a SPARQL query to the store and returns its JSON results.
    """
    classes = {r["class"]: int(r["entities"]) for r in _rows(run(query_text("entity-types")))}
    predicates = {r["predicate"]: int(r["relations"]) for r in _rows(run(query_text("predicates")))}
    start = [{"id": local_id(r["entity"]), "label": r["entityLabel"], "type": r["class"],
              "degree": int(r["degree"])} for r in _rows(run(query_text("most-connected")))][:START_ENTITIES]
    docs = _rows(run(_PROLOGUE + _COUNTS))
    rels = _rows(run(_PROLOGUE + _RELATIONS))
    summarised = bool(_rows(run(_PROLOGUE + _SUMMARISED)))
    return {
        "classes": dict(sorted(classes.items())),
        "predicates": dict(sorted(predicates.items())),
        "dates": [r["date"] for r in _rows(run(_PROLOGUE + _DATES))],
        "documents": int(docs[0]["documents"]) if docs else 0,
        "entities": sum(classes.values()),
        "relations": int(rels[0]["relations"]) if rels else 0,
        "confidence": None,  # the range over every relation took 31 s on 10,000 articles: not shown
        "start": start,
        "evidence_page": EVIDENCE_PAGE,
        "links_page": LINKS_PAGE,
        "batch_ids": BATCH_IDS,
        "batch_links": BATCH_LINKS,
        "summarised": summarised,  # links read the relation summary (else LINKS_BY_GRAPH)
        "note": "" if summarised else f"Note: {NO_SUMMARY}.",
    }
