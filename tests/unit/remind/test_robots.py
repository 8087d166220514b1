"""Group robots: the request bodies, the DingTalk signature, the pace, and what the platforms' answers mean.

Every post goes to a local server standing in for the platform (`robot_server` in conftest).
"""

from __future__ import annotations

import pytest

from salesctl.remind.robots import PER_MINUTE, Robot, RobotError, Window, shown, sign

SECRET = "SEC0123456789abcdef"
# printf '1782777600000\nSEC0123456789abcdef' | openssl dgst -sha256 -hmac 'SEC0123456789abcdef' -binary | base64
# -> Kt7t6JwapHdqYEd4lDXMkX6lyKGAzfAuOzFSF5/DNLA=  ("/" and "=" URL-encoded below)
SIGN_AT_START = "Kt7t6JwapHdqYEd4lDXMkX6lyKGAzfAuOzFSF5%2FDNLA%3D"


def wecom(robot_server, fake_clock) -> Robot:
    robot_server.clock = fake_clock
    return Robot("wecom", robot_server.url("/cgi-bin/webhook/send?key=wecom-test-key-0001"), clock=fake_clock,
                 webhook_env="TEST_WECOM_WEBHOOK", keyword="销售提醒")


def dingtalk(robot_server, fake_clock, secret=SECRET) -> Robot:
    robot_server.clock = fake_clock
    return Robot("dingtalk", robot_server.url("/robot/send?access_token=dingtalk-test-token"), secret,
                 clock=fake_clock, webhook_env="TEST_DINGTALK_WEBHOOK",
                 secret_env="TEST_DINGTALK_SECRET" if secret else None, keyword="销售提醒")


def answering(*answers):
    """A server answer that gives these replies in turn, then {"errcode": 0}."""
    queue = list(answers)
    return lambda posted: queue.pop(0) if queue else (200, {"errcode": 0, "errmsg": "ok"})


# --- the signature and the requests ---------------------------------------------------------

def test_dingtalk_signature_with_a_fixed_clock(robot_server, fake_clock):
    assert sign(SECRET, 1782777600000) == SIGN_AT_START
    robot = dingtalk(robot_server, fake_clock)
    robot.post(robot.markdown("## 销售提醒 2026-06-30\n\n#### 张伟 @13800138000", "销售提醒 2026-06-30",
                              ["13800138000"]))
    [posted] = robot_server.posted
    assert posted.path == "/robot/send"
    assert posted.query == {"access_token": "dingtalk-test-token", "timestamp": "1782777600000",
                            "sign": "Kt7t6JwapHdqYEd4lDXMkX6lyKGAzfAuOzFSF5/DNLA="}  # as the server decodes it
    text = "## 销售提醒 2026-06-30\n\n#### 张伟 @13800138000"
    assert posted.body == {"msgtype": "markdown", "markdown": {"title": "销售提醒 2026-06-30", "text": text},
                           "at": {"atMobiles": ["13800138000"], "isAtAll": False}}
    assert robot.target().endswith(f"&timestamp=1782777600000&sign={SIGN_AT_START}")


def test_dingtalk_without_a_secret_is_not_signed(robot_server, fake_clock):
    robot = dingtalk(robot_server, fake_clock, secret=None)
    assert robot.target() == robot_server.url("/robot/send?access_token=dingtalk-test-token")


def test_wecom_markdown_and_mention_bodies(robot_server, fake_clock):
    robot = wecom(robot_server, fake_clock)
    robot.post(robot.markdown("## 销售提醒 2026-06-30", "ignored", ["13800138000"]))
    robot.post(robot.mention("销售提醒 2026-06-30：请查看上面的待办。", ["13800138000"]))
    assert [p.body for p in robot_server.posted] == [
        {"msgtype": "markdown", "markdown": {"content": "## 销售提醒 2026-06-30"}},
        {"msgtype": "text", "text": {"content": "销售提醒 2026-06-30：请查看上面的待办。",
                                     "mentioned_mobile_list": ["13800138000"]}}]
    assert robot_server.posted[0].query == {"key": "wecom-test-key-0001"}


def test_the_webhook_is_never_shown_whole():
    assert shown("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") == \
        "qyapi.weixin.qq.com/cgi-bin/webhook/send (key …5aaa)"
    assert shown("https://oapi.dingtalk.com/robot/send?access_token=0c23abcdef") == \
        "oapi.dingtalk.com/robot/send (key …cdef)"


# --- the pace ------------------------------------------------------------------------------

def test_window_lets_20_through_a_minute_then_waits(fake_clock):
    window = Window(fake_clock)
    sent = []
    for _ in range(45):
        window.wait()
        sent.append(fake_clock.time())
        fake_clock.now += 0.5  # each post takes half a second
    start = 1782777600.0
    # posts 1-20 at start + 0, 0.5, ... 9.5; the 21st waits for the 1st to be a minute old (start + 60),
    # so the 21st-40th go at start + 60, 60.5, ... 69.5, and the 41st at start + 120.
    assert sent[:2] == [start, start + 0.5] and sent[19] == start + 9.5
    assert sent[20] == start + 60 and sent[39] == start + 69.5 and sent[40] == start + 120
    assert fake_clock.sleeps[0] == 50.0  # at start + 10 it waits until start + 60
    assert all(later - earlier >= 60 for earlier, later in zip(sent, sent[PER_MINUTE:]))


def test_too_fast_is_tried_again_a_minute_later(robot_server, fake_clock):
    robot_server.answer = answering((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    robot = wecom(robot_server, fake_clock)
    robot.post(robot.markdown("x", "x", []))
    assert len(robot_server.posted) == 2 and fake_clock.sleeps == [60.0]
    assert robot_server.posted[1].at - robot_server.posted[0].at == 60.0


def test_too_fast_twice_is_an_error(robot_server, fake_clock):
    busy = (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    robot_server.answer = answering(busy, busy)
    robot = dingtalk(robot_server, fake_clock)
    with pytest.raises(RobotError, match=r"DingTalk refused the message as too fast \(errcode 130101: send too fast"):
        robot.post(robot.markdown("x", "x", []))
    assert len(robot_server.posted) == 2


# --- what the answers mean -----------------------------------------------------------------

@pytest.mark.parametrize("answer, fatal, message", [
    ((200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1667]"}), True,
     "WeCom does not know this robot's key (errcode 93000: invalid webhook url, hint: [1667]): the robot was "
     "removed, or $TEST_WECOM_WEBHOOK holds a wrong URL; copy the webhook URL again from the robot"),
    ((200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}), False,
     "WeCom refused the message as invalid (errcode 40058: markdown.content exceed max length 4096)"),
    ((200, {"errcode": -1, "errmsg": "system busy"}), False, "WeCom refused the message (errcode -1: system busy)"),
    ((404, {"errcode": 404}), True, "127.0.0.1:{port} answered HTTP 404 Not Found: check the webhook URL in "
                                    "$TEST_WECOM_WEBHOOK"),
    ((502, {}), False, "127.0.0.1:{port} answered HTTP 502 Bad Gateway"),
    ((200, {"ok": True}), False, "127.0.0.1:{port} did not answer as a WeCom robot does (check $TEST_WECOM_WEBHOOK)"),
    (None, True, "cannot reach 127.0.0.1:{port}: Remote end closed connection without response"),
])
def test_wecom_answers_become_clear_messages(robot_server, fake_clock, answer, fatal, message):
    robot_server.answer = lambda posted: answer
    robot = wecom(robot_server, fake_clock)
    with pytest.raises(RobotError) as caught:
        robot.post(robot.markdown("x", "x", []))
    assert str(caught.value) == message.format(port=robot_server.port) and caught.value.fatal is fatal


@pytest.mark.parametrize("errmsg, secret, message", [
    ("keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]", SECRET,
     "the message lacks the robot's custom keyword (errcode 310000: keywords not in content, more: "
     "[https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]): add '销售提醒' as a keyword in the robot's security "
     "settings"),
    ("sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]", SECRET,
     "the signature does not match (errcode 310000: sign not match, more: [https://ding-doc.dingtalk.com/doc#/"
     "serverapi2/qf2nxq]): $TEST_DINGTALK_SECRET must hold the secret shown in the robot's security settings "
     "(加签, SEC…)"),
    ("description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中;", None,
     "the robot wants signed requests (errcode 310000: description:机器人发送签名不匹配;solution:请确认签名和生成签名的"
     "时间戳必须都放在调用的网址中;): give secret_env in notify and put the robot's secret (SEC…) in that variable"),
    ("invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]", SECRET,
     "DingTalk refused the request's time (errcode 310000: invalid timestamp, more: [https://ding-doc.dingtalk.com/"
     "doc#/serverapi2/qf2nxq]): this machine's clock is off by more than an hour"),
    ("ip 203.0.113.9 not in whitelist", SECRET,
     "this machine's IP address is not allowed by the robot (errcode 310000: ip 203.0.113.9 not in whitelist): add "
     "it to the robot's IP allow-list (IP地址段)"),
])
def test_dingtalk_security_refusals_say_which_setting(robot_server, fake_clock, errmsg, secret, message):
    robot_server.answer = lambda posted: (200, {"errcode": 310000, "errmsg": errmsg})
    robot = dingtalk(robot_server, fake_clock, secret)
    with pytest.raises(RobotError) as caught:
        robot.post(robot.markdown("x", "x", []))
    assert str(caught.value) == message and caught.value.fatal


def test_dingtalk_unknown_token(robot_server, fake_clock):
    robot_server.answer = lambda posted: (200, {"errcode": 300001, "errmsg": "token is not exist"})
    robot = dingtalk(robot_server, fake_clock)
    with pytest.raises(RobotError, match=r"does not know this robot's access token \(errcode 300001: token is not "
                                         r"exist\): the robot was removed or disabled, or \$TEST_DINGTALK_WEBHOOK"):
        robot.post(robot.markdown("x", "x", []))
