"""Exports (graph/export.py) and the network projection (graph/projection.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from amkg.graph.export import FORMATS, MEDIA_TYPES, export
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.paths import data_files
from amkg.graph.projection import project

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rdf_exports_parse_back_to_the_same_graph(
    small_kg: KnowledgeGraph, small_graph: Graph, fmt: str
) -> None:
    data = export(small_kg, fmt)
    parsed = Graph().parse(data=data, format=RDF_FORMATS[fmt])
    assert isomorphic(parsed, small_graph)


def test_ntriples_are_sorted_and_identical_on_every_run(
    small_kg: KnowledgeGraph, small_graph: Graph
) -> None:
    first, second = export(small_kg, "nt"), export(small_kg, "nt")
    assert first == second
    lines = first.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(small_graph)


def test_blank_nodes_get_labels_from_their_file_and_order(tmp_path: Path) -> None:
    """The same sources give the same blank-node labels in every build, so N-Triples are stable
    without canonicalising (rdflib's canonicalisation is exponential on repeated structures)."""
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    (ontology / "o.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:p [ ex:q "een" ; ex:r [ ex:q "twee" ] ] .\n'
        + "".join(f"ex:l{i} ex:list (1 2 3 4 5) .\n" for i in range(8)),
        encoding="utf-8",
    )
    (ontology / "shapes.ttl").write_text("", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    first = export(KnowledgeGraph.open(data, ontology, store=tmp_path / "one"), "nt")
    second = export(KnowledgeGraph.open(data, ontology, store=tmp_path / "two"), "nt")
    assert first == second
    assert b"_:f0b0 " in first
    assert isomorphic(Graph().parse(data=first, format="nt"), Graph().parse(ontology / "o.ttl"))


def test_the_real_graph_exports_identically_twice(kg: KnowledgeGraph, graph: Graph) -> None:
    first = export(kg, "nt")
    assert first == export(kg, "nt")
    assert isomorphic(Graph().parse(data=first, format="nt"), graph)


def test_jsonld_is_compacted_with_our_prefixes(small_kg: KnowledgeGraph) -> None:
    document = json.loads(export(small_kg, "jsonld"))
    assert document["@context"]["kg"] == str(KG)


def test_unknown_format_is_refused(small_kg: KnowledgeGraph) -> None:
    assert set(MEDIA_TYPES) == set(FORMATS)
    with pytest.raises(ValueError, match="format"):
        export(small_kg, "rdfxml")


def test_no_blank_nodes_in_the_data() -> None:
    """Blank nodes would make exports and links unstable (docs/model.md)."""
    for path in data_files():
        graph = Graph().parse(path, format="turtle")
        blank = [t for t in graph if any(isinstance(term, BNode) for term in t)]
        assert not blank, f"{path.name} uses blank nodes: {blank[:3]}"


# --- projection ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network(small_kg: KnowledgeGraph) -> nx.MultiDiGraph:
    return project(small_kg, "nl")


def test_projection_keeps_domain_entities_only(
    small_graph: Graph, network: nx.MultiDiGraph, small_kg: KnowledgeGraph
) -> None:
    nodes = set(network.nodes)
    assert {str(KG[name]) for name in ("spoor-3", "spoor-4", "jenv", "domein-3")} <= nodes
    left_out = [KG["bron-domein-3"], KG["dia-spoor-3"], KG["deck"], KG["stmt-domein-3-spoor-4"]]
    assert not {str(iri) for iri in left_out} & nodes
    assert str(AMKG.unitCount) not in nodes  # a vocabulary concept
    assert not any(isinstance(n, str) and not n.startswith(str(KG)) for n in nodes)
    dsd = {str(s) for s in small_graph.subjects(RDF.type, None) if "dsd-" in str(s)}
    assert not dsd & nodes


def test_projection_attributes(network: nx.MultiDiGraph) -> None:
    jenv = network.nodes[str(KG["jenv"])]
    assert jenv == {
        "iri": str(KG["jenv"]),
        "label": "JenV",
        "label_nl": "JenV",
        "label_en": "Ministry of Justice and Security (JenV)",
        "cls": "amkg:Ministry",
    }
    trajectory = str(KG["traject-kabinetsreactie-acvz-richtgetallen"])
    edge = network.get_edge_data(trajectory, str(KG["jenv"]), key="amkg:coordinatedBy")
    assert edge["predicate"] == str(AMKG.coordinatedBy)
    assert edge["inferred"] is False
    assert edge["label_nl"]
    assert edge["label_en"]


def test_reified_inferred_flag_lands_on_the_edge(network: nx.MultiDiGraph) -> None:
    trajectory = str(KG["traject-kabinetsreactie-acvz-richtgetallen"])
    touches = network.get_edge_data(trajectory, str(KG["domein-3"]), key="amkg:touchesDomain")
    assert touches["inferred"] is True
    assert touches["confidence"] == "amkg:confidenceMedium"
    maps = network.get_edge_data(
        str(KG["domein-3"]), str(KG["spoor-4"]), key="amkg:correspondsToTrack"
    )
    assert maps["inferred"] is True


def test_graphml_opens_in_networkx(small_kg: KnowledgeGraph, network: nx.MultiDiGraph) -> None:
    loaded = nx.read_graphml(io.BytesIO(export(small_kg, "graphml")))
    assert set(loaded.nodes) == set(network.nodes)
    assert loaded.number_of_edges() == network.number_of_edges()
    node = loaded.nodes[str(KG["spoor-4"])]
    assert node["cls"] == "amkg:Track"
    assert any(data["inferred"] is True for _, _, data in loaded.edges(data=True))


def test_real_graph_projects_to_graphml(kg: KnowledgeGraph) -> None:
    loaded = nx.read_graphml(io.BytesIO(export(kg, "graphml")))
    assert loaded.number_of_nodes() > 0
    assert all(isinstance(n, str) for n in loaded.nodes)
    assert URIRef(next(iter(loaded.nodes))).startswith(str(KG))


def test_effect_and_chain_edges_keep_their_sign(kg: KnowledgeGraph, graph: Graph) -> None:
    """An effect's direction and an effect chain's kind survive the projection as ``sign``."""
    network = project(kg, "nl")
    signs = {"https://w3id.org/amkg/def#increase": "+", "https://w3id.org/amkg/def#decrease": "-"}
    checked = 0
    for effect, factor in graph.subject_objects(AMKG.actsOn):
        direction = graph.value(effect, AMKG.direction)
        edge = network.get_edge_data(str(effect), str(factor), key="amkg:actsOn")
        assert edge is not None
        assert edge["sign"] == signs.get(str(direction), "?"), (effect, factor)
        checked += 1
    assert checked >= 48
    for predicate, sign in ((AMKG.raisesFactor, "+"), (AMKG.lowersFactor, "-")):
        for s, o in graph.subject_objects(predicate):
            key = "amkg:raisesFactor" if sign == "+" else "amkg:lowersFactor"
            assert network.get_edge_data(str(s), str(o), key=key)["sign"] == sign
    plain = network.get_edge_data(str(KG["maatregel-kennismigrantenregeling"]), str(KG["spoor-1"]))
    assert plain is None or all(data["sign"] == "" for data in plain.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exports_the_same_bytes_in_two_processes(fmt: str, tmp_path: Path) -> None:
    """Each export, run twice in fresh processes (new hash seeds, new blank-node ids in memory),
    writes the same bytes."""
    import os
    import subprocess
    import sys

    outputs = []
    for run in range(2):
        target = tmp_path / f"{run}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": str(run + 1)}
        subprocess.run(
            [sys.executable, "-m", "amkg.cli", "export", "--format", fmt, "-o", str(target)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0]
