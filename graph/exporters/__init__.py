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

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph.errors import OutputError, UnknownFormatError
from graph.model import KnowledgeGraph

Generator = Callable[[KnowledgeGraph], "bytes | dict[str, bytes]"]
#: What is written to one destination: a file's bytes, its chunks, or a bundle's files.
Output = "bytes | Iterable[bytes] | dict[str, bytes]"

log = logging.getLogger(__name__)


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


def write_bundle_atomic(files: dict[str, bytes], dest: Path) -> None:
    """Write a bundle's files into folder ``dest``, replacing it as a whole.

    The files are written into a temporary folder beside ``dest``, which is
    then renamed into place; an old ``dest`` is removed only after that.

    Raises:
        OutputError: the folder cannot be written, or ``dest`` is a file.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise OutputError("exists and is not a folder", path=str(dest))
    for name in files:
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise ValueError(f"bundle file name {name!r} must be relative and stay inside")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror or err}", path=str(dest.parent)) from err
    old = dest.with_name(f".{dest.name}.old")
    try:
        for name, data in sorted(files.items()):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(tmp, 0o755)
        if dest.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(dest, old)
        os.replace(tmp, dest)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write: {err.strerror or err}", path=str(dest)) from err
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _stage(data: Output | Callable[[], Output], dest: Path) -> Path:
    """Write ``data`` in full to a new temporary file (or folder) beside ``dest``.

    ``data`` may be a function that makes it: it is called here, so that
    outputs written one after the other are never all in memory at once.
    """
    if callable(data):
        data = data()
    bundle = isinstance(data, dict)
    if bundle and dest.exists() and not dest.is_dir():
        raise OutputError("exists and is not a folder", path=str(dest))
    if not bundle and dest.is_dir():
        raise OutputError("exists and is a folder, not a file", path=str(dest))
    if isinstance(data, dict):
        for name in data:
            if name.startswith(("/", "\\")) or ".." in Path(name).parts:
                raise ValueError(f"bundle file name {name!r} must be relative and stay inside")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if bundle:
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            tmp = Path(name)
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror or err}", path=str(dest.parent)) from err
    try:
        if isinstance(data, dict):
            for name, content in sorted(data.items()):
                path = tmp / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            os.chmod(tmp, 0o755)
        else:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    fh.write(data)
                else:
                    for chunk in data:  # type: ignore[union-attr]
                        fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
    except OSError as err:
        _remove(tmp)
        raise OutputError(f"cannot write: {err.strerror or err}", path=str(dest)) from err
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def write_all_atomic(outputs: Sequence[tuple[Path, Output | Callable[[], Output]]]) -> None:
    """Write several outputs as one change: all of them, or none.

    ``outputs`` are ``(dest, bytes)`` (or an iterable of byte chunks) for a
    file and ``(dest, {name: bytes})`` for a bundle folder; any of them may be
    given as a function that makes it, called when its turn to be written
    comes (an error it raises is an error of the write). Every output is
    first written in full beside its destination (a temporary
    ``.NAME.XXXX.tmp``); only then are they renamed
    into place, one by one, each old file or folder kept aside
    (``.NAME.XXXX.old``) until the last rename has succeeded. If anything
    fails or is interrupted (an error, Ctrl-C), the renames already done are
    undone and the old outputs put back: the folders hold the old outputs or
    the new ones, never a mix, and no temporary file remains.

    Raises:
        OutputError: a folder cannot be created or written, a file name is
            taken by a folder (or a bundle name by a file).
    """
    staged: list[tuple[Path, Path]] = []  # (temporary, destination)
    done: list[tuple[Path, Path, Path | None]] = []  # (temporary, destination, its old one set aside)
    where = Path()
    try:
        for dest, data in outputs:
            staged.append((_stage(data, Path(dest)), Path(dest)))
        for tmp, dest in staged:
            where, old = dest, None
            if dest.exists() or dest.is_symlink():
                old = dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.old")
            done.append((tmp, dest, old))  # before the renames: an interruption between them is undone too
            if old is not None:
                os.replace(dest, old)
            os.replace(tmp, dest)
    except BaseException as err:
        for tmp, dest, old in reversed(done):  # undo, newest first
            try:
                if old is not None and not old.exists():
                    continue  # not even set aside: this one was not touched
                if not tmp.exists():  # the new one is in place
                    _remove(dest)
                if old is not None:
                    os.replace(old, dest)
            except OSError:  # pragma: no cover - the disk failed twice; say what is where
                log.error("could not restore %s (the old one is in %s)", dest, old)
        for tmp, _dest in staged:
            _remove(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"cannot replace: {err.strerror or err}; no output was changed",
                              path=str(where)) from err
        raise
    for _tmp, _dest, old in done:
        if old is not None:
            _remove(old)


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
