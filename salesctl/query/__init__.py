"""Asking questions of the records: `-w/-s/-f` queries and `show` (`query`), the relational tables
of `sql` (`tables`), exports to SQLite, CSV and Excel (`export`), and the JSON Schema of the
record files (`schema`).

Imports the layers below (model, derive, render); of the other features only `reports.activity`,
whose figures per rep and day are the `activity` table (a crossing listed in
tests/test_architecture.py).
"""
