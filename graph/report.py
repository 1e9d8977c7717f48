"""The SHACL report as data: :class:`Violation` and :class:`ValidationReport`, and their JSON
form, which ``amkg build`` writes beside the store (``shacl-report.json``) so that no command and
no web process runs pyshacl to show it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node


@dataclass(frozen=True)
class Violation:
    """One SHACL result, ready to show to a person."""

    focus: Node
    focus_label: str
    path: str | None
    message_nl: str
    message_en: str
    severity: URIRef
    shape: str
    value: str | None = None
    focus_prefixed: str = ""
    focus_labels: dict[str, str] = field(default_factory=dict, compare=False)

    def message(self, lang: str = "nl") -> str:
        return self.message_en if lang == "en" else self.message_nl

    def label(self, lang: str = "nl") -> str:
        return self.focus_labels.get(lang, self.focus_label)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` is False when a ``sh:Violation`` was found."""

    conforms: bool
    violations: list[Violation]
    triple_count: int = 0
    resource_count: int = 0
    shape_count: int = 0


def _term(value: Node) -> dict[str, str]:
    kind = (
        "bnode" if isinstance(value, BNode) else "literal" if isinstance(value, Literal) else "uri"
    )
    return {"type": kind, "value": str(value)}


def _node(data: dict[str, str]) -> Node:
    if data["type"] == "bnode":
        return BNode(data["value"])
    if data["type"] == "literal":
        return Literal(data["value"])
    return URIRef(data["value"])


def report_to_json(report: ValidationReport) -> dict[str, Any]:
    """The report as JSON-able data (:func:`report_from_json` reads it back)."""
    return {
        "conforms": report.conforms,
        "triple_count": report.triple_count,
        "resource_count": report.resource_count,
        "shape_count": report.shape_count,
        "violations": [
            {
                "focus": _term(v.focus),
                "focus_label": v.focus_label,
                "path": v.path,
                "message_nl": v.message_nl,
                "message_en": v.message_en,
                "severity": str(v.severity),
                "shape": v.shape,
                "value": v.value,
                "focus_prefixed": v.focus_prefixed,
                "focus_labels": v.focus_labels,
            }
            for v in report.violations
        ],
    }


def report_from_json(data: dict[str, Any]) -> ValidationReport:
    violations = [
        Violation(
            focus=_node(v["focus"]),
            focus_label=v["focus_label"],
            path=v["path"],
            message_nl=v["message_nl"],
            message_en=v["message_en"],
            severity=URIRef(v["severity"]),
            shape=v["shape"],
            value=v["value"],
            focus_prefixed=v["focus_prefixed"],
            focus_labels=dict(v["focus_labels"]),
        )
        for v in data["violations"]
    ]
    return ValidationReport(
        conforms=bool(data["conforms"]),
        violations=violations,
        triple_count=int(data["triple_count"]),
        resource_count=int(data["resource_count"]),
        shape_count=int(data["shape_count"]),
    )


def write_report(report: ValidationReport, path: Path) -> None:
    path.write_text(
        json.dumps(report_to_json(report), ensure_ascii=False, indent=1, sort_keys=True),
        encoding="utf-8",
    )


def read_report(path: Path) -> ValidationReport:
    return report_from_json(json.loads(path.read_text(encoding="utf-8")))
