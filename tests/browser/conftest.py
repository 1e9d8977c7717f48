"""Browser tests: the app served by waitress on a free loopback port, driven by Chromium.

They are skipped only when ``/usr/bin/chromium`` is missing and ``CI`` is not set; in CI they
always run (a missing browser then fails them). The server serves a copy of ``graph/data``
plus one extra file whose labels are HTML (``xss_data_dir`` of ``tests/conftest.py``), so the
escaping can be checked in a real browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from amkg.webui.app import create_app
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, XSS, XSS_IMG, serve


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (these tests always run in CI)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(xss_data_dir: Path) -> Iterator[str]:
    """The app over a copy of the data (plus the HTML labels), on http://127.0.0.1:<free port>."""
    with serve(create_app({"TESTING": True, "DATA_DIR": str(xss_data_dir)})) as url:
        yield url


@pytest.fixture(scope="session")
def html_labels() -> dict[str, str]:
    """The labels the served data gives ``kg:maatregel-xss-test`` and its target group."""
    return {"measure": XSS, "group": XSS_IMG}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did: console errors, every request URL, dialogs (alert() must never run)."""

    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.origin + "/")]

    def assert_clean(self, allow: str | None = None) -> None:
        errors = [e for e in self.errors if not (allow and re.search(allow, e))]
        assert not errors, errors
        assert not self.foreign_requests(), self.foreign_requests()
        assert not self.dialogs, self.dialogs


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")

    def block_foreign(route: Route) -> None:
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            route.abort()

    ctx.route("**/*", block_foreign)
    yield ctx
    ctx.close()


@pytest.fixture
def watched(context: BrowserContext, live_server: str) -> tuple[Page, Watch]:
    """A fresh page and what it does."""
    page = context.new_page()
    watch = Watch(origin=live_server)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: watch.requests.append(r.url))

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page, watch
