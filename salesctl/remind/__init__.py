"""Reminders: what each person must do as of a date (`remind`), and the e-mail that carries them
(`mail`).

Imports the layers below (model, derive, render); no other feature.
"""
