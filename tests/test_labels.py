"""A resource's label is the same whether it comes from the whole label index or from the
resource's own query (the path a command takes that names only a few resources)."""

from __future__ import annotations

from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.store import SHAPES_GRAPH


def _fresh(kg: KnowledgeGraph) -> KnowledgeGraph:
    return KnowledgeGraph(kg.store, prefixes=kg.prefixes)


def test_one_resource_at_a_time_gives_the_index_labels(kg: KnowledgeGraph) -> None:
    index = _fresh(kg).label_index
    single = _fresh(kg)
    assert index, "the real graph has labels"
    for iri, labels in index.items():
        assert single.labels(iri) == labels, iri
        for lang in ("nl", "en"):
            assert single.label(iri, lang) == index_label(labels, lang)
    assert "labels" not in single._derived, "naming a resource must not build the whole index"


def index_label(labels: dict[str, str], lang: str) -> str:
    for candidate in (lang, "en" if lang == "nl" else "nl", ""):
        if candidate in labels:
            return labels[candidate]
    return labels[sorted(labels)[0]]


def test_a_resource_without_a_label_is_named_by_its_prefixed_iri(kg: KnowledgeGraph) -> None:
    single = _fresh(kg)
    nameless = URIRef(SHAPES_GRAPH + "#nothing")
    assert single.labels(nameless) == {}
    assert single.label(nameless) == single.prefixed(nameless) == "amkgsh:nothing"
