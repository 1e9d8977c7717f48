"""The SPARQL that pages, the API and the CLI run internally, one ``.rq`` file per question in
this folder (the catalogue in ``queries/catalogue/`` is what users browse; the domain layer's
own questions are in ``graph/sparql/``).

Each rule is written once: every page that needs "the tracks a trajectory reaches" runs the same
file. Values are always bound (``bindings`` or keyword arguments), never pasted into the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from rdflib.term import Node

from amkg.graph.rq import QueryFolder, UnknownQueryFile
from amkg.graph.store import QueryResult, Store

INTERNAL = QueryFolder(Path(__file__).resolve().parent)
UnknownInternalQuery = UnknownQueryFile


class HasStore(Protocol):
    @property
    def store(self) -> Store: ...


def text(name: str) -> str:
    """The text of ``queries/internal/<name>.rq``."""
    return INTERNAL.text(name)


def names() -> list[str]:
    """Every internal query's name."""
    return INTERNAL.names()


def _values(bindings: Mapping[str, Node] | None, more: Mapping[str, Node]) -> dict[str, Node]:
    values: dict[str, Node] = dict(bindings or {})
    values.update(more)
    return values


def run(
    kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node
) -> QueryResult:
    """Evaluate the internal query ``name`` on ``kg.store`` with the values bound."""
    return INTERNAL.run(kg.store, name, _values(bindings, more))


def select(
    kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node
) -> list[dict[str, Node]]:
    """The rows of a SELECT internal query."""
    return run(kg, name, bindings, **more).rows


def ask(kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node) -> bool:
    """The answer of an ASK internal query."""
    return bool(run(kg, name, bindings, **more).boolean)
