"""The analysis, ontology and validation pages read the store, and say what the graph says.

Expected values come from the Turtle parsed by rdflib (``tests.helpers.reference_graph`` and
the shapes files) or from the catalogue, never from the code under test. Also: every internal
query these pages run is a parseable ``.rq`` file with a header comment.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import RDF, RDFS
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import shapes_files
from amkg.queries import internal
from amkg.queries.catalogue import run

AMKG = rdflib.Namespace("https://w3id.org/amkg/def#")
#: The catalogue's route names -> the matrix's.
ROUTES = {"domein": "domain", "maatregel": "measure", "kruisverwijzing": "reference"}
#: The internal queries of the pages in this test's scope.
QUERIES = [
    "trajectory-reaches-track", "tracks", "ministries", "trajectory-plannings",
    "trajectory-ministries", "domain-numbers", "matrix-rows", "timeline", "datasets",
    "dataset-ranks", "vocabulary", "vocabulary-unions", "subclass-pairs", "instance-counts",
    "predicate-counts", "shapes-graph", "subclasses", "editor-start-nl", "editor-start-en",
]  # fmt: skip


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize("name", QUERIES)
def test_internal_query_parses_and_says_what_it_answers(name: str) -> None:
    text = internal.text(name)
    assert text.startswith("# "), f"{name}.rq needs a header comment"
    prepareQuery(text)


def test_validation_page_names_the_number_of_shapes(
    client: FlaskClient, shapes: rdflib.Graph
) -> None:
    count = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    assert count > 0
    assert client.get("/validatie.json").get_json()["shapes"] == count
    assert f"{count} regels" in client.get("/validatie?lang=nl").get_data(as_text=True)
    assert f"{count} rules" in client.get("/validatie?lang=en").get_data(as_text=True)


def test_matrix_cells_follow_the_catalogue_rule(client: FlaskClient, kg: KnowledgeGraph) -> None:
    """Each cell's routes are the catalogue's sporen-per-traject rows for that trajectory."""
    data = client.get("/matrix.json").get_json()
    checked = 0
    for row in data["rows"]:
        expected: dict[str, set[tuple[str, str, bool]]] = defaultdict(set)
        for r in run(kg, "sporen-per-traject", {"trajectory": row["iri"]}).rows:
            expected[str(r["track"])].add(
                (ROUTES[str(r["route"])], str(r["via"]), r["inferred"].toPython())
            )
        for cell in row["cells"]:
            actual = {(c["route"], c["via"]["iri"], c["inferred"]) for c in cell["routes"]}
            assert actual == expected.get(cell["track_iri"], set()), (row["id"], cell["track"])
            assert cell["affects"] == bool(actual)
            checked += bool(actual)
    assert checked > 0


def test_ontology_shows_the_shapes_of_the_shapes_graph(
    client: FlaskClient, shapes: rdflib.Graph
) -> None:
    data = client.get("/ontologie.json?lang=nl").get_json()
    classes = {c["iri"]: c for c in data["classes"]}
    for cls in (AMKG.Track, AMKG.Trajectory, AMKG.Measure):
        targeting = {str(s) for s in shapes.subjects(SH.targetClass, cls)}
        assert targeting, cls
        shown = {s["iri"] for s in classes[str(cls)]["shapes"]}
        assert targeting <= shown, cls
    for shape in shapes.subjects(SH.targetClass, AMKG.Track):
        [shown] = [s for s in classes[str(AMKG.Track)]["shapes"] if s["iri"] == str(shape)]
        names = {str(n) for n in shapes.objects(shape, RDFS.label) if n.language == "nl"}
        assert shown["label"] in names  # the shape's own name, from the shapes graph
