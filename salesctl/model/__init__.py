"""What a workspace is made of: typed fields, records, the config, periods, problems, the loaded
`Workspace`.

The bottom layer: it imports nothing else of salesctl (only `errors`). Everything here is plain
data and the checks that type it; nothing reads a file, prints or knows about the command line.
"""
