"""salesctl.yaml `notify` (where `remind --send` delivers) and team members' `mobile`."""

from __future__ import annotations

import pytest

from salesctl.model.config import load_config

TEAM = [{"id": "zhang", "name": "张伟", "role": "rep"}]
EMAIL = {"via": "email", "webhook_env": None, "secret_env": None}


def read(notify=None, team=TEAM):
    raw = {"company": {"name": "星河"}, "team": team}
    if notify is not None:
        raw["notify"] = notify
    config, problems = load_config(raw, {})
    return config, [(p.severity, p.code, p.message) for p in problems]


def test_default_is_email_only():
    config, problems = read()
    assert problems == [] and config.notify == [EMAIL]


def test_robots_get_their_default_variables_and_dingtalk_signs_only_with_secret_env():
    config, problems = read([{"via": "wecom"}, {"via": "dingtalk"}, {"via": "email"}])
    assert problems == []
    assert config.notify == [
        {"via": "wecom", "webhook_env": "SALESCTL_WECOM_WEBHOOK", "secret_env": None},
        {"via": "dingtalk", "webhook_env": "SALESCTL_DINGTALK_WEBHOOK", "secret_env": None}, EMAIL]
    config, _ = read([{"via": "dingtalk", "webhook_env": "DT_HOOK", "secret_env": "DT_SECRET"}])
    assert config.notify == [{"via": "dingtalk", "webhook_env": "DT_HOOK", "secret_env": "DT_SECRET"}]


URL_MESSAGE = ("notify: a webhook URL does not belong in salesctl.yaml (it is committed, and anyone who reads it can "
               "post in the group): put it in an environment variable and give that variable's name as webhook_env")


@pytest.mark.parametrize("notify, message", [
    ([{"via": "wecom", "webhook_env": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"}], URL_MESSAGE),
    ([{"via": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send?access_token=0c23"}], URL_MESSAGE),
    ([{"via": "dingtalk", "webhook_env": "oapi.dingtalk.com/robot/send?access_token=0c23"}], URL_MESSAGE),
    ([{"via": "dingtalk", "secret_env": "SEC" + "0123456789abcdef" * 4}],
     "notify: secret_env looks like the robot's secret itself; a secret does not belong in salesctl.yaml: put it "
     "in an environment variable and give that variable's name"),
    ([{"via": "sms"}], "notify: via 'sms' is not one of email, wecom, dingtalk"),
    ([{"webhook_env": "X"}], "notify: via None is not one of email, wecom, dingtalk"),
    ([{"via": "wecom"}, {"via": "wecom"}], "notify: wecom is listed twice"),
    ([{"via": "email", "webhook_env": "X"}], "notify: email takes no webhook_env"),
    ([{"via": "wecom", "secret_env": "X"}], "notify: wecom takes no secret_env (WeCom group robots do not sign "
                                            "their requests)"),
    ([{"via": "wecom", "webhook_env": "MY HOOK"}], "notify: webhook_env 'MY HOOK' is not the name of an environment "
                                                  "variable"),
    ([], "notify must list the channels, e.g. [{via: email}, {via: wecom}]"),
    ({"via": "email"}, "notify must list the channels, e.g. [{via: email}, {via: wecom}]"),
    (["email"], "a notify channel is a mapping {via, webhook_env, secret_env}"),
])
def test_wrong_settings_are_bad_config(notify, message):
    config, problems = read(notify)
    assert ("error", "bad-config", message) in problems


def test_a_channel_set_up_wrongly_is_left_out_and_the_others_kept():
    config, _ = read([{"via": "wecom", "webhook_env": "https://qyapi.weixin.qq.com/x?key=1"}, {"via": "dingtalk"}])
    assert [c["via"] for c in config.notify] == ["dingtalk"]
    config, _ = read([{"via": "wecom", "webhook_env": "https://qyapi.weixin.qq.com/x?key=1"}])
    assert config.notify == [EMAIL]  # nothing usable: the default, as for every other setting


def test_an_unknown_key_is_a_warning_with_a_guess():
    config, problems = read([{"via": "dingtalk", "secret": "DT_SECRET"}])
    assert problems == [("warning", "unknown-field", "unknown setting 'notify.0.secret'; did you mean 'secret_env'?")]


def test_mobile_is_digits_with_plus_hyphens_or_spaces():
    team = [{"id": "zhang", "name": "张伟", "role": "rep", "mobile": "+86 138-0013-8000"},
            {"id": "wang", "name": "王芳", "role": "rep", "mobile": 13900139000},
            {"id": "zhou", "name": "周杰", "role": "rep", "mobile": "138 0013 8000 转 12"}]
    config, problems = read(team=team)
    assert [m["mobile"] for m in config.team] == ["+86 138-0013-8000", "13900139000", None]
    assert problems == [("error", "bad-config", "team member 'zhou': mobile must be digits (with +, - or spaces)")]
