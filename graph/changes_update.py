"""A SPARQL 1.1 Update as a change (issue 11): what the update adds to and removes from the
default graph, worked out on an in-memory copy of the data the graph reads (embedded, or the
data graph of a remote store), then committed through the gate like any other change.

The one home of this: ``/sparql`` updates (:mod:`amkg.webui.sparql_update`), the Graph Store
Protocol (:mod:`amkg.webui.graph_store`: :func:`sorted_triples`) and scripts
(:func:`commit_update`). Updates that name graphs or load documents are refused first
(``changes_checks.check_update_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from amkg.graph.changes import commit
from amkg.graph.changes_checks import check_update_text
from amkg.graph.changes_remote import current_default_graph
from amkg.graph.changes_types import BadChange, Change, ChangeSource, Committed, Triple
from amkg.graph.terms import from_oxigraph_raw

__all__ = ["commit_update", "sorted_triples", "update_delta"]


def sorted_triples(quads: Iterable[ox.Quad]) -> tuple[Triple, ...]:
    """The triples of ``quads`` as rdflib terms, in a stable order."""
    found = [
        (from_oxigraph_raw(q.subject), from_oxigraph_raw(q.predicate), from_oxigraph_raw(q.object))
        for q in quads
    ]
    return tuple(sorted(found, key=lambda t: tuple(map(str, t))))


def _default_graph(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def update_delta(kg: object, text: str) -> tuple[tuple[Triple, ...], tuple[Triple, ...]]:
    """What the SPARQL update ``text`` would add to and remove from the default graph ``kg``
    reads: (added, removed), computed on an in-memory copy (nothing is written). Raises
    :class:`BadChange` for an update that names a graph, loads a document or does not run."""
    check_update_text(text)
    memory = ox.Store()
    memory.bulk_extend(_default_graph(current_default_graph(kg)))
    before = _default_graph(memory)
    try:
        memory.update(text)
    except (SyntaxError, ValueError, OSError) as error:
        raise BadChange(
            "update",
            f"De SPARQL-update kan niet worden uitgevoerd: {error}",
            f"The SPARQL update cannot be run: {error}",
        ) from error
    after = _default_graph(memory)
    return sorted_triples(after - before), sorted_triples(before - after)


def commit_update(
    kg: object,
    sparql_update: str,
    *,
    agent: str,
    reason: str,
    source: ChangeSource,
    if_match: Mapping[str, str] | None = None,
) -> Committed:
    """Commit what ``sparql_update`` changes in the default graph as one change set (the gate,
    the role-free core: ``changes.commit``)."""
    added, removed = update_delta(kg, sparql_update)
    change = Change(agent=agent, reason=reason, source=source, added=added, removed=removed)
    return commit(kg, change, if_match=dict(if_match) if if_match else None)
