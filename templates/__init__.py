"""Contract templates shipped with salesctl (installed as the package ``salesctl.templates``).

See docs/templates.md (and salesctl/draft/__init__.py) for the file naming rules; only ``*.j2`` and ``*.docx`` files are templates.
"""
