"""Family-migration calculator (/gezinsmigratie, .json): expected family members from numbers
of kennismigranten and other labour migrants, with the deck's ratios ("bijna 1" per
kennismigrant, 6 per 10 other labour migrants) and their quotes.

Defaults for a chosen year come from the deck's inflow tables (Cijfers (3)):
- kennismigranten: the approvals computed from "Beslissingen" x "Inwilligingen", the table
  that most likely belongs to "Instroom 'kennis en talent'" (a reading, marked inferred);
- other labour migrants: the categories of "Instroom naar beleidscategorie (excl. kennis en
  talent)" without footnote * (which says those have another main purpose: study, asylum).
"bijna 1" gives no lower bound: the range's lower ratio is a parameter (default 0.9), shown as
our assumption, never as the deck's.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.term import Node

from amkg.queries import internal

from .levers_common import LeverKG, integer, ref, true

DEFAULT_YEAR = 2022
DEFAULT_LOW = 0.9
MAX_COUNT = 10_000_000
KENNIS = "https://w3id.org/amkg/id/doelgroep-kennismigranten"


class CalculatorProblem(ValueError):
    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


def _num(value: Node) -> float:
    return float(value.toPython()) if isinstance(value, Literal) else float(str(value))


def inflow(kg: LeverKG, lang: str) -> dict[int, dict[str, Any]]:
    years: dict[int, dict[str, Any]] = {}
    for r in internal.select(kg, "levers-family-inflow"):
        year = integer(r["year"])
        y = years.setdefault(year, {"year": year, "decisions": None, "categories": {}})
        quote = str(r["quote"]) if "quote" in r else None
        if str(r["kind"]) == "decisions":
            d = y["decisions"] or {
                "decisions": int(_num(r["value"])),
                "decisions_printed": str(r["printedValue"]),
                "rate_printed": str(r["ratePrinted"]),
                "approvals": int(_num(r["approvals"])),
                "inferred": true(r["inferred"]),
                "quotes": [],
            }
            if quote and quote not in d["quotes"]:
                d["quotes"].append(quote)
            y["decisions"] = d
        else:
            c = y["categories"].setdefault(
                str(r["category"]),
                {
                    **(ref(kg, r["category"], lang) or {}),
                    "value": int(_num(r["value"])),
                    "printed": str(r["printedValue"]),
                    "other_purpose": true(r["otherPurpose"]),
                    "quotes": [],
                },
            )
            if quote and quote not in c["quotes"]:
                c["quotes"].append(quote)
    return years


def ratios(kg: LeverKG, lang: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in internal.select(kg, "levers-family-ratios"):
        group = str(r["group"])
        q = r.get("qualifierNl" if lang == "nl" else "qualifierEn")
        out.setdefault(
            group,
            {
                "group": ref(kg, group, lang),
                "observation": ref(kg, r["obs"], lang),
                "ratio": _num(r["ratio"]),
                "printed": str(r["printedValue"]),
                "qualifier": str(q) if q is not None else None,
                "quote": str(r["quote"]) if "quote" in r else None,
                "slide": ref(kg, r.get("slide"), lang),
                "slide_index": integer(r["slideIndex"]) if "slideIndex" in r else None,
            },
        )
    return out


def _count(raw: str, param: str) -> int | None:
    raw = raw.strip().replace(".", "").replace(" ", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_COUNT:
        raise CalculatorProblem(param, f"a whole number from 0 to {MAX_COUNT}")
    return int(raw)


def build(
    kg: LeverKG, lang: str, jaar: str = "", kennis: str = "", overig: str = "", laag: str = ""
) -> dict[str, Any]:
    years = inflow(kg, lang)
    usable = sorted(y for y, v in years.items() if v["decisions"] and v["categories"])
    year = DEFAULT_YEAR if DEFAULT_YEAR in usable else usable[-1]
    if jaar.strip():
        if not jaar.strip().isdigit() or int(jaar) not in usable:
            raise CalculatorProblem("jaar", "one of " + ", ".join(map(str, usable)))
        year = int(jaar)
    low = DEFAULT_LOW
    if laag.strip():
        try:
            low = float(laag.replace(",", "."))
        except ValueError:
            raise CalculatorProblem("laag", "a number from 0.5 to 1") from None
        if not 0.5 <= low <= 1.0:
            raise CalculatorProblem("laag", "a number from 0.5 to 1")
    given_k, given_o = _count(kennis, "kennis"), _count(overig, "overig")
    y = years[year]
    categories = sorted(y["categories"].values(), key=lambda c: -c["value"])
    counted = [c for c in categories if not c["other_purpose"]]
    default_k = y["decisions"]["approvals"]
    default_o = sum(c["value"] for c in counted)
    k = default_k if given_k is None else given_k
    o = default_o if given_o is None else given_o
    rs = ratios(kg, lang)
    r_k = rs[KENNIS]
    r_o = next(v for g, v in rs.items() if g != KENNIS)
    k_high = k * r_k["ratio"]
    k_low = k * low
    o_family = o * r_o["ratio"]
    return {
        "year": year,
        "years": usable,
        "inputs": {
            "kennis": k,
            "overig": o,
            "kennis_default": default_k,
            "overig_default": default_o,
            "kennis_given": given_k is not None,
            "overig_given": given_o is not None,
            "low": low,
        },
        "sources": {
            "decisions": y["decisions"],
            "categories": categories,
            "counted": [c["id"] for c in counted],
        },
        "ratios": {"kennis": r_k, "overig": r_o},
        "result": {
            "kennis_low": round(k_low),
            "kennis_high": round(k_high),
            "overig": round(o_family),
            "total_low": round(k_low + o_family),
            "total_high": round(k_high + o_family),
        },
        "error": None,
    }
