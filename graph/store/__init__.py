"""The store stage: SPARQL over a graph, persistent stores, the read-only endpoint.

* :mod:`~graph.store.query`: SPARQL 1.1 on Oxigraph, the shipped queries, their parameters and results;
* :mod:`~graph.store.load`: ``kg load``, a graph file into a persistent store, all or nothing;
* :mod:`~graph.store.serve`: ``kg serve``, the store as a read-only SPARQL endpoint on 127.0.0.1;
* :mod:`~graph.store.guard`: the checks on SPARQL text (nesting depth, ``SERVICE``) both run;
* :mod:`~graph.store.proxy` and :mod:`~graph.store.workers`: the endpoint's front and its Oxigraph servers.
"""
