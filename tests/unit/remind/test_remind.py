"""Reminders as a library: every kind, to the right person, on the right day, in the workspace locale
(the command, its formats, .eml files and SMTP: tests/cli/test_remind.py).

The fixture workspace is tests/fixtures/reports, as of 2026-06-30 (see the comments in its files)."""

from __future__ import annotations

from datetime import date

from helpers.reminders import DUE
from salesctl.remind.remind import reminders
from salesctl.load.pipeline import load

D = date(2026, 6, 30)


def due(people):
    return {p["to"]: [(i["kind"], i["ref"], i["customer"], i["date"]) for i in p["items"]] for p in people}


def test_every_kind_to_the_right_person(reports_ws):
    people = reminders(reports_ws, D)
    assert [p["to"] for p in people] == ["lin", "qian", "zhang", "wang", "zhou", "zhao"]  # team order
    assert due(people) == DUE
    assert [p["email"] for p in people] == ["lin@example.com", "qian@example.com", "zhang@example.com",
                                            "wang@example.com", None, "zhao@example.com"]


def test_only_one_person(reports_ws):
    assert due(reminders(reports_ws, D, to="wang")) == {"wang": DUE["wang"]}
    assert reminders(reports_ws, D, to="chen") == []


def test_promise_due_today_is_a_collect_reminder(reports_ws):
    items = due(reminders(reports_ws, date(2026, 7, 5), to="wang"))["wang"]
    assert ("collect", "RCV-05", "CUS-C", date(2026, 7, 5)) in items
    assert ("collect", "RCV-05", "CUS-C", date(2026, 7, 5)) not in due(reminders(reports_ws, date(2026, 7, 4)))["wang"]


def test_follow_up_waits_for_its_date_and_ends_with_a_later_visit(reports_ws):
    assert ("follow-up", "V-08", "CUS-C", date(2026, 7, 3)) in due(reminders(reports_ws, date(2026, 7, 3)))["wang"]
    zhou = due(reminders(reports_ws, date(2026, 5, 1)))["zhou"]
    assert zhou == [("follow-up", "V-09", "CUS-E", date(2026, 4, 15))]  # before V-10 was made


def test_dormant_starts_the_day_after_the_limit(reports_ws):
    assert not any(i[0] == "dormant" for i in due(reminders(reports_ws, D)).get("wang", []))
    assert ("dormant", "CUS-D", "CUS-D", date(2026, 3, 1)) in due(reminders(reports_ws, date(2026, 7, 1)))["wang"]


def test_messages_follow_the_locale(reports_ws):
    zhang = reminders(reports_ws, D, to="zhang")[0]["items"]
    assert [i["message"] for i in zhang[:3]] == [
        "跟进华东包装有限公司：报价跟进（2026-06-18 拜访时约定）",
        "南方物流有限公司 应收款 140,000.00 元 将于 2026-07-07 到期",
        "东方机械有限公司 逾期 61 天，余额 100,000.00 元：上门催收"]
    reports_ws.config.locale = "en_US"
    lin = reminders(reports_ws, D, to="lin")[0]["items"]
    assert lin[1]["message"] == 'Contract "GMP 专题培训" (西部医药有限公司) has waited 3 days for manager approval'


def test_library_needs_no_click(reports_root):
    ws = load(reports_root)
    assert reminders(ws, D, to="zhou")[0]["items"][0]["message"] == "跟进中原食品有限公司：寄送样品资料（2026-05-20 拜访时约定）"
