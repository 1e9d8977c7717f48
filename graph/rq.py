"""SPARQL kept in ``.rq`` files, one question per file, run with values bound (never pasted).

:data:`DOMAIN` is ``graph/sparql/``: the questions the domain layer itself asks (labels, the
projection, counts). The pages' own questions live in ``queries/internal/`` and the catalogue
that users browse in ``queries/catalogue/``; all three are read through :class:`QueryFolder`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from rdflib.term import Node

from amkg.graph.store import QueryResult, Store


class UnknownQueryFile(LookupError):
    """No ``<name>.rq`` in the folder."""


class QueryFolder:
    """A folder of ``.rq`` files, each read once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.text = functools.cache(self._read)

    def _read(self, name: str) -> str:
        path = self.directory / f"{name}.rq"
        if not path.is_file():
            raise UnknownQueryFile(f"no query {name!r} in {self.directory}")
        return path.read_text(encoding="utf-8")

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.rq"))

    def run(
        self, store: Store, name: str, bindings: Mapping[str, Node] | None = None
    ) -> QueryResult:
        return store.query(self.text(name), dict(bindings) if bindings else None)

    def select(
        self, store: Store, name: str, bindings: Mapping[str, Node] | None = None
    ) -> list[dict[str, Node]]:
        return self.run(store, name, bindings).rows

    def ask(self, store: Store, name: str, bindings: Mapping[str, Node] | None = None) -> bool:
        return bool(self.run(store, name, bindings).boolean)


DOMAIN = QueryFolder(Path(__file__).resolve().parent / "sparql")
