"""The named-query catalogue: metadata, golden results, documentation, parameter binding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from amkg.cli import main as cli
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG
from amkg.graph.store import QueryResult, RdflibStore
from amkg.queries.catalogue import (
    AUDIENCES,
    CATALOGUE_DIR,
    PARAM_TYPES,
    Catalogue,
    CatalogueError,
    ParameterError,
    UnknownQuery,
    bind,
    default_catalogue,
    load_query,
    run,
)
from amkg.queries.golden import DOCS_PATH, golden_path, golden_result, golden_rows, render_docs

RQ_FILES = sorted(CATALOGUE_DIR.glob("*.rq"))
NAMES = [path.stem for path in RQ_FILES]
REGENERATE = "run `python -m queries.golden --write` and review the diff"


# ---- every query: complete metadata, a golden result, documented ---------------------------


def test_the_catalogue_has_at_least_25_queries_for_every_audience() -> None:
    catalogue = default_catalogue()
    assert len(catalogue) >= 25
    assert {q.audience for q in catalogue} == set(AUDIENCES)


@pytest.mark.parametrize("path", RQ_FILES, ids=NAMES)
def test_query_has_complete_metadata_in_both_languages(path: Path) -> None:
    query = load_query(path)  # raises CatalogueError naming the file when anything is missing
    for text in (query.title_nl, query.title_en, query.description_nl, query.description_en):
        assert text.strip()
    assert query.title_nl != query.title_en, "title_en must be a translation"
    assert query.audience in AUDIENCES
    assert query.tags
    for param in query.params:
        assert param.type in PARAM_TYPES
        assert param.description_nl.strip()
        assert param.description_en.strip()
        assert param.name in query.variables
        assert param.type != "iri" or param.cls
        assert param.required is False or param.default is not None, (
            f"{query.name}: required parameter {param.name} needs a default for its golden result"
        )


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_golden_result(name: str) -> None:
    assert golden_path(name).is_file(), f"no tests/golden/{name}.json: {REGENERATE}"


@pytest.mark.parametrize("name", NAMES)
def test_result_on_the_real_graph_equals_the_golden_result(kg: KnowledgeGraph, name: str) -> None:
    path = golden_path(name)
    if not path.is_file():
        pytest.fail(f"no tests/golden/{name}.json: {REGENERATE}")
    expected = json.loads(path.read_text(encoding="utf-8"))
    actual = golden_result(kg, default_catalogue().get(name))
    assert actual == expected, f"{name} differs from its golden result: {REGENERATE}"


def test_no_golden_file_without_a_query() -> None:
    stale = {p.stem for p in golden_path("x").parent.glob("*.json")} - set(NAMES)
    assert not stale, f"golden files without a query: {sorted(stale)}"


def test_docs_are_current_and_name_every_query() -> None:
    text = DOCS_PATH.read_text(encoding="utf-8")
    for name in NAMES:
        assert f"### {name}" in text, f"{name} missing from docs/queries.md"
    assert text == render_docs(default_catalogue()), "run `python -m queries.golden --docs`"


@pytest.mark.parametrize("name", NAMES)
def test_query_gives_the_same_rows_on_rdflib_as_on_oxigraph(
    kg: KnowledgeGraph, graph: Graph, name: str
) -> None:
    """Standard SPARQL only: the plain rdflib engine agrees with the embedded default."""
    query = default_catalogue().get(name)
    bindings = bind(query, {}, kg)
    reference = RdflibStore(graph).query(query.sparql, bindings)
    assert golden_rows(reference.rows) == golden_rows(kg.store.query(query.sparql, bindings).rows)


# ---- loading: a broken .rq file is an error naming the file ---------------------------------

GOOD_HEADER = """#+ title_nl: Titel
#+ title_en: Title
#+ description_nl: Beschrijving
#+ description_en: Description
#+ audience: analyst
#+ tags: [test]
"""
GOOD_QUERY = "SELECT ?s ?track WHERE { ?s ?p ?track } ORDER BY ?s\n"
TRACK_PARAM = (
    "#+ param: {name: track, type: iri, class: amkg:Track, required: true, "
    "description_nl: Spoor, description_en: Track}\n"
)


def _write(tmp_path: Path, text: str, name: str = "probe") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    query = load_query(_write(tmp_path, GOOD_HEADER + TRACK_PARAM + GOOD_QUERY))
    assert query.sparql == GOOD_QUERY
    assert query.params[0].cls_iri == URIRef("https://w3id.org/amkg/def#Track")
    assert query.variables == ("s", "track")


# fmt: off
BROKEN_FILES = [
    (GOOD_HEADER.replace("#+ title_en: Title\n", "") + GOOD_QUERY,
     "missing metadata: title_en"),
    (GOOD_HEADER.replace("#+ description_en: Description\n", "") + GOOD_QUERY,
     "description_en"),
    (GOOD_HEADER.replace("analyst", "everyone") + GOOD_QUERY, "audience"),
    (GOOD_HEADER.replace("[test]", "[]") + GOOD_QUERY, "tags"),
    (GOOD_HEADER + "#+ colour: red\n" + GOOD_QUERY, "unknown metadata"),
    (GOOD_HEADER + "#+ title_nl: again\n" + GOOD_QUERY, "given twice"),
    (GOOD_HEADER.replace("Titel", "Titel: met dubbele punt") + GOOD_QUERY, "title_nl"),
    (GOOD_HEADER + "#+ param: {name: track, type: iri, required: true, description_nl: a, "
     "description_en: b}\n" + GOOD_QUERY, "needs a class"),
    (GOOD_HEADER + TRACK_PARAM.replace("track,", "other,") + GOOD_QUERY,
     "not a projected variable"),
    (GOOD_HEADER + TRACK_PARAM.replace("type: iri", "type: float") + GOOD_QUERY, "type"),
    (GOOD_HEADER + TRACK_PARAM.replace("required: true, ", "") + GOOD_QUERY, "required"),
    (GOOD_HEADER + TRACK_PARAM.replace("description_en: Track", "") + GOOD_QUERY,
     "description_en"),
    (GOOD_HEADER + TRACK_PARAM + TRACK_PARAM + GOOD_QUERY, "declared twice"),
    (GOOD_HEADER + "#+ param: {name: n, type: integer, required: false, default: zes, "
     "description_nl: a, description_en: b}\n" + GOOD_QUERY.replace("?track", "?n"),
     "bad default"),
    (GOOD_HEADER + "SELECT ?s WHERE { ?s ?p }\n", "does not parse"),
    (GOOD_HEADER + "SELECT ?s WHERE { ?s ?p ?o }\n", "ORDER BY"),
    (GOOD_HEADER + "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }\n",
     "ORDER BY"),  # a sub-query's order does not order the result
    (GOOD_HEADER + "SELECT ?s WHERE { ?s ?p '} ORDER BY' } # ORDER BY ?s\n", "ORDER BY"),
    (GOOD_HEADER + "ASK { ?s ?p ?o }\n", "only SELECT"),
    (GOOD_HEADER + "#+ param: {name: [x\n" + GOOD_QUERY, "not a YAML flow value"),
]
# fmt: on


@pytest.mark.parametrize(("text", "message"), BROKEN_FILES)
def test_a_broken_file_is_rejected_naming_it(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        load_query(_write(tmp_path, text))
    assert "probe.rq" in str(caught.value)
    assert message in str(caught.value)


def test_a_broken_file_fails_the_whole_catalogue(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_HEADER + GOOD_QUERY, "fine")
    _write(tmp_path, GOOD_HEADER.replace("#+ title_en: Title\n", "") + GOOD_QUERY, "lacking")
    with pytest.raises(CatalogueError, match=r"lacking\.rq"):
        Catalogue.load(tmp_path)


def test_unknown_query_name() -> None:
    with pytest.raises(UnknownQuery, match="no-such-query"):
        default_catalogue().get("no-such-query")


# ---- binding parameters ----------------------------------------------------------------------


def mini_kg(turtle: str) -> KnowledgeGraph:
    """A small in-memory knowledge graph (the embedded engine, as in production)."""
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    return KnowledgeGraph.from_graph(graph)


MINI = mini_kg("""
@prefix amkg: <https://w3id.org/amkg/def#> . @prefix kg: <https://w3id.org/amkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
amkg:ActionLine rdfs:subClassOf amkg:Measure .
kg:spoor-3 a amkg:Track ; rdfs:label "Spoor 3: Tegengaan"@nl , "Track 3: Countering"@en .
kg:spoor-4 a amkg:Track ; rdfs:label "Spoor 4"@nl ;
    skos:altLabel "Gedeeld"@nl , "Het ‘vierde’ spoor"@nl .
kg:spoor-5 a amkg:Track ; rdfs:label "Spoor 5"@nl ; skos:altLabel "gedeeld"@nl .
kg:szw a amkg:Ministry ; rdfs:label "Ministerie van SZW"@nl ; skos:notation "SZW" .
kg:actielijn-x a amkg:ActionLine ; rdfs:label "Actielijn X"@nl .
""")
PROBE = """#+ title_nl: T
#+ title_en: T
#+ description_nl: D
#+ description_en: D
#+ audience: analyst
#+ tags: [t]
#+ param: {name: track, type: iri, class: amkg:Track, required: true, description_nl: s, description_en: t}
#+ param: {name: measure, type: iri, class: amkg:Measure, required: false, description_nl: m, description_en: m}
#+ param: {name: n, type: integer, required: false, default: 2, min: 1, max: 3, description_nl: n, description_en: n}
#+ param: {name: day, type: date, required: false, default: "2023-01-01", description_nl: d, description_en: d}
#+ param: {name: text, type: string, required: false, description_nl: t, description_en: t}
#+ param: {name: lang, type: string, required: false, default: nl, values: [nl, en], description_nl: l, description_en: l}
SELECT ?track ?measure ?n ?day ?text ?lang WHERE { ?track a ?c } ORDER BY ?track
"""  # noqa: E501


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_query(_write(tmp_path_factory.mktemp("probe"), PROBE))


def test_defaults_fill_in_and_optional_parameters_stay_unbound(probe: Any) -> None:
    bound = bind(probe, {"track": "kg:spoor-3"}, MINI)
    assert bound == {
        "track": KG["spoor-3"],
        "n": Literal(2, datatype=XSD.integer),
        "day": Literal("2023-01-01", datatype=XSD.date),
        "lang": Literal("nl"),
    }


@pytest.mark.parametrize(
    "text",
    ["kg:spoor-3", "<https://w3id.org/amkg/id/spoor-3>", "https://w3id.org/amkg/id/spoor-3",
     "spoor 3: tegengaan", "TRACK 3: COUNTERING", "  Spoor 3:   Tegengaan "],
)  # fmt: skip
def test_an_iri_parameter_takes_an_iri_a_prefixed_name_or_a_label(probe: Any, text: str) -> None:
    assert bind(probe, {"track": text}, MINI)["track"] == KG["spoor-3"]


def test_an_iri_parameter_accepts_a_subclass_and_an_alternative_label(probe: Any) -> None:
    bound = bind(probe, {"track": "het 'vierde' spoor", "measure": "Actielijn X"}, MINI)
    assert bound["track"] == KG["spoor-4"]  # typographic quotes match straight ones
    assert bound["measure"] == KG["actielijn-x"]  # an amkg:ActionLine is an amkg:Measure


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"track": "kg:szw"}, "not a resource of class amkg:Track"),
        ({"track": "SZW"}, "no amkg:Track"),
        ({"track": "kg:spoor-9"}, "not a resource of class"),
        ({"track": "gedeeld"}, "ambiguous"),
        ({"track": "<https://w3id.org/amkg/id/spoor 3>"}, "no amkg:Track"),
        ({"track": "kg:spoor-3", "n": "4"}, "outside 1..3"),
        ({"track": "kg:spoor-3", "n": "zero"}, "not an integer"),
        ({"track": "kg:spoor-3", "n": "1.5"}, "not an integer"),
        ({"track": "kg:spoor-3", "day": "2023-02-30"}, "not a date"),
        ({"track": "kg:spoor-3", "day": "01-01-2023"}, "not a date"),
        ({"track": "kg:spoor-3", "text": "x" * 201}, "longer than"),
        ({"track": "kg:spoor-3", "text": "a\x00b"}, "control"),
        ({"track": "kg:spoor-3", "lang": "de"}, "not one of nl, en"),
        ({"track": "kg:spoor-3", "colour": "red"}, "unknown parameter"),
        ({}, "a value is required"),
        ({"track": "   "}, "a value is required"),
    ],
)
def test_a_bad_value_is_a_parameter_error_naming_the_parameter(
    probe: Any, raw: dict[str, str], reason: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        bind(probe, raw, MINI)
    name = next((k for k in raw if k != "track"), "track") if len(raw) > 1 else "track"
    assert caught.value.param == name
    assert f"parameter '{name}'" in str(caught.value)
    assert reason in str(caught.value)


class SpyStore:
    """Records what reaches the store."""

    name = "spy"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, sparql: str, bindings: Any = None) -> QueryResult:
        self.calls.append((sparql, dict(bindings or {})))
        return QueryResult(kind="SELECT", vars=[], rows=[])

    def triple_count(self) -> int:
        return 0


class SpiedKG:
    """The knowledge graph's own reads (labels, instances) from ``kg``; its store a spy."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.store = SpyStore()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kg, name)


def test_run_sends_the_file_text_and_the_bindings(small_kg: KnowledgeGraph) -> None:
    Spied = SpiedKG(small_kg)
    query = default_catalogue().get("trajecten-per-spoor")
    run(Spied, "trajecten-per-spoor", {"track": "Spoor 4: Arbeidsmigratie randvoorwaardelijk "
                                       "maken aan (lokaal) absorptievermogen"})  # fmt: skip
    [(sparql, bindings)] = Spied.store.calls
    assert sparql == query.sparql
    assert query.path.read_text(encoding="utf-8").endswith(sparql)
    assert bindings == {"track": KG["spoor-4"]}


def test_run_fills_the_lang_parameter(kg: KnowledgeGraph) -> None:
    outcome = run(kg, "omgeving", {"entity": "kg:szw"}, lang="en")
    assert outcome.bindings["lang"] == Literal("en")
    assert outcome.rows
    assert all(row["lang"] == Literal("en") for row in outcome.rows)


def test_run_on_the_small_graph(small_kg: KnowledgeGraph) -> None:
    outcome = run(small_kg, "trajecten-per-spoor", {"track": "kg:spoor-4"})
    rows = {(str(r["trajectory"]), str(r["route"]), r["inferred"].toPython()) for r in outcome.rows}
    assert (str(KG["traject-kabinetsreactie-acvz-richtgetallen"]), "domein", True) in rows


# ---- the command line: amkg queries, amkg query ----------------------------------------------


def test_cli_lists_the_catalogue(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["queries", "--lang", "en", "--audience", "analyst"])
    assert result.exit_code == 0, result.output
    assert "windpark-vraag-aanbod" in result.output
    assert "Onshore wind farm" in result.output
    assert "trajecten-per-spoor" not in result.output


def test_cli_runs_a_query_as_a_table_with_labels(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["query", "tekortberoepen", "-p", "minimum=50000"])
    assert result.exit_code == 0, result.output
    assert "Docenten secundair onderwijs" in result.output  # the label, not the IRI
    assert "https://w3id.org" not in result.output
    english = runner.invoke(cli.main, ["query", "tekortberoepen", "--lang", "en"])
    assert "Secondary school teachers" in english.output


def test_cli_marks_inferred_links(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["query", "bijlage-matrix", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "inferred" in result.output.splitlines()[2]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_cli_formats(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(cli.main, ["query", "tekortberoepen", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output)["query"] == "tekortberoepen"
    else:
        header = result.output.splitlines()[0]
        assert ("\t" if fmt == "tsv" else ",") in header


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["query", "tekortberoepen", "-p", "minimum=veel"], "'minimum'"),
        (["query", "trajecten-per-spoor", "-p", "track=kg:szw"], "'track'"),
        (["query", "tekortberoepen", "-p", "onbekend=1"], "'onbekend'"),
        (["query", "tekortberoepen", "-p", "zonder-is-teken"], "NAME=VALUE"),
        (["query", "bestaat-niet"], "'bestaat-niet'"),
    ],
)
def test_cli_exits_2_naming_the_problem(runner: CliRunner, args: list[str], named: str) -> None:
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 2
    assert named in result.output


def test_an_abbreviation_names_a_ministry(kg: KnowledgeGraph) -> None:
    outcome = run(kg, "ministerie-coordineert", {"ministry": "jenv"})
    assert outcome.bindings["ministry"] == KG["jenv"]
    assert outcome.rows
    assert {row["role"].toPython() for row in outcome.rows} <= {"coördinator", "i.s.m."}
