"""Edits at a dotted path inside a record (`contacts.0.phone`, `next.date`, `notes`), so that the git
diff of `salesctl set` shows only the change: a scalar is replaced in place (the rest of its line
stays), a missing field is added where the record format puts it, a field is removed with its lines,
and a list or mapping given a new value is rewritten where it stood.

These work on a `edit.YamlFile` and are checked the same way as its own edits: the new text must
read back as the old records with exactly this change (`YamlFile._verify`).
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from ..errors import EditError
from .edit import YamlFile, _as_read, render, render_inline
from .nodes import below_comments, indented, pair_end

def set_at(doc: YamlFile, record_id, path: tuple, value, order: list[str]):
    """Give the field at `path` the value `value`; `order` is the field order of the mapping the
    last part of the path is in (where a new field goes)."""
    index, expected = _start(doc, record_id, path, "change")
    parent, flow, at = _walk(doc, record_id, doc.records[index], path)
    if at < len(path) - 1:  # a mapping on the way is absent: it is added with what it holds
        value = _nested(path[at + 1:], value)
        order = []
    key = path[at]
    if isinstance(parent, SequenceNode):
        _set_entry(doc, parent, key, value, flow)
    else:
        pair = _pair(parent, key)
        if pair is None:
            doc._add_field(parent, key, value, order)
        elif _inline_scalar(pair[1]) and not isinstance(value, (dict, list)):
            _replace_scalar(doc, pair[1], value, flow)
        else:
            _replace_pair(doc, parent, pair, {key: value}, flow)
    _put(expected[index], path[:at + 1], _as_read(value))
    doc._verify(expected, index, path[0])


def remove_at(doc: YamlFile, record_id, path: tuple):
    """Remove the field at `path` with its lines (its text only, inside `{…}`)."""
    index, expected = _start(doc, record_id, path, "remove")
    parent, flow, at = _walk(doc, record_id, doc.records[index], path)
    if at < len(path) - 1 or isinstance(parent, SequenceNode):
        raise EditError(f"{record_id}: cannot remove {_dotted(path)}")
    pair = _pair(parent, path[-1])
    if pair is None:
        raise EditError(f"{record_id} has no {_dotted(path)}")
    _replace_pair(doc, parent, pair, None, flow)
    _drop(expected[index], path)
    doc._verify(expected, index, path[0])


# --- finding the place -----------------------------------------------------------------------

def _start(doc: YamlFile, record_id, path: tuple, verb: str) -> tuple[int, list]:
    index = doc.find(record_id)
    expected = doc._plain()
    if not isinstance(doc.records[index], MappingNode):
        raise EditError(f"{record_id} is not a mapping of fields")
    doc._refuse_shared(index, path[0], verb, expected[index])
    return index, expected


def _walk(doc: YamlFile, record_id, record: MappingNode, path: tuple):
    """(the node holding the last part that exists, whether it sits in flow style, the index in
    `path` of the part to change there): a missing mapping on the way stops the walk early."""
    node, flow = record, bool(record.flow_style)
    for at, key in enumerate(path[:-1]):
        child = _child(node, key)
        if child is None or _empty(child):
            if isinstance(node, SequenceNode):
                raise EditError(f"{record_id}: {_dotted(path)} is not in {doc.name}")
            return node, flow, at
        if isinstance(child, ScalarNode):
            raise EditError(f"{record_id}: {_dotted(path[:at + 1])} is not a mapping")
        node, flow = child, flow or bool(child.flow_style)
    return node, flow, len(path) - 1


def _child(node, key):
    if isinstance(node, SequenceNode):
        return node.value[key] if isinstance(key, int) and 0 <= key < len(node.value) else None
    pair = _pair(node, key)
    return pair[1] if pair is not None else None


def _pair(mapping: MappingNode, key: str):
    return next(((k, v) for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == key), None)


def _empty(node) -> bool:
    """`key:` with nothing after it, or `key: ~`: an absent value."""
    return isinstance(node, ScalarNode) and node.style is None and node.value in ("", "~", "null", "Null", "NULL")


def _inline_scalar(node) -> bool:
    """A value written on its key's line, which a new one replaces in place."""
    return isinstance(node, ScalarNode) and node.style not in ("|", ">") and node.start_mark.index != node.end_mark.index


# --- changing the text -----------------------------------------------------------------------

def _set_entry(doc: YamlFile, sequence: SequenceNode, key, value, flow: bool):
    node = _child(sequence, key)
    if node is None:
        raise EditError(f"entry {key} is not in {doc.name}")
    if not _inline_scalar(node) or isinstance(value, (dict, list)):
        raise EditError(f"entry {key} is not a single value; set its fields one by one, or the whole list")
    _replace_scalar(doc, node, value, flow)


_QUOTED = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}


def _replace_scalar(doc: YamlFile, node: ScalarNode, value, flow: bool):
    """A scalar's text replaced; text that was quoted stays quoted the same way."""
    if isinstance(value, str) and node.style in _QUOTED:
        value = _QUOTED[node.style](value)
    doc._splice(node.start_mark.index, node.end_mark.index, render_inline(value, doc.style, flow=flow))


def _replace_pair(doc: YamlFile, mapping: MappingNode, pair, value: dict | None, flow: bool):
    """Replace a field's whole text by `value` (one field as a mapping), or remove it (None)."""
    if flow or mapping.flow_style:
        _replace_inline(doc, mapping, pair, value)
        return
    text = doc.text
    key = pair[0]
    start = text.rfind("\n", 0, key.start_mark.index) + 1
    if text[start:key.start_mark.index].strip():
        raise EditError(f"{key.value} is the first field of a list entry (`- {key.value}: …`); edit it by hand")
    last = below_comments(text, pair_end(pair, text), key.start_mark.column)
    end = text.find("\n", last)
    end = len(text) if end == -1 else end + 1
    lines = indented(render(value, doc.style), key.start_mark.column) if value is not None else []
    body = "".join(lines).replace("\n", doc.newline)
    if end == len(text) and not text.endswith("\n") and body:
        body = body.removesuffix(doc.newline)  # no final line end before: none after either
    elif end == len(text) and not text.endswith("\n") and start > 0:
        start -= len(doc.newline)  # the line before becomes the last: it loses its line end
    doc._splice(start, end, body)


def _replace_inline(doc: YamlFile, mapping: MappingNode, pair, value: dict | None):
    """The same inside `{…}`: the field's text, with the comma that separates it from the next."""
    text = doc.text
    pairs = mapping.value
    position = next(i for i, p in enumerate(pairs) if p[0] is pair[0])
    key, node = pair
    start, end = key.start_mark.index, pair_end(pair, text)
    if value is not None:
        new = f"{key.value}: {render_inline(value[key.value], doc.style, flow=True)}"
        doc._splice(start, end, new)
        return
    if position + 1 < len(pairs):
        end = pairs[position + 1][0].start_mark.index
    elif position > 0:
        start = pair_end(pairs[position - 1], text)
    doc._splice(start, end, "")


# --- the data the edited text must read as ---------------------------------------------------------

def _nested(path: tuple, value):
    """`value` under the mappings named by `path`: ('date',), d -> {'date': d}."""
    for key in reversed(path):
        value = {key: value}
    return value


def _put(data: dict, path: tuple, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _drop(data: dict, path: tuple):
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)
