"""`salesctl remind --send` through the command line: what it prints, its exit code, --via, --resend,
--dry-run, settings that are missing or wrong, and two processes started by cron at once.

`notify_setup` (conftest): notify lists email, wecom and dingtalk, served on 127.0.0.1; as of
2026-06-30 zhang, wang and zhou each have one dormant customer; zhou has no e-mail and no mobile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers.workspaces import ROOT


ARGS = ("remind", "--as-of", "2026-06-30", "--send")

REPORT = """\
email     张伟 (zhang)  1 reminder  sent to zhang@example.com
email     王芳 (wang)   1 reminder  sent to wang@example.com
email     周杰 (zhou)   1 reminder  FAILED: no e-mail address
wecom     张伟 (zhang)  1 reminder  sent to the group
wecom     王芳 (wang)   1 reminder  sent to the group
wecom     周杰 (zhou)   1 reminder  sent to the group
dingtalk  张伟 (zhang)  1 reminder  sent to the group
dingtalk  王芳 (wang)   1 reminder  sent to the group
dingtalk  周杰 (zhou)   1 reminder  sent to the group
"""


def test_send_says_what_went_where_and_exits_1_when_anything_failed(run, notify_setup):
    result = run("-C", notify_setup.root, *ARGS, env=notify_setup.env)
    assert result.stdout == REPORT
    assert result.stderr == ("error: 1 of 9 deliveries failed (FAILED above); a rerun today delivers only what is "
                             "missing\n")
    assert result.exit_code == 1


def test_a_rerun_says_what_was_already_sent(run, notify_setup):
    run("-C", notify_setup.root, *ARGS, "--via", "wecom", env=notify_setup.env)
    result = run("-C", notify_setup.root, *ARGS, "--via", "wecom", "--via", "dingtalk", env=notify_setup.env)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == """\
wecom     张伟 (zhang)  1 reminder  already sent today
wecom     王芳 (wang)   1 reminder  already sent today
wecom     周杰 (zhou)   1 reminder  already sent today
dingtalk  张伟 (zhang)  1 reminder  sent to the group
dingtalk  王芳 (wang)   1 reminder  sent to the group
dingtalk  周杰 (zhou)   1 reminder  sent to the group
"""
    assert len(notify_setup.robots.bodies("markdown")) == 2  # one wecom, one dingtalk
    resent = run("-C", notify_setup.root, *ARGS, "--via", "wecom", "--resend", "--to", "wang", env=notify_setup.env)
    assert resent.stdout == "wecom  王芳 (wang)  1 reminder  sent to the group\n" and resent.exit_code == 0


def test_dry_run_shows_what_would_go_where(run, notify_setup):
    result = run("-C", notify_setup.root, *ARGS, "--dry-run", "--via", "email", "--via", "wecom", env=notify_setup.env)
    assert result.stdout == """\
email  张伟 (zhang)  1 reminder  would be sent to zhang@example.com
email  王芳 (wang)   1 reminder  would be sent to wang@example.com
email  周杰 (zhou)   1 reminder  FAILED: no e-mail address
wecom  张伟 (zhang)  1 reminder  would be sent to the group
wecom  王芳 (wang)   1 reminder  would be sent to the group
wecom  周杰 (zhou)   1 reminder  would be sent to the group
"""
    assert result.exit_code == 1 and result.stderr == "error: 1 of 6 deliveries would fail (FAILED above)\n"
    assert notify_setup.robots.posted == [] and notify_setup.inbox.envelopes == []


def test_a_missing_variable_is_named_and_the_other_channels_deliver(run, notify_setup):
    env = {**notify_setup.env, "TEST_WECOM_WEBHOOK": None}
    result = run("-C", notify_setup.root, *ARGS, "--to", "zhang", env=env)
    assert result.stdout == """\
email     张伟 (zhang)  1 reminder  sent to zhang@example.com
wecom     张伟 (zhang)  1 reminder  FAILED: TEST_WECOM_WEBHOOK is not set (cron does not read your shell profile)
dingtalk  张伟 (zhang)  1 reminder  sent to the group
"""
    assert result.exit_code == 1


def test_a_platform_error_is_a_clear_message(run, notify_setup):
    notify_setup.robots.answer = lambda posted: (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    result = run("-C", notify_setup.root, *ARGS, "--via", "dingtalk", "--to", "zhang", env=notify_setup.env)
    assert result.stdout == ("dingtalk  张伟 (zhang)  1 reminder  FAILED to the group: the message lacks the robot's "
                             "custom keyword (errcode 310000: keywords not in content): add '销售提醒' as a keyword in "
                             "the robot's security settings\n")
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_nothing_due_prints_nothing(run, notify_setup):
    result = run("-C", notify_setup.root, *ARGS, "--to", "lin", env=notify_setup.env)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_literal_webhook_url_in_the_config_is_bad_config(run, workspace):
    config = ("company: {name: 星河企业培训有限公司}\nteam:\n  - {id: lin, name: 林海, role: manager}\nnotify:\n"
              "  - {via: wecom, webhook_env: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6'}\n")
    result = run("-C", workspace(config=config), "validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "salesctl.yaml:5:18: error[bad-config]: notify: a webhook URL does not belong in salesctl.yaml (it is "
        "committed, and anyone who reads it can post in the group): put it in an environment variable and give "
        "that variable's name as webhook_env\n")


def test_two_cron_jobs_at_once_deliver_nothing_twice(notify_setup):
    """Two real processes started together: one delivers each channel, the other waits for its lock
    and finds everything in the journal."""
    notify_setup.robots.delay = 0.3  # each post takes a while, so the runs overlap
    env = {**os.environ, **notify_setup.env, "SALESCTL_LOCK_TIMEOUT": "60", "LANG": "C.UTF-8"}
    command = [sys.executable, "-m", "salesctl", "-C", str(notify_setup.root), *ARGS]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [1, 1]  # zhou has no e-mail address, in both
    lines = [line for out, _ in outputs for line in out.splitlines()]
    sent = sorted(line.split()[0] + " " + line.split()[2] for line in lines if " sent to " in line)
    assert sent == ["dingtalk (wang)", "dingtalk (zhang)", "dingtalk (zhou)", "email (wang)", "email (zhang)",
                    "wecom (wang)", "wecom (zhang)", "wecom (zhou)"]
    assert sum("already sent today" in line for line in lines) == 8
    assert sorted(notify_setup.inbox.recipients()) == ["wang@example.com", "zhang@example.com"]
    bodies = [json.dumps(b, ensure_ascii=False) for b in notify_setup.robots.bodies("markdown")]
    assert [sum(f"#### {name}" in b for b in bodies) for name in ("张伟", "王芳", "周杰")] == [2, 2, 2]
