"""Turning results into text: rows as table, CSV, JSON or YAML (`output`), every text in the
workspace locale (`locale`), problems (`problems`) and report documents (`reports`) as the commands
print them.

Sits below the features, which format text with it (exports, reminders, JSON Schema
descriptions); imports `model` only. Never prints: the CLI echoes what it returns.
"""

FORMATS = ("table", "csv", "json", "yaml")  # what every read command prints (`output.render_rows`)
