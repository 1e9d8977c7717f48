"""The trajectory edit form (issue 11): who may open it, the preview before a date change is
saved, violations next to their field with nothing changed, bad input in Dutch, and a stale
save (another editor saved first) refused with 409 showing both versions."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from amkg.graph.export import canonical_ntriples
from amkg.graph.history import current, history
from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from amkg.webui.views.edit_trajectory import field_of
from tests.conftest import copy_data_dir

PASSWORD = "een lang geheim wachtwoord"
SZW = "traject-werken-aan-de-toekomst"  # SZW coordinates it; planning June 2023
JENV = "traject-kabinetsreactie-acvz-richtgetallen"  # JenV, SZW a partner
FORM = "/bewerken/traject/"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("edit-forms")
    application = create_app({"TESTING": True, "DATA_DIR": str(copy_data_dir(folder / "data")),
                              "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")})  # fmt: skip
    accounts = application.extensions["amkg_accounts"]
    accounts.add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    accounts.add_user("bert", "redacteur", PASSWORD, str(KG["szw"]))
    yield application
    close_pool(application)


def login(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    token = _csrf(client.get("/inloggen").get_data(as_text=True))
    reply = client.post("/inloggen", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert reply.status_code == 303
    return client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None
    return html.unescape(found.group(1))


def form_of(client: FlaskClient, local: str = SZW) -> dict[str, str]:
    """The form as the browser would send it, unchanged."""
    page = client.get(FORM + local).get_data(as_text=True)
    values = client.get(FORM + local + ".json").get_json()["values"]
    values.pop("planning_end")
    return {**values, "csrf_token": _csrf(page), "etag": _hidden(page, "etag"),
            "previewed": "", "reason": "Schuift op", "source_title": "Voortgangsbrief",
            "source_date": "2023-04-01", "action": "save"}  # fmt: skip


def errors(page: str) -> dict[str, str]:
    found = re.findall(r'class="field-error" id="err-(\w+)">([^<]*)', page)
    return {name: html.unescape(text) for name, text in found}


def snapshot(app: Flask) -> bytes:
    return canonical_ntriples(current(app.extensions["amkg"]))


def test_anonymous_is_sent_to_login_and_another_ministry_gets_403(app: Flask) -> None:
    reply = app.test_client().get(FORM + SZW)
    assert reply.status_code == 303
    assert reply.headers["Location"].startswith("/inloggen?next=")
    client = login(app, "anna")
    assert client.get(FORM + JENV).status_code == 403
    assert "Dit traject bewerken" in client.get("/id/" + SZW).get_data(as_text=True)
    assert "Dit traject bewerken" not in client.get("/id/" + JENV).get_data(as_text=True)
    assert "Dit traject bewerken" not in app.test_client().get("/id/" + SZW).get_data(as_text=True)


def test_a_date_change_is_previewed_before_it_is_saved(app: Flask) -> None:
    client = login(app, "anna")
    form = {**form_of(client), "revised": "2023-09-30", "status": "vertraagd"}
    before = snapshot(app)
    shown = client.post(FORM + SZW, data=form)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "Gevolgen van deze wijziging" in page
    assert "De datum gaat van 2023-06-30 naar 2023-09-30." in page
    assert "Spoor 1" in page  # what it touches
    assert snapshot(app) == before  # nothing saved yet
    saved = client.post(FORM + SZW, data={**form, "previewed": _hidden(page, "previewed")})
    assert saved.status_code == 303
    assert saved.headers["Location"] == "/id/" + SZW
    assert "2023-09-30" in client.get("/id/" + SZW).get_data(as_text=True)
    latest = history(app.extensions["amkg"], KG[SZW])[0]
    assert (latest.agent, latest.reason, latest.source.title) == (
        "anna", "Schuift op", "Voortgangsbrief")  # fmt: skip


def test_a_violation_is_shown_at_its_field_and_changes_nothing(app: Flask) -> None:
    client = login(app, "anna")
    form = {**form_of(client), "completion": "2023-10-01", "status": "lopend"}
    before = snapshot(app)
    shown = client.post(FORM + SZW, data=form)  # a date: the preview comes first, and says so
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "alleen bij de status afgerond" in errors(page)["completion"]
    reply = client.post(FORM + SZW, data={**form, "previewed": _hidden(page, "previewed")})
    assert reply.status_code == 422
    assert "alleen bij de status afgerond" in errors(reply.get_data(as_text=True))["completion"]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"reason": ""}, "reason", "reden"),
        ({"note": "<script>x</script>"}, "note", "geen opmaak"),
        ({"status": "bijna klaar"}, "status", "onbekende status"),
        ({"planned": "31-02-2023"}, "planned", "datum"),
        ({"label": "x" * 301}, "label", ""),
    ],
)
def test_bad_input_gets_a_dutch_message_and_changes_nothing(
    app: Flask, change: dict[str, str], field: str, words: str
) -> None:
    client = login(app, "anna")
    form = {**form_of(client), "note": "Een notitie", **change}
    before = snapshot(app)
    reply = client.post(FORM + SZW, data=form)
    assert reply.status_code == 400
    found = errors(reply.get_data(as_text=True))
    assert field in found, found
    assert words in found[field].lower()
    internal = r"[a-z]+(?:[A-Z]\w*|_\w+): "  # revisedDate: ..., source_date: ...
    assert not re.match(internal, found[field])
    assert not found[field].startswith(f"{field}: ")
    assert snapshot(app) == before


def test_a_stale_save_gets_409_with_both_versions(app: Flask) -> None:
    anna, bert = login(app, "anna"), login(app, "bert")
    anna_form = {**form_of(anna), "note": "Anna's notitie"}
    bert_form = {**form_of(bert), "note": "Berts notitie"}
    assert bert.post(FORM + SZW, data=bert_form).status_code == 303
    before = snapshot(app)
    reply = anna.post(FORM + SZW, data=anna_form)
    page = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 409
    assert "Iemand anders was u voor" in page
    assert "Anna's notitie" in page
    assert "Berts notitie" in page
    assert snapshot(app) == before


def test_the_form_needs_its_csrf_token(app: Flask) -> None:
    client = login(app, "anna")
    form = {**form_of(client), "note": "zonder token"}
    del form["csrf_token"]
    assert client.post(FORM + SZW, data=form).status_code == 403


def test_violation_paths_map_to_fields() -> None:
    assert field_of("amkg:completionDate") == "completion"
    assert field_of("https://w3id.org/amkg/def#revisedDate") == "revised"
    assert field_of("<http://www.w3.org/2000/01/rdf-schema#label>") == "label"
    assert field_of("source_url") == "source_url"
    assert field_of(None) == ""


def test_ministries_and_measures_are_chosen_from_the_graph(app: Flask) -> None:
    client = login(app, "anna")
    page = client.get(FORM + SZW).get_data(as_text=True)
    assert f'value="{KG["ezk"]}"' in page  # a ministry to choose
    form = {**form_of(client), "note": ""}
    chosen = {"coordinators": [str(KG["szw"])], "partners": [str(KG["ezk"])],
              "measures": [str(KG["maatregel-kennissessies"])]}  # fmt: skip
    reply = client.post(FORM + SZW, data={**form, **chosen})
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))
    values = client.get(FORM + SZW + ".json").get_json()["values"]
    assert values["partners"] == [str(KG["ezk"])]
    unknown = {**chosen, "partners": ["https://example.org/niet-een-ministerie"]}
    refused = client.post(FORM + SZW, data={**form_of(client), "note": "", **unknown})
    assert refused.status_code == 400
    assert "onbekende keuze" in errors(refused.get_data(as_text=True))["partners"]
