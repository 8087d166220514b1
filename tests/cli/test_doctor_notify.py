"""`salesctl doctor` on the channels of notify: the settings each robot needs, and with --online a test
message on each channel (`notify_setup` in conftest serves them all on 127.0.0.1)."""

from __future__ import annotations

import json


def lines(result, *names) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.split()[1:2] and line.split()[1] in names]


def test_each_robot_is_checked_without_sending_anything(run, notify_setup):
    result = run("-C", notify_setup.root, "doctor", env=notify_setup.env)
    port = notify_setup.robots.port
    assert lines(result, "wecom", "dingtalk") == [
        f"ok    wecom      $TEST_WECOM_WEBHOOK: 127.0.0.1:{port}/cgi-bin/webhook/send (key …0001)",
        f"ok    dingtalk   $TEST_DINGTALK_WEBHOOK: 127.0.0.1:{port}/robot/send (key …oken), signed with "
        f"$TEST_DINGTALK_SECRET"]
    assert notify_setup.robots.posted == [] and notify_setup.inbox.envelopes == []


def test_a_missing_variable_is_named(run, notify_setup):
    env = {**notify_setup.env, "TEST_WECOM_WEBHOOK": None, "TEST_DINGTALK_SECRET": None}
    result = run("-C", notify_setup.root, "doctor", env=env)
    assert lines(result, "wecom", "dingtalk") == [
        "FAIL  wecom      TEST_WECOM_WEBHOOK is not set (cron does not read your shell profile)",
        "FAIL  dingtalk   TEST_DINGTALK_SECRET is not set (cron does not read your shell profile)"]
    assert result.exit_code == 1


def test_online_posts_a_test_message_on_each_channel(run, notify_setup):
    result = run("-C", notify_setup.root, "--as-of", "2026-06-30", "doctor", "--online", env=notify_setup.env)
    assert [line.split("  ")[0] for line in lines(result, "smtp", "wecom", "dingtalk")] == ["ok", "ok", "ok"]
    assert lines(result, "smtp")[0].endswith(": connected, test message sent to bot@example.com")
    assert lines(result, "wecom")[0].endswith("; test message posted")
    text = "## 销售提醒 2026-06-30\n\n销售提醒：salesctl 测试消息，星河企业培训有限公司 的销售提醒将发到这里。"
    assert [p.body for p in notify_setup.robots.posted] == [
        {"msgtype": "markdown", "markdown": {"content": text}},
        {"msgtype": "markdown", "markdown": {"title": "销售提醒 2026-06-30", "text": text},
         "at": {"atMobiles": [], "isAtAll": False}}]
    assert set(notify_setup.robots.posted[1].query) == {"access_token", "timestamp", "sign"}
    [mail] = notify_setup.inbox.messages()
    assert mail["To"] == "星河企业培训有限公司 <bot@example.com>" and mail["Subject"] == "销售提醒 2026-06-30"


def test_online_explains_what_the_platform_answered(run, notify_setup):
    notify_setup.robots.answer = lambda posted: (
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}) if posted.path.startswith("/cgi-bin")
        else (200, {"errcode": 310000, "errmsg": "sign not match"}))
    result = run("-C", notify_setup.root, "doctor", "--online", "--format", "json", env=notify_setup.env)
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["wecom"]["status"] == checks["dingtalk"]["status"] == "error"
    assert "WeCom does not know this robot's key (errcode 93000: invalid webhook url)" in checks["wecom"]["detail"]
    assert checks["dingtalk"]["detail"].endswith(
        "the signature does not match (errcode 310000: sign not match): $TEST_DINGTALK_SECRET must hold the secret "
        "shown in the robot's security settings (加签, SEC…)")
    assert result.exit_code == 1
