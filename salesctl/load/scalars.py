"""A YAML scalar's text to its value, by the YAML 1.2 core schema as ruamel.yaml resolves plain
scalars; dates stay text (the record schema types them). The YAML composer (`compose`) and the
reader of plain record files (`plainyaml`) share it, so that they agree to the letter.
"""

from __future__ import annotations

import re

_IMPLICIT = [
    ("bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    ("int", re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$")),
    ("float", re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
                         r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")),
    ("null", re.compile(r"^(?:~|null|Null|NULL|)$")),
    ("merge", re.compile(r"^<<$")),
    ("timestamp", re.compile(r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
                             r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)$")),
]
# one pattern for all: the first alternative that matches names the kind, as trying them in order would
_KIND = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in _IMPLICIT))
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF<")  # plain scalars starting otherwise are text
SCALAR_KINDS = frozenset(("str", "timestamp", "null", "bool", "int", "float"))
_FLOAT_WORDS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}


def plain_kind(text: str) -> str:
    """The kind of a plain (unquoted) scalar: str, int, float, bool, null, timestamp or merge."""
    if not text or text[0] in _MAYBE_TYPED:
        found = _KIND.match(text)
        if found is not None:
            return found.lastgroup
    return "str"


def scalar_value(kind: str, text: str):
    """The value of a scalar of one of `SCALAR_KINDS`; a number too odd to convert stays text."""
    if kind == "str" or kind == "timestamp":
        return text  # dates are typed by the record schema, quoted or not
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if kind == "int":
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        body = digits.lstrip("+-").lower()
        try:
            for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
                if body.startswith(prefix):
                    return sign * int(body[2:], base)
            if len(body) > 4300:
                raise ValueError
            return sign * int(body, 10)
        except ValueError:
            return text
    special = _FLOAT_WORDS.get(text.lower())
    try:
        return float(special or text.replace("_", ""))
    except ValueError:
        return text
