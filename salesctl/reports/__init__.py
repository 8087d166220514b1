"""The reports managers run: the overdue collection ledger, the KPIs of SPEC section 7, reviews.

Each report is a plain function `(workspace, ..., as_of) -> document` returning the JSON document
of SPEC section 8 (Decimal money, `Ratio` fractions, dates); the CLI only renders it.
"""
