"""The tracing API: /api/trace, /api/impact, /api/hubs (webui/api_trace.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from amkg.webui.api_trace import bp
from amkg.webui.app import create_app

TRACE_DATA = Path(__file__).resolve().parent / "data" / "trace"
DEMOGRAFIE = "kg:traject-advies-staatscommissie-demografie-2050"
ACVZ_ZORG = "kg:traject-kabinetsreactie-acvz-zorg"


def make_app(**config: Any) -> Flask:
    app = create_app(test_config={"TESTING": True, **config})
    if "api_trace" not in app.blueprints:  # until webui/app.py lists webui.api_trace:bp
        app.register_blueprint(bp)
    return app


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return make_app(DATA_DIR=str(TRACE_DATA)).test_client()


@pytest.fixture(scope="module")
def real_client() -> FlaskClient:
    return make_app().test_client()


def get(client: FlaskClient, url: str, status: int = 200, **params: str) -> Any:
    response = client.get(url, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_trace(client: FlaskClient) -> None:
    data = get(client, "/api/trace", **{"from": DEMOGRAFIE, "to": "kg:spoor-1", "max_steps": "2"})
    assert data["count"] == 1
    (path,) = data["paths"]
    assert [n["id"] for n in path["nodes"]] == [DEMOGRAFIE, "kg:domein-4", "kg:spoor-1"]
    assert path["inferred"] is True
    assert "—raakt domein (afgeleid)→" in path["text"]
    link = path["steps"][0]["links"][0]
    assert link["direction"] == "forward"
    assert link["note"] == "Spoor 1 noemt het advies: domein 4."
    assert link["confidence"] == "middel"


def test_trace_in_english_by_label(client: FlaskClient) -> None:
    data = get(
        client,
        "/api/trace",
        **{
            "from": "Advice of the State Commission Demography 2050",
            "to": "track 1: long-term vision",
            "lang": "en",
        },
    )
    assert data["lang"] == "en"
    assert data["paths"][0]["steps"][0]["links"][0]["label"] == "touches domain"
    assert data["to"]["class_label"] == "track"


def test_trace_on_the_real_graph(real_client: FlaskClient) -> None:
    data = get(real_client, "/api/trace", **{"from": DEMOGRAFIE, "to": "kg:spoor-1"})
    via_domain = [DEMOGRAFIE, "kg:domein-4", "kg:spoor-1"]
    (path,) = [p for p in data["paths"] if [n["id"] for n in p["nodes"]] == via_domain]
    assert [s["inferred"] for s in path["steps"]] == [True, True]


def test_unknown_entity_is_404_with_suggestions(client: FlaskClient) -> None:
    data = get(client, "/api/trace", 404, **{"from": "acvz zorg", "to": "kg:spoor-1"})
    error = data["error"]
    assert error["status"] == 404
    assert "acvz zorg" in error["reason"]
    assert ACVZ_ZORG in [s["id"] for s in error["suggestions"]]
    assert get(client, "/api/impact", 404, entity="kg:nergens")["error"]["suggestions"] == []


def test_ambiguous_name_is_400_with_candidates(client: FlaskClient) -> None:
    data = get(client, "/api/impact", 400, entity="Techniek")
    candidates = {c["id"]: c["class"] for c in data["error"]["candidates"]}
    assert candidates == {
        "kg:sector-techniek": "amkg:Sector",
        "kg:beroepsgroep-techniek": "amkg:OccupationGroup",
    }


def test_ambiguous_name_on_the_real_graph(real_client: FlaskClient) -> None:
    data = get(real_client, "/api/trace", 400, **{"from": "ICT", "to": "kg:szw"})
    assert {"kg:sector-ict", "kg:beroepsgroep-ict"} <= {
        c["id"] for c in data["error"]["candidates"]
    }


@pytest.mark.parametrize("value", ["0", "-1", "abc", "99", "2.5"])
def test_bad_max_steps_is_400(client: FlaskClient, value: str) -> None:
    data = get(
        client, "/api/trace", 400, **{"from": DEMOGRAFIE, "to": "kg:spoor-1", "max_steps": value}
    )
    assert "max_steps" in data["error"]["reason"]
    assert (
        "max_steps"
        in get(client, "/api/impact", 400, entity=ACVZ_ZORG, max_steps=value)["error"]["reason"]
    )


@pytest.mark.parametrize(
    ("url", "params", "word"),
    [
        ("/api/trace", {"to": "kg:spoor-1"}, "'from'"),
        ("/api/trace", {"from": "kg:szw", "to": "SZW"}, "same entity"),
        ("/api/impact", {}, "'entity'"),
        ("/api/impact", {"entity": ACVZ_ZORG, "mode": "sideways"}, "mode"),
        ("/api/hubs", {"top": "0"}, "top"),
        ("/api/hubs", {"by": "pagerank"}, "by"),
        ("/api/hubs", {"lang": "fr"}, "lang"),
    ],
)
def test_bad_requests(client: FlaskClient, url: str, params: dict[str, str], word: str) -> None:
    assert word in get(client, url, 400, **params)["error"]["reason"]


def test_impact(client: FlaskClient) -> None:
    data = get(client, "/api/impact", entity=ACVZ_ZORG, max_steps="3")
    assert data["mode"] == "directed"
    by_distance = {
        level["distance"]: {e["id"] for c in level["classes"] for e in c["entities"]}
        for level in data["levels"]
    }
    assert {"kg:jenv", "kg:vws", "kg:szw"} <= by_distance[1]
    assert {"kg:spoor-2", "kg:spoor-4"} <= by_distance[2]
    assert {"kg:maatregel-vakkrachtenregeling", "kg:actielijn-vroege-participatie"} <= by_distance[
        3
    ]
    track = next(
        e
        for level in data["levels"]
        for c in level["classes"]
        for e in c["entities"]
        if e["id"] == "kg:spoor-4"
    )
    assert track["via"]["from"].endswith("domein-3")
    assert track["via"]["inferred"] is True
    undirected = get(client, "/api/impact", entity=ACVZ_ZORG, mode="undirected")
    assert undirected["count"] > data["count"] or undirected["mode"] == "undirected"


def test_impact_on_the_real_graph(real_client: FlaskClient) -> None:
    data = get(real_client, "/api/impact", entity=ACVZ_ZORG)
    reached = [e for level in data["levels"] for c in level["classes"] for e in c["entities"]]
    assert {"kg:spoor-2", "kg:spoor-4"} <= {e["id"] for e in reached}
    assert any(e["class"] == "amkg:Ministry" for e in reached)


def test_hubs(real_client: FlaskClient) -> None:
    data = get(real_client, "/api/hubs", top="3", lang="en")
    assert data["by"] == "degree"
    assert len(data["hubs"]) == 3
    first = data["hubs"][0]
    assert {
        "iri",
        "id",
        "label",
        "class",
        "class_label",
        "degree",
        "degree_centrality",
        "betweenness",
    } <= set(first)
    by_betweenness = get(real_client, "/api/hubs", by="betweenness")["hubs"]
    values = [h["betweenness"] for h in by_betweenness]
    assert values == sorted(values, reverse=True)
