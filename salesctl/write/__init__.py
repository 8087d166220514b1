"""The writers (new, pay, collect, approve, schedule, and the public pool's sweep, claim, assign and
allocate) as library calls that return a checked plan.

`writers` builds each plan from values checked in `args` (new ids from `ids`), editing the files
in memory through `edit` (with `style` and `nodes`), which keeps every byte it does not change;
`pool` builds the pool's plans the same way, from the derived values of the pool; `plan` checks
each against the whole workspace. `storage.apply` writes it.

Imports the layers below (model, storage, derive, load); no other feature.
"""
