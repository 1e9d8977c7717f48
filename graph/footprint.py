"""What a computation read from the store, and whether a change can have touched it (issue 11).

Pages derive indexes from a version of the graph once (``KnowledgeGraph.derived``: the label
index, the citation index, the trace network, ...). Every accepted edit is a new version, and
building all of that again after each save made readers pay for every editor's save. A derived
value may instead be carried over to the next version when the change between the two cannot
have altered anything it read.

What it read is recorded, not declared: while ``derived`` computes a value, every query the
stores answer (:func:`note`) is added to the value's :class:`Footprint`, worked out from the
query's algebra (rdflib's parser): the predicates of its triple patterns in the default graph,
whether any pattern there has a variable or negated predicate (then every predicate counts), and
the named graphs it reads (by name, through a bound variable, or any). A change is a
:class:`Delta`: the predicates of the triples it added or removed in the default graph, and the
named graphs it wrote (its change set's own graphs). A value is carried over only when its
footprint and the delta share nothing (:meth:`Footprint.touched_by`); a read that cannot be
analysed (a whole-store dump, a query rdflib cannot parse) counts as reading everything.

``tests/test_footprint.py`` checks that every value carried over after a change equals the value
built again from scratch.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

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
    """What one computation read: see the module's text."""

    predicates: set[URIRef] = field(default_factory=set)
    any_predicate: bool = False
    graphs: set[URIRef] = field(default_factory=set)
    any_graph: bool = False

    def add(self, other: Footprint) -> None:
        self.predicates |= other.predicates
        self.any_predicate = self.any_predicate or other.any_predicate
        self.graphs |= other.graphs
        self.any_graph = self.any_graph or other.any_graph

    def touched_by(self, delta: Delta) -> bool:
        """Whether the change ``delta`` may have altered what this footprint read."""
        if delta.predicates and (self.any_predicate or self.predicates & delta.predicates):
            return True
        return bool(delta.graphs) and (self.any_graph or bool(self.graphs & delta.graphs))


#: The footprint of a read that cannot be analysed: everything.
EVERYTHING = Footprint(any_predicate=True, any_graph=True)


@dataclass(frozen=True)
class Delta:
    """What changed between two versions: predicates of the default graph's added or removed
    triples, and the named graphs written."""

    predicates: frozenset[URIRef]
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


def note_footprint(found: Footprint) -> None:
    for recorder in _recorders.get():
        recorder.footprint.add(found)


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
    found = Footprint()
    try:
        static = _static(sparql)
    except Exception:  # a query rdflib cannot read counts as reading everything
        return EVERYTHING
    predicates, any_predicate, graphs, graph_variables = static
    found.predicates |= predicates
    found.any_predicate = any_predicate
    found.graphs |= graphs
    for name in graph_variables:
        bound = (bindings or {}).get(name)
        if isinstance(bound, URIRef):
            found.graphs.add(bound)
        else:
            found.any_graph = True
    return found


@functools.lru_cache(maxsize=1024)
def _static(
    sparql: str,
) -> tuple[frozenset[URIRef], bool, frozenset[URIRef], frozenset[str]]:
    from rdflib.plugins.sparql import prepareQuery  # the parser loads only when recording

    walker = _Walker()
    walker.walk(prepareQuery(sparql).algebra, None)
    return (
        frozenset(walker.predicates),
        walker.any_predicate,
        frozenset(walker.graphs),
        frozenset(walker.graph_variables),
    )


class _Walker:
    """Collects the triple patterns of a query's algebra with the graph each one reads."""

    def __init__(self) -> None:
        self.predicates: set[URIRef] = set()
        self.any_predicate = False
        self.graphs: set[URIRef] = set()
        self.graph_variables: set[str] = set()

    def walk(self, node: object, graph: Node | None) -> None:
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(node, CompValue):
            # BGP in the algebra; TriplesBlock and GraphGraphPattern where rdflib leaves the
            # pattern of an EXISTS in its parsed form
            if node.name in ("BGP", "TriplesBlock"):
                for triples in node.get("triples") or ():  # parsed form: s p o s p o ...
                    for predicate in list(triples)[1::3]:
                        self._pattern(predicate, graph)
                return
            if node.name in ("Graph", "GraphGraphPattern"):
                term = node.get("term")
                self.walk(node.get("p") if node.name == "Graph" else node.get("graph"), term)
                return
            for value in node.values():
                self.walk(value, graph)
        elif isinstance(node, list | tuple):
            for item in node:
                self.walk(item, graph)

    def _pattern(self, predicate: object, graph: Node | None) -> None:
        if graph is not None:  # a pattern in a named graph reads that graph, whatever it asks
            if isinstance(graph, Variable):
                self.graph_variables.add(str(graph))
            elif isinstance(graph, URIRef):
                self.graphs.add(graph)
            return
        for iri in _path_iris(predicate):
            if iri is None:
                self.any_predicate = True
            else:
                self.predicates.add(iri)


def _path_iris(predicate: object) -> list[URIRef | None]:
    """The IRIs a predicate or property path may match (``None``: any predicate)."""
    if isinstance(predicate, URIRef):
        return [predicate]
    if isinstance(predicate, SequencePath | AlternativePath):
        return [iri for part in predicate.args for iri in _path_iris(part)]
    if isinstance(predicate, InvPath):
        return _path_iris(predicate.arg)
    if isinstance(predicate, MulPath):
        return _path_iris(predicate.path)
    return [None]  # a variable, or a negated property set (it matches predicates not named)


def answers_again(ask: Callable[[QueryKey], int], reads: Reads) -> bool:
    """Whether every query of ``reads`` gets the same answer from ``ask`` (the digest of the
    next version's answer): then what was derived from them holds for that version too."""
    return reads.complete and all(ask(key) == value for key, value in reads.answers.items())
