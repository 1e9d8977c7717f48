"""Changing the graph (issue 11): every write is checked, validated and committed whole.

:func:`commit` takes a :class:`~amkg.graph.changes_types.Change` (who, why, source, triples
added and removed), refuses bad input (:class:`BadChange`), checks ``If-Match`` etags
(:class:`EditConflict`), applies the change to a candidate copy of the current version
(:mod:`amkg.graph.head`), validates what it can affect (:mod:`amkg.graph.gate`; violations:
:class:`ChangeRejected`, nothing written) and makes the candidate current. The change set is
stored with the data: a named graph per change (PROV-O: agent, times, reason, source), with the
added and removed triples in two more named graphs; every resource the change adds facts to
cites the change's source (``amkg:citation``), beside the deck's citations.

:func:`preview` runs the same gate without committing; :func:`dataset_etag` tags the version
a graph reads (``if_match={DATASET: tag}`` makes a commit conditional on it). A SPARQL 1.1
Update becomes a change in :mod:`amkg.graph.changes_update`.

On a remote store (a SPARQL server, issue 10) the same happens in
:mod:`amkg.graph.changes_remote`: validated on a copy, written as one SPARQL Update request.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from amkg.graph import gate, gate_memo, head
from amkg.graph.build import STORE_DIR, Build, _locked
from amkg.graph.changes_checks import (
    STATUSES,
    check_change,
    parse_date,
    status_term,
)
from amkg.graph.changes_types import (
    DATASET,
    BadChange,
    Change,
    ChangeRejected,
    ChangeSource,
    Committed,
    EditConflict,
    Triple,
    Violation,
)
from amkg.graph.load import AMKG, KG, new_graph
from amkg.graph.rq import DOMAIN
from amkg.graph.sources import Sources
from amkg.graph.store import OxigraphStore, Store
from amkg.graph.terms import to_oxigraph

__all__ = [
    "STATUSES",
    "BadChange",
    "Change",
    "ChangeRejected",
    "ChangeSource",
    "Committed",
    "EditConflict",
    "Violation",
    "commit",
    "dataset_etag",
    "entity_etag",
    "latest_store",
    "parse_date",
    "preview",
    "status_term",
]

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
#: Change sets are named ``<CHANGES><number>``; their source ``.../bron``, their triples
#: ``.../toegevoegd`` and ``.../verwijderd``.
CHANGES = "https://w3id.org/amkg/wijziging/"
AGENTS = "https://w3id.org/amkg/agent/"

_open_lock = threading.Lock()
_open: dict[Path, OxigraphStore] = {}

#: Set to a dict by a benchmark (``benchmarks/bench_edits.py``): each commit adds the seconds of
#: its phases to it (check, copy, apply, gate, etags, flush, publish).
phase_times: dict[str, float] | None = None


class _Laps:
    """Seconds since the last lap, added to :data:`phase_times` under a phase's name."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if phase_times is not None:
            phase_times[name] = phase_times.get(name, 0.0) + now - self.last
        self.last = now


def change_iri(sequence: int) -> URIRef:
    return URIRef(f"{CHANGES}{sequence:06d}")


def _build_of(kg: object) -> tuple[Build, Sources | None]:
    build = getattr(kg, "build", None)
    if build is None:
        raise TypeError("changes need a graph opened from its store (KnowledgeGraph.open)")
    return build, getattr(kg, "sources", None)


def latest_store(kg: object) -> Store:
    """The store of the current version (a newer one than ``kg`` opened, if another process
    committed since); in-memory graphs answer with their own store."""
    build = getattr(kg, "build", None)
    if build is None:
        return kg.store  # type: ignore[attr-defined,no-any-return]
    directory, _head = head.current_store_dir(build, getattr(kg, "sources", None))
    own = kg.store  # type: ignore[attr-defined]
    if getattr(own, "directory", None) == directory:
        return own  # type: ignore[no-any-return]
    return _read_only(directory)


def _read_only(directory: Path) -> OxigraphStore:
    """The version in ``directory`` opened read-only, once per process for readers and the
    writer alike (a published version never changes; opening one costs ~10 ms)."""
    with _open_lock:
        found = _open.get(directory)
        if found is None:
            if len(_open) >= 2:  # older versions are closed (RocksDB memory; query workers
                _open.clear()  # run under a memory cap)
            found = _open[directory] = OxigraphStore.open_read_only(directory)
            found.directory = directory  # type: ignore[attr-defined]
        return found


def _etag(store: Store, iri: Node) -> str:
    rows = DOMAIN.select(store, "describe", {"s": iri})
    lines = sorted(f"{to_oxigraph(r['p'])} {to_oxigraph(r['o'])}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:20]


def dataset_etag(kg: object) -> str:
    """The tag of the version of the whole data that ``kg`` reads (``if_match={DATASET: tag}``
    to :func:`commit` fails once anything was committed since)."""
    from amkg.graph import changes_remote

    if changes_remote.is_remote(kg):
        return changes_remote.version_tag(kg.store)  # type: ignore[attr-defined]
    build, _sources = _build_of(kg)
    rows = DOMAIN.select(kg.store, "change-last")  # type: ignore[attr-defined]
    last = rows[0].get("last") if rows else None
    return head.version_tag(build, head.Head(build.fingerprint, "", int(str(last or 0))))


def entity_etag(kg: object, iri: str | Node) -> str:
    """A tag of the entity's current triples (its own statements): it changes with any of
    them. Give it back as ``if_match`` to :func:`commit`."""
    return _etag(latest_store(kg), URIRef(str(iri)))


def _exists(store: ox.Store, triple: Triple) -> bool:
    s, p, o = (to_oxigraph(t) for t in triple)
    pattern = store.quads_for_pattern(s, p, o, ox.DefaultGraph())  # type: ignore[arg-type]
    return next(iter(pattern), None) is not None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _dt(value: datetime.datetime) -> Literal:
    return Literal(value.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)


def describe_change(
    change: Change, sequence: int, started: datetime.datetime, ended: datetime.datetime
) -> tuple[URIRef, Graph, list[Triple]]:
    """The change set's IRI, its description (the named graph of the change) and the triples
    it adds to the data besides the change's own: the source and the citations."""
    iri = change_iri(sequence)
    source = URIRef(f"{iri}/bron")
    agent = URIRef(AGENTS + hashlib.sha256(change.agent.encode("utf-8")).hexdigest()[:16])
    meta = new_graph()
    meta.add((iri, RDF.type, AMKG.ChangeSet))
    meta.add((iri, RDFS.label, Literal(f"Wijziging {sequence}", lang="nl")))
    meta.add((iri, RDFS.label, Literal(f"Change {sequence}", lang="en")))
    meta.add((iri, AMKG.sequence, Literal(sequence)))
    meta.add((iri, URIRef(PROV + "wasAssociatedWith"), agent))
    meta.add((agent, RDF.type, URIRef(PROV + "Agent")))
    meta.add((agent, RDFS.label, Literal(change.agent)))
    meta.add((iri, URIRef(PROV + "startedAtTime"), _dt(started)))
    meta.add((iri, URIRef(PROV + "endedAtTime"), _dt(ended)))
    meta.add((iri, AMKG.reason, Literal(change.reason.strip())))
    meta.add((iri, URIRef(PROV + "used"), source))
    meta.add((iri, AMKG.addedGraph, URIRef(f"{iri}/toegevoegd")))
    meta.add((iri, AMKG.removedGraph, URIRef(f"{iri}/verwijderd")))
    extra: list[Triple] = [
        (source, RDF.type, AMKG.ChangeSource),
        (source, AMKG.changeSet, iri),
        (source, RDFS.label, Literal(f"Bron van wijziging {sequence}", lang="nl")),
        (source, RDFS.label, Literal(f"Source of change {sequence}", lang="en")),
    ]
    src = change.source
    if src.title.strip():
        extra.append((source, URIRef(DCTERMS + "title"), Literal(src.title.strip())))
    if src.date is not None:
        day = Literal(src.date.isoformat(), datatype=XSD.date)
        extra.append((source, URIRef(DCTERMS + "date"), day))
    if src.url:
        extra.append((source, URIRef(SCHEMA + "url"), URIRef(src.url)))
    if src.meeting and src.meeting.strip():
        extra.append((source, AMKG.meeting, Literal(src.meeting.strip())))
    for subject in sorted({t[0] for t in change.added}, key=str):
        extra.append((subject, AMKG.citation, source))
    for triple in extra:
        meta.add(triple)  # the change graph describes its source too (self-contained export)
    return iri, meta, extra


Quad = tuple[Node, Node, Node, Node | None]


def _quads(triples: Iterable[Triple], graph: Node | None) -> list[Quad]:
    return [(s, p, o, graph) for s, p, o in triples]


class _Writer(threading.Thread):
    """Writes the candidate version while the gate validates the change: a checkpoint of the
    base, the change applied, flushed. pyoxigraph releases the GIL for all of it, so this runs
    beside the gate's Python work; nothing points at ``written`` until :func:`head.publish`."""

    def __init__(
        self, base: ox.Store, written: Path, added: list[Quad], removed: list[Quad]
    ) -> None:
        super().__init__(name="amkg-change-writer", daemon=True)
        self.base, self.written, self.added, self.removed = base, written, added, removed
        self.candidate: OxigraphStore | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.base.backup(str(self.written / STORE_DIR))
            candidate = OxigraphStore.open_writable(self.written / STORE_DIR)
            candidate.apply(self.added, self.removed)
            candidate.native.flush()
            self.candidate = candidate
        except BaseException as error:  # handed to the committing thread by result()
            self.error = error
        finally:
            del self.base

    def result(self) -> OxigraphStore:
        """The written candidate (the caller holds its only reference); the writer's error."""
        self.join()
        candidate, self.candidate = self.candidate, None
        if self.error is not None:
            raise self.error
        assert candidate is not None
        return candidate


def _run(
    kg: object,
    change: Change,
    if_match: Mapping[str, str] | None,
    *,
    publish: bool,
    times: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> tuple[Committed | None, list[Violation]]:
    from amkg.graph import changes_remote

    if changes_remote.is_remote(kg):  # a SPARQL server: one update request, see that module
        return changes_remote.run(kg, change, if_match, publish=publish, times=times)
    lap = _Laps()
    check_change(change)
    build, sources = _build_of(kg)
    started = times[0] if times else _now()
    with _locked(build.directory.parent.parent):
        lap("lock")
        current, found = head.current_store_dir(build, sources)
        base_store = _read_only(current)
        base = base_store.native
        for entity, expected in sorted((if_match or {}).items()):
            now = (
                head.version_tag(build, found)
                if entity == DATASET
                else _etag(base_store, URIRef(entity))
            )
            if now != expected:
                raise EditConflict(entity, now, expected)
        added = [t for t in dict.fromkeys(change.added) if not _exists(base, t)]
        removed = [t for t in dict.fromkeys(change.removed) if _exists(base, t)]
        if not added and not removed:
            raise BadChange(
                None,
                "De wijziging verandert niets: alles wat erbij moest stond er al, wat weg moest "
                "stond er niet.",
                "The change changes nothing: what it adds is there already, what it removes "
                "is not.",
            )
        sequence = (found.sequence if found else 0) + 1
        effective = Change(change.agent, change.reason, change.source, tuple(added), tuple(removed))
        ended = times[1] if times else _now()
        iri, meta, extra = describe_change(effective, sequence, started, ended)
        all_added = [*added, *(t for t in extra if not _exists(base, t))]
        lap("check")
        writer = None
        if publish:
            quads = [
                *_quads(all_added, None),
                *_quads(meta, iri),
                *_quads(all_added, URIRef(f"{iri}/toegevoegd")),
                *_quads(removed, URIRef(f"{iri}/verwijderd")),
            ]
            writer = _Writer(
                base, head.new_version_dir(build, sources), quads, _quads(removed, None)
            )
        try:
            memo = (build.fingerprint, effective)  # passed before, nothing it read changed?
            passed = gate_memo.still_passes(memo, gate.answers(base_store))
            results: list[Violation] = []
            report = passed or ""
            if passed is None:
                reads: dict[gate_memo.Read, gate_memo.Answer] = {}
                results, report = gate.check_change(
                    base_store, build.fingerprint, all_added, removed, extra=meta,
                    version=str(current), reads=reads,
                )  # fmt: skip
                if not results and reads:
                    gate_memo.remember(memo, reads, str(iri), report)
            lap("gate")
            refused = gate.blocking(results)
            if refused:
                raise ChangeRejected(refused, report)
            if writer is None:
                return None, results
            candidate = writer.result()
            lap("write")  # what the writer took beyond the gate
            touched = {t[0] for t in [*all_added, *removed]}
            etags = {str(s): _etag(candidate, s) for s in sorted(touched, key=str)}
            etags[DATASET] = head.version_tag(build, head.Head(build.fingerprint, "", sequence))
            del candidate
            head.publish(build, writer.written, sequence, sources)
            lap("publish")
        except BaseException:
            if writer is not None:
                with contextlib.suppress(BaseException):
                    writer.result()  # wait for it: its files are removed next
                head.discard(writer.written)
            raise
    return Committed(str(iri).rsplit("/", 1)[1], str(iri), ended, etags), results


def commit(kg: object, change: Change, *, if_match: dict[str, str] | None = None) -> Committed:
    """Check, validate and commit ``change`` as one change set (all or nothing).

    Raises :class:`BadChange` (bad input), :class:`EditConflict` (an entity of ``if_match``
    changed since its etag was read) or :class:`ChangeRejected` (SHACL violations); in each case
    nothing is written."""
    committed, _results = _run(kg, change, if_match, publish=True)
    assert committed is not None
    return committed


def preview(kg: object, change: Change) -> list[Violation]:
    """What the gate says about ``change`` (violations and warnings), without committing it.
    Bad input still raises :class:`BadChange`."""
    try:
        _committed, results = _run(kg, change, None, publish=False)
    except ChangeRejected as rejected:
        return rejected.violations
    return results


def iri_of(name: str) -> URIRef:
    """``kg:...`` or a full IRI as an IRI of the data."""
    if name.startswith("kg:"):
        return KG[name[3:]]
    return URIRef(name)
