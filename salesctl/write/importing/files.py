"""The files an import writes, and the ids of its new records.

New records get one file each, `<collection>/<id>.yaml`, in the style of the collection's newest
files, as `new` writes them. Existing files are read once and edited in memory (`edit.YamlFile`),
each change inserted or replaced in place, so that `git diff` shows only what the sheet changed.
"""

from __future__ import annotations

import re
from datetime import date

from ...model.records import SCHEMAS
from .. import writers
from ..edit import YamlFile, new_file_read
from ..ids import next_id
from ..nested import set_at
from ..plan import FileChange

_NUMBERED = re.compile(r"^(.*?)([0-9]+)$")


class Files:
    """New files and edited files of one plan, and the rows that write each."""

    def __init__(self, ws, collection: str):
        self.ws = ws
        self.collection = collection
        self.created: dict = {}  # rel -> text
        self.edited: dict = {}  # rel -> (bytes before, YamlFile)
        self.rows: dict = {}  # rel -> the rows that write it
        self._style = None
        self._samples = None

    def create(self, rel: str, record: dict, row):
        """Add the file of a new record; what `parse` reads from it (checked to be the record)."""
        if self._style is None:
            self._style = writers._style(self.ws, self.collection, "")
        text, parsed = new_file_read(record, self._style, name=rel)
        self.created[rel] = text
        self.rows[rel] = [row]
        return parsed

    def edit(self, record, row, edits):
        """Make `edits` ((path, value) pairs, see `apply`) to `record` in its file.
        EditError or writers.Refused when the file cannot be edited safely."""
        rel = record.path
        if rel not in self.edited:
            if self._samples is None:
                self._samples = writers._samples(self.ws, rel.split("/", 1)[0], "")
            before = writers._read(self.ws.root, rel)
            self.edited[rel] = (before, YamlFile.from_bytes(before or b"", name=rel, samples=self._samples))
        doc = self.edited[rel][1]
        for path, value in edits:
            apply(doc, record.id, record.collection, path, value)
        self.rows.setdefault(rel, []).append(row)

    def ids_in(self, rel: str) -> list:
        """The ids of a file's records, in their order (edits never move a record)."""
        if rel in self.created:
            return [self.rows[rel][0].outcome.id]
        records = [r for r in self.ws.records[rel.split("/", 1)[0]] if r.path == rel]
        return [r.id for r in sorted(records, key=lambda r: r.index)]

    def after(self, rel: str) -> bytes:
        if rel in self.created:
            return self.created[rel].encode("utf-8")
        return self.edited[rel][1].encode()

    def changes(self) -> list:
        out = [FileChange(rel, before, doc.encode()) for rel, (before, doc) in self.edited.items()]
        out += [FileChange(rel, None, text.encode("utf-8")) for rel, text in self.created.items()]
        return out


def apply(doc: YamlFile, record_id, collection: str, path: tuple, value):
    """One edit: `(list, None)` appends an entry to the list, any other path is set
    (`nested.set_at`) with the key order of the record format around it."""
    schema = SCHEMAS[collection]
    if len(path) == 2 and path[1] is None:
        doc.append_entry(record_id, path[0], value, list(schema))
        return
    order = list(schema)
    if len(path) == 2:
        order = list(schema[path[0]].schema)
    elif len(path) == 3:
        order = list(schema[path[0]].item.schema)
    set_at(doc, record_id, path, value, order)


class IdMaker:
    """New ids in row order, as `new` makes them (`ids.next_id`): the first of each family
    from the collection's pattern, then counting on, without scanning the collection again for
    each row. The year of a yearly family (CT-2025-015) is that of the record's own date."""

    def __init__(self, ws, collection: str, taken):
        self.ws, self.collection = ws, collection
        self.taken = set(taken) | set(ws.ids(collection))
        self.prefixes: dict = {}  # year -> prefix
        self.counters: dict = {}  # prefix -> [next number, width]

    def make(self, record: dict, on: date) -> str:
        if on.year not in self.prefixes:
            made = next_id(self.ws, self.collection, on, record, taken=self.taken)
            numbered = _NUMBERED.match(made)
            if numbered is None:  # made from the record's own fields (REV-2026-Q3-zhang)
                self.taken.add(made)
                return made
            prefix, digits = numbered.groups()
            self.prefixes[on.year] = prefix
            self.counters.setdefault(prefix, [int(digits), len(digits)])
        prefix = self.prefixes[on.year]
        number, width = self.counters[prefix]
        while f"{prefix}{number:0{width}d}" in self.taken:
            number += 1
        made = f"{prefix}{number:0{width}d}"
        self.counters[prefix] = [number + 1, width]
        self.taken.add(made)
        return made
