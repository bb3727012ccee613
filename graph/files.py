"""Atomic writes: the one way entity-kg replaces a file or a folder.

Everything is first written in full beside its destination (a temporary
``.NAME.XXXX.tmp`` file or folder, :func:`stage`), then renamed into place
(:func:`replace_all`), each old file or folder set aside until the last
rename has succeeded. A reader never sees a partial file, and an error or
an interruption leaves the old outputs, never a mix of old and new.

Examples:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(b"hello", folder / "a.txt")
    >>> write_all_atomic([(folder / "a.txt", b"new"), (folder / "b", {"x.csv": b"1"})])
    >>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_bytes()
    (['a.txt', 'b'], b'new')
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence  # noqa: F401 - Iterable: the Output alias
from pathlib import Path

from graph.errors import OutputError

#: What is written to one destination: a file's bytes, its chunks, or a bundle's files.
Output = "bytes | Iterable[bytes] | dict[str, bytes]"

log = logging.getLogger(__name__)


def remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def temporary_beside(dest: Path, *, folder: bool = False, suffix: str = ".tmp") -> Path:
    """A new, empty temporary file (or folder) beside ``dest``, named ``.NAME.XXXX<suffix>``.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            return Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent))
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent)
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
        remove(tmp)
        raise OutputError(f"cannot write: {err.strerror or err}", path=str(dest)) from err
    except BaseException:
        remove(tmp)
        raise
    return tmp


def replace_all(staged: Sequence[tuple[Path, Path]]) -> None:
    """Rename each ``(temporary, destination)`` into place: all of them, or none.

    Each old destination is set aside (``.NAME.XXXX.old``) until the last
    rename has succeeded, then removed. If a rename fails or is interrupted,
    the renames already done are undone and the old outputs put back; the
    temporaries are removed either way.

    Raises:
        OutputError: a rename failed (nothing was changed).
    """
    done: list[tuple[Path, Path, Path | None]] = []  # (temporary, destination, its old one set aside)
    where = Path()
    try:
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
                    remove(dest)
                if old is not None:
                    os.replace(old, dest)
            except OSError:  # pragma: no cover - the disk failed twice; say what is where
                log.error("could not restore %s (the old one is in %s)", dest, old)
        for tmp, _dest in staged:
            remove(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"cannot replace: {err.strerror or err}; no output was changed",
                              path=str(where)) from err
        raise
    for _tmp, _dest, old in done:
        if old is not None:
            remove(old)


def write_all_atomic(outputs: Sequence[tuple[Path, Output | Callable[[], Output]]]) -> None:
    """Write several outputs as one change: all of them, or none.

    ``outputs`` are ``(dest, bytes)`` (or an iterable of byte chunks) for a
    file and ``(dest, {name: bytes})`` for a bundle folder; any of them may be
    given as a function that makes it, called when its turn to be written
    comes (an error it raises is an error of the write). Every output is
    first written in full beside its destination (:func:`stage`); only then
    are they renamed into place (:func:`replace_all`). If anything fails or
    is interrupted (an error, Ctrl-C), the folders hold the old outputs or
    the new ones, never a mix, and no temporary file remains.

    Raises:
        OutputError: a folder cannot be created or written, a file name is
            taken by a folder (or a bundle name by a file).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for dest, data in outputs:
            staged.append((stage(data, Path(dest)), Path(dest)))
    except BaseException:
        for tmp, _dest in staged:
            remove(tmp)
        raise
    replace_all(staged)


def write_atomic(data: bytes, dest: Path) -> None:
    """Write ``data`` to the file ``dest`` atomically (:func:`write_all_atomic` of one).

    Raises:
        OutputError: the folder cannot be created or written.
    """
    write_all_atomic([(Path(dest), data)])


def write_bundle_atomic(files: dict[str, bytes], dest: Path) -> None:
    """Write a bundle's files into folder ``dest``, replacing it as a whole.

    Raises:
        OutputError: the folder cannot be written, or ``dest`` is a file.
        ValueError: a file name is absolute or leaves the folder.
    """
    write_all_atomic([(Path(dest), files)])
