"""Logging in and out (issue 11): one Dutch message for a wrong name or password, throttling
per account (429 with Retry-After) that a second app over the same accounts file sees too,
CSRF on the login form, secure cookie flags, the header shows who is logged in, logging out
ends the session on the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from amkg.webui.app import create_app

PASSWORD = "een lang geheim wachtwoord"


@pytest.fixture
def accounts_path(tmp_path: Path) -> Path:
    return tmp_path / "accounts.sqlite3"


@pytest.fixture
def app(accounts_path: Path) -> Flask:
    application = create_app({"TESTING": True, "ACCOUNTS_PATH": str(accounts_path),
                              "LOGIN_FAILURES_PER_ACCOUNT": 3})  # fmt: skip
    application.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, "urn:szw")
    return application


def _csrf(client: FlaskClient) -> str:
    page = client.get("/inloggen").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _login(client: FlaskClient, name: str, password: str) -> TestResponse:
    data = {"name": name, "password": password, "csrf_token": _csrf(client)}
    return client.post("/inloggen", data=data)


def test_a_wrong_password_or_name_gets_the_same_dutch_message(app: Flask) -> None:
    client = app.test_client()
    wrong_password = _login(client, "anna", "niet het wachtwoord")
    wrong_name = _login(client, "niemand", PASSWORD)
    for reply in (wrong_password, wrong_name):
        assert reply.status_code == 401
        text = reply.get_data(as_text=True)
        assert "de combinatie van gebruikersnaam en wachtwoord klopt niet" in text
    assert client.get("/inloggen.json").get_json()["user"] is None


def test_logging_in_sets_a_secure_session_and_the_header_shows_the_user(app: Flask) -> None:
    client = app.test_client()
    reply = _login(client, "anna", PASSWORD)
    assert reply.status_code == 303
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith("amkg_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    header = client.get("/").get_data(as_text=True).split("</header>")[0]
    assert "Ingelogd: anna" in header
    assert 'action="/uitloggen"' in header
    over_https = app.test_client()
    secure = over_https.get("/inloggen", base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_logging_out_ends_the_session_on_the_server(app: Flask) -> None:
    client = app.test_client()
    _login(client, "anna", PASSWORD)
    with client.session_transaction() as session:
        stolen = dict(session)
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/uitloggen", data={"csrf_token": token.group(1)}).status_code == 303
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)  # the old cookie's content, replayed
    assert replay.get("/inloggen.json").get_json()["user"] is None


def test_the_login_form_needs_its_csrf_token(app: Flask) -> None:
    reply = app.test_client().post("/inloggen", data={"name": "anna", "password": PASSWORD})
    assert reply.status_code == 403
    assert "CSRF" in reply.get_data(as_text=True)


def test_too_many_failures_are_throttled_across_web_processes(
    app: Flask, accounts_path: Path
) -> None:
    client = app.test_client()
    for _ in range(3):
        assert _login(client, "anna", "fout wachtwoord").status_code == 401
    refused = _login(client, "anna", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Te veel mislukte pogingen" in refused.get_data(as_text=True)
    other = create_app({"TESTING": True, "ACCOUNTS_PATH": str(accounts_path),
                        "LOGIN_FAILURES_PER_ACCOUNT": 3})  # fmt: skip
    assert _login(other.test_client(), "anna", PASSWORD).status_code == 429
