"""Edits on a remote store (issue 11 on issue 10, marker ``servers``): the web form, SPARQL
Update on ``/sparql`` and the Graph Store Protocol write into a real SPARQL server (Oxigraph
server, Jena, Virtuoso: ``tests/servers.py``) through the same gate, as one update request with
the change set; history, pages, ``?op=`` and ``/verschil`` read the change sets from the server.

Each server is this module's own (a fresh one, loaded with the deck): the edits must not reach
the servers of ``tests/test_remote_servers.py``, whose golden tests expect the deck. Two apps
over one server stand in for two app instances (each has its own store client and lock).
"""

from __future__ import annotations

import datetime
import html
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from amkg.graph import changes_remote
from amkg.graph.changes_types import Change
from amkg.graph.load import AMKG, KG
from amkg.graph.remote import RemoteStore, StoreUnavailable
from amkg.graph.remote_load import load_into
from amkg.graph.sources import Sources
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from tests.servers import SERVERS, Server, ServerMissing, restart, start
from tests.test_edit_forms import FORM, PASSWORD, SZW, _hidden, errors, form_of, login
from tests.test_remote_servers import required
from tests.test_sparql_update import META, PREFIXES, SZW_TRAJECTORY, revise

pytestmark = pytest.mark.servers


@pytest.fixture(autouse=True)
def _quiet_term_conversions(caplog: pytest.LogCaptureFixture) -> None:
    """Virtuoso gives ``"P1M"^^xsd:duration`` back as ``"1"``; rdflib logs that with the stack,
    and a kept log record keeps pyoxigraph's query results alive until another thread frees
    them, which pyoxigraph refuses (an unraisable error in the next test)."""
    caplog.set_level(logging.ERROR, logger="rdflib.term")


@pytest.fixture(scope="module", params=SERVERS)
def running_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Server]:  # fmt: skip
    """A fresh server of this module's own (nothing loaded yet)."""
    name = request.param
    try:
        running = start(name, tmp_path_factory.mktemp(f"edits-{name}"))
    except ServerMissing as error:
        if name in required():
            pytest.fail(f"CI needs the {name} server: {error}")
        pytest.skip(f"{name} server not installed here: {error}")
    yield running
    running.stop()  # a test restarts it: its process is then the new one


@pytest.fixture(scope="module")
def server(running_server: Server) -> Server:
    """The module's server with the deck loaded."""
    store = RemoteStore(running_server.config())
    try:
        load_into(store, Sources.resolve())
    finally:
        store.close()
    return running_server


def _app(server: Server, folder: Path) -> Flask:
    return create_app({"TESTING": True, "QUERY_WORKERS": 1, **server.settings(),
                       "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")})  # fmt: skip


@pytest.fixture(scope="module")
def apps(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Flask]]:
    """Two app instances over one server, one accounts file."""
    folder = tmp_path_factory.mktemp("accounts")
    first, second = _app(server, folder), _app(server, folder)
    accounts = first.extensions["amkg_accounts"]
    accounts.add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    accounts.add_user("bert", "redacteur", PASSWORD, str(KG["szw"]))
    first.config["TOKEN"] = accounts.create_token("anna")[1]
    yield [first, second]
    for app in (first, second):
        close_pool(app)


def server_export(server: Server) -> list[bytes]:
    """The server's data graph as N-Triples, sorted, with the number of its newest change. Blank
    nodes carry canonical labels (rdflib.compare): Virtuoso, which has no Graph Store endpoint
    here, is dumped with a CONSTRUCT, and its blank nodes come back with new labels each time."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    store = RemoteStore(server.config())
    try:
        graph = Graph().parse(data=store.dump().decode("utf-8"), format="nt")
        lines = sorted(to_canonical_graph(graph).serialize(format="nt", encoding="utf-8")
                       .splitlines())  # fmt: skip
        return [*lines, str(changes_remote.last_sequence(store)).encode()]
    finally:
        store.close()


def server_has(server: Server, trajectory: str, predicate: URIRef, value: str) -> bool:
    """Whether the server's data graph says ``trajectory predicate value``."""
    from amkg.graph.kg import KnowledgeGraph

    remote = KnowledgeGraph.remote(server.config())
    found = remote.describe(KG[trajectory]).objects(predicate)
    remote.store.close()  # type: ignore[attr-defined]
    return value in {str(v) for v in found}


def _yesterday(page: dict[str, Any]) -> str:
    newest = datetime.datetime.fromisoformat(page["changes"][0]["time_iso"])
    return (newest.date() - datetime.timedelta(days=1)).isoformat()


def test_a_form_edit_lands_in_the_server_and_shows_everywhere(
    server: Server, apps: list[Flask]
) -> None:
    first, second = apps
    client = login(first, "anna")
    form = {**form_of(client), "revised": "2023-09-30", "status": "vertraagd"}
    shown = client.post(FORM + SZW, data=form)  # a date: the impact preview first
    assert shown.status_code == 200
    assert "Gevolgen van deze wijziging" in shown.get_data(as_text=True)
    assert not server_has(server, SZW, AMKG.revisedDate, "2023-09-30")  # nothing saved yet
    previewed = _hidden(shown.get_data(as_text=True), "previewed")
    saved = client.post(FORM + SZW, data={**form, "previewed": previewed})
    assert saved.status_code == 303, errors(saved.get_data(as_text=True))
    assert server_has(server, SZW, AMKG.revisedDate, "2023-09-30")
    other = second.test_client()  # the other instance sees it: it reads the server
    assert "2023-09-30" in other.get("/id/" + SZW).get_data(as_text=True)
    listed = other.get("/wijzigingen.json").get_json()
    newest = listed["changes"][0]
    assert (newest["agent"], newest["reason"]) == ("anna", "Schuift op")
    assert "Schuift op" in other.get("/wijzigingen").get_data(as_text=True)
    assert "Wijziging " + newest["id"] in other.get("/id/" + SZW).get_data(as_text=True)
    before = _yesterday(listed)
    old = other.get(f"/id/{SZW}.json?op={before}").get_data(as_text=True)
    assert "2023-09-30" not in old  # ?op= a day before: the graph as it was
    assert "2023-09-30" in other.get(f"/id/{SZW}.json").get_data(as_text=True)
    ask = PREFIXES + f'ASK {{ kg:{SZW} amkg:revisedDate "2023-09-30"^^xsd:date }}'
    accept = {"Accept": "application/sparql-results+json"}
    for op, expected in ((None, True), (before, False)):  # /sparql as of a day too
        asked = other.get("/sparql", query_string={"query": ask, "op": op}, headers=accept)
        assert asked.get_json()["boolean"] is expected, op
    today = datetime.date.fromisoformat(before) + datetime.timedelta(days=1)
    diff = other.get(f"/verschil.json?van={before}&tot={today.isoformat()}")
    assert diff.status_code == 200
    assert "2023-09-30" in diff.get_data(as_text=True)


def test_a_sparql_update_and_a_graph_store_write_land_in_the_server(
    server: Server, apps: list[Flask]
) -> None:
    first, second = apps
    bearer = {"Authorization": f"Bearer {first.config['TOKEN']}"}
    reply = first.test_client().post(
        "/sparql", data={"update": revise(SZW_TRAJECTORY, "2023-05-01"), **META}, headers=bearer
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    change = reply.get_json()["change"]
    assert server_has(server, SZW_TRAJECTORY, AMKG.revisedDate, "2023-05-01")
    listed = second.test_client().get("/wijzigingen.json").get_json()["changes"]
    assert (listed[0]["id"], listed[0]["agent"]) == (change, "anna")
    note = f'<{KG[SZW_TRAJECTORY]}> <http://www.w3.org/2004/02/skos/core#note> "Via GSP"@nl .'
    written = first.test_client().post(
        "/rdf-graph-store", data=note.encode(), content_type="application/n-triples",
        query_string={"default": "", **META}, headers=bearer,
    )  # fmt: skip
    assert written.status_code == 200, written.get_data(as_text=True)
    assert server_has(server, SZW_TRAJECTORY, SKOS.note, "Via GSP")


def test_if_match_on_one_instance_sees_a_write_through_the_other(
    server: Server, apps: list[Flask]
) -> None:
    """The data's ETag is the server's version: a write through the second instance makes the
    first instance's tag stale (412, nothing written)."""
    first, second = apps
    bearer = {"Authorization": f"Bearer {first.config['TOKEN']}"}
    tag = first.test_client().get("/rdf-graph-store?default").headers["ETag"]
    note = f'<{KG[SZW_TRAJECTORY]}> <http://www.w3.org/2004/02/skos/core#note> "Eerst"@nl .'
    landed = second.test_client().post(
        "/rdf-graph-store", data=note.encode(), content_type="application/n-triples",
        query_string={"default": "", **META}, headers={**bearer, "If-Match": tag},
    )  # fmt: skip
    assert landed.status_code == 200, landed.get_data(as_text=True)
    before = server_export(server)
    stale = first.test_client().post(
        "/sparql", data={"update": revise(SZW_TRAJECTORY, "2023-11-30"), **META},
        headers={**bearer, "If-Match": tag},
    )  # fmt: skip
    assert stale.status_code == 412, stale.get_data(as_text=True)
    assert stale.headers["ETag"] == landed.headers["ETag"]
    assert server_export(server) == before


def test_a_violating_change_is_refused_and_the_server_is_byte_identical(
    server: Server, apps: list[Flask]
) -> None:
    first, _second = apps
    before = server_export(server)
    bearer = {"Authorization": f"Bearer {first.config['TOKEN']}"}
    update = revise(SZW_TRAJECTORY, "2022-01-01")  # before its planned date
    reply = first.test_client().post("/sparql", data={"update": update, **META}, headers=bearer)
    assert reply.status_code == 422
    assert any("vóór de geplande datum" in v["message_nl"]
               for v in reply.get_json()["report"]["violations"])  # fmt: skip
    client = login(first, "anna")
    form = {**form_of(client), "completion": "2023-10-01", "status": "lopend"}
    shown = client.post(FORM + SZW, data=form)
    refused = client.post(FORM + SZW, data={**form, "previewed": _hidden(
        shown.get_data(as_text=True), "previewed")})  # fmt: skip
    assert refused.status_code == 422
    assert "alleen bij de status afgerond" in errors(refused.get_data(as_text=True))["completion"]
    assert server_export(server) == before


def test_two_instances_editing_one_entity_one_gets_409_and_nothing_is_lost(
    server: Server, apps: list[Flask]
) -> None:
    first, second = apps
    anna, bert = login(first, "anna"), login(second, "bert")
    anna_form = {**form_of(anna), "note": "Anna's notitie"}
    bert_form = {**form_of(bert), "note": "Berts notitie"}
    assert bert.post(FORM + SZW, data=bert_form).status_code == 303
    before = server_export(server)
    stale = anna.post(FORM + SZW, data=anna_form)  # read before Bert saved: If-Match fails
    assert stale.status_code == 409
    page = html.unescape(stale.get_data(as_text=True))
    assert "Anna's notitie" in page
    assert "Berts notitie" in page
    assert server_export(server) == before
    # Both read the same version, then save at the same moment from two instances.
    forms = [{**form_of(anna), "note": "Anna tegelijk"}, {**form_of(bert), "note": "Bert tegelijk"}]
    barrier, statuses = threading.Barrier(2), {}

    def save(client: FlaskClient, form: dict[str, str], who: str) -> None:
        barrier.wait()
        statuses[who] = client.post(FORM + SZW, data=form).status_code

    threads = [threading.Thread(target=save, args=(c, f, w))
               for c, f, w in ((anna, forms[0], "anna"), (bert, forms[1], "bert"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) in ([303, 409], [409, 409]), statuses
    saved = [w for w, s in statuses.items() if s == 303]
    notes = {"anna": "Anna tegelijk", "bert": "Bert tegelijk"}
    for who, note in notes.items():  # the saved one is in the server, the refused one is not
        assert server_has(server, SZW, AMKG.editorNote, note) == (who in saved), (who, statuses)
    listed = second.test_client().get("/wijzigingen.json").get_json()["changes"]
    ids = [c["id"] for c in listed]
    assert len(ids) == len(set(ids))  # every change set whole, none merged with another
    assert all(len({c["agent"]}) == 1 for c in listed)


def test_an_answer_lost_after_the_write_is_checked_on_the_server(
    server: Server, apps: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = changes_remote._write

    def lost(store: RemoteStore, *args: Any) -> None:
        original(store, *args)
        raise StoreUnavailable(store.config.url, "connection reset (test)")

    monkeypatch.setattr(changes_remote, "_write", lost)
    client = login(apps[0], "anna")
    saved = client.post(FORM + SZW, data={**form_of(client), "note": "Antwoord kwijt"})
    assert saved.status_code == 303  # it landed, and the server says so
    assert server_has(server, SZW, AMKG.editorNote, "Antwoord kwijt")


def test_an_unreachable_server_during_a_write_is_a_dutch_503_and_nothing_is_half_written(
    server: Server, apps: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _second = apps
    client = login(first, "anna")
    form = {**form_of(client), "note": "Terwijl de server weg is"}
    before = server_export(server)
    original = changes_remote._write

    def gone(store: RemoteStore, *args: Any) -> None:
        server.stop()  # validated and claimed; the server goes away as the change is sent
        original(store, *args)

    monkeypatch.setattr(changes_remote, "_write", gone)
    try:
        for attempt in ("while writing", "before reading"):  # the second finds it stopped
            reply = client.post(FORM + SZW, data=form)
            assert reply.status_code == 503, attempt
            text = reply.get_data(as_text=True)
            assert "De wijziging is niet opgeslagen" in text, attempt
            assert "niets half geschreven" in text, attempt
    finally:
        back = restart(server)
        server.process = back.process  # the module's fixture stops this one
    assert server_export(back) == before
    monkeypatch.undo()  # the server stays now; the claim the failed write left is no obstacle
    again = client.post(FORM + SZW, data={**form_of(client), "note": "Weer bereikbaar"})
    assert again.status_code == 303
    assert server_has(back, SZW, AMKG.editorNote, "Weer bereikbaar")


def _claim_at_once(
    store: RemoteStore, change: URIRef, barrier: threading.Barrier, got: list[URIRef | None]
) -> None:
    barrier.wait()
    got.append(changes_remote._claim(store, change))


def test_claims_let_one_writer_of_a_number_go_on(
    running_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers claiming one change number at once: at most one goes on (Oxigraph server's
    FILTER NOT EXISTS alone let both write, see graph/changes_remote.py); a claim held blocks
    the next writer; one left by a writer that died stops counting after the lease."""
    server = running_server
    stores = [RemoteStore(server.config()), RemoteStore(server.config())]
    try:
        for number in range(900001, 900021):
            change = URIRef(f"https://w3id.org/amkg/wijziging/{number}")
            barrier, got = threading.Barrier(2), []
            threads = [threading.Thread(target=_claim_at_once, args=(s, change, barrier, got))
                       for s in stores]  # fmt: skip
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            held = [c for c in got if c is not None]
            assert len(held) <= 1, number
            for found in held:
                changes_remote._unclaim(stores[0], found)
        change = URIRef("https://w3id.org/amkg/wijziging/900100")
        first = changes_remote._claim(stores[0], change)
        assert first is not None
        assert changes_remote._claim(stores[1], change) is None  # held: the other waits
        monkeypatch.setattr(changes_remote, "LEASE_SECONDS", 0.0)  # as if its writer died
        assert changes_remote._claim(stores[1], change) is not None
    finally:
        for store in stores:
            store.close()


def test_a_change_set_is_written_whole_and_read_back_on_a_small_graph(
    running_server: Server,
) -> None:
    """The update, the read-back and the history queries on a graph of its own: one change set
    written, a second write with the same number leaving nothing, the history listing it once."""
    from amkg.graph.changes import describe_change
    from amkg.graph.history import changes as change_list
    from tests.edits_helpers import SOURCE, TRAJECTORY, day

    store = RemoteStore(running_server.config(graph="https://w3id.org/amkg/graph/klein"))
    try:
        planned = (TRAJECTORY, AMKG.revisedDate, day("2023-04-30"))
        # Not a VALUES block alone in WHERE: Virtuoso 7.2 fails that (SR002, "needs a string
        # output"); the commit's own update always has its FILTER beside the block.
        store.update(f"INSERT DATA {{ GRAPH <{store.config.graph}> {{ "
                     f"{' '.join(t.n3() for t in planned)} }} }}")  # fmt: skip
        number = changes_remote.last_sequence(store) + 1
        moved = (TRAJECTORY, AMKG.revisedDate, day("2023-05-31"))
        change = Change("Anna", "Schuift op", SOURCE, added=(moved,), removed=(planned,))
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        iri, meta, extra = describe_change(change, number, now, now)
        claim = changes_remote._claim(store, iri)
        assert claim is not None
        changes_remote._write(store, iri, list(meta), [moved, *extra], [planned])
        changes_remote._unclaim(store, claim)
        assert changes_remote._landed(store, iri, meta)
        data = store.dump().decode("utf-8")
        assert '"2023-05-31"' in data
        assert '"2023-04-30"' not in data
        late = (TRAJECTORY, SKOS.note, Literal("te laat"))
        changes_remote._write(store, iri, list(meta), [late], [])  # the number is taken
        assert "te laat" not in store.dump().decode("utf-8")
        assert changes_remote.last_sequence(store) == number
        found = [c for c in change_list(store) if c.iri == str(iri)]
        assert [(c.agent, c.reason, c.removed) for c in found] == [
            ("Anna", "Schuift op", (planned,))
        ]
    finally:
        store.close()


def test_a_load_over_edits_is_refused_unless_it_replaces_them(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``amkg load --into`` on a server with edits made through the app would lose them while
    their change sets stayed: it refuses (exit 4, nothing sent) unless ``--replace-edits``, which
    also removes the change sets, so the history starts again with the loaded data."""
    from click.testing import CliRunner

    from amkg.cli.main import main
    from amkg.graph.changes import commit
    from amkg.graph.history import changes as change_list
    from amkg.graph.kg import KnowledgeGraph
    from tests.edits_helpers import SOURCE

    remote = KnowledgeGraph.remote(server.config())
    try:
        if changes_remote.last_sequence(remote.store) == 0:  # run alone: make an edit first
            note = Literal("Toelichting bij de laadtest", lang="nl")
            commit(remote, Change("Anna", "Toelichting", SOURCE, added=((KG["spoor-2"], SKOS.note,
                                                                         note),)))  # fmt: skip
    finally:
        remote.store.close()  # type: ignore[attr-defined]
    before = server_export(server)
    assert int(before[-1]) > 0

    for name, value in (("AMKG_STORE_UPDATE_URL", server.update_url),
                        ("AMKG_STORE_GSP_URL", server.gsp_url)):  # fmt: skip
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    refused = CliRunner().invoke(main, ["load", "--into", server.url])
    assert refused.exit_code == 4, refused.output
    assert "wijziging(en) die niet in de Turtle staan" in refused.output
    assert "--replace-edits" in refused.output
    assert server_export(server) == before  # nothing was sent

    replaced = CliRunner().invoke(main, ["load", "--into", server.url, "--replace-edits"])
    assert replaced.exit_code == 0, replaced.output
    store = RemoteStore(server.config())
    try:
        assert changes_remote.last_sequence(store) == 0
        assert change_list(store) == []
    finally:
        store.close()
