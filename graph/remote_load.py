"""``amkg load --into URL``: check the sources with SHACL, then put them into a remote store.

The data, the shapes and the metadata (prefixes, SHACL report, fingerprint, and a version
marker new per load, by which running apps notice the reload) are written into three *new*
named graphs (``<graph>/loading`` and so on), in batches: Graph Store Protocol ``POST`` where
an endpoint is configured, SPARQL Update ``INSERT DATA`` otherwise. Only when all three are complete
does one update request ``MOVE`` them onto the live graphs (or, where a server refuses that,
drop each live graph and copy the new one in, which is what ``MOVE`` means), so readers see the
old graphs or the new ones, never half. A failure before the swap drops the new
graphs and leaves the live ones as they were; running the load twice leaves the same triples.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from amkg.graph.build import _validate, parse_source
from amkg.graph.load import PREFIXES
from amkg.graph.remote import RemoteQueryError, RemoteStore, StoreUnavailable
from amkg.graph.remote_config import META, nameable
from amkg.graph.report import ValidationReport, report_to_json
from amkg.graph.sources import Sources, fingerprint, scan

#: Lines of N-Triples per request.
BATCH_LINES = 2000
#: Lines per SPARQL Update batch with blank nodes (no Graph Store Protocol): an
#: ``INSERT {..} WHERE {}`` template (see :func:`_insert`), which Virtuoso 7.2 refuses once it
#: compiles to over 10,000 lines of SQL ("SP031"), as 1,500 lines of template did.
BLANK_BATCH_LINES = 500
LOADING = "/loading"
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class LoadFailed(Exception):
    """The load stopped; the message says at which step and that the live graph is unchanged."""


class EditsOnServer(Exception):
    """The server holds change sets made through the app since the last load: loading the
    Turtle over them would lose those edits (nothing was sent)."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"de server heeft {count} wijziging(en) die niet in de Turtle staan; laden zou ze "
            "overschrijven. Exporteer ze eerst (amkg changes export) en laad dan met "
            f"--replace-edits (the server holds {count} change set(s) that are not in the "
            "Turtle; export them first, then load with --replace-edits): nothing was sent"
        )
        self.count = count


class NotConforming(Exception):
    """The sources break SHACL rules: nothing was sent."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"{len(report.violations)} SHACL violations: nothing was loaded")
        self.report = report


@dataclass(frozen=True)
class LoadResult:
    triples: int
    shape_triples: int
    batches: int
    seconds: float
    report: ValidationReport
    method: str


def read_sources(sources: Sources) -> tuple[list[ox.Triple], list[ox.Triple], dict[str, str], str]:
    """The data and shapes triples, the prefixes and the fingerprint of ``sources``."""
    files = scan(sources)
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    data: list[ox.Triple] = []
    shapes: list[ox.Triple] = []
    for index, file in enumerate(files):
        triples = parse_source(Path(file.path), index, prefixes)
        (shapes if file.role == "shapes" else data).extend(triples)
    return data, shapes, prefixes, fingerprint(files)


def _meta_triples(graph: str, **values: str) -> list[ox.Triple]:
    subject = ox.NamedNode(graph)
    return [ox.Triple(subject, ox.NamedNode(META + key), ox.Literal(text)) for key, text in
            values.items()]  # fmt: skip


def load_into(
    store: RemoteStore,
    sources: Sources,
    *,
    batch_lines: int = BATCH_LINES,
    progress: Callable[[str], None] | None = None,
    replace_edits: bool = False,
) -> LoadResult:
    """Check ``sources`` with SHACL, write them into new graphs of ``store`` and swap them in.

    Raises :class:`~amkg.graph.errors.GraphLoadError` for an unreadable file,
    :class:`NotConforming` when SHACL finds violations (nothing is sent),
    :class:`EditsOnServer` when the server holds edits made since the last load and
    ``replace_edits`` is false (nothing is sent; with it, the swap also removes those change
    sets, so the history starts again with the loaded data) and :class:`LoadFailed` when the
    server fails (the live graphs are left as they were)."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    data, shapes, prefixes, print_ = read_sources(sources)
    report = _validate(data, shapes, prefixes)
    if not report.conforms and report.violations:
        raise NotConforming(report)
    config = store.config
    meta = _meta_triples(
        config.graph,
        prefixes=json.dumps(prefixes, sort_keys=True),
        report=json.dumps(report_to_json(report), ensure_ascii=False, sort_keys=True),
        fingerprint=print_,
        loaded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        version=uuid.uuid4().hex,  # new per load: running apps drop what they derived
    )
    targets = [
        (config.graph, data),
        (config.shapes_graph, shapes),
        (config.meta_graph, meta),
    ]
    method = "gsp" if config.gsp_url else "update"
    staged = [(target + LOADING, target, triples) for target, triples in targets]
    step = "reading the change sets on the server"
    sent = 0
    try:
        edits = _change_graphs(store)
        if edits and not replace_edits:
            raise EditsOnServer(len(edits) // 3)
        step = "preparing the new graphs"
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{new}>" for new, _t, _x in staged))
        for new, _target, triples in staged:
            blank_lines = batch_lines if config.gsp_url else min(batch_lines, BLANK_BATCH_LINES)
            batches = ntriples_batches(_booleans_first(triples), batch_lines, blank_lines)
            for number, batch in enumerate(batches, 1):
                step = f"writing batch {number}/{len(batches)} into <{new}>"
                say(step)
                if config.gsp_url:
                    store.gsp_write(new, batch)
                else:
                    store.update(_insert(new, batch))
                sent += 1
        step = "checking the new data graph"
        _check_count(store, staged[0][0], len({(t.subject, t.predicate, t.object) for t in data}))
        step = "swapping the new graphs in"
        say(step)
        _swap(store, [(new, target) for new, target, _x in staged], drop=edits)
    except (StoreUnavailable, RemoteQueryError, LoadFailed) as error:
        with contextlib.suppress(StoreUnavailable, RemoteQueryError):
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{new}>" for new, _t, _x in staged))
        raise LoadFailed(
            f"loading into {config.url} failed while {step}: {error}; "
            f"the graph <{config.graph}> is left as it was"
        ) from None
    return LoadResult(len(data), len(shapes), sent, time.perf_counter() - started, report, method)


def _change_graphs(store: RemoteStore) -> list[str]:
    """The named graphs of the change sets on the server (each change set, its added and its
    removed triples: three per change), checked to be IRIs an update may name."""
    from amkg.graph.changes_remote import change_reader
    from amkg.graph.rq import DOMAIN

    found = []
    for row in DOMAIN.select(change_reader(store), "change-list"):
        for name in ("change", "added", "removed"):
            iri = str(row[name])
            if not nameable(iri):
                raise LoadFailed(f"the server names a change graph {iri!r}, which is no IRI")
            found.append(iri)
    return found


def _swap(store: RemoteStore, pairs: list[tuple[str, str]], drop: list[str]) -> None:
    """Put each new graph in place of its live one, and drop the graphs in ``drop``, in one
    update request: ``MOVE``, or where the server refuses that, what SPARQL 1.1 Update defines
    ``MOVE`` to be (Jena 4.5, Debian's, fails every ``MOVE``/``COPY``/``ADD`` of an existing
    named graph: "Invalid source target").

    Graph names go into the text between ``<`` and ``>``: SPARQL Update has no parameter for
    them. Each was checked first: the configured ones by ``RemoteConfig`` (``nameable``), their
    ``/loading`` twins are those plus a fixed suffix, the change graphs by
    :func:`_change_graphs`."""
    dropped = [f"DROP SILENT GRAPH <{graph}>" for graph in drop]
    try:
        store.update(
            " ;\n".join(
                [*(f"MOVE GRAPH <{new}> TO GRAPH <{target}>" for new, target in pairs), *dropped]
            )
        )
    except RemoteQueryError:
        store.update(
            " ;\n".join(
                [
                    *(
                        f"DROP SILENT GRAPH <{target}> ;\n"
                        f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }}\n"
                        f"WHERE {{ GRAPH <{new}> {{ ?s ?p ?o }} }} ;\n"
                        f"DROP SILENT GRAPH <{new}>"
                        for new, target in pairs
                    ),
                    *dropped,
                ]
            )
        )


def _booleans_first(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with those whose object is an ``xsd:boolean`` first. Virtuoso 7.2 keeps one
    value for ``true`` and ``"P1M"^^xsd:duration`` (both its number 1, typed as whichever it
    stored first): the flags the app reads must win; Virtuoso then reads a duration back as
    ``true`` (its own loss, which no order avoids)."""
    return sorted(triples, key=lambda t: not _is_boolean(t.object))


def _is_boolean(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value == BOOLEAN


def _insert(graph: str, batch: bytes) -> str:
    """The SPARQL Update that adds ``batch`` (N-Triples) to ``graph``: ``INSERT DATA``, or
    ``INSERT {..} WHERE {}`` where :func:`needs_template` says so. The batch
    is pyoxigraph's own N-Triples serialisation of parsed terms (every term escaped as
    N-Triples requires, which SPARQL's grammar reads the same way), and ``graph`` a checked
    name (see :func:`_swap`): no text of a user's is pasted as it was given."""
    text = batch.decode("utf-8")
    if needs_template(text):
        return f"INSERT {{ GRAPH <{graph}> {{\n{text}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}} }}"


def _check_count(store: RemoteStore, graph: str, expected: int) -> None:
    from dataclasses import replace

    from amkg.graph.rq import DOMAIN

    staged = RemoteStore(replace(store.config, graph=graph, retries=1))
    try:
        found = int(str(staged.query(DOMAIN.text("triple-count")).rows[0]["n"]))
    finally:
        staged.close()
    if found != expected:
        raise LoadFailed(f"the new graph holds {found} triples, not {expected}")


def ntriples_batches(
    triples: Iterable[Any], size: int, blank_size: int | None = None
) -> list[bytes]:
    """pyoxigraph triples as N-Triples batches of about ``size`` lines, every blank node's
    triples in one batch (a blank node label is scoped to one request). Triples that must go
    out as ``INSERT {..} WHERE {}`` on the update path (:func:`needs_template`: blank nodes,
    durations) come last, in batches of their own of about ``blank_size`` lines (default
    ``size``): Virtuoso compiles a template to SQL of a length it caps."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    items = list(triples)
    for t in items:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            a, b = find(t.subject.value), find(t.object.value)
            if a != b:
                parent[a] = b
    groups: dict[str, list[str]] = {}
    plain: list[list[str]] = []
    for t in items:
        line = f"{t.subject} {t.predicate} {t.object} .\n"
        anchor = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        if isinstance(anchor, ox.BlankNode):
            groups.setdefault(find(anchor.value), []).append(line)
        elif needs_template(line):
            groups.setdefault(line, []).append(line)
        else:
            plain.append([line])
    return _fill(plain, size) + _fill(list(groups.values()), blank_size or size)


#: Literals Virtuoso 7.2 refuses in ``INSERT DATA`` ("Literal of type xsd:duration can not be
#: created from SQL value of type INTEGER", SR553) and takes in an ``INSERT`` template.
_TEMPLATE_ONLY = ("^^<http://www.w3.org/2001/XMLSchema#duration>",)


def needs_template(ntriples: str) -> bool:
    """Whether N-Triples text must be sent as ``INSERT {..} WHERE {}`` rather than ``INSERT
    DATA``: blank nodes (Virtuoso refuses them in ``INSERT DATA``; in a template they are new
    nodes, one per label, as in the file) or a literal of :data:`_TEMPLATE_ONLY`."""
    return "_:" in ntriples or any(marker in ntriples for marker in _TEMPLATE_ONLY)


def _fill(chunks: list[list[str]], size: int) -> list[bytes]:
    """Whole chunks in batches of about ``size`` lines (a larger chunk is a batch alone)."""
    batches: list[bytes] = []
    current: list[str] = []
    for chunk in chunks:
        if current and len(current) + len(chunk) > size:
            batches.append("".join(current).encode("utf-8"))
            current = []
        current.extend(chunk)
    if current:
        batches.append("".join(current).encode("utf-8"))
    return batches
