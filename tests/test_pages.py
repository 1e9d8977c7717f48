"""The HTML pages and their .json twins (webui/pages.py, webui/views/), with the Flask test client.

Expectations come from the graph itself (labels in the chosen language) and from the deck
(its guiding question, five tracks). A copy of the data with an extra Turtle file whose labels
are ``<script>`` tags checks that every page escapes graph text. The fixtures ``app``,
``client``, ``graph`` and ``xss_client`` come from ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from markupsafe import escape
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from amkg.webui.i18n import COOKIE, strings
from amkg.webui.views.common import Labeler
from amkg.webui.views.standard_labels import STANDARD_LABELS
from tests.helpers import XSS

AMKG = rdflib.Namespace("https://w3id.org/amkg/def#")
KG = rdflib.Namespace("https://w3id.org/amkg/id/")
QUESTION_NL = "Aan welke knoppen kunnen we draaien en wat is daarvan het effect?"
TEMPLATES = Path(__file__).resolve().parents[1] / "webui" / "templates"


def esc(value: str) -> str:
    """A text as Jinja's autoescape writes it."""
    return str(escape(value))


def label(graph: rdflib.Graph, node: URIRef, lang: str) -> str:
    values = [o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)]
    for want in (lang, "nl" if lang == "en" else "en"):
        for v in values:
            if v.language == want:
                return str(v)
    raise AssertionError(f"{node} has no label")


def tracks(graph: rdflib.Graph) -> dict[int, URIRef]:
    return {
        int(graph.value(t, AMKG.trackNumber).toPython()): t  # type: ignore[union-attr]
        for t in graph.subjects(RDF.type, AMKG.Track)
    }


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_labeler_reads_labels_through_the_graph(small_kg, small_graph, lang) -> None:
    """Labeler(kg, lang): rdfs:label in the language, else a standard term's name, else
    another naming value; other properties through the resource's description."""
    lab = Labeler(small_kg, lang)
    for node in set(small_graph.subjects(RDF.type, AMKG.Track)) | {KG.szw, KG.jenv}:
        assert lab(node) == label(small_graph, node, lang)
    assert lab(RDFS.label) == STANDARD_LABELS[RDFS.label][lang]
    assert lab(KG["niet-in-de-graaf"]) == "niet-in-de-graaf"
    assert lab.text(KG.szw, SKOS.notation) == "SZW"
    assert lab.text(KG.szw, SKOS.altLabel) == "Ministerie van Sociale Zaken en Werkgelegenheid"
    descriptions = small_graph.objects(KG["spoor-3"], DCTERMS.description)
    in_lang = [str(o) for o in descriptions if isinstance(o, Literal) and o.language == lang]
    assert lab.text(KG["spoor-3"], DCTERMS.description) == in_lang[0]
    assert [t["iri"] for t in lab.types(KG["spoor-3"])] == [str(AMKG.Track)]


# --- home ---------------------------------------------------------------------------------


def test_home_in_dutch_shows_the_question_tracks_and_challenges(client, graph) -> None:
    body = text(client.get("/"))
    assert '<html lang="nl">' in body
    assert esc(QUESTION_NL) in body
    found = tracks(graph)
    assert sorted(found) == [1, 2, 3, 4, 5]
    for n in found:
        assert f'href="/spoor/{n}"' in body
    challenges = list(graph.subjects(RDF.type, AMKG.Challenge))
    assert len(challenges) == 6
    for c in challenges:
        assert esc(label(graph, c, "nl")) in body
    assert 'id="q-home"' in body
    assert "data-suggest" in body


def test_home_in_english_and_the_choice_sticks(client, graph) -> None:
    response = client.get("/?lang=en")
    body = text(response)
    assert '<html lang="en">' in body
    question = next(graph.subjects(RDF.type, AMKG.GuidingQuestion))
    assert esc(label(graph, question, "en")) in body
    assert "The five tracks" in body
    assert COOKIE in response.headers.get("Set-Cookie", "")
    again = text(client.get("/spoor/3"))
    assert '<html lang="en">' in again
    back = text(client.get("/?lang=nl"))
    assert '<html lang="nl">' in back


def test_home_json_twin(client, graph) -> None:
    data = client.get("/index.json").get_json()
    assert data["question"]["label"] == QUESTION_NL
    assert [t["number"] for t in data["tracks"]] == [1, 2, 3, 4, 5]
    for card in data["tracks"]:
        assert card["lever"]["label"]
        assert isinstance(card["measures"], int)
        assert isinstance(card["trajectories"], int)
        assert card["trajectories_stated"] <= card["trajectories"]
    assert sum(card["measures"] for card in data["tracks"]) > 0
    assert sum(card["trajectories"] for card in data["tracks"]) > 0
    assert len(data["challenges"]) == 6
    assert client.get("/.json").get_json() == data


# --- tracks -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_track_page_shows_its_graph_content(client, graph, lang) -> None:
    for n, track in tracks(graph).items():
        body = text(client.get(f"/spoor/{n}?lang={lang}"))
        assert esc(label(graph, track, lang)) in body
        lever = graph.value(track, AMKG.hasLever)
        assert esc(label(graph, lever, lang)) in body
        for m in graph.subjects(AMKG.belongsToTrack, track):
            assert esc(label(graph, m, lang)) in body
        for q in graph.objects(track, AMKG.asksQuestion):
            assert esc(label(graph, q, lang)) in body


def test_track_json_twin_has_every_part(client, graph) -> None:
    data = client.get("/spoor/3.json").get_json()
    assert data["number"] == 3
    assert data["iri"] == str(KG["spoor-3"])
    for key in (
        "lever",
        "description",
        "questions",
        "measures",
        "effects",
        "legal",
        "comparisons",
        "related_tracks",
        "cross_references",
        "trajectories",
        "sources",
    ):
        assert key in data
    assert data["measures"]
    assert data["legal"]
    assert data["comparisons"]
    assert data["sources"]
    assert all(
        e["direction_key"] in {"increase", "decrease", "unspecified"} for e in data["effects"]
    )
    for trajectory in data["trajectories"]:
        assert isinstance(trajectory["inferred"], bool)
        assert trajectory["via"]
    quotes = [c["quote"] for s in data["sources"] for c in s["citations"]]
    assert "Spoor 3: Tegengaan van concurrentie op arbeidsvoorwaarden" in quotes


def test_track_marks_inferred_trajectories_visibly(client) -> None:
    data = client.get("/spoor/1.json").get_json()
    assert any(v["inferred"] for t in data["trajectories"] for v in t["via"])
    body = text(client.get("/spoor/1"))
    assert "badge-inferred" in body
    assert "afgeleid" in body


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_track_page_and_catalogue_agree_on_its_trajectories(client, number) -> None:
    """The page and the catalogue query trajecten-per-spoor run one rule, so they list the
    same trajectories, each reached along the same routes (stated unless every way is a
    reading)."""
    page = client.get(f"/spoor/{number}.json").get_json()
    rows = client.get(f"/api/queries/trajecten-per-spoor?track=kg:spoor-{number}").get_json()
    routes = {"domein": "domain", "maatregel": "measure", "kruisverwijzing": "reference"}
    expected: dict[str, set[tuple[str, str, bool]]] = {}
    for row in rows["rows"]:
        via = (
            routes[row["route"]["value"]],
            row["via"]["value"],
            row["inferred"]["value"] == "true",
        )
        expected.setdefault(row["trajectory"]["value"], set()).add(via)
    shown = {
        t["iri"]: {(v["kind"], v["through"]["iri"], v["inferred"]) for v in t["via"]}
        for t in page["trajectories"]
    }
    assert shown == expected
    home = client.get("/index.json").get_json()
    card = next(c for c in home["tracks"] if c["number"] == number)
    assert card["trajectories"] == len(expected)
    stated = [t for t, vias in expected.items() if not all(inferred for *_, inferred in vias)]
    assert card["trajectories_stated"] == len(stated)


def test_track_statement_sections_list_the_tracks_own_first(client) -> None:
    for number in (1, 3, 4):
        data = client.get(f"/spoor/{number}.json").get_json()
        for section in ("effects", "legal", "comparisons"):
            own = [item["owner_iri"] == data["iri"] for item in data[section]]
            assert own == sorted(own, reverse=True), (number, section)


def test_unknown_track_is_a_helpful_404(client) -> None:
    response = client.get("/spoor/42")
    assert response.status_code == 404
    body = text(response)
    assert "Niet gevonden" in body
    assert 'href="/spoor/1"' in body
    data = client.get("/spoor/42.json")
    assert data.status_code == 404
    assert data.get_json()["error"]["status"] == 404


# --- entities and ontology terms ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_entity_page_has_types_properties_incoming_and_provenance(client, graph, lang) -> None:
    track = KG["spoor-3"]
    body = text(client.get(f"/id/spoor-3?lang={lang}"))
    assert esc(label(graph, track, lang)) in body
    assert esc(label(graph, AMKG.Track, lang)) in body  # its type, readable
    assert esc(label(graph, AMKG.hasLever, lang)) in body  # a property label
    assert 'href="/id/' + str(graph.value(track, AMKG.hasLever)).rsplit("/", 1)[1] + '"' in body
    assert esc(label(graph, AMKG.belongsToTrack, lang)) in body  # incoming, grouped
    quote = str(graph.value(graph.value(track, AMKG.citation), AMKG.quote))
    assert esc(quote) in body
    assert 'href="/spoor/3"' in body


def test_entity_json_twin(client) -> None:
    data = client.get("/id/spoor-3.json").get_json()
    assert data["iri"] == str(KG["spoor-3"])
    assert data["kind"] == "entity"
    props = {p["property"]["iri"] for p in data["properties"]}
    assert str(AMKG.hasLever) in props
    assert str(RDFS.label) in props
    assert data["provenance"]
    assert data["incoming"]
    accept = client.get("/id/spoor-3", headers={"Accept": "application/json"}).get_json()
    assert accept["iri"] == data["iri"]


def _parse(body: bytes, fmt: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=body, format=fmt)
    return g


@pytest.mark.parametrize(
    ("how", "fmt", "mimetype"),
    [
        ({"headers": {"Accept": "text/turtle"}}, "turtle", "text/turtle"),
        ({"headers": {"Accept": "application/ld+json"}}, "json-ld", "application/ld+json"),
        ({"suffix": ".ttl"}, "turtle", "text/turtle"),
        ({"suffix": ".jsonld"}, "json-ld", "application/ld+json"),
    ],
)
def test_entity_content_negotiation(client, graph, how, fmt, mimetype) -> None:
    url = "/id/spoor-3" + how.get("suffix", "")
    response = client.get(url, headers=how.get("headers", {}))
    assert response.status_code == 200
    assert response.mimetype == mimetype
    g = _parse(response.data, fmt)
    track = KG["spoor-3"]
    assert (track, RDF.type, AMKG.Track) in g
    assert set(graph.predicate_objects(track)) <= set(g.predicate_objects(track))
    for citation in graph.objects(track, AMKG.citation):
        assert (citation, AMKG.quote, None) in g
    assert "Accept" in response.headers.get("Vary", "")


def test_turtle_includes_the_statement_nodes_about_the_resource(client, graph) -> None:
    rows = [
        (st, s)
        for st, s in graph.subject_objects(RDF.subject)
        if str(s).startswith(str(KG)) and (st, AMKG.inferred, Literal(True)) in graph
    ]
    assert rows, "the graph has inferred statements"
    st, subject = rows[0]
    local = str(subject)[len(str(KG)) :]
    g = _parse(client.get(f"/id/{local}.ttl").data, "turtle")
    assert (st, RDF.subject, subject) in g
    assert (st, AMKG.inferred, Literal(True)) in g


def test_ontology_term_pages(client, graph) -> None:
    body = text(client.get("/def/Track?lang=en"))
    assert esc(label(graph, AMKG.Track, "en")) in body
    assert text(client.get("/def/hasLever")).count("<h1>") == 1
    g = _parse(client.get("/def/Track.ttl").data, "turtle")
    assert (AMKG.Track, RDFS.label, None) in g
    data = client.get("/def/Track.json").get_json()
    assert data["kind"] == "term"
    assert client.get("/def/NoSuchTerm").status_code == 404


def test_unknown_entity_is_a_404_with_suggestions(client) -> None:
    response = client.get("/id/spoor-33")
    assert response.status_code == 404
    body = text(response)
    assert 'href="/id/spoor-3"' in body
    data = client.get("/id/vakkrachtenregelin.json")
    assert data.status_code == 404
    suggestions = data.get_json()["suggestions"]
    assert any("vakkrachtenregeling" in s["iri"] for s in suggestions)
    assert client.get("/id/spoor-33", headers={"Accept": "text/turtle"}).status_code == 404


# --- validation, ontology, search ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_validation_page(client, lang) -> None:
    body = text(client.get(f"/validatie?lang={lang}"))
    assert ("Validatie" if lang == "nl" else "Validation") in body
    data = client.get(f"/validatie.json?lang={lang}").get_json()
    assert data["available"] is True
    assert isinstance(data["conforms"], bool)
    for item in data["results"]:
        assert item["message"]
        assert item["focus"]["iri"]
        assert item["severity"] in {"violation", "warning", "info"}
    assert (data["counts"]["violation"] == 0) == data["conforms"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_ontology_page(client, graph, lang) -> None:
    body = text(client.get(f"/ontologie?lang={lang}"))
    for term in (AMKG.Track, AMKG.Measure, AMKG.belongsToTrack):
        assert esc(label(graph, term, lang)) in body
    data = client.get(f"/ontologie.json?lang={lang}").get_json()
    classes = {c["iri"]: c for c in data["classes"]}
    props = {p["iri"]: p for p in data["properties"]}
    assert classes[str(AMKG.Track)]["instances"] == 5
    assert str(AMKG.Measure) in {d["iri"] for d in props[str(AMKG.belongsToTrack)]["domain"]}
    assert str(AMKG.Track) in {r["iri"] for r in props[str(AMKG.belongsToTrack)]["range"]}
    assert any(c["shapes"] for c in data["classes"]), "shapes are shown with their classes"


def test_suggest_api(client, graph) -> None:
    results = client.get("/api/suggest?q=SZW&lang=nl").get_json()
    assert results
    assert results[0]["iri"] == str(KG.szw)
    assert set(results[0]) >= {"iri", "label", "type", "url"}
    assert results[0]["url"] == "/id/szw"
    # an English label finds it; the answer is in the requested language
    germany = client.get("/api/suggest?q=Germany&lang=nl").get_json()
    assert germany[0]["label"] == label(graph, KG["land-duitsland"], "nl")
    assert client.get("/api/suggest?q=&lang=nl").get_json() == []
    assert client.get("/api/suggest?q=oekrain").get_json()  # accents folded


def test_search_page(client) -> None:
    body = text(client.get("/zoeken?q=spoor"))
    assert 'href="/id/spoor-3"' in body
    assert client.get("/zoeken.json?q=spoor").get_json()["results"]


# --- security and accessibility -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/spoor/2",
        "/id/spoor-3",
        "/id/spoor-3.ttl",
        "/def/Track",
        "/validatie",
        "/ontologie",
        "/zoeken?q=x",
        "/api/suggest?q=x",
        "/id/bestaat-niet",
        "/static/css/site.css",
        "/index.json",
    ],
)
def test_every_response_has_a_content_security_policy(client, url) -> None:
    with client.get(url) as response:
        csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "default-src 'self'" in csp


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/spoor/3",
        "/id/spoor-3",
        "/def/Track",
        "/validatie",
        "/ontologie",
        "/zoeken?q=spoor",
        "/id/bestaat-niet",
    ],
)
def test_pages_have_no_inline_script_or_style_and_are_navigable(client, url) -> None:
    body = client.get(url).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script"
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", body), "inline style or handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", body.split("<main", 1)[0]), "external asset"
    assert 'class="skip-link" href="#main"' in body
    assert 'id="main"' in body
    for nav in (
        "/matrix",
        "/pad",
        "/tijdlijn",
        "/cijfers",
        "/queries",
        "/sparql-editor",
        "/graph",
        "/ontologie",
        "/validatie",
    ):
        assert f'href="{nav}"' in body
    assert body.count("<h1") == 1


@pytest.mark.parametrize(
    "url",
    [
        "/spoor/3",
        "/id/maatregel-xss-test",
        "/id/doelgroep-xss-test",
        "/zoeken?q=script",
        "/id/spoor-3",
        "/?lang=en",
        "/id/maatregel-xss-tes",
    ],
)
def test_labels_are_escaped(xss_client, url) -> None:
    response = xss_client.get(url)
    body = response.get_data(as_text=True)
    assert XSS not in body
    assert "<img src=x" not in body
    assert "<b>group</b>" not in body
    if response.status_code == 200 and "spoor-3" not in url and "lang" not in url:
        assert esc(XSS) in body or "&lt;img src=x" in body


def test_suggest_returns_labels_as_data(xss_client) -> None:
    results = xss_client.get("/api/suggest?q=alert&lang=nl").get_json()
    assert any(r["label"] == XSS for r in results)


def test_ui_strings_exist_in_both_languages() -> None:
    table = strings()
    assert set(table["nl"]) == set(table["en"])
    assert all(table["nl"][k].strip() or k.startswith("shape.target.") for k in table["nl"])
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+[a-z_])["']""", path.read_text()))
    missing = {k for k in used if k not in table["nl"]}
    assert not missing, missing
    json.dumps(table)  # plain data
