"""The send journal: what it keeps, what it will not touch, and the lock that keeps two runs apart."""

from __future__ import annotations

import errno
import os
import threading
from datetime import date, datetime, timezone

import pytest

from salesctl import storage
from salesctl.remind import journal

D = date(2026, 6, 30)
AT = datetime(2026, 6, 30, 8, 30, tzinfo=timezone.utc)


def item(kind, ref):
    return {"kind": kind, "ref": ref}


def test_a_delivery_is_one_line_and_is_found_again_by_day_and_channel(tmp_path):
    journal.record(tmp_path, D, "wecom", "zhang", [item("collect", "RCV-1"), item("dormant", "CUS-1")], AT)
    journal.record(tmp_path, D, "wecom", "zhang", [item("due-soon", "RCV-2")], AT)
    journal.record(tmp_path, D, "email", "wang", [item("collect", "RCV-3")], AT)
    journal.record(tmp_path, date(2026, 6, 29), "wecom", "wang", [item("collect", "RCV-4")], AT)
    lines = (tmp_path / ".salesctl" / "sent.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ('{"date": "2026-06-30", "channel": "wecom", "person": "zhang", '
                        '"refs": ["collect:RCV-1", "dormant:CUS-1"], "at": "2026-06-30T08:30:00.000+00:00"}')
    assert journal.delivered(tmp_path, D, "wecom") == {"zhang": {"collect:RCV-1", "dormant:CUS-1", "due-soon:RCV-2"}}
    assert journal.delivered(tmp_path, D, "email") == {"wang": {"collect:RCV-3"}}
    assert journal.delivered(tmp_path, D, "dingtalk") == {}


def test_the_deliveries_of_the_last_minute_count_towards_the_pace(tmp_path):
    start = AT.timestamp()
    for seconds, person in ((0, "zhang"), (0, "wang"), (30.5, "zhou"), (90, "lin")):
        at = datetime.fromtimestamp(start + seconds, timezone.utc)
        journal.record(tmp_path, D, "wecom", person, [item("collect", "RCV-1")], at)
    journal.record(tmp_path, D, "dingtalk", "zhang", [item("collect", "RCV-1")], AT)
    assert journal.posted_since(tmp_path, "wecom", start + 30) == [start + 30.5, start + 90]
    assert journal.posted_since(tmp_path, "wecom", start) == [start, start, start + 30.5, start + 90]  # a line each


def test_no_journal_means_nothing_delivered(tmp_path):
    assert journal.delivered(tmp_path, D, "email") == {}
    assert not (tmp_path / ".salesctl").exists()  # reading makes nothing


def test_a_line_cut_short_is_skipped_and_the_next_starts_a_line_of_its_own(tmp_path):
    (tmp_path / ".salesctl").mkdir()
    (tmp_path / ".salesctl" / "sent.jsonl").write_text('{"date": "2026-06-30", "channel": "wecom", "per', "utf-8")
    journal.record(tmp_path, D, "wecom", "zhang", [item("collect", "RCV-1")], AT)
    assert journal.delivered(tmp_path, D, "wecom") == {"zhang": {"collect:RCV-1"}}
    assert (tmp_path / ".salesctl" / "sent.jsonl").read_text("utf-8").count("\n") == 2


def test_a_journal_that_is_a_link_is_neither_read_nor_written(tmp_path):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not salesctl's\n", encoding="utf-8")
    root = tmp_path / "ws"
    (root / ".salesctl").mkdir(parents=True)
    os.symlink(elsewhere, root / ".salesctl" / "sent.jsonl")
    with pytest.raises(journal.JournalError, match="sent.jsonl is a symbolic link"):
        journal.record(root, D, "wecom", "zhang", [item("collect", "RCV-1")], AT)
    with pytest.raises(journal.JournalError, match="sent.jsonl is a symbolic link"):
        journal.delivered(root, D, "wecom")
    assert elsewhere.read_text(encoding="utf-8") == "not salesctl's\n"


def test_a_salesctl_folder_that_is_a_link_is_refused(tmp_path):
    (tmp_path / "other").mkdir()
    root = tmp_path / "ws"
    root.mkdir()
    os.symlink(tmp_path / "other", root / ".salesctl")
    with pytest.raises(journal.JournalError, match=r"\.salesctl is a symbolic link"):
        journal.record(root, D, "wecom", "zhang", [item("collect", "RCV-1")], AT)
    assert list((tmp_path / "other").iterdir()) == []


def test_a_full_disk_is_a_journal_error(tmp_path, monkeypatch):
    real_write = os.write

    def full(fd, data):
        if fd > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)  # how salesctl writes its own files
    with pytest.raises(journal.JournalError, match="cannot write .salesctl/sent.jsonl: No space left on device"):
        journal.record(tmp_path, D, "wecom", "zhang", [item("collect", "RCV-1")], AT)


def test_the_channel_lock_keeps_a_second_run_out_of_that_channel_only(tmp_path):
    holding, release = threading.Event(), threading.Event()

    def first():
        with journal.channel_lock(tmp_path, "wecom", timeout=5):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(5)
        with pytest.raises(storage.LockTimeout, match=rf"another salesctl remind --send is delivering on wecom "
                                                      rf"\(pid {os.getpid()}, .salesctl/send-wecom.lock\); this run "
                                                      rf"sent nothing there"):
            with journal.channel_lock(tmp_path, "wecom", timeout=0.2):
                pass
        with journal.channel_lock(tmp_path, "dingtalk", timeout=0.2):
            pass  # another channel is free
    finally:
        release.set()
        thread.join()
    with journal.channel_lock(tmp_path, "wecom", timeout=0.2):
        pass  # free again once the first run is done
