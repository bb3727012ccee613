"""Locks: an exclusive ``flock`` on a file or a folder (one writer at a time).

Used for ``kg build``'s output folder, ``kg load``'s store and the recovery
of a journal (:mod:`graph.files`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar


class Lock:
    """An exclusive ``flock`` on a file or folder, for one writer at a time.

    The kernel releases it when the holder exits or is killed, so a crash
    never leaves a stale lock; forked children (spaCy's ``--jobs`` workers)
    close their copy at once, so that a worker outliving a killed ``kg``
    cannot keep it either. A lock file is never removed (removing one lets
    two processes lock two different files of one name).
    """

    held: ClassVar[set[int]] = set()  # descriptors held by this process

    def __init__(self, path: Path | str, *, folder: bool = False) -> None:
        self.path = Path(path)
        self.folder = folder
        self.fd: int | None = None

    @staticmethod
    def try_fd(fd: int) -> bool:
        """Try to take an exclusive flock on ``fd`` without waiting (no ``fcntl``: True)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return True

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, waiting up to ``wait`` seconds; False if another holds it.

        Taking it again does nothing. Where ``fcntl`` is missing (Windows),
        nothing is locked.

        Raises:
            OSError: the path cannot be opened, or its file system has no flock.
        """
        if self.fd is not None:
            return True
        try:
            import fcntl  # noqa: F401
        except ImportError:  # pragma: no cover - Windows
            return True
        if self.folder:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        else:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        try:
            while not self.try_fd(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        Lock.held.add(fd)
        return True

    def release(self) -> None:
        """Let the lock go."""
        if self.fd is not None:
            Lock.held.discard(self.fd)
            os.close(self.fd)
            self.fd = None

    @staticmethod
    def forget_in_child() -> None:
        """After a fork, in the child: close the copies of the locks (the parent keeps them)."""
        for fd in Lock.held:
            try:
                os.close(fd)
            except OSError:
                pass
        Lock.held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=Lock.forget_in_child)
