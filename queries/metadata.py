"""The ``#+ key: value`` metadata of a catalogue ``.rq`` file: reading and validating it.

The metadata sits in ``#+`` lines at the top of the file, one key per line, values in YAML
flow style (see ``docs/architecture.md``); the rest of the file is the query text.
:func:`split_metadata` separates the two, :func:`check_metadata` validates the titles,
descriptions, audience and tags, and :func:`parse_params` turns the ``#+ param`` lines into
:class:`~queries.binding.Param` declarations. A problem raises :class:`CatalogueError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from amkg.queries.binding import PARAM_TYPES, Param, ParameterError, convert, expand_prefixed

AUDIENCES = ("coordinator", "analyst", "stakeholder")

_TEXT_KEYS = ("title_nl", "title_en", "description_nl", "description_en")
_REQUIRED_KEYS = (*_TEXT_KEYS, "audience", "tags")
# Optional, for the people a query is for: ``plain_nl``/``plain_en``, the description in plain
# words without RDF terms (the page leads with it; ``description_*`` stays for the analyst), and
# ``columns_nl``/``columns_en``, a flow mapping {variable: column header}.
_PLAIN_KEYS = ("plain_nl", "plain_en")
_COLUMN_KEYS = ("columns_nl", "columns_en")
_OPTIONAL_KEYS = (*_PLAIN_KEYS, *_COLUMN_KEYS)
_PARAM_KEYS = {
    "name", "type", "class", "required", "default", "description_nl", "description_en",
    "min", "max", "values",
}  # fmt: skip
_META_LINE = re.compile(r"^#\+\s*([A-Za-z_]+)\s*:\s?(.*)$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CatalogueError(Exception):
    """A ``.rq`` file with missing or invalid metadata, or a query that does not parse."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path.name}: {message}")


def _yaml(path: Path, key: str, text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CatalogueError(path, f"#+ {key}: not a YAML flow value ({problem})") from error


def split_metadata(path: Path, text: str) -> tuple[dict[str, Any], list[Any], str]:
    """The metadata (one value per key), the ``param`` values and the query text."""
    lines = text.splitlines(keepends=True)
    meta: dict[str, Any] = {}
    params: list[Any] = []
    n = 0
    while n < len(lines) and lines[n].startswith("#+"):
        match = _META_LINE.match(lines[n].rstrip("\r\n"))
        if not match:
            raise CatalogueError(path, f"line {n + 1}: expected '#+ key: value'")
        key, value = match.group(1), _yaml(path, match.group(1), match.group(2))
        if key == "param":
            params.append(value)
        elif key in meta:
            raise CatalogueError(path, f"line {n + 1}: #+ {key} given twice")
        else:
            meta[key] = value
        n += 1
    return meta, params, "".join(lines[n:])


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(path, f"{where} must be a non-empty text (quote it if it holds ': ')")
    return value.strip()


def check_metadata(path: Path, meta: dict[str, Any]) -> tuple[dict[str, str], str, list[str]]:
    """The texts (``title_nl`` ... ``description_en``), the audience and the tags of a query."""
    unknown = set(meta) - set(_REQUIRED_KEYS) - set(_OPTIONAL_KEYS)
    if unknown:
        raise CatalogueError(path, f"unknown metadata keys: {', '.join(sorted(unknown))}")
    missing = [key for key in _REQUIRED_KEYS if key not in meta]
    if missing:
        raise CatalogueError(path, f"missing metadata: {', '.join(missing)}")
    texts = {key: _text(path, f"#+ {key}", meta[key]) for key in _TEXT_KEYS}
    if meta["audience"] not in AUDIENCES:
        raise CatalogueError(path, f"#+ audience must be one of {', '.join(AUDIENCES)}")
    tags = meta["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        raise CatalogueError(path, "#+ tags must be a non-empty list of texts")
    return texts, meta["audience"], tags


def optional_metadata(
    path: Path, meta: dict[str, Any], projected: set[str]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The plain descriptions ``{lang: text}`` and the column headers ``{lang: {var: header}}``
    (each key a projected variable)."""
    plain = {key[-2:]: _text(path, f"#+ {key}", meta[key]) for key in _PLAIN_KEYS if key in meta}
    columns: dict[str, dict[str, str]] = {}
    for key in _COLUMN_KEYS:
        if key not in meta:
            continue
        value = meta[key]
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
        ):
            raise CatalogueError(path, f"#+ {key} must be a mapping {{variable: header}}")
        strange = sorted(set(value) - projected)
        if strange:
            raise CatalogueError(path, f"#+ {key}: not projected: {', '.join(strange)}")
        columns[key[-2:]] = {k: v.strip() for k, v in value.items()}
    return plain, columns


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):  # YAML reads 2023-01-01 as a date
        return str(value.isoformat())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _param(path: Path, raw: Any, projected: set[str]) -> Param:
    if not isinstance(raw, dict):
        raise CatalogueError(path, "#+ param must be a mapping {name: ..., type: ...}")
    name = raw.get("name")
    if not isinstance(name, str) or not _VAR_NAME.match(name):
        raise CatalogueError(path, f"#+ param: invalid or missing name {name!r}")
    where = f"parameter {name!r}"
    unknown = set(raw) - _PARAM_KEYS
    if unknown:
        raise CatalogueError(path, f"{where}: unknown keys {sorted(unknown)}")
    ptype = raw.get("type")
    if ptype not in PARAM_TYPES:
        raise CatalogueError(path, f"{where}: type must be one of {', '.join(PARAM_TYPES)}")
    if not isinstance(raw.get("required"), bool):
        raise CatalogueError(path, f"{where}: required must be true or false")
    cls = raw.get("class")
    cls_iri = None
    if ptype == "iri":
        cls_iri = expand_prefixed(cls) if isinstance(cls, str) else None
        if cls_iri is None:
            raise CatalogueError(path, f"{where}: an iri parameter needs a class (prefixed name)")
    elif cls is not None:
        raise CatalogueError(path, f"{where}: only iri parameters have a class")
    bounds = {key: raw.get(key) for key in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (ptype != "integer" or type(value) is not int):
            raise CatalogueError(path, f"{where}: {key} must be an integer (integer params only)")
    values = raw.get("values")
    texts = isinstance(values, list) and all(isinstance(v, str) for v in values)
    if values is not None and (ptype != "string" or not texts):
        raise CatalogueError(path, f"{where}: values must be a list of texts (string params only)")
    if name not in projected:
        raise CatalogueError(path, f"{where}: ?{name} is not a projected variable of the query")
    param = Param(
        name=name, type=ptype, required=raw["required"],
        description_nl=_text(path, f"{where}: description_nl", raw.get("description_nl")),
        description_en=_text(path, f"{where}: description_en", raw.get("description_en")),
        cls=cls if ptype == "iri" else None, cls_iri=cls_iri, default=_scalar(raw.get("default")),
        min=bounds["min"], max=bounds["max"], values=tuple(values) if values else None,
    )  # fmt: skip
    if param.default is not None and ptype != "iri":
        try:
            convert(param, param.default, None)
        except ParameterError as error:
            raise CatalogueError(path, f"{where}: bad default ({error.reason})") from error
    return param


def parse_params(path: Path, raw_params: Iterable[Any], projected: set[str]) -> tuple[Param, ...]:
    """The declared parameters, each a projected variable of the query, none declared twice."""
    params = tuple(_param(path, raw, projected) for raw in raw_params)
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise CatalogueError(path, "a parameter is declared twice")
    return params
