"""The knowledge graph itself: loading, validation, query stores, projection and export.

Nothing in this package imports Flask or ``webui`` (``tests/test_architecture.py`` checks it).
"""
