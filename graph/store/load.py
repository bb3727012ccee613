"""Graph-database loaders: put graph files into a persistent store.

One registry keyed by backend name, like the exporters: :func:`register`,
:func:`get`, :func:`available`, :func:`load`. The built-in backend is
``"oxigraph"``: an on-disk Oxigraph (RocksDB) store that ``kg query`` opens
read-only and ``kg serve`` publishes as a SPARQL endpoint.

A load is all or nothing: the new store is built in a temporary folder
beside the target (a hard-linked copy of the old store when adding to it,
then :meth:`pyoxigraph.Store.bulk_load` per file) and renamed into place
only when every file has loaded, so a bad file leaves the old store as it
was. A running ``kg serve`` keeps serving the snapshot it took at start
(and logs that the store changed); restart it to see the new data.

One load at a time: :func:`load` takes an ``flock`` on ``.NAME.lock``
beside the store (kept there; the kernel drops the lock when the holder
dies, even by ``kill -9``) and waits for another load up to ``wait``
seconds (``kg load --wait``, default :data:`WAIT`), then fails with exit 3.
Two loads used to both succeed and the first one's data was lost. With
the lock held it first recovers the folder (:func:`graph.files.recover`):
a load killed between its two renames (old store set aside, new one not
yet in place) gets the old store back, and a killed load's
``.NAME.*.loading`` folder (as big as the store) is removed. A full disk
is the store's error (exit 3), not the input file's.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "g.nt").write_text('<http://ex/a> <http://ex/p> "1" .\\n')
    >>> report = load([tmp / "g.nt"], tmp / "store")
    >>> report.quads, report.files
    (1, ('g.nt',))
    >>> load([tmp / "g.nt"], tmp / "store").quads   # loading again adds nothing
    1
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError, LoaderError, OutputError
from graph.files import fault, recover, replace_all, temporary_beside
from graph.locks import Lock

log = logging.getLogger(__name__)

#: Seconds a load waits for another load of the same store to finish.
WAIT = 120.0


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did: files read (names), quads in the store after, seconds."""

    target: str
    files: tuple[str, ...]
    quads_before: int
    quads: int
    seconds: float

    def __str__(self) -> str:
        added = self.quads - self.quads_before
        return (f"loaded {len(self.files)} file(s) into {self.target}: {self.quads} quads "
                f"({added:+d}) in {self.seconds:.2f} s")


Loader = Callable[[Sequence[Path], Path, bool], LoadReport]

_REGISTRY: dict[str, Loader] = {}


def register(name: str) -> Callable[[Loader], Loader]:
    """Register a loader function ``fn(files, target, replace) -> LoadReport``.

    Raises:
        ValueError: the name is taken.
    """

    def deco(fn: Loader) -> Loader:
        if name in _REGISTRY:
            raise ValueError(f"loader {name!r} is already registered")
        _REGISTRY[name] = fn
        return fn

    return deco


def available() -> list[str]:
    """Return the registered backend names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> Loader:
    """Return the loader of a backend.

    Raises:
        LoaderError: no such backend (the message lists them).
    """
    if name not in _REGISTRY:
        raise LoaderError(f"unknown store backend {name!r}; available: {', '.join(available())}")
    return _REGISTRY[name]


def rdf_files(inputs: Iterable[Path | str]) -> list[Path]:
    """Expand inputs to RDF files: a folder gives its RDF files, sorted.

    Raises:
        InputError: an input is missing, a folder holds no RDF file, or a
            file's suffix is not an RDF format.
    """
    from graph.rdf.formats import is_rdf_file, rdf_format

    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and is_rdf_file(p))
            if not found:
                raise InputError("folder holds no RDF file (.ttl, .nt, .nq, .trig, .jsonld, .rdf, .n3)",
                                 path=str(path))
            files.extend(found)
        elif not path.exists():
            raise InputError("no such graph file or folder", path=str(path))
        else:
            rdf_format(path)  # an unknown suffix fails before anything is written
            files.append(path)
    if not files:
        raise InputError("no graph files to load", path="<input>")
    return files


def load(
    inputs: Iterable[Path | str],
    target: Path | str,
    *,
    backend: str = "oxigraph",
    replace: bool = False,
    wait: float = WAIT,
) -> LoadReport:
    """Load graph files (or folders of them) into a persistent store.

    Args:
        inputs: RDF files (any format :func:`graph.rdf.formats.rdf_format` knows)
            or folders of them (e.g. N-Quads, one file per document).
        target: the store (for ``"oxigraph"``, a folder; created if missing).
        backend: a registered backend (see :func:`available`).
        replace: start from an empty store instead of adding to it.
        wait: seconds to wait for another load of the same store.

    Raises:
        InputError: a file is missing or not valid RDF (with line and
            column); the store is left as it was.
        LoaderError: the backend is unknown, the target is not a store (a
            non-empty folder of something else) or cannot be written (a
            full disk), or another load held it for ``wait`` seconds.
    """
    loader = get(backend)
    files = rdf_files(inputs)
    target = Path(target)
    with store_lock(target, wait):
        recover(target.parent)
        return loader(files, target, replace)


@contextmanager
def store_lock(target: Path, wait: float = WAIT) -> Iterator[None]:
    """Hold the lock of the store at ``target`` (``.NAME.lock`` beside it).

    Raises:
        LoaderError: another load holds it after ``wait`` seconds, or the
            lock file cannot be created.
    """
    lock = Lock(target.with_name(f".{target.name}.lock"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        taken = lock.acquire(wait)
    except OSError as err:
        raise LoaderError(f"cannot lock the store: {err.strerror or err}", path=str(target)) from err
    if not taken:
        raise LoaderError(f"another kg load is writing this store (waited {wait:g} s); "
                          "try again when it has finished, or give a longer --wait", path=str(target))
    try:
        yield
    finally:
        lock.release()


def _count(store: object) -> int:
    return len(store)  # type: ignore[arg-type]


@register("oxigraph")
def load_oxigraph(files: Sequence[Path], target: Path, replace: bool = False) -> LoadReport:
    """Load ``files`` into the Oxigraph store at ``target``, atomically."""
    import pyoxigraph

    from graph.store.query import first_line, is_store, load_file
    from graph.store.summary import build_summary

    t0 = time.perf_counter()
    if target.exists() and not target.is_dir():
        raise LoaderError("exists and is not a folder", path=str(target))
    existing = target.is_dir() and is_store(target)
    if target.is_dir() and not existing and any(target.iterdir()):
        raise LoaderError("folder is not empty and not an Oxigraph store; give a new or empty folder",
                          path=str(target))
    try:
        work = temporary_beside(target, folder=True, suffix=".loading")
    except OutputError as err:
        raise LoaderError(err.message, path=err.path) from err
    new = work / "store"
    before = 0
    store = None
    try:
        try:
            if existing and not replace:
                old = pyoxigraph.Store.read_only(str(target))
                before = _count(old)
                old.backup(str(new))  # hard links on the same file system
                del old
            store = pyoxigraph.Store(str(new))
        except (OSError, RuntimeError) as err:
            raise LoaderError(f"cannot open the Oxigraph store: {str(err).splitlines()[0]}",
                              path=str(target)) from err
        try:
            for path in files:
                log.info("loading %s", path)
                load_file(store, path, bulk=True)
            build_summary(store)  # the served explorer's relation lists (graph.store.summary)
            store.flush()
        except OSError as err:  # the store's disk (load_file raises the input's errors as InputError)
            why = err.strerror or first_line(err).removeprefix("IO error: ").split(": While ")[0]
            raise LoaderError(f"cannot write the store: {why}; "
                              "the store was left as it was", path=str(target)) from err
        quads = _count(store)
        del store
        fault("loaded")  # test-only (KG_FAULT)
        try:
            replace_all([(new, target)])
        except OutputError as err:
            raise LoaderError(f"cannot replace the store: {err.message}", path=str(target)) from err
    finally:
        # close the store before removing its folder: an open RocksDB store may still write a
        # file while the folder is removed (a bad file's load once left the .loading folder)
        store = None
        for _ in range(3):
            shutil.rmtree(work, ignore_errors=True)
            if not work.exists():
                break
            time.sleep(0.05)
    report = LoadReport(str(target), tuple(p.name for p in files), before, quads,
                        time.perf_counter() - t0)
    log.info("%s", report)
    return report

