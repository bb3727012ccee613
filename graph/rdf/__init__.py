"""The RDF stage: the graph as RDF, its formats, and its validation against the shapes.

* :mod:`~graph.rdf.convert`: the RDF form of a :class:`~graph.model.KnowledgeGraph`
  (:func:`~graph.rdf.convert.to_rdf`, :func:`~graph.rdf.convert.to_dataset`),
  IRIs and literals, and reading RDF back (:func:`~graph.rdf.convert.read_rdf`,
  :func:`~graph.rdf.convert.from_rdf`);
* :mod:`~graph.rdf.formats`: which RDF format a file or a name is;
* :mod:`~graph.rdf.validate`: SHACL validation against ``ontology/shapes.ttl`` (the
  report, and the choice of engine);
* :mod:`~graph.rdf.shapes` and :mod:`~graph.rdf.shacl`: the fast engine, the shapes
  compiled to SPARQL and run on Oxigraph (pySHACL is the reference).

The writers of each format are the exporters (:mod:`graph.exporters`).
"""
