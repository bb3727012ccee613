"""Atomic writes, crash recovery and locks: the one way entity-kg replaces files or folders.

Every output is first written in full beside its destination (a temporary
``.NAME.OWNER-XXXX.tmp`` file or folder, :func:`stage`; ``OWNER`` names the
writing process: its pid and start time). One file alone is then renamed
into place: one ``rename``, atomic. Several outputs, or a folder, are one
change made with a journal (:func:`replace_all`): ``.kg-OWNER-XXXX.journal``
is written and fsynced in every folder the change touches, listing every
rename; then each old destination is set aside (``.NAME.OWNER-XXXX.old``)
and the new one renamed in; then the journals are removed, then the old ones.

An error, Ctrl-C or SIGTERM during the renames undoes them at once. A
process killed there (``kill -9``, the OOM killer) cannot: the
next command that writes to or reads the folder (:func:`recover`: every
write here, ``kg build``, ``kg load``, ``kg query``, ``kg serve``) finds the
journal of a dead owner and rolls its change back, so the folder holds the
complete old set, never a mix; then it removes every temporary and set-aside
file of dead owners (a killed build left 56 MB of them, a killed load a
552 MB ``.STORE.*.loading`` folder). Rolling back, not forward: the undo
needs only the set-aside old files, which exist from the first rename to
the journal's removal, whereas a roll-forward would need every temporary,
and the in-process undo already rolls back. A torn journal (killed while
writing it) means no rename had begun: it is removed. Files of a live
owner are never touched, so a concurrent ``kg export`` into the same folder
is safe. ``KG_FAULT`` (:func:`fault`) kills the process at a chosen point;
it is for the crash tests only.

Examples:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(b"hello", folder / "a.txt")
    >>> write_all_atomic([(folder / "a.txt", b"new"), (folder / "b", {"x.csv": b"1"})])
    >>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_bytes()
    (['a.txt', 'b'], b'new')
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Sequence  # noqa: F401 - Iterable: the Output alias
from dataclasses import dataclass
from pathlib import Path

from graph.errors import OutputError
from graph.locks import Lock

#: What is written to one destination: a file's bytes, its chunks, or a bundle's files.
Output = "bytes | Iterable[bytes] | dict[str, bytes]"

log = logging.getLogger(__name__)

#: A temporary, set-aside or loading file or folder of ours, or a ``kg serve`` snapshot:
#: ``.NAME.OWNER-XXXX.tmp`` (``.old``, ``.loading``, ``.serving``).
LEFTOVER = re.compile(r"^\..+\.(\d+(?:x\d+)?)-[a-z0-9_]+\.(?:tmp|old|loading|serving)$")
#: A journal of ours: ``.kg-OWNER-XXXX.journal``.
JOURNAL = re.compile(r"^\.kg-(\d+(?:x\d+)?)-[0-9a-f]+\.journal$")

_FAULTS: dict[str, int] = {}
_OWNERS: dict[int, str] = {}


def fault(point: str) -> None:
    """Test-only fault injection: ``KG_FAULT=POINT[:N]`` SIGKILLs this process
    the N-th time (default: first) it reaches ``POINT``.

    Points: ``rename`` (before each rename of :func:`replace_all`, set-aside
    and move-in alike), ``staged`` (every output written, no journal yet),
    ``journal`` (journals written, no rename yet), ``renamed`` (every rename
    done, journals still there), ``committed`` (journals gone, old files
    not yet removed), ``extracted`` (``kg build``: a document extracted),
    ``loaded`` (``kg load``: the new store complete beside the old one).
    """
    spec = os.environ.get("KG_FAULT")
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _FAULTS[point] = _FAULTS.get(point, 0) + 1
    if _FAULTS[point] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def _process_start(pid: int) -> str | None:
    """The start time (clock ticks since boot) of a running process, from /proc; None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (OSError, ValueError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields[19]  # a zombie is dead


def owner() -> str:
    """This process's owner token: ``PIDxSTART`` (``PID`` where there is no /proc).

    The start time tells a dead owner from a new process given the same pid
    (a container's ``kg`` often has the same small pid every run).
    """
    pid = os.getpid()
    if pid not in _OWNERS:
        start = _process_start(pid)
        _OWNERS[pid] = f"{pid}x{start}" if start else str(pid)
    return _OWNERS[pid]


def owner_alive(token: str) -> bool:
    """Whether the process named by an owner token is still running."""
    pid_text, _, start = token.partition("x")
    pid = int(pid_text)
    if start:
        return _process_start(pid) == start
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - not on this system
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - a file system that cannot
        pass
    finally:
        os.close(fd)


def temporary_beside(dest: Path, *, folder: bool = False, suffix: str = ".tmp") -> Path:
    """A new, empty temporary file (or folder) beside ``dest``, named ``.NAME.OWNER-XXXX<suffix>``.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    prefix = f".{dest.name}.{owner()}-"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            return Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=dest.parent))
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=dest.parent)
        os.close(fd)
        return Path(name)
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror or err}", path=str(dest.parent)) from err


def stage(data: Output | Callable[[], Output], dest: Path) -> Path:
    """Write ``data`` in full to a new temporary file (or folder) beside ``dest``.

    ``data`` may be a function that makes it: it is called here, so that
    outputs written one after the other are never all in memory at once.
    A dict is a bundle: ``{relative file name: bytes}`` written into a folder.

    Raises:
        OutputError: the folder cannot be written, or ``dest`` is a folder
            where a file goes (or a file where a bundle goes).
        ValueError: a bundle file name is absolute or leaves the folder.
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
    prefix = f".{dest.name}.{owner()}-"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if bundle:
            tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=dest.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=dest.parent)
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
        remove(tmp)
        raise OutputError(f"cannot write: {err.strerror or err}", path=str(dest)) from err
    except BaseException:
        remove(tmp)
        raise
    return tmp


@dataclass(frozen=True, slots=True)
class Rename:
    """One replacement of a change: ``tmp`` goes to ``dest``; the old ``dest``
    (``had_old``) is set aside as ``old`` until the change is complete."""

    tmp: Path
    dest: Path
    old: Path
    had_old: bool

    def to_json(self, folder: Path) -> dict[str, object]:
        rel = {k: os.path.relpath(getattr(self, k).absolute(), folder.absolute()) for k in ("tmp", "dest", "old")}
        return {**rel, "had_old": self.had_old}

    @classmethod
    def from_json(cls, data: dict[str, object], folder: Path) -> Rename:
        return cls(folder / str(data["tmp"]), folder / str(data["dest"]), folder / str(data["old"]),
                   bool(data["had_old"]))


def undo(renames: Sequence[Rename]) -> None:
    """Put every old destination of a change back, newest first; remove its temporaries.

    Works from any point of the change (before, between or after its renames)
    and again after an interrupted undo: what is where tells what was done.
    """
    for r in reversed(renames):
        try:
            if r.old.exists() or r.old.is_symlink():  # set aside: the new one (if moved in) goes
                if not (r.tmp.exists() or r.tmp.is_symlink()):
                    remove(r.dest)
                os.replace(r.old, r.dest)
            elif not (r.tmp.exists() or r.tmp.is_symlink()) and not r.had_old:
                remove(r.dest)  # a new file where there was none
            # else: untouched, or its old one already put back
        except OSError:  # pragma: no cover - the disk failed twice; say what is where
            log.error("could not restore %s (the old one is in %s)", r.dest, r.old)
    for r in renames:
        remove(r.tmp)


def _write_journals(renames: Sequence[Rename]) -> list[Path]:
    """Write the change's journal into every folder it touches (fsynced); return their paths."""
    folders = list(dict.fromkeys(r.dest.parent for r in renames))
    name = f".kg-{owner()}-{secrets.token_hex(4)}.journal"
    paths = [f / name for f in folders]
    written: list[Path] = []
    try:
        for path in paths:
            text = json.dumps({"journals": [os.path.relpath(p.absolute(), path.parent.absolute()) for p in paths],
                               "renames": [r.to_json(path.parent) for r in renames]}, indent=1)
            written.append(path)
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            _fsync_dir(path.parent)
    except BaseException:
        for path in written:
            remove(path)
        raise
    return paths


def replace_all(staged: Sequence[tuple[Path, Path]]) -> None:
    """Rename each ``(temporary, destination)`` into place: all of them, or none.

    One file is one rename. Otherwise the change is journaled (see the
    module docstring): each old destination is set aside
    (``.NAME.OWNER-XXXX.old``) until the last rename has succeeded, then
    removed. If a rename fails or is interrupted, the renames already done
    are undone and the old outputs put back; if the process is killed, the
    next :func:`recover` of the folder does that. The temporaries are
    removed either way.

    Raises:
        OutputError: a rename failed (nothing was changed).
    """
    staged = [(Path(t), Path(d)) for t, d in staged]
    if len(staged) == 1 and not staged[0][0].is_dir():
        tmp, dest = staged[0]
        try:
            fault("rename")
            os.replace(tmp, dest)
        except BaseException as err:
            remove(tmp)
            if isinstance(err, OSError):
                raise OutputError(f"cannot replace: {err.strerror or err}; no output was changed",
                                  path=str(dest)) from err
            raise
        return
    token = owner()
    renames = [Rename(tmp, dest, dest.with_name(f".{dest.name}.{token}-{secrets.token_hex(4)}.old"),
                      dest.exists() or dest.is_symlink()) for tmp, dest in staged]
    journals: list[Path] = []
    where = Path()
    try:
        journals = _write_journals(renames)
        fault("journal")
        for r in renames:
            where = r.dest
            if r.had_old:
                fault("rename")
                os.replace(r.dest, r.old)
            fault("rename")
            os.replace(r.tmp, r.dest)
        fault("renamed")
    except BaseException as err:
        undo(renames)
        for path in journals:
            remove(path)
        if isinstance(err, OSError):
            raise OutputError(f"cannot replace: {err.strerror or err}; no output was changed",
                              path=str(where if where.parts else staged[0][1].parent)) from err
        raise
    for path in journals:
        remove(path)
    fault("committed")
    for r in renames:
        remove(r.old)


def recover(folder: Path | str) -> None:
    """Undo the changes in ``folder`` whose process was killed, and remove the
    temporary and set-aside files of dead processes (see the module docstring).

    Files of a live process are left alone. Nothing happens where the
    folder is missing or cannot be read; a folder that cannot be written
    logs a warning and is left as it is.
    """
    folder = Path(folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    pending: set[str] = set()  # owners whose journal is being recovered by someone else
    for name in names:
        m = JOURNAL.match(name)
        if m and not owner_alive(m.group(1)) and not _recover_journal(folder / name):
            pending.add(m.group(1))
    for name in names:
        m = LEFTOVER.match(name)
        if m and m.group(1) not in pending and not owner_alive(m.group(1)):
            log.info("removing %s, left by a killed kg", folder / name)
            try:
                remove(folder / name)
            except OSError as err:  # pragma: no cover - an unwritable folder
                log.warning("cannot remove %s: %s", folder / name, err.strerror or err)


def _recover_journal(path: Path) -> bool:
    """Roll back the change of a dead process's journal; False if another process is doing it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True  # recovered meanwhile
    except OSError as err:
        log.warning("cannot recover %s: %s", path, err.strerror or err)
        return False
    try:
        if not Lock.try_fd(fd):
            return False
        if not path.exists():
            return True
        try:
            with open(fd, encoding="utf-8", closefd=False) as fh:
                data = json.load(fh)
            renames = [Rename.from_json(r, path.parent) for r in data["renames"]]
            journals = [path.parent / p for p in data["journals"]]
        except (ValueError, KeyError, TypeError):  # torn while it was written: no rename had begun
            renames, journals = [], []
        log.warning("a kg command was killed while replacing files in %s; putting the old ones back",
                    path.parent)
        undo(renames)
        for other in journals:
            if other != path:
                remove(other)
        remove(path)
        return True
    except OSError as err:
        log.warning("cannot recover %s: %s", path, err.strerror or err)
        return False
    finally:
        os.close(fd)


def write_all_atomic(outputs: Sequence[tuple[Path, Output | Callable[[], Output]]], *,
                     recovered: bool = False) -> None:
    """Write several outputs as one change: all of them, or none.

    ``outputs`` are ``(dest, bytes)`` (or an iterable of byte chunks) for a
    file and ``(dest, {name: bytes})`` for a bundle folder; any of them may be
    given as a function that makes it, called when its turn to be written
    comes (an error it raises is an error of the write). The destination
    folders are first recovered (:func:`recover`; not when ``recovered``:
    the caller has done it). Every output is then written in full beside its
    destination (:func:`stage`); only then are they renamed into place
    (:func:`replace_all`). If anything fails or is interrupted (an error,
    Ctrl-C, ``kill -9``), the folders hold the old outputs or the new ones,
    never a mix, and no temporary file remains (after a kill: once the
    folder is next used).

    Raises:
        OutputError: a folder cannot be created or written, a file name is
            taken by a folder (or a bundle name by a file).
    """
    if not recovered:
        for folder in dict.fromkeys(Path(dest).parent for dest, _data in outputs):
            recover(folder)
    staged: list[tuple[Path, Path]] = []
    try:
        for dest, data in outputs:
            staged.append((stage(data, Path(dest)), Path(dest)))
        fault("staged")
    except BaseException:
        for tmp, _dest in staged:
            remove(tmp)
        raise
    replace_all(staged)


def write_atomic(data: bytes, dest: Path, *, recovered: bool = False) -> None:
    """Write ``data`` to the file ``dest`` atomically (:func:`write_all_atomic` of one).

    Raises:
        OutputError: the folder cannot be created or written.
    """
    write_all_atomic([(Path(dest), data)], recovered=recovered)


def write_bundle_atomic(files: dict[str, bytes], dest: Path) -> None:
    """Write a bundle's files into folder ``dest``, replacing it as a whole.

    Raises:
        OutputError: the folder cannot be written, or ``dest`` is a file.
        ValueError: a file name is absolute or leaves the folder.
    """
    write_all_atomic([(Path(dest), files)])

