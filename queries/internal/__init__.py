"""The SPARQL that pages, the API, the CLI and the projection run internally, one ``.rq`` file
per question in this folder (the catalogue in ``queries/catalogue/`` is what users browse).

Each rule is written once: a page that needs "the tracks a trajectory reaches" runs
``traject-sporen.rq``, the same file the matrix and the trajectory page run. Values are always
bound (``bindings``), never pasted into the text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from rdflib.term import Node

from amkg.graph.store import QueryResult, Store

INTERNAL_DIR = Path(__file__).resolve().parent


class HasStore(Protocol):
    @property
    def store(self) -> Store: ...


class UnknownInternalQuery(LookupError):
    """No ``<name>.rq`` in ``queries/internal/``."""


@functools.cache
def text(name: str) -> str:
    """The text of ``queries/internal/<name>.rq``."""
    path = INTERNAL_DIR / f"{name}.rq"
    if not path.is_file():
        raise UnknownInternalQuery(f"no internal query {name!r} ({path})")
    return path.read_text(encoding="utf-8")


def names() -> list[str]:
    """Every internal query's name."""
    return sorted(p.stem for p in INTERNAL_DIR.glob("*.rq"))


def run(
    kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node
) -> QueryResult:
    """Evaluate the internal query ``name`` on ``kg.store`` with the values bound."""
    values: dict[str, Node] = dict(bindings or {})
    values.update(more)
    return kg.store.query(text(name), values or None)


def select(
    kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node
) -> list[dict[str, Node]]:
    """The rows of a SELECT internal query."""
    return run(kg, name, bindings, **more).rows


def ask(kg: HasStore, name: str, bindings: Mapping[str, Node] | None = None, **more: Node) -> bool:
    """The answer of an ASK internal query."""
    return bool(run(kg, name, bindings, **more).boolean)
