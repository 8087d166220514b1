"""The plain-shape reader gives what the YAML composer gives, or stands aside."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.workspaces import SAMPLE
from salesctl.load.compose import compose
from salesctl.load.parse import parse_bytes
from salesctl.load.plainyaml import read


def _as_data(parsed):
    return [(_nan_named(r.data), list(r.positions.items())) for r in parsed.records], list(parsed.problems), parsed.single


def _nan_named(value):
    """NaN is not equal to itself; compared here by name."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _nan_named(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_named(v) for v in value]
    return value


def _same_as_composer(text: str) -> bool:
    """True when the reader read `text` (and then exactly as the composer); False when it stood aside."""
    fast = read(text)
    if fast is None:
        return False
    assert _as_data(fast) == _as_data(compose(text)), text
    return True


def test_every_file_of_the_sample_workspace_reads_as_the_composer_reads_it():
    read_plainly = total = 0
    for folder, _, names in os.walk(SAMPLE):
        for name in names:
            if name.endswith(".yaml") and "/." not in folder:
                total += 1
                text = (SAMPLE.joinpath(folder, name)).read_text(encoding="utf-8").removeprefix("\ufeff")
                read_plainly += _same_as_composer(text)
    assert read_plainly >= total * 0.8  # the reader does serve the common shape


RECORD = """\
id: REC-000005
contract: CON-00002
amount: 87300
due: 2022-02-02
invoice: "27823630"
payments:
  - date: 2023-02-26
    amount: 52380.5
    method: 银行转账
    ref: TX20230226-2883
collection:
- date: 2022-02-06
  by: hanbokai
  promised: 2022-03-01
next: {date: 2021-12-19, action: 寄送合同}
tags: [老客户, 重点, 2026-01-01, true, ~]
empty:
note: 'single quoted'
"""


def test_a_record_of_every_plain_form_is_read_with_its_positions():
    parsed = read(RECORD)
    assert parsed is not None and _same_as_composer(RECORD)
    data, positions = parsed.records[0]
    assert data["amount"] == 87300 and data["payments"][0]["amount"] == 52380.5
    assert data["invoice"] == "27823630" and data["due"] == "2022-02-02"
    assert data["tags"] == ["老客户", "重点", "2026-01-01", True, None]
    assert data["empty"] is None and data["note"] == "single quoted"
    assert positions[("payments", 0, "method")] == (9, 5)
    assert positions[("tags", 1)] == (16, 13)  # columns count characters, not bytes
    assert parsed.single


def test_a_sequence_of_records_is_one_record_per_entry():
    text = "- id: A\n  n: 1\n- id: B\n  items:\n    - x\n    - [1, 2]\n"
    assert _same_as_composer(text)
    parsed = read(text)
    assert [r.data["id"] for r in parsed.records] == ["A", "B"] and not parsed.single
    assert parsed.records[1].positions[()] == (3, 3)


@pytest.mark.parametrize("text", [
    "id: A  # a comment\n",
    "id: &a A\nother: *a\n",
    "id: !!str 1\n",
    "notes: |\n  two\n  lines\n",
    "notes: >\n  folded\n",
    "notes: one\n  continued\n",
    'notes: "an \\"escape\\""\n',
    "notes: 'it''s'\n",
    "id: A\nid: B\n",
    "id: A\r\nn: 1\r\n",
    "id:\tA\n",
    "---\nid: A\n",
    "id: A\n...\n",
    "? id\n: A\n",
    "id: a: b\n",
    "id: [a, [b]]\n",
    "id: {a: 16,000}\n",
    "id: [a,]\n",
    "id: [a?b]\n",  # libyaml ends a flow scalar at '?', and then refuses the rest
    "id: {a: 5?6}\n",
    "id: -1\n",
    "<<: {a: 1}\n",
    "- - a\n",
    "- A\n",
    "  id: A\n",
    "id: A\n  n: 1\n",
    "list:\n- a\n  - b\n",
    "id: A\u2028B\n",
    "id: A\x85B\n",
    "id: \x07\n",
    "",
    "\n\n",
])
def test_what_only_the_composer_can_tell_is_left_to_it(text):
    assert read(text) is None


def test_parse_bytes_gives_the_composers_problems_for_what_the_reader_leaves():
    parsed = parse_bytes(b"id: A\nid: B\n")
    assert [p[0] for p in parsed.problems] == ["duplicate-key"]


def test_a_plain_file_is_read_without_loading_the_yaml_library():
    code = ("import sys; from salesctl.load.parse import parse_bytes; "
            "r = parse_bytes('id: A\\nname: 客户\\n'.encode()); print(r.records[0].data['name'], 'ruamel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["客户", "False"]


# Generated documents: plain shapes and near misses, with tricky scalars everywhere.
SCALARS = ["a", "客户", "A&B", "x*y", "a,b", "a]b", "a{b", "http://x.y/z", "TX:1", "1", "017", "0o17", "0x1F", "0b101",
           "1_000", "+1", "1e3", "1.5e-3", ".5", "5.", ".inf", ".nan", "2026-01-02", "2026-1-2", "true", "False", "TRUE",
           "yes", "no", "null", "Null", "~", "y", "n", "0", "00", "3.14", "¥1,000", "a b", "  spaced  ", "\xa0nbsp",
           "'q'", '"q"', "'it''s'", '"a\\nb"', "''", '""', "[a, b]", "[]", "{a: 1}", "{a: 1, b: x}", "{}", "[老客户, 1]",
           "a: b", "a:", ":a", "#x", "a #b", "&a", "*a", "!x", "|", ">", "%x", "@x", "`x", "-x", "- x", "?x", "<<",
           "a\tb", "[a,]", "{a:1}", "{a: 16,000}", "[a, [b]]", "...", "---", "a?b", "[a?b]", "{a: b?}"]
KEYS = ["id", "name", "a.b", "x-y", "客户满意度", "true", "null", "n", "_k", "1", "-k", "a b", "k:"]


@st.composite
def documents(draw, depth=0):
    """A block mapping (or a sequence of them) as text, at some indentation."""
    lines = []
    indent = draw(st.sampled_from([0, 2]))
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4)):
        shape = draw(st.sampled_from(["scalar", "scalar", "empty", "map", "seq"] if depth < 2 else ["scalar", "empty"]))
        if shape == "scalar":
            lines.append(f"{key}:{draw(st.sampled_from([' ', '  ']))}{draw(st.sampled_from(SCALARS))}")
        elif shape == "empty":
            lines.append(f"{key}:")
        elif shape == "map":
            lines.append(f"{key}:")
            lines += ["  " + line for line in draw(documents(depth + 1)).split("\n") if line]
        else:
            lines.append(f"{key}:")
            pad = draw(st.sampled_from(["", "  "]))
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    lines.append(f"{pad}- {draw(st.sampled_from(SCALARS))}")
                else:
                    inner = [line for line in draw(documents(depth + 1)).split("\n") if line]
                    lines.append(f"{pad}- {inner[0]}")
                    lines += [f"{pad}  {line}" for line in inner[1:]]
    text = "\n".join(" " * indent + line if draw(st.booleans()) or indent == 0 else line for line in lines)
    return text + draw(st.sampled_from(["\n", "", "\n\n", "  \n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.booleans())
def test_whatever_the_reader_reads_it_reads_as_the_composer(text, as_list):
    if as_list:
        text = "".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(text.splitlines()))
    _same_as_composer(text)


PLAIN = ["a", "客户", "A&B", "1", "2026-01-02", "true", "~", "3.14", "'q'", '"q"', "[a, b]", "{a: 1}", "[]", "http://x"]


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "name", "owner", "tier", "客户"]), st.sampled_from(PLAIN), min_size=1),
       st.lists(st.dictionaries(st.sampled_from(["date", "amount", "note"]), st.sampled_from(PLAIN), min_size=1),
                max_size=3))
def test_the_plain_shape_is_always_read(fields, entries):
    lines = [f"{key}: {value}" for key, value in fields.items()]
    if entries:
        lines.append("entries:")
        for entry in entries:
            first, *rest = [f"{key}: {value}" for key, value in entry.items()]
            lines += [f"  - {first}"] + [f"    {line}" for line in rest]
    assert _same_as_composer("\n".join(lines) + "\n")


def test_mutated_record_files_are_read_as_the_composer_reads_them_or_left_to_it():
    """Real files with a few characters or lines changed: near misses of the plain shape."""
    import random

    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE.glob("*/*.yaml"))]
    texts = [text for text in texts if read(text) is not None]
    pieces = list(" -:,[]{}#&*!|>'\"%@`<?.0123456789aZ~_客\\") + ["- ", ": ", "\n  ", "\n- ", "null", "\r", "\t"]
    rng = random.Random(20261205)
    read_plainly = 0
    for _ in range(3000):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            change = rng.random()
            if change < 0.4:
                text = text[:at] + rng.choice(pieces) + text[at:]
            elif change < 0.7:
                text = text[:at] + text[at + 1:]
            else:  # a line repeated, or indented one more space
                lines = text.split("\n")
                line = rng.randrange(len(lines))
                lines[line:line + 1] = [lines[line]] * 2 if change < 0.85 else [" " + lines[line]]
                text = "\n".join(lines)
        read_plainly += _same_as_composer(text)
    assert read_plainly > 500  # both ways taken often
