"""Errors: every failure a user can cause, with the file and the problem.

A :class:`KGError` is printed by the CLI as one line, without a traceback,
and mapped to an exit code (``exit_code``). Anything else is a bug.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of the errors a user can cause; exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class InputError(KGError):
    """An input file is missing, unreadable, undecodable or empty."""


class RuleError(KGError):
    """A rule or pattern file is invalid; lists every problem."""

    def __init__(self, problems: list[str], *, path: str | None = None):
        self.problems = problems
        text = f"{len(problems)} problem(s) in rule data:\n  " + "\n  ".join(problems)
        super().__init__(text, path=path)


class OntologyError(KGError):
    """The ontology or shapes are missing or invalid."""


class UnknownFormatError(KGError):
    """An export format name is not registered."""


class ModelError(KGError):
    """A spaCy pipeline cannot be loaded."""

    exit_code = 3


class OutputError(KGError):
    """An output path cannot be written (exists as a file, permission, disk)."""

    exit_code = 3


class LoaderError(KGError):
    """A graph store cannot be opened or written (locked, unwritable, server missing)."""

    exit_code = 3
