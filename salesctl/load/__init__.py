"""Reading a workspace: where it is (`paths`), where its files come from (`source`: the working
tree, a git revision in `git`, a writer's planned files), parsing (`parse`, `compose`), the
caches (`cache`, `caches`), the pipeline that builds the records and runs the rules (`pipeline`),
and the ways commands open a workspace (`loader`, and `revisions` for git revisions).

Imports `model`, `storage`, `derive` and `rules`; never a feature, never click.
"""
