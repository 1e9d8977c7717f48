"""What changed, when, and the graph as it was (issue 11).

- :func:`page` (a page of change sets, newest first: all, or one entity's), :func:`history`
  (one entity's change sets), :func:`recent` (the newest change sets);
- :func:`as_of` (the graph as it was at the end of a day: a read-only
  :class:`~amkg.graph.kg.KnowledgeGraph` in memory, the current graph with the later change sets
  undone, kept per (version, day)), :func:`diff` (what changed between two days);
- export and replay live in :mod:`amkg.graph.change_export`.

Every read is a query (``graph/sparql/change-list.rq``, ``change-seqs.rq``,
``graph-triples.rq``, ``entity-graphs.rq``) on the current version's store; on a remote store
on the server's named graphs (:mod:`amkg.graph.changes_remote`), and ``as_of`` copies the
server's data and change sets into memory when a change came after the day.
"""

from __future__ import annotations

import datetime
import logging
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph.changes import CHANGES, latest_store
from amkg.graph.changes_remote import change_reader, memory_dataset, version_key
from amkg.graph.changes_types import ChangeInfo, ChangeSource, Triple
from amkg.graph.footprint import Delta
from amkg.graph.remote import RemoteStore
from amkg.graph.rq import DOMAIN
from amkg.graph.store import OxigraphStore, Store

__all__ = [
    "ChangePage",
    "as_of",
    "changes",
    "diff",
    "history",
    "page",
    "recent",
]

_views: OrderedDict[tuple[object, str, str], Any] = OrderedDict()
_views_lock = threading.Lock()
VIEWS_KEPT = 8


def _triples(store: Store, graph: Node) -> tuple[Triple, ...]:
    rows = DOMAIN.select(store, "graph-triples", {"g": graph})
    found = {(r["s"], r["p"], r["o"]) for r in rows}
    return tuple(sorted(found, key=lambda t: tuple(map(str, t))))


def _date(value: Node | None) -> datetime.date | None:
    if isinstance(value, Literal) and isinstance(value.value, datetime.date):
        return value.value
    return None


def _time(value: Node) -> datetime.datetime:
    text = str(value).replace("Z", "+00:00")
    found = datetime.datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=datetime.UTC)


def changes(store: Store, only: Iterable[str] | None = None) -> list[ChangeInfo]:
    """Every change set of ``store``, oldest first; with ``only``: those change sets (IRIs),
    each read on its own, in the order given."""
    store = change_reader(store)  # a remote store's change sets are named graphs of the server
    if only is None:
        return [_info(store, row) for row in DOMAIN.select(store, "change-list")]
    found = []
    for iri in only:
        rows = DOMAIN.select(store, "change-list", {"change": URIRef(iri)})
        found += [_info(store, row) for row in rows[:1]]
    return found


def _info(store: Store, row: dict[str, Node]) -> ChangeInfo:
    iri = str(row["change"])
    source = ChangeSource(
        title=str(row.get("title", "")),
        date=_date(row.get("date")),
        url=str(row["url"]) if "url" in row else None,
        meeting=str(row["meeting"]) if "meeting" in row else None,
    )
    return ChangeInfo(
        change_id=iri.rsplit("/", 1)[1],
        iri=iri,
        sequence=int(str(row["seq"])),
        time=_time(row["time"]),
        agent=str(row["agentName"]),
        reason=str(row["reason"]),
        source=source,
        added=_triples(store, row["added"]),
        removed=_triples(store, row["removed"]),
    )


@dataclass(frozen=True)
class ChangePage:
    """One page of change sets, newest first: ``total`` of them in all (about the entity
    asked for, or in the store); ``older`` is the number to ask for the next page with
    (``before=``), ``None`` on the last page."""

    changes: list[ChangeInfo]
    total: int
    older: int | None


def page(
    kg: object,
    limit: int = 50,
    before: int | None = None,
    about: str | Node | None = None,
    *,
    newest: bool = True,
) -> ChangePage:
    """The newest ``limit`` change sets numbered below ``before`` (all when ``None``), about
    ``about`` (an entity: those that added or removed a triple with it) or all. Only the
    change sets on the page are read whole: a page costs the same after a thousand changes.
    From the newest version (another process may have committed since ``kg`` was opened), or
    with ``newest=False`` from the version ``kg`` reads (a web page's history agrees with the
    facts beside it)."""
    store: Store = latest_store(kg) if newest else kg.store  # type: ignore[attr-defined]
    reader = change_reader(store)
    if about is None:
        rows = DOMAIN.select(reader, "change-seqs")
        numbered = sorted({(int(str(r["seq"])), str(r["change"])) for r in rows}, reverse=True)
    else:
        rows = DOMAIN.select(reader, "entity-graphs", {"s": URIRef(str(about))})
        numbered = sorted(_changes_of_parts(str(r["g"]) for r in rows), reverse=True)
    older = [(n, iri) for n, iri in numbered if before is None or n < before]
    chosen = older[: max(limit, 0)]
    more = len(older) > len(chosen) and bool(chosen)
    return ChangePage(
        changes(store, [iri for _n, iri in chosen]),
        len(numbered),
        chosen[-1][0] if more else None,
    )


_PART = re.compile(re.escape(CHANGES) + r"(\d+)/(?:toegevoegd|verwijderd)")


def _changes_of_parts(graphs: Iterable[str]) -> set[tuple[int, str]]:
    """(number, IRI) of the change sets whose added or removed graphs are among ``graphs``:
    their names are the change set's IRI (``changes.change_iri``: its number) with ``/toegevoegd``
    or ``/verwijderd``, written by the commit alone (an update naming a graph is refused)."""
    found = set()
    for name in graphs:
        match = _PART.fullmatch(name)
        if match is not None:
            found.add((int(match.group(1)), name.rsplit("/", 1)[0]))
    return found


def history(kg: object, iri: str | Node, limit: int | None = None) -> list[ChangeInfo]:
    """The change sets that added or removed a triple about ``iri``, newest first (the
    newest ``limit`` when given)."""
    return page(kg, sys.maxsize if limit is None else limit, about=iri).changes


def recent(kg: object, limit: int = 50) -> list[ChangeInfo]:
    """The newest ``limit`` change sets, newest first."""
    return page(kg, limit).changes


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


def as_of(kg: Any, when: datetime.date) -> Any:
    """The graph as it was at the end of ``when`` (UTC): a read-only KnowledgeGraph with the
    same query interface, over an in-memory copy of the current version with every later
    change set undone (and its change graphs left out). ``kg`` itself when nothing changed
    after ``when``. Kept per (version, day)."""
    from amkg.graph.kg import KnowledgeGraph

    store = latest_store(kg)
    if isinstance(store, RemoteStore):
        version: object = version_key(store)
    else:
        version = getattr(store, "directory", id(store))
    key = (version, "as-of", when.isoformat())
    with _views_lock:
        found = _views.get(key)
        if found is not None:
            _views.move_to_end(key)
            return found
    every = changes(store)
    later = [c for c in every if c.time > _end_of(when)]
    if not later:
        return current(kg)
    if isinstance(store, RemoteStore):  # the server's data, shapes and change sets, in memory
        native = memory_dataset(store)
        every = changes(OxigraphStore(native))  # as the copy has them
        later = [c for c in every if c.time > _end_of(when)]
    else:
        assert isinstance(store, OxigraphStore)
        native = store.native
    memory = ox.Store()
    memory.bulk_extend(native.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    shapes = ox.NamedNode("https://w3id.org/amkg/shapes")
    memory.bulk_extend(native.quads_for_pattern(None, None, None, shapes))
    kept = {c.iri for c in every} - {c.iri for c in later}
    for graph in native.named_graphs():
        name = graph.value if isinstance(graph, ox.NamedNode) else ""
        owner = name.rsplit("/", 1)[0] if name.endswith(("/toegevoegd", "/verwijderd")) else name
        if owner in kept:
            memory.bulk_extend(native.quads_for_pattern(None, None, None, graph))
    view_store = OxigraphStore(memory)
    for change in reversed(later):
        undo = [(*t, None) for t in change.added]
        redo = [(*t, None) for t in change.removed]
        view_store.apply(redo, undo)
    view = KnowledgeGraph(
        view_store, prefixes=kg.prefixes, report=kg._report, sources=kg.sources, build=None
    )
    view.as_of = when  # type: ignore[attr-defined]
    return _keep(key, view)


def _keep(key: tuple[object, str, str], view: Any) -> Any:
    """Keep ``view`` under ``key`` (unless another thread kept one first: that one is returned),
    the :data:`VIEWS_KEPT` used last and no more: each holds a version's store open and what
    pages derived from it."""
    with _views_lock:
        kept = _views.setdefault(key, view)
        _views.move_to_end(key)
        while len(_views) > VIEWS_KEPT:
            _views.popitem(last=False)
        return kept


def current(kg: Any) -> Any:
    """``kg`` if it reads the current version, else a graph over the current version (another
    process may have committed since ``kg`` was opened). The new graph keeps what ``kg`` derived
    where the change sets between the two cannot have touched it (:func:`delta`)."""
    from amkg.graph.kg import KnowledgeGraph

    store = latest_store(kg)
    if store is kg.store:
        return kg
    key = (getattr(store, "directory", id(store)), "current", "")
    with _views_lock:
        found = _views.get(key)
        if found is not None:
            _views.move_to_end(key)
            return found
    newer = KnowledgeGraph(
        store, prefixes=kg.prefixes, report=kg._report, sources=kg.sources, build=kg.build
    )
    try:
        change = delta(kg.store, store)
    except Exception:  # reading goes on; nothing is taken over (each value is built again)
        logging.getLogger(__name__).exception("the change between two versions was not read")
        change = None
    newer.inherit(kg, change)
    return _keep(key, newer)


def delta(older: Store, newer: Store) -> Delta | None:
    """What the change sets in ``newer`` but not in ``older`` changed (their triples, and their
    own graphs), or ``None`` when ``newer`` does not continue ``older`` (a restored backup, a
    rebuilt deck: ``older``'s newest change set must be in ``newer`` with the same time; change
    sets are numbered in the order they were committed). Reads the newest change set of
    ``older`` and the ones after it in ``newer``, not every change set of both: a new version
    costs the same after a thousand changes."""
    newest = DOMAIN.select(older, "change-newest")
    last = 0
    if newest:
        row = newest[0]
        last = int(str(row["seq"]))
        same = DOMAIN.select(newer, "change-list", {"change": row["change"]})
        if not same or str(same[0]["time"]) != str(row["time"]):
            return None
    after = DOMAIN.select(newer, "change-after", {"after": Literal(last)})
    triples: set[Triple] = set()
    graphs: set[URIRef] = set()
    for change in changes(newer, [str(r["change"]) for r in after]):
        graphs |= {URIRef(change.iri + part) for part in ("", "/toegevoegd", "/verwijderd")}
        triples.update(change.added, change.removed)
    return Delta(frozenset(triples), frozenset(graphs))


def diff(
    kg: object, d1: datetime.date, d2: datetime.date
) -> tuple[tuple[Triple, ...], tuple[Triple, ...]]:
    """The triples added and removed between the end of ``d1`` and the end of ``d2``
    (``d1`` <= ``d2``; swapped otherwise), net: a triple added and removed again is in neither."""
    start, end = sorted((d1, d2))
    added: set[Triple] = set()
    removed: set[Triple] = set()
    for change in changes(latest_store(kg)):
        if _end_of(start) < change.time <= _end_of(end):
            for triple in change.removed:
                if triple in added:
                    added.discard(triple)
                else:
                    removed.add(triple)
            for triple in change.added:
                if triple in removed:
                    removed.discard(triple)
                else:
                    added.add(triple)

    def order(found: Iterable[Triple]) -> tuple[Triple, ...]:
        return tuple(sorted(found, key=lambda t: tuple(map(str, t))))

    return order(added), order(removed)
