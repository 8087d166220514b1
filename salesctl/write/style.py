"""How a YAML file writes its values (`Style`), learnt from the file and its neighbours, and values
turned into ruamel.yaml objects that dump in that style.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import implicit_resolvers
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from ..errors import EditError
from .nodes import end_of, learnable, root_list

# What a plain scalar may be read as other than text by a YAML 1.2 or a YAML 1.1 reader (yes, 1:20,
# 0o7, 2026-01-01, <<, …): text matching one is written quoted, so that every reader agrees.
_TYPED = re.compile("|".join(f"(?{'x' if regexp.flags & re.X else ''}:{regexp.pattern})"
                             for _versions, _tag, regexp, _first in implicit_resolvers))  # any of them
# The characters a text that `_TYPED` matches can start with: those each resolver is tried for,
# and `_`, which the integer patterns take first (`_1`) though no reader tries them for it. Text
# starting otherwise (most names, in any script) skips the patterns.
_TYPED_FIRST = frozenset({"_", *(char for _versions, _tag, _regexp, first in implicit_resolvers
                                  for char in first if char)})


@dataclass
class Style:
    """How a file writes its YAML, so that added text looks like the text around it."""

    mapping: int = 2  # a nested mapping's keys, relative to its parent key
    sequence: int = 4  # a list entry's content, relative to its parent key
    offset: int = 2  # a list entry's dash, relative to its parent key
    flow: dict = field(default_factory=dict)  # field name -> its value (or its entries) in flow style
    entries_flow: bool = False  # lists of mappings not in `flow` have flow entries ({date: …, …})
    record_dash: int = 0  # many-record files: column of each record's dash
    record_indent: int = 2  # ... and of its keys
    record_flow: bool = False  # ... records written as {id: …, …}
    record_gap: bool = False  # ... a blank line between records

    @classmethod
    def detect(cls, *texts, composed=None) -> "Style":
        """The style of the first text that shows each trait; defaults where none does.

        `composed` is (text, documents) of a file already composed, looked at first.
        """
        found = cls()
        seen: set = set()
        learned = [_traits(*composed)] if composed else []
        for traits in learned + [_sample_traits(text) for text in texts]:
            if traits is None:
                continue
            for name, value in traits.items():
                if name == "flow":
                    for key, flow in value.items():
                        found.flow.setdefault(key, flow)
                elif name not in seen:
                    setattr(found, name, value)
                    seen.add(name)
        return found


@functools.lru_cache(maxsize=16)
def _sample_traits(text: str) -> dict | None:
    """The traits of another file of the collection (None when it cannot teach any): learned once,
    however many files one write edits with the same samples. Read-only for the callers."""
    documents = learnable(text)
    return _traits(text, documents) if documents is not None else None


def _traits(text: str, documents: list) -> dict:
    mapping, sequences, flow, entries = Counter(), Counter(), {}, Counter()
    seen: set = set()

    def walk(node):
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if id(value) in seen:
                    continue  # an alias (a merge key's, say): its text and style are at its anchor
                if isinstance(key, ScalarNode) and not node.flow_style:
                    col = key.start_mark.column
                    if isinstance(value, MappingNode) and not value.flow_style and value.value:
                        indent = value.value[0][0].start_mark.column - col  # its first key's: `key: &anchor`
                        if indent > 0:  # `? key` puts a value anywhere
                            mapping[indent] += 1
                    if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                        first = value.value[0]
                        if first.start_mark.line == value.start_mark.line:
                            sequences[(first.start_mark.column - col, value.start_mark.column - col)] += 1
                if isinstance(key, ScalarNode) and isinstance(value, (MappingNode, SequenceNode)):
                    flow.setdefault(key.value, _is_flow(value))
                if isinstance(value, SequenceNode):
                    entries.update(bool(item.flow_style) for item in value.value if isinstance(item, MappingNode))
                walk(value)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                if id(item) not in seen:
                    walk(item)

    traits: dict = {}
    for doc in documents:
        walk(doc)
    if mapping:
        traits["mapping"] = mapping.most_common(1)[0][0]
    if sequences:
        seq, off = sequences.most_common(1)[0][0]
        if off >= 0 and seq >= off + 2:
            traits["sequence"], traits["offset"] = seq, off
    traits["flow"] = flow
    if entries:
        traits["entries_flow"] = entries.most_common(1)[0][0]
    root = root_list(documents)
    if root is not None and root.value:
        last = root.value[-1]
        traits["record_flow"] = bool(getattr(last, "flow_style", False))
        first = root.value[0]
        if first.start_mark.line == root.start_mark.line:  # `- id: …`: keys beside the dash
            traits["record_dash"] = root.start_mark.column
            traits["record_indent"] = max(first.start_mark.column, root.start_mark.column + 2)
        if len(root.value) > 1:
            previous = root.value[-2]
            between = text[end_of(previous, text) or previous.start_mark.index:last.start_mark.index]
            traits["record_gap"] = re.search(r"\n[ \t]*(\r?\n|$)", between) is not None
    return traits


def _is_flow(node) -> bool:
    """A value written in flow style; for a block list of mappings, whether its entries are."""
    if node.flow_style:
        return True
    if isinstance(node, SequenceNode) and node.value and isinstance(node.value[-1], MappingNode):
        return bool(node.value[-1].flow_style)
    return False


def dumper(style: Style) -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 1 << 16  # never fold a long line
    yaml.allow_unicode = True
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    yaml.representer.add_representer(type(None), _represent_none)
    return yaml


def _represent_decimal(representer, value: Decimal):
    """Money as the plain number it is (12000, 12000.50): never a float's artefacts."""
    text = format(value, "f")
    kind = "float" if "." in text else "int"
    return representer.represent_scalar(f"tag:yaml.org,2002:{kind}", text)


def _represent_none(representer, value):
    """A null written out (`to: null`, the public pool), never as an empty value that reads as one."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def prepare(value, style: Style, flow: bool = False, in_flow: bool = False):
    """Plain values -> ruamel objects carrying the flow/block choice for each nested field.

    `flow`: a mapping or list is written in flow style; `in_flow`: the value sits inside one.
    """
    inside = in_flow or flow
    if isinstance(value, dict):
        result = CommentedMap()
        for key, item in value.items():
            entries = isinstance(item, list) and any(isinstance(i, dict) for i in item)
            result[prepare(key, style, in_flow=inside)] = prepare(
                item, style, style.flow.get(key, entries and style.entries_flow) or flow, inside)
        if flow:
            result.fa.set_flow_style()
        return result
    if isinstance(value, (list, tuple)):
        result = CommentedSeq(prepare(item, style, flow, inside) for item in value)
        if flow and not any(isinstance(item, dict) for item in value):
            result.fa.set_flow_style()
        return result
    if isinstance(value, str):
        return _text(value, in_flow)
    if isinstance(value, float) and value != value:
        raise EditError("cannot write NaN (not a number)")  # it would never read back equal to itself
    if value is None or isinstance(value, (bool, int, float, date, Decimal)):
        return value
    raise EditError(f"cannot write a value of type {type(value).__name__}")


def _text(value: str, in_flow: bool):
    """A string, quoted where some YAML reader would read it plain as anything else.

    ruamel's emitter follows YAML 1.2, which lets `CMB:2611300012` or `0?` stand plain inside
    `{…}`; the libyaml reader (ours, and most tools') refuses a `:` there and ends the text at a `?`.
    """
    if not value.isprintable():  # a line break (\\n, NEL, U+2028 …) or a control character; a space is printable
        return DoubleQuotedScalarString(value)  # escaped (\\N, \\t …), so every reader gets them back
    if (not value or value[0] in _TYPED_FIRST) and _TYPED.match(value) or in_flow and (":" in value or "?" in value):
        return SingleQuotedScalarString(value)
    return value


# --- plain records without the dumper -------------------------------------------------------

_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`. \t")
_FLOW_MARKS = frozenset(",[]{}:?#")
_AT_LINE_START = re.compile(r"^[<=>]", re.M)  # `parse` takes <<<<<<<, =======, >>>>>>> for a merge conflict


def plain_text(record: dict, style: Style) -> str | None:
    """What the dumper writes for a mapping of the shapes writers make — scalars, lists of
    scalars, lists of flat mappings, flat mappings — without it (it takes a millisecond a record:
    minutes for an import of thousands); None for any other shape, which the dumper writes. Tests
    hold both to the same text for every style."""
    found = _plain(record, style)
    return found[0] if found is not None else None


def plain_record(record: dict, style: Style) -> tuple[str, dict, dict] | None:
    """(text, data, positions) of a record of the shapes `plain_text` writes: its text, and what
    `parse` reads from that text — the values as read (dates as ISO text, amounts as numbers) and
    the line and column of every key path. Worked out while writing, so that a writer of thousands
    of files need not parse each one back (tests hold it to `parse` for every style). None where
    `plain_text` is, and where `parse` reads other keys or no record: a key other than text, an
    empty record, a line that looks like a merge conflict's (`<<<<<<< …`)."""
    found = _plain(record, style)
    if found is None or found[1] is None or not found[0] or _AT_LINE_START.search(found[0]):
        return None
    return found


def _plain(record: dict, style: Style) -> tuple[str, dict | None, dict] | None:
    """(text, data, positions) for `plain_text` and `plain_record`; data None when a key is not text."""
    texts = True
    out, data, positions = [], {}, {(): (1, 1)}
    seq = " " * style.offset + "-" + " " * (style.sequence - style.offset - 1)
    line = 1
    for key, value in record.items():
        name = _scalar(key, False)
        if name is None:
            return None
        texts = texts and type(key) is str
        path = (key,)
        positions[path] = (line, 1)
        if isinstance(value, dict):
            flow = style.flow.get(key, False) or not value
            pairs = _read_pairs(value, flow)
            if pairs is None:
                return None
            texts = texts and all(type(sub) is str for sub in value)
            if flow:
                out.append(f"{name}: {{{', '.join(f'{k}: {v}' for _, k, v, _ in pairs)}}}\n")
                column = len(name) + 4
                for sub, k, v, _ in pairs:
                    positions[path + (sub,)] = (line, column)
                    column += len(k) + len(v) + 4
            else:
                out.append(f"{name}:\n" + "".join(f"{' ' * style.mapping}{k}: {v}\n" for _, k, v, _ in pairs))
                for number, (sub, _, _, _) in enumerate(pairs, line + 1):
                    positions[path + (sub,)] = (number, style.mapping + 1)
                line += len(pairs)
            data[key] = {sub: read for sub, _, _, read in pairs}
        elif isinstance(value, list):
            if value and all(isinstance(item, dict) and item for item in value):
                flow = style.flow.get(key, style.entries_flow)
                entries = [_read_pairs(item, flow) for item in value]
                if any(entry is None for entry in entries):
                    return None
                texts = texts and all(type(sub) is str for item in value for sub in item)
                out.append(f"{name}:\n")
                for index, pairs in enumerate(entries):
                    line += 1
                    positions[path + (index,)] = (line, style.sequence + 1)
                    if flow:
                        out.append(f"{seq}{{{', '.join(f'{k}: {v}' for _, k, v, _ in pairs)}}}\n")
                        column = style.sequence + 2
                        for sub, k, v, _ in pairs:
                            positions[path + (index, sub)] = (line, column)
                            column += len(k) + len(v) + 4
                    else:
                        out.append(f"{seq}{pairs[0][1]}: {pairs[0][2]}\n" +
                                   "".join(f"{' ' * style.sequence}{k}: {v}\n" for _, k, v, _ in pairs[1:]))
                        for number, (sub, _, _, _) in enumerate(pairs, line):
                            positions[path + (index, sub)] = (number, style.sequence + 1)
                        line += len(pairs) - 1
                data[key] = [{sub: read for sub, _, _, read in pairs} for pairs in entries]
            elif not any(isinstance(item, (dict, list)) for item in value):
                flow = style.flow.get(key, False) or not value
                items = [_read_scalar(item, flow) for item in value]
                if None in items:
                    return None
                if flow:
                    out.append(f"{name}: [{', '.join(text for text, _ in items)}]\n")
                    column = len(name) + 4
                    for index, (text, _) in enumerate(items):
                        positions[path + (index,)] = (line, column)
                        column += len(text) + 2
                else:
                    out.append(f"{name}:\n" + "".join(f"{seq}{text}\n" for text, _ in items))
                    for index in range(len(items)):
                        positions[path + (index,)] = (line + 1 + index, style.sequence + 1)
                    line += len(items)
                data[key] = [read for _, read in items]
            else:
                return None
        else:
            found = _read_scalar(value, False)
            if found is None:
                return None
            out.append(f"{name}: {found[0]}\n")
            data[key] = found[1]
        line += 1
    return "".join(out), data if texts else None, positions


def _read_pairs(mapping: dict, flow: bool) -> list[tuple] | None:
    """(key, its text, the value's text, the value as read) of each pair of a flat mapping."""
    pairs = []
    for key, value in mapping.items():
        name = _scalar(key, flow)
        found = _read_scalar(value, flow)
        if name is None or found is None:
            return None
        pairs.append((key, name, *found))
    return pairs


def _read_scalar(value, in_flow: bool) -> tuple[str, object] | None:
    """(text, the value `parse` reads from it) of a scalar as the dumper writes it, or None."""
    text = _scalar(value, in_flow)
    if text is None:
        return None
    kind = type(value)
    if kind is Decimal:
        return text, float(text) if "." in text else int(text)
    if kind is date:
        return text, text
    return text, value


def _scalar(value, in_flow: bool) -> str | None:
    """A scalar as the dumper writes it, or None where that is not certain (the caller falls back)."""
    kind = type(value)
    if kind is str:
        return _text_scalar(value, in_flow) if len(value) <= 1000 else None
    if value is None:
        return "null"  # as `dumper` writes it
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is Decimal:
        return format(value, "f") if value.is_finite() else None
    if kind is date:
        return value.isoformat()
    return None


@functools.lru_cache(maxsize=4096)
def _text_scalar(value: str, in_flow: bool) -> str | None:
    """`_scalar` of a text: remembered, since a write of thousands of records spells the same keys
    and the same few tiers, owners and industries in each."""
    quoted = _text(value, in_flow)
    if isinstance(quoted, DoubleQuotedScalarString):
        return None
    if isinstance(quoted, SingleQuotedScalarString):
        return "'" + value.replace("'", "''") + "'"
    if (value[0] in _PLAIN_START or value[-1] in " :" or ": " in value or " #" in value
            or in_flow and not _FLOW_MARKS.isdisjoint(value)):
        return None
    return value
