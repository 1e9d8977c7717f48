"""Named SPARQL queries over the knowledge graph: catalogue, guard, executor and result formats."""
