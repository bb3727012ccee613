"""The exporter registry: one module per format, looked up by format name.

Each format module defines ``generate_<fmt>(kg) -> bytes`` and registers it
with :func:`register`. Only :func:`export` writes: to a path (atomically,
through a temporary file in the same folder, then a rename), to a binary
stream, or nowhere (returns the bytes).

Examples:
    >>> "turtle" in available()
    True
    >>> get("ttl").name
    'turtle'
    >>> get("tutle")
    Traceback (most recent call last):
    ...
    graph.errors.UnknownFormatError: unknown export format 'tutle'; available: html, turtle
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph.errors import OutputError, UnknownFormatError
from graph.model import KnowledgeGraph

Generator = Callable[[KnowledgeGraph], bytes]


@dataclass(frozen=True, slots=True)
class Exporter:
    """A registered format: its name, file suffix, media type and generator."""

    name: str
    suffix: str
    media_type: str
    generate: Generator
    aliases: tuple[str, ...] = ()


_REGISTRY: dict[str, Exporter] = {}
_ALIASES: dict[str, str] = {}


def register(
    name: str, *, suffix: str, media_type: str, aliases: tuple[str, ...] = ()
) -> Callable[[Generator], Generator]:
    """Register ``generate_<fmt>`` under ``name`` (and ``aliases``).

    Raises:
        ValueError: the name or an alias is already taken.
    """

    def deco(fn: Generator) -> Generator:
        for n in (name, *aliases):
            if n in _REGISTRY or n in _ALIASES:
                raise ValueError(f"export format {n!r} is already registered")
        _REGISTRY[name] = Exporter(name, suffix, media_type, fn, aliases)
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
        if exp.suffix == suffix.lower():
            return exp
    raise UnknownFormatError(
        f"no export format writes {suffix!r} files; available: "
        + ", ".join(f"{e.name} ({e.suffix})" for e in sorted(_REGISTRY.values(), key=lambda e: e.name))
    )


def write_atomic(data: bytes, dest: Path) -> None:
    """Write ``data`` to ``dest`` through a temporary file and a rename.

    A reader never sees a partial file, and an error leaves any old file.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror or err}", path=str(dest.parent)) from err
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write: {err.strerror or err}", path=str(dest)) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(kg: KnowledgeGraph, fmt: str, dest: Path | str | BinaryIO | None = None) -> bytes:
    """Serialise ``kg`` in format ``fmt``; write it to ``dest`` if given.

    Returns:
        The bytes written (or that would be written).

    Raises:
        UnknownFormatError: ``fmt`` is not registered.
        OutputError: ``dest`` cannot be written.
    """
    data = get(fmt).generate(kg)
    if dest is None:
        return data
    if isinstance(dest, (str, Path)):
        write_atomic(data, Path(dest))
    else:
        dest.write(data)
    return data


# Built-in formats register themselves on import; the list is explicit.
from graph.exporters import html, turtle  # noqa: E402,F401
