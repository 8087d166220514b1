"""YAML text to records: the C-accelerated composer of ruamel.yaml with a resolver of our own.

Safety: the composer builds a node graph in which an alias is a shared node, so an alias bomb
costs nothing until it is expanded; expansion here is bounded, tags other than the core schema's
are refused, and nesting depth is limited.
"""

from __future__ import annotations

from ruamel.yaml.composer import ComposerError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from .hints import flow_separators, syntax_hint
from .scalars import SCALAR_KINDS, plain_kind, scalar_value

try:  # the C composer is ~5x faster; fall back to the pure-Python one when absent
    from ruamel.yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the installed wheel
    from ruamel.yaml.loader import SafeLoader as _Parser  # its resolver methods are replaced below

from ..model.parsed import ParsedFile, RawRecord

MAX_DEPTH = 64
ALIAS_EXPANSION_SLACK = 10_000  # extra nodes that alias expansion may add beyond the file's own

_TAG = "tag:yaml.org,2002:"

# One shared Tag per kind: nodes keep it as is, and kinds are told apart by identity, which is
# much faster than ruamel's own resolver and Tag string conversions.
_TAGS = {kind: Tag(suffix=_TAG + kind) for kind in ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map")}
_KIND_OF = {id(tag): kind for kind, tag in _TAGS.items()}


class _Composer(_Parser):
    """The C composer with a small YAML 1.2 core-schema resolver of our own."""

    max_depth = None  # the pure-Python composer asks; depth is bounded while building instead

    def __init__(self, text: str):
        _Parser.__init__(self, text)
        self.nesting = 0  # not `depth`: the pure-Python Composer has its own

    def descend_resolver(self, current_node, current_index):
        # The C composer recurses on the C stack: a 60 KB file of '[' would crash the process
        # (segfault) before `_Builder` could refuse it, so depth is bounded here, while composing.
        self.nesting += 1
        if self.nesting > MAX_DEPTH + 1:
            raise ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", current_node.start_mark)

    def ascend_resolver(self):
        self.nesting -= 1

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _TAGS[plain_kind(value)] if implicit[0] else _TAGS["str"]
        return _TAGS["seq"] if kind is SequenceNode else _TAGS["map"]


def _kind(node) -> str | None:
    """The core-schema kind of a node (str, int, ..., seq, map), or None for any other tag."""
    kind = _KIND_OF.get(id(node.ctag))
    if kind is not None:
        return kind
    tag = str(node.ctag)
    return tag[len(_TAG):] if tag.startswith(_TAG) else None


class _Refused(Exception):
    def __init__(self, code, line, column, message):
        super().__init__(message)
        self.args4 = (code, line, column, message)


def compose(text: str) -> ParsedFile:
    """Records and problems of a file's text (decoded, without BOM or conflict markers)."""
    return compose_nodes(text)[0]


def compose_nodes(text: str) -> tuple[ParsedFile, list | None]:
    """`compose`, and the node graph of the documents the records were built from (None when the
    text does not compose): the writers edit a file by its nodes and check the result by its records."""
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
        return ParsedFile([], [("yaml-syntax", *syntax_hint(text, line, column, message))], False), None
    except (YAMLError, RecursionError, ValueError) as exc:
        message = "nesting too deep" if isinstance(exc, RecursionError) else " ".join(str(exc).split())
        return ParsedFile([], [("yaml-syntax", 1, 1, message)], False), None

    if "{" in text and "," in text:
        problems += [("yaml-syntax", *found) for found in flow_separators(text)]
    builder = _Builder(problems, len(text))
    records: list = []
    single = len(documents) == 1 and isinstance(documents[0], MappingNode)
    try:
        for doc in documents:
            if isinstance(doc, SequenceNode) and _kind(doc) == "seq":
                for index, item in enumerate(doc.value):
                    records.append(builder.record(item))
            elif isinstance(doc, ScalarNode) and _kind(doc) == "null":
                continue  # an empty document holds no records
            else:
                records.append(builder.record(doc))
    except _Refused as refused:
        return ParsedFile([], problems + [refused.args4], False), documents
    return ParsedFile(records, problems, single), documents


class _Builder:
    def __init__(self, problems: list, text_length: int):
        self.problems = problems
        # every distinct node takes at least one character of the text, so this bounds what a
        # file may expand to without counting its nodes first
        self.budget = 2 * text_length + ALIAS_EXPANSION_SLACK
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
        if _kind(node) not in ("seq", "map", "omap", "set"):
            raise _Refused("yaml-syntax", *_pos(node), f"tag {str(node.ctag)!r} is not allowed")
        active = active + (id(node),)
        if isinstance(node, SequenceNode):
            return [self.value(item, path + (i,), positions, depth + 1, active) for i, item in enumerate(node.value)]
        return self.mapping(node, path, positions, depth, active)

    def mapping(self, node, path, positions, depth, active):
        result: dict = {}
        explicit: set = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and _kind(key_node) == "merge":
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
            if key is None or isinstance(key, (float, bool)):  # True == 1: keep `true:` apart from `1:`
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


def _scalar(node):
    kind = _kind(node)
    if kind not in SCALAR_KINDS:
        raise _Refused("yaml-syntax", *_pos(node), f"tag {str(node.ctag)!r} is not allowed")
    return scalar_value(kind, node.value)
