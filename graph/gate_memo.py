"""The gate's result for a change carried over to a newer version (issue 11).

Editors preview a change, then save it; meanwhile others save theirs, so the save usually finds
a newer version than its preview did, and the gate (:mod:`amkg.graph.gate`, about 70 ms of CPU)
would validate the same change again. It need not when nothing it read has changed: the gate's
result is a function of the shapes, the change and what it read of the store (each node's
triples out, or in). So a change that passed with no result at all (no violation, no warning)
is remembered with those reads and their answers; on another version it still passes if each of
them gets the same answer there (a read costs a fraction of a validation). Whatever happened in
between (other saves, a restored backup) does not matter: only the answers are compared.

The change's own resources (its change set and source, named by the next number) are left out:
at every version they are new, so their reads answer nothing, and only their number differs,
which no shape reads (``tests/test_edits.py`` checks a carried-over result with a full
validation of the graph it made).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from rdflib.term import Node

#: A read of the gate: ``("out", node)`` (the node's triples) or ``("in", node)`` (those into
#: it); its answer: the (predicate, object) or (subject, predicate) pairs.
Read = tuple[str, Node]
Answer = frozenset[tuple[Node, Node]]
KEPT = 256

_passed: OrderedDict[Hashable, tuple[dict[Read, Answer], str]] = OrderedDict()
_lock = threading.Lock()


def remember(key: Hashable, reads: Mapping[Read, Answer], own: str, report: str) -> None:
    """The change ``key`` passed, having read ``reads`` (with their answers); ``own`` is its change
    set's IRI (its resources are that IRI and those below it)."""
    below = own + "/"
    kept = {r: a for r, a in reads.items() if str(r[1]) != own and not str(r[1]).startswith(below)}
    with _lock:
        _passed[key] = (kept, report)
        _passed.move_to_end(key)
        while len(_passed) > KEPT:
            _passed.popitem(last=False)


def still_passes(key: Hashable, answer: Callable[[Read], Answer]) -> str | None:
    """The report of the change ``key`` if it passed before and each of its reads gets the same
    answer now (``answer``: a read on the version at hand); else ``None``: validate."""
    with _lock:
        found = _passed.get(key)
    if found is None:
        return None
    reads, report = found
    if all(answer(read) == before for read, before in reads.items()):
        return report
    return None
