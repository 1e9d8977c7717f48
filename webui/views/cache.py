"""Derived data (search index, inferred triples) hangs on the knowledge graph itself:
``memo(kg, key, build)`` is ``kg.derived(key, build)``, kept for the builders that call it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .common import KG_

T = TypeVar("T")


def memo(kg: KG_, key: str, build: Callable[[], T]) -> T:
    """``build()`` for this graph, computed once (see ``KnowledgeGraph.derived``)."""
    return kg.derived(key, build)
