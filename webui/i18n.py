"""Languages of the UI: Dutch by default, English one click away.

``?lang=en`` (or ``nl``) switches and the choice sticks in a cookie. Every UI string lives in
``webui/i18n/<lang>.json`` (or ``<lang>.<part>.json``) under the same keys in both
languages; :func:`t` looks one up in the request's language (falling back to Dutch, then to
the key itself).

Importing this module does not import Flask: the command line uses ``t(key, lang)`` for its
output too. Only the functions bound to a request import Flask, when they are called.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from flask import Response

LANGS = ("nl", "en")
DEFAULT_LANG = "nl"
COOKIE = "amkg_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
STRINGS_DIR = Path(__file__).resolve().parent / "i18n"


@functools.cache
def strings() -> dict[str, dict[str, str]]:
    """All UI strings per language, read once: ``webui/i18n/<lang>.json`` and then every
    ``webui/i18n/<lang>.<part>.json`` (one per group of pages), merged."""
    table: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        merged: dict[str, str] = {}
        for path in [STRINGS_DIR / f"{lang}.json", *sorted(STRINGS_DIR.glob(f"{lang}.*.json"))]:
            merged.update(json.loads(path.read_text(encoding="utf-8")))
        table[lang] = merged
    return table


def choose_lang(arg: str | None, cookie: str | None) -> str:
    for candidate in (arg, cookie):
        if candidate in LANGS:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANG


def current_lang() -> str:
    """The language of this request (Dutch outside a request)."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return DEFAULT_LANG
    if "lang" not in g:
        g.lang = choose_lang(request.args.get("lang"), request.cookies.get(COOKIE))
    return g.lang  # type: ignore[no-any-return]


def other(lang: str) -> str:
    return "en" if lang == "nl" else "nl"


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The UI string `key` in the request's (or the given) language, formatted with `values`."""
    lang = lang or current_lang()
    table = strings()
    text = table.get(lang, {}).get(key) or table[DEFAULT_LANG].get(key) or key
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether `key` is a known UI string."""
    return key in strings()[DEFAULT_LANG]


def section(prefix: str, lang: str) -> dict[str, str]:
    """The strings whose keys start with ``prefix``, keyed by the rest of the key (what a
    page's script receives as its data block, e.g. ``section("ex.", "en")``)."""
    table = {**strings()[DEFAULT_LANG], **strings().get(lang, {})}
    return {key[len(prefix) :]: text for key, text in table.items() if key.startswith(prefix)}


def switch_url(lang: str) -> str:
    """The current URL in `lang` (other query arguments kept)."""
    from flask import request

    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", lang))
    return request.path + "?" + urlencode(args)


def remember(response: Response) -> Response:
    """Store an explicit ``?lang=`` choice in the cookie."""
    from flask import g, request

    arg = request.args.get("lang")
    if arg in LANGS and request.cookies.get(COOKIE) != arg:
        response.set_cookie(
            COOKIE,
            arg,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    if "lang" in g:
        response.vary.add("Cookie")
    return response


def template_globals() -> dict[str, Any]:
    lang = current_lang()
    return {"t": t, "has_t": has, "lang": lang, "other_lang": other(lang), "switch_url": switch_url}
