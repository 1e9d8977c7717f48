"""A small per-graph memo: derived data (search index, inferred triples) built once per graph."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar

T = TypeVar("T")
_MAX_GRAPHS = 8
_cache: OrderedDict[int, tuple[object, dict[str, Any]]] = OrderedDict()
_lock = Lock()


def memo(kg: object, key: str, build: Callable[[], T]) -> T:
    """Return `build()` for this graph object, computing it once."""
    with _lock:
        entry = _cache.get(id(kg))
        if entry is None or entry[0] is not kg:
            entry = (kg, {})
            _cache[id(kg)] = entry
            while len(_cache) > _MAX_GRAPHS:
                _cache.popitem(last=False)
        slot = entry[1]
    if key not in slot:
        slot[key] = build()
    return slot[key]  # type: ignore[no-any-return]
