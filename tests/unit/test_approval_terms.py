"""Approvals bound to the terms they approved: the digest of a contract's terms, stale approvals in
`validate`, and the approval state (`pending_stage`, `approve`, `remind`) that treats them as absent.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from helpers.workspaces import CONFIG
from salesctl import derive
from salesctl.load.pipeline import load
from salesctl.remind.remind import reminders
from salesctl.write import writers

CHAIN = ["manager", "legal", "finance"]
D = date(2026, 2, 20)

CUSTOMERS = """\
- {id: CUS-0001, name: 华东机械, owner: zhang, created: 2026-01-05}
- {id: CUS-0002, name: 苏州精工, owner: zhang, created: 2026-01-06}
"""
# The terms of CONTRACT, written out by hand (1.5 × 120.50 = 180.75; 2 × 5000 + 180.75 = 10180.75):
CANONICAL = ('{"amount":"10180.75","currency":"CNY","customer":"CUS-0001","end":"2026-06-30",'
             '"items":[{"name":"课程","quantity":"2","unit":"期","unit_price":"5000.00"},'
             '{"name":"教材","quantity":"1.5","unit":"套","unit_price":"120.50"}],'
             '"payment_terms":"签约后付清","start":"2026-03-01"}')
TERMS = "8f5974bace27acd4"  # printf '%s' "$CANONICAL" | sha256sum, first 16 hex digits
HEAD = """\
id: CT-1
customer: CUS-0001
owner: zhang
title: 管理培训
status: in_review
created: 2026-02-01
start: 2026-03-01
end: 2026-06-30
items:
  - {name: 课程, quantity: 2, unit: 期, unit_price: 5000}
  - {name: 教材, quantity: 1.5, unit: 套, unit_price: 120.5}
amount: 10180.75
payment_terms: 签约后付清
notes: 客户要求三月开课
"""
MANAGER = f"  - {{stage: manager, by: lin, date: 2026-02-02, decision: approved, terms: {TERMS}}}\n"
LEGAL = f"  - {{stage: legal, by: chen, date: 2026-02-03, decision: approved, terms: {TERMS}}}\n"
CONTRACT = HEAD + "approvals:\n" + MANAGER


def contract_ws(workspace, text: str = CONTRACT, config=None):
    files = {"customers/customers.yaml": CUSTOMERS, "contracts/CT-1.yaml": text}
    return load(workspace(files) if config is None else workspace(files, config))


def codes(ws) -> list[str]:
    return [p.code for p in ws.problems]


def at_terms(text: str, problem) -> bool:
    """The problem points at the `terms` of the manager's first approval."""
    line = text.splitlines()[problem.line - 1]
    return line.startswith("  - {stage: manager") and problem.column == line.index("terms:") + 1


# --- the digest ----------------------------------------------------------------------------

def test_the_digest_of_a_hand_computed_example(workspace):
    assert hashlib.sha256(CANONICAL.encode("utf-8")).hexdigest()[:16] == TERMS
    contract = contract_ws(workspace).get("contracts", "CT-1")
    assert derive.canonical_terms(contract, "CNY") == CANONICAL
    assert derive.terms_digest(contract, "CNY") == TERMS


def test_absent_fields_are_null_and_the_contract_currency_wins():
    contract = {"customer": "CUS-0002", "currency": "USD", "amount": Decimal("1025"),
                "items": [{"name": "Workshop", "quantity": Decimal("1E+1"), "unit_price": Decimal("100")},
                          {"name": "Kit", "quantity": Decimal("2.50"), "unit_price": Decimal("10")}]}
    # 10 × 100 + 2.5 × 10 = 1025; no unit, start, end or payment terms
    canonical = ('{"amount":"1025.00","currency":"USD","customer":"CUS-0002","end":null,'
                 '"items":[{"name":"Workshop","quantity":"10","unit":null,"unit_price":"100.00"},'
                 '{"name":"Kit","quantity":"2.5","unit":null,"unit_price":"10.00"}],"payment_terms":null,"start":null}')
    assert derive.canonical_terms(contract, "CNY") == canonical
    assert derive.terms_digest(contract, "CNY") == "1624af591a393cc8"  # printf '%s' "$canonical" | sha256sum


@pytest.mark.parametrize("quantity, text", [
    (4, "4"), (Decimal("4.0"), "4"), (Decimal("4.000"), "4"), (Decimal("1E+1"), "10"), (Decimal("1.50"), "1.5"),
    (Decimal("0.25"), "0.25"), (Decimal("0E-3"), "0"), (0, "0"), (100, "100"), (Decimal("1E-6"), "0.000001"),
    # beyond the 28 digits of the default decimal context: written exactly, not rounded
    (Decimal("1234567890123.1234567890123456789"), "1234567890123.1234567890123456789"),
])
def test_a_quantity_is_its_shortest_decimal_text(quantity, text):
    terms = derive.contract_terms({"items": [{"name": "x", "quantity": quantity, "unit_price": Decimal("1")}]}, "CNY")
    assert terms["items"][0]["quantity"] == text


def test_the_workspace_currency_stands_in_for_an_absent_one(workspace):
    contract = contract_ws(workspace).get("contracts", "CT-1")
    assert derive.contract_terms(contract, "USD")["currency"] == "USD"
    assert derive.terms_digest(contract, "USD") != TERMS


# --- what makes an approval stale ----------------------------------------------------------

TERM_CHANGES = {
    "customer": ("customer: CUS-0001", "customer: CUS-0002"),
    "item name": ("name: 教材,", "name: 教材（新版）,"),
    "quantity": ("quantity: 1.5,", "quantity: 2.5,"),
    "unit": ("unit: 套,", "unit: 本,"),
    "unit price": ("unit_price: 5000}", "unit_price: 5001}"),
    "amount": ("amount: 10180.75", "amount: 10180.76"),
    "currency": ("payment_terms:", "currency: USD\npayment_terms:"),
    "start": ("start: 2026-03-01", "start: 2026-03-02"),
    "end": ("end: 2026-06-30", "end: 2026-07-31"),
    "payment terms": ("payment_terms: 签约后付清", "payment_terms: 签约后30日内付清"),
    "an item added": ("amount:", "  - {name: 场地, quantity: 1, unit_price: 0}\namount:"),
    "an item removed": ("  - {name: 教材, quantity: 1.5, unit: 套, unit_price: 120.5}\n", ""),
    "the items reordered": ("  - {name: 课程, quantity: 2, unit: 期, unit_price: 5000}\n"
                            "  - {name: 教材, quantity: 1.5, unit: 套, unit_price: 120.5}\n",
                            "  - {name: 教材, quantity: 1.5, unit: 套, unit_price: 120.5}\n"
                            "  - {name: 课程, quantity: 2, unit: 期, unit_price: 5000}\n"),
}


@pytest.mark.parametrize("old, new", TERM_CHANGES.values(), ids=list(TERM_CHANGES))
def test_changing_a_term_after_approval_makes_it_stale(workspace, old, new):
    assert CONTRACT.count(old) == 1
    ws = contract_ws(workspace, CONTRACT.replace(old, new))
    (stale,) = [p for p in ws.problems if p.code == "approval-stale"]
    assert (stale.path, stale.severity) == ("contracts/CT-1.yaml", "error")
    assert at_terms(CONTRACT.replace(old, new), stale)
    assert stale.message.startswith(f"stage 'manager' was approved by lin on 2026-02-02 for terms {TERMS}, "
                                    f"but the terms are now ")
    assert stale.message.endswith(": the stage must approve the contract again")
    contract = ws.get("contracts", "CT-1")
    assert derive.pending_stage(contract, CHAIN, D, currency="CNY") == "manager"
    assert [a["by"] for a in derive.stale_approvals(ws, contract, D)] == ["lin"]


def test_a_change_of_the_workspace_currency_makes_it_stale(workspace):
    ws = contract_ws(workspace, config=CONFIG + "currency: USD\n")
    assert "approval-stale" in codes(ws)


OTHER_CHANGES = {
    "title": ("title: 管理培训", "title: 中层管理培训"),
    "owner": ("owner: zhang", "owner: wang"),
    "created": ("created: 2026-02-01", "created: 2026-01-31"),
    "notes": ("notes: 客户要求三月开课", "notes: 客户要求四月开课"),
    "notes removed": ("notes: 客户要求三月开课\n", ""),
    "template": ("notes:", "template: contract\nnotes:"),
    "tags (not a contract field)": ("notes:", "tags: [重点]\nnotes:"),
    "status": ("status: in_review", "status: draft"),
    "a comment on the approval": ("decision: approved, terms", "decision: approved, comment: 同意, terms"),
    "an approval added": (MANAGER, MANAGER + LEGAL),
}


@pytest.mark.parametrize("old, new", OTHER_CHANGES.values(), ids=list(OTHER_CHANGES))
def test_changing_anything_else_never_makes_it_stale(workspace, old, new):
    assert CONTRACT.count(old) == 1
    ws = contract_ws(workspace, CONTRACT.replace(old, new))
    assert [p for p in ws.problems if p.is_error] == []
    assert "approval-stale" not in codes(ws)
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") in ("legal", "finance")


REFORMATTED = f"""\
# 重新排版：块格式、引号、注释、金额写成两位小数
id: CT-1
customer: "CUS-0001"
owner: zhang
title: 管理培训
status: in_review
created: '2026-02-01'
start: "2026-03-01"   # 开课
end: 2026-06-30
items:
  - name: 课程
    unit_price: 5000.00
    quantity: 2.0
    unit: "期"
  - {{unit: 套, name: '教材', quantity: 1.50, unit_price: 120.50}}
amount: 10180.750
payment_terms: "签约后付清"
notes: 客户要求三月开课
approvals:
  - stage: manager
    by: lin
    date: 2026-02-02
    decision: approved
    terms: '{TERMS.upper()}'
"""


def test_reformatting_the_yaml_never_makes_it_stale(workspace):
    ws = contract_ws(workspace, REFORMATTED)
    assert codes(ws) == []
    contract = ws.get("contracts", "CT-1")
    assert derive.terms_digest(contract, "CNY") == TERMS
    assert derive.pending_stage(contract, CHAIN, D, currency="CNY") == "legal"


def test_an_entry_without_terms_is_not_checked(workspace):
    text = CONTRACT.replace(f", terms: {TERMS}", "").replace("quantity: 1.5,", "quantity: 2.5,")
    text = text.replace("amount: 10180.75", "amount: 10301.25")  # 2 × 5000 + 2.5 × 120.50 = 10301.25
    ws = contract_ws(workspace, text)
    assert codes(ws) == []
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == "legal"


@pytest.mark.parametrize("value, hint", [
    ("8f5974bace27acd", ""), ("8f5974bace27acd4a", ""), ("8f5974bace27acdg", ""),
    ("1234567890123456", " (in quotes: YAML reads it as a number)"),
])
def test_a_malformed_digest_is_a_bad_value_and_the_entry_is_unchecked(workspace, value, hint):
    text = CONTRACT.replace(f"terms: {TERMS}", f"terms: {value}")
    ws = contract_ws(workspace, text)
    (bad,) = ws.problems
    assert bad.code == "bad-value" and at_terms(text, bad)
    assert bad.message.endswith(f"is not a terms digest: 16 hex digits, 0-9 and a-f{hint}")


@pytest.mark.parametrize("status, severity, tail", [
    ("draft", "error", "the stage must approve the contract again"),
    ("approved", "error", "the stage must approve the contract again"),
    ("signed", "warning", "the contract was changed after approval and nobody approved the change"),
    ("completed", "warning", "the contract was changed after approval and nobody approved the change"),
    ("terminated", "warning", "the contract was changed after approval and nobody approved the change"),
])
def test_a_stale_approval_is_an_error_until_signed_then_a_warning(workspace, status, severity, tail):
    text = HEAD.replace("status: in_review", f"status: {status}").replace("quantity: 2,", "quantity: 3,")
    text = text.replace("amount: 10180.75", "amount: 15180.75")  # 3 × 5000 + 180.75
    if status in ("signed", "completed"):
        text = text.replace("created: 2026-02-01\n", "created: 2026-02-01\nsigned: 2026-02-10\n")
    approvals = "approvals:\n" + MANAGER + LEGAL + MANAGER.replace("manager, by: lin", "finance, by: zhao").replace(
        "02-02", "02-04")
    ws = contract_ws(workspace, text + approvals)
    stale = [p for p in ws.problems if p.code == "approval-stale"]
    assert [p.severity for p in stale] == [severity] * 3
    assert all(p.message.endswith(f": {tail}") for p in stale)
    assert ws.error_count == (3 if severity == "error" else 0)
    assert ws.usable().get("contracts", "CT-1") is not None  # charged to no record: still read


# --- the approval state after a change of terms --------------------------------------------

def changed(text: str) -> str:
    """The contract with its quantity of 课程 raised from 2 to 3 (amount 15180.75)."""
    return text.replace("quantity: 2,", "quantity: 3,").replace("amount: 10180.75", "amount: 15180.75")


def test_the_pending_stage_returns_to_the_first_stale_stage_and_later_fresh_ones_stand(workspace):
    new_terms = derive.terms_digest(contract_ws(workspace, changed(HEAD)).get("contracts", "CT-1"), "CNY")
    legal_on_new_terms = LEGAL.replace(TERMS, new_terms)
    ws = contract_ws(workspace, changed(HEAD) + "approvals:\n" + MANAGER + LEGAL)
    state = derive.approval_state(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY")
    assert (state.pending_stage, state.standing, state.stale) == ("manager", {}, {"manager": 0, "legal": 1})
    # approving manager again for the new terms: legal's old approval is still stale
    plan = writers.approve(ws, "CT-1", stage="manager", by="lin", on=D)
    assert plan.files[0].after.decode("utf-8").endswith(
        f"  - {{stage: manager, by: lin, date: 2026-02-20, decision: approved, terms: {new_terms}}}\n")
    ws = contract_ws(workspace, changed(HEAD) + "approvals:\n" + MANAGER + LEGAL
                     + MANAGER.replace(TERMS, new_terms).replace("02-02", "02-20"))
    assert "approval-order" not in codes(ws)  # approving again is not "approved twice"
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == "legal"
    # a legal approval already given for the new terms stands once manager approved them again
    ws = contract_ws(workspace, changed(HEAD) + "approvals:\n" + MANAGER
                     + MANAGER.replace(TERMS, new_terms).replace("02-02", "02-03")
                     + legal_on_new_terms.replace("02-03", "02-04"))
    assert codes(ws) == []
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == "finance"


def test_approve_follows_the_stale_stage(workspace):
    ws = contract_ws(workspace, changed(CONTRACT))
    with pytest.raises(writers.Refused) as refused:
        writers.approve(ws, "CT-1", stage="legal", by="chen", on=D)
    assert [p.message for p in refused.value.problems] == ["stage 'legal' comes before 'manager' approved it"]
    plan = writers.approve(ws, "CT-1", stage="manager", by="lin", on=D)
    assert plan.warnings == [] and b"status: in_review" in plan.files[0].after


def test_an_approved_contract_changed_after_approval_goes_through_the_chain_again(workspace):
    approved = changed(HEAD).replace("status: in_review", "status: approved") + "approvals:\n" + MANAGER + LEGAL \
        + MANAGER.replace("manager, by: lin", "finance, by: zhao").replace("02-02", "02-04")
    ws = contract_ws(workspace, approved)
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == "manager"
    assert "approval-missing" not in codes(ws)  # stale, not missing: one problem per approval
    asked = [(p["to"], i["ref"]) for p in reminders(ws.usable(), D) for i in p["items"] if i["kind"] == "approval"]
    assert asked == [("lin", "CT-1")]  # approved, yet waiting for the manager again
    plan = writers.approve(ws, "CT-1", stage="manager", by="lin", on=D)
    assert plan.summary == ["CT-1: stage manager approved by lin on 2026-02-20; status approved → in_review "
                            "(contracts/CT-1.yaml)"]
    unchanged = contract_ws(workspace, approved.replace("quantity: 3,", "quantity: 2,").replace("15180.75", "10180.75"))
    with pytest.raises(writers.Refused, match="only draft and in_review contracts"):
        writers.approve(unchanged, "CT-1", stage="manager", by="lin", on=D)


@pytest.mark.parametrize("payment_terms, digest", [
    ("签约后452日内付清", "3086376323367113"),   # digits only: YAML would read a number
    ("签约后1149日内付清", "31256e2276984481"),  # YAML would read a float
])
def test_a_digest_that_reads_as_a_number_is_written_quoted(workspace, payment_terms, digest):
    ws = contract_ws(workspace, HEAD.replace("签约后付清", payment_terms))
    assert derive.terms_digest(ws.get("contracts", "CT-1"), "CNY") == digest  # found by trying payment terms
    plan = writers.approve(ws, "CT-1", stage="manager", by="lin", on=D)
    assert f"terms: '{digest}'" in plan.files[0].after.decode("utf-8")
    (ws.root / "contracts/CT-1.yaml").write_bytes(plan.files[0].after)
    after = load(ws.root)
    assert codes(after) == []
    assert after.get("contracts", "CT-1")["approvals"][0]["terms"] == digest


def test_remind_asks_the_stale_stage_to_approve_again(workspace):
    ws = contract_ws(workspace, changed(CONTRACT)).usable()
    asked = [(p["to"], i["ref"], i["message"]) for p in reminders(ws, D) for i in p["items"] if i["kind"] == "approval"]
    # zhang's manager is lin; waiting since the approval of 02-02: 18 days as of 02-20
    assert asked == [("lin", "CT-1", "合同“管理培训”（华东机械）审批后条款已变更，待经理重新审批，已等待 18 天")]
    fresh = contract_ws(workspace, CONTRACT).usable()
    asked = [(p["to"], i["message"]) for p in reminders(fresh, D) for i in p["items"] if i["kind"] == "approval"]
    assert asked == [("chen", "合同“管理培训”（华东机械）待法务审批，已等待 18 天")]


def test_a_history_without_terms_costs_no_digest(workspace, monkeypatch):
    ws = contract_ws(workspace, CONTRACT.replace(f", terms: {TERMS}", ""))
    monkeypatch.setattr(derive, "terms_digest", lambda *args: pytest.fail("digest computed"))
    assert derive.pending_stage(ws.get("contracts", "CT-1"), CHAIN, D, currency="CNY") == "legal"
