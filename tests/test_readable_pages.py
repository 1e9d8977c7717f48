"""Pages that answer a coordinator's question directly (issue 12): a trajectory's own page lists
the tracks it touches with their routes, its ministries and planning, and links to its impact
page; the impact page's JSON is exactly ``amkg impact --format json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.queries import internal
from amkg.queries.catalogue import CatalogueError, default_catalogue, load_query

TRAJECTORY = "traject-werken-aan-de-toekomst"


def test_trajectory_page_lists_the_tracks_it_touches(
    client: FlaskClient, kg: KnowledgeGraph
) -> None:
    data = client.get(f"/id/{TRAJECTORY}.json").get_json()["trajectory"]
    # the same pairs as the one rule (trajectory-reaches-track.rq), computed here without the page
    iri = kg.expand(f"kg:{TRAJECTORY}")
    expected: dict[str, set[tuple[str, str]]] = {}
    for r in internal.select(kg, "trajectory-reaches-track", trajectory=iri):
        expected.setdefault(str(r["track"]), set()).add((str(r["route"]), str(r["via"])))
    assert expected, "the fixture trajectory touches tracks"
    routes = {"domain": "domein", "measure": "maatregel", "reference": "kruisverwijzing"}
    got = {
        t["iri"]: {(routes[r["route"]], r["via"]["iri"]) for r in t["routes"]}
        for t in data["tracks"]
    }
    assert got == expected
    assert [t["number"] for t in data["tracks"]] == sorted(t["number"] for t in data["tracks"])
    assert [m["label"] for m in data["coordinators"]] == ["SZW"]
    assert data["planning"]["start"] == "2023-06-01"
    html = client.get(f"/id/{TRAJECTORY}").get_data(as_text=True)
    for track in data["tracks"]:
        assert f'href="{track["page"]}"' in html
    assert f'href="/impact?entity=kg:{TRAJECTORY}"' in html


def test_other_resources_have_no_trajectory_section(client: FlaskClient) -> None:
    assert client.get("/id/spoor-3.json").get_json()["trajectory"] is None


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("extra", [[], ["--max-steps", "2", "--undirected"]])
def test_impact_json_is_amkg_impact(client: FlaskClient, lang: str, extra: list[str]) -> None:
    result = CliRunner().invoke(
        main,
        ["impact", f"kg:{TRAJECTORY}", "--format", "json", "--lang", lang, *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    query = {"entity": f"kg:{TRAJECTORY}", "lang": lang}
    if extra:
        query |= {"max_steps": "2", "mode": "undirected"}
    page = client.get("/impact.json", query_string=query)
    assert page.status_code == 200
    assert page.get_json() == json.loads(result.stdout)
    html = client.get("/impact", query_string=query).get_data(as_text=True)
    assert html.count("<li>") >= page.get_json()["count"]


def test_impact_errors(client: FlaskClient) -> None:
    assert client.get("/impact.json?entity=kg:nergens").status_code == 404
    assert client.get("/impact.json").status_code == 400
    assert client.get("/impact.json?entity=kg:spoor-1&max_steps=0").status_code == 400
    assert client.get("/impact.json?entity=kg:spoor-1&mode=sideways").status_code == 400
    assert client.get("/impact").status_code == 200  # the form alone


# --- named-query results for coordinators ------------------------------------------------------

RDF_TERMS = re.compile(r"\b(amkg|rdf|rdfs|skos|owl|kg):\w|\?[a-z]\w*|rdf:Statement")


def test_coordinator_queries_speak_plain_words() -> None:
    for q in default_catalogue():
        if q.audience != "coordinator":
            continue
        for lang in ("nl", "en"):
            text = q.plain_description(lang)
            assert not RDF_TERMS.search(text), (q.name, lang, text)
            # every column a coordinator sees has a header in the page's language
            for var in q.variables:
                if not re.search(r"Label(Nl|En)$", var):
                    assert q.column(var, lang) != var or var in ("via",), (q.name, lang, var)


def test_query_page_has_dutch_headers_yes_no_and_groups(client: FlaskClient) -> None:
    page = client.get(f"/queries/sporen-per-traject?trajectory=kg:{TRAJECTORY}")
    html = page.get_data(as_text=True)
    data = client.get(f"/queries/sporen-per-traject.json?trajectory=kg:{TRAJECTORY}").get_json()
    result = data["result"]
    assert result["headers"][result["columns"].index("route")] == "Langs"
    assert '<th scope="col" title="?route">Langs' in html
    assert "trackNumber</th>" not in html
    assert ">true<" not in html
    assert ">false<" not in html
    assert ">ja<" in html or ">nee<" in html
    # the bound trajectory is in the form, not in every row
    assert "trajectory" not in [result["columns"][i] for i in result["shown"]]
    # one track reached along several routes reads as one group
    tracks = [row[result["columns"].index("track")]["iri"] for row in result["rows"]]
    assert len(tracks) > len(set(tracks))
    assert sum(g["start"] for g in result["groups"]) == len(set(tracks))
    assert 'class="repeat"' in html
    # the technical description stays, folded, for the analyst
    assert "amkg:touchesDomain" in html.split('<details class="sparql-text">')[1]
    assert "amkg:touchesDomain" not in html.split('<details class="sparql-text">')[0]
    en = client.get(f"/queries/sporen-per-traject?trajectory=kg:{TRAJECTORY}&lang=en")
    assert '<th scope="col" title="?route">Through' in en.get_data(as_text=True)


def test_column_headers_must_name_projected_variables(tmp_path: Path) -> None:
    path = tmp_path / "x.rq"
    path.write_text(
        "#+ title_nl: x\n#+ title_en: x\n#+ description_nl: x\n#+ description_en: x\n"
        '#+ audience: coordinator\n#+ tags: [x]\n#+ columns_nl: {nope: "Nee"}\n'
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="not projected: nope"):
        load_query(path)
