"""Oxigraph stores: a graph file in memory, a ``kg load`` store read-only, a built graph.

Every query runs on a :class:`pyoxigraph.Store` (see :mod:`graph.store.query`).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from graph.errors import InputError, LoaderError
from graph.rdf.formats import rdf_format
from graph.store.queries import first_line

if TYPE_CHECKING:
    from graph.model import KnowledgeGraph

def is_store(path: Path | str) -> bool:
    """Return whether ``path`` is a folder holding an Oxigraph (RocksDB) store."""
    return Path(path, "CURRENT").is_file()


def _parse_error(err: SyntaxError, path: Path, fmt: pyoxigraph.RdfFormat) -> InputError:
    """Turn a pyoxigraph parse error into an InputError with line and column."""
    text = str(err.args[0] if err.args else err)
    text = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ", "",
                  text).split("\n", 1)[0]
    column = f" (column {err.offset})" if err.offset else ""
    return InputError(f"invalid {fmt.name}: {text}{column}", path=str(path), line=err.lineno)


def load_file(store: pyoxigraph.Store, path: Path | str, *, bulk: bool = False) -> None:
    """Load one RDF file into ``store`` (format from the suffix).

    ``bulk`` uses :meth:`pyoxigraph.Store.bulk_load` (fast, not
    transactional); otherwise :meth:`~pyoxigraph.Store.load` (one
    transaction, the whole file in memory).

    Raises:
        InputError: the file is missing, unreadable, of an unknown format
            or not valid RDF (message with line and column).
        OSError: the store cannot be written (:func:`is_store_write_error`).
    """
    path = Path(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError("no such graph file", path=str(path))
    try:
        if bulk:
            store.bulk_load(path=str(path), format=fmt)
        else:
            store.load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise _parse_error(err, path, fmt) from err
    except OSError as err:
        if is_store_write_error(err):
            raise  # the store's disk, not the file: the caller names the store
        raise InputError(f"cannot read {fmt.name}: {first_line(err)}", path=str(path)) from err
    except ValueError as err:
        raise InputError(f"cannot read {fmt.name}: {first_line(err)}", path=str(path)) from err


def is_store_write_error(err: OSError) -> bool:
    """Whether ``err`` is the store's disk failing (full, quota, read-only), not an input file.

    A file that cannot be read comes with its errno (``ENOENT``, ``EACCES``);
    RocksDB's own write errors come without one, as ``IO error: No space left
    on device: While appending to file: …/000010.sst`` (measured on a full
    300 KB tmpfs).
    """
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS):
        return True
    return err.errno is None and first_line(err).startswith("IO error")


def open_store(source: Path | str) -> pyoxigraph.Store:
    """Open a graph file (in memory) or an on-disk Oxigraph store (read-only).

    Args:
        source: an RDF file (``.ttl``, ``.nt``, ``.nq``, ``.trig``,
            ``.jsonld``, ``.rdf``, ``.n3``) or a store folder made by
            ``kg load``.

    Raises:
        InputError: nothing at ``source``, not RDF, not a store, or a
            corrupt store.
        LoaderError: the store exists but cannot be opened (permissions).
    """
    path = Path(source)
    if path.is_dir():
        if not is_store(path):
            raise InputError(
                "not an Oxigraph store (no CURRENT file); create one with `kg load GRAPH --store DIR`",
                path=str(path),
            )
        try:
            return pyoxigraph.Store.read_only(str(path))
        except RuntimeError as err:  # RocksDB reports corruption as RuntimeError
            raise InputError(f"corrupt or incompatible Oxigraph store: {first_line(err)}",
                             path=str(path)) from err
        except OSError as err:
            raise LoaderError(f"cannot open the Oxigraph store: {first_line(err)}", path=str(path)) from err
    if not path.exists():
        raise InputError("no such graph file or store folder", path=str(path))
    store = pyoxigraph.Store()
    load_file(store, path)
    return store


def from_kg(kg: KnowledgeGraph) -> pyoxigraph.Store:
    """Return an in-memory store holding ``kg`` in its RDF form (:mod:`graph.rdf.convert`).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> from graph.store.query import run
        >>> store = from_kg(KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),)))
        >>> run(store, "SELECT ?l WHERE { ?e a ekg:Company ; rdfs:label ?l }").records()
        [{'l': 'Acme'}]
    """
    from graph.rdf.convert import to_rdf

    store = pyoxigraph.Store()
    store.load(input=to_rdf(kg).serialize(format="nt", encoding="utf-8"),
               format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store
