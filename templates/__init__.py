"""Contract templates shipped with salesctl (installed as the package ``salesctl.templates``).

See salesctl/draft.py for the file naming rules; only ``*.j2`` and ``*.docx`` files are templates.
"""
