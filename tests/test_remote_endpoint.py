"""The endpoint's guarantees in front of each real server (marker ``servers``): the conformance
tests of ``tests/test_endpoint.py`` run again with the store set to an Oxigraph server, Jena
(Fuseki, or Debian's Jena ARQ behind ``tests/servers/ArqServer.java``) and Virtuoso in turn,
each a server of this module's own holding the same small data, loaded by ``amkg load --into``.

/sparql stays read-only, refuses SERVICE/LOAD/FROM before anything is sent (the server sees
no such request), keeps its row cap, body/character/nesting caps and time limit, and answers
the protocol and every format as it does on the embedded store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from amkg.graph.remote import RemoteStore
from amkg.graph.remote_load import load_into
from amkg.graph.sources import Sources
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from tests.servers import SERVERS, Server, ServerMissing, start
from tests.test_endpoint import (  # run here again, against each server
    CONFIG,
    HERE,
    LONG_QUERY,
    OUTBOUND,
    TRACKS,
    client_at,
    listener,
    test_a_body_over_the_limit_is_a_413,
    test_a_format_that_does_not_fit_is_a_400,
    test_a_full_pool_is_a_429_with_retry_after,
    test_a_query_over_the_character_limit_is_a_400,
    test_an_update_sent_as_a_query_is_refused_and_changes_nothing,
    test_anonymous_updates_are_refused_and_change_nothing,
    test_bad_requests,
    test_construct_and_describe_in_every_graph_format,
    test_cors_for_reads_and_the_preflight,
    test_dataset_parameters_are_refused,
    test_get_form_post_and_direct_post_give_the_same_answer,
    test_nesting_up_to_the_limit_still_parses,
    test_q_values_choose_and_the_default_is_json_or_turtle,
    test_select_and_ask_in_every_results_format,
    test_ten_thousand_nested_parentheses_are_a_clean_400,
    test_the_row_limit_is_stated_in_a_header,
    test_the_service_description,
    wait_until_idle,
)
from tests.test_remote_servers import required

pytestmark = pytest.mark.servers
REUSED = (listener, test_a_body_over_the_limit_is_a_413, test_a_format_that_does_not_fit_is_a_400,
          test_a_full_pool_is_a_429_with_retry_after, test_bad_requests,
          test_a_query_over_the_character_limit_is_a_400,
          test_construct_and_describe_in_every_graph_format, test_cors_for_reads_and_the_preflight,
          test_dataset_parameters_are_refused,
          test_get_form_post_and_direct_post_give_the_same_answer,
          test_nesting_up_to_the_limit_still_parses,
          test_q_values_choose_and_the_default_is_json_or_turtle,
          test_select_and_ask_in_every_results_format,
          test_ten_thousand_nested_parentheses_are_a_clean_400,
          test_the_row_limit_is_stated_in_a_header, test_the_service_description,
          test_an_update_sent_as_a_query_is_refused_and_changes_nothing,
          test_anonymous_updates_are_refused_and_change_nothing)  # fmt: skip


@pytest.fixture(scope="module", params=SERVERS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    try:
        running = start(request.param, tmp_path_factory.mktemp(f"endpoint-{request.param}"))
    except ServerMissing as error:
        if request.param in required():
            pytest.fail(f"CI needs the {request.param} server: {error}")
        pytest.skip(f"{request.param} server not installed here: {error}")
    try:
        store = RemoteStore(running.config())
        load_into(store, Sources.resolve(HERE / "data", HERE / "ontology"))
        store.close()
        yield running
    finally:
        running.stop()


#: The time limit here: 2 s, not the embedded tests' 1 s, so that a quick query still fits on a
#: busy machine while the server also holds the queries a previous test dropped.
LIMIT = 2.0


@pytest.fixture(scope="module")
def app(server: Server) -> Iterator[Flask]:
    application = create_app({**CONFIG, "QUERY_TIMEOUT": LIMIT, **server.settings()})
    yield application
    close_pool(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("template", OUTBOUND)
def test_no_outbound_request_is_sent_to_the_server_or_anywhere(
    client: FlaskClient, listener: tuple[str, list[str]], template: str
) -> None:
    url, seen = listener
    query = template.format(url=url)
    for reply in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data=query, content_type="application/sparql-query"),
    ):
        assert reply.status_code == 400
        assert "not allowed" in reply.get_json()["error"]["reason"]
    assert seen == []


def test_the_store_is_unchanged_by_every_refused_update(server: Server, app: Flask) -> None:
    """Besides the endpoint's own answer: the server itself holds what was loaded."""
    store = RemoteStore(server.config())
    try:
        before = store.dump()
        client = app.test_client()
        for update in ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "CLEAR ALL",
                       "DROP DEFAULT", "LOAD <http://127.0.0.1:9/x.ttl>"):  # fmt: skip
            # refused: 401 for an anonymous client (issue 11's accounts), else 403 (read-only)
            assert client.post("/sparql", data={"update": update}).status_code in (401, 403)
        assert store.dump() == before
    finally:
        store.close()


def test_an_overrun_is_a_503_while_another_client_is_served(app: Flask) -> None:
    """The time limit: the server is told it (where it takes one) and the app drops the
    request at the limit whatever the server does; another client is answered meanwhile."""
    wait_until_idle(app)
    outcome: dict[str, Any] = {}

    def slow_client() -> None:
        started = time.monotonic()
        reply = client_at(app, "192.0.2.1").get("/sparql", query_string={"query": LONG_QUERY})
        outcome.update(seconds=time.monotonic() - started, ended=time.monotonic(),
                       status=reply.status_code, error=reply.get_json()["error"],
                       retry=reply.headers.get("Retry-After"))  # fmt: skip

    thread = threading.Thread(target=slow_client)
    thread.start()
    time.sleep(0.3)
    quick = client_at(app, "192.0.2.2").get("/sparql", query_string={"query": TRACKS})
    answered = time.monotonic()
    assert quick.status_code == 200
    thread.join(30)
    assert answered < outcome["ended"]
    assert outcome["status"] == 503
    assert outcome["error"]["reason"] == f"query stopped after {LIMIT:g} s (the time limit)"
    assert outcome["retry"]
    assert LIMIT <= outcome["seconds"] < LIMIT + 5
    wait_until_idle(app)
