"""Hints for the YAML mistakes people make by hand, where the parser's own message points elsewhere
or says nothing useful: a full-width colon (`name：x`, reported by the parser on the next line), a
tab used to indent, and a thousands separator inside a flow mapping (`{unit_price: 16,000}` reads
as `unit_price: 16` and a key `000`).
"""

from __future__ import annotations

import re

FULL_WIDTH_COLON = "："
# a number with thousands separators as the value of a key inside {...}: the comma ends the value
_SEPARATED = re.compile(r"(?P<key>[\w.-]+):[ \t]*(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?)(?=[ \t]*[,}])")


def syntax_hint(text: str, line: int, column: int, message: str) -> tuple[int, int, str]:
    """The (line, column, message) of a YAML syntax error, pointed at its likely cause."""
    lines = text.split("\n")
    for number in range(min(line, len(lines)), 0, -1):
        content = lines[number - 1]
        at = content.find(FULL_WIDTH_COLON)
        if at >= 0 and ":" not in content.split("#", 1)[0]:
            key, _, value = content.partition(FULL_WIDTH_COLON)
            return number, at + 1, (f"a full-width colon '：' after {key.strip()!r}: YAML needs an ASCII ':' and a "
                                    f"space ({key.strip()}: {value.strip()})")
        if number < line - 1:
            break  # the parser stops at most one line after the cause
    if "tab" in message or (0 < line <= len(lines) and "\t" in lines[line - 1][:column]):
        tab = lines[line - 1].find("\t") + 1 if 0 < line <= len(lines) else column
        return line, tab or column, f"{message}: YAML indents with spaces, not tabs"
    return line, column, message


def flow_separators(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of each number with thousands separators inside `{...}`: YAML reads
    the comma as the end of the value, so `unit_price: 16,000` is 16 and a key 000."""
    found = []
    depth = 0
    for number, content in enumerate(text.split("\n"), 1):
        if "{" not in content and depth == 0:
            continue
        code = content.split(" #", 1)[0]
        depth += code.count("{") - code.count("}")
        if "," not in code:
            continue
        for match in _SEPARATED.finditer(code):
            if code.rfind("{", 0, match.start()) > code.rfind("}", 0, match.start()) or depth > 0:
                plain = match["number"].replace(",", "")
                found.append((number, match.start("number") + 1,
                              f"{match['key']}: {match['number']} inside {{…}} reads as {match['number'].split(',')[0]} "
                              f"(a comma ends a value there); write {plain} without thousands separators"))
    return found
