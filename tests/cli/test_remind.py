"""`salesctl remind`: the reminders as text, JSON, mbox, .eml files and over real SMTP (each kind and
its recipient, as a library: tests/unit/remind/test_remind.py).

The fixture workspace is tests/fixtures/reports, as of 2026-06-30 (see the comments in its files).
"""

from __future__ import annotations

import json
from email import message_from_bytes, policy

import pytest

from helpers.mail import free_port
from helpers.reminders import DUE
from helpers.workspaces import CONFIG


# --- text and JSON -----------------------------------------------------------------------

WANG_TEXT = """\
王芳 <wang@example.com>：3 项待办（截至 2026-06-30）
  即将到期  2026-06-30  RCV-08  西部医药有限公司 应收款 50,000.00 元 将于 2026-06-30 到期
  逾期催收  2026-06-30  RCV-06  西部医药有限公司 逾期 30 天，余额 50,000.00 元：上门催收
  逾期催收  2026-06-30  RCV-07  西部医药有限公司 逾期 1 天，余额 50,000.00 元：电话催收
"""


def test_text_is_grouped_per_person(run, reports_root):
    result = run("-C", reports_root, "remind", "--as-of", "2026-06-30")
    assert result.exit_code == 0 and result.stderr == ""
    blocks = result.stdout.split("\n\n")
    assert len(blocks) == 6 and blocks[3] + "\n" == WANG_TEXT
    assert blocks[4].startswith("周杰：1 项待办（截至 2026-06-30）\n")  # no address
    assert run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30").stdout == WANG_TEXT


def test_nothing_due_prints_nothing(run, reports_root):
    result = run("-C", reports_root, "remind", "--to", "chen", "--as-of", "2026-06-30")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    empty = run("-C", reports_root, "remind", "--to", "chen", "--as-of", "2026-06-30", "--format", "json")
    assert json.loads(empty.stdout) == {"as_of": "2026-06-30", "reminders": []}


def test_json_document(run, reports_root):
    result = run("-C", reports_root, "remind", "--as-of", "2026-06-30", "--format", "json")
    doc = json.loads(result.stdout, object_pairs_hook=list)
    assert [k for k, _ in doc] == ["as_of", "reminders"]
    first = dict(dict(doc)["reminders"][0])
    assert list(first) == ["to", "email", "items"]
    assert [k for k, _ in first["items"][0]] == ["kind", "ref", "customer", "date", "message"]
    data = json.loads(result.stdout)
    assert {p["to"]: [(i["kind"], i["ref"], i["customer"], i["date"]) for i in p["items"]] for p in data["reminders"]} == {
        to: [(k, r, c, d.isoformat()) for k, r, c, d in items] for to, items in DUE.items()}


def test_email_format_prints_an_mbox(run, reports_root):
    result = run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30", "--format", "email")
    assert result.exit_code == 0
    assert result.stdout.startswith("From sales-bot@example.com ")
    assert "逾期催收  2026-06-30  RCV-06" in result.stdout


# --- .eml files and SMTP -------------------------------------------------------------------

def read_eml(path):
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def test_outbox_writes_one_message_per_person(run, reports_root, tmp_path):
    outbox = tmp_path / "outbox"
    result = run("-C", reports_root, "remind", "--as-of", "2026-06-30", "--outbox", outbox)
    assert result.exit_code == 1  # zhou has no address
    assert result.stderr == "warning: zhou has no e-mail address; 1 reminder(s) not mailed\n"
    names = ["2026-06-30-lin.eml", "2026-06-30-qian.eml", "2026-06-30-zhang.eml", "2026-06-30-wang.eml",
             "2026-06-30-zhao.eml"]
    assert result.stdout.splitlines() == [str(outbox / n) for n in names]
    wang = read_eml(outbox / "2026-06-30-wang.eml")
    assert wang["From"] == "测试培训有限公司 <sales-bot@example.com>"
    assert wang["To"] == "王芳 <wang@example.com>"
    assert wang["Subject"] == "销售提醒 2026-06-30：3 项待办"
    body = wang.get_content().replace("\r\n", "\n")
    assert body == WANG_TEXT + "\n-- \n此邮件由 salesctl 根据 测试培训有限公司 销售工作区自动生成。\n"


def test_outbox_for_people_with_addresses_exits_0(run, reports_root, tmp_path):
    result = run("-C", reports_root, "remind", "--to", "zhang", "--as-of", "2026-06-30", "--outbox", tmp_path / "o")
    assert result.exit_code == 0 and result.stderr == ""
    assert read_eml(tmp_path / "o" / "2026-06-30-zhang.eml")["Subject"] == "销售提醒 2026-06-30：7 项待办"


def with_smtp(root, port, extra=""):
    config = root / "salesctl.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"smtp: {{host: 127.0.0.1, port: {port}, from: bot@example.com{extra}}}\n", encoding="utf-8")


def test_send_delivers_over_smtp_and_says_what_went_where(run, reports_root, smtp_server):
    inbox, port, logins = smtp_server
    with_smtp(reports_root, port)
    result = run("-C", reports_root, "remind", "--as-of", "2026-06-30", "--send")
    assert result.exit_code == 1  # zhou has no address
    assert result.stdout == (
        "email  林海 (lin)    2 reminders  sent to lin@example.com\n"
        "email  钱军 (qian)   1 reminder   sent to qian@example.com\n"
        "email  张伟 (zhang)  7 reminders  sent to zhang@example.com\n"
        "email  王芳 (wang)   3 reminders  sent to wang@example.com\n"
        "email  周杰 (zhou)   1 reminder   FAILED: no e-mail address\n"
        "email  赵敏 (zhao)   1 reminder   sent to zhao@example.com\n")
    assert result.stderr == ("error: 1 of 6 deliveries failed (FAILED above); a rerun today delivers only what "
                             "is missing\n")
    assert [(e.mail_from, e.rcpt_tos) for e in inbox.envelopes] == [
        ("bot@example.com", [f"{who}@example.com"]) for who in ("lin", "qian", "zhang", "wang", "zhao")]
    zhao = inbox.messages()[-1]
    assert zhao["To"] == "赵敏 <zhao@example.com>" and zhao["Subject"] == "销售提醒 2026-06-30：1 项待办"
    assert "CT-2026-06  合同“包装行业销售技巧培训”（华东包装有限公司）待财务审批，已等待 5 天" in zhao.get_content()
    assert logins == []


def test_send_over_implicit_tls_to_a_server_whose_certificate_is_trusted(run, workspace, tls_smtp_server,
                                                                         tls_certificate):
    inbox, port = tls_smtp_server
    config = CONFIG + f"smtp: {{host: 127.0.0.1, port: {port}, from: sales-bot@example.com, tls: ssl}}\n"
    root = workspace({"customers/CUS-1.yaml": "id: CUS-1\nname: 甲公司\nowner: zhang\ntier: A\ncreated: 2026-01-05\n"},
                     config)
    env = {"SALESCTL_SMTP_CA_FILE": str(tls_certificate[0])}
    result = run("-C", root, "--as-of", "2026-11-30", "remind", "--send", env=env)  # CUS-1 (tier A): 329 days > 30
    assert (result.exit_code, result.stdout) == (0, "email  张伟 (zhang)  1 reminder  sent to zhang@example.com\n")
    assert inbox.recipients() == ["zhang@example.com"]
    result = run("-C", root, "--as-of", "2026-11-30", "remind", "--send", "--resend", env={})  # no authority to trust
    assert result.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in result.stdout


def test_send_logs_in_with_the_password_from_the_environment(run, reports_root, smtp_server):
    inbox, port, logins = smtp_server
    with_smtp(reports_root, port, ", username: bot")
    result = run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30", "--send",
                 env={"SALESCTL_SMTP_PASSWORD": "s3cret"})
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "email  王芳 (wang)  3 reminders  sent to wang@example.com\n", "")
    assert logins == [("bot", "s3cret")] and [e.rcpt_tos for e in inbox.envelopes] == [["wang@example.com"]]
    missing = run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30", "--send", "--resend",
                  env={"SALESCTL_SMTP_PASSWORD": None})
    assert missing.exit_code == 1 and "FAILED to wang@example.com: smtp.username is set but SALESCTL_SMTP_PASSWORD " \
                                      "is not" in missing.stdout


def test_send_without_a_server_is_a_clear_error(run, reports_root):
    with_smtp(reports_root, free_port())
    result = run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30", "--send")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout.startswith("email  王芳 (wang)  3 reminders  FAILED to wang@example.com: cannot send mail "
                                    "through 127.0.0.1:")


def test_names_cannot_inject_headers(run, workspace, tmp_path):
    config = """\
        company: {name: "测试\\r\\nBcc: evil@example.com"}
        team:
          - {id: zhang, name: "张伟\\r\\nBcc: evil@example.com", role: rep, email: zhang@example.com}
          - {id: wang, name: 王芳, role: rep, email: "wang@example.com\\r\\nBcc: evil@example.com"}
        """
    files = {"salesctl.yaml": config,
             "customers/c.yaml": """\
                 - {id: C-1, name: "甲\\r\\nBcc: evil@example.com", owner: zhang, key: true, created: 2026-01-01}
                 - {id: C-2, name: 乙, owner: wang, key: true, created: 2026-01-01}
                 """}
    root = workspace(files)
    result = run("-C", root, "remind", "--as-of", "2026-06-30", "--outbox", tmp_path / "o")
    assert "wang has no e-mail address" in result.stderr  # the config check dropped the bad address
    raw = (tmp_path / "o" / "2026-06-30-zhang.eml").read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in head and head.count(b"\r\nTo:") == 1
    message = read_eml(tmp_path / "o" / "2026-06-30-zhang.eml")
    assert message["To"].addresses[0].addr_spec == "zhang@example.com" and message["Bcc"] is None


@pytest.mark.parametrize("args, message", [
    (["--to", "nobody"], "'nobody' is not a team member"),
    (["--send", "--outbox", "x"], "give one of --send, --outbox"),
    (["--send", "--format", "json"], "--format prints the reminders"),
    (["--format", "xml"], "--format"),
    (["--via", "email"], "--via, --resend and --dry-run go with --send"),
    (["--dry-run"], "--via, --resend and --dry-run go with --send"),
    (["--send", "--via", "sms"], "'sms' is not one of 'email', 'wecom', 'dingtalk'"),
    (["--send", "--via", "wecom"], "wecom is not a channel of notify in salesctl.yaml (it lists email)"),
])
def test_bad_options_are_usage_errors(run, reports_root, args, message):
    result = run("-C", reports_root, "remind", "--as-of", "2026-06-30", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_outbox_that_cannot_be_written_is_an_error(run, reports_root, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("-C", reports_root, "remind", "--to", "wang", "--as-of", "2026-06-30", "--outbox", blocker / "o")
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot write to ")


def test_help_shows_a_crontab_example(run):
    result = run("remind", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout and "remind --send" in result.stdout
