"""Reminders: what each person must do as of a date (`remind`), the e-mail that carries them
(`mail`), and their delivery (`deliver`): by e-mail and to WeCom and DingTalk group robots
(`robots`, their messages built by `markdown`), each item once a day (`journal`).

Imports the layers below (model, storage, derive, render); no other feature.
"""
