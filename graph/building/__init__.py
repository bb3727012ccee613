"""The build stage: read documents, run extraction somewhere, reuse the cache, assemble the graph.

* :mod:`~graph.building.builder`: the :class:`~graph.building.builder.Builder` and :func:`~graph.building.builder.build`;
* :mod:`~graph.building.executors`: the executor interface and the local executor;
* :mod:`~graph.building.dask_executor`: extraction on a Dask cluster;
* :mod:`~graph.building.cache`: the ``--update`` cache of extractions.

(The folder is not called ``build``: ``graph.build`` is the public function.)
"""
