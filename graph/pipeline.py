"""The whole extraction pipeline: the language model, the recognizers and the relation rules.

:func:`load_nlp` returns it; :func:`pipeline_signature` names what decides
its output (the ``--update`` cache and the Dask workers compare it).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

import graph.relate  # noqa: F401  (registers the kg_relations factory)
from graph import __version__
from graph.extract.extraction import SCHEMA_VERSION, USER_DATA_KEY
from graph.recognize import build_pipeline
from graph.resources import pattern_path

EXTRACTION_ONLY = "kg_extraction_only"


@Language.component(EXTRACTION_ONLY)
def extraction_only(doc: Doc) -> Doc:
    """The last component of the builder's pipeline: an empty ``Doc`` that
    carries only the extraction (``user_data``) replaces the annotated one.

    The builder reads nothing else, and with ``--jobs N`` spaCy sends every
    ``Doc`` from its worker to the main process as bytes: the tokens, tags,
    parse and tensor of a 500-word article are about 290 KB to write, copy
    and read back, the extraction a few KB.
    """
    light = Doc(doc.vocab, words=[])
    light.user_data[USER_DATA_KEY] = doc.user_data[USER_DATA_KEY]
    return light


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None, *, extraction_only: bool = False) -> Language:
    """Return the full pipeline (language model, recognizers, relation rules).

    ``model`` is a spaCy pipeline name, ``"blank"`` for the model-free
    pipeline, or ``None`` for the default (see :mod:`graph.recognize`).
    With ``extraction_only``, the pipeline returns empty documents that
    carry only the extraction, which is what the builder needs (see
    :func:`extraction_only`).
    """
    nlp = build_pipeline(model)
    nlp.add_pipe("kg_relations")
    if extraction_only:
        nlp.add_pipe(EXTRACTION_ONLY)
    return nlp


def pipeline_signature(nlp: Language) -> str:
    """A hash of everything that decides what is extracted: code version,
    extraction schema, model name and version, and the pattern files. Cached
    extractions are reused only when it matches."""
    h = hashlib.sha256()
    names = ",".join(name for name in nlp.pipe_names if name != EXTRACTION_ONLY)
    h.update(f"{__version__}|{SCHEMA_VERSION}|{nlp.meta.get('name')}|{nlp.meta.get('version')}|{names}".encode())
    for name in ("gazetteer.jsonl", "relations.yaml", "cues.yaml", "families.yaml"):
        h.update(pattern_path(name).read_bytes())
    return h.hexdigest()[:16]
