"""Change sets as a file and back (issue 11): :func:`export_changes` writes every change set as
TriG (one graph per change set, PROV-O, and its added and removed triples in two more graphs),
byte-stable; :func:`replay` commits them, in order and with their own agents, reasons, sources
and times, onto another graph (a fresh deck build gives the same state; ``amkg backup`` and
``amkg rebase`` use both when the Turtle changed under the edits).
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from amkg.graph.changes import CHANGES, DCTERMS, PROV, SCHEMA, _run, latest_store
from amkg.graph.changes_remote import memory_dataset
from amkg.graph.changes_types import (
    BadChange,
    Change,
    ChangeRejected,
    ChangeSource,
    Committed,
    EditConflict,
    Triple,
)
from amkg.graph.history import _date, _time, changes
from amkg.graph.load import AMKG
from amkg.graph.remote import RemoteStore
from amkg.graph.store import OxigraphStore
from amkg.graph.terms import from_oxigraph_raw

__all__ = ["export_changes", "replay"]


_HEADER = """# Change sets of the Arbeidsmigratie Kennisgraaf (amkg changes export): TriG, one graph
# per change set (PROV-O), its added and removed triples in two more graphs. Replay with
# `amkg changes replay FILE`.
"""


def export_changes(kg: object) -> str:
    """Every change set as TriG (Turtle's syntax for named graphs): the change graphs in order,
    each followed by its added and removed triples, each graph's lines sorted. Byte-stable."""
    store = latest_store(kg)
    if isinstance(store, RemoteStore):  # the server's change sets, copied into memory
        store = OxigraphStore(memory_dataset(store))
    assert isinstance(store, OxigraphStore)
    native = store.native
    parts = [_HEADER]
    for change in changes(store):
        for name in (change.iri, f"{change.iri}/toegevoegd", f"{change.iri}/verwijderd"):
            graph = ox.NamedNode(name)
            lines = sorted(
                f"    {q.subject} {q.predicate} {q.object} ."
                for q in native.quads_for_pattern(None, None, None, graph)
            )
            parts.append(f"<{name}> {{\n" + "\n".join(lines) + ("\n" if lines else "") + "}\n")
    return "\n".join(parts)


def _read_export(text: str) -> dict[str, list[Triple]]:
    graphs: dict[str, list[Triple]] = {}
    try:
        for quad in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TRIG):
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            graphs.setdefault(name, []).append(
                (
                    from_oxigraph_raw(quad.subject),
                    from_oxigraph_raw(quad.predicate),
                    from_oxigraph_raw(quad.object),
                )
            )
    except SyntaxError as error:
        raise BadChange(
            "file",
            f"Het bestand is geen geldige export van wijzigingen: {error}",
            f"The file is not a valid export of change sets: {error}",
        ) from error
    return graphs


def _value(triples: list[Triple], subject: Node | None, predicate: Node) -> Node | None:
    for s, p, o in triples:
        if s == subject and p == predicate:
            return o
    return None


def replay(
    kg: object,
    text: str,
    *,
    on_failure: Callable[[str, Exception], None] | None = None,
) -> list[Committed]:
    """Commit the change sets of an :func:`export_changes` text onto ``kg``'s current version,
    in order, each with its own agent, reason, source and times. A change set that no longer
    passes (refused by the gate, or a conflict) is handed to ``on_failure`` (change id, error)
    and skipped; the others go on."""
    graphs = _read_export(text)
    found = []
    for name, triples in graphs.items():
        if name.startswith(CHANGES) and "/" not in name[len(CHANGES) :]:
            sequence = _value(triples, URIRef(name), AMKG.sequence)
            found.append((int(str(sequence)) if sequence is not None else 0, name))
    done = []
    for _sequence, name in sorted(found):
        meta = graphs[name]
        iri = URIRef(name)
        source_iri = _value(meta, iri, URIRef(PROV + "used"))
        agent = _value(meta, iri, URIRef(PROV + "wasAssociatedWith"))
        agent_name = _value(meta, agent, RDFS.label) if agent is not None else None
        url = _value(meta, source_iri, URIRef(SCHEMA + "url")) if source_iri else None
        meeting = _value(meta, source_iri, AMKG.meeting) if source_iri else None
        source = ChangeSource(
            title=str(_value(meta, source_iri, URIRef(DCTERMS + "title")) or ""),
            date=_date(_value(meta, source_iri, URIRef(DCTERMS + "date"))),
            url=str(url) if url is not None else None,
            meeting=str(meeting) if meeting is not None else None,
        )

        def own(triple: Triple, source: Node | None = source_iri) -> bool:
            """Not one of the triples a commit adds by itself (the source, the citations)."""
            return triple[0] != source and not (triple[1] == AMKG.citation and triple[2] == source)

        change = Change(
            agent=str(agent_name or ""),
            reason=str(_value(meta, iri, AMKG.reason) or ""),
            source=source,
            added=tuple(t for t in graphs.get(f"{name}/toegevoegd", []) if own(t)),
            removed=tuple(graphs.get(f"{name}/verwijderd", [])),
        )
        times = (
            _time(_value(meta, iri, URIRef(PROV + "startedAtTime")) or Literal("")),
            _time(_value(meta, iri, URIRef(PROV + "endedAtTime")) or Literal("")),
        )
        try:
            committed, _results = _run(kg, change, None, publish=True, times=times)
        except (BadChange, ChangeRejected, EditConflict) as error:
            if on_failure is not None:
                on_failure(name.rsplit("/", 1)[1], error)
            continue
        assert committed is not None
        done.append(committed)
    return done
