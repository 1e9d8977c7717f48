"""Every write route refuses without an account (issue 11), found by walking ``app.url_map``.

For each route and each method other than GET/HEAD/OPTIONS, :func:`unprotected` sends a write
without credentials (a form post as a browser sends it, an update on ``/sparql``), with a token
that is not one, and with a logged-in session but no CSRF token. Each must be refused: 401, a
redirect to ``/inloggen``, or 403. A route added later is walked too; the last test shows that
a write route that forgets its check is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from amkg.webui.app import create_app
from amkg.webui.auth import token_route
from amkg.webui.sparql import close_pool

SAFE = {"GET", "HEAD", "OPTIONS"}
INSERT = "INSERT DATA { <https://w3id.org/amkg/id/x> <https://w3id.org/amkg/def#y> 1 }"
PASSWORD = "een lang geheim wachtwoord"


def _url(rule: Rule) -> str:
    """The rule's path with a harmless value for each variable (``<int:n>``: 1, else x)."""
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
        lambda m: "1" if m.group(1) == "int" else "x",
        rule.rule,
    )


def write_requests(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) of the app that is not a safe method."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SAFE):
            found.append((method, _url(rule)))
    return sorted(found)


def _refused(status: int, location: str | None) -> bool:
    """401, 403, a redirect to the login form, or a body this route does not take at all
    (415: e.g. N-Triples on /sparql)."""
    if status in (401, 403, 415):
        return True
    return status in (302, 303) and (location or "").startswith("/inloggen")


def unprotected(app: Flask, session_client: FlaskClient | None = None) -> list[str]:
    """The write requests that were not refused, as ``METHOD path: status``."""
    leaks = []
    for method, path in write_requests(app):
        form = {"update": INSERT, "reason": "r", "source-title": "t", "name": "x"}
        attempts: list[dict[str, object]] = [
            {"data": form, "headers": {"Accept": "text/html"}},
            {"data": form, "headers": {"Authorization": "Bearer amkg_0_not-a-token"}},
            {"data": INSERT, "content_type": "application/sparql-update"},
            {"data": b"<a:b> <a:c> <a:d> .", "content_type": "application/n-triples",
             "query_string": {"default": ""}},
        ]  # fmt: skip
        clients = [app.test_client()]
        if session_client is not None:
            clients.append(session_client)  # logged in, but no CSRF token
        for client in clients:
            for kwargs in attempts:
                reply = client.open(path, method=method, **kwargs)  # type: ignore[arg-type]
                if not _refused(reply.status_code, reply.headers.get("Location")):
                    leaks.append(f"{method} {path}: {reply.status_code}")
    return leaks


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    accounts = tmp_path_factory.mktemp("accounts") / "accounts.sqlite3"
    application = create_app({"TESTING": True, "ACCOUNTS_PATH": str(accounts)})
    store = application.extensions["amkg_accounts"]
    store.add_user("beheer", "beheerder", PASSWORD)
    yield application
    close_pool(application)


def _logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = app.extensions["amkg_accounts"].open_session("beheer")
    assert client.get("/inloggen.json").get_json()["user"]["name"] == "beheer"
    return client


def test_the_walk_finds_the_write_routes(app: Flask) -> None:
    found = {path for _method, path in write_requests(app)}
    assert {"/sparql", "/inloggen", "/uitloggen", "/rdf-graph-store"} <= found
    forms = {"/bewerken/traject/x", "/bewerken/tekst/x"}  # issue 11's forms
    assert forms | {"/nieuw/traject", "/nieuw/maatregel", "/nieuw/effect"} <= found


def test_every_write_route_refuses_without_an_account_and_without_csrf(app: Flask) -> None:
    assert unprotected(app, _logged_in(app)) == []


def test_a_write_route_that_forgets_its_check_is_caught(tmp_path: Path) -> None:
    application = create_app({"TESTING": True, "ACCOUNTS_PATH": str(tmp_path / "a.sqlite3")})

    @token_route  # claims to check its own token, and does not
    def leaky() -> str:
        return "written"

    application.add_url_rule("/lek", view_func=leaky, methods=["POST"])
    application.add_url_rule("/dicht", view_func=lambda: "ok", methods=["POST"], endpoint="dicht")
    leaks = unprotected(application)
    assert any(leak.startswith("POST /lek") for leak in leaks)
    assert not any("/dicht" in leak for leak in leaks)  # default deny covers a plain new route
