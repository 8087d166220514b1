"""Stale approvals through the command line: the sample's contract approved again after its terms
changed, the documented way to check a digest by hand, and `approve`, `validate`, `remind`, `show`
and `diff` after a change of terms.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from helpers.git import BASE
from helpers.workspaces import ROOT, SAMPLE
from salesctl.model import terms as model_terms
from salesctl.load.pipeline import load

pytestmark = pytest.mark.usefixtures("quiet_git")  # git with no user configuration, in every test

CT15 = "contracts/CT-2026-015.yaml"
# The terms of the sample's CT-2026-015 (printf '%s' '…' | sha256sum, first 16 hex digits):
# {"amount":"157000.00","currency":"CNY","customer":"CUS-0003","end":"2027-06-30","items":[{"name":"顾问式销售技巧训练营",
#  "quantity":"3","unit":"期","unit_price":"24000.00"},{"name":"大客户管理工作坊","quantity":"2","unit":"期",
#  "unit_price":"26000.00"},{"name":"销售教练辅导","quantity":"6","unit":"天","unit_price":"5500.00"}],
#  "payment_terms":"签约后支付30%，项目结束后30日内支付70%","start":"2027-01-04"}
NOW = "02b69c269a836ecf"
BEFORE = "d35003f586086287"  # the same with 8 days of 销售教练辅导 and an amount of 168000.00
# ... and with 5 days and an amount of 151500.00 (3 × 24000 + 2 × 26000 + 5 × 5500 = 72000 + 52000 + 27500)
FIVE_DAYS = "9440c827f3bb90b8"


def sample_copy(tmp_path):
    return shutil.copytree(SAMPLE, tmp_path / "sample")


def five_days(root):
    """Cut 销售教练辅导 of CT-2026-015 from 6 to 5 days, as a user would in an editor."""
    path = root / CT15
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quantity: 6, unit: 天", "quantity: 5, unit: 天").replace("amount: 157000", "amount: 151500"),
                    encoding="utf-8")


# --- the sample ----------------------------------------------------------------------------

def test_the_sample_shows_a_contract_approved_again_after_its_terms_changed(run):
    result = run("-C", SAMPLE, "validate")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 100 files\n")
    contract = load(SAMPLE).get("contracts", "CT-2026-015")
    assert [(a["date"].isoformat(), a.get("terms")) for a in contract["approvals"]] == [
        ("2026-11-18", BEFORE), ("2026-11-20", NOW)]
    assert model_terms.terms_digest(contract, "CNY") == NOW

    day_between = json.loads(run("-C", SAMPLE, "--as-of", "2026-11-19", "show", "CT-2026-015", "--format", "json").stdout)
    assert day_between["record"]["pending_stage"] == "manager"
    assert day_between["terms"] == NOW
    assert day_between["stale_approvals"] == [
        {"stage": "manager", "by": "lin", "name": "林海", "date": "2026-11-18", "terms": BEFORE}]
    text = run("-C", SAMPLE, "--as-of", "2026-11-19", "show", "CT-2026-015").stdout
    assert text.split("审批后条款已变更，以下审批失效，须重新审批\n")[1].splitlines()[:3] == [
        "环节    经办人    姓名    日期        条款摘要",
        "------  --------  ------  ----------  ----------------",
        f"经理    lin       林海    2026-11-18  {BEFORE}"]

    now = json.loads(run("-C", SAMPLE, "--as-of", "2026-11-30", "show", "CT-2026-015", "--format", "json").stdout)
    assert (now["record"]["pending_stage"], now["stale_approvals"]) == ("legal", [])
    assert "失效" not in run("-C", SAMPLE, "--as-of", "2026-11-30", "show", "CT-2026-015").stdout


def test_the_documented_three_lines_compute_the_tools_digest():
    manual = (ROOT / "docs" / "derived.md").read_text(encoding="utf-8")
    section = manual.split("### terms\n", 1)[1].split("\n## ", 1)[0]
    (terms_json,) = re.findall(r"```json\n(.*?)```", section, re.S)
    (snippet,) = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(snippet.strip().splitlines()) == 3
    done = subprocess.run([sys.executable, "-c", snippet], input=terms_json.encode("utf-8"), capture_output=True,
                          check=True, env={"PYTHONIOENCODING": "utf-8", "PATH": ""})
    printed = done.stdout.decode("utf-8").strip()
    assert printed == NOW
    assert printed == model_terms.terms_digest(load(SAMPLE).get("contracts", "CT-2026-015"), "CNY")
    assert f"It prints `{printed}`" in section


# --- a change of terms, command by command -------------------------------------------------

def test_validate_reports_the_documented_stale_approval(run, tmp_path):
    root = sample_copy(tmp_path)
    five_days(root)
    result = run("-C", root, "validate")
    line = (f"contracts/CT-2026-015.yaml:29:5: error[approval-stale]: stage 'manager' was approved by lin on "
            f"2026-11-20 for terms {NOW}, but the terms are now {FIVE_DAYS}: the stage must approve the contract again")
    assert (result.exit_code, result.stdout) == (1, f"{line}\n1 error, 0 warnings in 100 files\n")
    assert line in (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")


def test_the_pending_stage_reminder_and_approve_after_a_change(run, tmp_path):
    root = sample_copy(tmp_path)
    five_days(root)
    rows = json.loads(run("-C", root, "--as-of", "2026-11-30", "query", "contracts", "-w", "id = CT-2026-015",
                          "-f", "id,pending_stage", "--format", "json").stdout)
    assert rows == [{"id": "CT-2026-015", "pending_stage": "manager"}]
    people = json.loads(run("-C", root, "--as-of", "2026-11-30", "remind", "--format", "json").stdout)["reminders"]
    asked = [(p["to"], i["message"]) for p in people for i in p["items"] if i["ref"] == "CT-2026-015"]
    # wang's manager is lin; waiting since the approval of 2026-11-20: 10 days
    assert asked == [("lin", "合同“2027年度销售团队能力提升项目”（杭州云帆网络科技有限公司）审批后条款已变更，待经理重新审批，已等待 10 天")]

    refused = run("-C", root, "--as-of", "2026-11-30", "approve", "CT-2026-015", "--stage", "legal", "--by", "chen")
    assert refused.exit_code == 1
    assert "error[approval-order]: stage 'legal' comes before 'manager' approved it" in refused.stderr
    done = run("-C", root, "--as-of", "2026-11-30", "approve", "CT-2026-015", "--stage", "manager", "--by", "lin",
               "--comment", "减少辅导天数，同意")
    assert done.exit_code == 0, done.stderr
    assert (root / CT15).read_text(encoding="utf-8").endswith(
        f"    terms: {NOW}\n"
        "  - stage: manager\n    by: lin\n    date: 2026-11-30\n    decision: approved\n    comment: 减少辅导天数，同意\n"
        f"    terms: {FIVE_DAYS}\nnotes: 法务审核中。\n")
    assert run("-C", root, "validate").stdout == "0 errors, 0 warnings in 100 files\n"
    rows = json.loads(run("-C", root, "--as-of", "2026-11-30", "query", "contracts", "-w", "id = CT-2026-015",
                          "-f", "id,pending_stage", "--format", "json").stdout)
    assert rows == [{"id": "CT-2026-015", "pending_stage": "legal"}]


def test_a_signed_contract_changed_after_approval_is_a_warning(run, tmp_path):
    root = sample_copy(tmp_path)
    for stage, by in (("legal", "chen"), ("finance", "zhao")):
        assert run("-C", root, "--as-of", "2026-11-30", "approve", "CT-2026-015", "--stage", stage, "--by", by).exit_code == 0
    path = root / CT15
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: signed\nsigned: 2026-11-30"),
                    encoding="utf-8")
    five_days(root)
    result = run("-C", root, "validate")
    stale = [line for line in result.stdout.splitlines() if "approval-stale" in line]
    assert [line.split(": ", 2)[1] for line in stale] == ["warning[approval-stale]"] * 3
    assert all(line.endswith(f"but the terms are now {FIVE_DAYS}: the contract was changed after approval and "
                             f"nobody approved the change") for line in stale)
    assert result.exit_code == 0  # warnings only (with under-scheduled: no receivables yet)
    assert run("-C", root, "validate", "--strict").exit_code == 1
    refused = run("-C", root, "--as-of", "2026-11-30", "approve", "CT-2026-015", "--stage", "manager", "--by", "lin")
    assert refused.exit_code == 1 and "CT-2026-015 is signed" in refused.stderr


CONTRACT = """\
id: CT-9
customer: CUS-1
owner: zhang
title: 销售技巧培训
status: in_review
created: 2026-11-01
items:
  - {name: 销售技巧培训, quantity: 1, unit_price: 30000}
amount: 30000
approvals:
  - {stage: manager, by: lin, date: 2026-11-02, decision: approved, terms: 516447dcca40d155}
notes: 等法务审核
"""
# 516447dcca40d155: {"amount":"30000.00","currency":"CNY","customer":"CUS-1","end":null,"items":[{"name":"销售技巧培训",
# "quantity":"1","unit":null,"unit_price":"30000.00"}],"payment_terms":null,"start":null} | sha256sum


def test_diff_names_the_approvals_a_change_made_stale_and_who_gave_them(repo, run):
    r = repo({**BASE, "contracts/CT-9.yaml": CONTRACT})
    config = (r.root / "salesctl.yaml").read_text(encoding="utf-8")
    r.write({"salesctl.yaml": config + "currency: USD\n"})  # CT-9 has no currency of its own: its terms change
    document = json.loads(run("-C", r.root, "--as-of", "2026-11-30", "diff", "--format", "json").stdout)
    assert (document["records"], [a["contract"] for a in document["effect"]["approvals"]]) == ([], ["CT-9"])
    r.write({"salesctl.yaml": config})
    r.write({"contracts/CT-9.yaml": CONTRACT.replace("notes: 等法务审核", "notes: 法务审核中")})
    document = json.loads(run("-C", r.root, "--as-of", "2026-11-30", "diff", "--format", "json").stdout)
    assert document["effect"]["approvals"] == []  # notes are not terms

    r.write({"contracts/CT-9.yaml": CONTRACT.replace("quantity: 1, unit_price: 30000", "quantity: 2, unit_price: 30000")
             .replace("amount: 30000", "amount: 60000")})
    document = json.loads(run("-C", r.root, "--as-of", "2026-11-30", "diff", "--format", "json").stdout)
    assert document["effect"]["approvals"] == [
        {"contract": "CT-9", "stage": "manager", "by": "lin", "name": "林海", "date": "2026-11-02",
         "terms": "516447dcca40d155"}]
    assert document["summary"]["errors"] == {"old": 0, "new": 1}
    text = run("-C", r.root, "--as-of", "2026-11-30", "diff").stdout
    assert text.split("因条款变更而失效的审批\n")[1].splitlines() == [
        "合同    环节    经办人    姓名    日期        条款摘要",
        "------  ------  --------  ------  ----------  ----------------",
        "CT-9    经理    lin       林海    2026-11-02  516447dcca40d155"]
    # as of a day before the approval, there was no approval to make stale
    document = json.loads(run("-C", r.root, "--as-of", "2026-11-01", "diff", "--format", "json").stdout)
    assert document["effect"]["approvals"] == []

    r.commit("CT-9 改为两期")
    r.write({"contracts/CT-9.yaml": CONTRACT.replace("quantity: 1, unit_price: 30000", "quantity: 3, unit_price: 30000")
             .replace("amount: 30000", "amount: 90000")})
    document = json.loads(run("-C", r.root, "--as-of", "2026-11-30", "diff", "--format", "json").stdout)
    assert document["records"][0]["fields"][0] == {"field": "items.0.quantity", "old": 2, "new": 3}
    assert document["effect"]["approvals"] == []  # stale already before this change
