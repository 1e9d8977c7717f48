"""The knowledge graph as one object: a store, its prefixes, its SHACL report and what is
derived from it (label index, projection, search index), each built once per graph.

Nothing here holds an rdflib graph of the whole data: every read is a query on :attr:`store`
(SPARQL from ``graph/sparql/``) or one of the few named methods below, which are queries too.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from amkg.graph import footprint
from amkg.graph.build import Build, current_build
from amkg.graph.load import PREFIXES, load_shapes
from amkg.graph.naming import Naming
from amkg.graph.report import ValidationReport
from amkg.graph.rq import DOMAIN
from amkg.graph.sources import Sources
from amkg.graph.store import OxigraphStore, RdflibStore, Store

#: Seconds between two looks at a remote store's version marker (see ``KnowledgeGraph._fresh``).
VERSION_CHECK_SECONDS = 5.0
_UNSEEN = object()
T = TypeVar("T")
_LOCAL = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")


class Description:
    """What a resource says about itself: its outgoing links and values, from one query."""

    def __init__(self, iri: Node, pairs: Iterable[tuple[Node, Node]]) -> None:
        self.iri = iri
        self._by_predicate: dict[Node, list[Node]] = {}
        for predicate, value in pairs:
            self._by_predicate.setdefault(predicate, []).append(value)

    def objects(self, predicate: Node) -> list[Node]:
        """The values of ``predicate``, in a stable order."""
        return sorted(self._by_predicate.get(predicate, []), key=str)

    def value(self, predicate: Node) -> Node | None:
        values = self.objects(predicate)
        return values[0] if values else None

    def predicates(self) -> list[Node]:
        return sorted(self._by_predicate, key=str)

    def pairs(self) -> list[tuple[Node, Node]]:
        return [(p, o) for p in self.predicates() for o in self.objects(p)]

    @property
    def types(self) -> list[Node]:
        return self.objects(RDF.type)

    def __bool__(self) -> bool:
        return bool(self._by_predicate)


class KnowledgeGraph(Naming):
    """The graph behind one store. Open it with :meth:`open` (the on-disk store of the sources,
    built first if out of date) or :meth:`from_graph` (an in-memory store, for tests)."""

    def __init__(
        self,
        store: Store,
        *,
        prefixes: Mapping[str, str] | None = None,
        report: ValidationReport | Callable[[], ValidationReport] | None = None,
        sources: Sources | None = None,
        build: Build | None = None,
    ) -> None:
        self.store = store
        self.prefixes: dict[str, str] = {n: str(ns) for n, ns in PREFIXES.items()}
        self.prefixes.update(prefixes or {})
        self._report = report
        self.sources = sources
        self.build = build
        self._derived: dict[str, Any] = {}
        self._reads: dict[str, footprint.Reads] = {}  # what each derived value read
        # see inherit: a value of an older version, what it read, and the change since then
        self._older: dict[str, tuple[Any, footprint.Reads, footprint.Delta]] = {}
        self._answers: dict[footprint.QueryKey, int] = {}
        self._single_labels: dict[Node, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.RLock] = {}
        self.version_check_seconds = VERSION_CHECK_SECONDS
        self._version: object = _UNSEEN
        self._version_checked = 0.0

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        ontology_dir: str | os.PathLike[str] | None = None,
        engine: str = "oxigraph",
        *,
        store: str | os.PathLike[str] | None = None,
        on_rebuild: Callable[[str], None] | None = None,
        store_url: str | None = None,
    ) -> KnowledgeGraph:
        """The graph of ``data_dir`` and ``ontology_dir`` (defaults: ``$AMKG_DATA_DIR`` or
        ``graph/data``, and ``ontology/``) from its store under ``store`` (default: see
        :func:`amkg.graph.build.default_root`), built first when the sources changed.
        Raises :class:`~amkg.graph.errors.GraphLoadError` for a file that cannot be read.
        With ``store_url`` (else ``$AMKG_STORE_URL``) the graph is the one loaded into that
        SPARQL server instead (:meth:`remote`; the sources are not read)."""
        store_url = store_url or os.environ.get("AMKG_STORE_URL")
        if store_url:
            return cls.remote(store_url)
        sources = Sources.resolve(data_dir, ontology_dir)
        built = current_build(
            sources, Path(store) if store is not None else None, on_rebuild=on_rebuild
        )
        from amkg.graph.backup import rebase, stale_head
        from amkg.graph.head import current_store_dir

        if engine == "oxigraph" and stale_head(built, sources) is not None:
            # The Turtle changed since the graph was edited: replay the edits on the new build.
            deck = OxigraphStore.open_read_only(built.store_dir)
            rebase(cls(deck, prefixes=built.prefixes, sources=sources, build=built), on_rebuild)
        store_dir, _head = current_store_dir(built, sources)  # the latest edited version, if any
        if engine == "oxigraph":
            backend: Store = OxigraphStore.open_read_only(store_dir)
            backend.directory = store_dir  # type: ignore[attr-defined]  # graph/changes.py
        elif engine == "rdflib":
            backend = RdflibStore(_rdflib_copy(built))
        else:
            raise ValueError(f"unknown query engine {engine!r}; choose oxigraph or rdflib")
        return cls(
            backend, prefixes=built.prefixes, report=built.report, sources=sources, build=built
        )

    load = open  # the older name

    @classmethod
    def remote(cls, url: str | Any, **settings: Any) -> KnowledgeGraph:
        """The graph that ``amkg load --into`` put into the SPARQL server at ``url`` (its query
        endpoint; ``settings`` are :class:`~amkg.graph.remote_config.RemoteConfig` fields, or
        ``url`` is a whole config). Prefixes and the SHACL report are read from the server's
        metadata graph on first use, so an unreachable server does not stop the app from
        starting."""
        from amkg.graph.remote import RemoteStore
        from amkg.graph.remote_config import RemoteConfig, config_from_env

        config = url if isinstance(url, RemoteConfig) else config_from_env(url, **settings)
        backend = RemoteStore(config.with_auth_from_env())
        return cls(backend, prefixes=_remote_prefixes(backend), report=backend.report)

    @classmethod
    def from_graph(
        cls, graph: Graph, shapes: Graph | None = None, engine: str = "oxigraph"
    ) -> KnowledgeGraph:
        """An in-memory graph (tests, the synthetic benchmark); its SHACL report is computed
        on first use against ``shapes`` (default: the project's shapes)."""

        def report() -> ValidationReport:
            from amkg.graph.paths import shapes_files
            from amkg.graph.validate import validate_graph

            return validate_graph(
                graph, shapes if shapes is not None else load_shapes(*shapes_files())
            )

        backend: Store = (
            OxigraphStore.from_graph(graph, shapes) if engine == "oxigraph" else RdflibStore(graph)
        )
        prefixes = {p: str(ns) for p, ns in graph.namespaces() if p}
        return cls(backend, prefixes=prefixes, report=report)

    # --- derived data, built once per graph ---------------------------------------------------

    def derived(
        self,
        key: str,
        make: Callable[[], T],
        update: Callable[[T, footprint.Delta], T] | None = None,
    ) -> T:
        """``make()`` for this graph, computed once (the label index, the projection, the
        search index: whatever a layer derives from the graph hangs here); again after a
        remote store was reloaded (:meth:`_fresh`). What ``make`` reads is recorded
        (:mod:`amkg.graph.footprint`), so that the next version can keep the value when a
        change did not alter it (:meth:`inherit`). ``update(older value, change)``, where
        given, makes the value from the previous version's and the change between the two
        (it must give what ``make`` would: an index kept up for the subjects that changed)."""
        self._fresh()
        cache = self._derived
        if key in cache:
            return self._used(key, cast(T, cache[key]))
        with self._lock:  # one lock per key: a slow one does not hold up the others
            lock = self._key_locks.setdefault(key, threading.RLock())
        with lock:
            cache = self._derived
            if key in cache:
                return self._used(key, cast(T, cache[key]))
            older = self._older.pop(key, None)
            if older is not None and update is not None:
                before, read, change = older
                value = update(cast(T, before), change)
                footprint.note_reads(read)
            elif older is not None and footprint.answers_again(self._ask, older[1]):
                value, read, _change = older
                footprint.note_reads(read)  # for a value being built around this one
            else:
                with footprint.recording() as read:  # recorded into those around it too
                    value = make()
            self._reads[key] = read  # before the value: whoever sees one sees both
            cache[key] = value
            return value

    def waiting(self, prefix: str = "") -> list[str]:
        """The keys (starting with ``prefix``) the previous version derived and this one will
        make again or take over on first use (:meth:`inherit`): what is worth computing ahead
        of the requests."""
        return sorted(k for k in list(self._older) if k.startswith(prefix))

    def _used(self, key: str, value: T) -> T:
        if footprint.active():  # a value derived from this one read what this one read
            footprint.note_reads(self._reads.get(key) or footprint.Reads(complete=False))
        return value

    def _ask(self, key: footprint.QueryKey) -> int:
        """The digest of this graph's answer to a recorded query (asked once per graph)."""
        found = self._answers.get(key)
        if found is None:
            sparql, bindings = key
            found = self._answers[key] = footprint.digest(self.store.query(sparql, dict(bindings)))
        return found

    def inherit(self, older: KnowledgeGraph, delta: footprint.Delta | None) -> list[str]:
        """Take over what ``older`` (the previous version of this graph) derived: at once
        where the change ``delta`` between the two cannot have touched what it read, else on
        first use if every query it ran still gets the same answer. ``None`` (the change is not
        known) takes over nothing. Returns the keys taken over at once."""
        if delta is None:
            return []
        kept = []
        for key, value in list(older._derived.items()):
            read = older._reads.get(key)
            if read is None or key in self._derived:
                continue
            if read.footprint.touched_by(delta):  # on first use: updated, or asked again
                self._older[key] = (value, read, delta)
                continue
            self._reads[key] = read
            self._derived[key] = value
            kept.append(key)
        for key, (value, read, before) in list(older._older.items()):  # not asked for there
            if key not in self._derived and key not in self._older:
                self._older[key] = (
                    value,
                    read,
                    footprint.Delta(before.triples | delta.triples, before.graphs | delta.graphs),
                )
        return sorted(kept)

    def _fresh(self) -> None:
        """Forget what was derived (and the prefixes) once the data of a remote store changed
        under the app: ``amkg load --into`` writes a new version marker with every load, read
        here at most every :attr:`version_check_seconds` (an embedded store has none: its
        versions are new stores, see :mod:`amkg.graph.history`)."""
        read = getattr(self.store, "data_version", None)
        now = time.monotonic()
        if read is None or now - self._version_checked < self.version_check_seconds:
            return
        self._version_checked = now
        from amkg.graph.remote import RemoteQueryError, StoreUnavailable

        try:
            version = read()
        except (StoreUnavailable, RemoteQueryError):
            return  # the pages say the store is unavailable; keep what was derived
        if self._version is not _UNSEEN and version != self._version:
            self._reads = {}
            self._derived = {}
            self._single_labels = {}
            self.prefixes = {n: str(ns) for n, ns in PREFIXES.items()}
            self.prefixes.update(_remote_prefixes(self.store))
        self._version = version

    @property
    def report(self) -> ValidationReport:
        """The SHACL report (written by the build; computed on first use for an in-memory graph)."""
        source = self._report
        if source is None:
            raise LookupError("no SHACL report for this graph")
        if isinstance(source, ValidationReport):
            return source
        return self.derived("shacl-report", source)

    def shapes_triples(self) -> int:
        from amkg.graph.store import SHAPES_GRAPH

        rows = self.store.query(DOMAIN.text("shape-count"), {"g": URIRef(SHAPES_GRAPH)}).rows
        return int(str(rows[0]["n"])) if rows else 0

    # --- names --------------------------------------------------------------------------------

    def prefixed(self, iri: Node) -> str:
        """``kg:spoor-3`` for a known namespace, else the full IRI; literals as their text."""
        if not isinstance(iri, URIRef):
            return str(iri)
        text = str(iri)
        best = ""
        for prefix, namespace in self.prefixes.items():
            if text.startswith(namespace) and len(namespace) > len(self.prefixes.get(best, "")):
                local = text[len(namespace) :]
                if local == "" or _LOCAL.match(local):
                    best = prefix
        if not best:
            return text
        return f"{best}:{text[len(self.prefixes[best]) :]}"

    def expand(self, name: str) -> URIRef | None:
        """The IRI of a prefixed name with a known prefix (``kg:spoor-3``), else ``None``."""
        prefix, colon, local = name.partition(":")
        if not colon or prefix not in self.prefixes or local.startswith("//"):
            return None
        return URIRef(self.prefixes[prefix] + local)

    # --- a few named reads --------------------------------------------------------------------

    def describe(self, iri: Node) -> Description:
        """What ``iri`` says: its outgoing links and values."""
        rows = DOMAIN.select(self.store, "describe", {"s": iri})
        return Description(iri, ((r["p"], r["o"]) for r in rows))

    def incoming(self, iri: Node) -> list[tuple[Node, Node]]:
        """(subject, predicate) of every triple whose object is ``iri``."""
        rows = DOMAIN.select(self.store, "incoming", {"o": iri})
        return sorted(((r["s"], r["p"]) for r in rows), key=lambda sp: (str(sp[1]), str(sp[0])))

    def has_resource(self, iri: Node) -> bool:
        """Whether any triple mentions ``iri`` as subject or object."""
        return DOMAIN.ask(self.store, "has-resource", {"s": iri})

    def has_type(self, iri: Node) -> bool:
        """Whether ``iri`` has any ``rdf:type``."""
        return DOMAIN.ask(self.store, "has-type", {"s": iri})

    def instances(self, cls: Node) -> list[Node]:
        """The instances of ``cls`` or of its subclasses, in a stable order (the deck's
        resources: change sets and their sources are :mod:`amkg.graph.history`'s)."""
        rows = DOMAIN.select(self.store, "instances", {"cls": cls})
        return sorted({r["s"] for r in rows}, key=str)

    def triple_count(self) -> int:
        return self.store.triple_count()

    def __len__(self) -> int:
        return self.triple_count()

    def __repr__(self) -> str:
        where = self.sources.data_dir if self.sources else "memory"
        return f"<KnowledgeGraph {self.store.name} from {where}>"


def _rdflib_copy(built: Build) -> Graph:
    """The build's default graph in rdflib (the reference engine only; store layer)."""
    from amkg.graph.load import new_graph

    store = OxigraphStore.open_read_only(built.store_dir)
    graph = new_graph()
    graph.parse(data=store.dump().decode("utf-8"), format="nt")
    return graph


def _remote_prefixes(store: Any) -> dict[str, str]:
    """The prefixes the load stored, or none when the server cannot say (the defaults stay)."""
    from amkg.graph.remote import RemoteQueryError, StoreUnavailable

    try:
        return dict(store.prefixes())
    except (StoreUnavailable, RemoteQueryError):
        return {}
