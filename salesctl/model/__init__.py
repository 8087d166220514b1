"""What a workspace is made of: typed fields (`fields`), money (`money`), what parsing yields
(`parsed`), the record formats and records (`records`), salesctl.yaml (`config`, its activity and
pay settings in `payconfig`, its pool settings in `poolconfig`), periods, working days and targets
(`periods`, `targets`), a customer's owner over time (`ownership`), what an approval binds
(`terms`), problems (`problems`) and the loaded `Workspace` (`workspace`).

The bottom layer: it imports nothing else of salesctl (only `errors`). Everything here is plain
data and the checks that type it; nothing reads a file, prints or knows about the command line.
"""
