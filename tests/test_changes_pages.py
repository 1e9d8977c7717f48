"""Long histories stay readable and cheap (issue 11): ``/wijzigingen`` a page at a time
(``voor=``, the ``next`` link), one entity's changes (``over=``), and an entity's page with
only its newest changes and a link to all of them. A page reads only its own change sets."""

from __future__ import annotations

import itertools

import pytest
from flask.testing import FlaskClient

from amkg.graph import changes, history
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG
from amkg.graph.paths import DATA_DIR
from amkg.webui.app import create_app
from amkg.webui.views import changes_page
from tests.conftest import copy_data_dir
from tests.edits_helpers import move, revise

LOCAL = "traject-kamerbrief-arbeidsmarktkrapte"
OTHER = KG["traject-rapportage-commissie-roemer"]
DAYS = [f"2023-06-{d:02d}" for d in range(1, 8)]  # seven changes of one trajectory


@pytest.fixture(scope="module")
def long_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[FlaskClient, list[int]]:
    """Seven changes of one trajectory, then one of another: eight change sets (made once
    for the module: the tests only read)."""
    data = copy_data_dir(tmp_path_factory.mktemp("history") / "data", DATA_DIR)
    client = create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()
    kg = KnowledgeGraph.open(data_dir=data)
    numbers = [int(changes.commit(kg, revise(DAYS[0])).change_id)]
    for old, new in itertools.pairwise(DAYS):
        numbers.append(int(changes.commit(kg, move(old, new)).change_id))
    numbers.append(int(changes.commit(kg, revise("2023-09-01", subject=OTHER)).change_id))
    return client, numbers


def test_an_entity_page_shows_its_newest_changes_and_links_to_all(
    long_history: tuple[FlaskClient, list[int]],
) -> None:
    client, numbers = long_history
    found = client.get(f"/id/{LOCAL}.json").get_json()
    shown = [c["sequence"] for c in found["history"]]
    assert shown == sorted(numbers[:7], reverse=True)[: changes_page.ON_ENTITY_PAGE]
    assert found["history_total"] == 7
    assert found["history_url"] == f"/wijzigingen?over={LOCAL}"
    html = client.get(f"/id/{LOCAL}?lang=nl").get_data(as_text=True)
    assert f'href="/wijzigingen?over={LOCAL}"' in html
    assert "Alle 7 wijzigingen van dit element" in html
    english = client.get(f"/id/{LOCAL}?lang=en").get_data(as_text=True)
    assert "All 7 changes of this resource" in english
    later = [c for c in found["provenance"] if c["change"]]  # the sources of the changes
    assert [int(c["change"]["change"]) for c in later] == shown  # the newest, as the history
    assert found["provenance_older"] == 2
    assert any(c["slide"] for c in found["provenance"])  # the deck's citations all stay
    assert "En de bronnen van 2 oudere wijzigingen" in html
    newest = shown[0]  # a change's link opens the page of /wijzigingen that lists it
    assert f'href="/wijzigingen?voor={newest + 1}#wz-{newest:06d}"' in html
    few = client.get("/id/traject-rapportage-commissie-roemer.json").get_json()
    assert (few["history_total"], few["history_url"]) == (1, None)  # all of it is on the page
    assert few["provenance_older"] == 0


def test_the_changes_of_one_entity_newest_first(
    long_history: tuple[FlaskClient, list[int]],
) -> None:
    client, numbers = long_history
    for about in (LOCAL, f"kg:{LOCAL}", str(KG[LOCAL])):
        listed = client.get("/wijzigingen.json", query_string={"over": about}).get_json()
        assert [c["sequence"] for c in listed["changes"]] == sorted(numbers[:7], reverse=True)
        assert listed["total"] == 7
        assert listed["about"]["url"] == f"/id/{LOCAL}"
    html = client.get(f"/wijzigingen?over={LOCAL}&lang=nl").get_data(as_text=True)
    assert "Wijzigingen van" in html
    nothing = client.get("/wijzigingen.json?over=https://example.org/niets").get_json()
    assert (nothing["changes"], nothing["total"]) == ([], 0)


def test_all_changes_page_by_page_without_gaps_or_repeats(
    long_history: tuple[FlaskClient, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, numbers = long_history
    monkeypatch.setattr(changes_page, "PAGE", 3)
    url: str | None = "/wijzigingen.json"
    seen: list[int] = []
    pages = 0
    while url is not None:
        listed = client.get(url).get_json()
        assert listed["total"] == 8
        assert len(listed["changes"]) <= 3
        seen += [c["sequence"] for c in listed["changes"]]
        url = listed["next"]
        pages += 1
        assert url is None or url.startswith("/wijzigingen.json?voor=")
    assert seen == sorted(numbers, reverse=True)
    for number in (seen[0], seen[4], seen[-1]):  # each change's own link lists it first
        listed = client.get(f"/wijzigingen.json?voor={number + 1}").get_json()
        assert listed["changes"][0]["sequence"] == number
    assert pages == 3
    second = client.get(f"/wijzigingen?voor={seen[2]}&lang=nl").get_data(as_text=True)
    assert 'rel="next"' in second  # a third page follows
    assert 'href="/wijzigingen"' in second
    assert "Naar de nieuwste" in second
    last = client.get(f"/wijzigingen?voor={seen[5]}&lang=en").get_data(as_text=True)
    assert 'rel="next"' not in last
    assert "To the newest" in last


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("voor=abc", "geen wijzigingsnummer"),
        ("voor=-3", "geen wijzigingsnummer"),
        ("over=%3Cscript%3E", "geen element van de graaf"),
        ("over=https://exa%20mple.org/x", "geen element van de graaf"),
    ],
)
def test_a_bad_page_or_entity_is_a_400_naming_it(
    long_history: tuple[FlaskClient, list[int]], query: str, reason: str
) -> None:
    client, _numbers = long_history
    for path in ("/wijzigingen", "/wijzigingen.json"):
        answer = client.get(f"{path}?{query}&lang=nl")
        assert answer.status_code == 400
        assert reason in answer.get_data(as_text=True)
        if not path.endswith(".json"):  # shown escaped in the page
            assert "<script>" not in answer.get_data(as_text=True)


def test_a_page_reads_only_its_own_change_sets(
    long_history: tuple[FlaskClient, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, numbers = long_history
    read: list[str] = []
    whole = history._info

    def counting(store: object, row: dict[str, object]) -> object:
        read.append(str(row["change"]))
        return whole(store, row)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "_info", counting)
    kg = client.application.extensions["amkg"]
    found = history.page(kg, 2, about=KG[LOCAL])
    assert [c.sequence for c in found.changes] == sorted(numbers[:7], reverse=True)[:2]
    assert len(read) == 2  # not seven, not eight
    assert found.older == found.changes[-1].sequence
    read.clear()
    oldest = history.page(kg, 2, before=numbers[1])
    assert ([c.sequence for c in oldest.changes], oldest.older) == ([numbers[0]], None)
    assert len(read) == 1
