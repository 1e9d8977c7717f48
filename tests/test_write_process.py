"""Writes in a process of their own (``webui/write_process.py``): which requests go there, an
edit saved through it is seen by the web process, the process runs at the configured nice
value, and a write process that died is replaced on the next write."""

from __future__ import annotations

import gc
import html
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from amkg.graph.history import current, history
from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.asof import FOLLOW_KEY
from amkg.webui.sparql import close_pool
from amkg.webui.sparql_direct import DirectSparql, use_write_process
from amkg.webui.write_process import WriteProcess, writes
from tests.conftest import copy_data_dir

PASSWORD = "een lang geheim wachtwoord"
SZW = "traject-werken-aan-de-toekomst"  # SZW coordinates it
FORM = "/bewerken/traject/"
NICE = 5


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("write-process")
    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(folder / "data")),
                "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")}  # fmt: skip
    application = create_app(settings)
    application.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    use_write_process(application, NICE, settings)
    yield application
    _writes(application).close()
    close_pool(application)


def _writes(app: Flask) -> WriteProcess:
    front = app.wsgi_app
    assert isinstance(front, DirectSparql)
    assert front.writes is not None
    return front.writes


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


def login(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = _hidden(client.get("/inloggen").get_data(as_text=True), "csrf_token")
    form = {"name": "anna", "password": PASSWORD, "csrf_token": token}
    assert client.post("/inloggen", data=form).status_code == 303
    return client


def save_date(client: FlaskClient, day: str) -> int:
    """Move the trajectory's revised date as the form does: preview, then save."""
    page = client.get(FORM + SZW).get_data(as_text=True)
    values = client.get(FORM + SZW + ".json").get_json()["values"]
    values.pop("planning_end")
    form = {**values, "revised": day, "csrf_token": _hidden(page, "csrf_token"),
            "etag": _hidden(page, "etag"), "previewed": "", "reason": "Schuift op",
            "source_title": "Voortgangsbrief", "source_date": "2023-04-01",
            "action": "save"}  # fmt: skip
    reply = client.post(FORM + SZW, data=form)
    if reply.status_code == 200:  # the date preview first
        form["previewed"] = _hidden(reply.get_data(as_text=True), "previewed")
        reply = client.post(FORM + SZW, data=form)
    return reply.status_code


def environ(method: str, path: str, **more: object) -> dict[str, object]:
    return EnvironBuilder(method=method, path=path, **more).get_environ()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "expected"),
    [
        ("GET", FORM + SZW, b"", None, True),  # an edit form: for editors only
        ("GET", FORM + SZW + ".json", b"", None, True),
        ("GET", "/nieuw/traject", b"", None, True),
        ("GET", "/bewerken/tekst/spoor-1", b"", None, True),
        ("HEAD", FORM + SZW, b"", None, False),
        ("GET", "/id/" + SZW, b"", None, False),  # reading stays
        ("GET", "/bewerken/bestaat-niet", b"", None, False),  # 404: the web process answers
        ("POST", FORM + SZW, b"a=1", "application/x-www-form-urlencoded", True),
        ("POST", "/nieuw/traject", b"", None, True),
        ("POST", "/bewerken/tekst/spoor-1", b"", None, True),
        ("PUT", "/rdf-graph-store", b"", "text/turtle", True),
        ("DELETE", "/rdf-graph-store", b"", None, True),
        ("POST", "/inloggen", b"name=a", "application/x-www-form-urlencoded", False),
        ("POST", "/uitloggen", b"", None, False),
        ("POST", "/sparql", b"query=ASK{}", "application/x-www-form-urlencoded", False),
        ("POST", "/sparql", b"ASK {}", "application/sparql-query", False),
        ("POST", "/sparql", b"update=CLEAR+ALL", "application/x-www-form-urlencoded", True),
        ("POST", "/sparql", b"CLEAR ALL", "application/sparql-update", True),
        ("POST", "/bestaat-niet", b"", None, False),  # 404: the web process answers
    ],
)
def test_only_requests_that_write_go_to_the_write_process(
    app: Flask, method: str, path: str, body: bytes, content_type: str | None, expected: bool
) -> None:
    env = environ(method, path, data=body, content_type=content_type)
    assert writes(app.url_map, env, body) is expected  # type: ignore[arg-type]


def test_a_graph_store_body_larger_than_a_form_goes_over_whole(app: Flask) -> None:
    """The Graph Store takes bodies up to ``GRAPH_STORE_MAX_BYTES``, more than any other route
    (``MAX_BODY_BYTES``): such a PUT goes to the write process too, with its body."""
    body = b"# " + b"x" * (app.config["MAX_BODY_BYTES"] + 10) + b"\n"
    env = environ("PUT", "/rdf-graph-store", data=body, content_type="text/turtle")
    assert _writes(app).takes(env)  # type: ignore[arg-type]
    assert env["wsgi.input"].read() == body  # type: ignore[attr-defined]
    too_big = environ("POST", FORM + SZW, data=body, content_type="text/plain")
    assert not _writes(app).takes(too_big)  # type: ignore[arg-type]  # the app answers 413


def test_an_edit_is_saved_by_the_write_process_and_read_by_the_web_process(app: Flask) -> None:
    writer = _writes(app)
    client = login(app)
    before = writer.handed
    assert save_date(client, "2023-09-01") == 303
    assert writer.handed == before + 4  # the form (HTML, JSON), the preview and the save
    page = client.get(f"/id/{SZW}.json").get_data(as_text=True)
    assert "2023-09-01" in page
    assert history(current(app.extensions["amkg"]), KG[SZW])[-1].reason == "Schuift op"


def _answered_a_write(app: Flask) -> WriteProcess:
    """The write process, once it has answered a request (it is ready, not just spawned)."""
    refused = app.test_client().post("/sparql", data={"update": "CLEAR ALL"})
    assert refused.status_code == 401
    return _writes(app)


def test_the_write_process_runs_at_the_configured_nice_value(app: Flask) -> None:
    pid = _answered_a_write(app).pid
    assert pid is not None
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + NICE


def test_the_write_process_freezes_its_warmed_up_heap(app: Flask) -> None:
    frozen = _answered_a_write(app).frozen
    assert frozen > 100_000  # what the warm-up built: out of the collector's way


def test_reading_and_a_query_stay_in_the_web_process_and_anonymous_writes_are_refused(
    app: Flask,
) -> None:
    writer = _writes(app)
    client = app.test_client()
    before = writer.handed
    assert client.get("/matrix.json").status_code == 200
    reply = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert reply.status_code == 200
    assert writer.handed == before
    refused = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert refused.status_code == 401  # answered by the write process, as in the web process
    assert "Bearer" in refused.headers["WWW-Authenticate"]
    assert writer.handed == before + 1


def _ready(writer: WriteProcess) -> None:
    """Wait until the write process has started (it warms its edit path first)."""
    channel = writer._current()
    assert channel.ready.wait(120)
    assert channel.ready_seen


def test_a_write_process_that_died_is_replaced_on_the_next_write(app: Flask) -> None:
    writer = _writes(app)
    client = login(app)
    _ready(writer)  # (one that dies before it is ready did not start: see the test below)
    old = writer.pid
    assert old is not None
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and writer._channel is not None and writer._channel.alive:
        time.sleep(0.05)  # the web process notices when the pipe closes
    assert save_date(client, "2023-10-01") == 303
    assert writer.pid not in (None, old)
    assert "2023-10-01" in client.get(f"/id/{SZW}.json").get_data(as_text=True)


def test_a_write_the_write_process_cannot_answer_is_a_503_with_a_reason(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amkg.webui import write_process

    writer = _writes(app)
    client = login(app)
    _ready(writer)
    monkeypatch.setattr(write_process, "TIMEOUT", 0.3)
    assert writer.pid is not None
    os.kill(writer.pid, signal.SIGSTOP)  # it cannot answer in time
    try:
        reply = client.post("/nieuw/traject", data={}, headers={"Accept": "application/json"})
        assert reply.status_code == 503
        assert reply.headers["Retry-After"] == "5"
        assert "/wijzigingen" in reply.get_json()["error"]["reason"]
        page = client.post("/nieuw/traject?lang=en", data={})
        assert page.status_code == 503
        assert "The write process did not answer" in page.get_data(as_text=True)
    finally:
        os.kill(writer.pid, signal.SIGCONT)
    monkeypatch.undo()
    assert save_date(client, "2023-11-01") == 303  # the process itself carries on
    assert writer.pid is not None


def test_a_write_process_that_cannot_start_leaves_the_write_to_the_web_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(tmp_path / "data")),
                "ACCOUNTS_PATH": str(tmp_path / "accounts.sqlite3")}  # fmt: skip
    application = create_app(settings)
    application.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    front = application.wsgi_app
    assert isinstance(front, DirectSparql)
    # the write process inherits the environment: a settings file that is not there stops it
    monkeypatch.setenv("AMKG_SETTINGS", str(tmp_path / "weg.toml"))
    front.writes = WriteProcess(application, settings, NICE)
    try:
        client = login(application)
        assert save_date(client, "2023-12-01") == 303  # answered here, nothing lost
        assert front.writes.handed == 4  # the form (HTML, JSON), the preview and the save
        channel = front.writes._channel
        assert channel is not None
        assert not channel.alive
        assert not channel.ready_seen  # it never started: the web process answered all four
        assert "2023-12-01" in client.get(f"/id/{SZW}.json").get_data(as_text=True)
    finally:
        front.writes.close()
        close_pool(application)


def test_a_bad_nice_value_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="WRITE_PROCESS_NICE"):
        WriteProcess(app, None, 20)


def test_each_web_process_of_serve_hands_its_writes_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from amkg.webui.cli import serve
    from amkg.webui.heap import FROZEN_KEY

    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(tmp_path / "data")),
                "ACCOUNTS_PATH": str(tmp_path / "accounts.sqlite3"),
                "QUERY_WORKERS": 1}  # fmt: skip
    monkeypatch.setenv(serve.CONFIG_ENV, json.dumps(settings))
    monkeypatch.setattr(serve.logs, "configure", lambda level: None)  # other tests' logging
    served = serve.served_app()  # as Granian builds it in each web process
    front = served.wsgi_app
    assert isinstance(front, DirectSparql)
    deadline = time.monotonic() + 60
    while front.writes is None and time.monotonic() < deadline:
        time.sleep(0.05)  # installed beside the first requests
    try:
        assert isinstance(front.writes, WriteProcess)
        assert front.writes.nice == 10  # WRITE_PROCESS_NICE's default
        while FOLLOW_KEY not in served.extensions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert FOLLOW_KEY in served.extensions  # and it follows the new versions
        while FROZEN_KEY not in served.extensions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert served.extensions[FROZEN_KEY] > 100_000  # the warmed-up heap, out of gc's way
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on with other tests
        if front.writes is not None:
            front.writes.close()
        if FOLLOW_KEY in served.extensions:
            served.extensions[FOLLOW_KEY].set()
        close_pool(served)
