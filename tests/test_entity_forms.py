"""The forms that add a trajectory, a measure or an effect and correct an entity's labels or
note (issue 11, webui/entity_edit.py): each saves through the gate with its reason and source and
shows up in the history; a violation or bad input is shown at its field and changes nothing; the
roles decide who may use which; a stale correction is a 409 with both versions."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from amkg.graph.changes import BadChange
from amkg.graph.history import current, history
from amkg.graph.load import AMKG, KG
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from amkg.webui.views.entity_forms import field_of, slug_of
from tests.conftest import copy_data_dir
from tests.test_edit_forms import PASSWORD, errors, snapshot

SZW_TRAJECTORY = "traject-werken-aan-de-toekomst"  # SZW coordinates it
JENV_TRAJECTORY = "traject-kabinetsreactie-acvz-richtgetallen"  # JenV; SZW a partner
SOURCE = {"reason": "Nieuw begonnen", "source_title": "Brief van de minister",
          "source_date": "2024-01-10", "source_url": "https://example.org/brief"}  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("entity-forms")
    application = create_app({"TESTING": True, "DATA_DIR": str(copy_data_dir(folder / "data")),
                              "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")})  # fmt: skip
    accounts = application.extensions["amkg_accounts"]
    accounts.add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    accounts.add_user("bert", "redacteur", PASSWORD, str(KG["szw"]))
    accounts.add_user("beheer", "beheerder", PASSWORD)
    accounts.add_user("chef", "beheerder", PASSWORD)
    yield application
    close_pool(application)


def login(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    reply = client.post("/inloggen", data={"name": name, "password": PASSWORD,
                                           "csrf_token": _csrf(page)})  # fmt: skip
    assert reply.status_code == 303
    return client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    token = _csrf(client.get(path).get_data(as_text=True))
    return client.post(path, data={**SOURCE, "csrf_token": token, **data})


def trajectory(label: str = "Kamerbrief arbeidsmigratie 2024", **more: Any) -> dict[str, Any]:
    return {"label_nl": label, "label_en": "Letter on labour migration 2024",
            "status": "gepland", "planning": str(KG["planning-2024"]), "planned": "2024-03-31",
            "coordinators": [str(KG["szw"])], "partners": [str(KG["jenv"])],
            "domains": [str(KG["domein-1"])],
            "measures": [str(KG["maatregel-kennissessies"])], **more}  # fmt: skip


def test_slugs_are_lower_case_ascii_with_the_type_word_once() -> None:
    assert slug_of("Traject: Één brief over Arbeidsmigratie (2024)", "traject") == (
        "traject-een-brief-over-arbeidsmigratie-2024"
    )
    assert slug_of("x " * 100, "effect").count("-") <= 31
    with pytest.raises(BadChange) as refused:
        slug_of("!!!", "maatregel")
    assert refused.value.field == "label_nl"


def test_violation_paths_map_to_fields() -> None:
    assert field_of("amkg:belongsToTrack") == "track"
    assert field_of("https://w3id.org/amkg/def#actsOn") == "factors"
    assert field_of("<http://www.w3.org/2000/01/rdf-schema#label>") == "label_nl"
    assert field_of("coordinatedBy") == "coordinators"
    assert field_of("source") == "source_title"
    assert field_of(None) == ""


def test_a_beheerder_adds_a_trajectory_with_its_source_and_history(app: Flask) -> None:
    client = login(app, "beheer")
    assert "Nieuw traject" in client.get("/").get_data(as_text=True)  # the entry in the header
    reply = post(client, "/nieuw/traject", trajectory())
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))
    local = "traject-kamerbrief-arbeidsmigratie-2024"
    assert reply.headers["Location"] == "/id/" + local
    page = client.get("/id/" + local).get_data(as_text=True)
    assert "Kamerbrief arbeidsmigratie 2024" in page
    cited = re.search(r'class="citation citation-change">\s*<blockquote>(.*?)</blockquote>', page)
    assert cited is not None  # its source, as its citation (beside the history)
    assert cited.group(1) == (
        '<a href="https://example.org/brief" rel="nofollow noopener">Brief van de minister</a> '
        "(2024-01-10)"
    )
    for other in ("/tijdlijn", "/matrix"):
        assert "Kamerbrief arbeidsmigratie 2024" in client.get(other).get_data(as_text=True)
    [change] = history(app.extensions["amkg"], KG[local])
    assert (change.agent, change.reason, change.source.title) == (
        "beheer", "Nieuw begonnen", "Brief van de minister")  # fmt: skip
    assert (KG[local], AMKG.coordinatedBy, KG["szw"]) in change.added
    again = post(client, "/nieuw/traject", trajectory(label="Kamerbrief: arbeidsmigratie 2024!"))
    assert again.status_code == 400  # the same IRI: refused at the name, nothing made
    assert (
        "kg:traject-kamerbrief-arbeidsmigratie-2024"
        in errors(again.get_data(as_text=True))["label_nl"]
    )


def test_a_redacteur_adds_a_trajectory_only_for_their_own_ministry(app: Flask) -> None:
    client = login(app, "anna")
    form = client.get("/nieuw/traject").get_data(as_text=True)
    assert re.search(rf'value="{KG["szw"]}" checked', form)  # their ministry, chosen already
    before = snapshot(app)
    other = trajectory("Traject van JenV", coordinators=[str(KG["jenv"])])
    refused = post(client, "/nieuw/traject", other)
    assert refused.status_code == 403
    assert "eigen ministerie" in html.unescape(refused.get_data(as_text=True))
    assert snapshot(app) == before
    mine = post(client, "/nieuw/traject", trajectory("Traject van SZW"))
    assert mine.status_code == 303
    assert mine.headers["Location"] == "/id/traject-van-szw"  # the type word once


def test_measures_and_effects_are_for_a_beheerder(app: Flask) -> None:
    anna = login(app, "anna")
    for path in ("/nieuw/maatregel", "/nieuw/effect"):
        reply = anna.get(path)
        assert reply.status_code == 403
        assert "beheerder" in html.unescape(reply.get_data(as_text=True))
    before = snapshot(app)
    measure = {"label_nl": "Van anna", "label_en": "By anna", "track": str(KG["spoor-2"])}
    assert post(anna, "/nieuw/maatregel", measure).status_code == 403
    assert snapshot(app) == before
    track = anna.get("/spoor/2").get_data(as_text=True)
    assert "/nieuw/maatregel" not in track
    assert "/nieuw/effect" not in track
    anonymous = app.test_client()
    assert anonymous.get("/nieuw/maatregel").status_code == 303
    assert "/nieuw/" not in anonymous.get("/spoor/2").get_data(as_text=True)
    assert "Nieuw traject" not in anonymous.get("/").get_data(as_text=True)
    assert "/bewerken/tekst/" not in anonymous.get("/id/spoor-2").get_data(as_text=True)


def test_a_beheerder_adds_a_measure_to_a_track_and_an_effect_of_it(app: Flask) -> None:
    client = login(app, "beheer")
    track = client.get("/spoor/2").get_data(as_text=True)
    assert "/nieuw/maatregel?spoor=2" in track
    form = client.get("/nieuw/maatregel?spoor=2").get_data(as_text=True)
    assert f'value="{KG["spoor-2"]}" selected' in form
    measure = {"label_nl": "Regionale banenafspraken", "label_en": "Regional job agreements",
               "track": str(KG["spoor-2"])}  # fmt: skip
    reply = post(client, "/nieuw/maatregel", measure)
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))
    assert "Regionale banenafspraken" in client.get("/spoor/2").get_data(as_text=True)
    local = "maatregel-regionale-banenafspraken"
    assert f"/nieuw/effect?van={local}" in client.get("/id/" + local).get_data(as_text=True)
    effect = {"label_nl": "Minder krapte in de regio", "label_en": "Less shortage in the region",
              "of": str(KG[local]), "factors": [str(KG["factor-arbeidsmarktkrapte"])],
              "direction": str(AMKG.decrease), "magnitude": "beperkt effect"}  # fmt: skip
    reply = post(client, "/nieuw/effect", effect)
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))
    assert reply.headers["Location"] == "/id/effect-minder-krapte-in-de-regio"
    levers = client.get("/knoppen.json").get_data(as_text=True)  # levers x effects
    assert str(KG["effect-minder-krapte-in-de-regio"]) in levers
    added = history(app.extensions["amkg"], KG["effect-minder-krapte-in-de-regio"])[0].added
    assert (KG[local], AMKG.hasEffect, KG["effect-minder-krapte-in-de-regio"]) in added


def test_a_violation_is_shown_at_its_field_and_changes_nothing(app: Flask) -> None:
    client = login(app, "beheer")
    before = snapshot(app)
    active = trajectory("Actief zonder coordinator", coordinators=[], status="lopend")
    reply = post(client, "/nieuw/traject", active)
    assert reply.status_code == 422
    assert "coördinerend ministerie" in errors(reply.get_data(as_text=True))["coordinators"]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("path", "change", "field", "words"),
    [
        ("/nieuw/traject", {"reason": ""}, "reason", "reden"),
        ("/nieuw/traject", {"note": "<script>alert(1)</script>"}, "note", "geen opmaak"),
        ("/nieuw/traject", {"status": "bijna klaar"}, "status", "onbekende status"),
        ("/nieuw/traject", {"planned": "31-02-2023"}, "planned", "geen bestaande datum"),
        ("/nieuw/traject", {"label_nl": "x" * 1000}, "label_nl", "te lang"),
        ("/nieuw/traject", {"label_en": ""}, "label_en", "verplicht"),
        ("/nieuw/traject", {"planning": str(KG["spoor-1"])}, "planning", "onbekende keuze"),
        ("/nieuw/traject", {"source_title": "", "source_url": ""}, "source_title", "bron"),
        ("/nieuw/maatregel", {"label_nl": "M", "label_en": "M", "track": ""}, "track", "verplicht"),
        (
            "/nieuw/effect",
            {
                "label_nl": "E",
                "label_en": "E",
                "of": str(KG["spoor-1"]),
                "direction": str(AMKG.increase),
            },
            "factors",
            "verplicht",
        ),
        ("/bewerken/tekst/spoor-2", {"label_nl": "", "label_en": "x"}, "label_nl", "verplicht"),
        ("/bewerken/tekst/spoor-2", {"note": "<b>vet</b>"}, "note", "geen opmaak"),
    ],
)
def test_bad_input_gets_a_dutch_message_at_its_field_and_changes_nothing(
    app: Flask, path: str, change: dict[str, str], field: str, words: str
) -> None:
    client = login(app, "beheer")
    base = trajectory("Slecht traject") if path == "/nieuw/traject" else {}
    if path.startswith("/bewerken/"):
        base = {**_texts(client, path), "note": "Een notitie"}
    before = snapshot(app)
    reply = post(client, path, {**base, **change})
    assert reply.status_code == 400
    found = errors(reply.get_data(as_text=True))
    assert field in found, found
    assert words in found[field].lower()
    internal = r"[a-z]+(?:[A-Z]\w*|_\w+): "  # revisedDate: ..., source_date: ...
    assert not re.match(internal, found[field])
    assert not found[field].startswith(f"{field}: ")
    assert snapshot(app) == before


def test_a_label_of_a_megabyte_is_refused_in_dutch(app: Flask) -> None:
    client = login(app, "beheer")
    before = snapshot(app)
    reply = post(client, "/nieuw/traject", trajectory("x" * 1_000_000))
    assert reply.status_code == 413
    assert "te groot" in html.unescape(reply.get_data(as_text=True))
    edit = "/bewerken/traject/" + SZW_TRAJECTORY  # the trajectory's own edit form says it too
    reply = post(client, edit, {"label": "x" * 1_000_000, "action": "save"})
    assert reply.status_code == 413
    assert "te groot" in html.unescape(reply.get_data(as_text=True))
    assert snapshot(app) == before


def _texts(client: FlaskClient, path: str) -> dict[str, str]:
    found = client.get(path + ".json").get_json()
    values = {k: v for k, v in found["values"].items() if k != "trajectory"}
    return {**values, "etag": found["etag"]}


def test_a_beheerder_corrects_a_label_and_a_note_of_any_entity(app: Flask) -> None:
    client = login(app, "beheer")
    path = "/bewerken/tekst/factor-arbeidsmarktkrapte"
    assert path in client.get("/id/factor-arbeidsmarktkrapte").get_data(as_text=True)
    texts = _texts(client, path)
    reply = post(client, path, {**texts, "label_en": "Labour market shortage (corrected)",
                                "note": "Zie ook A & B"})  # fmt: skip
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))
    page = client.get("/id/factor-arbeidsmarktkrapte?lang=en").get_data(as_text=True)
    assert "Labour market shortage (corrected)" in page
    assert "Zie ook A &amp; B" in page  # the note, escaped
    change = history(app.extensions["amkg"], KG["factor-arbeidsmarktkrapte"])[0]  # the latest
    assert change.reason == "Nieuw begonnen"
    subject = KG["factor-arbeidsmarktkrapte"]
    assert (subject, RDFS.label, Literal(texts["label_en"], lang="en")) in change.removed
    labels = {str(o) for o in current(app.extensions["amkg"]).describe(subject).objects(RDFS.label)}
    assert "Labour market shortage (corrected)" in labels


def test_a_redacteur_corrects_texts_of_their_own_trajectories_only(app: Flask) -> None:
    anna = login(app, "anna")
    assert anna.get("/bewerken/tekst/" + JENV_TRAJECTORY).status_code == 403
    assert anna.get("/bewerken/tekst/spoor-2").status_code == 403
    assert "/bewerken/tekst/" not in anna.get("/id/spoor-2").get_data(as_text=True)
    path = "/bewerken/tekst/" + SZW_TRAJECTORY
    assert path in anna.get("/id/" + SZW_TRAJECTORY).get_data(as_text=True)
    reply = post(anna, path, {**_texts(anna, path), "note": "Eerste resultaten medio 2023"})
    assert reply.status_code == 303, errors(reply.get_data(as_text=True))


def test_a_stale_correction_gets_409_with_both_versions(app: Flask) -> None:
    beheer, chef = login(app, "beheer"), login(app, "chef")
    path = "/bewerken/tekst/spoor-3"
    mine, theirs = _texts(beheer, path), _texts(chef, path)
    assert post(chef, path, {**theirs, "note": "Notitie van chef"}).status_code == 303
    before = snapshot(app)
    reply = post(beheer, path, {**mine, "note": "Notitie van beheer"})
    page = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 409
    assert "Iemand anders was u voor" in page
    assert "Notitie van chef" in page
    assert "Notitie van beheer" in page
    assert snapshot(app) == before


def test_the_forms_need_a_csrf_token(app: Flask) -> None:
    client = login(app, "beheer")
    reply = client.post("/nieuw/traject", data={**SOURCE, **trajectory("Zonder token")})
    assert reply.status_code == 403
    assert not current(app.extensions["amkg"]).has_resource(URIRef(KG["traject-zonder-token"]))


def test_the_json_twins_give_the_fields_and_choices(app: Flask) -> None:
    client = login(app, "beheer")
    found = client.get("/nieuw/effect.json?van=spoor-1").get_json()
    assert found["values"]["of"] == str(KG["spoor-1"])
    assert str(AMKG.increase) in {o["iri"] for o in found["options"]["direction"]}
    texts = client.get("/bewerken/tekst/spoor-1.json").get_json()
    assert texts["values"]["label_nl"]
    assert texts["etag"]
    assert client.get("/bewerken/tekst/bestaat-niet").status_code == 404
