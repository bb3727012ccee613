"""Writing answers to standard output, and stopping quietly when it goes away.

``kg query --list | head`` closed the pipe under ``kg`` and ended in a
``BrokenPipeError`` traceback; ``kg export … > /dev/full`` ended in an
``OSError`` traceback with exit 1 (issue 17). A reader that goes away is not an
error: :func:`quiet_broken_pipe` points standard output at ``/dev/null`` so that
the interpreter's last flush cannot fail again, and the command exits 141
(128 + SIGPIPE, what a C tool killed by the signal reports). A full disk or an
I/O error behind standard output is an output error: one line, exit 3.
"""

from __future__ import annotations

import errno
import os
import signal
import sys

from graph.errors import OutputError

#: Errors of a device that takes no more output: full disk, quota, file size limit, I/O error.
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})

#: Exit code of a command whose reader closed standard output.
BROKEN_PIPE_EXIT = 128 + signal.SIGPIPE


def write_stdout(data: bytes) -> None:
    """Write ``data`` to standard output after any text already printed.

    Raises:
        BrokenPipeError: the reader went away (the caller stops quietly).
        OutputError: standard output cannot be written (full disk, I/O error).
    """
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise OutputError(f"cannot write to standard output: {err.strerror or err}") from err


def flush_stdout() -> None:
    """Flush text printed to standard output; errors as in :func:`write_stdout`."""
    write_stdout(b"")


def quiet_broken_pipe() -> int:
    """Point standard output at ``/dev/null`` after its reader went away; the exit code."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file descriptor (tests capture it)
        pass
    return BROKEN_PIPE_EXIT
