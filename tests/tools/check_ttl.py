"""Quick checks for a data file while it is being written (helpers, not the test suite).

Usage: .venv/bin/python tests/tools/check_ttl.py graph/data/FILE.ttl [...]
Parses each file, and checks that every amkg:quote occurs verbatim in the deck
(white space folded), that no blank nodes are used, and that every subject has
an @nl and an @en rdfs:label (Citation and rdf:Statement nodes excepted).
"""

import re
import sys
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, BNode, Namespace

AMKG = Namespace("https://w3id.org/amkg/def#")
ROOT = Path(__file__).resolve().parents[2]


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\uf0a7", " ").replace("•", " ")).strip()


def main(paths: list[str]) -> int:
    deck = fold((ROOT / "graph/bron/deck.txt").read_text(encoding="utf-8"))
    bad = 0
    for p in paths:
        g = rdflib.Graph()
        try:
            g.parse(p, format="turtle")
        except Exception as exc:
            print(f"{p}: PARSE ERROR {exc}")
            bad += 1
            continue
        for s, o in g.subject_objects(AMKG.quote):
            if fold(str(o)) not in deck:
                print(f"{p}: quote not verbatim in deck: {s} -> {str(o)[:90]!r}")
                bad += 1
        for s, p2, o in g:
            if isinstance(s, BNode) or isinstance(o, BNode):
                print(f"{p}: blank node in {s} {p2} {o}")
                bad += 1
                break
        skip = {AMKG.Citation, RDF.Statement}
        for s in set(g.subjects(RDF.type, None)):
            if set(g.objects(s, RDF.type)) & skip:
                continue
            langs = {getattr(o, "language", None) for o in g.objects(s, RDFS.label)}
            if not {"nl", "en"} <= langs:
                print(f"{p}: {s} lacks rdfs:label @nl and/or @en")
                bad += 1
        print(f"{p}: {len(g)} triples, {bad} problems so far")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
