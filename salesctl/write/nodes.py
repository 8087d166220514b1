"""Where things are in a YAML file's text: composed nodes with exact positions, and the spans of
text they cover (`end_of`), so that an edit inserts its lines at the right place.
"""

from __future__ import annotations

from collections import Counter

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..load.parse import parse_bytes


def root_list(documents):
    if documents and isinstance(documents[-1], SequenceNode):
        return documents[-1]
    return None


def learnable(text: str) -> list | None:
    """The documents of a text that `parse` reads and the composer takes, else None."""
    if not parses(text):
        return None  # `parse` refuses it (too deep for the C composer, say)
    try:
        return compose(text)
    except YAMLError:
        return None  # tab-indented comments: `parse` reads the file as empty, the composer refuses it


def parses(text: str) -> bool:
    """`parse` reads it: valid YAML, bounded nesting and aliases, nothing but core tags."""
    problems = parse_bytes(text.encode("utf-8")).problems
    return not any(code in ("yaml-syntax", "not-utf8") for code, *_ in problems)


def compose(text: str) -> list:
    """The nodes of every document, with exact positions (the C composer when available)."""
    return list(YAML(typ="safe").compose_all(text))


def use_counts(documents: list) -> Counter:
    """How many times each node is used: more than once when an anchor is aliased or merged."""
    uses: Counter = Counter()
    stack = list(documents)
    while stack:
        node = stack.pop()
        uses[id(node)] += 1
        if uses[id(node)] == 1:
            stack.extend(children(node))
    return uses


def reaches(root, target) -> bool:
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is target:
            return True
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(children(node))
    return False


def children(node) -> list:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return node.value if isinstance(node, SequenceNode) else []


def below_comments(text: str, index: int, column: int) -> int:
    """An index on the last of the comment lines below the line of `index` that are indented
    deeper than `column` (blank lines among them); `index` when there are none."""
    at = index
    end = text.find("\n", index)
    while end != -1:
        start = end + 1
        end = text.find("\n", start)
        line = text[start:len(text) if end == -1 else end]
        content = line.lstrip(" ")
        if not content.strip():
            continue
        if not content.startswith("#") or len(line) - len(content) <= column:
            break
        at = start + len(line) - len(content)
    return at


def value_of(mapping: MappingNode, name: str):
    for key, value in mapping.value:
        if isinstance(key, ScalarNode) and key.value == name:
            return value
    return None


def pair_before(record: MappingNode, name: str, order: list[str]):
    """The (key, value) pair a new field goes after: the last one that comes before it in `order`."""
    if name in order:
        rank = {field: i for i, field in enumerate(order)}
        before = [pair for pair in record.value
                  if isinstance(pair[0], ScalarNode) and rank.get(pair[0].value, len(order)) < rank[name]]
        if before:
            return max(before, key=lambda pair: rank[pair[0].value])
    return record.value[-1] if record.value else None


def pair_end(pair, text: str) -> int:
    key, value = pair
    end = end_of(value, text)
    return max(end_of(key, text), end) if end is not None else end_of(key, text)


def end_of(node, text: str, _memo=None) -> int | None:
    """Index in `text` just past a node's last character of content (None for an empty value)."""
    memo = {} if _memo is None else _memo
    if id(node) not in memo:
        memo[id(node)] = None  # an alias back to an enclosing node adds nothing
        memo[id(node)] = _content_end(node, text, memo)
    return memo[id(node)]


def _content_end(node, text: str, memo: dict) -> int | None:
    if isinstance(node, ScalarNode):
        start, end = node.start_mark.index, node.end_mark.index
        if start == end:
            return None
        if node.style not in ("|", ">"):
            return end
        header = text[start:text.find("\n", start)].split("#")[0]
        if "+" in header:  # `|+` keeps its trailing blank lines: they are content
            return max(end - 1, start)
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
        return end
    if node.flow_style:
        return node.end_mark.index
    children = [c for pair in node.value for c in pair] if isinstance(node, MappingNode) else node.value
    ends = [e for e in (end_of(c, text, memo) for c in children) if e is not None]
    return max(ends) if ends else None


def indented(lines: list[str], column: int) -> list[str]:
    pad = " " * column
    return [pad + line if line.strip() else line for line in lines]


def dashed(lines: list[str], dash: int, indent: int) -> list[str]:
    """Lines of a mapping at column 0 made into one list entry: `- ` at `dash`, keys at `indent`."""
    indent = max(indent, dash + 2)
    first = " " * dash + "-" + " " * (indent - dash - 1) + lines[0]
    return [first] + indented(lines[1:], indent)
