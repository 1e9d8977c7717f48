"""One i18n idiom: every UI string is a key of ``webui/i18n/<lang>[.<part>].json`` read by ``t()``.

- Both languages have the same keys, part file by part file, with the same ``{placeholders}``.
- Every key a template or a web module names literally (``t("key")``) exists.
- ``amkg.webui.i18n`` imports without Flask (the command line formats its output with ``t``).
- No module under ``graph/`` or ``queries/`` holds a language dictionary: a dict literal whose
  keys are exactly ``"nl"`` and ``"en"`` with text written in the code (``{"nl": "ja", "en":
  "yes"}``, ``{"nl": {...}, "en": {...}}``, ``dict(nl=..., en=...)``). Dicts that only carry
  data per language (``{"nl": self.title_nl, "en": self.title_en}``) are not UI strings.
"""

from __future__ import annotations

import ast
import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from amkg.graph.paths import REPO_ROOT
from amkg.webui.i18n import LANGS, STRINGS_DIR, strings, t

LANGUAGES = {"nl", "en"}
CORE_PACKAGES = ("graph", "queries")
#: Modules that still hold language dictionaries, each to be switched to ``t()`` keys (the
#: keys are in the JSON files already); a module leaves this list when it is switched.
PENDING_CORE: set[str] = set()
PENDING_WEB = {
    "webui/views/standard_labels.py",
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def parts() -> dict[str, dict[str, Path]]:
    """Part name ("" for ``<lang>.json``) -> language -> file."""
    found: dict[str, dict[str, Path]] = {}
    for path in STRINGS_DIR.glob("*.json"):
        lang, _, part = path.stem.partition(".")
        found.setdefault(part, {})[lang] = path
    return found


def test_every_part_file_exists_in_both_languages_with_the_same_keys() -> None:
    found = parts()
    assert "" in found
    assert "explorer" in found
    for part, files in sorted(found.items()):
        assert set(files) == set(LANGS), f"part {part!r}: {sorted(files)}"
        keys = {lang: set(json.loads(path.read_text("utf-8"))) for lang, path in files.items()}
        assert keys["nl"] == keys["en"], (
            f"part {part!r}: only nl {sorted(keys['nl'] - keys['en'])}, "
            f"only en {sorted(keys['en'] - keys['nl'])}"
        )


def test_a_key_lives_in_one_file_only() -> None:
    seen: dict[str, str] = {}
    for lang in LANGS:
        for path in sorted(STRINGS_DIR.glob(f"{lang}*.json")):
            for key in json.loads(path.read_text("utf-8")):
                where = f"{lang}:{key}"
                assert where not in seen, f"{key} in {seen.get(where)} and {path.name}"
                seen[where] = path.name


def test_both_languages_have_the_same_placeholders_and_text_in_both() -> None:
    table = strings()
    assert set(table["nl"]) == set(table["en"])
    for key in sorted(table["nl"]):
        nl, en = table["nl"][key], table["en"][key]
        assert bool(nl.strip()) == bool(en.strip()), f"{key}: {nl!r} / {en!r}"
        assert placeholders(nl) == placeholders(en), f"{key}: {nl!r} / {en!r}"


def test_t_formats_in_either_language_and_falls_back_to_the_key() -> None:
    assert t("ex.status", "nl", shown=1, total=2) != t("ex.status", "en", shown=1, total=2)
    assert "1" in t("ex.status", "en", shown=1, total=2)
    assert t("no.such.key", "en") == "no.such.key"


#: ``t("key"`` / ``t('key'`` in a template or a module (keys built at run time are not seen).
LITERAL_KEY = re.compile(r"""\bt\(\s*(["'])([A-Za-z0-9_.:\-]+)\1\s*[,)]""")


def named_keys() -> dict[str, set[str]]:
    files = [*(REPO_ROOT / "webui").rglob("*.py"), *(REPO_ROOT / "webui").rglob("*.html")]
    out: dict[str, set[str]] = {}
    for path in files:
        for match in LITERAL_KEY.finditer(path.read_text("utf-8")):
            out.setdefault(match.group(2), set()).add(path.relative_to(REPO_ROOT).as_posix())
    return out


def test_every_key_named_in_the_web_layer_exists() -> None:
    named = named_keys()
    assert "ex.title" in named  # the scan sees the explorer's template
    known = set(strings()["nl"])
    missing = {key: sorted(where) for key, where in named.items() if key not in known}
    assert not missing


def test_i18n_imports_without_flask() -> None:
    code = (
        "import sys, amkg.webui.i18n as i; "
        "print(i.t('ex.title', 'en')); print('flask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == [t("ex.title", "en"), "False"]


# ---- no language dictionaries in the code ---------------------------------------------------


def _has_text(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        for n in ast.walk(node)
    )


def language_dicts(tree: ast.AST) -> list[int]:
    """Lines of the language dictionaries in ``tree`` (see the module's docstring)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            values: list[ast.AST] = list(node.values)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict":
            keys = [kw.arg for kw in node.keywords]
            values = [kw.value for kw in node.keywords]
        else:
            continue
        if len(keys) == 2 and set(keys) == LANGUAGES and any(_has_text(v) for v in values):
            lines.append(node.lineno)
    return lines


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (REPO_ROOT / package).rglob("*.py"))


def offenders(*packages: str) -> dict[str, list[int]]:
    out = {}
    for path in modules(*packages):
        found = language_dicts(ast.parse(path.read_text("utf-8"), filename=str(path)))
        if found:
            out[path.relative_to(REPO_ROOT).as_posix()] = found
    return out


def test_the_checker_sees_every_kind_of_language_dictionary() -> None:
    source = """
A = {"nl": "ja", "en": "yes"}
B = {"nl": {"yes": "ja"}, "en": {"yes": "yes"}}
C = {"en": f"{n} rows", "nl": f"{n} rijen"}
D = dict(nl=["jan"], en=["Jan"])
E = {"nl": self.title_nl, "en": self.title_en}
F = {"nl": "ja", "en": "yes", "de": "ja"}
"""
    assert language_dicts(ast.parse(source)) == [2, 3, 4, 5]


def test_there_are_modules_to_check() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in modules(*CORE_PACKAGES)}
    assert {"graph/kg.py", "graph/trace_types.py", "queries/catalogue.py"} <= names


@pytest.mark.parametrize(
    ("packages", "pending"),
    [(CORE_PACKAGES, PENDING_CORE), (("webui",), PENDING_WEB)],
    ids=["graph-queries", "webui"],
)
def test_no_language_dictionaries_in_the_code(packages: tuple[str, ...], pending: set[str]) -> None:
    found = offenders(*packages)
    assert set(found) - pending == set(), {k: v for k, v in found.items() if k not in pending}
    assert pending - set(found) == set(), "switched to t(): remove from the PENDING list"
