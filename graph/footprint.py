"""What a computation read from the store, and whether a change can have touched it (issue 11).

Pages derive indexes from a version of the graph once (``KnowledgeGraph.derived``: the label
index, the citation index, the trace network, ...). Every accepted edit is a new version, and
building all of that again after each save made readers pay for every editor's save. A derived
value may instead be carried over to the next version when the change between the two cannot
have altered anything it read.

What it read is recorded, not declared: while ``derived`` computes a value, every query the
stores answer (:func:`note`) is added to the value's :class:`Footprint`: the triple patterns the
query can match on the default graph, with what its ``VALUES`` and filters allow in each
position, and the named graphs it reads (:mod:`amkg.graph.footprint_query`). A change is a
:class:`Delta`: the triples it added or removed in the default graph, and the named graphs it
wrote (its change set's own graphs). A value is taken over at once when none of those triples
matches a pattern it read and it read none of those graphs (:meth:`Footprint.touched_by`).
Otherwise the answer of each query it ran (a digest, :func:`note_answer`) is compared with the
new version's on first use (:func:`answers_again`), and the value is built again only when one
differs. A read that cannot be analysed or asked again (a whole-store dump, a query rdflib
cannot parse) counts as reading everything.

``tests/test_footprint.py`` checks that every value carried over after a change equals the value
built again from scratch.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from rdflib import URIRef
from rdflib.term import Node

from amkg.graph.footprint_query import Pattern, Triple, analyse

__all__ = [
    "EVERYTHING",
    "Delta",
    "Footprint",
    "Reads",
    "note",
    "note_answer",
    "note_everything",
    "recording",
]


@dataclass
class Footprint:
    """What one computation read: the triple patterns of its queries on the default graph
    (:class:`~amkg.graph.footprint_query.Pattern`; ``everything``: any triple), and the named
    graphs (by name, or any)."""

    patterns: set[Pattern] = field(default_factory=set)
    everything: bool = False
    graphs: set[URIRef] = field(default_factory=set)
    any_graph: bool = False

    def add(self, other: Footprint) -> None:
        self.patterns |= other.patterns
        self.everything = self.everything or other.everything
        self.graphs |= other.graphs
        self.any_graph = self.any_graph or other.any_graph

    def touched_by(self, delta: Delta) -> bool:
        """Whether the change ``delta`` may have altered what this footprint read: one of its
        triples matches a pattern, or it wrote a graph that was read."""
        if delta.triples and (
            self.everything or any(p.matches(t) for t in delta.triples for p in self.patterns)
        ):
            return True
        return bool(delta.graphs) and (self.any_graph or bool(self.graphs & delta.graphs))


#: The footprint of a read that cannot be analysed: everything.
EVERYTHING = Footprint(everything=True, any_graph=True)


@dataclass(frozen=True)
class Delta:
    """What changed between two versions: the triples added or removed in the default graph,
    and the named graphs written."""

    triples: frozenset[Triple]
    graphs: frozenset[URIRef]


QueryKey = tuple[str, tuple[tuple[str, Node], ...]]


@dataclass
class Reads:
    """Everything one computation read: its :class:`Footprint`, and each query it ran with a
    digest of the answer (so that the answer can be asked again of the next version and
    compared). ``complete`` is false after a read that cannot be asked again (a dump)."""

    footprint: Footprint = field(default_factory=Footprint)
    answers: dict[QueryKey, int] = field(default_factory=dict)
    complete: bool = True

    def add(self, other: Reads) -> None:
        self.footprint.add(other.footprint)
        self.answers.update(other.answers)
        self.complete = self.complete and other.complete


_recorders: contextvars.ContextVar[tuple[Reads, ...]] = contextvars.ContextVar(
    "amkg_footprint_recorders", default=()
)


@contextmanager
def recording() -> Iterator[Reads]:
    """Record every read the stores report in this context (and into the recordings around
    it: a derived value built inside another one counts for both)."""
    found = Reads()
    token = _recorders.set((*_recorders.get(), found))
    try:
        yield found
    finally:
        _recorders.reset(token)


def active() -> bool:
    return bool(_recorders.get())


def query_key(sparql: str, bindings: Mapping[str, Node] | None) -> QueryKey:
    return sparql, tuple(sorted((bindings or {}).items()))


def note(sparql: str, bindings: Mapping[str, Node] | None = None) -> None:
    """A store is asked ``sparql`` (called by every store's ``query``; nothing to do unless a
    derived value is being computed)."""
    recorders = _recorders.get()
    if not recorders:
        return
    found = of_query(sparql, bindings)
    for recorder in recorders:
        recorder.footprint.add(found)


def note_answer(sparql: str, bindings: Mapping[str, Node] | None, answer: object) -> None:
    """The store answered ``sparql``: remember a digest of the answer (see :func:`digest`)."""
    recorders = _recorders.get()
    if not recorders:
        return
    key, value = query_key(sparql, bindings), digest(answer)
    for recorder in recorders:
        recorder.answers[key] = value


def note_reads(found: Reads) -> None:
    """A computation used a value read earlier (a derived value taken from the cache)."""
    for recorder in _recorders.get():
        recorder.add(found)


def note_everything() -> None:
    """A read of the whole store (a dump, a count of every triple): it cannot be asked again."""
    for recorder in _recorders.get():
        recorder.footprint.add(EVERYTHING)
        recorder.complete = False


def digest(answer: object) -> int:
    """A digest of a query's answer (``graph.store.QueryResult``): its kind, variables and rows
    in their order, or its triples. Compared within one process only."""
    kind = getattr(answer, "kind", None)
    if kind == "ASK":
        return hash(("ASK", getattr(answer, "boolean", None)))
    if kind == "SELECT":
        names = tuple(getattr(answer, "vars", ()))
        rows = getattr(answer, "rows", ())
        return hash((names, tuple(tuple(row.get(n) for n in names) for row in rows)))
    graph = getattr(answer, "graph", None)
    return hash((kind, frozenset(graph) if graph is not None else None))


def of_query(sparql: str, bindings: Mapping[str, Node] | None = None) -> Footprint:
    """The footprint of ``sparql`` run with ``bindings``."""
    try:
        shape = analyse(sparql)
    except Exception:  # a query rdflib cannot read counts as reading everything
        return EVERYTHING
    found = Footprint(patterns=shape.patterns_with(bindings), graphs=set(shape.graphs))
    for name, top in shape.graph_variables:
        bound = (bindings or {}).get(name) if top else None
        if isinstance(bound, URIRef):
            found.graphs.add(bound)
        else:
            found.any_graph = True
    return found


def answers_again(ask: Callable[[QueryKey], int], reads: Reads) -> bool:
    """Whether every query of ``reads`` gets the same answer from ``ask`` (the digest of the
    next version's answer): then what was derived from them holds for that version too."""
    return reads.complete and all(ask(key) == value for key, value in reads.answers.items())


V = TypeVar("V")


def reread(older: Mapping[Node, V], keys: Iterable[Node],
           read: Callable[[Node], Mapping[Node, V]]) -> dict[Node, V]:  # fmt: skip
    """An index by subject kept up after a change (``KnowledgeGraph.derived``'s ``update``):
    ``older`` without ``keys``, then what ``read(key)`` finds for each (the index's own query
    bound to that key: nothing when the key is gone)."""
    again = set(keys)
    found = {key: value for key, value in older.items() if key not in again}
    for key in sorted(again, key=str):
        found.update(read(key))
    return found
