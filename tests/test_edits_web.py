"""The web app reads the current version of the edited graph and, with ?op=, the graph as it
was on a day (issue 11): pages, .json twins, catalogue queries and /sparql."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from amkg.graph import changes, history
from amkg.graph.kg import KnowledgeGraph
from amkg.webui import asof
from amkg.webui.app import create_app
from tests.edits_helpers import move, revise

PAGE = "/id/traject-kamerbrief-arbeidsmarktkrapte"
ASK = (
    "PREFIX amkg: <https://w3id.org/amkg/def#> PREFIX kg: <https://w3id.org/amkg/id/> "
    "ASK { kg:traject-kamerbrief-arbeidsmarktkrapte amkg:revisedDate ?d }"
)


@pytest.fixture
def edited(make_data_copy: Callable[..., Path]) -> tuple[FlaskClient, datetime.date]:
    data = make_data_copy()
    # a query waits for a worker as long as it needs: two test processes share two CPUs, and a
    # 429 for a slow machine would say nothing about time travel
    settings = {"TESTING": True, "DATA_DIR": str(data), "QUERY_QUEUE_WAIT": 120.0}
    client = create_app(settings).test_client()
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
    assert now.status_code == 200, now.get_data(as_text=True)
    assert json.loads(now.data)["boolean"] is True
    then = client.get("/sparql", query_string={"query": ASK, "op": yesterday}, headers=accept)
    assert then.status_code == 200, then.get_data(as_text=True)
    assert json.loads(then.data)["boolean"] is False


@pytest.mark.parametrize("bad", ["31-02-2023", "2023-02-31", "gisteren"])
def test_a_bad_day_is_a_400_in_dutch(edited: tuple[FlaskClient, datetime.date], bad: str) -> None:
    client, _today = edited
    for url in (f"{PAGE}.json?op={bad}", f"/sparql?query=ASK%7B%7D&op={bad}"):
        response = client.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert "geen bestaande datum" in response.get_data(as_text=True)


def test_the_change_pages_list_who_why_and_what(edited: tuple[FlaskClient, datetime.date]) -> None:
    client, today = edited
    listed = client.get("/wijzigingen.json").get_json()
    (change,) = listed["changes"]
    assert (change["agent"], change["reason"]) == ("Anna (SZW)", "Schuift op")
    assert change["source"]["title"] == "Voortgangsbrief arbeidsmarktkrapte"
    assert any(t["o"].get("text") == "2023-05-31" for t in change["added"])
    html = client.get("/wijzigingen").get_data(as_text=True)
    assert "Anna (SZW)" in html
    assert "Schuift op" in html
    feed = client.get("/wijzigingen/feed.json")
    assert feed.mimetype == "application/feed+json"
    assert feed.get_json()["items"][0]["authors"] == [{"name": "Anna (SZW)"}]
    page = client.get(PAGE).get_data(as_text=True)
    assert "Wijziging 000001" in page  # the entity's history section
    assert client.get(PAGE + ".json").get_json()["history"][0]["agent"] == "Anna (SZW)"
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    diff = client.get(f"/verschil.json?van={yesterday}&tot={today.isoformat()}").get_json()
    assert any(t["o"].get("text") == "2023-05-31" for t in diff["added"])
    assert client.get("/verschil").status_code == 200
    assert client.get("/verschil?van=2023-02-31&tot=2023-03-01").status_code == 400
    then = client.get(f"/wijzigingen?op={yesterday}").get_data(as_text=True)
    assert "Anna (SZW)" not in then
    assert f"zoals hij was op {yesterday}" in then
    conflicts = client.get("/conflicten.json").get_json()
    assert {c["kind"] for c in conflicts["conflicts"]} <= {
        "follow_up_before",
        "track_without_active",
        "overdue",
    }
    assert client.get("/conflicten").status_code == 200


def test_the_timeline_shows_the_revised_date_beside_the_deck_planning(
    edited: tuple[FlaskClient, datetime.date],
) -> None:
    client, today = edited
    rows = client.get("/tijdlijn.json").get_json()["dated"]
    (row,) = [r for r in rows if r["iri"].endswith("traject-kamerbrief-arbeidsmarktkrapte")]
    assert (row["end"], row["revised"]) == ("2023-02-28", "2023-05-31")
    assert "herzien: 2023-05-31" in client.get("/tijdlijn").get_data(as_text=True)
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert "herzien: 2023-05-31" not in client.get(f"/tijdlijn?op={yesterday}").get_data(
        as_text=True
    )


def test_the_matrix_shows_the_revised_date(edited: tuple[FlaskClient, datetime.date]) -> None:
    client, _today = edited
    rows = client.get("/matrix.json").get_json()["rows"]
    (row,) = [r for r in rows if r["iri"].endswith("traject-kamerbrief-arbeidsmarktkrapte")]
    assert row["revised"] == "2023-05-31"
    assert "herzien: 2023-05-31" in client.get("/matrix").get_data(as_text=True)


def test_a_web_process_moves_to_a_new_version_before_a_request_asks(
    make_data_copy: Callable[..., Path],
) -> None:
    """``amkg serve``'s follower: the new version's store is opened and the app's graph moved
    to it without a request (the first request after a save no longer pays for it)."""
    data = make_data_copy()
    app = create_app({"TESTING": True, "DATA_DIR": str(data)})
    before = app.extensions["amkg"]
    stop = asof.follow(app, every=0.01)
    try:
        changes.commit(KnowledgeGraph.open(data_dir=data), revise("2023-05-31"))
        deadline = time.monotonic() + 30
        while app.extensions["amkg"] is before and time.monotonic() < deadline:
            time.sleep(0.02)
        moved = app.extensions["amkg"]
        assert moved is not before
        assert history.current(moved) is moved  # the newest version, open
    finally:
        stop.set()
    page = app.test_client().get(PAGE + ".json").get_data(as_text=True)
    assert "2023-05-31" in page
    assert app.extensions["amkg"] is moved


def test_the_follower_takes_the_versions_of_a_busy_second_in_one_move(
    make_data_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While editors save, a web process moves at most once per ``at_most_every`` s: the
    versions committed in between are taken together, and the newest is read in the end."""
    data = make_data_copy()
    app = create_app({"TESTING": True, "DATA_DIR": str(data)})
    start = app.extensions["amkg"]
    warmed: list[tuple[float, object]] = []
    monkeypatch.setattr(asof.catalogue, "warm", lambda kg: warmed.append((time.monotonic(), kg)))
    gap = 5.0  # long enough for two commits on a busy machine
    stop = asof.follow(app, every=0.01, at_most_every=gap)
    try:
        writer = KnowledgeGraph.open(data_dir=data)
        changes.commit(writer, revise("2023-05-31"))
        deadline = time.monotonic() + 30
        while not warmed and time.monotonic() < deadline:
            time.sleep(0.02)
        first = app.extensions["amkg"]
        assert first is not start
        changes.commit(history.current(writer), move("2023-05-31", "2023-06-07"))
        changes.commit(history.current(writer), move("2023-06-07", "2023-06-14"))
        latest = history.current(writer)
        assert app.extensions["amkg"] is first  # not yet: within the gap after the move
        while len(warmed) < 2 and time.monotonic() < deadline + gap:
            time.sleep(0.02)
    finally:
        stop.set()
    assert [kg for _t, kg in warmed] == [first, app.extensions["amkg"]]
    newest = changes.dataset_etag(latest)  # the newest, the one in between skipped
    assert changes.dataset_etag(app.extensions["amkg"]) == newest
    assert history.current(app.extensions["amkg"]) is app.extensions["amkg"]
    assert warmed[1][0] - warmed[0][0] >= gap
    page = app.test_client().get(PAGE + ".json").get_data(as_text=True)
    assert "2023-06-14" in page
