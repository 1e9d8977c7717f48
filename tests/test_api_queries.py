"""The catalogue's HTTP API (``webui/api.py``), through ``create_app``'s test client (the
fixtures ``app`` and ``client`` come from ``tests/conftest.py``)."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

from amkg.queries.catalogue import default_catalogue
from amkg.webui.app import create_app


def test_the_catalogue_lists_every_query_with_its_metadata(client: FlaskClient) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    body = response.get_json()
    names = [q["name"] for q in body["queries"]]
    assert names == [q.name for q in default_catalogue()]
    assert body["count"] == len(names)
    entry = next(q for q in body["queries"] if q["name"] == "trajecten-per-spoor")
    assert entry["title"]["nl"]
    assert entry["title"]["en"]
    assert entry["description"]["en"]
    assert entry["audience"] == "coordinator"
    assert entry["tags"]
    [track] = entry["params"]
    assert track["name"] == "track"
    assert track["type"] == "iri"
    assert track["class"] == "amkg:Track"
    assert track["default"] == "kg:spoor-3"
    assert track["description"]["nl"]


def test_a_query_answers_json_with_bound_params(client: FlaskClient) -> None:
    response = client.get("/api/queries/tekortberoepen?minimum=50000")
    assert response.status_code == 200
    body = response.get_json()
    assert body["query"] == "tekortberoepen"
    assert body["params"]["minimum"]["value"] == "50000"
    assert "occupation" in body["vars"]
    assert body["truncated"] is False
    assert body["rows"]
    for row in body["rows"]:
        assert int(row["openings"]["value"]) >= 50000
        assert row["occupation"]["type"] == "uri"


def test_a_missing_required_parameter_is_a_400_not_its_default(client: FlaskClient) -> None:
    reply = client.get("/api/queries/trajecten-in-periode?from=2023-01-01")
    assert reply.status_code == 400
    reason = reply.get_json()["error"]["reason"]
    assert "to" in reason
    assert "required" in reason
    assert "2023-06-30" in reason  # the default, named as an example
    given = client.get("/api/queries/trajecten-in-periode?from=2023-01-01&to=2023-06-30")
    assert given.get_json()["params"]["to"]["value"] == "2023-06-30"


def test_an_optional_parameter_takes_its_default(client: FlaskClient) -> None:
    body = client.get("/api/queries/tekortberoepen").get_json()
    assert body["params"]["minimum"]["value"] == "0"


def test_a_query_answers_csv(client: FlaskClient) -> None:
    response = client.get("/api/queries/tekortberoepen.csv?minimum=50000")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows
    assert all(int(row["openings"]) >= 50000 for row in rows)
    assert rows[0]["occupation"].startswith("https://w3id.org/amkg/id/beroep-")


def test_an_unknown_query_is_a_404_with_a_reason(client: FlaskClient) -> None:
    for path in ("/api/queries/bestaat-niet", "/api/queries/bestaat-niet.csv"):
        response = client.get(path)
        assert response.status_code == 404
        assert "bestaat-niet" in response.get_json()["error"]["reason"]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/queries/tekortberoepen?minimum=veel", "minimum"),
        ("/api/queries/tekortberoepen?minimum=-1", "minimum"),
        ("/api/queries/tekortberoepen.csv?minimum=veel", "minimum"),
        ("/api/queries/trajecten-per-spoor?track=kg:szw", "track"),
        ("/api/queries/trajecten-per-spoor?track=%22%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
         "track"),
        ("/api/queries/trajecten-in-periode?from=2023-13-01", "from"),
        ("/api/queries/trajecten-in-periode?onbekend=1", "onbekend"),
        ("/api/queries/tekortberoepen?minimum=1&minimum=2", "minimum"),
    ],
)  # fmt: skip
def test_a_bad_parameter_is_a_400_naming_it(client: FlaskClient, path: str, param: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert f"'{param}'" in error["reason"]


def test_the_row_limit_truncates() -> None:
    app = create_app({"TESTING": True, "ROW_LIMIT": 2})
    limited = app.test_client()
    body = limited.get("/api/queries/tekortberoepen").get_json()
    assert body["truncated"] is True
    assert len(body["rows"]) == 2
    response = limited.get("/api/queries/tekortberoepen.csv")
    assert response.headers["X-Truncated"] == "true"
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 3
