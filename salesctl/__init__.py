"""salesctl: a company's sales operations kept as YAML files in a git repository."""

__version__ = "0.1.0"
