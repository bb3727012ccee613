"""The store's relation summary: one small record per relation, written by ``kg load``.

A store loaded from a per-article export (N-Quads, TriG) holds each relation
once per article that states it, in that article's named graph; listing an
entity's relations with their article counts and dates then reads every
(relation, article) pair: ~100,000 for the busiest entity of a 10,000-article
archive, 2.6 s to expand its ring of 60 (measured). So ``kg load`` writes,
after the files and in the same atomic step, a named graph
:data:`SUMMARY_GRAPH` with, for every ``ekg:Assertion`` of the store::

    <assertion> ekg:summarySubject <s> ; ekg:summaryPredicate ekg:p ; ekg:summaryObject <o> ;
                ekg:summaryConfidence 0.9 ; ekg:articleCount 12 ; ekg:articleDates "2024-01-02 2024-03-05" .

The articles of a relation are the documents its evidence was derived from
(``ekg:evidence`` / ``prov:wasDerivedFrom``), whatever the layout, so a store
loaded from one single-graph Turtle file gets the same summary. The terms are
the summary's own (see ``ontology/kg.ttl``), so no shipped query (they use
``rdf:subject`` ...) sees a record twice; the summary lives only in the store,
never in an exported file. Every load (append or ``--replace``) rebuilds it
over the whole store: for 10,000 articles (13,000 relations, 300,000
sentences, 4 million quads) 33 to 36 s of a 108 s load on a shared 2-core
machine (measured; the README's "Browse a large corpus").

Examples:
    >>> import pyoxigraph
    >>> build_summary(pyoxigraph.Store())
    0
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph

from graph.vocab import EKG, PREFIXES, RESOURCE_BASE

#: The named graph that holds the summary (only in a store ``kg load`` wrote).
SUMMARY_GRAPH = RESOURCE_BASE + "graph/relation-summary"

_RDF = PREFIXES["rdf"]


def _n(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(iri))


_TYPE, _ASSERTION = _n(_RDF + "type"), _n(EKG.Assertion)
_SUBJ, _PRED, _OBJ = _n(_RDF + "subject"), _n(_RDF + "predicate"), _n(_RDF + "object")
_CONF, _EVID = _n(EKG.confidence), _n(EKG.evidence)
_FROM, _DATE = _n(PREFIXES["prov"] + "wasDerivedFrom"), _n(PREFIXES["dcterms"] + "date")
_INT = _n(PREFIXES["xsd"] + "integer")


def _pairs(store: pyoxigraph.Store, predicate: pyoxigraph.NamedNode, skip: pyoxigraph.NamedNode) -> dict:
    """subject -> set of objects of ``predicate`` over every graph but ``skip``."""
    out: dict = defaultdict(set)
    for q in store.quads_for_pattern(None, predicate, None):
        if q.graph_name != skip:
            out[q.subject].add(q.object)
    return out


def _number(term: pyoxigraph.Literal) -> tuple[float, str]:
    try:
        return float(term.value), term.value
    except ValueError:
        return float("-inf"), term.value


def build_summary(store: pyoxigraph.Store) -> int:
    """(Re)write :data:`SUMMARY_GRAPH` of ``store`` from the rest of it; return its number of relations."""
    graph = _n(SUMMARY_GRAPH)
    store.remove_graph(graph)
    assertions = sorted((q.subject for q in store.quads_for_pattern(None, _TYPE, _ASSERTION)
                         if q.graph_name != graph), key=str)
    subj, pred, obj = (_pairs(store, p, graph) for p in (_SUBJ, _PRED, _OBJ))
    conf, evid = _pairs(store, _CONF, graph), _pairs(store, _EVID, graph)
    source, dates = _pairs(store, _FROM, graph), _pairs(store, _DATE, graph)
    quads = []
    done = 0
    for a in dict.fromkeys(assertions):
        if not (len(subj[a]) == len(pred[a]) == len(obj[a]) == 1):
            continue  # not one relation: left out of the summary (and of the served explorer's lists)
        docs = {d for ev in evid.get(a, ()) for d in source.get(ev, ())}
        days = sorted({str(d.value) for doc in docs for d in dates.get(doc, ()) if isinstance(d, pyoxigraph.Literal)})
        record = [(_n(EKG.summarySubject), next(iter(subj[a]))),
                  (_n(EKG.summaryPredicate), next(iter(pred[a]))),
                  (_n(EKG.summaryObject), next(iter(obj[a]))),
                  (_n(EKG.articleCount), pyoxigraph.Literal(str(len(docs)), datatype=_INT)),
                  (_n(EKG.articleDates), pyoxigraph.Literal(" ".join(days)))]
        values = [c for c in conf.get(a, ()) if isinstance(c, pyoxigraph.Literal)]
        if values:  # the highest, should two loaded files disagree (none: not listed, as before)
            record.append((_n(EKG.summaryConfidence), max(values, key=_number)))
        quads.extend(pyoxigraph.Quad(a, p, o, graph) for p, o in record)
        done += 1
    store.extend(quads)
    return done
