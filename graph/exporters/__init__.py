"""The exporter registry: one module per format, looked up by format name.

Each format module defines ``generate_<fmt>(kg) -> bytes`` and registers it
with :func:`register`. A format made of several files (a *bundle*, e.g. the
Neo4j import CSVs) registers with ``bundle=True`` and returns
``{relative file name: bytes}``. Only :func:`export` writes: to a path
(atomically, through a temporary file or folder beside it, then a rename),
to a binary stream, or nowhere (returns the bytes).

Examples:
    >>> "turtle" in available()
    True
    >>> get("ttl").name
    'turtle'
    >>> get("tutle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.UnknownFormatError: unknown export format 'tutle'; available: ...turtle
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph.errors import UnknownFormatError
from graph.files import Output, write_atomic, write_bundle_atomic
from graph.model import KnowledgeGraph

Generator = Callable[[KnowledgeGraph], "bytes | dict[str, bytes]"]


@dataclass(frozen=True, slots=True)
class Exporter:
    """A registered format: its name, file suffix, media type and generator.

    A bundle's ``suffix`` is empty; its files go into a folder named after
    the format (``exports/neo4j/nodes.csv``...).
    """

    name: str
    suffix: str
    media_type: str
    generate: Generator
    aliases: tuple[str, ...] = ()
    bundle: bool = False
    #: Optional: the same bytes as ``generate``, as chunks made as they are
    #: written (a large graph's file is never held in memory whole).
    stream: Callable[[KnowledgeGraph], Iterable[bytes]] | None = None

    def output(self, kg: KnowledgeGraph, **options: object) -> Callable[[], Output]:
        """What :func:`write_all_atomic` writes for ``kg``, made only when it is written."""
        if self.stream is not None and not options:
            return lambda: self.stream(kg)  # type: ignore[misc]
        return lambda: self.generate(kg, **options)

    def default_path(self, folder: Path) -> Path:
        """Where ``kg build`` writes this format inside an output folder."""
        return folder / self.name if self.bundle else folder / f"graph{self.suffix}"


_REGISTRY: dict[str, Exporter] = {}
_ALIASES: dict[str, str] = {}


def register(
    name: str, *, suffix: str, media_type: str, aliases: tuple[str, ...] = (), bundle: bool = False,
    stream: Callable[[KnowledgeGraph], Iterable[bytes]] | None = None,
) -> Callable[[Generator], Generator]:
    """Register ``generate_<fmt>`` under ``name`` (and ``aliases``).

    Raises:
        ValueError: the name or an alias is already taken.
    """

    def deco(fn: Generator) -> Generator:
        for n in (name, *aliases):
            if n in _REGISTRY or n in _ALIASES:
                raise ValueError(f"export format {n!r} is already registered")
        _REGISTRY[name] = Exporter(name, suffix, media_type, fn, aliases, bundle, stream)
        for a in aliases:
            _ALIASES[a] = name
        return fn

    return deco


def available() -> list[str]:
    """Return the registered format names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> Exporter:
    """Return the exporter for a format name or alias.

    Raises:
        UnknownFormatError: no such format.
    """
    key = name.lower()
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        raise UnknownFormatError(f"unknown export format {name!r}; available: {', '.join(available())}")
    return _REGISTRY[key]


def for_suffix(suffix: str) -> Exporter:
    """Return the exporter whose file suffix is ``suffix`` (e.g. ``.ttl``).

    Raises:
        UnknownFormatError: no format writes that suffix.
    """
    for exp in _REGISTRY.values():
        if exp.suffix and exp.suffix == suffix.lower():
            return exp
    raise UnknownFormatError(
        f"no export format writes {suffix!r} files; available: "
        + ", ".join(f"{e.name} ({e.suffix})" for e in sorted(_REGISTRY.values(), key=lambda e: e.name))
    )


def export(
    kg: KnowledgeGraph, fmt: str, dest: Path | str | BinaryIO | None = None, **options: object
) -> bytes | dict[str, bytes]:
    """Serialise ``kg`` in format ``fmt``; write it to ``dest`` if given.

    For a bundle format ``dest`` is a folder (a stream is refused).
    ``options`` go to the format's generator (e.g. ``max_nodes`` for html).

    Returns:
        The bytes (or, for a bundle, the files) written or that would be.

    Raises:
        UnknownFormatError: ``fmt`` is not registered.
        OutputError: ``dest`` cannot be written.
        TypeError: a bundle format was given a stream.
    """
    exp = get(fmt)
    data = exp.generate(kg, **options)
    if dest is None:
        return data
    if exp.bundle:
        if not isinstance(dest, (str, Path)):
            raise TypeError(f"format {exp.name!r} writes several files; give a folder path")
        write_bundle_atomic(data, Path(dest))  # type: ignore[arg-type]
    elif isinstance(dest, (str, Path)):
        write_atomic(data, Path(dest))  # type: ignore[arg-type]
    else:
        dest.write(data)  # type: ignore[arg-type]
    return data


# Built-in formats register themselves on import; the list is explicit.
from graph.exporters import (  # noqa: E402,F401
    cypher, graphml, html, jsonld, kuzu, mentions, neo4j, nquads, ntriples, trig, turtle,
)
