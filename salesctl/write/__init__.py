"""The writers (new, pay, collect, approve, schedule) as library calls that return a checked plan.

`writers` builds each plan from values checked in `args` (new ids from `ids`), editing the files
in memory through `edit` (with `style` and `nodes`), which keeps every byte it does not change;
`plan` checks it against the whole workspace. `storage.apply` writes it.

Imports the layers below (model, storage, derive, load); no other feature.
"""
