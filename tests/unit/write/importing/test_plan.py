"""Planning an import through the library: rows added, updated or unchanged, ids in row order,
keys, payments, and every problem told at its row and column."""

from __future__ import annotations

import gc
import textwrap
from datetime import date
from decimal import Decimal

from salesctl import storage
from salesctl.load.pipeline import load
from salesctl.write.importing.plan import plan_import
from salesctl.write.importing.sheets import read_csv

AS_OF = date(2026, 11, 30)


def sheet(text: str, name="s.csv"):
    return read_csv(textwrap.dedent(text).encode("utf-8"), name)


def plan(root, collection, text, **options):
    return plan_import(load(root), collection, sheet(text), as_of=AS_OF, **options)


def write(root, result):
    storage.apply(root, result.plan.files)
    return load(root)


def actions(result):
    return [(o.row, o.action, o.id) for o in result.outcomes]


def shown(result):
    return [p.format() for p in result.problems]


def test_new_customers_get_the_next_ids_in_row_order(sales):
    result = plan(sales, "customers", """\
        客户名称,负责人,创建日期,联系人,电话
        杭州云帆网络科技有限公司,王芳,2026/11/3,赵磊,0571-8888 1234
        宁波港通物流有限公司,zhang,2026年11月5日,,
        """)
    assert shown(result) == []
    assert actions(result) == [(2, "add", "CUS-0003"), (3, "add", "CUS-0004")]  # after CUS-0002
    ws = write(sales, result)
    assert (sales / "customers/CUS-0003.yaml").read_text() == textwrap.dedent("""\
        id: CUS-0003
        name: 杭州云帆网络科技有限公司
        owner: wang
        created: 2026-11-03
        contacts:
          - name: 赵磊
            phone: 0571-8888 1234
            primary: true
        """)
    assert ws.get("customers", "CUS-0004")["created"] == date(2026, 11, 5) and ws.error_count == 0


def test_yearly_ids_follow_each_records_own_year(sales):
    result = plan(sales, "contracts", """\
        客户,负责人,标题,状态,创建日期,服务项目,数量,单价
        CUS-0002,wang,GMP内训,draft,2026-11-02,GMP内训,1,30000
        CUS-0002,wang,旧合同补录,draft,2025-06-01,质量培训,2,"12,500"
        CUS-0001,zhang,年度框架,draft,2026-11-20,领导力,1,80000
        """)
    # CT-2026-001 exists: 2026 goes on from it; 2025 starts its own count at the same width
    assert actions(result) == [(2, "add", "CT-2026-002"), (3, "add", "CT-2025-001"), (4, "add", "CT-2026-003")]
    ws = write(sales, result)
    assert ws.get("contracts", "CT-2025-001")["amount"] == Decimal("25000")  # 2 × 12,500: summed from the item
    assert ws.error_count == 0


def test_a_row_whose_key_finds_a_record_updates_only_what_it_gives(sales):
    result = plan(sales, "customers", """\
        客户名称,等级,负责人,备注
        上海华东精密机械股份有限公司,B,张伟,
        苏州恒瑞医药科技有限公司,,王芳,GMP合规需求
        """)
    assert actions(result) == [(2, "update", "CUS-0001"), (3, "update", "CUS-0002")]
    assert result.outcomes[0].changes == {"tier": ("A", "B")}  # owner zhang given as 张伟: no change
    before = (sales / "customers/CUS-0001.yaml").read_text()
    write(sales, result)
    assert (sales / "customers/CUS-0001.yaml").read_text() == before.replace("tier: A", "tier: B")
    assert (sales / "customers/CUS-0002.yaml").read_text().endswith("created: 2025-06-20\nnotes: GMP合规需求\n")


def test_the_same_sheet_twice_changes_nothing_the_second_time(sales):
    text = """\
        name,owner,created,tags,联系人,电话
        上海华东精密机械股份有限公司,zhang,2024-03-12,制造业; 老客户,周建国,139 1762 5580
        新客户,wang,2026-11-30,新,钱多,13800138000
        """
    first = plan(sales, "customers", text)
    assert actions(first) == [(2, "unchanged", "CUS-0001"), (3, "add", "CUS-0003")]
    write(sales, first)
    second = plan(sales, "customers", text)
    assert actions(second) == [(2, "unchanged", "CUS-0001"), (3, "unchanged", "CUS-0003")]
    assert second.plan.files == []


def test_a_value_shown_rather_than_stored_is_no_change(sales):
    # CUS-0001 stores no follow_up_days: tier A gives 30 (rules default); CT-2026-001 no currency: CNY
    assert actions(plan(sales, "customers", "id,follow_up_days\nCUS-0001,30\n")) == [(2, "unchanged", "CUS-0001")]
    assert actions(plan(sales, "contracts", "id,currency\nCT-2026-001,CNY\n")) == [(2, "unchanged", "CT-2026-001")]
    assert plan(sales, "customers", "id,follow_up_days\nCUS-0001,20\n").outcomes[0].changes == {
        "follow_up_days": (None, 20)}


def test_key_chooses_the_fields_that_find_a_record(sales):
    result = plan(sales, "receivables", "contract,due,invoice\nCT-2026-001,2026-09-30,26312000000000001\n")
    assert actions(result) == [(2, "update", "RCV-0002")]  # the default key: contract, due
    result = plan(sales, "customers", "id,name\nCUS-0002,苏州恒瑞医药股份有限公司\n")
    assert result.key == ("id",) and result.outcomes[0].changes == {
        "name": ("苏州恒瑞医药科技有限公司", "苏州恒瑞医药股份有限公司")}
    result = plan(sales, "customers", "name,owner,created\n苏州恒瑞医药科技有限公司,zhang,2025-06-20\n", key="owner")
    assert actions(result) == [(2, "update", "CUS-0001")]  # owner zhang finds CUS-0001 only
    assert result.outcomes[0].changes["name"] == ("上海华东精密机械股份有限公司", "苏州恒瑞医药科技有限公司")


def test_a_contact_is_found_by_its_name_or_added(sales):
    result = plan(sales, "customers", """\
        name,联系人,电话,邮箱
        上海华东精密机械股份有限公司,周建国,139 1762 0000,zhou@hdjx.example.com
        苏州恒瑞医药科技有限公司,钱经理,0512-6666 8888,
        """)
    assert result.outcomes[0].changes == {"contacts.0.phone": ("139 1762 5580", "139 1762 0000"),
                                          "contacts.0.email": (None, "zhou@hdjx.example.com")}
    write(sales, result)
    assert (sales / "customers/CUS-0001.yaml").read_text().count('phone: "139 1762 0000"\n    email: zhou@') == 1
    assert (sales / "customers/CUS-0002.yaml").read_text().endswith(
        "contacts:\n  - name: 钱经理\n    phone: 0512-6666 8888\n    primary: true\n")


def test_items_that_change_change_the_contract_amount(sales):
    result = plan(sales, "contracts", "id,服务项目,数量,单价\nCT-2026-001,精益生产内训,5,25000\n")
    assert result.outcomes[0].changes == {"items.0.quantity": (4, 5), "amount": (Decimal("100000"), Decimal("125000"))}


def test_payments_are_added_to_their_receivable_once(sales):
    text = """\
        receivable,date,amount,method,ref
        RCV-0001,2026-02-28,10000,银行转账,招行回单 001
        RCV-0001,2026-03-15,"¥15,000",支付宝,
        RCV-0001,2026-03-15,15000,支付宝,
        """
    result = plan(sales, "payments", text)
    # the first row is the payment already there; two equal payments on one day are two payments
    assert [(o.row, o.action, o.id, o.entry) for o in result.outcomes] == [
        (2, "unchanged", "RCV-0001", 0), (3, "add", "RCV-0001", 1), (4, "add", "RCV-0001", 2)]
    ws = write(sales, result)
    assert [p["amount"] for p in ws.get("receivables", "RCV-0001")["payments"]] == [10000, 15000, 15000]
    assert [(o.action, o.entry) for o in plan(sales, "payments", text).outcomes] == [
        ("unchanged", 0), ("unchanged", 1), ("unchanged", 2)]


def test_a_payments_other_fields_are_updated(sales):
    result = plan(sales, "payments", "receivable,date,amount,ref\nRCV-0001,2026-02-28,10000,CMB:2602280001\n")
    assert result.outcomes[0].changes == {"payments.0.ref": ("招行回单 001", "CMB:2602280001")}
    write(sales, result)
    assert "ref: 'CMB:2602280001'}" in (sales / "receivables/RCV-0001.yaml").read_text()


# --- problems ------------------------------------------------------------------------------

def test_every_bad_cell_is_told_at_its_row_and_column(sales):
    result = plan(sales, "customers", """\
        客户名称,负责人,创建日期,等级,是否重点
        甲公司,李四,2026-02-30,Z,也许
        乙公司,张伟,,A,是
        """, mapping=["是否重点=key"])
    assert shown(result) == [
        "s.csv:2:2: error[unknown-ref]: 负责人: no team member '李四' (an id, name or e-mail of the team in salesctl.yaml)",
        "s.csv:2:3: error[bad-date]: 创建日期: '2026-02-30' is not a real date",
        "s.csv:2:4: error[bad-value]: 等级: 'Z' is not one of A, B, C",
        "s.csv:2:5: error[bad-type]: 是否重点: '也许' is not true or false (true/false, yes/no, 是/否, 1/0)",
        "s.csv:3:3: error[missing-field]: created is empty; a new customer needs it"]
    assert result.blocked and actions(result) == [(2, "rejected", None), (3, "rejected", None)]
    assert [row.number for row in result.rejected] == [2, 3]


def test_a_required_field_without_a_column_is_one_error(sales):
    result = plan(sales, "customers", "客户名称,负责人\n甲公司,张伟\n乙公司,王芳\n上海华东精密机械股份有限公司,张伟\n")
    assert shown(result) == [
        "s.csv:1:1: error[missing-field]: no column gives 'created', which a new customer needs (rows 2, 3 would "
        "add one); name a column with --map COLUMN=created"]
    assert result.blocked


def test_rows_that_give_one_record_twice_or_find_several(sales):
    (sales / "customers/CUS-0003.yaml").write_text("id: CUS-0003\nname: 苏州恒瑞医药科技有限公司\nowner: zhang\n"
                                                   "created: 2026-01-01\n")
    result = plan(sales, "customers", """\
        name,owner
        上海华东精密机械股份有限公司,zhang
        上海华东精密机械股份有限公司,wang
        苏州恒瑞医药科技有限公司,wang
        """)
    assert shown(result) == [
        "s.csv:3:1: error[duplicate-id]: row 2 has the same name; a sheet gives each customer once",
        "s.csv:4:1: error[bad-value]: name 苏州恒瑞医药科技有限公司 finds 2 customers (CUS-0002, CUS-0003); give an "
        "id column or another --key"]


def test_a_result_that_breaks_a_rule_is_told_at_the_rows_that_cause_it(sales):
    # RCV-0001: 40000 due, 10000 paid; 25000 + 10000 more is 45000, above the amount. The problem is the
    # receivable's (its payments' sum): told at the receivable column of each row that adds to it
    result = plan(sales, "payments", """\
        receivable,date,amount
        RCV-0001,2026-03-10,25000
        RCV-0001,2026-03-20,10000
        RCV-0002,2026-10-01,5000
        """)
    assert shown(result) == [
        "s.csv:2:1: error[overpaid]: RCV-0001: payments sum to 45,000.00, above the receivable amount 40,000.00",
        "s.csv:3:1: error[overpaid]: RCV-0001: payments sum to 45,000.00, above the receivable amount 40,000.00"]
    assert result.blocked and [o.action for o in result.outcomes] == ["rejected", "rejected", "add"]


def test_a_rule_broken_in_another_record_is_told_at_the_reference(sales):
    # CT-2026-001 is 100000, already scheduled whole (40000 + 60000): one more receivable over-schedules it
    result = plan(sales, "receivables", "contract,amount,due\nCT-2026-001,5000,2026-12-31\n")
    assert shown(result) == [
        "s.csv:2:1: error[over-scheduled]: CT-2026-001: receivables (RCV-0001, RCV-0002, RCV-0003) sum to 105,000.00, "
        "above the contract amount 100,000.00"]


def test_set_aside_leaves_out_the_bad_rows_and_numbers_the_others_on(sales):
    result = plan(sales, "customers", """\
        客户名称,负责人,创建日期
        甲公司,张伟,2026-11-01
        乙公司,李四,2026-11-02
        丙公司,王芳,2026-11-03
        """, set_aside=True)
    assert actions(result) == [(2, "add", "CUS-0003"), (3, "rejected", None), (4, "add", "CUS-0004")]
    assert not result.blocked and [row.number for row in result.rejected] == [3]
    ws = write(sales, result)
    assert ws.get("customers", "CUS-0004")["name"] == "丙公司" and ws.error_count == 0


def test_set_aside_also_leaves_out_rows_the_check_refuses(sales):
    result = plan(sales, "payments", "receivable,date,amount\nRCV-0001,2026-03-10,50000\nRCV-0002,2026-10-01,5000\n",
                  set_aside=True)
    assert [(o.row, o.action) for o in result.outcomes] == [(2, "rejected"), (3, "add")]
    assert [f.path for f in result.plan.files] == ["receivables/RCV-0002.yaml"]


def test_a_warning_of_the_check_is_told_once_when_rows_are_set_aside(sales):
    # row 2 pays RCV-0002 before CT-2026-001 was signed (2026-01-20): a warning, imported; row 3 overpays
    # RCV-0001 (10000 + 50000 > 40000): set aside, and the rest checked again
    result = plan(sales, "payments", "receivable,date,amount\nRCV-0002,2026-01-10,5000\nRCV-0001,2026-03-10,50000\n",
                  set_aside=True)
    assert shown(result) == [
        "s.csv:2:2: warning[date-order]: RCV-0002: payment dated 2026-01-10 is before the contract was signed "
        "(2026-01-20)",
        "s.csv:3:1: error[overpaid]: RCV-0001: payments sum to 60,000.00, above the receivable amount 40,000.00"]
    assert [(o.row, o.action) for o in result.outcomes] == [(2, "add"), (3, "rejected")]


def test_visits_by_customer_name_and_rep_email(sales):
    result = plan(sales, "visits", """\
        客户名称,销售,日期,方式,next_date,next_action,满意度
        苏州恒瑞医药科技有限公司,wang@example.com,2026.11.28,ONSITE,2026-12-05,送培训方案,5
        """)
    assert shown(result) == [] and actions(result) == [(2, "add", "V-0001")]  # no visit yet: the default pattern
    ws = write(sales, result)
    visit = ws.get("visits", "V-0001")
    assert (visit["customer"], visit["rep"], visit["date"], visit["channel"], visit["next"], visit["satisfaction"]) == (
        "CUS-0002", "wang", date(2026, 11, 28), "onsite", {"date": date(2026, 12, 5), "action": "送培训方案"}, 5)


def test_ids_given_in_the_sheet(sales):
    result = plan(sales, "customers", """\
        id,name,owner,created
        CUS-0100,新客户甲,zhang,2026-11-01
        CUS-0001,新客户乙,zhang,2026-11-01
        ,新客户丙,wang,2026-11-02
        """, key="name")
    assert shown(result) == [
        "s.csv:3:1: error[duplicate-id]: id CUS-0001 is already another customer's (in the workspace)"]
    result = plan(sales, "customers", "id,name,owner,created\nCUS-0100,新客户甲,zhang,2026-11-01\n,新客户丙,wang,"
                                      "2026-11-02\n", key="name")
    assert actions(result) == [(2, "add", "CUS-0100"), (3, "add", "CUS-0101")]  # counting on from the highest
    result = plan(sales, "customers", "id,name\nCUS-0002,上海华东精密机械股份有限公司\n", key="name")
    assert shown(result) == ["s.csv:2:1: error[bad-value]: id CUS-0002 differs from CUS-0001, the customer with name "
                             "上海华东精密机械股份有限公司"]


def test_the_plan_is_made_with_the_cyclic_collector_paused_and_then_resumed(sales, monkeypatch):
    from salesctl.write.importing import files

    seen = []
    create = files.Files.create
    monkeypatch.setattr(files.Files, "create", lambda *args: seen.append(gc.isenabled()) or create(*args))
    assert gc.isenabled()
    result = plan(sales, "customers", """\
        客户名称,负责人,创建日期
        杭州云帆网络科技有限公司,王芳,2026/11/3
        """)
    assert actions(result) == [(2, "add", "CUS-0003")] and seen == [False]
    assert gc.isenabled()


def test_each_new_record_is_typed_once_and_no_other_record_again(sales, monkeypatch):
    from salesctl.model.records import RecordBuilder

    ws = load(sales)
    typed = []
    build = RecordBuilder.build
    monkeypatch.setattr(RecordBuilder, "build", lambda self, collection, raw, path, *rest:
                        typed.append(path) or build(self, collection, raw, path, *rest))
    result = plan_import(ws, "customers", sheet("""\
        客户名称,负责人,创建日期,联系人,电话
        杭州云帆网络科技有限公司,王芳,2026/11/3,赵磊,0571-8888 1234
        宁波港通物流有限公司,zhang,2026/11/5,钱多多,12
        """), as_of=AS_OF)
    assert sorted(typed) == ["customers/CUS-0003.yaml", "customers/CUS-0004.yaml"]  # by the check, from the plan's read
    assert shown(result) == ["s.csv:3:5: warning[bad-phone]: CUS-0004: contacts.0.phone: '12' is not a phone number "
                             "(digits, spaces, +-(), at least 7 digits)"]
