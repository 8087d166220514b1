"""The reports managers run: the overdue collection ledger, the KPIs (docs/derived.md#kpis), reviews,
sales activity (`activity`), commission and bonus for payroll (`commission`).

Each report is a plain function `(workspace, ..., as_of) -> document` returning the JSON document
of docs/commands.md (Decimal money, `Ratio` fractions, dates); `render.reports` renders it.
Every figure comes from `derive`. Imports the layers below (model, derive); no other feature.
"""

GROUPINGS = ("receivable", "customer", "owner")  # the rows of the overdue ledger; here, so that --help imports no report
