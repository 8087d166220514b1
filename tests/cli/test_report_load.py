"""`salesctl report load` through the command line: table with a total row, JSON, CSV, --group, a
workbook (the counts: tests/unit/reports/test_pool.py)."""

from __future__ import annotations

import json

import pytest

from helpers.pool import POOL_CONFIG

AS_OF = "2026-11-30"
FILES = {
    # zhang: Z1 (A, key, visited by zhang 11-15: active), Z2 (B, created 11-01, never visited: pool due
    # 11-01 + 30 = 12-01 ≤ 11-30 + 3). wang: W1 (claimed by wang today). liu: nothing. One customer in the pool.
    "customers/all.yaml": """\
        - {id: Z1, name: 甲公司, owner: zhang, tier: A, key: true, created: 2026-01-01}
        - {id: Z2, name: 乙公司, owner: zhang, tier: B, created: 2026-11-01}
        - id: W1
          name: 丙公司
          owner: wang
          assignments:
            - {date: 2026-11-30, from: null, to: wang, by: wang, reason: claim}
          created: 2026-06-01
        - {id: P1, name: 丁公司, created: 2026-06-01}
        """,
    "visits/2026.yaml": "- {id: V1, customer: Z1, rep: zhang, date: 2026-11-15, channel: onsite}\n",
}


@pytest.fixture
def root(workspace):
    return workspace(FILES, config=POOL_CONFIG)


def test_report_load_table_has_a_total_row(run, root):
    result = run("-C", root, "report", "load", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "销售客户负荷 截至 2026-11-30",
        "",
        "销售    姓名      客户数    重点客户    A级    B级    C级    未分级    近30天活跃    待回收    在执行合同"
        "    逾期余额    今日领取",
        "------  ------  --------  ----------  -----  -----  -----  --------  ------------  --------  ------------"
        "  ----------  ----------",
        "zhang   张伟           2           1      1      1      0         0             1         1             0"
        "        0.00           0",
        "wang    王芳           1           0      0      0      0         1             0         0             0"
        "        0.00           1",
        "liu     刘洋           0           0      0      0      0         0             0         0             0"
        "        0.00           0",
        "合计                   3           1      1      1      0         1             1         1             0"
        "        0.00           1",
    ]


def test_report_load_json_csv_and_group(run, root):
    doc = json.loads(run("-C", root, "report", "load", "--as-of", AS_OF, "--format", "json").stdout)
    assert doc["as_of"] == "2026-11-30" and doc["group"] is None
    assert doc["rows"][0] == {"rep": "zhang", "name": "张伟", "customers": 2, "key": 1,
                              "tiers": {"A": 1, "B": 1, "C": 0, "none": 0}, "active": 1, "due": 1,
                              "open_contracts": 0, "overdue_balance": 0.0, "claims_today": 0}
    assert doc["total"]["customers"] == 3 and "rep" not in doc["total"]
    csv = run("-C", root, "report", "load", "--as-of", AS_OF, "--format", "csv", "--group", "east").stdout.splitlines()
    assert csv[0] == ("rep,name,customers,key,tiers.A,tiers.B,tiers.C,tiers.none,active,due,open_contracts,"
                      "overdue_balance,claims_today")
    assert [line.split(",")[0] for line in csv[1:]] == ["zhang", "wang"]  # no total row in CSV
    assert run("-C", root, "report", "load", "--group", "west").exit_code == 2


def test_report_load_as_a_workbook(run, root, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "load.xlsx"
    result = run("-C", root, "report", "load", "--as-of", AS_OF, "-o", target)
    assert result.exit_code == 0 and result.stderr == f"wrote {target}\n"
    sheet = openpyxl.load_workbook(target)["销售客户负荷"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["销售", "名称", "客户数", "重点客户", "等级.A", "等级.B", "等级.C", "等级.未分级", "近30天活跃",
                       "待回收", "在执行合同", "逾期余额", "今日领取"]
    assert rows[1] == ["zhang", "张伟", 2, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0]
    assert rows[-1] == ["合计", None, 3, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1]  # the total row last
