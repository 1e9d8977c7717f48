"""Query engines behind one interface.

:class:`Store` is the Protocol the rest of the code talks to. Every read of the graph goes through
it (pages, API, CLI, projection, search, export): nothing outside ``graph/`` holds an rdflib
graph of the whole data. :class:`OxigraphStore` is the default: pyoxigraph over the on-disk
store that ``amkg build`` writes (:mod:`amkg.graph.build`), opened read-only, or over an
in-memory store for tests. :class:`RdflibStore` (plain rdflib) is the reference the other
engine is tested against.

Both engines hand back a :class:`QueryResult` with rdflib terms, passed through the same
:func:`~amkg.graph.terms.normalize_term`, so the two give equal results for the same query:
plain literals never carry ``xsd:string``, language tags are lower case and numbers and
booleans are written in their canonical lexical form (``"50.0"`` and ``"50.00"`` as
``xsd:decimal`` are both ``"50.0"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from amkg.graph import footprint, query_text
from amkg.graph.engines import ENGINES
from amkg.graph.load import new_graph
from amkg.graph.sparql_parser import translate_query
from amkg.graph.terms import (
    from_oxigraph,
    json_rows,
    normalize_term,
    to_oxigraph,
)

#: The named graph that holds the SHACL shapes in a store (the default graph holds the rest).
SHAPES_GRAPH = "https://w3id.org/amkg/shapes"
QUERY_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass
class QueryResult:
    """The result of one query, whatever the engine.

    ``rows`` hold rdflib terms keyed by variable name; an unbound variable is absent from its
    row. ``boolean`` is set for ASK, ``graph`` for CONSTRUCT and DESCRIBE.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)


class BindingError(ValueError):
    """A bound variable is not in the SELECT projection.

    pyoxigraph substitutes values (SPARQL SEP-0007) only for variables a SELECT query
    projects (``SELECT ?track ...`` or ``SELECT *``); ASK, CONSTRUCT and DESCRIBE have no such
    limit. Both stores apply the rule, so a query behaves the same on either engine.
    """

    def __init__(self, variable: str) -> None:
        super().__init__(
            f"parameter ?{variable} must be in the SELECT projection to be bound "
            f"(add ?{variable} to the SELECT clause, or use SELECT *)"
        )
        self.variable = variable


@runtime_checkable
class Store(Protocol):
    """A read-only SPARQL query engine over the knowledge graph."""

    name: str

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Evaluate ``sparql`` with ``bindings`` (variable name -> term) bound beforehand."""
        ...

    def triple_count(self) -> int:
        """The number of triples in the store."""
        ...

    def dump(self) -> bytes:
        """Every triple of the graph (ontology and data) as N-Triples, in no fixed order."""
        ...


@runtime_checkable
class WritableStore(Protocol):
    """A store that takes changes (issue 11): the embedded write path. A remote store would
    send the same as one SPARQL 1.1 Update (``DELETE DATA``/``INSERT DATA``)."""

    def apply(
        self,
        added: Iterable[tuple[Node, Node, Node, Node | None]],
        removed: Iterable[tuple[Node, Node, Node, Node | None]],
    ) -> None:
        """Remove ``removed`` and add ``added`` (quads: graph ``None`` is the default graph),
        all or nothing."""
        ...


def _graph_of(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = new_graph()
    for s, p, o in triples:
        graph.add((s, p, normalize_term(o)))
    return graph


class OxigraphStore:
    """The embedded pyoxigraph engine over a pyoxigraph store (the default graph holds
    ontology and data; the SHACL shapes sit in the named graph :data:`SHAPES_GRAPH`)."""

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._terms: dict[Any, Node] = {}

    @classmethod
    def open_read_only(cls, directory: str | Path) -> OxigraphStore:
        """The on-disk store in ``directory``, read-only (many processes may open it at once)."""
        return cls(ox.Store.read_only(str(directory)))

    @classmethod
    def from_graph(cls, graph: Graph, shapes: Graph | None = None) -> OxigraphStore:
        """An in-memory store holding ``graph`` (and ``shapes`` in their named graph)."""
        store = ox.Store()
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        if shapes is not None:
            store.load(
                shapes.serialize(format="nt", encoding="utf-8"),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(SHAPES_GRAPH),
            )
        return cls(store)

    @classmethod
    def open_writable(cls, directory: str | Path) -> OxigraphStore:
        """The on-disk store in ``directory`` for writing (one writer: a version being made,
        see :mod:`amkg.graph.head`)."""
        return cls(ox.Store(str(directory)))

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store itself (the write path and backups, :mod:`amkg.graph.head`)."""
        return self._store

    def apply(
        self,
        added: Iterable[tuple[Node, Node, Node, Node | None]],
        removed: Iterable[tuple[Node, Node, Node, Node | None]],
    ) -> None:
        """Remove ``removed`` and add ``added`` in one transaction (see :class:`WritableStore`)."""

        def quad(item: tuple[Node, Node, Node, Node | None]) -> ox.Quad:
            s, p, o, g = item
            graph = ox.DefaultGraph() if g is None else to_oxigraph(g)
            return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]

        gone = [quad(q) for q in removed]
        new = [quad(q) for q in added]
        if gone:
            update = "DELETE DATA { " + " ".join(_quad_text(q) for q in gone) + " }"
            if new:
                update += " ; INSERT DATA { " + " ".join(_quad_text(q) for q in new) + " }"
            self._store.update(update)  # one update: applied whole or not at all
        elif new:
            self._store.extend(new)  # atomic in pyoxigraph

    def dump(self) -> bytes:
        """The default graph (ontology and data) as N-Triples, written by pyoxigraph."""
        footprint.note_everything()
        written = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return written or b""

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the default graph, as pyoxigraph terms (for exports)."""
        footprint.note_everything()
        for quad in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield quad.triple

    def _rows(self, names: list[str], document: bytes) -> list[dict[str, Node]]:
        return json_rows(self._terms, names, document)

    def triple_count(self) -> int:
        footprint.note_everything()
        result = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))[0].value)

    def query_native(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """pyoxigraph's own answer, unconverted: for writers that serialise it as it is (the
        SPARQL endpoint; see ``queries.formats.serialise_native``). Oxigraph writes numbers,
        booleans and language tags in canonical form too, so these agree with ``query``."""
        footprint.note(sparql)
        return self._store.query(sparql)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        footprint.note(sparql, bindings)
        answer = self._query(sparql, bindings)
        footprint.note_answer(sparql, bindings, answer)
        return answer

    def _query(self, sparql: str, bindings: Mapping[str, Node] | None) -> QueryResult:
        substitutions: (
            dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None
        ) = (
            {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
            if bindings
            else None
        )
        try:
            result = self._store.query(sparql, substitutions=substitutions)
        except RuntimeError as error:
            unprojected = [n for n in bindings or {} if f"?{n} in its SELECT" in str(error)]
            if unprojected:
                raise BindingError(unprojected[0]) from error
            raise
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(kind="ASK", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [variable.value for variable in result.variables]
            # Serialized in one call, not iterated: pyoxigraph lets go of the interpreter
            # lock for every solution it yields, and a thread that wants the lock back while
            # another thread of the process computes waits for the switch interval (5 ms)
            # each time: a 200-row answer took a second instead of a millisecond
            # (benchmarks/README.md, "Het interpreterslot").
            document = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            return QueryResult(kind="SELECT", vars=names, rows=self._rows(names, document))
        triples = (
            (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
            for t in result
        )
        return QueryResult(kind=query_text.graph_query_kind(sparql), graph=_graph_of(triples))


class RdflibStore:
    """Plain rdflib: slower, but it is the reference the other engines are tested against."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def triple_count(self) -> int:
        footprint.note_everything()
        return len(self._graph)

    def dump(self) -> bytes:
        footprint.note_everything()
        return self._graph.serialize(format="nt", encoding="utf-8")

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        footprint.note(sparql, bindings)
        answer = self._query(sparql, bindings)
        footprint.note_answer(sparql, bindings, answer)
        return answer

    def _query(self, sparql: str, bindings: Mapping[str, Node] | None) -> QueryResult:
        # parsed here, one thread at a time, with the prefixes Graph.query would give it
        prepared = translate_query(sparql, None, dict(self._graph.namespaces()))
        result = self._graph.query(prepared, initBindings=dict(bindings or {}))  # type: ignore[arg-type]
        if result.type == "ASK":
            return QueryResult(kind="ASK", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            names = [str(v) for v in (result.vars or [])]
            for name in bindings or {}:
                if name not in names:
                    raise BindingError(name)
            rows = []
            for solution in result:
                row = {}
                assert isinstance(solution, tuple)
                for name, value in zip(names, solution, strict=True):
                    if value is not None:
                        row[name] = normalize_term(value)
                rows.append(row)
            return QueryResult(kind="SELECT", vars=names, rows=rows)
        triples = (t for t in result if isinstance(t, tuple) and len(t) == 3)
        return QueryResult(kind=result.type, graph=_graph_of(triples))


def _quad_text(quad: ox.Quad) -> str:
    """A quad in SPARQL's data syntax, written by pyoxigraph's term serialiser (N-Triples)."""
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {quad.graph_name} {{ {triple} }}"


def open_store(graph: Graph, engine: str = "oxigraph") -> Store:
    """An in-memory store of the given engine (``oxigraph`` or ``rdflib``) over ``graph``."""
    if engine == "oxigraph":
        return OxigraphStore.from_graph(graph)
    if engine == "rdflib":
        return RdflibStore(graph)
    raise ValueError(f"unknown query engine {engine!r}; choose one of {', '.join(ENGINES)}")
