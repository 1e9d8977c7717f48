"""Read your writes, without every reader waiting for every version (issue 11).

With a follower (``amkg serve``'s web processes: :func:`amkg.webui.asof.follow`), a page reads
the version its process has and never waits for a new one to be opened, unless its client
must see a newer one: a client that wrote carries the version it wrote in the ``amkg_versie``
cookie, a script sends a token. Two apps over one store stand for two processes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.asof import FOLLOW_KEY, VERSION_COOKIE, follow
from amkg.webui.sparql import close_pool
from tests.conftest import copy_data_dir
from tests.test_write_process import PASSWORD, SZW, login, save_date

PAGE = f"/id/{SZW}.json"


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(tmp_path / "data")),
                "ACCOUNTS_PATH": str(tmp_path / "accounts.sqlite3")}  # fmt: skip
    writer, reader = create_app(settings), create_app(settings)
    writer.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    follow(reader, every=3600.0)  # a follower that never gets round to it in this test
    yield writer, reader
    reader.extensions[FOLLOW_KEY].set()
    for app in (writer, reader):
        close_pool(app)


def test_the_client_that_wrote_reads_its_write_in_any_process(two: tuple[Flask, Flask]) -> None:
    writer, reader = two
    anonymous = reader.test_client()
    assert "2023-09-01" not in anonymous.get(PAGE).get_data(as_text=True)
    editor = login(writer)
    assert save_date(editor, "2023-09-01") == 303
    cookie = editor.get_cookie(VERSION_COOKIE)
    assert cookie is not None
    assert re.fullmatch(r"[0-9a-f]{16}-1", cookie.value)
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    # a reader that did not write reads the version its process has (the follower moves it)
    assert "2023-09-01" not in anonymous.get(PAGE).get_data(as_text=True)
    # the editor's next page, in the other process: the new version, not the one it had
    elsewhere = reader.test_client()
    elsewhere.set_cookie(VERSION_COOKIE, cookie.value)
    assert "2023-09-01" in elsewhere.get(PAGE).get_data(as_text=True)
    assert "2023-09-01" in anonymous.get(PAGE).get_data(as_text=True)  # the process moved


def test_a_script_with_a_token_reads_the_newest_version(two: tuple[Flask, Flask]) -> None:
    writer, reader = two
    reader.test_client().get(PAGE)
    assert save_date(login(writer), "2023-10-01") == 303
    script = reader.test_client()
    page = script.get(PAGE, headers={"Authorization": "Bearer whatever"})
    assert "2023-10-01" in page.get_data(as_text=True)


def test_without_a_follower_every_request_reads_the_newest(tmp_path: Path) -> None:
    settings = {"TESTING": True, "DATA_DIR": str(copy_data_dir(tmp_path / "data")),
                "ACCOUNTS_PATH": str(tmp_path / "accounts.sqlite3")}  # fmt: skip
    writer, reader = create_app(settings), create_app(settings)
    writer.extensions["amkg_accounts"].add_user("anna", "redacteur", PASSWORD, str(KG["szw"]))
    reader.test_client().get(PAGE)
    assert save_date(login(writer), "2023-11-01") == 303
    assert "2023-11-01" in reader.test_client().get(PAGE).get_data(as_text=True)
    for app in (writer, reader):
        close_pool(app)
