"""The command line's readable output (the SHACL report, the class table), in Dutch or
English through the UI strings (``webui/i18n/<lang>.cli.json``)."""

from __future__ import annotations

from amkg.graph.report import ValidationReport
from amkg.graph.stats import GraphStats
from amkg.webui.i18n import t

_SEVERITY_KEYS = {
    "http://www.w3.org/ns/shacl#Violation": "violation",
    "http://www.w3.org/ns/shacl#Warning": "warning",
    "http://www.w3.org/ns/shacl#Info": "info",
}


def severity_name(severity: str, lang: str) -> str:
    key = _SEVERITY_KEYS.get(str(severity))
    return t(f"cli.severity.{key}", lang) if key else str(severity)


def counts(report: ValidationReport) -> dict[str, int]:
    return {
        "triples": report.triple_count,
        "resources": report.resource_count,
        "shapes": report.shape_count,
        "errors": sum(1 for v in report.violations if v.is_violation),
        "warnings": sum(1 for v in report.violations if not v.is_violation),
    }


def format_report(report: ValidationReport, lang: str = "nl") -> str:
    """The report as readable text, one block per result."""
    lines = [
        t("cli.validate.ok" if report.conforms else "cli.validate.head", lang, **counts(report))
    ]
    for v in report.violations:
        lines.append("")
        lines.append(f"[{severity_name(v.severity, lang)}] {v.label(lang)} ({v.focus_prefixed})")
        if v.path:
            lines.append(f"  {t('cli.validate.path', lang)}: {v.path}")
        lines.append(f"  {t('cli.validate.message', lang)}: {v.message(lang)}")
        if v.value is not None:
            lines.append(f"  {t('cli.validate.value', lang)}: {v.value}")
        if v.shape:
            lines.append(f"  {t('cli.validate.shape', lang)}: {v.shape}")
    return "\n".join(lines)


def format_table(result: GraphStats, lang: str = "nl") -> str:
    """A plain-text table: class, label, instances; then the totals."""
    head = (t("cli.stats.class", lang), t("cli.stats.label", lang), t("cli.stats.instances", lang))
    rows = [
        (c.prefixed, c.label_nl if lang == "nl" else c.label_en, str(c.instances))
        for c in result.classes
    ]
    widths = [max([len(head[i]), *(len(r[i]) for r in rows)]) for i in range(3)]

    def line(cells: tuple[str, str, str]) -> str:
        return f"{cells[0]:<{widths[0]}}  {cells[1]:<{widths[1]}}  {cells[2]:>{widths[2]}}"

    out = [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
    out.append(
        "\n" + t("cli.stats.total", lang, triples=result.triples, resources=result.resources)
    )
    return "\n".join(out)
