"""Name resolution for the tracer: :func:`resolve` turns a name into an :class:`Entity`.

A name is a full IRI (bare or in ``<>``), a prefixed name (``kg:spoor-1``), a bare ``kg:``
local name (``spoor-1``) or an unambiguous ``rdfs:label``/``skos:altLabel`` in Dutch or English
(case-insensitive, white space folded). A name that matches nothing raises
:class:`EntityNotFound` with close matches as suggestions; one that matches several entities
raises :class:`AmbiguousName`.
"""

from __future__ import annotations

import difflib
import re

from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG
from amkg.graph.trace_network import Network, network
from amkg.graph.trace_types import AmbiguousName, Entity, EntityNotFound, fold, sort_key

_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")


def _suggestions(net: Network, name: str, limit: int = 5) -> list[Entity]:
    """Labels that contain every word of ``name``, then close matches of labels and ids."""
    key = fold(name)
    words = key.replace(":", " ").split()
    hits = [
        iri
        for label, iris in sorted(net.by_label.items(), key=lambda kv: len(kv[0]))
        if words and all(w in label for w in words)
        for iri in sorted(iris)
    ]
    for label in difflib.get_close_matches(key, list(net.by_label), n=limit, cutoff=0.6):
        hits += sorted(net.by_label[label])
    ids = {fold(e.id.split(":", 1)[-1]): e.iri for e in net.entities.values()}
    hits += [
        ids[k]
        for k in difflib.get_close_matches(key.split(":", 1)[-1], list(ids), n=limit, cutoff=0.7)
    ]
    return [net.entities[iri] for iri in dict.fromkeys(hits)][:limit]


def _as_iri(kg: KnowledgeGraph, text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if re.match(r"^(https?|urn|file):", text):
        return text
    match = _PREFIXED.match(text)
    if match:
        expanded = kg.expand(text)
        return str(expanded) if expanded is not None else None
    return None


def resolve(kg: KnowledgeGraph, name: str) -> Entity:
    """The entity ``name`` denotes; raises :class:`EntityNotFound` or :class:`AmbiguousName`."""
    net = network(kg)
    text = name.strip()
    iri = _as_iri(kg, text) if text else None
    if iri is not None:
        if iri in net.entities:
            return net.entities[iri]
        known = bool(kg.describe(URIRef(iri)))
        raise EntityNotFound(name, _suggestions(net, text), "not_entity" if known else "no_iri")
    matches = sorted((net.entities[i] for i in net.by_label.get(fold(text), ())), key=sort_key)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(name, matches)
    if re.fullmatch(r"[\w.-]+", text) and str(KG) + text in net.entities:
        return net.entities[str(KG) + text]  # a bare kg: local name
    raise EntityNotFound(name, _suggestions(net, text), "no_match")
