"""Turning results into text: rows as table, CSV, JSON or YAML (`output`), headings in the
workspace locale (`headings`).

Sits below the features, which format text with it (exports, reminders, JSON Schema
descriptions); imports `model` only. Never prints: the CLI echoes what it returns.
"""
