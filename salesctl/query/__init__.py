"""Asking questions of the records: `-w/-s/-f` queries and `show` (`query`), the relational tables
of `sql` (`tables`), exports to SQLite, CSV and Excel (`export`), and the JSON Schema of the
record files (`schema`).

Imports the layers below (model, derive, render); no other feature.
"""
