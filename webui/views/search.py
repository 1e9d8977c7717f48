"""Search over labels in both languages: suggestions as you type (/api/suggest) and
'did you mean' for an unknown entity."""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, DEF_BASE, ID_BASE, KG_, Labeler, local_name, url_for_node

QB = "http://purl.org/linked-data/cube#"
SKIP_TYPES = {AMKG.Citation, RDF.Statement, URIRef(QB + "ComponentSpecification")}
LOW_TYPES = {URIRef(QB + "Observation"), URIRef(QB + "DataStructureDefinition"), AMKG.Slide}
NAME_PROPS = (RDFS.label, SKOS.altLabel, SKOS.notation)


def fold(text: str) -> str:
    """Lower case without accents, white space folded: 'Oekraïners' -> 'oekrainers'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class Entry:
    node: URIRef
    names: tuple[tuple[str, str], ...]  # (folded, original) of its labels
    slug: str  # its IRI's local name, folded
    low: bool
    main: URIRef | None  # its most specific amkg: class (else any class)


def _index(kg: KG_) -> list[Entry]:
    types: dict[Node, set[Node]] = defaultdict(set)
    for r in internal.select(kg, "search-resources"):
        types[r["s"]].update([r["type"]] if "type" in r else [])
    supers: dict[Node, set[Node]] = defaultdict(set)
    for r in internal.select(kg, "subclass-pairs"):
        supers[r["sub"]].add(r["super"])
    entries = []
    for s, own in types.items():
        iri = str(s)
        if not isinstance(s, URIRef) or not iri.startswith((ID_BASE, DEF_BASE)) or own & SKIP_TYPES:
            continue
        names = {(fold(str(o)), str(o)) for p in NAME_PROPS for o in kg.values(s, p)}
        slug = fold(local_name(iri).replace("-", " "))
        low = bool(own & LOW_TYPES) or iri.startswith(DEF_BASE)
        entries.append(Entry(s, tuple(sorted(names)), slug, low, main_type(own, supers)))
    return sorted(entries, key=lambda e: str(e.node))


def index(kg: KG_) -> list[Entry]:
    """The search index of this graph, built once (``kg.derived``)."""
    return kg.derived("search-index", lambda: _index(kg))


def _by_node(kg: KG_) -> dict[URIRef, Entry]:
    return kg.derived("search-index-by-node", lambda: {e.node: e for e in index(kg)})


def _score(query: str, folded: str) -> int | None:
    if folded == query:
        return 0
    if folded.startswith(query):
        return 1
    if any(word.startswith(query) for word in folded.replace("-", " ").split()):
        return 2
    if query in folded:
        return 3
    return None


def main_type(types: set[Node], supers: dict[Node, set[Node]]) -> URIRef | None:
    """The most specific amkg: class among ``types`` (else any class); ``supers`` maps a
    class to its stated superclasses."""
    iris = sorted((t for t in types if isinstance(t, URIRef)), key=str)
    own = [t for t in iris if str(t).startswith(DEF_BASE)] or iris
    for t in own:
        if not any(t in supers.get(o, ()) for o in own if o != t):
            return t
    return own[0] if own else None


def _result(kg: KG_, lab: Labeler, node: URIRef, matched: str | None = None) -> dict[str, Any]:
    entry = _by_node(kg).get(node)
    t = entry.main if entry is not None else None
    out: dict[str, Any] = {
        "iri": str(node),
        "label": lab(node),
        "type": lab(t) if t is not None else "",
        "url": url_for_node(node),
    }
    if matched and fold(matched) != fold(out["label"]):
        out["match"] = matched
        # the language of the matched name, so a Dutch name on an English page is marked
        langs = {
            v.language
            for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
            for v in kg.values(node, p)
            if str(v) == matched and isinstance(v, Literal)
        }
        if len(langs) == 1 and None not in langs:
            out["match_lang"] = langs.pop()
    return out


def suggest(kg: KG_, query: str, lang: str, limit: int = 10) -> list[dict[str, Any]]:
    """Resources whose label (nl or en), alternative label or abbreviation matches `query`."""
    q = fold(query)
    if not q:
        return []
    scored = []
    for e in index(kg):
        best: tuple[int, str, str | None] | None = None
        for folded, original in e.names:
            s = _score(q, folded)
            if s is not None and (best is None or (s, folded) < best[:2]):
                best = (s, folded, original)
        if best is None and (s := _score(q, e.slug)) is not None:
            best = (s + 1, e.slug, None)
        if best is not None:
            scored.append((best[0] + (4 if e.low else 0), best[1], str(e.node), e, best[2]))
    scored.sort(key=lambda x: x[:3])
    lab = Labeler(kg, lang)
    return [_result(kg, lab, e.node, matched) for *_, e, matched in scored[:limit]]


def similar(kg: KG_, text: str, lang: str, limit: int = 8) -> list[dict[str, Any]]:
    """Resources with a label or IRI name close to `text` (for the 'not found' page)."""
    q = fold(text.replace("-", " ").replace("_", " "))
    if not q:
        return []
    found = {r["iri"]: r for r in suggest(kg, q, lang, limit)}
    by_name: dict[str, URIRef] = {}
    for e in index(kg):
        for folded, _ in (*e.names, (e.slug, None)):
            by_name.setdefault(folded, e.node)
    lab = Labeler(kg, lang)
    for name in difflib.get_close_matches(q, list(by_name), n=limit, cutoff=0.6):
        node = by_name[name]
        found.setdefault(str(node), _result(kg, lab, node))
    words = [w for w in q.split() if len(w) > 3]
    if len(found) < limit and words:
        for e in index(kg):
            if any(w in f for w in words for f, _ in (*e.names, (e.slug, None))):
                found.setdefault(str(e.node), _result(kg, lab, e.node))
            if len(found) >= limit:
                break
    return list(found.values())[:limit]
