"""The text view of a graph view (issue 12): the same nodes and links the canvas draws, as
lists grouped by class, each node with its outgoing and incoming links. Built from the view
that the canvas gets (``view.build_view``), so the counts agree by construction."""

from __future__ import annotations

from typing import Any

ID_PREFIX = "kg:"


def _url(node_id: str) -> str | None:
    return "/id/" + node_id[len(ID_PREFIX) :] if node_id.startswith(ID_PREFIX) else None


def build(view: dict[str, Any]) -> dict[str, Any]:
    """``{nodes, edges, groups: [{cls, label, nodes: [{id, label, url, out, in}]}]}``."""
    nodes = view["nodes"]
    labels = {n["id"]: n.get("label") or n["id"] for n in nodes}
    class_label = {e["cls"]: e["label"] for e in view.get("legend", [])}
    out: dict[str, list[dict[str, Any]]] = {}
    inc: dict[str, list[dict[str, Any]]] = {}
    for e in view["edges"]:
        text = str(e.get("title") or "")
        link = {"text": text, "inferred": bool(e.get("inferred"))}
        out.setdefault(e["from"], []).append(
            {**link, "label": labels.get(e["to"], e["to"]), "url": _url(e["to"])}
        )
        inc.setdefault(e["to"], []).append(
            {**link, "label": labels.get(e["from"], e["from"]), "url": _url(e["from"])}
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for n in nodes:
        groups.setdefault(n.get("group") or "", []).append(
            {
                "id": n["id"],
                "label": labels[n["id"]],
                "url": _url(n["id"]),
                "out": sorted(out.get(n["id"], []), key=lambda x: (x["text"], x["label"])),
                "in": sorted(inc.get(n["id"], []), key=lambda x: (x["text"], x["label"])),
            }
        )
    return {
        "nodes": len(nodes),
        "edges": len(view["edges"]),
        "groups": sorted(
            (
                {
                    "cls": cls,
                    "label": class_label.get(cls, cls),
                    "nodes": sorted(members, key=lambda m: m["label"].casefold()),
                }
                for cls, members in groups.items()
            ),
            key=lambda g: g["label"].casefold(),
        ),
    }
