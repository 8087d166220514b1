"""`timezone` in salesctl.yaml: the day "today" is, for the rules that look at dates (future-date) and
every command; a name the machine does not know is bad-config. The commands: tests/cli/test_everyday_checks.py
(a writer's date and `today` in a query); doctor's day: tests/unit/test_doctor.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpers.workspaces import CONFIG
from salesctl.load.pipeline import load
from salesctl.model.config import load_config


def test_timezone_decides_what_day_today_is(workspace):
    """Kiritimati (UTC+14) is always a day ahead of Pago Pago (UTC-11): a visit dated today in
    Kiritimati is in the future in Pago Pago."""
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    files = {"customers/c.yaml": "- {id: CUS-1, name: 甲公司, owner: zhang, created: 2026-01-05}\n",
             "visits/v.yaml": f"- {{id: V-1, customer: CUS-1, rep: zhang, date: {today}, channel: phone}}\n"}
    ahead = load(workspace(files, CONFIG + "timezone: Pacific/Kiritimati\n"))
    assert (ahead.as_of, [p.code for p in ahead.problems]) == (today, [])
    behind = load(workspace(files, CONFIG + "timezone: Pacific/Pago_Pago\n"))
    assert behind.as_of < today
    assert [p.message for p in behind.problems] == [f"visit dated {today} is in the future (after {behind.as_of})"]


@pytest.mark.parametrize("value, message", [
    ("Asia/Beijing", "timezone 'Asia/Beijing' is not a known time zone (an IANA name such as Asia/Shanghai)"),
    ("../etc/passwd", "timezone '../etc/passwd' is not a known time zone (an IANA name such as Asia/Shanghai)"),
    (8, "timezone 8 is not a known time zone (an IANA name such as Asia/Shanghai)"),
])
def test_a_bad_timezone_is_bad_config_and_the_systems_is_used(value, message):
    config, found = load_config({"company": {"name": "x"}, "team": [{"id": "a", "name": "A", "role": "rep"}],
                                 "timezone": value}, {})
    assert [(p.code, p.message) for p in found] == [("bad-config", message)]
    assert config.timezone is None
