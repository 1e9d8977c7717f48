"""The names of the export formats, importable without loading the exporters (the CLI's
``--format`` choice is built before any command runs)."""

EXPORT_FORMATS = ("ttl", "nt", "jsonld", "graphml")
