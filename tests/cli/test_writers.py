"""The writers through the command line: each test is a git repository, and each write's `git diff`
is exactly the lines it adds or changes; a refused write leaves every file byte-identical."""

from __future__ import annotations

import textwrap

import pytest

from helpers.writers import FILES, Repo
from salesctl.write import edit
from salesctl.load.pipeline import load


@pytest.fixture
def salesctl(run):
    """`salesctl(repo, ARGS)`: run in the repo's workspace as of 2026-11-30."""

    def invoke(r: Repo, *args, **kwargs):
        return run("-C", r.root, "--as-of", "2026-11-30", *args, **kwargs)

    return invoke


# --- pay -----------------------------------------------------------------------------------

def test_pay_adds_one_payment_in_the_style_of_the_collections_payments(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "30000", "--method", "银行转账", "--ref", "招行回单 CMB2611300012")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+payments:", "+  - {date: 2026-11-30, amount: 30000, method: 银行转账, ref: 招行回单 CMB2611300012}"]
    assert r.read("receivables/RCV-0002.yaml").index("payments:") < r.read("receivables/RCV-0002.yaml").index("collection:")
    assert result.stderr == ("RCV-0002: payment of 30,000.00 on 2026-11-30 recorded in receivables/RCV-0002.yaml "
                             "(balance 49,000.00 as of 2026-11-30)\n")
    assert result.stdout == ""

    result = salesctl(r, "pay", "RCV-0002", "12000.50", "--date", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    assert r.diff()[-1] == "+  - {date: 2026-11-20, amount: 12000.50}"


def test_pay_overpaying_is_refused_and_nothing_changes(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "79000.01")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: refused: this would add 1 error to the workspace; nothing written",
        "receivables/RCV-0002.yaml:7:1: error[overpaid]: payments sum to 79,000.01, above the receivable amount 79,000.00",
    ]
    assert r.unchanged()


def test_pay_on_a_written_off_receivable_is_refused(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0003", "100")
    assert result.exit_code == 1
    assert result.stderr == "error: RCV-0003 was written off on 2026-11-20; a payment cannot be recorded on it\n"
    assert r.unchanged()
    assert salesctl(r, "pay", "RCV-0003", "100", "--date", "2026-11-19").exit_code == 0  # before the write-off


@pytest.mark.parametrize("amount, message", [
    ("12,000", "amount '12,000': write it without thousands separators (12000.50, not 12,000.50)"),
    ("NaN", "amount 'NaN': it is not a plain number such as 12000.50"),
    ("1e309", "amount '1e309': it is not a plain number such as 12000.50"),
    ("-5", "amount '-5': it must not be negative"),
    ("1.234", "amount '1.234': it has more than 2 decimals"),
    ("0", "amount must be above 0"),
    ("99999999999999", "amount '99999999999999' is too large"),
])
def test_pay_bad_amounts_are_usage_errors(writers_repo, salesctl, amount, message):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "--", amount) if amount.startswith("-") else salesctl(r, "pay", "RCV-0002", amount)
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert r.unchanged()


@pytest.mark.parametrize("receivable, message", [
    ("RCV-9999", "no receivable 'RCV-9999' in the workspace"),
    ("../../etc/passwd", "receivable '../../etc/passwd' is not a valid id (letters, digits, '.', '_', '-'; at most 64)"),
])
def test_pay_unknown_or_malformed_ids_are_usage_errors(writers_repo, salesctl, receivable, message):
    r = writers_repo()
    result = salesctl(r, "pay", receivable, "100")
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert r.unchanged()


def test_pay_in_a_file_of_records_touches_only_its_record(writers_repo, salesctl):
    files = {k: v for k, v in FILES.items() if not k.startswith("receivables/")}
    r = writers_repo(files, {"receivables/2026.yaml": """\
        - id: RCV-0001
          contract: CT-2026-001
          amount: 36000
          due: 2026-04-19
          payments:
          - {date: 2026-04-18, amount: 36000}

        - id: RCV-0002
          contract: CT-2026-001
          amount: 84000
          due: 2026-10-30
          payments:
          - {date: 2026-10-30, amount: 4000}   # 部分
          # 余款月底前
        """})
    assert salesctl(r, "pay", "RCV-0002", "80000").exit_code == 0
    assert r.diff() == ["+  - {date: 2026-11-30, amount: 80000}"]
    assert r.read("receivables/2026.yaml").endswith(
        "  - {date: 2026-10-30, amount: 4000}   # 部分\n  - {date: 2026-11-30, amount: 80000}\n  # 余款月底前\n")


def test_pay_before_the_contract_was_signed_warns_but_writes(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "100", "--date", "2026-03-01")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == ("receivables/RCV-0002.yaml:8:6: warning[date-order]: payment dated "
                                             "2026-03-01 is before the contract was signed (2026-03-20)")
    assert len(r.diff()) == 2


def test_a_dry_run_prints_the_diff_and_writes_nothing(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "100", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == textwrap.dedent("""\
        --- a/receivables/RCV-0002.yaml
        +++ b/receivables/RCV-0002.yaml
        @@ -4,6 +4,8 @@
         amount: 79000
         due: 2026-10-30
         invoice: "26312000000000318"
        +payments:
        +  - {date: 2026-11-30, amount: 100}
         collection:
           - date: 2026-10-31
             by: zhang
        """)
    assert result.stderr == "dry run: nothing written\n"
    assert r.unchanged()


def test_a_dry_run_of_a_refused_write_says_why(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "90000", "--dry-run")
    assert result.exit_code == 1 and "error[overpaid]" in result.stderr and result.stdout == ""


def test_writers_do_not_take_a_revision(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "pay", "RCV-0002", "100", "--rev", "HEAD")
    assert (result.exit_code, result.stderr) == (2, "error: writers change the working tree; --rev is for read commands\n")


def test_errors_already_in_the_workspace_do_not_block_a_write(writers_repo, salesctl):
    r = writers_repo(extra={"customers/CUS-0013.yaml": "id: CUS-0013\nname: 坏数据\nowner: zhang\ntier: Z\ncreated: 2026-01-01\n",
                    "receivables/RCV-0004.yaml": textwrap.dedent("""\
                        id: RCV-0004
                        contract: CT-2026-003
                        amount: 100
                        due: 2026-12-01
                        collection:
                          - {date: 2026-11-01, by: wang, channel: phone}
                        collection: []
                        """)})
    before = load(r.root).problems
    assert [p.code for p in before if p.is_error] == ["bad-value", "duplicate-key"]
    assert salesctl(r, "pay", "RCV-0004", "50").exit_code == 0  # the duplicate key's line moves: still not new
    assert r.diff() == ["+payments:", "+  - {date: 2026-11-30, amount: 50}"]


# --- collect -------------------------------------------------------------------------------

def test_collect_logs_an_action_in_the_logs_style(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "collect", "RCV-0002", "--channel", "email", "--note", "发催款函", "--promised", "2026-12-15",
                      "--by", "zhang")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+  - date: 2026-11-30", "+    by: zhang", "+    channel: email", "+    note: 发催款函",
                        "+    promised: 2026-12-15"]
    assert result.stderr == "RCV-0002: email by zhang on 2026-11-30, promised 2026-12-15 logged in receivables/RCV-0002.yaml\n"


def test_collect_by_wechat(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "collect", "RCV-0002", "--channel", "wechat", "--note", "微信提醒付款", "--by", "zhang")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+  - date: 2026-11-30", "+    by: zhang", "+    channel: wechat", "+    note: 微信提醒付款"]
    assert salesctl(r, "validate").exit_code == 0


def test_collect_by_comes_from_the_environment_then_git(writers_repo, salesctl, monkeypatch):
    r = writers_repo()
    assert salesctl(r, "collect", "RCV-0002", "--channel", "phone", env={"SALESCTL_USER": "wang"}).exit_code == 0
    assert "+    by: wang" in r.diff()
    r.git("checkout", "-q", ".")
    r.git("config", "user.email", "Zhang@Example.com")
    assert salesctl(r, "collect", "RCV-0002", "--channel", "phone").exit_code == 0
    assert "+    by: zhang" in r.diff()


def test_collect_without_anyone_to_act_is_a_usage_error(writers_repo, salesctl, monkeypatch, tmp_path):
    r = writers_repo()
    r.git("config", "--unset", "user.email")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone")
    assert result.exit_code == 2
    assert result.stderr == ("error: who is writing? give --by ID, set SALESCTL_USER, or set git config user.email "
                             "to a team member's e-mail\n")
    r.git("config", "user.email", "someone@else.com")
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone")
    assert result.stderr == ("error: no team member has the e-mail someone@else.com (git config user.email); "
                             "give --by ID or set SALESCTL_USER\n")
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone", "--by", "nobody")
    assert (result.exit_code, result.stderr) == (2, "error: --by: no team member 'nobody' in salesctl.yaml\n")
    assert r.unchanged()


def test_collect_bad_values_are_usage_errors(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone", "--promised", "下周", "--by", "zhang")
    assert (result.exit_code, result.stderr) == (2, "error: --promised: '下周' is not a date (YYYY-MM-DD or YYYYMMDD)\n")
    assert salesctl(r, "collect", "RCV-0002", "--channel", "fax", "--by", "zhang").exit_code == 2
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone", "--by", "zhang", "--date", "2026-02-30")
    assert (result.exit_code, result.stderr) == (2, "error: --date: '2026-02-30' is not a real date\n")
    assert r.unchanged()


# --- approve -------------------------------------------------------------------------------

# The terms each approval records: the first 16 hex digits of the SHA-256 of the canonical terms
# (printf '%s' '…' | sha256sum):
# CT-2026-002 {"amount":"99999.99","currency":"CNY","customer":"CUS-0012","end":"2027-03-31","items":[{"name":"安全培训",
#   "quantity":"3","unit":"期","unit_price":"33333.33"}],"payment_terms":null,"start":"2027-01-04"}
TERMS_002 = "35bde9dc9288800f"
# CT-2026-003 {"amount":"50000.00","currency":"CNY","customer":"CUS-0012","end":null,"items":[{"name":"班组长训练营",
#   "quantity":"1","unit":"期","unit_price":"50000.00"}],"payment_terms":null,"start":null}
TERMS_003 = "1e6c44a906dbc8f9"
# CT-2026-004 {"amount":"1000.00","currency":"CNY","customer":"CUS-0011","end":null,"items":[{"name":"复训",
#   "quantity":"1","unit":null,"unit_price":"1000.00"}],"payment_terms":null,"start":null}
TERMS_004 = "ea55c8cbe199fb2b"


def test_approve_in_chain_order_moves_the_status(writers_repo, salesctl):
    """The first approvals of a contract are written like those of the newest contract (block)."""
    r = writers_repo()
    result = salesctl(r, "approve", "CT-2026-002", "--stage", "manager", "--by", "lin", "--comment", "同意")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["-status: draft", "+status: in_review", "+approvals:", "+  - stage: manager", "+    by: lin",
                        "+    date: 2026-11-30", "+    decision: approved", "+    comment: 同意",
                        f"+    terms: {TERMS_002}"]
    assert result.stderr == ("CT-2026-002: stage manager approved by lin on 2026-11-30; status draft → in_review "
                             "(contracts/CT-2026-002.yaml)\n")
    r.git("commit", "-qam", "manager")
    assert salesctl(r, "approve", "CT-2026-002", "--stage", "legal", "--by", "chen").exit_code == 0
    assert r.diff() == ["+  - stage: legal", "+    by: chen", "+    date: 2026-11-30", "+    decision: approved",
                        f"+    terms: {TERMS_002}"]
    r.git("commit", "-qam", "legal")
    assert salesctl(r, "approve", "CT-2026-002", "--stage", "finance", "--by", "zhao").exit_code == 0
    assert r.diff() == ["-status: in_review", "+status: approved", "+  - stage: finance", "+    by: zhao",
                        "+    date: 2026-11-30", "+    decision: approved", f"+    terms: {TERMS_002}"]


def test_approve_follows_block_entries_and_keeps_the_comment_on_the_status_line(writers_repo, salesctl):
    r = writers_repo()
    assert salesctl(r, "approve", "CT-2026-003", "--stage", "legal", "--by", "chen").exit_code == 0
    assert r.diff() == ["+  - stage: legal", "+    by: chen", "+    date: 2026-11-30", "+    decision: approved",
                        f"+    terms: {TERMS_003}"]
    assert salesctl(r, "approve", "CT-2026-003", "--stage", "finance", "--by", "zhao").exit_code == 0
    assert r.diff()[:2] == ["-status: in_review   # 审批中", "+status: approved   # 审批中"]


@pytest.mark.parametrize("stage, message", [
    ("finance", "contracts/CT-2026-003.yaml:15:5: error[approval-order]: stage 'finance' comes before 'legal' approved it"),
    ("manager", "contracts/CT-2026-003.yaml:15:5: error[approval-order]: stage 'manager' is approved twice"),
])
def test_approve_out_of_order_or_twice_is_refused(writers_repo, salesctl, stage, message):
    r = writers_repo()
    result = salesctl(r, "approve", "CT-2026-003", "--stage", stage, "--by", "lin")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [message]
    assert r.unchanged()


def test_a_rejection_sends_the_contract_back_to_be_approved_again(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "approve", "CT-2026-003", "--stage", "legal", "--by", "chen", "--reject", "--comment", "违约条款需修改")
    assert result.exit_code == 0
    assert r.diff()[-3:] == ["+    decision: rejected", "+    comment: 违约条款需修改", f"+    terms: {TERMS_003}"]
    assert salesctl(r, "approve", "CT-2026-003", "--stage", "legal", "--by", "chen", "--date", "2026-11-30").exit_code == 0


def test_approve_refuses_unknown_stages_and_contracts_past_approval(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "approve", "CT-2026-003", "--stage", "ceo", "--by", "lin")
    assert (result.exit_code, result.stderr) == (2, "error: stage 'ceo' is not in the approval chain (manager, legal, finance)\n")
    result = salesctl(r, "approve", "CT-2026-001", "--stage", "manager", "--by", "lin")
    assert (result.exit_code, result.stderr) == (
        1, "error: CT-2026-001 is signed; only draft and in_review contracts (and approved ones whose terms changed "
           "since) go through approval\n")
    assert r.unchanged()


# --- new -----------------------------------------------------------------------------------

def test_new_customer_gets_the_next_id_and_todays_date(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "customer", "name=杭州云帆网络科技有限公司", "owner=wang", "tier=B", "key=true",
                      "tags=互联网,新员工培训")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "CUS-0013\n"
    assert r.untracked() == ["customers/CUS-0013.yaml"]
    assert r.read("customers/CUS-0013.yaml") == textwrap.dedent("""\
        id: CUS-0013
        name: 杭州云帆网络科技有限公司
        owner: wang
        tier: B
        key: true
        created: 2026-11-30
        tags:
          - 互联网
          - 新员工培训
        """)
    assert r.diff() == []


def test_new_record_in_a_file_of_records_is_appended_at_its_end(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "visits", "customer=CUS-0012", "rep=wang", "channel=wechat", "summary=确认报价",
                      "next={date: 2026-12-05, action: 上门签约}", "--file", "visits/2026/2026-11.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "V-2026-0009\n"
    assert r.diff() == ["+", "+- id: V-2026-0009", "+  customer: CUS-0012", "+  rep: wang", "+  date: 2026-11-30",
                        "+  channel: wechat", "+  summary: 确认报价", "+  next:", "+    date: 2026-12-05",
                        "+    action: 上门签约"]


def test_new_contract_starts_as_a_draft_with_its_amount_from_the_items(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "contract", "customer=CUS-0011", "owner=zhang", "title=2027年度内训",
                      "items=[{name: 内训, quantity: 3, unit: 期, unit_price: 18000.5}]", "--date", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    assert r.read("contracts/CT-2026-004.yaml") == textwrap.dedent("""\
        id: CT-2026-004
        customer: CUS-0011
        owner: zhang
        title: 2027年度内训
        status: draft
        created: 2026-12-01
        items:
          - {name: 内训, quantity: 3, unit: 期, unit_price: 18000.5}
        amount: 54001.50
        """)


def test_new_refuses_a_record_with_errors_and_creates_nothing(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "customer", "name=新客户", "owner=nobody")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: refused: this would add 1 error to the workspace; nothing written",
        "customers/CUS-0013.yaml:3:1: error[unknown-ref]: owner: no team member 'nobody'"]
    result = salesctl(r, "new", "customer", "id=CUS-0011", "name=重复", "owner=zhang")
    assert result.exit_code == 1
    assert "customers/CUS-0011.yaml already exists" in result.stderr
    assert salesctl(r, "new", "visit", "id=V-2026-0007", "customer=CUS-0011", "rep=zhang", "channel=phone",
                    "--file", "visits/2026/2026-11.yaml").exit_code == 1
    assert r.unchanged() and r.untracked() == []


@pytest.mark.parametrize("args, message", [
    (["client", "name=x"], "unknown kind 'client'; one of customer, visit, contract, receivable, review (singular or plural)"),
    (["customer", "nmae=x"], "customer has no field 'nmae'; did you mean 'name'?"),
    (["customer", "name"], "'name': expected FIELD=VALUE"),
    (["customer", "name=a", "name=b"], "name is given twice"),
    (["customer", "name="], "name= needs a value"),
    (["customer", "created=2026-13-01"], "created: '2026-13-01' is not a real date"),
    (["customer", "follow_up_days=two"], "follow_up_days: 'two' is not a whole number (at most 9 digits)"),
    (["customer", "key=maybe"], "key: 'maybe' is not true or false"),
    (["customer", "id=../x"], "id '../x' is not a valid id (letters, digits, '.', '_', '-'; at most 64)"),
    (["receivable", "amount=1,000"], "amount '1,000': write it without thousands separators (12000.50, not 12,000.50)"),
    (["customer", "contacts=[{name: 王"], "contacts: '[{name: 王' is not a YAML value (write lists as [..], mappings as {..})"),
    (["customer", "name=x", "--file", "../outside.yaml"], "--file ../outside.yaml: not inside the workspace"),
    (["customer", "name=x", "--file", "visits/x.yaml"], "--file visits/x.yaml: must be a file under customers/ (names not starting with '.')"),
])
def test_new_bad_input_is_a_usage_error(writers_repo, salesctl, args, message):
    r = writers_repo()
    result = salesctl(r, "new", *args)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert r.unchanged() and r.untracked() == []


def test_new_into_a_one_record_file_is_refused(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "customer", "name=x", "owner=zhang", "--file", "customers/CUS-0011.yaml")
    assert result.exit_code == 1
    assert "holds a single record" in result.stderr
    assert r.unchanged()


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """$EDITOR is a script that applies the next of `steps` (old -> new text replacements) per opening."""

    def install(*steps):
        script = tmp_path / "editor.py"
        script.write_text(textwrap.dedent(f"""\
            import pathlib, sys
            steps = {list(steps)!r}
            count = pathlib.Path({str(tmp_path / 'count')!r})
            n = int(count.read_text()) if count.exists() else 0
            count.write_text(str(n + 1))
            path = pathlib.Path(sys.argv[-1])
            text = path.read_text(encoding="utf-8")
            pathlib.Path({str(tmp_path)!r}, f"seen{{n}}.yaml").write_text(text, encoding="utf-8")
            old, new = steps[n]
            path.write_text(text.replace(old, new) if old else new, encoding="utf-8")
            """), encoding="utf-8")
        monkeypatch.setenv("EDITOR", f"python {script}")
        return lambda n: (tmp_path / f"seen{n}.yaml").read_text(encoding="utf-8")

    return install


def test_new_edit_reopens_the_editor_until_the_record_is_valid(writers_repo, salesctl, editor):
    r = writers_repo()
    seen = editor(("owner: zhang\n", "owner: nobody\n"), ("owner: nobody\n", "owner: wang\n# 展会认识\n"))
    result = salesctl(r, "new", "customer", "name=深圳启明", "owner=zhang", "--edit")
    assert result.exit_code == 0, result.stderr
    assert seen(0).splitlines()[2:] == ["id: CUS-0013", "name: 深圳启明", "owner: zhang", "created: 2026-11-30"]
    assert seen(1).splitlines()[2:5] == ["# salesctl: fix this and save, or empty the file to cancel:",
                                         "# salesctl: error[unknown-ref]: owner: no team member 'nobody'",
                                         "id: CUS-0013"]
    assert r.read("customers/CUS-0013.yaml") == "id: CUS-0013\nname: 深圳启明\nowner: wang\n# 展会认识\ncreated: 2026-11-30\n"
    assert result.stdout == "CUS-0013\n"


def test_new_edit_emptied_is_cancelled(writers_repo, salesctl, editor):
    r = writers_repo()
    editor(("", ""))
    result = salesctl(r, "new", "customer", "--edit")
    assert (result.exit_code, result.stderr) == (1, "error: cancelled; nothing written\n")
    assert r.untracked() == []


def test_new_edit_lists_the_required_fields_to_fill_in(writers_repo, salesctl, editor):
    r = writers_repo()
    seen = editor(("", ""))
    salesctl(r, "new", "contract", "customer=CUS-0011", "--edit")
    # a contract requires id, customer, owner, title, status, created, items and amount: the ones not
    # given or defaulted are there, empty, in the order of the record format
    assert seen(0).splitlines()[2:] == ["id: CT-2026-004", "customer: CUS-0011", "owner:", "title:", "status: draft",
                                        "created: 2026-11-30", "items:", "amount:"]


# --- schedule ------------------------------------------------------------------------------

def test_schedule_creates_receivables_that_sum_to_the_amount_exactly(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "schedule", "CT-2026-002", "33.33%@start,33.33%@2027-02-15,33.34%@end+30")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "RCV-0004\nRCV-0005\nRCV-0006\n"
    assert r.untracked() == ["receivables/RCV-0004.yaml", "receivables/RCV-0005.yaml", "receivables/RCV-0006.yaml"]
    # 99999.99 × 33.33% = 33329.996667 → 33330.00 twice; the last part takes the rest: 33339.99
    assert r.read("receivables/RCV-0004.yaml") == "id: RCV-0004\ncontract: CT-2026-002\namount: 33330\ndue: 2027-01-04\n"
    assert r.read("receivables/RCV-0005.yaml") == "id: RCV-0005\ncontract: CT-2026-002\namount: 33330\ndue: 2027-02-15\n"
    assert r.read("receivables/RCV-0006.yaml") == "id: RCV-0006\ncontract: CT-2026-002\namount: 33339.99\ndue: 2027-04-30\n"
    assert result.stderr.splitlines()[0] == "RCV-0004: 33,330.00 due 2027-01-04 on CT-2026-002 (receivables/RCV-0004.yaml)"


def test_schedule_with_amounts_into_a_file_of_records(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "schedule", "CT-2026-003", "15000@2026-12-15, 35000@2027-01-31", "--file", "receivables/2026-Q4.yaml")
    assert result.exit_code == 0, result.stderr
    assert r.read("receivables/2026-Q4.yaml") == textwrap.dedent("""\
        - id: RCV-0004
          contract: CT-2026-003
          amount: 15000
          due: 2026-12-15
        - id: RCV-0005
          contract: CT-2026-003
          amount: 35000
          due: 2027-01-31
        """)


def test_schedule_a_part_of_the_amount_says_what_is_left(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "schedule", "CT-2026-003", "30%@2026-12-01")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "CT-2026-003: 35,000.00 of 50,000.00 is still unscheduled"


@pytest.mark.parametrize("contract, plan, message", [
    ("CT-2026-002", "60%@start,50%@end", "the plan schedules 109,999.99, above what is left of CT-2026-002's "
                                         "99,999.99: 99,999.99"),
    ("CT-2026-001", "10%@end", "the plan schedules 12,000.00, above what is left of CT-2026-001's 120,000.00: 0.00 "
                               "(RCV-0001, RCV-0002, RCV-0003 already schedule 120,000.00)"),
    ("CT-2026-003", "100%@signed", "CT-2026-003 has no 'signed' date (plan part 1)"),
])
def test_schedule_refuses_over_scheduling_and_missing_dates(writers_repo, salesctl, contract, plan, message):
    r = writers_repo()
    result = salesctl(r, "schedule", contract, plan)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")
    assert r.unchanged() and r.untracked() == []


@pytest.mark.parametrize("plan, message", [
    ("30%@signed;70%@end", "plan part 1 '30%@signed;70%@end': expected N%@DATE or AMOUNT@DATE, DATE being YYYY-MM-DD "
                           "or signed/start/end, optionally +DAYS (30%@signed,70%@end+30)"),
    ("30%@signed,70%@finish", "plan part 2: 'finish' is not a date, nor one of signed, start, end"),
    ("30%@2027-02-30", "plan part 1: '2027-02-30' is not a real date"),
    ("0%@start", "plan part 1: 0% must be above 0 with at most 2 decimals"),
    ("12,000@start", "plan part 1 '12': expected N%@DATE or AMOUNT@DATE, DATE being YYYY-MM-DD or signed/start/end, "
                     "optionally +DAYS (30%@signed,70%@end+30)"),
    ("1.555@start", "plan part 1 '1.555': it has more than 2 decimals"),
    ("50%@end+99999", "plan part 1: +99999 days is too far"),
    ("50%@end+" + "9" * 5000, "plan part 1: +" + "9" * 5000 + " days is too far"),
])
def test_schedule_bad_plans_are_usage_errors(writers_repo, salesctl, plan, message):
    r = writers_repo()
    result = salesctl(r, "schedule", "CT-2026-002", plan)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")


# --- text YAML would misread, values YAML shares, line ends and trailing comments ------------

FLOW_ENTRIES = {
    "receivables/RCV-0004.yaml": """\
        id: RCV-0004
        contract: CT-2026-003
        amount: 1000
        due: 2026-12-01
        collection:
          - {date: 2026-11-01, by: wang, channel: phone}
        """,
    "contracts/CT-2026-004.yaml": """\
        id: CT-2026-004
        customer: CUS-0011
        owner: zhang
        title: 复训
        status: in_review
        created: 2026-11-01
        items: [{name: 复训, quantity: 1, unit_price: 1000}]
        amount: 1000
        approvals: [{stage: manager, by: lin, date: 2026-11-02, decision: approved}]
        """,
    "customers/CUS-0013.yaml": "id: CUS-0013\nname: 苏州精工\nowner: zhang\ncreated: 2026-02-01\ntags: [制造]\n",
}


def test_text_with_colons_is_quoted_in_flow_entries(writers_repo, salesctl):
    r = writers_repo(extra=FLOW_ENTRIES)
    result = salesctl(r, "pay", "RCV-0002", "30000", "--method", "https://pay.example.com/a?b=1#c",
                      "--ref", "CMB:2611300012")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+payments:", "+  - {date: 2026-11-30, amount: 30000, method: 'https://pay.example.com/a?b=1#c', "
                                      "ref: 'CMB:2611300012'}"]
    r.git("commit", "-qam", "paid")
    result = salesctl(r, "collect", "RCV-0004", "--channel", "phone", "--by", "wang", "--note", "客户:月底付 #2")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+  - {date: 2026-11-30, by: wang, channel: phone, note: '客户:月底付 #2'}"]
    r.git("commit", "-qam", "chased")
    result = salesctl(r, "approve", "CT-2026-004", "--stage", "legal", "--by", "chen", "--comment", "条款:第3条")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == [
        "-approvals: [{stage: manager, by: lin, date: 2026-11-02, decision: approved}]",
        "+approvals: [{stage: manager, by: lin, date: 2026-11-02, decision: approved}, {stage: legal, by: chen, "
        f"date: 2026-11-30, decision: approved, comment: '条款:第3条', terms: {TERMS_004}}}]"]
    result = salesctl(r, "new", "customer", "name=甲:乙", "owner=wang", "tags=行业:制造,vip,007")
    assert result.exit_code == 0, result.stderr
    assert r.read("customers/CUS-0014.yaml") == ("id: CUS-0014\nname: 甲:乙\nowner: wang\ncreated: 2026-11-30\n"
                                                 "tags: ['行业:制造', vip, '007']\n")


@pytest.mark.parametrize("args, field, text", [
    (["invoice=007"], "invoice", "invoice: '007'"),
    (["invoice=25312000000019823"], "invoice", "invoice: '25312000000019823'"),
    (["invoice=1e3"], "invoice", "invoice: '1e3'"),
    (["invoice=1:20"], "invoice", "invoice: '1:20'"),
    (["invoice=yes"], "invoice", "invoice: 'yes'"),
    (["invoice=null"], "invoice", "invoice: 'null'"),
    (["invoice=<<"], "invoice", "invoice: '<<'"),
    (["invoice=2026-01-01"], "invoice", "invoice: '2026-01-01'"),
    (["invoice=- x"], "invoice", "invoice: '- x'"),
    (["invoice=&a *b !c %d @e `f"], "invoice", "invoice: '&a *b !c %d @e `f'"),
    (["written_off={date: 2026-11-30, by: lin, reason: '破产:清算'}"], "written_off",
     "written_off: {date: 2026-11-30, by: lin, reason: '破产:清算'}"),  # in flow style, as RCV-0003's
])
def test_new_writes_every_value_so_that_it_reads_back_as_given(writers_repo, salesctl, args, field, text):
    r = writers_repo()
    result = salesctl(r, "new", "receivable", "contract=CT-2026-002", "amount=100", "due=2027-01-31", *args)
    assert result.exit_code == 0, result.stderr
    written = r.read("receivables/RCV-0004.yaml")
    assert text + "\n" in written
    (record,) = [rec for rec in load(r.root).records["receivables"] if rec.id == "RCV-0004"]
    assert not record.has_errors


@pytest.mark.parametrize("args, message", [
    (["pay", "RCV-0002", "1", "--ref", "回单\udcff"], "--ref '回单\\xff' is not UTF-8 text"),
    (["pay", "RCV-0002", "1", "--method", "\udcc3"], "--method '\\xc3' is not UTF-8 text"),
    (["collect", "RCV-0002", "--channel", "phone", "--by", "zhang", "--note", "\udcff"], "--note '\\xff' is not UTF-8 text"),
    (["approve", "CT-2026-002", "--stage", "manager", "--by", "lin", "--comment", "\udcff"],
     "--comment '\\xff' is not UTF-8 text"),
    (["new", "customer", "name=\udcff", "owner=zhang"], "name '\\xff' is not UTF-8 text"),
    (["new", "customer", "name=甲\ud800", "owner=zhang"], "name '甲\\ud800' is not UTF-8 text"),
])
def test_text_that_is_not_utf8_is_a_usage_error(writers_repo, salesctl, args, message):
    """A shell passes bytes that are not UTF-8 through (as surrogates): they cannot go into a YAML file."""
    r = writers_repo()
    result = salesctl(r, *args)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert r.unchanged() and r.untracked() == []


def test_contact_phones_and_scores_keep_their_leading_zeros(writers_repo, salesctl):
    r = writers_repo()
    result = salesctl(r, "new", "customer", "name=宁波", "owner=zhang", "contacts=[{name: 王, phone: '0574 8888 0001'}]",
                      "follow_up_days=007")
    assert result.exit_code == 0, result.stderr
    assert "follow_up_days: 7\n" in r.read("customers/CUS-0013.yaml")  # a number of days, typed
    assert "contacts:\n  - name: 王\n    phone: 0574 8888 0001\n" in r.read("customers/CUS-0013.yaml")
    result = salesctl(r, "new", "review", "rep=zhang", "period=2026-Q4", "self={'行业:制造': 5, '007': 4}")
    assert result.exit_code == 0, result.stderr
    assert r.read("reviews/REV-0001.yaml") == ("id: REV-0001\nrep: zhang\nperiod: 2026-Q4\n"
                                               "self:\n  行业:制造: 5\n  '007': 4\n")


def test_an_edit_that_would_not_parse_is_reported_as_our_bug(writers_repo, salesctl, monkeypatch):
    """A fault of ours (here: a renderer that writes broken YAML) never blames the user's file."""
    r = writers_repo()
    monkeypatch.setattr(edit, "render", lambda value, style, flow=False: ["date: [2026\n"])
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone", "--by", "zhang")
    assert result.exit_code == 1
    assert result.stderr == ("error: internal error: the text salesctl made for receivables/RCV-0002.yaml does not parse "
                             "(line 14, column 1: did not find expected ',' or ']'); nothing written. This is a bug in "
                             "salesctl, not a problem in your files: please report it\n")
    result = salesctl(r, "new", "customer", "name=x", "owner=zhang")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: internal error: the text salesctl made for customers/CUS-0013.yaml does not "
                                    "parse (line 2, column 1: ")
    assert r.unchanged() and r.untracked() == []


MERGED = """\
    - &base
      id: RCV-0090
      contract: CT-2026-003
      amount: 100
      due: 2027-01-31
    - <<: *base
      id: RCV-0091
    """


def test_a_file_with_a_merge_key_does_not_block_writes_elsewhere(writers_repo, salesctl, run):
    r = writers_repo(extra={"receivables/2027.yaml": MERGED})
    assert run("-C", r.root, "validate").exit_code == 0
    result = salesctl(r, "pay", "RCV-0002", "100")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+payments:", "+  - {date: 2026-11-30, amount: 100}"]
    result = salesctl(r, "collect", "RCV-0002", "--channel", "phone", "--by", "zhang")
    assert result.exit_code == 0, result.stderr
    assert r.diff()[2:] == ["+  - date: 2026-11-30", "+    by: zhang", "+    channel: phone"]


SHARED = """\
    - id: RCV-0090
      contract: CT-2026-003
      amount: 100
      due: 2027-01-31
      payments: &p [{date: 2026-11-01, amount: 10}]
    - id: RCV-0091
      contract: CT-2026-003
      amount: 100
      due: 2027-01-31
      payments: *p
    - id: RCV-0092
      contract: CT-2026-003
      amount: 100
      due: 2027-01-31
      payments: &q
        - {date: 2026-11-01, amount: 10}
    - &base
      id: RCV-0093
      contract: CT-2026-003
      amount: 100
      due: 2027-01-31
      payments: [{date: 2026-11-01, amount: 10}]
    - <<: *base
      id: RCV-0094
    """


@pytest.mark.parametrize("args, message", [
    (["pay", "RCV-0090", "1"], "cannot add to payments of RCV-0090 (receivables/2027.yaml:5): the list is YAML anchor "
                               "&p, shared with RCV-0091"),
    (["pay", "RCV-0091", "1"], "cannot add to payments of RCV-0091 (receivables/2027.yaml:10): the list is an alias of "
                               "YAML anchor &p (line 5), shared with RCV-0090"),
    (["pay", "RCV-0092", "1"], "cannot add to payments of RCV-0092 (receivables/2027.yaml:15): the list is YAML "
                               "anchor &q"),
    (["pay", "RCV-0093", "1"], "cannot add to payments of RCV-0093 (receivables/2027.yaml:17): the record is YAML "
                               "anchor &base, shared with RCV-0094 (an alias or a merge key)"),
    (["pay", "RCV-0094", "1"], "cannot add to payments of RCV-0094 (receivables/2027.yaml:23): its payments come "
                               "from a YAML merge key (<<)"),
    (["collect", "RCV-0093", "--channel", "phone", "--by", "zhang"],
     "cannot add to collection of RCV-0093 (receivables/2027.yaml:17): the record is YAML anchor &base, shared with "
     "RCV-0094 (an alias or a merge key)"),
])
def test_values_shared_through_yaml_anchors_are_refused_and_say_what_is_shared(writers_repo, salesctl, args, message):
    r = writers_repo(extra={"receivables/2027.yaml": SHARED})
    result = salesctl(r, *args)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}; edit it by hand\n")
    assert r.unchanged()


def test_a_merged_record_gets_a_field_its_anchor_does_not_have(writers_repo, salesctl):
    r = writers_repo(extra={"receivables/2027.yaml": SHARED})
    result = salesctl(r, "collect", "RCV-0094", "--channel", "phone", "--by", "zhang")
    assert result.exit_code == 0, result.stderr
    assert r.diff() == ["+  collection:", "+    - date: 2026-11-30", "+      by: zhang", "+      channel: phone"]


def test_a_crlf_file_without_a_final_newline_keeps_both(writers_repo, salesctl):
    crlf = (b"id: RCV-0004\r\ncontract: CT-2026-003\r\namount: 100\r\ndue: 2026-12-01\r\ncollection:\r\n"
            b"  - date: 2026-11-01\r\n    by: wang\r\n    channel: phone")
    r = writers_repo(extra={"receivables/RCV-0004.yaml": crlf})
    result = salesctl(r, "collect", "RCV-0004", "--channel", "email", "--by", "wang", "--note", "对账单")
    assert result.exit_code == 0, result.stderr
    assert (r.root / "receivables/RCV-0004.yaml").read_bytes() == crlf + (
        "\r\n  - date: 2026-11-30\r\n    by: wang\r\n    channel: email\r\n    note: 对账单".encode("utf-8"))


def test_new_in_a_file_of_records_leaves_trailing_comments_where_they_belong(writers_repo, salesctl):
    visits = textwrap.dedent("""\
        - id: V-2026-0020
          customer: CUS-0011
          rep: zhang
          date: 2026-11-20
          channel: phone

        - id: V-2026-0021
          customer: CUS-0012
          rep: wang
          date: 2026-11-21
          channel: onsite
          # 客户要求下周回电

        # 11月拜访到此
        """)
    r = writers_repo(extra={"visits/2026/2026-11b.yaml": visits})
    result = salesctl(r, "new", "visit", "customer=CUS-0011", "rep=zhang", "channel=phone",
                      "--file", "visits/2026/2026-11b.yaml")
    assert result.exit_code == 0, result.stderr
    assert r.read("visits/2026/2026-11b.yaml") == visits.replace("\n# 11月拜访到此", (
        "\n- id: V-2026-0022\n  customer: CUS-0011\n  rep: zhang\n  date: 2026-11-30\n  channel: phone\n"
        "\n# 11月拜访到此"))
    assert all(line.startswith("+") for line in r.diff())


def test_the_approve_example_of_the_help_runs_on_the_sample(run, sample_copy):
    assert "salesctl approve CT-2026-016 --stage manager --by lin --comment 同意" in run("approve", "--help").stdout
    # CT-2026-016 is zhang's, in review with no approval yet: zhang's manager lin approves the first stage
    result = run("-C", sample_copy, "--as-of", "2026-11-30", "approve", "CT-2026-016", "--stage", "manager",
                 "--by", "lin", "--comment", "同意")
    assert result.exit_code == 0, result.stderr
