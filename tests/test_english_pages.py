"""English pages carry no Dutch UI sentence (issue 12).

For every page of the responsive test's list, in English: the visible text outside elements
marked ``lang="nl"`` (the deck's own words: quotes, labels that exist only in Dutch) contains no
fragment of a Dutch UI string (``webui/i18n/nl*.json``) that differs from its English twin.
Only UI strings are compared, never deck text, so a quoted slide cannot make this fail.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from amkg.graph.paths import REPO_ROOT
from amkg.webui.i18n import strings
from tests.browser.test_responsive import PAGES

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
DECK = REPO_ROOT / "graph" / "bron" / "deck.txt"
MIN_FRAGMENT = 14  # shorter pieces ("Spoor", "SZW") are names, shared by both languages


class _EnglishText(HTMLParser):
    """The text of a page outside <script>, <style>, <code>, <pre> and any lang="nl" element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        hide = tag in ("script", "style", "code", "pre", "textarea") or any(
            k == "lang" and (v or "").startswith("nl") for k, v in attrs
        )
        self.stack.append(hide)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _fragments() -> dict[str, str]:
    """Dutch UI fragments (the text between placeholders) -> their key."""
    nl, en = strings()["nl"], strings()["en"]
    # a UI string that is the deck's own words (a section name such as "Argumenten tegen") is
    # also data shown as written (in quotes, shape patterns, headings): no UI leak to look for
    deck = " ".join(DECK.read_text(encoding="utf-8").split()).casefold()
    out: dict[str, str] = {}
    for key, value in nl.items():
        if value == en.get(key):
            continue
        for piece in re.split(r"\{[^}]*\}", value):
            piece = piece.strip(" .,:;·()‘’'\"–-")
            if piece.casefold() in deck:
                continue
            if len(piece) >= MIN_FRAGMENT and piece not in en.values():
                out[piece] = key
    return out


def test_the_fragments_are_many() -> None:
    assert len(_fragments()) > 200  # the check compares against real UI sentences


@pytest.mark.parametrize("path", PAGES)
def test_english_page_has_no_dutch_ui_sentence(client: FlaskClient, path: str) -> None:
    url = f"{path}{'&' if '?' in path else '?'}lang=en"
    response = client.get(url)
    assert response.status_code == 200
    parser = _EnglishText()
    parser.feed(response.get_data(as_text=True))
    text = parser.text()
    leaks = {key: piece for piece, key in _fragments().items() if piece in text}
    assert not leaks, (path, leaks)
