"""A synthetic knowledge graph of about ``size`` triples, in the project's own model.

The ontology is loaded once; the data (``graph/data`` or another directory) is copied as many
times as it takes to reach ``size`` triples. Copy 0 keeps the real IRIs, so every catalogue
query's default parameters (``kg:spoor-3``, ...) still resolve; copy ``k`` renames every
``kg:`` resource to ``kg:<name>--k`` and adds `` (k)`` to its labels. A seeded share of the
links (``REWIRE``) points to the same resource in another copy, so trajectories, tracks,
measures, observations and citations form one connected graph and the queries that follow
links (neighbourhoods, cross-references, reified statements) have real work to do.

    >>> graph = synthetic_graph(100_000, seed=1)   # about 104k triples
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG, load_graph
from amkg.graph.paths import data_files, ontology_files

#: The share of links to a ``kg:`` resource that point into another copy.
REWIRE = 0.05
_LABELS = (RDFS.label, SKOS.altLabel)
_KG = str(KG)


def _copies(size: int, ontology: int, data: int) -> int:
    return max(1, math.ceil((size - ontology) / max(1, data) - 0.5))


def synthetic_graph(size: int = 100_000, seed: int = 1, data_dir: Path | None = None) -> Graph:
    """The ontology plus enough renamed, cross-linked copies of the data to reach ``size``."""
    ontology = load_graph(ontology_files(), [])
    full = load_graph(ontology_files(), data_files(data_dir))
    data = sorted(triple for triple in full if triple not in ontology)
    copies = _copies(size, len(ontology), len(data))
    subjects = {s for s, _, _ in data if isinstance(s, URIRef) and s.startswith(_KG)}
    rng = random.Random(seed)
    graph = full if copies == 1 else load_graph(ontology_files(), [])

    def rename(term: Node, k: int) -> Node:
        if k == 0:
            return term
        if isinstance(term, BNode):
            return BNode(f"{term}-{k}")
        if isinstance(term, URIRef) and term in subjects:
            return URIRef(f"{term}--{k}")
        return term

    for k in range(copies):
        for s, p, o in data:
            if isinstance(o, URIRef) and o in subjects and rng.random() < REWIRE:
                target = rng.randrange(copies)
            else:
                target = k
            obj = rename(o, target)
            if k and p in _LABELS and isinstance(o, Literal):
                obj = Literal(f"{o} ({k})", lang=o.language, datatype=o.datatype)
            graph.add((rename(s, k), p, obj))
    return graph


def synthetic_kg(
    size: int = 100_000, seed: int = 1, data_dir: Path | None = None
) -> KnowledgeGraph:
    """A :class:`~amkg.graph.kg.KnowledgeGraph` over :func:`synthetic_graph` (in memory)."""
    return KnowledgeGraph.from_graph(synthetic_graph(size, seed, data_dir))


def write_synthetic_data(
    directory: Path, size: int = 100_000, seed: int = 1, per_file: int = 200_000
) -> int:
    """The data part of :func:`synthetic_graph` as Turtle files in ``directory`` (N-Triples
    lines, which Turtle reads), ``per_file`` triples a file; the ontology stays in ontology/.
    Returns the number of data triples written."""
    ontology = load_graph(ontology_files(), [])
    graph = synthetic_graph(size, seed)
    lines = sorted(
        f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph if (s, p, o) not in ontology
    )
    directory.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, len(lines), per_file)):
        chunk = lines[start : start + per_file]
        (directory / f"synthetisch-{number:03d}.ttl").write_text(
            "\n".join(chunk) + "\n", encoding="utf-8"
        )
    return len(lines)
