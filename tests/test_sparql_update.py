"""Writes by script (issue 11): SPARQL 1.1 Update on /sparql and the Graph Store Protocol on
/rdf-graph-store need a token; the role rules (403), the SHACL gate (422 with the report as JSON
or Turtle) and bad input (400) each leave the graph byte-identical; an accepted change is in the
history with who and why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from amkg.graph.export import canonical_ntriples
from amkg.graph.history import current, history
from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from tests.conftest import copy_data_dir

PASSWORD = "een lang geheim wachtwoord"
PREFIXES = (
    "PREFIX amkg: <https://w3id.org/amkg/def#> PREFIX kg: <https://w3id.org/amkg/id/> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)
SZW_TRAJECTORY = "traject-kamerbrief-arbeidsmarktkrapte"  # SZW, planned February 2023
JENV_TRAJECTORY = "traject-kabinetsreactie-acvz-richtgetallen"  # JenV, SZW a partner
META = {"reason": "Schuift op", "source-title": "Voortgangsbrief", "source-date": "2023-04-01"}
GSP, GSP_META, NT = "/rdf-graph-store", {"default": "", **META}, "application/n-triples"


def revise(trajectory: str, day: str) -> str:
    return PREFIXES + f'INSERT DATA {{ kg:{trajectory} amkg:revisedDate "{day}"^^xsd:date }}'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("updates")
    data = copy_data_dir(folder / "data")
    application = create_app({"TESTING": True, "DATA_DIR": str(data),
                              "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")})  # fmt: skip
    accounts = application.extensions["amkg_accounts"]
    accounts.add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    accounts.add_user("root", "beheerder", PASSWORD)
    application.config["TOKENS"] = {
        "anna": accounts.create_token("anna")[1],
        "root": accounts.create_token("root")[1],
    }
    yield application
    close_pool(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(app: Flask, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.config['TOKENS'][name]}"}


def snapshot(app: Flask) -> bytes:
    return canonical_ntriples(current(app.extensions["amkg"]))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"path": "/sparql", "method": "POST",
         "data": {"update": revise(SZW_TRAJECTORY, "2023-05-01"), **META}},
        {"path": "/sparql", "method": "POST", "data": revise(SZW_TRAJECTORY, "2023-05-01"),
         "content_type": "application/sparql-update"},
        {"path": "/rdf-graph-store?default", "method": "POST", "data": b"<a:b> <a:c> <a:d> .",
         "content_type": "application/n-triples"},
        {"path": "/rdf-graph-store?default", "method": "PUT", "data": b"",
         "content_type": "text/turtle"},
        {"path": "/rdf-graph-store?default", "method": "DELETE"},
    ],
)  # fmt: skip
@pytest.mark.parametrize("token", [None, "amkg_0123_not-a-real-token"])
def test_writes_without_a_valid_token_get_401(
    app: Flask, client: FlaskClient, kwargs: dict[str, object], token: str | None
) -> None:
    before = snapshot(app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = client.open(**kwargs, headers=headers)  # type: ignore[arg-type]
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith('Bearer realm="amkg"')
    assert reply.get_json()["error"]["reason"]
    assert snapshot(app) == before


def test_an_editor_of_szw_cannot_change_a_jenv_trajectory(app: Flask, client: FlaskClient) -> None:
    before = snapshot(app)
    update = revise(JENV_TRAJECTORY, "2023-12-31")
    reply = client.post("/sparql", data={"update": update, **META}, headers=auth(app, "anna"))
    assert reply.status_code == 403
    assert "coördineert dit traject niet" in reply.get_json()["error"]["reason"]
    nt = f'<{KG[JENV_TRAJECTORY]}> <http://www.w3.org/2004/02/skos/core#note> "x" .'
    reply = client.post(GSP, data=nt.encode(), query_string=GSP_META,
                        content_type=NT, headers=auth(app, "anna"))  # fmt: skip
    assert reply.status_code == 403
    assert snapshot(app) == before


def test_a_violating_update_gets_422_with_the_dutch_report_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    before = snapshot(app)
    update = revise(SZW_TRAJECTORY, "2022-01-01")  # before its planned date
    reply = client.post("/sparql", data={"update": update, **META}, headers=auth(app, "anna"))
    assert reply.status_code == 422
    report = reply.get_json()["report"]
    assert report["conforms"] is False
    assert any("vóór de geplande datum" in v["message_nl"] for v in report["violations"])
    as_turtle = client.post("/sparql", data={"update": update, **META},
                            headers={**auth(app, "anna"), "Accept": "text/turtle"})  # fmt: skip
    assert as_turtle.status_code == 422
    assert as_turtle.mimetype == "text/turtle"
    assert len(Graph().parse(data=as_turtle.get_data(as_text=True), format="turtle")) > 0
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("meta", "words"),
    [
        ({"source-title": "Brief"}, "reden"),
        ({"reason": "x"}, "bron"),
        ({**META, "source-date": "31-02-2023"}, "datum"),
    ],
)
def test_bad_change_metadata_gets_400_and_changes_nothing(
    app: Flask, client: FlaskClient, meta: dict[str, str], words: str
) -> None:
    before = snapshot(app)
    update = revise(SZW_TRAJECTORY, "2023-06-01")
    reply = client.post("/sparql", data={"update": update, **meta}, headers=auth(app, "anna"))
    assert reply.status_code == 400
    assert words in reply.get_json()["error"]["reason"].lower()
    assert snapshot(app) == before


def test_an_editor_moves_their_own_trajectory_by_update(app: Flask, client: FlaskClient) -> None:
    update = revise(SZW_TRAJECTORY, "2023-05-01")
    reply = client.post(
        "/sparql",
        data=update.encode(),
        content_type="application/sparql-update",
        headers={**auth(app, "anna"), "X-AMKG-Reason": "Schuift%20op%20naar%20mei",
                 "X-AMKG-Source-Title": "Voortgangsbrief", "X-AMKG-Source-Date": "2023-04-01"},
    )  # fmt: skip
    assert reply.status_code == 200, reply.get_data(as_text=True)
    change = reply.get_json()["change"]
    assert b'"2023-05-01"^^<http://www.w3.org/2001/XMLSchema#date>' in snapshot(app)
    found = [c for c in history(app.extensions["amkg"], KG[SZW_TRAJECTORY])
             if c.change_id == change]  # fmt: skip
    assert [(c.agent, c.reason, c.source.title) for c in found] == [
        ("anna", "Schuift op naar mei", "Voortgangsbrief")
    ]


def test_the_graph_store_protocol_adds_reads_and_refuses_other_graphs(
    app: Flask, client: FlaskClient
) -> None:
    note = f'<{KG[SZW_TRAJECTORY]}> <http://www.w3.org/2004/02/skos/core#note> "Notitie GSP"@nl .'
    reply = client.post(GSP, data=note.encode(), query_string=GSP_META,
                        content_type=NT, headers=auth(app, "anna"))  # fmt: skip
    assert reply.status_code == 200, reply.get_data(as_text=True)
    again = client.post(GSP, data=note.encode(), query_string=GSP_META,
                        content_type=NT, headers=auth(app, "anna"))  # fmt: skip
    assert again.status_code == 204  # nothing new
    read = client.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert read.status_code == 200
    assert "Notitie GSP" in read.get_data(as_text=True)
    other = client.get("/rdf-graph-store", query_string={"graph": "http://example.org/g"})
    assert other.status_code == 404
    assert client.get("/rdf-graph-store").status_code == 400
    before = snapshot(app)
    emptied = client.delete(GSP, query_string=GSP_META,
                            headers=auth(app, "anna"))  # fmt: skip
    assert emptied.status_code == 403  # an editor cannot empty the graph
    assert snapshot(app) == before


def test_if_match_makes_a_write_conditional_on_the_version_it_read(
    app: Flask, client: FlaskClient
) -> None:
    """A script reads the graph (its ETag), writes with If-Match: it lands; a second write on
    the same, now old, ETag gets 412 with the current ETag and changes nothing (by SPARQL Update
    and by the Graph Store Protocol); ``If-Match: *`` writes on whatever is current."""
    read = client.get("/rdf-graph-store?default", headers={"Accept": NT})
    tag = read.headers["ETag"]
    assert tag.startswith('"')
    first = client.post("/sparql", data={"update": revise(JENV_TRAJECTORY, "2023-07-01"), **META},
                        headers={**auth(app, "root"), "If-Match": tag})  # fmt: skip
    assert first.status_code == 200, first.get_data(as_text=True)
    newer = first.headers["ETag"]
    assert newer != tag
    assert client.get("/rdf-graph-store?default").headers["ETag"] == newer

    before = snapshot(app)
    stale = client.post("/sparql", data={"update": revise(SZW_TRAJECTORY, "2023-08-01"), **META},
                        headers={**auth(app, "root"), "If-Match": tag})  # fmt: skip
    assert stale.status_code == 412
    assert stale.headers["ETag"] == newer
    assert "intussen gewijzigd" in stale.get_data(as_text=True)
    note = f'<{KG[SZW_TRAJECTORY]}> <http://www.w3.org/2004/02/skos/core#note> "Te laat"@nl .'
    put = client.post(GSP, data=note.encode(), query_string=GSP_META, content_type=NT,
                      headers={**auth(app, "root"), "If-Match": tag})  # fmt: skip
    assert put.status_code == 412
    assert snapshot(app) == before

    anyway = client.post(GSP, data=note.encode(), query_string=GSP_META, content_type=NT,
                         headers={**auth(app, "root"), "If-Match": "*"})  # fmt: skip
    assert anyway.status_code == 200, anyway.get_data(as_text=True)


def test_a_stale_if_match_is_refused_at_commit_too(app: Flask) -> None:
    """The check at commit is atomic: a version tag that was current when the request began but
    not when the change is committed is a conflict."""
    from amkg.graph.changes import commit, dataset_etag
    from amkg.graph.changes_types import DATASET, Change, EditConflict
    from tests.edits_helpers import SOURCE

    skos_note = URIRef("http://www.w3.org/2004/02/skos/core#note")
    kg = current(app.extensions["amkg"])
    tag = dataset_etag(kg)
    between = (KG["spoor-2"], skos_note, Literal("Tussendoor", lang="nl"))
    commit(kg, Change("root", "Tussendoor", SOURCE, added=(between,)))
    late = (KG["spoor-3"], skos_note, Literal("Te laat", lang="nl"))
    with pytest.raises(EditConflict) as raised:
        commit(kg, Change("root", "Te laat", SOURCE, added=(late,)), if_match={DATASET: tag})
    assert raised.value.entity == DATASET
    assert raised.value.current_etag == dataset_etag(current(kg))


def test_the_service_description_says_updates_need_a_token(client: FlaskClient) -> None:
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "SPARQL11Update" in described
    assert "Bearer" in described


def test_the_endpoint_documents_its_write_parameters() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("X-AMKG-Reason", "source-title", "/rdf-graph-store", "amkg token create"):
        assert name in readme
