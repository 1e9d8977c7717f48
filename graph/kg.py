"""The knowledge graph as one object: the rdflib graph, its shapes, a query store and labels."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from amkg.graph import paths
from amkg.graph.load import load_graph, load_shapes
from amkg.graph.store import Store, open_store

LANGUAGES = ("nl", "en")


class KnowledgeGraph:
    """The ontology and the data in one rdflib graph, with the SHACL shapes beside it.

    The query store and the shapes are built on first use: ``amkg export`` needs neither.
    """

    def __init__(
        self,
        graph: Graph,
        *,
        shapes_path: Path = paths.SHAPES_PATH,
        engine: str = "oxigraph",
        data_dir: Path | None = None,
        ontology_dir: Path | None = None,
    ) -> None:
        self.graph = graph
        self.shapes_path = shapes_path
        self.engine = engine
        self.data_dir = data_dir
        self.ontology_dir = ontology_dir

    @classmethod
    def load(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        ontology_dir: str | os.PathLike[str] | None = None,
        engine: str = "oxigraph",
    ) -> KnowledgeGraph:
        """Load ``ontology_dir`` (default ``ontology/``) and ``data_dir`` (default: ``--data-dir``
        / ``$AMKG_DATA_DIR`` / ``graph/data``). Raises :class:`~graph.errors.GraphLoadError`."""
        resolved_data = paths.resolve_data_dir(data_dir)
        resolved_ontology = Path(ontology_dir) if ontology_dir is not None else paths.ONTOLOGY_DIR
        graph = load_graph(paths.ontology_files(resolved_ontology), paths.data_files(resolved_data))
        return cls(
            graph,
            shapes_path=paths.shapes_file(resolved_ontology),
            engine=engine,
            data_dir=resolved_data,
            ontology_dir=resolved_ontology,
        )

    @functools.cached_property
    def shapes(self) -> Graph:
        """The SHACL shapes (``ontology/shapes.ttl``), parsed on first use."""
        extra = [p for p in paths.shapes_files(self.shapes_path.parent) if p != self.shapes_path]
        return load_shapes(self.shapes_path, *extra)

    @functools.cached_property
    def store(self) -> Store:
        """A query store of the default engine over :attr:`graph`, built on first use."""
        return open_store(self.graph, self.engine)

    def prefixed(self, iri: Node) -> str:
        """``kg:spoor-3`` for a known namespace, else the full IRI; literals as their text."""
        if isinstance(iri, URIRef):
            try:
                prefix, _, local = self.graph.namespace_manager.compute_qname(
                    str(iri), generate=False
                )
            except (KeyError, ValueError):
                return str(iri)
            return f"{prefix}:{local}" if prefix else str(iri)
        return str(iri)

    def labels(self, iri: Node) -> dict[str, str]:
        """The resource's ``rdfs:label`` per language (one per language, the smallest wins)."""
        found: dict[str, str] = {}
        for predicate in (RDFS.label, SKOS.prefLabel):
            for value in sorted(self.graph.objects(iri, predicate), key=str):
                if isinstance(value, Literal):
                    found.setdefault(value.language or "", str(value))
            if found:
                break
        return found

    def label(self, iri: Node, lang: str = "nl") -> str:
        """The label in ``lang``, else in the other language, else any, else the prefixed IRI."""
        found = self.labels(iri)
        for candidate in (lang, *(x for x in LANGUAGES if x != lang), ""):
            if candidate in found:
                return found[candidate]
        if found:
            return found[sorted(found)[0]]
        return self.prefixed(iri)

    def __len__(self) -> int:
        return len(self.graph)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self.graph)} triples from {self.data_dir}>"


@functools.cache
def default_kg() -> KnowledgeGraph:
    """The knowledge graph of this checkout (or of ``$AMKG_DATA_DIR``), loaded once."""
    return KnowledgeGraph.load()
