"""Names the command line offers as choices, importable without rdflib or pyoxigraph (the
choices are built before any command runs): the catalogue's audiences (owned here, used by
:mod:`amkg.queries.metadata`) and the answer formats' short names (the keys of
:data:`amkg.queries.formats.ALL_FORMATS`, in that order; a test holds the two equal)."""

AUDIENCES = ("coordinator", "analyst", "stakeholder")
FORMAT_NAMES = ("json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml")
