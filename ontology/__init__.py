"""The Arbeidsmigratie Kennisgraaf ontology, controlled vocabularies and SHACL shapes (Turtle)."""

from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent
