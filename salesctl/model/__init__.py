"""What a workspace is made of: typed fields (`fields`), money (`money`), what parsing yields
(`parsed`), the record formats and records (`records`), salesctl.yaml (`config`, its activity and
pay settings in `payconfig`), periods, working days and targets (`periods`, `targets`), problems
(`problems`) and the loaded `Workspace` (`workspace`).

The bottom layer: it imports nothing else of salesctl (only `errors`). Everything here is plain
data and the checks that type it; nothing reads a file, prints or knows about the command line.
"""
