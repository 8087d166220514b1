"""What parsing a file yields: raw records with the source position of every value.

Plain values (dict, list, str, int, float, bool, None) and tuples only, so that the parse cache
can store them without pickle. `load.parse` makes them; `records` and `config` type them.
"""

from __future__ import annotations

from typing import NamedTuple


class RawRecord(NamedTuple):
    data: object  # a dict when the record is a mapping; anything else is not-a-record
    positions: dict  # key path tuple -> (line, column), 1-based; () is the record itself


def position(positions, keys: tuple) -> tuple[int, int]:
    """Line and column of a key path, or of the nearest enclosing value that has one."""
    while keys not in positions and keys:
        keys = keys[:-1]
    return positions.get(keys, (1, 1))


class ParsedFile(NamedTuple):
    records: list  # of RawRecord
    problems: list  # of (code, line, column, message)
    single: bool  # the file holds one mapping (not a sequence): its name should be the id
