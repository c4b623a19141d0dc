"""The exception family: every failure a user can cause, with the data that caused it."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BuildLockedError",
    "InputError",
    "MappingError",
    "OutputError",
    "QueryError",
    "ServeError",
    "StemkgError",
]


class StemkgError(Exception):
    """Base of every error stemkg raises on purpose; its message is one line for the user."""


class InputError(StemkgError, ValueError):
    """An input file is missing, unreadable or not in the expected format."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class MappingError(StemkgError):
    """A record cannot be mapped to RDF (an unknown term, a clash of identifiers)."""


class QueryError(StemkgError, ValueError):
    """A query does not parse, names an unknown parameter, or is given a bad value."""


class OutputError(StemkgError):
    """An output cannot be written where it was asked to go."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"{path}: {problem}")


class BuildLockedError(StemkgError):
    """Another build holds the lock on the output folder."""


class ServeError(StemkgError):
    """The SPARQL endpoint cannot start: its port is taken or its engine will not run."""
