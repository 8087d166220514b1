"""The send journal: what `remind --send` delivered, so that a rerun the same day sends only what is missing.

`.salesctl/sent.jsonl` gets one JSON line per delivery as soon as the delivery is made, in a
single flushed append: `{"date": the reminders' day, "channel", "person", "refs": ["kind:ref", …],
"at": when}`. A run holds `.salesctl/send-CHANNEL.lock` from reading the journal to its last
delivery on that channel, so two runs at once (cron jobs that overlap) never deliver the same
item twice: the second waits, then finds it delivered. Nothing there is read or written through a
link (`storage`). The file only grows, by a line per person and channel a day; deleting it only
means that today's reminders would be sent again.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime

from .. import storage
from ..errors import JournalError

JOURNAL = f"{storage.STATE_DIR}/sent.jsonl"


def ref(item: dict) -> str:
    """What the journal keeps of an item: its kind and the id it is about (`collect:RCV-0024`)."""
    return f"{item['kind']}:{item['ref']}"


def delivered(root, day: date, channel: str) -> dict[str, set[str]]:
    """{person: refs} delivered on `channel` for the reminders of `day`."""
    wanted = day.isoformat()
    out: dict[str, set[str]] = {}
    for entry in _entries(root, channel):
        person, refs = entry.get("person"), entry.get("refs")
        if entry.get("date") == wanted and isinstance(person, str) and isinstance(refs, list):
            out.setdefault(person, set()).update(r for r in refs if isinstance(r, str))
    return out


def posted_since(root, channel: str, since: float) -> list[float]:
    """The times of the deliveries on `channel` at or after `since` (a POSIX time), one per line:
    earlier runs count towards a robot's messages a minute. A message that carried several people
    counts several times, so a rerun within that minute may wait longer than it must, never less."""
    times = []
    for entry in _entries(root, channel):
        try:
            at = datetime.fromisoformat(entry["at"]).timestamp()
        except (KeyError, TypeError, ValueError):
            continue
        if at >= since:
            times.append(at)
    return times


def _entries(root, channel: str):
    try:
        data = storage.read_state_file(root, JOURNAL) or b""
    except (storage.StorageError, OSError) as exc:
        raise JournalError(f"cannot read {JOURNAL}: {getattr(exc, 'strerror', None) or exc}") from None
    for line in data.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a full disk
        if isinstance(entry, dict) and entry.get("channel") == channel:
            yield entry


def record(root, day: date, channel: str, person: str, items: list[dict], at: datetime):
    line = {"date": day.isoformat(), "channel": channel, "person": person, "refs": [ref(i) for i in items],
            "at": at.isoformat(timespec="milliseconds")}
    try:
        storage.append_state_file(root, JOURNAL, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    except (storage.StorageError, OSError) as exc:
        raise JournalError(f"cannot write {JOURNAL}: {getattr(exc, 'strerror', None) or exc}") from None


@contextmanager
def channel_lock(root, channel: str, timeout: float | None = None):
    """Deliver on `channel` alone: wait up to `timeout` seconds (SALESCTL_LOCK_TIMEOUT) for another run."""
    timeout = storage.lock_timeout() if timeout is None else timeout
    rel = f"{storage.STATE_DIR}/send-{channel}.lock"
    with storage.state_lock(root, rel, timeout, busy=lambda pid: (
            f"another salesctl remind --send is delivering on {channel} (pid {pid}, {rel}); this run sent "
            f"nothing there")):
        yield
