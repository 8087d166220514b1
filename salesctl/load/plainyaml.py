"""Record files of the common shape, read line by line without composing YAML nodes.

Most record files are what salesctl's writers (and a careful hand) write: mappings and sequences
indented by spaces, one-line plain or quoted scalars, one-line flow collections of plain scalars.
`read` gives for those the very records, positions and problems the YAML composer gives, in a
fraction of the time (a cold load of a big workspace is mostly parsing). Anything else — a
comment after a value, an anchor or alias, a tag, a block or multi-line scalar, an escape, a
tab, a duplicate key, indentation it does not expect — makes it return None, and the composer
reads the file: this reader never decides a hard case, it only recognises easy ones.
"""

from __future__ import annotations

import re

from ..model.parsed import ParsedFile, RawRecord
from .hints import flow_separators
from .scalars import plain_kind, scalar_value

MAX_DEPTH = 32

# outside printable text as YAML reads it (tabs, CR, NEL and the Unicode line breaks included)
_HARD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY_LINE = re.compile(r"([^\W\d][\w.-]*):(?: +(.*))?$")
_FLOW_PAIR = re.compile(r"([^\W\d][\w.-]*): +(.*)$")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`<")  # indicators, and the merge key's '<'
_FLOW_HARD = frozenset("[]{}:'\"?")  # '?' too: libyaml ends a flow plain scalar there


class _Hard(Exception):
    """Not a case this reader decides."""


def read(text: str) -> ParsedFile | None:
    """The file's records, positions and problems as `compose.compose` gives them, or None when
    the text is not of the plain shape (then only the composer can tell)."""
    if not text or _HARD.search(text):
        return None
    lines = [(number, len(line) - len(stripped), stripped.rstrip(" "))
             for number, line in enumerate(text.split("\n"), 1)
             if (stripped := line.lstrip(" ")) and stripped[0] != "#"]  # blank lines, comment lines
    if not lines or lines[0][1] != 0 or any(" #" in content for _, _, content in lines):
        return None  # a comment after a value: where it starts is the composer's to tell
    try:
        if lines[0][2].startswith("-"):
            records, end = _records(lines)
            single = False
        else:
            positions: dict = {}
            data, end = _mapping(lines, 0, 0, (), positions, 0)
            records, single = [RawRecord(data, positions)], True
    except _Hard:
        return None
    if end != len(lines):
        return None
    problems = [("yaml-syntax", *found) for found in flow_separators(text)] if "{" in text and "," in text else []
    return ParsedFile(records, problems, single)


def _records(lines: list) -> tuple[list, int]:
    """A top-level sequence of mappings: one record each."""
    records, i = [], 0
    while i < len(lines) and lines[i][1] == 0:
        positions: dict = {}
        data, i = _item(lines, i, 0, (), positions, 0)
        if not isinstance(data, dict):
            raise _Hard  # a record that is no mapping: let the composer describe it
        records.append(RawRecord(data, positions))
    return records, i


def _mapping(lines: list, i: int, indent: int, path: tuple, positions: dict, depth: int) -> tuple[dict, int]:
    """The block mapping whose keys start at column `indent + 1`, from line index `i`."""
    if depth > MAX_DEPTH:
        raise _Hard
    positions[path] = (lines[i][0], indent + 1)
    result: dict = {}
    while i < len(lines):
        number, at, content = lines[i]
        if at < indent:
            break
        match = _KEY_LINE.match(content) if at == indent else None
        if match is None:
            raise _Hard  # deeper than expected, a sequence where a key should be, or no key
        key, rest = match.group(1), match.group(2) or ""
        if key in result:
            raise _Hard  # a duplicate key: the composer reports it
        here = path + (key,)
        positions[here] = (number, indent + 1)  # first, as the composer does: the same order
        i += 1
        if rest:
            result[key] = _value(rest, number, indent + len(content) - len(rest) + 1, here, positions)
        elif i < len(lines) and lines[i][2].startswith("-") and lines[i][1] >= indent:
            result[key], i = _sequence(lines, i, lines[i][1], here, positions, depth + 1)
        elif i < len(lines) and lines[i][1] > indent:
            result[key], i = _mapping(lines, i, lines[i][1], here, positions, depth + 1)
        else:
            result[key] = None
        positions[here] = (number, indent + 1)
    return result, i


def _sequence(lines: list, i: int, indent: int, path: tuple, positions: dict, depth: int) -> tuple[list, int]:
    """The block sequence whose dashes are at column `indent + 1`."""
    if depth > MAX_DEPTH:
        raise _Hard
    items = []
    while i < len(lines) and lines[i][1] == indent and lines[i][2].startswith("-"):
        value, i = _item(lines, i, indent, path + (len(items),), positions, depth)
        items.append(value)
    if i < len(lines) and lines[i][1] > indent:
        raise _Hard
    return items, i


def _item(lines: list, i: int, indent: int, path: tuple, positions: dict, depth: int):
    """One `- ...` entry: a mapping that starts on the dash's line, or a scalar."""
    number, _, content = lines[i]
    if not content.startswith("- "):
        raise _Hard  # a lone dash (an empty entry) or `-x`
    rest = content[2:].lstrip(" ")
    column = indent + len(content) - len(rest)  # where the entry's value starts, 0-based
    if rest.startswith("-"):
        raise _Hard  # a sequence in a sequence
    if _KEY_LINE.match(rest):
        lines[i] = (number, column, rest)  # the mapping's first key, as if on a line of its own
        return _mapping(lines, i, column, path, positions, depth + 1)
    return _value(rest, number, column + 1, path, positions), i + 1


def _value(text: str, line: int, column: int, path: tuple, positions: dict):
    """A one-line value starting at `column` (1-based): a scalar or a flow collection."""
    positions[path] = (line, column)
    first = text[0]
    if first == '"' or first == "'":
        return _quoted(text)
    if first == "[":
        if text[-1] != "]":
            raise _Hard
        return [_flow_scalar(part, line, column + 1 + offset, path + (n,), positions)
                for n, (offset, part) in enumerate(_flow_parts(text[1:-1]))]
    if first == "{":
        if text[-1] != "}":
            raise _Hard
        result: dict = {}
        for offset, part in _flow_parts(text[1:-1]):
            match = _FLOW_PAIR.match(part)
            if match is None or match.group(1) in result:
                raise _Hard
            key, start = match.group(1), column + 1 + offset  # where the key starts
            result[key] = _flow_scalar(match.group(2), line, start + match.start(2), path + (key,), positions)
            positions[path + (key,)] = (line, start)
        return result
    return _plain(text)


def _flow_parts(inner: str) -> list[tuple[int, str]]:
    """The comma-separated entries of a one-line flow collection, each with its offset."""
    if not inner.strip(" "):
        return []
    parts, offset = [], 0
    for part in inner.split(","):
        entry = part.lstrip(" ")
        parts.append((offset + len(part) - len(entry), entry.rstrip(" ")))
        offset += len(part) + 1
    return parts


def _flow_scalar(text: str, line: int, column: int, path: tuple, positions: dict):
    positions[path] = (line, column)
    if text[:1] in ('"', "'"):
        return _quoted(text)
    if not text or any(c in _FLOW_HARD for c in text):
        raise _Hard  # an empty entry, a nested collection, a quote or colon inside: the composer's
    return _plain(text)


def _quoted(text: str) -> str:
    """A one-line quoted scalar without escapes (nor doubled single quotes)."""
    quote = text[0]
    if len(text) < 2 or text[-1] != quote or quote in text[1:-1] or "\\" in text:
        raise _Hard
    return text[1:-1]


def _plain(text: str):
    if text[0] in _PLAIN_START or ": " in text or text.endswith(":"):
        raise _Hard
    kind = plain_kind(text)
    if kind == "merge":
        raise _Hard
    return scalar_value(kind, text)
