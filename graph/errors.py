"""Errors raised while reading the graph's files."""

from __future__ import annotations

import contextlib
from pathlib import Path


class GraphLoadError(Exception):
    """A file of the graph could not be read, typically a Turtle syntax error.

    ``line`` is 1-based, or ``None`` when the parser did not say where the problem is.
    ``str(error)`` is ``path:line: message``, the form editors and CI logs link to.
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        # The three fields are the exception's args, so it pickles (query worker processes).
        super().__init__(Path(path), line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    @property
    def location(self) -> str:
        """``path:line`` (just ``path`` when the line is unknown), relative to the working
        directory when the file is below it."""
        path = self.path
        with contextlib.suppress(OSError, ValueError):
            path = path.resolve().relative_to(Path.cwd())
        return f"{path}:{self.line}" if self.line is not None else str(path)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
