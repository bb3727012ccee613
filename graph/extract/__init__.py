"""Extraction: from one document's text to its typed :class:`~graph.extract.extraction.Extraction`.

The stages, one module each (the spaCy components are registered by
:mod:`graph.extract.pipeline`):

* :mod:`~graph.extract.pipeline`: the language pipeline (tokenizer, sentences,
  a trained model's tagger/parser/NER) and the entity-kg components;
* :mod:`~graph.extract.gazetteer`: known names, matched before the NER;
* :mod:`~graph.extract.recognize`: patterns and context cues for unknown names;
* :mod:`~graph.extract.mentions`: document-level mention keys;
* :mod:`~graph.extract.coref`: pronouns, definite descriptions, headings;
* :mod:`~graph.extract.surface` and :mod:`~graph.extract.dependency`: the
  relation rules over symbol strings and over the dependency parse;
* :mod:`~graph.extract.hedging`: negation, hedge, former-role and question scope;
* :mod:`~graph.extract.quantities`: money, counts, dates, parameters;
* :mod:`~graph.extract.relations`: the component that runs them per sentence;
* :mod:`~graph.extract.rules`: the rule data (packaged and user packs), validated.

Importing this package imports nothing heavy: the hand-off types
(:mod:`~graph.extract.extraction`) are plain dataclasses.
"""
