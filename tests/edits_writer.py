"""A writer for the crash test (tests/test_edits_safety.py): moves a trajectory's revised date
over and over, each move one change set, until it is killed. Prints ``ready`` once it has
warmed up. Usage: python -m tests.edits_writer DATA_DIR"""

from __future__ import annotations

import sys

from amkg.graph import changes
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG
from tests.edits_helpers import TRAJECTORY, move, revise


def main(data_dir: str) -> None:
    kg = KnowledgeGraph.open(data_dir=data_dir)
    changes.preview(kg, revise("2023-12-31"))  # warm: the gate's shapes and parsed queries
    print("ready", flush=True)
    while True:
        found = changes.latest_store(kg).query(
            "SELECT * WHERE { ?t ?p ?d }", {"t": TRAJECTORY, "p": AMKG.revisedDate}
        )
        dates = sorted(str(r["d"]) for r in found.rows)
        if not dates:
            changes.commit(kg, revise("2023-03-01"))
            continue
        day = int(dates[0][-2:])
        new = f"2023-03-{day % 28 + 1:02d}"
        changes.commit(kg, move(dates[0], new))


if __name__ == "__main__":
    main(sys.argv[1])
