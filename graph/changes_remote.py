"""Edits on a remote store (issue 11 on issue 10's :class:`~amkg.graph.remote.RemoteStore`).

A change to a graph that lives in a SPARQL 1.1 server goes through the same checks and the same
SHACL gate as on the embedded store (:mod:`amkg.graph.changes`), and is written as the same
change set (PROV-O: the change graph ``<CHANGES>nnnnnn``, its ``/toegevoegd`` and
``/verwijderd`` graphs, the source and the citations in the data graph), as named graphs of the
server:

1. **Read.** The newest change set's number (the next one is ours), the ``If-Match`` etags
   (asked of the server, as :func:`~amkg.graph.changes.entity_etag` reads them), then a copy of
   the whole data graph in memory (one Graph Store Protocol ``GET``, else a ``CONSTRUCT``).
   The whole graph, not the part the gate reads: the gate's reads are many small queries and a
   blank node cannot be named from one request to the next, a SPARQL Update's effect can only be
   computed on all of it, and the graph is small (the deck: 11 506 triples, read in well under a
   second). At ~1M triples this read is the cost of a commit (see ``benchmarks/README.md``).
2. **Validate** on that copy with the change applied: :func:`amkg.graph.gate.check`, the
   shapes and ontology read from the server once per load.
3. **Claim** the change's number: a claim triple of our own (a new IRI) in the lock graph
   :data:`LOCKS`, stamped with the server's clock; then read the claims on that number. Another
   live claim (younger than :data:`LEASE_SECONDS`): ours is withdrawn and the change refused as
   an :class:`~amkg.graph.changes_types.EditConflict` (409). Two writers that claim at once
   each see the other (a claim is committed before its writer reads), so at most one goes on.
   This is needed because a server may check ``FILTER NOT EXISTS`` on a snapshot (Oxigraph
   server's updates are "repeatable read": two updates racing each saw no change set and both
   wrote, 83 of 300 times in a test here); a claim left by a writer that died expires.
4. **Write** ONE SPARQL 1.1 Update request (``graph/sparql/remote-commit.rq``, the rows bound
   as a checked ``VALUES`` block): the data change and the change set together, and only while
   no change set of that number exists (the sequence number as an optimistic lock). A server
   runs one request whole or not at all: a failed request leaves nothing half-written.
5. **Check** that ours landed: the change graph on the server must be exactly ours, else
   :class:`~amkg.graph.changes_types.EditConflict`. An unreachable server during any step:
   :class:`WriteUnavailable` (503, in Dutch), nothing half-written.

History, ``?op=`` and the diff read the change sets from the server (:func:`change_reader`,
:func:`memory_dataset`).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from amkg.graph import gate
from amkg.graph.changes import _etag, _exists, _now, _quads, describe_change
from amkg.graph.changes_checks import check_change
from amkg.graph.changes_types import (
    DATASET,
    BadChange,
    Change,
    ChangeRejected,
    Committed,
    EditConflict,
    Triple,
    Violation,
)
from amkg.graph.remote import RemoteQueryError, RemoteStore, StoreUnavailable
from amkg.graph.rq import DOMAIN
from amkg.graph.store import SHAPES_GRAPH, OxigraphStore, QueryResult
from amkg.graph.terms import normalize_term, to_oxigraph
from amkg.graph.values import update_with_rows

__all__ = [
    "LOCKS",
    "WriteUnavailable",
    "change_reader",
    "current_default_graph",
    "is_remote",
    "memory_dataset",
    "run",
    "version_key",
]

#: The named graph of the writers' claims on a change's number.
LOCKS = URIRef("https://w3id.org/amkg/wijziging-claims")
CLAIMS = "https://w3id.org/amkg/claim/"
#: A claim older than this (server clock) belongs to a writer that died: it no longer counts.
LEASE_SECONDS = 60.0
_COMMIT_VARS = ("change", "data", "graph", "s", "p", "o")

_module_lock = threading.Lock()
#: Claims of this process it could not withdraw (the server went away): not another writer's.
_left_behind: set[URIRef] = set()


class WriteUnavailable(StoreUnavailable):
    """The server could not be reached while a change was being written: nothing was
    half-written (the server runs the one update request whole or not at all). The web app
    says so in Dutch (``remote.write_unavailable``, 503)."""


def is_remote(kg: object) -> bool:
    """Whether ``kg`` (a graph or a store) reads a remote store."""
    return isinstance(getattr(kg, "store", kg), RemoteStore)


def _write_lock(store: RemoteStore) -> threading.Lock:
    """One writer at a time per store in this process (the claims order the processes)."""
    with _module_lock:
        found = getattr(store, "_amkg_write_lock", None)
        if found is None:
            found = threading.Lock()
            store._amkg_write_lock = found  # type: ignore[attr-defined]
        return found


# --- reading the server --------------------------------------------------------------------


class _AllGraphs:
    """A remote store seen through the server's own dataset (every named graph): what the
    change-set queries of :mod:`amkg.graph.history` read."""

    name = "remote"

    def __init__(self, store: RemoteStore) -> None:
        self._store = store

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        return self._store.query_all_graphs(sparql, bindings)

    def triple_count(self) -> int:
        return self._store.triple_count()

    def dump(self) -> bytes:
        return self._store.dump()


def change_reader(store: Any) -> Any:
    """The store the change-set queries read: a remote store's every named graph, else
    ``store`` itself."""
    return _AllGraphs(store) if isinstance(store, RemoteStore) else store


def last_sequence(store: RemoteStore) -> int:
    rows = store.query_all_graphs(DOMAIN.text("change-last")).rows
    last = rows[0].get("last") if rows else None
    return int(str(last)) if last is not None else 0


def version_tag(store: RemoteStore) -> str:
    """The tag of the server's current version of the data (see ``changes.dataset_etag``)."""
    return _version_tag(store, last_sequence(store))


def _version_tag(store: RemoteStore, sequence: int) -> str:
    return f"{(store.data_version() or 'none')[:16]}-{sequence}"


def version_key(store: RemoteStore) -> tuple[str, str, int, str]:
    """What names the server's current version: its data graph, the newest change set and
    when the data was last loaded (for views kept per version, :func:`history.as_of`)."""
    loaded = store.metadata().get("loaded", "")
    return (store.config.url, store.config.graph, last_sequence(store), loaded)


def snapshot(store: RemoteStore) -> ox.Store:
    """The data graph of the server, copied into memory as the default graph."""
    memory = ox.Store()
    memory.bulk_load(store.dump(), format=ox.RdfFormat.N_TRIPLES)
    return memory


def current_default_graph(kg: Any) -> ox.Store:
    """A pyoxigraph store whose default graph is ``kg``'s current data (read only): the
    embedded store itself, or a copy of a remote one."""
    from amkg.graph.changes import latest_store

    store = latest_store(kg)
    if isinstance(store, RemoteStore):
        try:
            return snapshot(store)
        except StoreUnavailable as error:  # only writes ask for it
            raise _unavailable(store, error) from None
    native = getattr(store, "native", None)
    if native is None:
        raise TypeError("changes need a graph opened from its store (KnowledgeGraph.open)")
    return native  # type: ignore[no-any-return]


def memory_dataset(store: RemoteStore) -> ox.Store:
    """The server's data graph (as the default graph), its shapes and every change set's
    graphs, copied into memory: what :func:`amkg.graph.history.as_of` and the export read."""
    memory = snapshot(store)
    shapes = store.query(DOMAIN.text("shapes-triples"), {"g": URIRef(SHAPES_GRAPH)}).graph
    graph = ox.NamedNode(SHAPES_GRAPH)
    for s, p, o in shapes if shapes is not None else ():
        memory.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
    rows = store.query_all_graphs(DOMAIN.text("change-quads")).rows
    memory.extend(
        ox.Quad(
            to_oxigraph(r["s"]),  # type: ignore[arg-type]
            to_oxigraph(r["p"]),  # type: ignore[arg-type]
            to_oxigraph(r["o"]),
            to_oxigraph(r["g"]),  # type: ignore[arg-type]
        )
        for r in rows
    )
    return memory


# --- writing -------------------------------------------------------------------------------


def _unavailable(store: RemoteStore, error: StoreUnavailable) -> WriteUnavailable:
    return WriteUnavailable(getattr(error, "url", store.config.url), error.reason)


def _server_time(value: Node) -> datetime.datetime:
    text = str(value).replace("Z", "+00:00")
    found = datetime.datetime.fromisoformat(text)
    if found.tzinfo is not None:
        found = found.astimezone(datetime.UTC).replace(tzinfo=None)
    return found


def _claim(store: RemoteStore, change: URIRef) -> URIRef | None:
    """Claim the change set ``change`` (see the module's text); ``None`` (and no claim left)
    when another live claim is there."""
    claim = URIRef(CLAIMS + uuid.uuid4().hex)
    names = ("locks", "claim", "change")
    store.update(update_with_rows(DOMAIN.text("remote-claim"), names, [(LOCKS, claim, change)]))
    bound = {"locks": LOCKS, "change": change}
    rows = store.query_all_graphs(DOMAIN.text("remote-claims"), bound).rows
    ours = {URIRef(str(r["claim"])) for r in rows if r["claim"] in _left_behind}
    for found in sorted(ours, key=str):
        _unclaim(store, found)  # ours, from a write the server went away during
    others = [
        r
        for r in rows
        if r["claim"] != claim
        and r["claim"] not in ours
        and (_server_time(r["now"]) - _server_time(r["at"])).total_seconds() < LEASE_SECONDS
    ]
    if others:
        _unclaim(store, claim)
        return None
    return claim


def _unclaim(store: RemoteStore, claim: URIRef) -> None:
    """Withdraw a claim (best effort: one left behind expires, and this process withdraws it
    at its next claim)."""
    text = update_with_rows(DOMAIN.text("remote-unclaim"), ("locks", "claim"), [(LOCKS, claim)])
    try:
        store.update(text)
    except (StoreUnavailable, RemoteQueryError):
        _left_behind.add(claim)
    else:
        _left_behind.discard(claim)


def _conflict(
    store: RemoteStore, touched: list[Triple], if_match: Mapping[str, str] | None
) -> EditConflict:
    """Another writer saved first: the conflict names the entity the editor asked about (else
    the first one the change touches) with its etag now."""
    entity = next(iter(sorted(if_match or {})), None) or str(min(str(t[0]) for t in touched))
    now = version_tag(store) if entity == DATASET else _etag(store, URIRef(entity))
    return EditConflict(entity, now, (if_match or {}).get(entity, ""))


def _normal(triples: Iterable[Triple]) -> set[Triple]:
    return {(s, p, normalize_term(o)) for s, p, o in triples}


def _landed(store: RemoteStore, change: URIRef, meta: Iterable[Triple]) -> bool:
    """Whether the server's change graph ``change`` is exactly ours."""
    rows = store.query_all_graphs(DOMAIN.text("graph-triples"), {"g": change}).rows
    return {(r["s"], r["p"], normalize_term(r["o"])) for r in rows} == _normal(meta)


def _write(
    store: RemoteStore,
    change: URIRef,
    meta: Iterable[Triple],
    added: list[Triple],
    removed: list[Triple],
) -> None:
    data = URIRef(store.config.graph)
    rows: list[tuple[Node | None, ...]] = [(change, data, None, *t) for t in removed]
    rows += [(change, None, data, *t) for t in added]
    rows += [(change, None, change, *t) for t in sorted(meta, key=lambda t: tuple(map(str, t)))]
    rows += [(change, None, URIRef(f"{change}/toegevoegd"), *t) for t in added]
    rows += [(change, None, URIRef(f"{change}/verwijderd"), *t) for t in removed]
    store.update(update_with_rows(DOMAIN.text("remote-commit"), _COMMIT_VARS, rows))


def _gate_key(store: RemoteStore) -> str:
    found = store.metadata().get("fingerprint", "")
    return f"remote|{store.config.url}|{store.config.graph}|{found}"


def run(
    kg: Any,
    change: Change,
    if_match: Mapping[str, str] | None,
    *,
    publish: bool,
    times: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> tuple[Committed | None, list[Violation]]:
    """:func:`amkg.graph.changes._run` for a remote store (see the module's text)."""
    check_change(change)
    store: RemoteStore = kg.store
    started = times[0] if times else _now()
    with _write_lock(store):
        try:
            return _run(store, change, if_match, publish, started, times)
        except WriteUnavailable:
            raise
        except StoreUnavailable as error:
            raise _unavailable(store, error) from None


def _run(
    store: RemoteStore,
    change: Change,
    if_match: Mapping[str, str] | None,
    publish: bool,
    started: datetime.datetime,
    times: tuple[datetime.datetime, datetime.datetime] | None,
) -> tuple[Committed | None, list[Violation]]:
    sequence = last_sequence(store) + 1  # first: a change committed after this is a conflict
    for entity, expected in sorted((if_match or {}).items()):
        if entity == DATASET:
            now = _version_tag(store, sequence - 1)
        else:
            now = _etag(store, URIRef(entity))
        if now != expected:
            raise EditConflict(entity, now, expected)
    base = snapshot(store)
    added = [t for t in dict.fromkeys(change.added) if not _exists(base, t)]
    removed = [t for t in dict.fromkeys(change.removed) if _exists(base, t)]
    if not added and not removed:
        raise BadChange(
            None,
            "De wijziging verandert niets: alles wat erbij moest stond er al, wat weg moest "
            "stond er niet.",
            "The change changes nothing: what it adds is there already, what it removes is not.",
        )
    effective = Change(change.agent, change.reason, change.source, tuple(added), tuple(removed))
    ended = times[1] if times else _now()
    iri, meta, extra = describe_change(effective, sequence, started, ended)
    all_added = [*added, *(t for t in extra if not _exists(base, t))]
    candidate = OxigraphStore(base)
    candidate.apply(_quads(all_added, None), _quads(removed, None))
    touched = [*all_added, *removed]
    key = _gate_key(store)
    gate.context(store, key)  # the shapes and the ontology, from the server, once per load
    results, report = gate.check(candidate, key, touched, extra=meta)
    refused = gate.blocking(results)
    if refused:
        raise ChangeRejected(refused, report)
    if not publish:
        return None, results
    claim = _claim(store, iri)
    if claim is None:
        raise _conflict(store, touched, if_match)
    failed: StoreUnavailable | None = None
    try:
        try:
            _write(store, iri, list(meta), all_added, removed)
        except StoreUnavailable as error:  # the answer may be lost while the request ran:
            failed = error  # whether it landed says
        landed = _landed(store, iri, meta)
    finally:
        _unclaim(store, claim)
    if not landed and failed is not None:
        raise _unavailable(store, failed)
    if not landed:
        raise _conflict(store, touched, if_match)
    subjects = sorted({t[0] for t in touched}, key=str)
    etags = {str(s): _etag(store, s) for s in subjects}
    etags[DATASET] = _version_tag(store, sequence)
    return Committed(str(iri).rsplit("/", 1)[1], str(iri), ended, etags), results
