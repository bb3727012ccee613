"""Read source documents: plain text, Markdown and HTML, as clean text.

Character offsets everywhere in the graph refer to the text this module
returns (BOM removed, line ends normalised to ``\\n``, HTML reduced to text).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from graph.errors import InputError

#: Suffixes read as documents; anything else is refused.
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class SourceText:
    """A document's id, where it came from, and its text."""

    id: str
    source: str
    text: str

    @property
    def content_hash(self) -> str:
        """``sha256:<hex>`` of the UTF-8 text."""
        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "section", "article", "header", "footer", "blockquote", "pre", "hr",
    "title", "dd", "dt", "figcaption", "main", "aside", "nav",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Reduce HTML to text: scripts, styles and comments dropped, blocks as lines.

    Examples:
        >>> html_to_text("<p>Acme &amp; Co.<script>x()</script></p><p>Two</p>")
        'Acme & Co.\\nTwo'
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    if not text.strip() and parser.title:
        text = "".join(parser.title)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def markdown_to_text(text: str) -> str:
    """Drop Markdown markup that is not prose (headings, emphasis, links).

    Examples:
        >>> markdown_to_text("## Acme\\n**Acme** uses [Rust](https://x).")
        'Acme\\nAcme uses Rust.'
    """
    text = _MD_HEADING.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPH.sub(r"\2", text)
    return text


def normalise_text(text: str) -> str:
    """Remove a BOM, normalise line ends to ``\\n`` and drop NUL characters.

    Examples:
        >>> normalise_text("\\ufeffa\\r\\nb\\rc")
        'a\\nb\\nc'
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text


def decode(data: bytes, path: str, encoding: str = "utf-8") -> str:
    """Decode ``data``; raise :class:`InputError` naming ``path`` if it fails.

    Raises:
        InputError: the bytes are not text in ``encoding`` or look binary.
    """
    if b"\x00" in data[:4096] and encoding.lower().replace("-", "") == "utf8":
        raise InputError("looks like a binary file, not text", path=path)
    try:
        return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid {encoding} text (byte {err.start}: {data[err.start:err.start + 1]!r}); "
            "pass --encoding to read another encoding",
            path=path,
        ) from err
    except LookupError as err:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from err


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read one file as clean text according to its suffix.

    Raises:
        InputError: the file is missing, not a file, unreadable, undecodable,
            of an unsupported type, or holds no text.
    """
    name = str(path)
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
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=name) from err
    text = normalise_text(decode(data, name, encoding))
    if suffix in (".html", ".htm"):
        text = html_to_text(text)
    elif suffix in (".md", ".markdown"):
        text = markdown_to_text(text)
    if not text.strip():
        raise InputError("empty document (no text)", path=name)
    return text


def _unique_ids(paths: list[Path]) -> list[str]:
    stems = [p.stem for p in paths]
    ids: list[str] = []
    for path, stem in zip(paths, stems):
        if stems.count(stem) == 1:
            ids.append(stem)
        else:
            ids.append(path.with_suffix("").as_posix().lstrip("./"))
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out


def read_documents(
    items: Iterable[str | Path], encoding: str = "utf-8"
) -> Iterator[SourceText]:
    """Yield a :class:`SourceText` for each path (``Path``) or raw text (``str``).

    A ``str`` that names an existing file is NOT read as a path; pass
    ``Path`` objects for files. Raw texts get ids ``text-1``, ``text-2``...

    Raises:
        InputError: as :func:`read_text`; or a raw text is empty.
    """
    items = list(items)
    paths = [p for p in items if isinstance(p, Path)]
    ids = iter(_unique_ids(paths))
    n_text = 0
    for item in items:
        if isinstance(item, Path):
            yield SourceText(next(ids), str(item), read_text(item, encoding))
        else:
            n_text += 1
            text = normalise_text(item)
            if not text.strip():
                raise InputError("empty document (no text)", path=f"<text {n_text}>")
            yield SourceText(f"text-{n_text}", f"<text {n_text}>", text)
