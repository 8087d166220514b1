"""Aligned text tables: tabulate's `simple` layout (headings, a line of dashes, the rows) and its
`plain` one (rows alone), written here for the cells salesctl prints.

Importing tabulate costs 40 ms (it looks up its own version through importlib.metadata, and
imports wcwidth), more than printing most tables. The cells salesctl prints are lines of ASCII and
of CJK text, whose widths need no Unicode table: a wide character is one of the `_WIDE` ranges,
every one of them two columns, and the punctuation and symbols of `_NARROW` one column each. A
table with any other cell (another script, an emoji, a combining mark, a colour code, a carriage
return) is left to tabulate, which is imported only then. Tests hold both to
the same text, including tabulate's way with cells of several lines.
"""

from __future__ import annotations

import re

# Ranges of one column (after printable ASCII): Latin-1, the dashes, quotes and ellipsis of general
# punctuation, letter-like symbols (℃, №), arrows, circled numbers, box drawing.
_NARROW = "\u00a0-\u00ff\u2010-\u2027\u2030-\u205e\u2100-\u214f\u2190-\u21ff\u2460-\u24ff\u2500-\u257f"
# The CJK ranges whose every character is two columns wide: ideographic punctuation, kana, the CJK
# ideographs, Hangul syllables, full-width forms. Every one lies at or above U+3000, every narrow one below.
_WIDE = "\u3000-\u3029\u3030-\u303e\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3" \
        "\uff01-\uff60\uffe0-\uffe6"
_KNOWN = re.compile(f"[\n\x20-\x7e{_NARROW}{_WIDE}]*")
MIN_PADDING = 2  # a column is at least two wider than its heading, as tabulate makes it


def width(text: str) -> int:
    """Columns a line of `_KNOWN` characters takes: every character at or above U+3000 there is wide."""
    return len(text) if text.isascii() else len(text) + sum(1 for c in text if c >= "\u3000")


def simple(body: list[list[str]], headers: list[str], align: list[str]) -> str:
    """`tabulate(body, headers, tablefmt="simple", colalign=align, disable_numparse=True)`; `align`
    is "left" or "right" for each column."""
    if not _known(headers, body):
        return _tabulate(body, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True)
    return _layout(body, headers, align if body else ["left"] * len(headers))  # tabulate's headings of no rows


def plain(body: list[list[str]]) -> str:
    """`tabulate(body, tablefmt="plain", disable_numparse=True)`: left-aligned columns."""
    if not body:
        return ""
    if not _known((), body):
        return _tabulate(body, tablefmt="plain", disable_numparse=True)
    return _layout(body, (), ["left"] * len(body[0]))


def _layout(body, headers, align) -> str:
    """The table, as tabulate lays it out: every cell stripped; a column as wide as its widest
    line, and two wider than its heading; once any text has a line break, each row as many lines
    as its tallest cell (and none for a row of empty cells)."""
    several = any("\n" in text for row in (headers, *body) for text in row)
    cells = [[text.strip() for text in row] for row in body]
    widths = [max(map(width, h.split("\n"))) + MIN_PADDING for h in headers] or [0] * len(align)
    for row in cells:
        widths = [max(w, *map(width, text.split("\n"))) for w, text in zip(widths, row)]
    lines = []
    if headers:
        lines += _row([h.split("\n") for h in headers], widths, align)
        lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines += _row([(text.split("\n") if text else []) if several else [text] for text in row], widths, align)
    return "\n".join(lines)


def _row(cells: list[list[str]], widths, align) -> list[str]:
    """The lines of one row, each cell's lines padded to its column, blank below its last."""
    return ["  ".join((part[i] + " " * (w - width(part[i])) if a == "left" else " " * (w - width(part[i])) + part[i])
                      if i < len(part) else " " * w for part, w, a in zip(cells, widths, align)).rstrip()
            for i in range(max(map(len, cells), default=0))]


def _known(headers, body) -> bool:
    """Whether every cell is text of `_KNOWN` characters, the rows all as long as the first."""
    length = len(body[0]) if body else len(headers)
    if headers and len(headers) != length:
        return False
    for row in (headers, *body):
        if len(row) != length:
            return False
        for cell in row:
            if type(cell) is not str or not (cell.isascii() and cell.isprintable() or _KNOWN.fullmatch(cell)):
                return False
    return True


def _tabulate(*args, **kwargs) -> str:
    from tabulate import tabulate

    return tabulate(*args, **kwargs)
