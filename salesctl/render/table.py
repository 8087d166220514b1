"""Aligned text tables: tabulate's `simple` layout (headings, a line of dashes, the rows) and its
`plain` one (rows alone), written here for the cells salesctl prints.

Importing tabulate costs 40 ms (it looks up its own version through importlib.metadata, and
imports wcwidth), more than printing most tables. The cells salesctl prints are single lines of
ASCII and of CJK text, whose widths need no Unicode table: a wide character is one of the
`_WIDE` ranges, every one of them two columns. A table with any other cell (another script, an
emoji, a line break, a colour code) is left to tabulate, which is imported only then. Tests hold
both to the same text.
"""

from __future__ import annotations

import re

# Printable ASCII, and the CJK ranges whose every character is two columns wide: ideographic
# punctuation, kana, the CJK ideographs, Hangul syllables, full-width forms.
_WIDE = "\u3000-\u3029\u3030-\u303e\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3" \
        "\uff01-\uff60\uffe0-\uffe6"
_KNOWN = re.compile(f"[\x20-\x7e{_WIDE}]*")
MIN_PADDING = 2  # a column is at least two wider than its heading, as tabulate makes it


def width(text: str) -> int:
    """Columns a text of `_KNOWN` characters takes: every character at or above U+3000 there is wide."""
    return len(text) if text.isascii() else len(text) + sum(1 for c in text if c >= "\u3000")


def simple(body: list[list[str]], headers: list[str], align: list[str]) -> str:
    """`tabulate(body, headers, tablefmt="simple", colalign=align, disable_numparse=True)`; `align`
    is "left" or "right" for each column."""
    if not _known(headers, body):
        return _tabulate(body, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True)
    if not body:
        align = ["left"] * len(headers)  # as tabulate aligns the headings of no rows
    cells = [[cell.strip() for cell in row] for row in body]
    widths = [width(h) + MIN_PADDING for h in headers]
    for row in cells:
        widths = [max(w, width(cell)) for w, cell in zip(widths, row)]
    lines = [_line(headers, widths, align), "  ".join("-" * w for w in widths)]
    lines += [_line(row, widths, align) for row in cells]
    return "\n".join(lines)


def plain(body: list[list[str]]) -> str:
    """`tabulate(body, tablefmt="plain", disable_numparse=True)`: left-aligned columns."""
    if not body:
        return ""
    if not _known((), body):
        return _tabulate(body, tablefmt="plain", disable_numparse=True)
    cells = [[cell.strip() for cell in row] for row in body]
    widths = [max(width(row[i]) for row in cells) for i in range(len(cells[0]))]
    align = ["left"] * len(widths)
    return "\n".join(_line(row, widths, align) for row in cells)


def _line(cells, widths, align) -> str:
    return "  ".join(cell + " " * (w - width(cell)) if a == "left" else " " * (w - width(cell)) + cell
                     for cell, w, a in zip(cells, widths, align)).rstrip()


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
