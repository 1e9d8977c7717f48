"""The web app reads the current version of the edited graph and, with ?op=, the graph as it
was on a day (issue 11): pages, .json twins, catalogue queries and /sparql."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from amkg.graph import changes
from amkg.graph.kg import KnowledgeGraph
from amkg.webui.app import create_app
from tests.edits_helpers import revise

PAGE = "/id/traject-kamerbrief-arbeidsmarktkrapte"
ASK = (
    "PREFIX amkg: <https://w3id.org/amkg/def#> PREFIX kg: <https://w3id.org/amkg/id/> "
    "ASK { kg:traject-kamerbrief-arbeidsmarktkrapte amkg:revisedDate ?d }"
)


@pytest.fixture
def edited(make_data_copy: Callable[..., Path]) -> tuple[FlaskClient, datetime.date]:
    data = make_data_copy()
    client = create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()
    assert "2023-05-31" not in client.get(PAGE + ".json").get_data(as_text=True)
    done = changes.commit(KnowledgeGraph.open(data_dir=data), revise("2023-05-31"))
    return client, done.time.date()


def test_pages_show_the_new_version_and_the_old_one_with_op(
    edited: tuple[FlaskClient, datetime.date],
) -> None:
    client, today = edited
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert "2023-05-31" in client.get(PAGE + ".json").get_data(as_text=True)
    assert "2023-05-31" in client.get(PAGE).get_data(as_text=True)
    assert "2023-05-31" not in client.get(f"{PAGE}.json?op={yesterday}").get_data(as_text=True)
    assert "2023-05-31" not in client.get(f"{PAGE}?op={yesterday}").get_data(as_text=True)
    assert "2023-05-31" in client.get(f"{PAGE}.json?op={today.isoformat()}").get_data(as_text=True)


def test_sparql_answers_as_of_a_day(edited: tuple[FlaskClient, datetime.date]) -> None:
    client, today = edited
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    accept = {"Accept": "application/sparql-results+json"}
    now = client.get("/sparql", query_string={"query": ASK}, headers=accept)
    assert json.loads(now.data)["boolean"] is True
    then = client.get("/sparql", query_string={"query": ASK, "op": yesterday}, headers=accept)
    assert json.loads(then.data)["boolean"] is False


@pytest.mark.parametrize("bad", ["31-02-2023", "2023-02-31", "gisteren"])
def test_a_bad_day_is_a_400_in_dutch(edited: tuple[FlaskClient, datetime.date], bad: str) -> None:
    client, _today = edited
    for url in (f"{PAGE}.json?op={bad}", f"/sparql?query=ASK%7B%7D&op={bad}"):
        response = client.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert "geen bestaande datum" in response.get_data(as_text=True)
