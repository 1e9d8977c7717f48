"""The SPARQL grammar's lexical view of a text: its strings, IRIs and comments blanked out.

Shared by the query guard (``queries/guard.py``) and the shapes guard
(``graph/shapes_guard.py``), so both read a keyword where an engine would, and never inside a
string, an IRI or a comment. Linear in the length of the text.
"""

from __future__ import annotations

import re

__all__ = ["IRIREF", "code_only"]

# An IRIREF as the SPARQL grammar defines it: '<' ([^<>"{}|^`\\]-[#x00-#x20])* '>'.
IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_IRIREF = IRIREF
_SPECIAL = re.compile(r"[#'\"\\\\<]")


def code_only(text: str) -> str:
    """``text`` with its strings, IRIs, comments and backslash escapes blanked out (same length).

    This is the SPARQL grammar's own lexical view, as pyoxigraph reads it: a comment ends at a
    line feed *or* a carriage return, an escape (``\\'`` in a prefixed name, ``\\"`` in a
    string) never opens or closes anything.
    """
    out: list[str] = []
    i = start = 0
    n = len(text)
    while i < n:
        special = _SPECIAL.search(text, i)  # the next character that may open something
        if special is None:
            break
        i = special.start()
        c = text[i]
        if c == "#":
            ends = [e for e in (text.find("\n", i), text.find("\r", i)) if e >= 0]
            end = min(ends) if ends else n
        elif c in "'\"":
            end = _skip_string(text, i)
        elif c == "\\":
            end = min(i + 2, n)
        elif c == "<" and (match := _IRIREF.match(text, i)):
            end = match.end()
        else:
            i += 1
            continue
        out += [text[start:i], " " * (end - i)]
        i = start = end
    out.append(text[start:])
    return "".join(out)


def _skip_string(text: str, start: int) -> int:
    """The index just past the string literal that starts at ``start`` (or the text's end)."""
    quote = text[start]
    long_quote = quote * 3
    if text.startswith(long_quote, start):
        i = start + 3
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text.startswith(long_quote, i):
                return i + 3
            else:
                i += 1
        return len(text)
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
        elif c == quote or c in "\r\n":
            return i + 1
        else:
            i += 1
    return len(text)
