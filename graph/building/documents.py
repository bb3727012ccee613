"""Read source documents: plain text, Markdown and HTML, as clean text.

Files, folders, JSONL corpora and standard input are read one document at a
time; each document gets a unique id. The text is cleaned by
:mod:`graph.building.text`, to which every character offset of the graph refers;
the article's title, date and URL come from :mod:`graph.building.metadata`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from graph.building.metadata import Metadata, clean_title, clean_url, html_metadata, iso_date, text_metadata
from graph.building.text import html_to_text, markdown_to_text, normalise_text
from graph.errors import InputError

log = logging.getLogger(__name__)

#: Suffixes read as documents; anything else is refused.
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")

#: The longest document text (characters, after cleaning) a build accepts:
#: spaCy's ``nlp.max_length``. A longer text is an :class:`InputError`
#: (split it into several documents, e.g. a JSONL corpus), never a crash.
MAX_CHARS = 1_000_000

#: The default largest input file (or JSONL line) in bytes (``kg build
#: --max-bytes``): a bigger one is refused before it is read, so memory stays
#: bounded whatever the input.
MAX_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class SourceText:
    """A document's id, where it came from, its text, and the article's title,
    ISO date and URL when the input states them."""

    id: str
    source: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None

    @classmethod
    def stated(cls, id: str, source: str, text: str, meta: Metadata) -> SourceText:
        """A document with the title, date and URL its input states."""
        return cls(id, source, text, title=meta.title, date=meta.date, url=meta.url)

    @property
    def content_hash(self) -> str:
        """``sha256:<hex>`` of the UTF-8 text."""
        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def decode(data: bytes, path: str, encoding: str = "utf-8") -> str:
    """Decode ``data``; raise :class:`InputError` naming ``path`` if it fails.

    Raises:
        InputError: the bytes are not text in ``encoding`` or look binary.
    """
    utf8 = encoding.lower().replace("-", "").replace("_", "") == "utf8"
    if utf8 and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("UTF-16 text (it starts with a UTF-16 byte order mark); "
                         "pass --encoding utf-16", path=path)
    if b"\x00" in data[:4096] and utf8:
        raise InputError("looks like a binary file, not text", path=path)
    try:
        return data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid {encoding} text (byte {err.start}: {data[err.start:err.start + 1]!r}); "
            "pass --encoding to read another encoding",
            path=path,
        ) from err
    except LookupError as err:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from err


def read_text(path: Path, encoding: str = "utf-8", max_bytes: int = MAX_BYTES) -> str:
    """Read one file as clean text according to its suffix.

    Raises:
        InputError: the file is missing, not a file, unreadable, undecodable,
            of an unsupported type, larger than ``max_bytes``, or holds no text.
    """
    return read_file(path, encoding, max_bytes)[0]


def read_file(path: Path, encoding: str = "utf-8", max_bytes: int = MAX_BYTES) -> tuple[str, Metadata]:
    """Read one file as clean text according to its suffix, with the metadata it states.

    Raises:
        InputError: as :func:`read_text`.
    """
    name = _display_path(path)
    if not path.exists():
        raise InputError("no such file", path=name)
    if not path.is_file():
        raise InputError("not a regular file", path=name)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(TEXT_SUFFIXES)}",
            path=name,
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(_too_big(size, max_bytes, "file"), path=name)
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=name) from err
    text = normalise_text(decode(data, name, encoding))
    del data
    if suffix in (".html", ".htm"):
        meta = html_metadata(text)
        text = html_to_text(text)
        meta = meta.merged(Metadata(date=text_metadata(text).date))
    elif suffix in (".md", ".markdown"):
        meta = text_metadata(text, markdown=True)
        text = markdown_to_text(text)
    else:
        meta = text_metadata(text)
    if not text.strip():
        raise InputError("empty document (no text)", path=name)
    return text, meta


def _too_big(size: int | None, limit: int, what: str) -> str:
    how_big = f"is {size:,} bytes, more than" if size is not None else "is longer than"
    return (f"{what} {how_big} the limit of {limit:,} bytes (--max-bytes); split it into several "
            "documents (files in a folder, or a JSONL corpus with one document a line), or raise --max-bytes")


def check_length(text: str, where: str, line: int | None = None) -> str:
    """Return ``text`` if a build can take it, else raise :class:`InputError`.

    Raises:
        InputError: the text is longer than :data:`MAX_CHARS` characters.
    """
    if len(text) > MAX_CHARS:
        raise InputError(f"document is {len(text):,} characters long, more than the {MAX_CHARS:,} "
                         "a document may have; split it into several documents (files in a folder, "
                         "or a JSONL corpus with one document a line)", path=where, line=line)
    return text


def _unique_ids(paths: list[Path]) -> list[str]:
    stems = [p.stem for p in paths]
    ids: list[str] = []
    for path, stem in zip(paths, stems):
        if stems.count(stem) == 1:
            ids.append(stem)
        else:
            ids.append(path.with_suffix("").as_posix().lstrip("./"))
    from graph.extract.resolve import slug

    seen: set[str] = set()
    out = []
    for i in ids:
        candidate, n = i, 1
        while slug(candidate) in seen:  # document IRIs are slug(id): keep them apart too
            n += 1
            candidate = f"{i}-{n}"
        seen.add(slug(candidate))
        out.append(candidate)
    return out


def read_documents(
    items: Iterable[str | Path], encoding: str = "utf-8"
) -> Iterator[SourceText]:
    """Yield a :class:`SourceText` for each path (``Path``) or raw text (``str``).

    A ``str`` that names an existing file is NOT read as a path; pass
    ``Path`` objects for files. Raw texts get ids ``text-1``, ``text-2``...
    Folders are read recursively; ``.jsonl`` files hold one document per line;
    ``Path("-")`` is standard input. See :func:`iter_sources` for the details.

    Raises:
        InputError: as :func:`read_text`; or a raw text is empty.
    """
    for item in iter_sources(items, encoding=encoding):
        if isinstance(item, InputError):
            raise item
        yield item


def expand_paths(items: Iterable[str | Path]) -> list[str | Path]:
    """Replace folders by the text files under them (recursively, sorted).

    Hidden files and folders (``.name``) are skipped.

    Raises:
        InputError: a folder holds no readable file.
    """
    out: list[str | Path] = []
    for item in items:
        if isinstance(item, Path) and item.is_dir():
            try:
                files = sorted(
                    p for p in item.rglob("*")
                    if p.suffix.lower() in (*TEXT_SUFFIXES, ".jsonl")
                    and not any(part.startswith(".") for part in p.relative_to(item).parts) and p.is_file()
                )
            except OSError as err:  # e.g. an entry that cannot be looked at
                raise InputError(f"cannot read the folder: {err.strerror or err} ({_display_path(err.filename)})",
                                 path=_display_path(item)) from err
            if not files:
                raise InputError(f"folder holds no {', '.join(TEXT_SUFFIXES)} or .jsonl file", path=str(item))
            out.extend(files)
        else:
            out.append(item)
    return out


_BAD_ID = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _display_path(path: Path | str) -> str:
    """``str(path)`` as text: bytes of a file name that are not UTF-8 (which
    Python keeps as lone surrogates) become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def check_id(doc_id: object, where: str, line: int | None = None) -> str:
    """Return a valid document id or raise :class:`InputError`.

    An id is a non-empty string without control characters or ``..`` segments.
    """
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(f"document id must be a non-empty string, got {doc_id!r}", path=where, line=line)
    if _BAD_ID.search(doc_id):
        raise InputError(f"document id {doc_id!r} contains a control character", path=where, line=line)
    if _SURROGATE.search(doc_id):
        raise InputError(f"document id {doc_id!r} holds a lone surrogate, which is not Unicode text",
                         path=where, line=line)
    if ".." in re.split(r"[\\/]", doc_id):
        raise InputError(f"document id {doc_id!r} contains a '..' path segment", path=where, line=line)
    return doc_id


def _lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)``; ``None`` for a line longer than ``max_bytes``,
    which is skipped without ever being held in memory."""
    lineno = 0
    while raw := fh.readline(max_bytes + 1):
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            _skip_line(fh)
            yield lineno, None
        else:
            yield lineno, raw


def _skip_line(fh: BinaryIO) -> None:
    """Read past the end of the current line, a chunk at a time."""
    more = fh.readline(1 << 20)
    while more and not more.endswith(b"\n"):
        more = fh.readline(1 << 20)


def read_jsonl(path: Path, encoding: str = "utf-8",
               max_bytes: int = MAX_BYTES) -> Iterator[SourceText | InputError]:
    """Yield the documents of a JSONL corpus: ``{"id", "text", "title"?, "date"?, "url"?, "source"?}`` per line.

    A bad line is yielded as an :class:`InputError` naming the file and line,
    so the caller decides whether to stop or skip it. A line longer than
    ``max_bytes`` is one such error (and is never read into memory whole).
    """
    for _lineno, doc in _read_jsonl(path, encoding, max_bytes):
        yield doc


def _read_jsonl(path: Path, encoding: str, max_bytes: int) -> Iterator[tuple[int | None, SourceText | InputError]]:
    """``read_jsonl`` with the line number of each document or error."""
    name = _display_path(path)
    try:
        fh = open(path, "rb")
    except OSError as err:
        yield None, InputError(f"cannot read: {err.strerror or err}", path=name)
        return
    with fh:
        for lineno, raw in _lines(fh, max_bytes):
            doc = _jsonl_line(path, name, lineno, raw, encoding, max_bytes)
            if doc is not None:
                yield lineno, doc


def _jsonl_line(path: Path, name: str, lineno: int, raw: bytes | None, encoding: str,
                max_bytes: int) -> SourceText | InputError | None:
    """One JSONL line as a document, an error, or ``None`` (a blank line)."""
    if raw is None:
        return InputError(_too_big(None, max_bytes, "line"), path=name, line=lineno)
    if not raw.strip():
        return None
    try:
        line = decode(raw, name, encoding)
        obj = json.loads(line)
    except InputError as err:
        return InputError(err.message, path=name, line=lineno)
    except json.JSONDecodeError as err:
        return InputError(f"not JSON ({err.msg}, column {err.colno})", path=name, line=lineno)
    except RecursionError:
        # json's scanner recurses once per nested array or object; a line of 100,000 '[' hit the
        # interpreter's limit and came out as a traceback with exit 1 (issue 17).
        return InputError("JSON nested too deeply to be a document", path=name, line=lineno)
    if not isinstance(obj, dict):
        return InputError("expected a JSON object with 'id' and 'text'", path=name, line=lineno)
    try:
        doc_id = check_id(obj.get("id"), name, lineno)
    except InputError as err:
        return err
    text = obj.get("text")
    if not isinstance(text, str):
        return InputError(f"document {doc_id!r}: 'text' must be a string", path=name, line=lineno)
    text = normalise_text(text)
    if not text.strip():
        return InputError(f"document {doc_id!r}: empty text", path=name, line=lineno)
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        return InputError(f"document {doc_id!r}: 'source' must be a string", path=name, line=lineno)
    if source is not None and _BAD_ID.search(source):
        return InputError(f"document {doc_id!r}: 'source' contains a control character", path=name, line=lineno)
    fields: dict[str, str] = {}
    for key in ("title", "date", "url"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return InputError(f"document {doc_id!r}: {key!r} must be a string, not {type(value).__name__}",
                              path=name, line=lineno)
        if value is not None:
            fields[key] = value
    for field_name, value in (("text", text), ("source", source or ""), *fields.items()):
        m = _SURROGATE.search(value)
        if m:
            return InputError(f"document {doc_id!r}: {field_name!r} holds a lone surrogate ({m.group()!r}), "
                              "which is not Unicode text", path=name, line=lineno)
    meta = _jsonl_metadata(fields, source, f"{name}:{lineno}: document {doc_id!r}")
    return SourceText.stated(doc_id, source or f"{_display_path(path.name)}:{lineno}", text, meta)


def _jsonl_metadata(fields: dict[str, str], source: str | None, where: str) -> Metadata:
    """A JSONL record's ``title``, ``date`` and ``url`` (else ``source``, if a URL), cleaned.

    A value that is not a date, an ambiguous date (``03/04/2024``) or a URL
    that is not absolute http(s) is left unknown, with a warning.
    """
    title = clean_title(fields["title"]) if "title" in fields else None
    date = iso_date(fields["date"]) if "date" in fields else None
    url = clean_url(fields["url"]) if "url" in fields else None
    if "date" in fields and date is None and fields["date"].strip():
        log.warning("%s: date %r is not a whole date that reads only one way (e.g. 2024-03-05, "
                    "March 5, 2024); left unknown", where, fields["date"])
    if "url" in fields and url is None and fields["url"].strip():
        log.warning("%s: url %r is not an absolute http(s) URL; left out", where, fields["url"])
    if url is None and source is not None:
        url = clean_url(source)
    return Metadata(title=title, date=date, url=url)


def count_documents(inputs: Iterable[str | Path]) -> int:
    """Count the documents of the inputs without reading them as text.

    A JSONL file counts its non-blank lines (a bad line still counts);
    every other file, standard input and each raw text count one.

    Raises:
        InputError: a folder holds no readable file.

    Examples:
        >>> count_documents(["Nvidia makes the H100.", "AMD makes the MI300X."])
        2
    """
    n = 0
    for item in expand_paths(list(inputs)):
        if isinstance(item, Path) and item.suffix.lower() == ".jsonl" and item.is_file():
            with open(item, "rb") as fh:
                n += sum(1 for line in fh if line.strip())
        else:
            n += 1
    return n


def iter_sources(
    items: Iterable[str | Path], encoding: str = "utf-8", stdin: TextIO | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[SourceText | InputError]:
    """Yield documents, or the :class:`InputError` of each one that cannot be read.

    Files are read one at a time, so a corpus never has to fit in memory.
    Document ids are unique, also once made into IRIs (``slug(id)``): a
    duplicate is an error. ``Path("-")`` reads standard input as one
    document. A file or JSONL line larger than ``max_bytes``, or a text
    longer than :data:`MAX_CHARS`, is an error.
    """
    from graph.extract.resolve import slug

    items = expand_paths(items)
    paths = [p for p in items if isinstance(p, Path) and p.suffix.lower() != ".jsonl" and str(p) != "-"]
    ids = dict(zip(map(id, paths), _unique_ids(paths)))
    seen: dict[str, tuple[str, str]] = {}  # slug(id) -> (id, where)
    n_text = 0

    def unique(doc: SourceText | InputError, where: str, line: int | None = None) -> SourceText | InputError:
        if isinstance(doc, InputError):
            return doc
        try:
            check_length(doc.text, where, line)
            if _SURROGATE.search(doc.text):
                raise InputError("text holds a lone surrogate, which is not Unicode text", path=where, line=line)
        except InputError as err:
            return err
        key = slug(doc.id)
        if key in seen:
            other, other_where = seen[key]
            if other == doc.id:
                return InputError(f"duplicate document id {doc.id!r} (also {other_where})", path=where, line=line)
            return InputError(f"document id {doc.id!r} names the same document as {other!r} ({other_where}): "
                              f"both become the IRI .../document/{key}; make them differ in letters or "
                              "digits (case, punctuation and all after the 80th are ignored)", path=where, line=line)
        seen[key] = (doc.id, where if line is None else f"{where}:{line}")
        return doc

    for item in items:
        if isinstance(item, Path) and str(item) == "-":
            stream = stdin if stdin is not None else sys.stdin
            text = stream.read(MAX_CHARS + 1)
            if len(text) > MAX_CHARS:
                yield InputError(f"standard input holds more than the {MAX_CHARS:,} characters a document "
                                 "may have; split it into several documents (a JSONL corpus)", path="<stdin>")
                continue
            text = normalise_text(text)
            if not text.strip():
                yield InputError("empty document (no text)", path="<stdin>")
            else:
                yield unique(SourceText.stated("stdin", "<stdin>", text, text_metadata(text)), "<stdin>")
        elif isinstance(item, Path) and item.suffix.lower() == ".jsonl":
            if not item.is_file():
                yield InputError("no such file" if not item.exists() else "not a regular file",
                                 path=_display_path(item))
                continue
            for lineno, doc in _read_jsonl(item, encoding, max_bytes):
                yield unique(doc, _display_path(item), lineno)
        elif isinstance(item, Path):
            name = _display_path(item)
            try:
                text, meta = read_file(item, encoding, max_bytes)
            except InputError as err:
                yield err
                continue
            yield unique(SourceText.stated(_display_path(ids[id(item)]), name, text, meta), name)
        else:
            n_text += 1
            text = normalise_text(item)
            if not text.strip():
                yield InputError("empty document (no text)", path=f"<text {n_text}>")
            else:
                yield unique(SourceText.stated(f"text-{n_text}", f"<text {n_text}>", text, text_metadata(text)),
                             f"<text {n_text}>")
