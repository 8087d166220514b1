"""Turn the bytes of one YAML file into plain data plus source positions.

Parsing is a pure function of the file's bytes, so its result can be cached by file identity.
The result holds only plain values (dict, list, str, int, float, bool, None) and tuples, which
the cache can serialize without pickle. Dates stay ISO strings here; `records` types them.

Safety: the C-accelerated composer builds a node graph in which an alias is a shared node, so
an alias bomb costs nothing until it is expanded; expansion here is bounded, tags other than the
core schema's are refused, and nesting depth is limited.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

try:  # the C composer is ~5x faster; fall back to the pure-Python one when absent
    from ruamel.yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the installed wheel
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)
            Composer.__init__(self, loader=self)


MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
ALIAS_EXPANSION_SLACK = 10_000  # extra nodes that alias expansion may add beyond the file's own

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.M)
_TAG = "tag:yaml.org,2002:"


class _Composer(_Parser, VersionedResolver):
    def __init__(self, text: str):
        _Parser.__init__(self, text)
        VersionedResolver.__init__(self)


class RawRecord(NamedTuple):
    data: object  # a dict when the record is a mapping; anything else is not-a-record
    positions: dict  # key path tuple -> (line, column), 1-based; () is the record itself


class ParsedFile(NamedTuple):
    records: list  # of RawRecord
    problems: list  # of (code, line, column, message)
    single: bool  # the file holds one mapping (not a sequence): its name should be the id


class _Refused(Exception):
    def __init__(self, code, line, column, message):
        super().__init__(message)
        self.args4 = (code, line, column, message)


def parse_bytes(raw: bytes) -> ParsedFile:
    """Parse one file. Never raises for bad input: problems come back as data."""
    if len(raw) > MAX_FILE_BYTES:
        return ParsedFile([], [("yaml-syntax", 1, 1, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")], False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return ParsedFile([], [("not-utf8", line, column, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")], False)
    if text.startswith("\ufeff"):
        text = text[1:]
    marker = _CONFLICT.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        return ParsedFile([], [("yaml-syntax", line, 1, "git merge conflict marker; resolve the conflict")], False)
    return _parse_text(text)


def _parse_text(text: str) -> ParsedFile:
    problems: list = []
    documents = []
    try:
        composer = _Composer(text)
        while composer.check_node():
            documents.append(composer.get_node())
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        return ParsedFile([], [("yaml-syntax", line, column, message)], False)
    except (YAMLError, RecursionError, ValueError) as exc:
        message = "nesting too deep" if isinstance(exc, RecursionError) else " ".join(str(exc).split())
        return ParsedFile([], [("yaml-syntax", 1, 1, message)], False)

    builder = _Builder(problems, sum(_count_nodes(doc) for doc in documents))
    records: list = []
    single = len(documents) == 1 and isinstance(documents[0], MappingNode)
    try:
        for doc in documents:
            if isinstance(doc, SequenceNode) and doc.tag == _TAG + "seq":
                for index, item in enumerate(doc.value):
                    records.append(builder.record(item))
            elif isinstance(doc, ScalarNode) and doc.tag == _TAG + "null":
                continue  # an empty document holds no records
            else:
                records.append(builder.record(doc))
    except _Refused as refused:
        return ParsedFile([], problems + [refused.args4], False)
    return ParsedFile(records, problems, single)


def _count_nodes(root) -> int:
    """Distinct nodes of a document: the budget that alias expansion is measured against."""
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
    return len(seen)


class _Builder:
    def __init__(self, problems: list, distinct_nodes: int):
        self.problems = problems
        self.budget = 2 * distinct_nodes + ALIAS_EXPANSION_SLACK
        self.built = 0

    def record(self, node) -> RawRecord:
        positions: dict = {}
        data = self.value(node, (), positions, 0, ())
        return RawRecord(data, positions)

    def value(self, node, path, positions, depth, active):
        self.built += 1
        if self.built > self.budget:
            raise _Refused("yaml-syntax", *_pos(node), "alias expansion too large (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _Refused("yaml-syntax", *_pos(node), f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) in active:
            raise _Refused("yaml-syntax", *_pos(node), "recursive alias")
        positions[path] = _pos(node)
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if not node.tag.startswith(_TAG) or node.tag[len(_TAG):] not in ("seq", "map", "omap", "set"):
            raise _Refused("yaml-syntax", *_pos(node), f"tag {node.tag!r} is not allowed")
        active = active + (id(node),)
        if isinstance(node, SequenceNode):
            return [self.value(item, path + (i,), positions, depth + 1, active) for i, item in enumerate(node.value)]
        return self.mapping(node, path, positions, depth, active)

    def mapping(self, node, path, positions, depth, active):
        result: dict = {}
        explicit: set = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _TAG + "merge":
                merged = self.value(value_node, path, {}, depth + 1, active)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            if k not in result:
                                result[k] = v
                                positions[path + (k,)] = _pos(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Refused("yaml-syntax", *_pos(key_node), "a mapping key must be a plain value")
            key = _scalar(key_node)
            if key is None or isinstance(key, float):
                key = str(key_node.value)
            if key in explicit:
                first = positions[path + (key,)]
                self.problems.append(
                    ("duplicate-key", *_pos(key_node), f"duplicate key {key!r} (first at line {first[0]})")
                )
                continue
            explicit.add(key)
            result[key] = self.value(value_node, path + (key,), positions, depth + 1, active)
            positions[path + (key,)] = _pos(key_node)
        return result


def _pos(node) -> tuple[int, int]:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


_FLOAT_SPECIAL = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}


def _scalar(node):
    tag = node.tag
    text = node.value
    if not tag.startswith(_TAG):
        raise _Refused("yaml-syntax", *_pos(node), f"tag {tag!r} is not allowed")
    kind = tag[len(_TAG):]
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
    if kind == "float":
        special = _FLOAT_SPECIAL.get(text.lower())
        try:
            return float(special or text.replace("_", ""))
        except ValueError:
            return text
    if kind == "binary":
        raise _Refused("yaml-syntax", *_pos(node), "binary values are not allowed")
    raise _Refused("yaml-syntax", *_pos(node), f"tag {tag!r} is not allowed")
