"""The writers (new, pay, collect, approve, schedule) as library calls that return a checked plan.

`writers` builds each plan from values checked in `args` (new ids from `ids`), editing the files
in memory through `edit` (with `style` and `nodes`), which keeps every byte it does not change;
`plan` checks it against the whole workspace; `run.run_writer` builds it under the writers' lock
and writes it whole (`storage.apply`). `importing` plans the records of a spreadsheet (`salesctl
import`) the same way.

Imports the layers below (model, storage, derive, load, render); of the other features, `query`
(the tables an export writes, which an import reads back).
"""
