"""The app itself: settings in layers, the blueprints, the one error renderer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from amkg.webui.app import create_app

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
CONFIG = {"DATA_DIR": str(HERE / "data"), "ONTOLOGY_DIR": str(HERE / "ontology")}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(CONFIG)  # its query pool starts only with a query, and none is sent


def test_settings_come_in_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python_file = tmp_path / "site.py"
    python_file.write_text("QUERY_TIMEOUT = 3.5\nROW_LIMIT = 5\nMAX_BODY_BYTES = 1234\n")
    monkeypatch.setenv("AMKG_SETTINGS", str(python_file))
    dirs = {"DATA_DIR": CONFIG["DATA_DIR"], "ONTOLOGY_DIR": CONFIG["ONTOLOGY_DIR"]}
    layered = create_app({**dirs, "ROW_LIMIT": 7})
    assert layered.config["QUERY_TIMEOUT"] == 3.5  # from the file
    assert layered.config["ROW_LIMIT"] == 7  # test_config wins
    assert layered.config["MAX_CONTENT_LENGTH"] == 1234
    assert layered.config["MAX_NESTING"] == 64  # the default
    json_file = tmp_path / "site.json"
    json_file.write_text(json.dumps({"QUERY_WORKERS": 3}))
    monkeypatch.setenv("AMKG_SETTINGS", str(json_file))
    assert create_app(dirs).config["QUERY_WORKERS"] == 3


def test_every_listed_blueprint_is_registered(app: Flask) -> None:
    from amkg.webui.app import BLUEPRINTS

    assert len(app.blueprints) == len(BLUEPRINTS)


@pytest.fixture
def error_app() -> Flask:
    from amkg.webui.errors import HttpError

    application = create_app(CONFIG)

    def boom() -> str:
        raise HttpError(409, "<script>alert('x')</script> & \"kg:spoor-3\"")

    application.add_url_rule("/boom", view_func=boom)
    return application


def test_an_html_error_page_escapes_the_reason(error_app: Flask) -> None:
    reply = error_app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert reply.status_code == 409
    assert reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;kg:spoor-3&#34;" in page
    assert "409 Conflict" in page


def test_json_errors_by_accept_path_or_extension(error_app: Flask) -> None:
    client = error_app.test_client()
    reply = client.get("/boom", headers={"Accept": "application/json"})
    reason = "<script>alert('x')</script> & \"kg:spoor-3\""
    assert reply.get_json() == {"error": {"status": 409, "title": "Conflict", "reason": reason}}
    for path in ("/api/nothing-here", "/nothing.json", "/sparql/deeper"):
        missing = client.get(path, headers={"Accept": "text/html"})
        assert missing.status_code == 404
        assert missing.get_json()["error"]["reason"]


def test_the_error_page_stands_alone_when_base_html_cannot_render(
    error_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("amkg.webui.errors._layout", lambda: "no-such-layout.html")
    reply = error_app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("lang", "title", "reason"),
    [("nl", "404 Niet gevonden", "Op dit adres staat niets"),
     ("en", "404 Not found", "There is nothing at this address")],
)  # fmt: skip
def test_an_error_page_speaks_the_readers_language_and_json_keeps_the_http_phrase(
    app: Flask, lang: str, title: str, reason: str
) -> None:
    client = app.test_client()
    page = client.get(f"/bestaat/niet?lang={lang}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert f'<h1 id="error-title">{title}</h1>' in text
    assert reason in text
    assert "requested URL was not found" not in text
    answer = client.get("/bestaat/niet", headers={"Accept": "application/json"}).get_json()
    assert answer["error"]["title"] == "Not Found"
