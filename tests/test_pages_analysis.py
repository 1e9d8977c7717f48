"""The analysis pages (webui/pages_analysis.py): matrix, path finder, timeline, figures, query
catalogue and SPARQL editor, with the Flask test client.

Expectations come from the graph (labels in the chosen language, the annex rows) and from the
catalogue. A copy of the data with ``<script>`` labels checks that the pages escape graph text.
The fixtures ``client``, ``graph`` and ``xss_client`` come from ``tests/conftest.py``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import rdflib
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib import RDFS, Literal

from amkg.queries.catalogue import default_catalogue
from tests.helpers import XSS

AMKG = rdflib.Namespace("https://w3id.org/amkg/def#")
KG = rdflib.Namespace("https://w3id.org/amkg/id/")
PAGES = [
    "/matrix",
    "/pad",
    "/tijdlijn",
    "/cijfers",
    "/queries",
    "/queries/trajecten-per-spoor",
    "/sparql-editor",
]
ROW1 = KG["traject-rapportage-commissie-roemer"]


def label(graph: rdflib.Graph, node: rdflib.URIRef, lang: str) -> str:
    """The label as the HTML shows it (escaped)."""
    return str(
        escape(
            next(
                str(o)
                for o in graph.objects(node, RDFS.label)
                if isinstance(o, Literal) and o.language == lang
            )
        )
    )


def text(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_renders_in_both_languages(client: FlaskClient, url: str, lang: str) -> None:
    body = text(client, f"{url}?lang={lang}")
    assert f'<html lang="{lang}">' in body
    assert "<h1>" in body
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) is None  # no inline script
    assert re.search(r"\son[a-z]+=", body) is None  # no inline event handler
    assert ' style="' not in body  # CSP style-src 'self'


def test_pages_send_the_strict_csp(client: FlaskClient) -> None:
    for url in PAGES:
        csp = client.get(url).headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp, url


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_matrix_shows_the_annex_rows_in_order_in_the_language(
    client: FlaskClient, graph: rdflib.Graph, lang: str
) -> None:
    body = text(client, f"/matrix?lang={lang}")
    assert label(graph, ROW1, lang) in body
    data = client.get(f"/matrix.json?lang={lang}").get_json()
    rows = [r["annex_row"] for r in data["rows"]]
    assert rows[:10] == list(range(1, 11))
    assert all(r is None for r in rows[10:])
    assert len(data["rows"]) == len(set(graph.subjects(rdflib.RDF.type, AMKG.Trajectory)))
    assert [t["number"] for t in data["tracks"]] == [1, 2, 3, 4, 5]


def test_matrix_cells_explain_and_mark_readings(client: FlaskClient) -> None:
    data = client.get("/matrix.json").get_json()
    row1 = data["rows"][0]
    affected = {c["track"] for c in row1["cells"] if c["affects"]}
    assert affected == {2, 3, 4}  # domains 1, 2, 3 of the annex reading
    assert all(c["inferred"] for c in row1["cells"] if c["affects"])
    cell = row1["cells"][1]
    assert cell["path_url"] == "/pad?from=kg:traject-rapportage-commissie-roemer&to=kg:spoor-2"
    assert cell["routes"][0]["route"] == "domain"
    assert data["counts"]["stated"] > 0
    assert data["counts"]["inferred"] > 0
    body = text(client, "/matrix")
    assert "cell-inferred" in body
    assert "cell-stated" in body
    assert "afgeleid" in body
    assert 'href="/pad?from=kg:traject-rapportage-commissie-roemer&amp;to=kg:spoor-2"' in body
    assert "/graph?focus=https%3A%2F%2Fw3id.org%2Famkg%2Fid%2Ftraject-" in body


def test_matrix_filters_by_ministry_and_period(client: FlaskClient) -> None:
    jenv = client.get("/matrix.json?ministerie=jenv").get_json()
    ids = {r["id"] for r in jenv["rows"]}
    assert ids == {
        "kg:traject-kabinetsreactie-acvz-zorg",
        "kg:traject-kabinetsreactie-acvz-richtgetallen",
    }
    march = client.get("/matrix.json?periode=planning-2023-03").get_json()
    assert {r["planning"]["label"] for r in march["rows"]} == {"Maart 2023"}
    both = client.get("/matrix.json?ministerie=SZW&periode=planning-2023-02").get_json()
    assert [r["annex_row"] for r in both["rows"]] == [2, 3]


@pytest.mark.parametrize(
    ("url", "param"),
    [("/matrix?ministerie=nope", "ministerie"), ("/matrix?periode=planning-1999", "periode")],
)
def test_matrix_bad_filter_is_400_naming_it(client: FlaskClient, url: str, param: str) -> None:
    body = text(client, url, 400)
    assert f"Parameter ‘{param}’" in body
    assert 'aria-invalid="true"' in body
    reason = client.get(url.replace("/matrix", "/matrix.json")).get_json()["error"]["reason"]
    assert param in reason


def test_matrix_csv(client: FlaskClient) -> None:
    response = client.get("/matrix.csv?ministerie=jenv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2 * 5
    assert {r["trackNumber"] for r in rows} == {"1", "2", "3", "4", "5"}
    assert any(r["affects"] == "true" and "domain" in r["routes"] for r in rows)


def test_path_finder_explains_a_matrix_cell(client: FlaskClient, graph: rdflib.Graph) -> None:
    url = "/pad?from=kg:traject-werken-aan-de-toekomst&to=kg:spoor-2"
    body = text(client, url)
    assert label(graph, KG["domein-1"], "nl") in body
    assert "Waarom afgeleid?" in body
    data = client.get(url.replace("/pad", "/pad.json")).get_json()
    assert data["result"]["count"] >= 1
    first = data["result"]["paths"][0]
    assert first["nodes"][0]["iri"] == str(KG["traject-werken-aan-de-toekomst"])
    assert first["nodes"][-1]["iri"] == str(KG["spoor-2"])
    english = text(client, url + "&lang=en")
    assert "Why inferred?" in english
    assert label(graph, KG["spoor-2"], "en") in english


def test_path_finder_takes_labels_and_reports_problems(client: FlaskClient) -> None:
    assert client.get("/pad.json?from=SZW&to=kg:spoor-1").get_json()["result"]["count"] > 0
    body = text(client, "/pad?from=kg:spoor-1&to=qqqzzz", 404)
    assert "Parameter ‘to’" in body
    body = text(client, "/pad?from=kg:spoor-1&to=kg:spoor-2&max_steps=99", 400)
    assert "Parameter ‘max_steps’" in body
    assert client.get("/pad.json?from=kg:spoor-1").status_code == 400


def test_timeline(client: FlaskClient, graph: rdflib.Graph) -> None:
    data = client.get("/tijdlijn.json").get_json()
    assert [r["iri"] for r in data["unplanned"]] == [
        str(KG["traject-kamerbrief-visie-economie-2050"])
    ]
    assert len(data["chart"]["bars"]) == len(data["dated"]) == 12
    assert {m["notation"] for m in data["legend"]} == {"JenV", "SZW", "VWS"}
    assert len(data["no_coordinator"]) == 3
    body = text(client, "/tijdlijn")
    assert "<svg" in body
    assert "<figcaption" in body
    assert "<table" in body
    assert label(graph, KG["traject-kamerbrief-visie-economie-2050"], "nl") in body


def test_figures_have_chart_table_and_source(client: FlaskClient) -> None:
    data = client.get("/cijfers.json").get_json()
    keys = {f["key"] for f in data["figures"]}
    assert {"eu", "decisions", "inflow", "shortage", "windpark", "conditions", "vacancies"} <= keys
    for fig in data["figures"]:
        assert fig["citations"], fig["key"]
        if fig["lost"]:
            assert fig["body"] is None
        else:
            assert fig["body"]["table"]["rows"], fig["key"]
    assert data["lost"] >= 1
    body = text(client, "/cijfers")
    assert "zijn bij de tekstextractie van de presentatie verloren gegaan" in body
    assert body.count('role="img"') >= 7
    assert body.count("<figcaption") >= 7
    assert "72.500" in body
    assert "72,500" in text(client, "/cijfers?lang=en")


def test_query_catalogue_lists_and_filters(client: FlaskClient) -> None:
    data = client.get("/queries.json").get_json()
    assert data["count"] == len(default_catalogue())
    analysts = client.get("/queries.json?audience=analyst").get_json()
    assert analysts["count"]
    assert {q["audience"] for q in analysts["queries"]} == {"analyst"}
    tagged = client.get("/queries.json?tag=cijfers").get_json()
    assert all("cijfers" in q["tags"] for q in tagged["queries"])
    query = default_catalogue().get("trajecten-per-spoor")
    assert query.title("en") in text(client, "/queries?lang=en")
    assert "Parameter ‘audience’" in text(client, "/queries?audience=nobody", 400)


def test_query_page_runs_with_linked_results(client: FlaskClient, graph: rdflib.Graph) -> None:
    body = text(client, "/queries/trajecten-per-spoor?track=kg:spoor-3")
    assert 'href="/id/traject-rapportage-commissie-roemer"' in body
    assert label(graph, ROW1, "nl") in body
    assert 'href="/api/queries/trajecten-per-spoor.csv?track=kg%3Aspoor-3"' in body
    assert 'href="/api/queries/trajecten-per-spoor?track=kg%3Aspoor-3"' in body
    assert "/sparql-editor?query=" in body
    assert "<details" in body
    data = client.get("/queries/trajecten-per-spoor.json?track=kg:spoor-3").get_json()
    assert data["ran"]
    assert data["result"]["count"] >= 1
    assert data["bindings"]["track"]["iri"] == str(KG["spoor-3"])
    assert (
        "VALUES (?track) { (<https://w3id.org/amkg/id/spoor-3>) }" in data["editor_url"]
        or "VALUES+%28%3Ftrack%29" in data["editor_url"]
    )


def test_query_page_by_label_and_form_fields(client: FlaskClient) -> None:
    data = client.get("/queries/ministerie-coordineert.json?ministry=SZW").get_json()
    assert data["bindings"]["ministry"]["iri"] == str(KG["szw"])
    field = data["fields"][0]
    assert field["input"] == "text"
    assert "ministerie" in [t.casefold() for t in field["types"]]
    body = text(client, "/queries/tekortberoepen")
    assert 'type="number"' in body
    assert 'min="0"' in body
    assert 'type="date"' in text(client, "/queries/trajecten-in-periode")


def test_query_bad_parameter_is_400_naming_it(client: FlaskClient) -> None:
    body = text(client, "/queries/trajecten-per-spoor?track=kg:spoor-9", 400)
    assert "Parameter ‘track’" in body
    assert 'aria-invalid="true"' in body
    assert "<form" in body
    response = client.get("/queries/trajecten-per-spoor.json?track=kg:spoor-9")
    assert response.status_code == 400
    assert "track" in response.get_json()["error"]["reason"]
    assert "Parameter ‘minimum’" in text(client, "/queries/tekortberoepen?minimum=veel", 400)


def test_unknown_query_is_404(client: FlaskClient) -> None:
    body = text(client, "/queries/bestaat-niet", 404)
    assert "bestaat-niet" in body
    assert client.get("/queries/bestaat-niet.json").status_code == 404


def test_sparql_editor(client: FlaskClient) -> None:
    body = text(client, "/sparql-editor")
    assert "vendor/codemirror/codemirror.js" in body
    assert "PREFIX amkg: &lt;https://w3id.org/amkg/def#&gt;" in body
    data = client.get("/sparql-editor.json").get_json()
    assert data["endpoint"] == "/sparql"
    assert data["prefixes"]["kg"] == str(KG)
    assert len(data["examples"]) == len(default_catalogue())
    mine = client.get("/sparql-editor.json?query=ASK%20%7B%7D").get_json()
    assert mine["query"] == "ASK {}"


def test_vendored_files_fetch_nothing_remote() -> None:
    vendor = Path(__file__).resolve().parents[1] / "webui" / "static" / "vendor" / "codemirror"
    for path in vendor.glob("*.js"):
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert "https://" not in code, path.name
        assert "http://" not in code, path.name
    assert (vendor / "LICENSE").exists()
    css = (vendor / "codemirror.css").read_text(encoding="utf-8")
    assert "url(" not in css
    assert "@import" not in css


def test_graph_labels_are_escaped(xss_client: FlaskClient) -> None:
    pages = [
        "/pad?from=kg:maatregel-xss-test&to=kg:spoor-3",
        "/queries/maatregelen-per-spoor?track=kg:spoor-3",
        "/queries/zoek-label?text=script",
    ]
    for url in pages:
        body = xss_client.get(url).get_data(as_text=True)
        assert XSS not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
