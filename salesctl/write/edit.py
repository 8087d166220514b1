"""Editing one YAML file so that its `git diff` shows only the change.

Writers only ever add: an entry to a record's list, a field to a record, a record to a
many-record file; or they replace one scalar value. ruamel.yaml composes the file into nodes with
exact positions, and its round-trip dumper renders the new text in the file's own style (indents,
flow or block entries, blank lines between records); that text is inserted at the right place.
Nothing that exists is re-emitted: a whole-document dump would rewrite what ruamel cannot
reproduce (a root list at column 0 whose nested lists are indented, a comment after a list's
last entry, odd spacing), so every byte not touched stays as it was by construction.

Every edit is verified: the new text must parse to exactly the old data plus the change, else
`EditError` and nothing is written. The change is worked out without YAML (`_as_read`), so a value
that would read back as something else is caught too; text of ours that fails the check is
reported as an internal error, not as a problem of the user's file.
"""

from __future__ import annotations

import copy
import io
import re
from datetime import date
from decimal import Decimal

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..load.hints import flow_separators
from ..load.parse import parse_bytes
from ..model.parsed import ParsedFile, RawRecord
from .nodes import (below_comments, dashed, end_of, indented, pair_before, pair_end, reaches, read, root_list,
                    use_counts, value_of)
from .style import EditError, Style, dumper, plain_record, plain_text, prepare

BOM = "\ufeff"
_NULLS = ("", "~", "null", "Null", "NULL")  # an empty document holds no records


_RENDERED: dict = {}  # (value, style, flow) -> lines: a write renders the same entry into many files
_RENDERED_MAX = 512


def render(value, style: Style, *, flow: bool = False) -> list[str]:
    """`value` as YAML lines starting at column 0 ('\\n' line ends)."""
    fast = plain_text(value, style) if not flow and isinstance(value, dict) else None
    if fast is not None:
        return [line + "\n" for line in fast.split("\n")[:-1]]
    key = (repr(value), flow, style.mapping, style.sequence, style.offset, style.entries_flow,
           tuple(style.flow.items()))
    lines = _RENDERED.get(key)
    if lines is None:
        stream = io.StringIO()
        dumper(style).dump(prepare(value, style, flow), stream)
        lines = stream.getvalue().split("\n")  # not splitlines(): a NEL inside a value is no line end
        tail = lines.pop()  # "" when the text ends with a newline
        lines = [line + "\n" for line in lines] + ([tail] if tail else [])
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = lines
    return list(lines)


def render_inline(value, style: Style, *, flow: bool) -> str:
    """A value written on one line after `key: ` (or inside a flow collection when `flow`)."""
    if value is None:
        return "null"  # the same everywhere; no need to ask the emitter
    lines = render({"k": value}, style, flow=flow)
    if len(lines) != 1:
        raise EditError("the value does not fit on one line")
    line = lines[0].rstrip("\n")
    return line[1:-1][len("k: "):] if flow else line[len("k: "):]


def new_file(record: dict, style: Style, *, name: str = "a new file") -> str:
    """The text of a new one-record file, checked to read back as `record`."""
    return new_file_parsed(record, style, name=name)[0]


def new_file_read(record: dict, style: Style, *, name: str = "a new file"):
    """`new_file_parsed` for a writer of thousands of files: a record of the plain shapes is read
    as it is written (`plain_record`, held to `parse` by tests), since parsing each file back would
    take most of the time of an import; any other record is rendered and parsed back."""
    plain = plain_record(record, style)
    if plain is None:
        return new_file_parsed(record, style, name=name)
    text, data, positions = plain
    found = flow_separators(text) if "{" in text and "," in text else []
    parsed = ParsedFile([RawRecord(data, positions)], [("yaml-syntax", *f) for f in found], True)
    problem = _unparsed(parsed)
    if problem:
        raise EditError(_bug(name, f"does not parse ({problem})"))
    return text, parsed


def new_file_parsed(record: dict, style: Style, *, name: str = "a new file"):
    """(text, what `parse` reads from it) of a new one-record file, checked to read back as
    `record`: a writer of many files hands the parse on instead of parsing each file twice."""
    text = "".join(render(record, style))
    parsed = parse_bytes(text.encode("utf-8"))
    problem = _unparsed(parsed)
    if problem:
        raise EditError(_bug(name, f"does not parse ({problem})"))
    if [r.data for r in parsed.records] != [_as_read(record)]:
        raise EditError(_bug(name, "reads back as other values than those written"))
    return text, parsed


def _bug(name: str, what: str) -> str:
    """The message for text of ours that fails its check: the user's file is not at fault."""
    return (f"internal error: the text salesctl made for {name} {what}; nothing written. "
            f"This is a bug in salesctl, not a problem in your files: please report it")


def _unparsed(parsed) -> str | None:
    """Why `parse` cannot read a text at all, else None."""
    for code, line, column, message in parsed.problems:
        if code in ("yaml-syntax", "not-utf8"):
            return f"line {line}, column {column}: {message}"
    return None


def _as_read(value):
    """`value` as `parse` reads it back once written: dates as their ISO text, amounts as numbers.

    Worked out without YAML, so that a value written wrongly (`ref: 007`, read as 7) cannot pass
    the check of an edit by being read back wrongly too.
    """
    if isinstance(value, dict):
        return {key: _as_read(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_read(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value, "f")
        return float(text) if "." in text else int(text)
    return value


# --- a file's text and its nodes ------------------------------------------------------------

class YamlFile:
    """One YAML file's text, edited in place. Records are found by their `id`."""

    def __init__(self, text: str, *, samples=(), name: str = "file"):
        self.name = name
        self.bom = text.startswith(BOM)
        self.text = text[1:] if self.bom else text
        self.newline = "\r\n" if "\r\n" in self.text.split("\n", 1)[0] + "\n" else "\n"
        self._samples = list(samples)  # other files of the collection, for traits this one lacks
        self._style = None
        parsed, documents = read(self.text)
        self._parsed = parsed  # `parse`'s reading of the text as it is: edits are checked against it
        if documents is None:
            raise EditError(f"{name} does not parse; fix it first (salesctl validate)")
        self._index(documents)

    @classmethod
    def from_bytes(cls, raw: bytes, **kwargs) -> "YamlFile":
        try:
            return cls(raw.decode("utf-8"), **kwargs)
        except UnicodeDecodeError:
            raise EditError(f"{kwargs.get('name', 'file')} is not UTF-8 text") from None

    def encode(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8")

    @property
    def parsed(self):
        """`parse`'s reading of the text as it is now (a `ParsedFile`): what loading the file gives."""
        return self._parsed

    @property
    def style(self) -> Style:
        if self._style is None:
            self._style = Style.detect(*self._samples, composed=(self.text, self.documents))
        return self._style

    def _compose(self):
        """The nodes of the edited text, and `parse`'s reading of it (one pass); the text before
        the edit composed, so a failure is ours."""
        parsed, documents = read(self.text)
        if documents is None:
            raise EditError(_bug(self.name, f"does not parse ({_unparsed(parsed) or 'the composer refuses it'})"))
        self._parsed = parsed
        self._index(documents)

    def _index(self, documents: list):
        self.documents = documents
        self.records = []  # in the order `parse` lists them, non-mappings included
        for doc in self.documents:
            if isinstance(doc, SequenceNode):
                self.records.extend(doc.value)
            elif not (isinstance(doc, ScalarNode) and doc.style is None and doc.value in _NULLS):
                self.records.append(doc)

    def _plain(self) -> list:
        """The records as `parse` reads the text now: a copy, which the caller changes into what it expects."""
        return copy.deepcopy([r.data for r in self._parsed.records])

    def find(self, record_id) -> int:
        for index, node in enumerate(self.records):
            id_node = value_of(node, "id") if isinstance(node, MappingNode) else None
            if isinstance(id_node, ScalarNode) and id_node.value == str(record_id):
                return index
        raise EditError(f"no record {record_id!r} in {self.name}")

    # --- the edits -----------------------------------------------------------------------

    def append_entry(self, record_id, name: str, entry: dict, order: list[str]):
        """Add `entry` at the end of the record's list `name` (the field is added when absent)."""
        index = self.find(record_id)
        record = self.records[index]
        value = value_of(record, name)
        expected = self._plain()
        self._refuse_shared(index, name, "add to", expected[index])
        current = expected[index].get(name)
        if current is not None and not isinstance(current, list):
            raise EditError(f"{record_id}: {name!r} is not a list; fix it first")
        if value is None:
            self._add_field(record, name, [entry], order)
        elif isinstance(value, SequenceNode):
            flow = bool(value.value) and bool(getattr(value.value[-1], "flow_style", False))
            if not value.value:
                flow = self.style.flow.get(name, False)
            self._append_to_list(value, entry, flow=flow)
        else:  # `name:` left empty, or `name: ~`
            self._fill_null(record, name, value, [entry])
        expected[index][name] = (current or []) + [_as_read(entry)]
        self._verify(expected, index, name, appended=True)

    def add_field(self, record_id, name: str, value, order: list[str]):
        """Add the field `name` to a record, after the fields that come before it in `order`."""
        index = self.find(record_id)
        record = self.records[index]
        if value_of(record, name) is not None:
            raise EditError(f"{record_id} already has {name!r}")
        expected = self._plain()
        self._refuse_shared(index, name, "add", expected[index])
        self._add_field(record, name, value, order)
        expected[index][name] = _as_read(value)
        self._verify(expected, index, name)

    def set_value(self, record_id, name: str, value):
        """Replace the scalar value of a record's field (the rest of its line stays)."""
        index = self.find(record_id)
        node = value_of(self.records[index], name)
        expected = self._plain()
        self._refuse_shared(index, name, "change", expected[index])
        if not isinstance(node, ScalarNode) or node.start_mark.index == node.end_mark.index:
            raise EditError(f"{record_id}: {name!r} is not a plain value")
        flow = bool(self.records[index].flow_style)
        self._splice(node.start_mark.index, node.end_mark.index, render_inline(value, self.style, flow=flow))
        expected[index][name] = _as_read(value)
        self._verify(expected, index, name)

    def put_value(self, record_id, name: str, value, order: list[str]):
        """Set a record's scalar field whatever it holds now: its value replaced in place, an empty
        value (`owner:`) filled in, or the field added after those before it in `order`."""
        index = self.find(record_id)
        node = value_of(self.records[index], name)
        if node is None:
            self.add_field(record_id, name, value, order)
            return
        if not isinstance(node, ScalarNode) or node.start_mark.index != node.end_mark.index:
            self.set_value(record_id, name, value)
            return
        expected = self._plain()
        self._refuse_shared(index, name, "change", expected[index])
        at = node.start_mark.index  # an empty value sits just after its colon (and its space, in {…})
        text = render_inline(value, self.style, flow=bool(self.records[index].flow_style))
        self._splice(at, at, (" " if self.text[at - 1] == ":" else "") + text)
        expected[index][name] = _as_read(value)
        self._verify(expected, index, name)

    def add_record(self, record: dict | str):
        """Append a record (a mapping, or the YAML text of one) at the end of a many-record file."""
        if isinstance(record, str):
            parsed = parse_bytes(record.encode("utf-8"))
            if parsed.problems or len(parsed.records) != 1 or not parsed.single:
                raise EditError("the record text must be one mapping of fields")
            plain = parsed.records[0].data
            lines = record.strip("\n").split("\n")
            lines = [line.rstrip("\r") + "\n" for line in lines]
            flow = False
        else:
            plain = _as_read(record)
            flow = self.style.record_flow
            lines = render(record, self.style, flow=flow)
        expected = self._plain()
        root = root_list(self.documents)
        if root is None:
            if self.records:
                raise EditError(f"{self.name} holds a single record, not a list of records; "
                                f"give a many-record file (or none)")
            self._add_first_record(lines)
        elif root.flow_style:
            text = render_inline([record] if not isinstance(record, str) else [plain], self.style, flow=True)[1:-1]
            self._append_inline(root, text)
        else:
            style, dash = self.style, self._dash_column(root)  # the file's own: a sample's would not parse
            indent = dash + style.record_indent - style.record_dash
            self._insert_after(end_of(root, self.text), dashed(lines, dash, indent), gap=style.record_gap, owner=dash)
        expected.append(plain)
        self._verify(expected, len(expected) - 1)

    def _refuse_shared(self, index: int, name: str, verb: str, data: dict):
        """Refuse to edit a record or field that YAML anchors, aliases or merge keys share: the
        change would show wherever it is used (and an alias's text is at its anchor)."""
        record = self.records[index]
        uses = use_counts(self.documents) if "&" in self.text else None  # no anchor, nothing shared
        where = f"cannot {verb} {name} of {data.get('id')} ({self.name}:{{line}})"
        if uses is not None and uses[id(record)] > 1:
            raise EditError(f"{where.format(line=record.start_mark.line + 1)}: the record is {self._anchor(record)}"
                            f"{self._sharers(record, index)} (an alias or a merge key); edit it by hand")
        pair = next(((k, v) for k, v in record.value if isinstance(k, ScalarNode) and k.value == name), None)
        if pair is None:
            if name in data:  # read, yet not written in the record
                raise EditError(f"{where.format(line=record.start_mark.line + 1)}: its {name} come from a YAML "
                                f"merge key (<<); edit it by hand")
            return
        key, value = pair
        where = where.format(line=key.start_mark.line + 1)
        noun = "list" if isinstance(value, SequenceNode) else "mapping" if isinstance(value, MappingNode) else "value"
        if value.start_mark.index < key.start_mark.index:  # an alias: the node is where its anchor is
            raise EditError(f"{where}: the {noun} is an alias of {self._anchor(value)} (line "
                            f"{value.start_mark.line + 1}){self._sharers(value, index)}; edit it by hand")
        if uses is not None and uses[id(value)] > 1 or self.text.startswith("&", value.start_mark.index):
            raise EditError(f"{where}: the {noun} is {self._anchor(value)}{self._sharers(value, index)}; "
                            f"edit it by hand")
        if isinstance(value, SequenceNode) and len(value.value) > 1:
            last, previous = value.value[-1], value.value[-2]
            if last.start_mark.index <= previous.start_mark.index:  # an alias: where it ends is unknown
                raise EditError(f"{where}: its last entry is an alias of {self._anchor(last)} (line "
                                f"{last.start_mark.line + 1}); edit it by hand")

    def _anchor(self, node) -> str:
        match = _ANCHOR.match(self.text, node.start_mark.index)
        return f"YAML anchor &{match[1]}" if match else "a YAML anchor"

    def _sharers(self, node, index: int) -> str:
        """', shared with R-1, R-3': the other records of the file that use `node` too."""
        names = []
        for other, record in enumerate(self.records):
            if other != index and reaches(record, node):
                id_node = value_of(record, "id") if isinstance(record, MappingNode) else None
                names.append(id_node.value if isinstance(id_node, ScalarNode) else f"the record at line "
                                                                                    f"{record.start_mark.line + 1}")
        return f", shared with {', '.join(names)}" if names else ""

    # --- placing text ----------------------------------------------------------------------

    def _add_field(self, record: MappingNode, name: str, value, order: list[str]):
        if record.flow_style:
            text = f"{name}: {render_inline(value, self.style, flow=True)}"
            self._append_inline(record, text)
            return
        after = pair_before(record, name, order)
        lines = render({name: value}, self.style)
        column = record.value[0][0].start_mark.column if record.value else 0
        self._insert_after(pair_end(after, self.text), indented(lines, column), owner=column)

    def _append_to_list(self, node: SequenceNode, entry: dict, *, flow: bool):
        if node.flow_style:
            self._append_inline(node, render_inline([entry], self.style, flow=True)[1:-1])
            return
        last = node.value[-1]
        dash = self._dash_column(node)
        indent = last.start_mark.column if not isinstance(last, ScalarNode) or last.value else dash + 2
        self._insert_after(end_of(node, self.text), dashed(render(entry, self.style, flow=flow), dash, indent),
                           owner=dash)

    def _dash_column(self, node: SequenceNode) -> int:
        """The column of a block list's dashes: where it starts, unless a tag (`!!seq`) comes first."""
        if self.text.startswith("-", node.start_mark.index):
            return node.start_mark.column
        first = node.value[0].start_mark.index
        line = self.text.rfind("\n", 0, first) + 1
        dash = self.text.rfind("-", line, first)
        return dash - line if dash != -1 else node.start_mark.column

    def _fill_null(self, record: MappingNode, name: str, node: ScalarNode, value):
        """`name:` left empty gets the value on the lines below; `name: ~` is replaced inline."""
        if node.start_mark.index != node.end_mark.index:
            self._splice(node.start_mark.index, node.end_mark.index, render_inline(value, self.style, flow=True))
            return
        if record.flow_style:
            raise EditError(f"cannot fill the empty {name!r} of a one-line record")
        key = next(k for k, v in record.value if v is node)
        lines = render({name: value}, self.style)[1:]
        self._insert_after(key.end_mark.index, indented(lines, key.start_mark.column))

    def _add_first_record(self, lines: list[str]):
        text = self.text
        body = "".join(dashed(lines, 0, 2)).replace("\n", self.newline)
        if text and not text.endswith(("\n", "\r")):  # no final line end: nor will the new last line have one
            text += self.newline
            body = body.removesuffix(self.newline)
        gap = self.newline if text.strip() else ""
        self.text = text + gap + body
        self._compose()

    def _append_inline(self, node, text: str):
        """Add `text` as the last element of a flow collection (`[…]` or `{…}`)."""
        items = node.value
        if items:
            last = items[-1][1] if isinstance(node, MappingNode) else items[-1]
            at = end_of(last, self.text)
            self._splice(at, at, ", " + text)
        else:
            at = node.start_mark.index + 1
            self._splice(at, at, text)

    def _insert_after(self, index: int, lines: list[str], *, gap: bool = False, owner: int | None = None):
        """Insert whole lines after the line holding character `index` (comments stay put).

        Comment lines just below it indented deeper than column `owner` belong to what ends there
        (the last record, the last entry): the lines go below them.
        """
        text = self.text
        if owner is not None:
            index = below_comments(text, index, owner)
        body = (("\n" if gap else "") + "".join(lines)).replace("\n", self.newline)
        newline = text.find("\n", index)
        if newline == -1:  # the last line has no line end: nor will the new last line
            self.text = text + self.newline + body.removesuffix(self.newline)
        else:
            self.text = text[:newline + 1] + body + text[newline + 1:]
        self._compose()

    def _splice(self, start: int, end: int, text: str):
        self.text = self.text[:start] + text + self.text[end:]
        self._compose()

    # --- checking --------------------------------------------------------------------------

    def _verify(self, expected: list, index: int, name: str | None = None, *, appended: bool = False):
        """The edited text must read as `expected`: the old records with the new part (field `name`
        of record `index`, its last entry when `appended`, or the whole record), nothing else."""
        parsed = self._parsed  # read when the text last changed (`_compose`)
        problem = _unparsed(parsed)
        if problem:
            raise EditError(_bug(self.name, f"does not parse ({problem})"))
        actual = [r.data for r in parsed.records]
        if actual == expected:
            return
        if _apart(actual, index, name, appended) == _apart(expected, index, name, appended):
            raise EditError(_bug(self.name, "reads back as other values than those written"))
        raise EditError(f"could not edit {self.name} without changing other content; edit it by hand")


def _apart(records: list, index: int, name: str | None, appended: bool) -> list:
    """`records` without the new part of an edit (see `YamlFile._verify`)."""
    if index >= len(records):
        return records
    rest = list(records)
    if name is None or not isinstance(rest[index], dict):
        del rest[index]
        return rest
    record = dict(rest[index])
    if appended and isinstance(record.get(name), list):
        record[name] = record[name][:-1]
    else:
        record.pop(name, None)
    rest[index] = record
    return rest


_ANCHOR = re.compile(r"&([^\s,\[\]{}]+)")
