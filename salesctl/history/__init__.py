"""A workspace through its git history: record-level differences between two revisions and their
effect on the money (`semdiff`), and the commits that changed one record (`log`).

Imports the layers below (model, derive, load); no other feature: the signed amounts of a diff
are `derive.signed_amount`, as `report kpi` counts them.
"""
