"""Pages that answer a coordinator's question directly (issue 12): a trajectory's own page lists
the tracks it touches with their routes, its ministries and planning, and links to its impact
page; the impact page's JSON is exactly ``amkg impact --format json``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.queries import internal

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
