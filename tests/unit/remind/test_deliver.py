"""Delivering reminders over e-mail and the group robots, as a library: per person and channel, the
journal that makes a rerun deliver only what is missing, servers that fail, the pace, two runs at once.

`notify_setup` (conftest) is a workspace whose notify lists email, wecom and dingtalk, served on
127.0.0.1; as of 2026-06-30 zhang, wang and zhou each have one dormant customer.
"""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest

from helpers.workspaces import write_workspace
from salesctl.load.pipeline import load
from salesctl.remind import deliver, journal
from salesctl.remind.remind import reminders

D = date(2026, 6, 30)
SIGN_AT_START = "Kt7t6JwapHdqYEd4lDXMkX6lyKGAzfAuOzFSF5/DNLA="  # see tests/unit/remind/test_robots.py

WECOM_TEXT = (
    "## 销售提醒 2026-06-30\n\n"
    "#### 张伟：1 项待办\n> **久未联系** 2026-06-01 CUS-1 甲公司 已 29 天未联系（上限 14 天）\n\n"
    "#### 王芳：1 项待办\n> **久未联系** 2026-06-01 CUS-2 乙公司 已 29 天未联系（上限 14 天）\n\n"
    "#### 周杰：1 项待办\n> **久未联系** 2026-06-01 CUS-3 丙公司 已 29 天未联系（上限 14 天）")


def send(setup, clock, **kwargs):
    ws = load(setup.root)
    setup.robots.clock = clock
    return deliver.send(ws, reminders(ws, D), D, env=setup.env, clock=clock, timeout=5, **kwargs)


def table(outcomes):
    return [(o.channel, o.person, o.items, o.status) for o in outcomes]


def sections(robots, person_name):
    """How many times a person's section was posted, over every markdown request."""
    return sum(f"#### {person_name}" in json.dumps(body, ensure_ascii=False)
               for body in robots.bodies("markdown"))


def test_every_channel_delivers_every_person_once(notify_setup, fake_clock):
    outcomes = send(notify_setup, fake_clock)
    assert table(outcomes) == [
        ("email", "zhang", 1, "sent"), ("email", "wang", 1, "sent"), ("email", "zhou", 1, "failed"),
        ("wecom", "zhang", 1, "sent"), ("wecom", "wang", 1, "sent"), ("wecom", "zhou", 1, "sent"),
        ("dingtalk", "zhang", 1, "sent"), ("dingtalk", "wang", 1, "sent"), ("dingtalk", "zhou", 1, "sent")]
    assert outcomes[2].reason == "no e-mail address"
    assert [o.where for o in outcomes[:2]] == ["zhang@example.com", "wang@example.com"]
    assert notify_setup.inbox.recipients() == ["zhang@example.com", "wang@example.com"]
    wecom, mention, ding = (p.body for p in notify_setup.robots.posted)
    assert wecom == {"msgtype": "markdown", "markdown": {"content": WECOM_TEXT}}
    # WeCom markdown cannot mention by mobile: a text message right after it does, for those with a mobile
    assert mention == {"msgtype": "text", "text": {"content": "销售提醒 2026-06-30：请查看上面的待办。",
                                                   "mentioned_mobile_list": ["13800138000", "13900139000"]}}
    assert ding["at"] == {"atMobiles": ["13800138000", "13900139000"], "isAtAll": False}
    assert ding["markdown"]["title"] == "销售提醒 2026-06-30"
    assert "#### 张伟：1 项待办 @13800138000\n- **久未联系**" in ding["markdown"]["text"]
    assert "#### 周杰：1 项待办\n- **久未联系**" in ding["markdown"]["text"]  # no mobile, no mention
    assert notify_setup.robots.posted[2].query["sign"] == SIGN_AT_START  # fixed clock: 1782777600000 ms


def test_a_rerun_the_same_day_delivers_nothing_again_and_resend_does(notify_setup, fake_clock):
    send(notify_setup, fake_clock)
    again = send(notify_setup, fake_clock)
    assert table(again) == [
        ("email", "zhang", 1, "already sent"), ("email", "wang", 1, "already sent"), ("email", "zhou", 1, "failed"),
        ("wecom", "zhang", 1, "already sent"), ("wecom", "wang", 1, "already sent"),
        ("wecom", "zhou", 1, "already sent"),
        ("dingtalk", "zhang", 1, "already sent"), ("dingtalk", "wang", 1, "already sent"),
        ("dingtalk", "zhou", 1, "already sent")]
    assert len(notify_setup.inbox.envelopes) == 2 and len(notify_setup.robots.posted) == 3
    resent = send(notify_setup, fake_clock, resend=True, via=("wecom",))
    assert table(resent) == [("wecom", "zhang", 1, "sent"), ("wecom", "wang", 1, "sent"), ("wecom", "zhou", 1, "sent")]
    assert sections(notify_setup.robots, "张伟") == 3  # wecom twice, dingtalk once


def test_a_new_item_later_that_day_is_delivered_alone(notify_setup, fake_clock):
    send(notify_setup, fake_clock, via=("wecom",))
    customers = notify_setup.root / "customers" / "all.yaml"
    customers.write_text(customers.read_text("utf-8") + "- {id: CUS-4, name: 丁公司, owner: zhang, key: true, "
                                                       "created: 2026-06-01}\n", "utf-8")
    outcomes = send(notify_setup, fake_clock, via=("wecom",))
    assert table(outcomes) == [("wecom", "zhang", 1, "already sent"), ("wecom", "wang", 1, "already sent"),
                               ("wecom", "zhou", 1, "already sent"), ("wecom", "zhang", 1, "sent")]
    assert notify_setup.robots.bodies("markdown")[-1]["markdown"]["content"] == (
        "## 销售提醒 2026-06-30\n\n#### 张伟：1 项待办\n> **久未联系** 2026-06-01 CUS-4 丁公司 已 29 天未联系（上限 14 天）")


def test_a_channel_that_fails_does_not_stop_the_others(notify_setup, fake_clock):
    notify_setup.robots.answer = lambda posted: (
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}) if posted.path.startswith("/cgi-bin")
        else (200, {"errcode": 0, "errmsg": "ok"}))
    outcomes = send(notify_setup, fake_clock)
    assert [(o.channel, o.status) for o in outcomes if o.channel != "email"] == [
        ("wecom", "failed")] * 3 + [("dingtalk", "sent")] * 3
    assert outcomes[3].reason.startswith("WeCom does not know this robot's key (errcode 93000")
    assert notify_setup.inbox.recipients() == ["zhang@example.com", "wang@example.com"]
    assert journal.delivered(notify_setup.root, D, "wecom") == {}


def test_a_variable_not_set_fails_its_channel_only_and_names_it(notify_setup, fake_clock):
    del notify_setup.env["TEST_DINGTALK_SECRET"]
    outcomes = send(notify_setup, fake_clock)
    assert {(o.channel, o.status, o.reason) for o in outcomes if o.channel == "dingtalk"} == {
        ("dingtalk", "failed", "TEST_DINGTALK_SECRET is not set (cron does not read your shell profile)")}
    assert [o.status for o in outcomes if o.channel == "wecom"] == ["sent"] * 3
    assert all("/robot/send" not in p.path for p in notify_setup.robots.posted)


def test_dry_run_sends_and_records_nothing(notify_setup, fake_clock):
    outcomes = send(notify_setup, fake_clock, dry_run=True)
    assert [o.status for o in outcomes] == ["planned", "planned", "failed"] + ["planned"] * 6
    assert [o.where for o in outcomes[3:4]] == ["the group"]
    assert notify_setup.robots.posted == [] and notify_setup.inbox.envelopes == []
    assert not (notify_setup.root / ".salesctl" / "sent.jsonl").exists()


def test_via_chooses_channels_and_refuses_one_not_configured(notify_setup, fake_clock):
    assert {o.channel for o in send(notify_setup, fake_clock, via=("dingtalk",))} == {"dingtalk"}
    ws = load(notify_setup.root)
    ws.config.notify = [c for c in ws.config.notify if c["via"] != "wecom"]
    with pytest.raises(deliver.NotConfigured, match="wecom is not a channel of notify in salesctl.yaml "
                                                    r"\(it lists email, dingtalk\)"):
        deliver.send(ws, [], D, via=("wecom",), env=notify_setup.env)


# --- servers that fail mid-run -------------------------------------------------------------

def test_smtp_that_drops_the_connection_after_each_message_delivers_all_in_one_run(notify_setup, fake_clock):
    """The report: a server that takes one message and then drops the connection. Before, the run
    failed with "Connection unexpectedly closed" and the rerun mailed the first person again."""
    notify_setup.inbox.per_connection = 1
    outcomes = send(notify_setup, fake_clock, via=("email",))
    assert table(outcomes) == [("email", "zhang", 1, "sent"), ("email", "wang", 1, "sent"),
                               ("email", "zhou", 1, "failed")]
    assert notify_setup.inbox.recipients() == ["zhang@example.com", "wang@example.com"]
    assert notify_setup.inbox.connections == 2
    send(notify_setup, fake_clock, via=("email",))
    assert notify_setup.inbox.recipients() == ["zhang@example.com", "wang@example.com"]  # nobody twice


def test_smtp_that_goes_down_mid_run_then_a_rerun_completes_without_duplicates(notify_setup, fake_clock):
    notify_setup.inbox.until = 1
    first = send(notify_setup, fake_clock, via=("email",))
    assert table(first) == [("email", "zhang", 1, "sent"), ("email", "wang", 1, "failed"),
                            ("email", "zhou", 1, "failed")]
    assert first[1].reason.endswith("dropped the connection twice while taking the message: 421 4.3.2 Service "
                                     "shutting down")
    assert journal.delivered(notify_setup.root, D, "email") == {"zhang": {"dormant:CUS-1"}}
    notify_setup.inbox.until = None  # the server is back
    second = send(notify_setup, fake_clock, via=("email",))
    assert table(second) == [("email", "zhang", 1, "already sent"), ("email", "wang", 1, "sent"),
                             ("email", "zhou", 1, "failed")]
    assert notify_setup.inbox.recipients() == ["zhang@example.com", "wang@example.com"]


def big_workspace(tmp_path, people: int, per_person: int, robot: str = "wecom"):
    """`people` reps with `per_person` dormant key accounts each, names long enough that each rep's
    section fills most of a WeCom message (8 items of about 450 bytes: 3,600 bytes)."""
    team = "\n".join(f"  - {{id: r{n:02d}, name: 销售{n:02d}, role: rep, mobile: '1380013{n:04d}'}}"
                     for n in range(people))
    config = (f"company: {{name: 星河企业培训有限公司}}\nteam:\n{team}\n"
              f"notify:\n  - {{via: {robot}, webhook_env: TEST_{robot.upper()}_WEBHOOK}}\n")
    customers = "\n".join(f"- {{id: C-{n:02d}-{k}, name: {'长' * 120}{n:02d}{k}, owner: r{n:02d}, key: true, "
                          f"created: 2026-06-01}}" for n in range(people) for k in range(per_person))
    return write_workspace(tmp_path / "big", {"customers/all.yaml": customers + "\n"}, config=config)


def test_a_robot_that_fails_mid_run_then_a_rerun_completes_without_duplicates(tmp_path, robot_server, fake_clock):
    root = big_workspace(tmp_path, people=4, per_person=8)  # a section per message: 4 messages
    env = {"TEST_WECOM_WEBHOOK": robot_server.url("/cgi-bin/webhook/send?key=wecom-test-key-0001")}
    markdowns = []

    def failing_from_the_third(posted):
        if posted.body["msgtype"] == "markdown":
            markdowns.append(posted)
            if len(markdowns) >= 3:
                return None  # the server goes away: the connection is dropped unanswered
        return 200, {"errcode": 0, "errmsg": "ok"}

    robot_server.answer = failing_from_the_third
    ws = load(root)
    first = deliver.send(ws, reminders(ws, D), D, env=env, clock=fake_clock, timeout=5)
    assert [(o.person, o.status) for o in first] == [("r00", "sent"), ("r01", "sent"), ("r02", "failed"),
                                                     ("r03", "failed")]
    assert first[2].reason.startswith("cannot reach 127.0.0.1:") and first[3].reason == first[2].reason
    assert [o.where for o in first] == [f"the group (message {n} of 4)" for n in (1, 2, 3, 4)]
    robot_server.answer = lambda posted: (200, {"errcode": 0, "errmsg": "ok"})
    second = deliver.send(ws, reminders(ws, D), D, env=env, clock=fake_clock, timeout=5)
    assert [(o.person, o.status) for o in second] == [("r00", "already sent"), ("r01", "already sent"),
                                                      ("r02", "sent"), ("r03", "sent")]
    delivered = [sum(f"#### 销售{n:02d}" in p.body["markdown"]["content"]
                     for p in robot_server.posted[len(markdowns) + 2:] if p.body["msgtype"] == "markdown")
                 for n in range(4)]
    assert delivered == [0, 0, 1, 1]  # the rerun posted only the two sections that had failed


def test_at_most_20_messages_a_minute_waiting_not_dropping(tmp_path, robot_server, fake_clock):
    root = big_workspace(tmp_path, people=25, per_person=8)  # 25 sections of ~3,600 bytes: 25 messages
    env = {"TEST_WECOM_WEBHOOK": robot_server.url("/cgi-bin/webhook/send?key=wecom-test-key-0001")}
    robot_server.clock = fake_clock
    ws = load(root)
    outcomes = deliver.send(ws, reminders(ws, D), D, env=env, clock=fake_clock, timeout=5)
    assert [o.status for o in outcomes] == ["sent"] * 25
    times = [p.at for p in robot_server.posted]
    # each markdown message is followed by its @mention text: 50 posts. The clock moves only when
    # salesctl waits: posts 1-20 at the start, 21-40 a minute later, 41-50 two minutes later.
    start = 1782777600.0
    assert len(times) == 50
    assert times[:20] == [start] * 20 and times[20:40] == [start + 60] * 20 and times[40:] == [start + 120] * 10
    assert fake_clock.sleeps == [60.0, 60.0]
    assert all(b - a >= 60 for a, b in zip(times, times[20:]))
    sizes = [len(body["markdown"]["content"].encode("utf-8")) for body in robot_server.bodies("markdown")]
    assert len(sizes) == 25 and 3000 < min(sizes) and max(sizes) <= 4096


def test_dingtalk_messages_stay_under_3500_bytes_and_each_is_signed(tmp_path, robot_server, fake_clock):
    root = big_workspace(tmp_path, people=2, per_person=8, robot="dingtalk")
    # 8 lines of about 450 bytes (a 120-character name of 3 bytes each, and the rest) pass 3,500
    # bytes together: each section is split in two messages, the second under "销售00（续）"
    env = {"TEST_DINGTALK_WEBHOOK": robot_server.url("/robot/send?access_token=dingtalk-test-token")}
    ws = load(root)
    ws.config.notify = [{"via": "dingtalk", "webhook_env": "TEST_DINGTALK_WEBHOOK", "secret_env": "TEST_SECRET"}]
    outcomes = deliver.send(ws, reminders(ws, D), D, env={**env, "TEST_SECRET": "SEC0123456789abcdef"},
                            clock=fake_clock, timeout=5)
    assert [(o.person, o.items, o.where) for o in outcomes] == [
        ("r00", n, f"the group (message {m} of 4)") for m, n in ((1, 7), (2, 1))] + [
        ("r01", n, f"the group (message {m} of 4)") for m, n in ((3, 7), (4, 1))]
    texts = [body["markdown"]["text"] for body in robot_server.bodies("markdown")]
    assert all(len(text.encode("utf-8")) <= 3500 for text in texts)
    assert [text.split("\n")[2] for text in texts] == ["#### 销售00：8 项待办 @13800130000", "#### 销售00（续） @13800130000",
                                                       "#### 销售01：8 项待办 @13800130001", "#### 销售01（续） @13800130001"]
    assert {p.query["sign"] for p in robot_server.posted} == {SIGN_AT_START}  # the fake clock never moved


def test_a_rerun_within_the_minute_counts_what_the_first_run_posted(tmp_path, robot_server, fake_clock):
    root = big_workspace(tmp_path, people=6, per_person=8)
    env = {"TEST_WECOM_WEBHOOK": robot_server.url("/cgi-bin/webhook/send?key=wecom-test-key-0001")}
    robot_server.clock = fake_clock
    ws = load(root)
    deliver.send(ws, reminders(ws, D), D, env=env, clock=fake_clock, timeout=5)
    assert len(robot_server.posted) == 12 and fake_clock.sleeps == []  # 6 messages, each with its @mention
    deliver.send(ws, reminders(ws, D), D, env=env, clock=fake_clock, timeout=5, resend=True)
    # the journal holds 6 deliveries of the first run, each counted as a message and its mention: 12
    # of the 20 of this minute are taken, so 8 more go now and the other 4 a minute later
    start = 1782777600.0
    assert [p.at for p in robot_server.posted[12:]] == [start] * 8 + [start + 60] * 4
    assert fake_clock.sleeps == [60.0]


def test_a_journal_that_cannot_be_written_stops_the_channel_and_says_so(notify_setup, fake_clock, monkeypatch):
    def full(*args, **kwargs):
        raise journal.JournalError("cannot write .salesctl/sent.jsonl: No space left on device")

    monkeypatch.setattr(journal, "record", full)
    outcomes = send(notify_setup, fake_clock, via=("email",))
    assert [(o.status, o.reason) for o in outcomes] == [
        ("failed", "delivered, but cannot write .salesctl/sent.jsonl: No space left on device: a rerun today would "
                   "deliver it again"),
        ("failed", "not sent: cannot write .salesctl/sent.jsonl: No space left on device"),
        ("failed", "not sent: cannot write .salesctl/sent.jsonl: No space left on device")]
    assert notify_setup.inbox.recipients() == ["zhang@example.com"]


# --- two runs at once ----------------------------------------------------------------------

def test_two_runs_at_once_deliver_nothing_twice(notify_setup, fake_clock):
    """Two cron jobs overlapping: each channel is delivered by whichever run holds its lock; the
    other finds the journal filled in when it gets the lock."""
    notify_setup.robots.delay = 0.1
    results, start = [], threading.Barrier(2)

    def run():
        ws = load(notify_setup.root)
        start.wait()
        results.append(deliver.send(ws, reminders(ws, D), D, env=notify_setup.env, timeout=5, lock_timeout=30))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = sorted((o.channel, o.person) for outcomes in results for o in outcomes if o.status == "sent")
    assert sent == sorted([("email", "zhang"), ("email", "wang")]
                          + [(channel, p) for channel in ("wecom", "dingtalk") for p in ("zhang", "wang", "zhou")])
    assert notify_setup.inbox.recipients().count("zhang@example.com") == 1
    assert [sections(notify_setup.robots, name) for name in ("张伟", "王芳", "周杰")] == [2, 2, 2]  # wecom + dingtalk
