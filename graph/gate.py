"""The SHACL gate of every write (issue 11): validate only what a change can affect.

A change touches triples; a shape's result for a focus node can change only if a triple the
shape reads from that node changed. The shapes of this project read a node's own triples, the
triples of its values (``sh:class``, the planning's end, a reified statement's subject) and the
triples pointing at it (inverse paths). So the gate validates, on the candidate store:

- focus nodes: the subjects of the changed triples, their objects that are resources of the
  data (``kg:``), and the nodes that point at those subjects (a reified statement about a
  removed triple, a measure whose track changed type);
- data: the ontology (cached per build), and for each focus node its own triples, its values'
  triples and the triples pointing at it.

A commit validates before the candidate is written (:func:`check_change`: the base store with the
change beside it, :class:`Changed`) while it writes the candidate in another thread;
:func:`check` validates a written candidate. ``tests/test_edits_gate.py`` proves on a set of edits
that both give the same result as a full validation of the candidate graph. A change that
passed is not validated again on a newer version where what it read is unchanged
(:mod:`amkg.graph.gate_memo`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from amkg.graph.changes_types import Violation
from amkg.graph.gate_memo import Answer, Read
from amkg.graph.load import KG, new_graph
from amkg.graph.report import Violation as ReportViolation
from amkg.graph.rq import DOMAIN
from amkg.graph.shapes_guard import check_shapes
from amkg.graph.sparql_parser import translate_query
from amkg.graph.store import SHAPES_GRAPH, OxigraphStore, Store
from amkg.graph.validate import validate_with_results

_cache: dict[str, tuple[Graph, Graph]] = {}
_prepared: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}
_cache_lock = threading.Lock()
_KG = str(KG)


def _is_data(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_KG)


def context(store: Store, key: str) -> tuple[Graph, Graph]:
    """The shapes and the ontology of the store (``key``: the deck build's fingerprint), read
    once per process: edits never change either."""
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            shapes = store.query(DOMAIN.text("shapes-triples"), {"g": URIRef(SHAPES_GRAPH)}).graph
            ontology = store.query(DOMAIN.text("ontology-triples")).graph
            assert shapes is not None
            assert ontology is not None
            check_shapes(shapes)
            found = _cache[key] = (shapes, ontology)
        return found


def _keep_prepared_queries() -> None:
    """Parse each SPARQL constraint once per process, not on every validation (rdflib parses a
    query's text on every call; a prepared query is meant to be evaluated again and again, so
    the answers are the same). Parsing was three quarters of the gate's time."""
    from rdflib.plugins.sparql import processor

    if getattr(processor.SPARQLProcessor.query, "_amkg_prepared", False):
        return
    original = processor.SPARQLProcessor.query

    def query(
        self: Any,
        strOrQuery: Any,
        initBindings: Any = None,
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):  # parsed one at a time (graph/sparql_parser.py)
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = _prepared.get(key)
            if prepared is None:
                prepared = translate_query(strOrQuery, base, initNs)
                if len(_prepared) < 2000:
                    _prepared[key] = prepared
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query._amkg_prepared = True  # type: ignore[attr-defined]
    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]


Triple = tuple[Node, Node, Node]


class _Reader:
    """What the gate reads of a store: a node's triples out (``describe.rq``) and in
    (``incoming.rq``), the default graph."""

    def __init__(self, store: Store, reads: dict[Read, Answer] | None = None) -> None:
        self.store = store
        self.reads = reads  # when given, each read and its answer (:mod:`amkg.graph.gate_memo`)

    def outgoing(self, node: Node) -> list[tuple[Node, Node]]:
        found = [(r["p"], r["o"]) for r in DOMAIN.select(self.store, "describe", {"s": node})]
        if self.reads is not None:
            self.reads[("out", node)] = frozenset(found)
        return found

    def incoming(self, node: Node) -> list[tuple[Node, Node]]:
        found = [(r["s"], r["p"]) for r in DOMAIN.select(self.store, "incoming", {"o": node})]
        if self.reads is not None:
            self.reads[("in", node)] = frozenset(found)
        return found

    def answer(self, read: Read) -> Answer:
        """What ``read`` (of :mod:`amkg.graph.gate_memo`) answers on this store."""
        way, node = read
        return frozenset(self.outgoing(node) if way == "out" else self.incoming(node))


class Changed(_Reader):
    """``base`` with a change applied, read without writing it: a node's triples are the base's
    minus the removed ones plus the added ones (removed first, as :meth:`OxigraphStore.apply`
    does). The change's terms are first put in the form the store keeps them in (Oxigraph keeps
    ``"1.0"^^xsd:decimal`` as ``1``), so the gate reads what the written candidate would hold."""

    def __init__(
        self,
        base: Store,
        added: Iterable[Triple],
        removed: Iterable[Triple],
        reads: dict[Read, Answer] | None = None,
    ) -> None:
        super().__init__(base, reads)
        self.removed = set(self._stored(removed))
        self.added_out: dict[Node, list[tuple[Node, Node]]] = {}
        self.added_in: dict[Node, list[tuple[Node, Node]]] = {}
        for s, p, o in self._stored(added):
            self.added_out.setdefault(s, []).append((p, o))
            self.added_in.setdefault(o, []).append((s, p))

    @staticmethod
    def _stored(triples: Iterable[Triple]) -> list[Triple]:
        triples = list(triples)
        scratch = OxigraphStore(ox.Store())  # in memory
        scratch.apply([(*triple, None) for triple in triples], [])
        subjects = dict.fromkeys(s for s, _p, _o in triples)
        return [(s, p, o) for s in subjects for p, o in _Reader(scratch).outgoing(s)]

    def outgoing(self, node: Node) -> list[tuple[Node, Node]]:
        kept = [(p, o) for p, o in super().outgoing(node) if (node, p, o) not in self.removed]
        return list(dict.fromkeys([*kept, *self.added_out.get(node, [])]))

    def incoming(self, node: Node) -> list[tuple[Node, Node]]:
        kept = [(s, p) for s, p in super().incoming(node) if (s, p, node) not in self.removed]
        return list(dict.fromkeys([*kept, *self.added_in.get(node, [])]))


def answers(store: Store) -> Callable[[Read], Answer]:
    """What each read of the gate answers on ``store`` (for :mod:`amkg.graph.gate_memo`)."""
    return _Reader(store).answer


def focus_nodes(store: Store | _Reader, triples: Iterable[Triple]) -> set[Node]:
    """The nodes whose results a change of ``triples`` can change (see the module's text)."""
    reader = store if isinstance(store, _Reader) else _Reader(store)
    subjects: set[Node] = set()
    focus: set[Node] = set()
    for s, _p, o in triples:
        subjects.add(s)
        if _is_data(o):
            focus.add(o)
    focus |= subjects
    for subject in subjects:
        focus.update(s for s, _p in reader.incoming(subject))
    return focus


def neighbourhood(store: Store | _Reader, nodes: Iterable[Node], into: Graph) -> None:
    """Add to ``into`` each node's triples, its values' triples and the triples pointing at it."""
    reader = store if isinstance(store, _Reader) else _Reader(store)
    described: dict[Node, list[Node]] = {}

    def describe(node: Node) -> list[Node]:
        if node not in described:
            values = described[node] = []
            for p, o in reader.outgoing(node):
                into.add((node, p, o))
                values.append(o)
        return described[node]

    for node in nodes:
        for value in describe(node):
            if _is_data(value) or isinstance(value, BNode):
                describe(value)
        for s, p in reader.incoming(node):
            into.add((s, p, node))
            if p == RDF.subject:  # a reified statement about the node: shapes of the
                describe(s)  # node read it whole (a marked effect chain of a factor)


def check(
    store: Store,
    key: str,
    triples: Iterable[Triple],
    extra: Graph | None = None,
) -> tuple[list[Violation], str]:
    """Validate the part of the candidate ``store`` (the change written) that a change of
    ``triples`` can affect (plus ``extra``: the change set's own description). Returns the
    results (violations, warnings) and the SHACL report as Turtle."""
    return _check(_Reader(store), key, list(triples), extra)


def check_change(
    base: Store,
    key: str,
    added: Iterable[Triple],
    removed: Iterable[Triple],
    extra: Graph | None = None,
    version: str | None = None,
    reads: dict[Read, Answer] | None = None,
) -> tuple[list[Violation], str]:
    """:func:`check` of the candidate that ``base`` with ``added`` and ``removed`` would be,
    without writing it (:class:`Changed`): the commit writes the candidate meanwhile.

    ``version`` names ``base`` (a published version never changes): the result is then kept,
    and the same change on the same version is not validated again (the edit form previews a
    change, then saves it). The change set's times, new at each call, are left out of the key:
    they are written the same way every time. ``reads``, when given, gets each read of the
    validation with its answer (:mod:`amkg.graph.gate_memo`; none when the result was kept)."""
    added, removed = list(added), list(removed)
    if version is None:
        return _check(Changed(base, added, removed, reads), key, [*added, *removed], extra)
    kept = (version, key, frozenset(added), frozenset(removed), _timeless(extra))
    with _cache_lock:
        found = _checked.get(kept)
    if found is None:
        found = _check(Changed(base, added, removed, reads), key, [*added, *removed], extra)
        with _cache_lock:
            _checked[kept] = found
            while len(_checked) > 64:
                del _checked[next(iter(_checked))]
    return list(found[0]), found[1]


_TIMES = {URIRef("http://www.w3.org/ns/prov#startedAtTime"),
          URIRef("http://www.w3.org/ns/prov#endedAtTime")}  # fmt: skip
_checked: dict[tuple[object, ...], tuple[list[Violation], str]] = {}


def _timeless(extra: Graph | None) -> frozenset[tuple[Node, Node, Node]]:
    if extra is None:
        return frozenset()
    return frozenset((s, p, o) for s, p, o in extra if p not in _TIMES)


def _check(
    reader: _Reader, key: str, triples: list[Triple], extra: Graph | None
) -> tuple[list[Violation], str]:
    _keep_prepared_queries()
    shapes, ontology = context(reader.store, key)
    nodes = focus_nodes(reader, triples)
    data = new_graph()
    for triple in ontology:
        data.add(triple)
    neighbourhood(reader, sorted(nodes, key=str), data)
    if extra is not None:
        for triple in extra:
            data.add(triple)
        nodes |= {s for s in extra.subjects() if isinstance(s, URIRef)}
    targets = sorted((n for n in nodes if isinstance(n, URIRef)), key=str)
    if not targets:
        return [], ""
    report, results = validate_with_results(data, shapes, focus_nodes=targets, checked=True)
    return [convert(v) for v in report.violations], results.serialize(format="turtle")


def full_check(store: Store, extra: Graph | None = None) -> list[Violation]:
    """A full validation of ``store``'s default graph (tests compare :func:`check` with it)."""
    shapes = store.query(DOMAIN.text("shapes-triples"), {"g": URIRef(SHAPES_GRAPH)}).graph
    assert shapes is not None
    data = new_graph()
    data.parse(data=store.dump().decode("utf-8"), format="nt")
    if extra is not None:
        for triple in extra:
            data.add(triple)
    report, _results = validate_with_results(data, shapes)
    return [convert(v) for v in report.violations]


def convert(found: ReportViolation) -> Violation:
    severity = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
    return Violation(
        focus=str(found.focus),
        path=found.path,
        message_nl=found.message_nl,
        message_en=found.message_en,
        severity=severity.get(found.severity, str(found.severity)),
        shape=found.shape or None,
        value=found.value,
    )


def blocking(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "Violation"]
