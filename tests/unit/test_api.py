"""salesctl.api: what the commands do, as Python calls on a literal workspace (that the commands call
it: tests/cli/test_main.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from helpers.api import FILES
from salesctl import api
from salesctl.errors import BadInput, QueryError, Refused, SQLRefused, WorkspaceError

AS_OF = date(2026, 11, 30)


@pytest.fixture
def root(workspace):
    return workspace(FILES)


def test_open_and_validate(root, workspace):
    ws = api.open_workspace(root)
    problems, files = api.validate(ws)
    assert (problems, files) == ([], 5)  # salesctl.yaml and four record files
    broken = api.open_workspace(workspace({**FILES, "receivables/RCV-0003.yaml": "{id: RCV-0003, contract: CT-9}\n"}))
    assert [p.format() for p in api.validate(broken)[0]] == [
        "receivables/RCV-0003.yaml:1:1: error[missing-field]: missing required field 'amount'",
        "receivables/RCV-0003.yaml:1:1: error[missing-field]: missing required field 'due'",
        "receivables/RCV-0003.yaml:1:16: error[unknown-ref]: contract: no contract 'CT-9'"]


def test_no_workspace_is_a_workspace_error(tmp_path):
    with pytest.raises(WorkspaceError) as raised:
        api.open_workspace(tmp_path)
    assert raised.value.exit_code == 2


def test_reports(root):
    ws = api.open_workspace(root).usable()
    ledger = api.report_overdue(ws, AS_OF)
    # RCV-0001: 36,000 - 6,000 paid = 30,000, due 2026-08-01: 121 days overdue on 2026-11-30, bucket 91+
    assert [(r["receivable"], r["balance"], r["days_overdue"], r["bucket"]) for r in ledger["rows"]] == [
        ("RCV-0001", Decimal("30000"), 121, "91+")]
    assert ledger["totals"]["buckets"] == {"1-30": 0, "31-60": 0, "61-90": 0, "91+": Decimal("30000")}
    kpis = api.report_kpi(ws, AS_OF, "2026-Q3")
    zhang = next(row for row in kpis["rows"] if row["rep"] == "zhang")
    assert (zhang["signed_amount"], zhang["contracts"], zhang["collected"]) == (Decimal("120000"), 1, Decimal("6000"))
    assert api.report_review(ws, AS_OF) == {"period": None, "rows": []}


def test_activity_and_commission(fixture_workspace):
    """The arithmetic is in tests/unit/reports/test_activity.py and test_commission.py (October 2026)."""
    as_of = date(2026, 10, 31)
    ws = api.open_workspace(fixture_workspace("activity")).usable()
    activity = api.report_activity(ws, as_of)  # the month of as_of, by day: 31 days x 3 reps
    assert (activity["period"], activity["by"], len(activity["rows"])) == ("2026-10", "day", 93)
    assert (activity["total"]["calls"], activity["total"]["deals"], activity["total"]["signed_amount"]) == (
        6, 1, Decimal("50000"))
    wang = api.report_activity(ws, as_of, "2026-10", by="month", rep="wang")["rows"]
    assert [(r["rep"], r["calls"], r["effective_calls"], r["target_calls"]) for r in wang] == [
        ("wang", 2, 1, 108)]  # 6 calls a day x 18 working days
    ws = api.open_workspace(fixture_workspace("pay")).usable()
    pay = api.report_commission(ws, as_of)
    # commission 5,400 + 0 + 1,440 - 300.05 = 6,539.95; bonus 2,000 + 1,000 = 3,000; total 9,539.95
    assert (pay["period"], pay["total"]["commission"], pay["total"]["bonus"], pay["total"]["total"]) == (
        "2026-10", Decimal("6539.95"), Decimal("3000"), Decimal("9539.95"))
    zhang = api.report_commission(ws, as_of, "2026-10", detail=True)["rows"][0]
    # collected 120,000 (10-05) + 40,000 (10-20); the 30,000 - 10,000 paid written off on 10-15
    assert [(p["date"], p["amount"]) for p in zhang["payments"]] == [
        (date(2026, 10, 5), Decimal("120000")), (date(2026, 10, 20), Decimal("40000"))]
    assert [c["balance"] for c in zhang["clawed_back"]] == [Decimal("20000")]


def test_query_show_and_sql(root):
    ws = api.open_workspace(root).usable()
    rows = api.query(ws, "receivables", AS_OF, where=["status = overdue"], fields=["id", "balance"])
    assert rows == [{"id": "RCV-0001", "balance": Decimal("30000")}]
    with pytest.raises(QueryError):
        api.query(ws, "receivables", AS_OF, where=["balence > 0"])
    shown = api.show(ws, "CT-0001", AS_OF)
    assert (shown["record"]["balance"], [r["id"] for r in shown["related"]["receivables"]]) == (
        Decimal("114000"), ["RCV-0001", "RCV-0002"])  # 36,000 + 84,000 - 6,000 paid
    assert api.sql(ws, "SELECT id, balance FROM receivables ORDER BY id", AS_OF) == (
        ["id", "balance"], [("RCV-0001", 30000.0), ("RCV-0002", 84000.0)])
    with pytest.raises(SQLRefused):
        api.sql(ws, "DELETE FROM receivables", AS_OF)


def test_reminders(root):
    people = api.reminders(api.open_workspace(root).usable(), AS_OF)
    assert [(p["to"], [(i["kind"], i["ref"]) for i in p["items"]]) for p in people] == [
        ("zhang", [("collect", "RCV-0001")])]


def test_a_write_and_its_dry_run(root):
    before = (root / "receivables/RCV-0002.yaml").read_bytes()
    plan = api.pay(root, "RCV-0002", Decimal("4000"), on=AS_OF, method="银行转账", dry_run=True, as_of=AS_OF)
    assert (root / "receivables/RCV-0002.yaml").read_bytes() == before
    assert plan.summary == ["RCV-0002: payment of 4,000.00 on 2026-11-30 recorded in receivables/RCV-0002.yaml "
                            "(balance 80,000.00 as of 2026-11-30)"]  # 84,000 - 4,000
    api.pay(root, "RCV-0002", Decimal("4000"), on=AS_OF, method="银行转账", as_of=AS_OF)
    assert (root / "receivables/RCV-0002.yaml").read_text(encoding="utf-8") == before.decode("utf-8") + (
        "payments:\n  - {date: 2026-11-30, amount: 4000, method: 银行转账}\n")  # in the style of RCV-0001


def test_a_refused_write_changes_nothing(root):
    before = (root / "receivables/RCV-0001.yaml").read_bytes()
    with pytest.raises(Refused) as raised:  # 30,000 left to pay
        api.pay(root, "RCV-0001", Decimal("30000.01"), on=AS_OF)
    assert [p.code for p in raised.value.problems] == ["overpaid"]
    assert (root / "receivables/RCV-0001.yaml").read_bytes() == before
    with pytest.raises(BadInput):
        api.collect(root, "RCV-0001", channel="phone", on=AS_OF, by="nobody")


def test_new_collect_and_schedule(root):
    plan = api.new(root, "customer", ["name=杭州云帆网络科技有限公司", "owner=wang"], on=AS_OF)
    assert plan.ids == ["CUS-0002"]
    plan = api.collect(root, "RCV-0001", channel="phone", on=AS_OF, by="zhang")
    assert [change.path for change in plan.files] == ["receivables/RCV-0001.yaml"]
    ws = api.open_workspace(root)
    assert [a["channel"] for a in ws.get("receivables", "RCV-0001")["collection"]] == ["phone"]
    with pytest.raises(Refused, match="above what is left"):  # 120,000 already scheduled in RCV-0001 and RCV-0002
        api.schedule(root, "CT-0001", "100%@signed", on=AS_OF)
