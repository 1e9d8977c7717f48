"""What resources are called: the label index and the naming values of every resource, as a
part of :class:`~amkg.graph.kg.KnowledgeGraph`.

The change apparatus (change sets and their sources, under ``https://w3id.org/amkg/wijziging/``,
:mod:`amkg.graph.changes`) has an index of its own: every accepted edit adds a source with its
labels and title, and so does not make the index of the deck's resources, and everything derived
from it (the trace network, search, ...), be built again (:mod:`amkg.graph.footprint`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from amkg.graph import footprint
from amkg.graph.rq import DOMAIN
from amkg.graph.store import Store

LANGUAGES = ("nl", "en")
#: Where the change sets and their sources live (``graph/changes.py``; ``labels.rq`` and
#: ``change-labels.rq`` split the label index there).
CHANGE_APPARATUS = "https://w3id.org/amkg/wijziging/"
T = TypeVar("T")
LabelValues = dict[Node, dict[Node, list[Literal]]]


def _is_change(iri: Node) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(CHANGE_APPARATUS)


class Naming:
    """Labels and naming values; mixed into :class:`~amkg.graph.kg.KnowledgeGraph`, whose
    ``store``, ``derived``, ``prefixed`` and memo of single labels it uses."""

    store: Store
    _derived: dict[str, Any]
    _older: dict[str, Any]
    _single_labels: dict[Node, dict[str, str]]

    def derived(
        self, key: str, make: Callable[[], T], update: Callable[[T, Any], T] | None = None
    ) -> T:  # pragma: no cover - see kg
        raise NotImplementedError

    def _fresh(self) -> None:  # pragma: no cover - see kg
        raise NotImplementedError

    def _used(self, key: str, value: T) -> T:  # pragma: no cover - see kg
        raise NotImplementedError

    def prefixed(self, iri: Node) -> str:  # pragma: no cover - see kg
        raise NotImplementedError

    @property
    def label_values(self) -> LabelValues:
        """Every resource's naming values by predicate (``rdfs:label``, ``skos:prefLabel``,
        ``skos:altLabel``, ``dcterms:title``, ``skos:notation``), sorted: the deck's resources
        and the change apparatus together."""

        def both() -> LabelValues:
            return {**self._deck_values, **self._changes}

        return self.derived("label-values-all", both, lambda _older, _change: both())

    @property
    def _deck_values(self) -> LabelValues:
        return self.derived("label-values", lambda: self._read_values("labels"))

    @property
    def _changes(self) -> LabelValues:
        return self.derived(
            "change-label-values", lambda: self._read_values("change-labels"), self._update_changes
        )

    def _update_changes(self, older: LabelValues, change: footprint.Delta) -> LabelValues:
        """The change apparatus's naming values after ``change``: those of the subjects it
        touched read again (each edit adds a source and a citation; reading them all again
        took longer than the rest of a new version)."""
        touched = {s for s, _p, _o in change.triples if _is_change(s)}
        return footprint.reread(
            older, touched, lambda s: self._read_values("change-labels", {"s": s})
        )

    def _read_values(self, query: str, bindings: dict[str, Node] | None = None) -> LabelValues:
        index: LabelValues = {}
        for row in DOMAIN.select(self.store, query, bindings):
            label = row["label"]
            if isinstance(label, Literal):
                index.setdefault(row["s"], {}).setdefault(row["p"], []).append(label)
        for by_predicate in index.values():
            for values in by_predicate.values():
                values.sort(key=str)
        return index

    def values(self, iri: Node, predicate: Node) -> list[Literal]:
        """The naming values of ``iri`` for one of the label predicates (sorted)."""
        index = self._changes if _is_change(iri) else self._deck_values
        return list(index.get(iri, {}).get(predicate, []))

    @property
    def label_index(self) -> dict[Node, dict[str, str]]:
        """Every resource of the deck's label per language: ``rdfs:label``, else
        ``skos:prefLabel``; per language the smallest string wins. (The change apparatus:
        :meth:`labels`.)"""
        return self.derived("labels", lambda: _label_index(self._deck_values))

    def labels(self, iri: Node) -> dict[str, str]:
        """The resource's label per language (see :attr:`label_index`). Until something has
        built the whole index, one bound query per resource (memoised): a command that names a
        few resources of a large graph does not read all its labels."""
        self._fresh()
        if _is_change(iri):

            def index() -> dict[Node, dict[str, str]]:
                return _label_index(self._changes)

            changes = self.derived("change-labels", index, lambda _older, _change: index())
            return dict(changes.get(iri, {}))
        built = self._derived.get("labels")
        if built is None and "labels" in self._older:  # the previous version's, if it holds
            built = self.label_index
        if built is not None:
            return dict(self._used("labels", built).get(iri, {}))
        found = None if footprint.active() else self._single_labels.get(iri)  # recorded: ask
        if found is None:
            found = self._labels_of(iri)
            self._single_labels[iri] = found
        return dict(found)

    def _labels_of(self, iri: Node) -> dict[str, str]:
        """What :meth:`_label_index` gives ``iri``, from its own naming values only."""
        by_predicate: dict[Node, list[Literal]] = {}
        for row in DOMAIN.select(self.store, "labels-of", {"s": iri}):
            label = row["label"]
            if isinstance(label, Literal):
                by_predicate.setdefault(row["p"], []).append(label)
        return _languages(by_predicate)

    def label(self, iri: Node, lang: str = "nl") -> str:
        """The label in ``lang``, else in the other language, else any, else the prefixed IRI."""
        found = self.labels(iri)
        for candidate in (lang, *(x for x in LANGUAGES if x != lang), ""):
            if candidate in found:
                return found[candidate]
        if found:
            return found[sorted(found)[0]]
        return self.prefixed(iri)


def _languages(by_predicate: dict[Node, list[Literal]]) -> dict[str, str]:
    values = sorted(by_predicate.get(RDFS.label) or by_predicate.get(SKOS.prefLabel) or [], key=str)
    found: dict[str, str] = {}
    for value in values:
        found.setdefault(value.language or "", str(value))
    return found


def _label_index(values: LabelValues) -> dict[Node, dict[str, str]]:
    index: dict[Node, dict[str, str]] = {}
    for node, by_predicate in values.items():
        found = _languages(by_predicate)
        if found:
            index[node] = found
    return index
