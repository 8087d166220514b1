"""A workspace through its git history: record-level differences between two revisions and their
effect on the money (`semdiff`), and the commits that changed one record (`log`).

Imports the layers below (model, derive, load); the signed amounts of a diff come from the KPI
of `reports.kpi` (see docs/architecture.md).
"""
