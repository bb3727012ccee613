"""A per-user disk cache of how the tokenizer splits the gazetteer's names.

The gazetteer ruler turns about 10,000 names into pattern documents at
every start-up. A cached entry holds each name's words and spaces, so
that the documents are made with ``Doc(vocab, words, spaces)`` instead of
the tokenizer: the ruler's 0.40-0.48 s of CPU became 0.28-0.37 s
(measured in fresh processes, alternated, on a shared machine; the rest is
making the documents and the vocabulary's new words, which a cache of the
split cannot skip).

An entry is keyed by everything that decides the split: the names, the
spaCy version, the pipeline's language, name and version, the tokenizer's
rules and expressions, and this module's format version; it is written
atomically (temporary file, then rename), and one that cannot be read, is
corrupt or does not match its key is ignored and written again. It lives in
``$XDG_CACHE_HOME/entity-kg`` (default ``~/.cache/entity-kg``);
``KG_NO_CACHE=1`` turns it off, ``KG_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import spacy
from spacy.language import Language

from graph import __version__
from graph.errors import OutputError
from graph.files import write_atomic

log = logging.getLogger(__name__)

#: The format of an entry; a change makes every older entry unused.
FORMAT = 1

Split = tuple[list[str], list[bool]]


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (``KG_NO_CACHE``)."""
    if os.environ.get("KG_NO_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "entity-kg"


def _pattern(fn: object) -> str:
    # a compiled expression's bound method (prefix_search...) names its regex; None if unset
    owner = getattr(fn, "__self__", None)
    return str(getattr(owner, "pattern", fn is not None))


def cache_key(nlp: Language, texts: list[str]) -> str:
    """The hash of ``texts`` and of everything that decides how ``nlp`` splits them."""
    tok = nlp.tokenizer
    h = hashlib.sha256()
    head = [FORMAT, __version__, spacy.__version__, nlp.lang, nlp.meta.get("name"), nlp.meta.get("version"),
            _pattern(getattr(tok, "prefix_search", None)), _pattern(getattr(tok, "suffix_search", None)),
            _pattern(getattr(tok, "infix_finditer", None)), _pattern(getattr(tok, "token_match", None)),
            _pattern(getattr(tok, "url_match", None)),
            repr(getattr(tok, "rules", None))]
    h.update(json.dumps(head, ensure_ascii=False, default=str).encode("utf-8"))
    h.update(b"\0")
    h.update("\0".join(texts).encode("utf-8"))
    return h.hexdigest()


def split_all(nlp: Language, texts: list[str]) -> list[Split]:
    """Each text's words and trailing spaces as ``nlp``'s tokenizer splits it: from the cache when
    an entry for ``texts`` and this tokenizer is there and sound, else tokenized (and stored)."""
    folder = cache_dir()
    key = cache_key(nlp, texts) if folder is not None else ""
    path = folder / f"gazetteer-tokens-{key[:32]}.json" if folder is not None else None
    if path is not None:
        cached = _read(path, key, len(texts))
        if cached is not None:
            return cached
    out: list[Split] = []
    for text in texts:
        doc = nlp.make_doc(text)
        out.append(([t.text for t in doc], [bool(t.whitespace_) for t in doc]))
    if path is not None:
        data = json.dumps({"key": key, "splits": out}, ensure_ascii=False, separators=(",", ":"))
        try:
            write_atomic(data.encode("utf-8"), path)
            _prune(path.parent, keep=path)
        except (OutputError, OSError) as err:  # a read-only home: the build goes on without
            log.debug("gazetteer token cache not written: %s", err)
    return out


#: Entries kept (the newest); a gazetteer or pack that changed leaves an older one behind.
KEEP = 8


def _prune(folder: Path, keep: Path) -> None:
    entries = sorted(folder.glob("gazetteer-tokens-*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for old in entries[KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)


def _read(path: Path, key: str, count: int) -> list[Split] | None:
    """The entry at ``path`` if it is readable, whole and for ``key``; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        splits = data["splits"]
        if data["key"] != key or len(splits) != count:
            return None
        out: list[Split] = []
        for words, spaces in splits:
            if len(words) != len(spaces) or not all(isinstance(w, str) and w for w in words) \
                    or not all(isinstance(s, bool) for s in spaces):
                return None
            out.append((words, spaces))
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None
