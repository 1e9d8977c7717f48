"""The DCAT / VoID description of the dataset: served at /.well-known/void and /dataset, valid
against DCAT-AP shapes written from the specification (tests/data/dcat-ap/), linked from every
page's head and from the SPARQL service description."""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from amkg.graph.kg import KnowledgeGraph

SHAPES = Path(__file__).resolve().parent / "data" / "dcat-ap" / "shapes.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("https://w3id.org/amkg/dataset")
SERVICE = URIRef("https://w3id.org/amkg/dataset/sparql")


def served(client: FlaskClient, url: str = "/.well-known/void", accept: str = "") -> Graph:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    fmt = "json-ld" if "ld+json" in response.content_type else "turtle"
    return Graph().parse(data=response.data, format=fmt)


def conforms(graph: Graph) -> tuple[bool, str]:
    ok, _, text = validate(graph, shacl_graph=Graph().parse(SHAPES), advanced=False)
    return bool(ok), str(text)


def test_the_served_description_conforms_to_the_dcat_ap_shapes(client: FlaskClient) -> None:
    ok, report = conforms(served(client))
    assert ok, report


def test_it_describes_catalogue_dataset_distributions_and_service(client: FlaskClient) -> None:
    graph = served(client)
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    formats = {
        str(graph.value(d, DCTERMS["format"])) for d in graph.objects(DATASET, DCAT.distribution)
    }
    assert {f.rsplit("/", 1)[1] for f in formats if f != "None"} == {
        "RDF_TURTLE",
        "RDF_N_TRIPLES",
        "JSON_LD",
        "XML",
    }
    assert graph.value(SERVICE, DCAT.endpointURL) == URIRef("http://localhost/sparql")
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert graph.value(DATASET, DCTERMS.license) is not None
    assert graph.value(DATASET, DCTERMS.publisher) is not None
    assert graph.value(DATASET, DCTERMS.source) == URIRef("https://w3id.org/amkg/id/deck")
    for distribution in graph.objects(DATASET, DCAT.distribution):
        assert str(graph.value(distribution, DCAT.accessURL)).startswith("http://localhost/")


def test_version_is_the_package_version(client: FlaskClient) -> None:
    version = importlib.metadata.version("arbeidsmigratie-kennisgraaf")
    assert served(client).value(DATASET, DCAT.version) == Literal(version)


def test_statistics_are_counted_live(client: FlaskClient, kg: KnowledgeGraph) -> None:
    graph = served(client)
    assert graph.value(DATASET, VOID.triples) == Literal(kg.store.triple_count())
    entities = graph.value(DATASET, VOID.entities)
    assert entities is not None
    assert int(entities) > 1000
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(DATASET, VOID.classPartition)
    }
    assert partitions[URIRef("https://w3id.org/amkg/def#Track")] == 5


MUTATIONS: dict[str, Callable[[Graph], None]] = {
    "dataset-without-title": lambda g: g.remove((DATASET, DCTERMS.title, None)),
    "distribution-without-access-url": lambda g: g.remove(
        (URIRef("https://w3id.org/amkg/dataset/turtle"), DCAT.accessURL, None)
    ),
    "service-without-endpoint": lambda g: g.remove((SERVICE, DCAT.endpointURL, None)),
    "catalogue-without-publisher": lambda g: g.remove(
        (URIRef("https://w3id.org/amkg/dataset/catalogus"), DCTERMS.publisher, None)
    ),
    "triples-as-text": lambda g: g.set((DATASET, VOID.triples, Literal("many"))),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_description_does_not_conform(client: FlaskClient, name: str) -> None:
    graph = served(client)
    MUTATIONS[name](graph)
    ok, _ = conforms(graph)
    assert not ok


@pytest.mark.parametrize(
    ("url", "accept", "content_type"),
    [
        ("/.well-known/void", "", "text/turtle"),
        ("/.well-known/void", "application/ld+json", "application/ld+json"),
        ("/dataset", "text/turtle", "text/turtle"),
        ("/dataset", "application/ld+json", "application/ld+json"),
        ("/dataset", "application/n-triples", "application/n-triples"),
        ("/dataset", "text/html", "text/html"),
        ("/dataset", "application/json", "application/json"),
        ("/dataset.ttl", "", "text/turtle"),
        ("/dataset.jsonld", "", "application/ld+json"),
        ("/dataset.nt", "", "application/n-triples"),
        ("/dataset.json", "", "application/json"),
    ],
)
def test_content_negotiation(client: FlaskClient, url: str, accept: str, content_type: str) -> None:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.content_type.startswith(content_type)


def test_the_json_twin_has_the_page_data(client: FlaskClient) -> None:
    data = json.loads(client.get("/dataset.json").data)
    assert data["iri"] == str(DATASET)
    assert data["statistics"]["triples"] > 10000
    assert len(data["distributions"]) == 5
    assert data["title"] == "Arbeidsmigratie Kennisgraaf"
    english = json.loads(client.get("/dataset.json?lang=en").data)
    assert english["title"] == "Labour Migration Knowledge Graph"


def test_the_jsonld_form_holds_the_same_triples(client: FlaskClient) -> None:
    turtle = served(client, "/dataset.ttl")
    jsonld = served(client, "/dataset.jsonld")
    assert len(turtle) == len(jsonld)


@pytest.mark.parametrize("url", ["/", "/dataset", "/spoor/3", "/ontologie"])
def test_every_page_links_the_description_from_its_head(client: FlaskClient, url: str) -> None:
    html = client.get(url).data.decode("utf-8")
    head = html.split("</head>", 1)[0]
    assert '<link rel="describedby" type="text/turtle" href="/.well-known/void"' in head


def test_the_sparql_service_description_points_to_the_dataset(client: FlaskClient) -> None:
    graph = served(client, "/sparql", "text/turtle")
    assert (None, DCTERMS.source, DATASET) in graph
    assert (None, None, URIRef("http://localhost/.well-known/void")) in graph
