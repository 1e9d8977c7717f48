"""A sample of the deck's facts, checked by value with SPARQL on the real graph.

Each test names the deck's own words; the IRIs and properties are those of docs/model.md.
Numbers are compared as numbers ("72.500" in the deck is 72500).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG

PREFIXES = """
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def select(
    kg: KnowledgeGraph, sparql: str, bindings: Mapping[str, Node] | None = None
) -> list[dict[str, Any]]:
    """Rows of a SELECT on the default store; typed literals as Python values (language-tagged
    ones stay rdflib literals, so their language can be checked)."""
    result = kg.store.query(PREFIXES + sparql, bindings)
    return [
        {
            k: v.toPython() if isinstance(v, Literal) and not v.language else v
            for k, v in row.items()
        }
        for row in result.rows
    ]


def values(kg: KnowledgeGraph, subject: str, predicate: str) -> set[Any]:
    rows = select(kg, f"SELECT ?o WHERE {{ {subject} {predicate} ?o }}")
    return {row["o"] for row in rows}


def observations(kg: KnowledgeGraph, pattern: str) -> list[dict[str, Any]]:
    """Observations matching ``pattern`` (about ``?obs``), with value, range, printed value."""
    return select(
        kg,
        f"""SELECT ?obs ?unit ?value ?min ?max ?printed ?ds WHERE {{
            ?obs a qb:Observation ; qb:dataSet ?ds ; sdmx-attribute:unitMeasure ?unit ;
                 amkg:printedValue ?printed .
            {pattern}
            OPTIONAL {{ ?obs amkg:value ?value }}
            OPTIONAL {{ ?obs amkg:valueMin ?min }}
            OPTIONAL {{ ?obs amkg:valueMax ?max }}
        }}""",
    )


def one(rows: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    matching = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    assert len(matching) == 1, f"expected one row with {where}, found {matching or rows}"
    return matching[0]


def amkg(name: str) -> URIRef:
    return URIRef("https://w3id.org/amkg/def#" + name)


# --- Overzicht sectoren (1): ROA, Tekortberoepen op mbo- en hbo-niveau ---------------------------


@pytest.mark.parametrize(
    ("occupation", "openings", "printed", "share_min", "share_max", "printed_share"),
    [
        ("beroep-docenten-en-leerkrachten", 72500, "72.500", 22, 27, "22-27%"),
        ("beroep-pedagogisch-medewerkers", 40600, "40.600", 28, 28, "28%"),
    ],
)
def test_roa_job_openings_and_share(
    kg: KnowledgeGraph,
    occupation: str,
    openings: int,
    printed: str,
    share_min: int,
    share_max: int,
    printed_share: str,
) -> None:
    rows = observations(kg, f"?obs amkg:occupation kg:{occupation} .")
    count = one(rows, unit=amkg("unitCount"))
    assert (count["value"], count["printed"]) == (openings, printed)
    share = one(rows, unit=amkg("unitPercent"))
    assert share["printed"] == printed_share
    if share_min == share_max:
        assert share["value"] == share_min
    else:
        assert (share["min"], share["max"]) == (share_min, share_max)


# --- Arbeidsvraag voor de energietransitie: Casus windpark op land (UWV) -------------------------


def test_wind_park_electricians_demand_and_supply_and_totals(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?ds ?value ?varlabel WHERE {
            ?obs qb:dataSet ?ds ; amkg:occupation kg:beroep-elektriciens-elektronicamonteurs ;
                 amkg:value ?value ; amkg:variable ?var .
            ?var rdfs:label ?varlabel FILTER(lang(?varlabel) = "nl") }""",
    )
    datasets = {r["ds"] for r in rows if r["value"] == 8535} & {
        r["ds"] for r in rows if r["value"] == 2282
    }
    assert len(datasets) == 1, rows
    dataset = datasets.pop()
    demand = one([r for r in rows if r["ds"] == dataset], value=8535)
    supply = one([r for r in rows if r["ds"] == dataset], value=2282)
    assert "vraag" in demand["varlabel"].lower()
    assert "aanbod" in supply["varlabel"].lower()
    totals = select(
        kg,
        """SELECT ?ds ?value ?varlabel (COUNT(?part) AS ?parts) (SUM(?pv) AS ?sum) WHERE {
            ?total qb:dataSet ?ds ; amkg:isTotal true ; amkg:value ?value ; amkg:variable ?var ;
                   amkg:sumOf ?part .
            ?part amkg:value ?pv .
            ?var rdfs:label ?varlabel FILTER(lang(?varlabel) = "nl") }
           GROUP BY ?ds ?value ?varlabel""",
        {"ds": dataset},
    )
    by_value = {r["value"]: r for r in totals}
    assert set(by_value) == {26501, 16794}
    assert "vraag" in by_value[26501]["varlabel"].lower()
    assert "aanbod" in by_value[16794]["varlabel"].lower()
    for total in totals:
        assert (total["parts"], total["sum"]) == (9, total["value"])


# --- Cijfers (1): EU labour migrants, stocks per year --------------------------------------------


@pytest.mark.parametrize(
    ("group", "employment", "year", "value", "printed"),
    [
        ("landengroep-eu-27", "werknemer", 2019, 566440, "566.440"),
        ("landengroep-eu-11", "zelfstandige", 2017, 17800, "17.800"),
        ("landengroep-eu-11", "werknemer", 2021, 369500, "369.500"),
    ],
)
def test_eu_labour_migrants(
    kg: KnowledgeGraph, group: str, employment: str, year: int, value: int, printed: str
) -> None:
    rows = observations(
        kg,
        f"?obs amkg:countryGroup kg:{group} ; amkg:employmentType kg:{employment} ;"
        f" amkg:refYear {year} .",
    )
    row = one(rows)
    assert (row["value"], row["printed"], row["unit"]) == (value, printed, amkg("unitCount"))


def test_self_employed_2021_not_yet_available(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?obs ?status ?printed ?value WHERE {
            ?obs amkg:countryGroup ?group ; amkg:employmentType kg:zelfstandige ;
                 amkg:refYear 2021 ; amkg:printedValue ?printed ;
                 sdmx-attribute:obsStatus ?status .
            VALUES ?group { kg:landengroep-eu-11 kg:landengroep-eu-27 }
            OPTIONAL { ?obs amkg:value ?value } }""",
    )
    assert len(rows) == 2
    for row in rows:
        assert (row["status"], row["printed"], row.get("value")) == (
            amkg("notAvailable"),
            "X",
            None,
        )


# --- Cijfers (3): inflow from third countries ----------------------------------------------------


def test_werkstudent_2022_and_total_2017(kg: KnowledgeGraph) -> None:
    students = select(
        kg,
        """SELECT ?ds ?value WHERE {
            ?obs qb:dataSet ?ds ; amkg:policyCategory ?cat ; amkg:refYear 2022 ; amkg:value ?value .
            ?cat rdfs:label ?label
            FILTER(lang(?label) = "nl" && STRSTARTS(LCASE(STR(?label)), "werkstudent")) }""",
    )
    student = one(students)
    assert student["value"] == 9497
    totals = select(
        kg,
        """SELECT ?ds ?value (COUNT(?part) AS ?parts) (SUM(?pv) AS ?sum) WHERE {
            ?total qb:dataSet ?ds ; amkg:isTotal true ; amkg:refYear 2017 ; amkg:value ?value ;
                   amkg:sumOf ?part . ?part amkg:value ?pv } GROUP BY ?ds ?value""",
        {"ds": student["ds"]},
    )
    assert one(totals)["value"] == 8807
    assert (one(totals)["parts"], one(totals)["sum"]) == (7, 8807)


def test_aziatische_horeca_2022_kept_as_printed(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?value WHERE {
            ?obs amkg:policyCategory ?cat ; amkg:refYear 2022 ; amkg:value ?value .
            ?cat rdfs:label ?label
            FILTER(lang(?label) = "nl" && CONTAINS(LCASE(STR(?label)), "aziatische horeca")) }""",
    )
    assert one(rows)["value"] == 2178


@pytest.mark.parametrize(
    ("variable", "year", "value", "unit"),
    [("beslissingen", 2022, 33080, "unitCount"), ("inwilligingen", 2022, 94, "unitPercent")],
)
def test_decisions_and_approvals(
    kg: KnowledgeGraph, variable: str, year: int, value: int, unit: str
) -> None:
    rows = observations(
        kg,
        f"""?obs amkg:variable ?var ; amkg:refYear {year} .
            ?var rdfs:label ?label
            FILTER(lang(?label) = "nl" && STRSTARTS(LCASE(STR(?label)), "{variable}"))""",
    )
    row = one(rows)
    assert (row["value"], row["unit"]) == (value, amkg(unit))


# --- Arbeidsvraag in techniek- en ICT-sector: open vacancies Q3 2022 -----------------------------


def test_vacancies_q3_2022(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?total ?value ?printed ?sector ?part_value WHERE {
            ?total amkg:isTotal true ; amkg:refPeriod "Q3 2022"@nl ; amkg:value ?value ;
                   amkg:printedValue ?printed ; amkg:sumOf ?part .
            ?part amkg:value ?part_value ; amkg:sector ?sector }""",
    )
    assert {(r["value"], r["printed"]) for r in rows} == {(116500, "116.500")}
    assert {(r["sector"], r["part_value"]) for r in rows} == {
        (KG["sector-techniek"], 81800),
        (KG["sector-ict"], 34700),
    }


# --- Bijlage 2: Lopende trajecten ----------------------------------------------------------------


def test_acvz_care_trajectory(kg: KnowledgeGraph) -> None:
    t = "kg:traject-kabinetsreactie-acvz-zorg"
    assert Literal(
        "Kabinetsreactie op ACVZ-advies ‘Zorgvuldig arbeidsmigratiebeleid’ over "
        "arbeidsmigratie in de zorg",
        lang="nl",
    ) in values(kg, t, "rdfs:label")
    assert values(kg, t, "amkg:coordinatedBy") == {KG["jenv"], KG["szw"], KG["vws"]}
    assert values(kg, t, "amkg:planning") == {KG["planning-2023-03"]}
    assert values(kg, "kg:planning-2023-03", "amkg:periodStart") == {datetime.date(2023, 3, 1)}
    assert values(kg, "kg:planning-2023-03", "amkg:periodEnd") == {datetime.date(2023, 3, 31)}
    assert values(kg, t, "amkg:annexRow") == {6}
    assert values(kg, t, "amkg:inAnnex") == {True}


def test_vision_economy_2050_is_ezk_and_not_yet_planned(kg: KnowledgeGraph) -> None:
    t = "kg:traject-kamerbrief-visie-economie-2050"
    assert values(kg, t, "amkg:coordinatedBy") == {KG["ezk"]}
    assert values(kg, t, "amkg:planning") == {KG["planning-pm"]}
    assert values(kg, "kg:planning-pm", "amkg:notYetPlanned") == {True}
    assert values(kg, "kg:planning-pm", "amkg:periodStart") == set()


def test_target_numbers_by_jenv_in_cooperation_with_szw(kg: KnowledgeGraph) -> None:
    t = "kg:traject-kabinetsreactie-acvz-richtgetallen"
    labels = {str(label) for label in values(kg, t, "rdfs:label")}
    assert any("Realisme rond richtgetallen" in label for label in labels)
    assert values(kg, t, "amkg:coordinatedBy") == {KG["jenv"]}
    assert values(kg, t, "amkg:inCooperationWith") == {KG["szw"]}
    assert values(kg, t, "amkg:planning") == {KG["planning-2023-03"]}


def test_annex_x_marks_per_row(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?row (COUNT(DISTINCT ?domain) AS ?marks) WHERE {
            ?t amkg:inAnnex true ; amkg:annexRow ?row .
            OPTIONAL { ?t amkg:touchesDomain ?domain } } GROUP BY ?row ORDER BY ?row""",
    )
    assert [r["row"] for r in rows] == list(range(1, 11))
    assert [r["marks"] for r in rows] == [3, 2, 1, 2, 1, 2, 2, 1, 2, 2]
    assert sum(r["marks"] for r in rows) == 18


def test_every_annex_mark_is_an_inferred_reading_with_a_reason(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?t ?domain (COUNT(DISTINCT ?st) AS ?readings)
                  (SUM(IF(BOUND(?nl) && BOUND(?en) && BOUND(?c), 1, 0)) AS ?complete) WHERE {
            ?t amkg:inAnnex true ; amkg:touchesDomain ?domain .
            OPTIONAL {
                ?st rdf:subject ?t ; rdf:predicate amkg:touchesDomain ; rdf:object ?domain ;
                    amkg:inferred true .
                OPTIONAL { ?st amkg:inferenceNote ?nl FILTER(lang(?nl) = "nl") }
                OPTIONAL { ?st amkg:inferenceNote ?en FILTER(lang(?en) = "en") }
                OPTIONAL { ?st amkg:citation ?c }
            } } GROUP BY ?t ?domain""",
    )
    assert len(rows) == 18
    unread = [(r["t"], r["domain"]) for r in rows if r["readings"] < 1 or r["complete"] < 1]
    assert not unread, f"marks without an inferred, noted, cited reading: {unread}"


def test_annex_placements_follow_the_model_readings(kg: KnowledgeGraph) -> None:
    """The placements of docs/model.md ("Readings (inferred statements) made once, here")."""
    expected = {
        1: {1, 2, 3}, 2: {1, 4}, 3: {1}, 4: {1, 2}, 5: {1},
        6: {1, 3}, 7: {3, 4}, 8: {4}, 9: {1, 4}, 10: {3, 4},
    }  # fmt: skip
    rows = select(
        kg,
        """SELECT ?row ?n WHERE { ?t amkg:annexRow ?row ; amkg:touchesDomain ?d .
            ?d amkg:domainNumber ?n }""",
    )
    found: dict[int, set[int]] = {}
    for row in rows:
        found.setdefault(row["row"], set()).add(row["n"])
    assert found == expected


def test_domains_map_onto_tracks(kg: KnowledgeGraph) -> None:
    expected = {1: 2, 2: 3, 3: 4, 4: 1}
    rows = select(
        kg,
        """SELECT ?n ?track WHERE { ?d amkg:domainNumber ?n ; amkg:correspondsToTrack ?s .
            ?s amkg:trackNumber ?track .
            ?st rdf:subject ?d ; rdf:predicate amkg:correspondsToTrack ; rdf:object ?s ;
                amkg:inferred true }""",
    )
    assert {r["n"]: r["track"] for r in rows} == expected


# --- Handelingsperspectief: five tracks and their levers -----------------------------------------

TRACKS = {
    1: (
        "knop-langetermijnvisie",
        "grip vanuit langetermijnvisie o.b.v. brede welvaart",
        "keuzes voor een economie van de toekomst",
        "keuzes rondom economie en industriebeleid",
    ),
    2: (
        "knop-sturing-arbeidsmarkt",
        "grip via sturing op de arbeidsmarkt",
        "Meer mensen aan het werk helpen",
        "Meer mensen aan het werk helpen",
    ),
    3: (
        "knop-huisvesting-en-werkomstandigheden",
        "grip via huisvesting en werkomstandigheden",
        "Tegengaan van concurrentie op arbeidsvoorwaarden",
        "Tegengaan van concurrentie op arbeidsvoorwaarden",
    ),
    4: (
        "knop-voorzieningen",
        "grip via voorzieningen",
        "Arbeidsmigratie randvoorwaardelijk maken aan (lokaal) absorptievermogen",
        "Arbeidsmigratie randvoorwaardelijk maken aan (lokaal) absorptievermogen",
    ),
    5: (
        "knop-drijfveren-en-misstanden",
        "grip via drijfveren en aanpak misstanden",
        "Aanpak keerzijden arbeidsmobiliteit binnen de EU",
        "Aanpak van keerzijden van arbeidsmobiliteit binnen EU",
    ),
}


def test_five_tracks() -> None:
    assert sorted(TRACKS) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("number", sorted(TRACKS))
def test_track_lever_and_titles(kg: KnowledgeGraph, number: int) -> None:
    lever, phrase, slide_title, overview_title = TRACKS[number]
    track = f"kg:spoor-{number}"
    assert values(kg, track, "amkg:trackNumber") == {number}
    assert values(kg, track, "amkg:hasLever") == {KG[lever]}
    assert {str(p) for p in values(kg, f"kg:{lever}", "amkg:leverPhrase")} == {phrase}
    labels = {str(v) for v in values(kg, track, "rdfs:label") if v.language == "nl"}
    assert any(slide_title in label for label in labels), labels
    alt = {str(v) for v in values(kg, track, "skos:altLabel")}
    assert any(overview_title in label for label in alt), alt


def test_track_1_is_the_starting_point_under_the_others(kg: KnowledgeGraph) -> None:
    assert values(kg, "kg:spoor-1", "amkg:isStartingPoint") == {True}
    assert values(kg, "kg:spoor-1", "amkg:underpins") == {KG[f"spoor-{n}"] for n in (2, 3, 4, 5)}


def test_six_challenges(kg: KnowledgeGraph) -> None:
    rows = select(
        kg,
        """SELECT ?c ?order WHERE { ?c a amkg:Challenge ; amkg:order ?order } ORDER BY ?order""",
    )
    assert [r["order"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {r["c"] for r in rows} == {KG[f"uitdaging-{n}"] for n in range(1, 7)}
