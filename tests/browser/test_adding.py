"""A beheerder adds and corrects in a real browser (issue 11): a new trajectory, made through
the header's "Nieuw traject", appears on the matrix, the timeline and its own page with its
source; a corrected label shows on the entity page and in its history. The forms fit a phone
and pass axe, in Dutch and English, also with their messages at the fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from amkg.graph.history import history
from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from tests.browser.test_editing import PASSWORD, _context, fits_and_passes_axe
from tests.conftest import copy_data_dir
from tests.helpers import serve

pytestmark = pytest.mark.browser

FORMS = [
    "/nieuw/traject",
    "/nieuw/maatregel?spoor=2",
    "/nieuw/effect?van=spoor-2",
    "/bewerken/tekst/factor-arbeidsmarktkrapte",
]


@pytest.fixture(scope="module")
def adding_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    folder = tmp_path_factory.mktemp("adding")
    app = create_app({"TESTING": True, "DATA_DIR": str(copy_data_dir(folder / "data")),
                      "ACCOUNTS_PATH": str(folder / "accounts.sqlite3")})  # fmt: skip
    app.extensions["amkg_accounts"].add_user("beheer", "beheerder", PASSWORD)
    with serve(app) as url:
        yield url, app
    close_pool(app)


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/inloggen")
    page.fill("#login-name", "beheer")
    page.fill("#login-password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "beheer" in page.inner_text("header")


def test_a_beheerder_adds_a_trajectory_that_shows_everywhere_with_its_source(
    browser: Browser, adding_app: tuple[str, object]
) -> None:
    url, app = adding_app
    ctx = _context(browser, url, 1280, 900)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, url)
    page.click("header >> text=Nieuw traject")
    page.fill("#f-label_nl", "Kamerbrief arbeidsmigratie en wonen")
    page.fill("#f-label_en", "Letter on labour migration and housing")
    page.select_option("#f-status", "gepland")
    page.select_option("#f-planning", str(KG["planning-2023-12"]))
    page.fill("#f-planned", "2023-12-15")
    page.check(f"input[name=coordinators][value='{KG['szw']}']")
    page.check(f"input[name=domains][value='{KG['domein-3']}']")
    page.fill("#f-reason", "Nieuw traject na de ministerraad")
    page.fill("#f-source_title", "Besluitenlijst ministerraad")
    page.fill("#f-source_date", "2023-10-06")
    page.click("button[value=save]")
    local = "traject-kamerbrief-arbeidsmigratie-en-wonen"
    page.wait_for_url(f"{url}/id/{local}")
    main = page.inner_text("main")
    assert "Kamerbrief arbeidsmigratie en wonen" in main
    assert "Besluitenlijst ministerraad (2023-10-06)" in main  # its source, as its citation
    assert "Nieuw traject na de ministerraad" in main  # its history
    for other in ("/tijdlijn", "/matrix"):
        page.goto(url + other)
        assert "Kamerbrief arbeidsmigratie en wonen" in page.inner_text("main"), other
    found = history(app.extensions["amkg"], KG[local])  # type: ignore[attr-defined]
    assert [(c.agent, c.source.title) for c in found] == [("beheer", "Besluitenlijst ministerraad")]
    assert errors == []
    ctx.close()


def test_a_corrected_label_shows_on_the_entity_page_and_in_its_history(
    browser: Browser, adding_app: tuple[str, object]
) -> None:
    url, _app = adding_app
    ctx = _context(browser, url, 1280, 900)
    page = ctx.new_page()
    log_in(page, url)
    page.goto(f"{url}/id/factor-arbeidsmarktkrapte")
    page.click("text=Naam of notitie corrigeren")
    page.fill("#f-label_nl", "Krapte op de arbeidsmarkt")
    page.fill("#f-note", "Naam gelijkgetrokken met de Kamerbrief")
    page.fill("#f-reason", "Eenduidige naam")
    page.fill("#f-source_meeting", "IAK-overleg 12 oktober")
    page.click("button[value=save]")
    page.wait_for_url(f"{url}/id/factor-arbeidsmarktkrapte")
    assert page.inner_text("h1") == "Krapte op de arbeidsmarkt"
    history_text = page.inner_text("section:has(#h-history)")
    assert "Eenduidige naam" in history_text
    assert "IAK-overleg 12 oktober" in history_text
    assert "Naam gelijkgetrokken met de Kamerbrief" in page.inner_text("main")
    ctx.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("size", [(390, 844), (1440, 900)])
def test_the_forms_fit_and_pass_axe(
    browser: Browser,
    adding_app: tuple[str, object],
    lang: str,
    size: tuple[int, int],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Each form fits and passes axe, empty and with its errors shown; screenshots to look at
    are kept in pytest's temporary folder (``forms-screenshots*``)."""
    url, _app = adding_app
    shots = tmp_path_factory.mktemp("forms-screenshots")
    ctx = _context(browser, url, *size)
    page = ctx.new_page()
    log_in(page, url)
    for path in FORMS:
        page.goto(f"{url}{path}{'&' if '?' in path else '?'}lang={lang}")
        fits_and_passes_axe(page)
        name = path.strip("/").split("?")[0].replace("/", "-")
        page.screenshot(path=str(shots / f"{name}-{lang}-{size[0]}.png"), full_page=True)
    page.goto(f"{url}/nieuw/traject?lang={lang}")
    page.fill("#f-label_nl", "<b>vet</b>")
    page.click("button[value=save]")
    page.locator(".field-error").first.wait_for()
    fits_and_passes_axe(page)  # with the messages at their fields
    page.screenshot(path=str(shots / f"errors-{lang}-{size[0]}.png"), full_page=True)
    ctx.close()
