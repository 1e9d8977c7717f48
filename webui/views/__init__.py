"""Page-data builders: each returns a plain dict (its page's `.json` twin).

They take a knowledge graph (``graph.kg.KnowledgeGraph``-like: ``.graph``, ``.store``)
and a language, and never import flask.
"""
