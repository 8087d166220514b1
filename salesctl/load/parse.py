"""Turn the bytes of one YAML file into plain data plus source positions.

Parsing is a pure function of the file's bytes, so its result can be cached by file identity.
The result (`model.parsed`) holds only plain values, which the cache can serialize without
pickle. Dates stay ISO strings here; `model.records` types them.
The YAML itself is composed in `compose`, imported only when a file must be composed: a warm run
served by the caches, or a file of the plain shape `plainyaml` reads, never loads the YAML library.
"""

from __future__ import annotations

import re

from ..model.parsed import ParsedFile

MAX_FILE_BYTES = 32 * 1024 * 1024

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.M)
_CONTENT = re.compile(r"^[ \t]*[^ \t\r\n#]", re.M)  # a line that is neither blank nor a comment


def parse_bytes(raw: bytes) -> ParsedFile:
    """Parse one file. Never raises for bad input: problems come back as data. A file of the
    common plain shape is read without the YAML library (`plainyaml`), to the same result."""
    text, refused = _text(raw)
    if refused is not None:
        return refused
    from .plainyaml import read as read_plain  # its patterns take milliseconds to compile: only when parsing

    plain = read_plain(text)
    if plain is not None:
        return plain
    from .compose import compose

    return compose(text)


def parse_nodes(raw: bytes) -> tuple[ParsedFile, list | None]:
    """`parse_bytes`, and the YAML node graph the records were built from (None when the text was
    not composed): what a writer edits a file by."""
    text, refused = _text(raw)
    if refused is not None:
        return refused, None
    from .compose import compose_nodes

    return compose_nodes(text)


def _text(raw: bytes) -> tuple[str | None, ParsedFile | None]:
    """The text to compose, or the file's verdict when there is nothing to compose: too large,
    not UTF-8, a merge conflict, only comments."""
    if len(raw) > MAX_FILE_BYTES:
        return None, ParsedFile([], [("yaml-syntax", 1, 1, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")], False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, ParsedFile([], [("not-utf8", line, column, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")], False)
    if text.startswith("\ufeff"):
        text = text[1:]
    marker = _CONFLICT.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        return None, ParsedFile([], [("yaml-syntax", line, 1, "git merge conflict marker; resolve the conflict")], False)
    if "\t" in text and not _CONTENT.search(text):
        return None, ParsedFile([], [], False)  # comments and blank lines only; libyaml would refuse their tabs
    return text, None
