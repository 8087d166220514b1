"""Parsing one file's bytes: plain data, positions, and problems instead of exceptions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from salesctl.load.parse import parse_bytes


def test_values_and_positions():
    parsed = parse_bytes(b"id: a\nwhen: 2026-01-01\nlist: [1, 2.5, true, ~, '3']\n")
    record = parsed.records[0]
    assert record.data == {"id": "a", "when": "2026-01-01", "list": [1, 2.5, True, None, "3"]}
    assert record.positions[("list", 4)] == (3, 25)
    assert parsed.single


def test_yaml_1_2_keeps_yes_and_no_as_text():
    assert parse_bytes(b"a: yes\nb: no\nc: on\n").records[0].data == {"a": "yes", "b": "no", "c": "on"}


def test_merge_keys_and_aliases():
    data = parse_bytes(b"base: &b {x: 1, y: 2}\nitem: {<<: *b, y: 3}\n").records[0].data
    assert data["item"] == {"x": 1, "y": 3}


def test_bom_and_crlf():
    assert parse_bytes(b"\xef\xbb\xbfid: x\r\nname: y\r\n").records[0].data == {"id": "x", "name": "y"}


def test_sequence_of_records_and_several_documents():
    parsed = parse_bytes(b"- {id: a}\n- {id: b}\n---\n- {id: c}\n")
    assert [r.data["id"] for r in parsed.records] == ["a", "b", "c"]
    assert not parsed.single


def test_deep_nesting_is_refused_quickly():
    parsed = parse_bytes(b"[" * 5000 + b"]" * 5000)
    assert parsed.records == [] and parsed.problems[0][0] == "yaml-syntax"


def test_pure_python_fallback_gives_the_same_result():
    """Without ruamel.yaml.clib (e.g. PyPy), the pure-Python composer is used with our resolver."""
    code = ("import sys; sys.modules['ruamel.yaml.cyaml'] = None\n"
            "from salesctl.load.parse import parse_bytes\n"
            "print(parse_bytes(b'id: a\\nd: 2026-01-01\\nn: [1, 2.5, true]\\n'))\n"
            "print(parse_bytes(b'a: !!python/object:os.system x\\n').problems)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert repr(parse_bytes(b"id: a\nd: 2026-01-01\nn: [1, 2.5, true]\n")) in out
    assert "is not allowed" in out


# --- hostile input (every read command on it: tests/cli/test_hostile.py) ------------------

@pytest.mark.parametrize("opening, closing", [(b"[", b"]"), (b"{a: ", b"}"), (b"- ", b"")])
def test_deep_nesting_cannot_crash_the_process(opening, closing):
    """100,000 levels once overflowed the C stack of the composer: a segfault, not an error."""
    code = (f"from salesctl.load.parse import parse_bytes\n"
            f"print(parse_bytes({opening!r} * 100_000 + b'x' + {closing!r} * 100_000).problems)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert "nesting deeper than 64 levels" in done.stdout


def test_parse_bytes_refuses_each_tag_without_running_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system", "!!python/name:os.system",
                "!!python/module:os", "!!python/tuple", "!!timestamp", "!!float", "!!merge", "!ruby/object"):
        parsed = parse_bytes(f"x: {tag} ['touch PWNED']\n".encode())
        assert parsed.records == [] and parsed.problems[0][0] == "yaml-syntax", tag
    assert not (tmp_path / "PWNED").exists()


def test_tabs_only_file_is_empty_like_a_comments_only_file():
    assert parse_bytes(b"\t\n  \t# a comment after a tab\n") == parse_bytes(b"")
