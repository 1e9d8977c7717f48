"""An editor keeps a trajectory current in a real browser (issue 11): logs in, moves a date,
sees the impact preview, saves; the entity page, timeline and matrix show the new date (the
entity page with its source), ``?op=`` a
day before shows the old one, ``/wijzigingen`` lists the change with who and why. The login page
and the edit form fit a phone and pass axe, in Dutch and English."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from amkg.graph.history import history
from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from amkg.webui.sparql_direct import use_write_process
from tests.conftest import copy_data_dir
from tests.helpers import serve

pytestmark = pytest.mark.browser

PASSWORD = "een lang geheim wachtwoord"
TRAJECTORY = "traject-kamerbrief-arbeidsmarktkrapte"  # SZW, planned February 2023
AXE = Path(__file__).parents[1] / "data" / "vendor" / "axe" / "axe.min.js"


@pytest.fixture(scope="module")
def editing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    folder = tmp_path_factory.mktemp("editing")
    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(folder / "data")),
                "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")}  # fmt: skip
    app = create_app(settings)
    app.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    use_write_process(app, 10, settings)  # as amkg serve does: the saves run there
    with serve(app) as url:
        yield url, app
    writes = app.wsgi_app.writes  # type: ignore[attr-defined]
    assert writes.handed > 0  # the browser's previews and saves went to the write process
    writes.close()
    close_pool(app)


def _context(browser: Browser, url: str, width: int, height: int) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)

    def block_foreign(route: Route) -> None:
        if route.request.url.startswith(url + "/"):
            route.continue_()
        else:
            route.abort()

    ctx.route("**/*", block_foreign)
    return ctx


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/inloggen")
    page.fill("#login-name", "anna")
    page.fill("#login-password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state("load")
    header = page.inner_text("header")
    assert "Ingelogd: anna" in header or "Logged in: anna" in header


def fits_and_passes_axe(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => v.id + ': '
                  + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
    )
    assert violations == [], violations


def test_an_editor_moves_a_date_sees_the_impact_and_saves(
    browser: Browser, editing_app: tuple[str, object]
) -> None:
    url, app = editing_app
    ctx = _context(browser, url, 1280, 900)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, url)
    page.goto(f"{url}/id/{TRAJECTORY}")
    page.click("text=Dit traject bewerken")
    page.fill("#f-revised", "2023-05-31")
    page.select_option("#f-status", "vertraagd")
    page.fill("#f-reason", "De brief schuift naar eind mei")
    page.fill("#f-source_title", "Voortgangsbrief arbeidsmarktkrapte")
    page.fill("#f-source_date", "2023-03-15")
    page.click("button[value=save]")
    preview = page.locator("section.preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "De datum gaat van 2023-02-28 naar 2023-05-31." in text
    assert "Wat dit traject raakt" in text
    assert "Spoor" in text
    page.click("button[value=save]")
    page.wait_for_url(f"{url}/id/{TRAJECTORY}")
    main = page.inner_text("main")
    assert "2023-05-31" in main
    assert "Voortgangsbrief arbeidsmarktkrapte (2023-03-15)" in main  # the date's source
    page.goto(f"{url}/tijdlijn")
    assert "herzien: 2023-05-31" in page.inner_text("main")
    page.goto(f"{url}/matrix")
    assert "2023-05-31" in page.inner_text("main")
    yesterday = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)
    page.goto(f"{url}/id/{TRAJECTORY}?op={yesterday.isoformat()}")
    assert "2023-05-31" not in page.inner_text("main")
    page.goto(f"{url}/wijzigingen")
    listed = page.inner_text("main")
    assert "anna" in listed
    assert "De brief schuift naar eind mei" in listed
    found = history(app.extensions["amkg"], KG[TRAJECTORY])  # type: ignore[attr-defined]
    assert [(c.agent, c.reason, c.source.title) for c in found] == [
        ("anna", "De brief schuift naar eind mei", "Voortgangsbrief arbeidsmarktkrapte")
    ]
    assert errors == []
    ctx.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("size", [(390, 844), (1440, 900)])
def test_login_and_edit_form_fit_and_pass_axe(
    browser: Browser, editing_app: tuple[str, object], lang: str, size: tuple[int, int]
) -> None:
    url, _app = editing_app
    ctx = _context(browser, url, *size)
    page = ctx.new_page()
    page.goto(f"{url}/inloggen?lang={lang}")
    fits_and_passes_axe(page)
    log_in(page, url)
    page.goto(f"{url}/bewerken/traject/{TRAJECTORY}?lang={lang}")
    fits_and_passes_axe(page)
    page.fill("#f-planned", "2023-03-31")
    page.fill("#f-reason", "Alleen bekijken")
    page.fill("#f-source_meeting", "IAK-overleg")
    page.click("button[value=preview]")
    page.locator("section.preview").wait_for()
    fits_and_passes_axe(page)
    page.screenshot(path=f"/tmp/edit-{lang}-{size[0]}.png", full_page=True)
    ctx.close()
