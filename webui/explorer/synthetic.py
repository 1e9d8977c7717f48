"""A seeded graph of any size shaped like the explorer's projection, for the node cap tests
and the benchmark (the web app draws one instead of the knowledge graph when its config says
so: ``GRAPH_EXPLORER_GRAPH``, see :mod:`amkg.webui.explorer.routes`)."""

from __future__ import annotations

import random

import networkx as nx

from amkg.graph.load import AMKG, KG

#: (class, share of the nodes) of a synthetic graph, after the real graph's mix.
SYNTHETIC_MIX = (
    ("amkg:Ministry", 0.01),
    ("amkg:Trajectory", 0.04),
    ("amkg:PolicyDomain", 0.01),
    ("amkg:Track", 0.01),
    ("amkg:Measure", 0.08),
    ("amkg:ActionLine", 0.02),
    ("amkg:TargetGroup", 0.05),
    ("amkg:Occupation", 0.05),
    ("amkg:Effect", 0.08),
    ("amkg:Factor", 0.1),
    ("amkg:Sector", 0.04),
    ("amkg:InterestGroup", 0.03),
    ("qb:DataSet", 0.04),
    ("qb:Observation", 0.34),
    ("amkg:Country", 0.03),
    ("amkg:Planning", 0.02),
    ("amkg:Document", 0.05),
)


def synthetic_graph(n: int, seed: int = 1, edges_per_node: float = 1.8) -> nx.MultiDiGraph:
    """``n`` nodes with the projection's attributes (``kg:syn-<i>``, labels, classes from
    :data:`SYNTHETIC_MIX`) and about ``edges_per_node * n`` links, some inferred; hubs
    emerge by preferential attachment. The same ``n`` and ``seed`` give the same graph."""
    rng = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    classes = [cls for cls, share in SYNTHETIC_MIX for _ in range(max(1, round(share * 100)))]
    targets: list[str] = []
    for i in range(n):
        iri = f"{KG}syn-{i}"
        cls = classes[i % len(classes)] if i >= len(SYNTHETIC_MIX) else SYNTHETIC_MIX[i][0]
        name = cls.split(":")[-1]
        g.add_node(
            iri,
            iri=iri,
            label=f"{name} {i}",
            label_nl=f"{name} {i}",
            label_en=f"{name} {i} (en)",
            cls=cls,
        )
        links = 1 + int(rng.random() < edges_per_node - 1) if i else 0
        for _ in range(links if targets else 0):
            other = rng.choice(targets) if rng.random() < 0.7 else f"{KG}syn-{rng.randrange(i)}"
            if other != iri:
                key = rng.choice(("relatedTo", "belongsToTrack", "targetsGroup", "touchesDomain"))
                g.add_edge(
                    iri,
                    other,
                    key=f"amkg:{key}",
                    predicate=f"{AMKG}{key}",
                    label=key,
                    label_nl=key,
                    label_en=key,
                    inferred=rng.random() < 0.1,
                    confidence="",
                )
                targets.append(other)
        targets.append(iri)
    return g
