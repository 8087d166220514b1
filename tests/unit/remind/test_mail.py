"""Building RFC 5322 messages, writing .eml files and sending over SMTP (a real aiosmtpd server)."""

from __future__ import annotations

import smtplib
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from helpers.mail import free_port
from salesctl.remind import mail


SENDER = mail.address("星河企业培训有限公司", "sales-bot@example.com")
NOW = datetime(2026, 6, 30, 8, 30, tzinfo=timezone.utc)


def message(to="zhang@example.com", name="张伟"):
    return mail.build_message(SENDER, mail.address(name, to), "销售提醒 2026-06-30：7 项待办",
                              "张伟：7 项待办\nFrom now on, 逾期催收\n", now=NOW)


def test_message_headers_are_encoded_and_read_back():
    raw = message().as_bytes()
    assert raw.isascii() is False  # the UTF-8 body is 8bit; every header is ASCII
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"\n" not in head.replace(b"\r\n", b"")
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["From"] == "星河企业培训有限公司 <sales-bot@example.com>"
    assert parsed["To"] == "张伟 <zhang@example.com>"
    assert parsed["Subject"] == "销售提醒 2026-06-30：7 项待办"
    assert parsed["Date"] == "Tue, 30 Jun 2026 08:30:00 +0000"
    assert parsed["Message-ID"].endswith("@example.com>")
    assert parsed.get_content_type() == "text/plain" and parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == "张伟：7 项待办\r\nFrom now on, 逾期催收\r\n"


@pytest.mark.parametrize("name", ["张伟\r\nBcc: evil@example.com", "Zhang\nBcc: evil@example.com",
                                  'Zhang", evil@example.com, "', "Zhang\x00\u2028Bcc: evil@example.com"])
def test_no_header_can_be_injected_through_a_name(name):
    raw = message(name=name).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert [a.addr_spec for a in parsed["To"].addresses] == ["zhang@example.com"]
    assert raw.count(b"\r\nTo:") == 1


@pytest.mark.parametrize("email", ["zhang@example.com\r\nBcc: evil@example.com", "zhang@example.com\nX: y",
                                   "zhang@example.com, evil@example.com", "Zhang <zhang@example.com>",
                                   "张伟@example.com", "zhang", "zhang@localhost", None])
def test_unchecked_addresses_are_refused(email):
    with pytest.raises(mail.MailError):
        mail.address("张伟", email)


def test_header_text_flattens_control_characters():
    assert mail.header_text("a\r\nb\tc\x00d  e") == "a b c d e"


def test_write_eml_uses_crlf_and_leaves_no_temp_file(tmp_path):
    path = mail.write_eml(message(), tmp_path / "2026-06-30-zhang.eml")
    raw = path.read_bytes()
    assert raw.count(b"\r\n") > 5 and b"\n" not in raw.replace(b"\r\n", b"")
    assert [p.name for p in tmp_path.iterdir()] == ["2026-06-30-zhang.eml"]
    assert message_from_bytes(raw, policy=policy.default)["To"].addresses[0].addr_spec == "zhang@example.com"


def test_mbox_entry_escapes_from_lines():
    text = mail.as_mbox(message(), "sales-bot@example.com", datetime(2026, 6, 30, 8, 30))
    assert text.startswith("From sales-bot@example.com Tue Jun 30 08:30:00 2026\nFrom:")
    assert "\n>From now on, 逾期催收\n" in text and "\r" not in text


SMTP = {"host": "127.0.0.1", "port": 0, "from": "sales-bot@example.com", "starttls": False, "username": None}


def send_all(messages, smtp, password=None, **kwargs) -> list[str]:
    """Send with one Mailer; the refusals, as `remind --send` reports them."""
    refused = []
    with mail.Mailer(smtp, password, **kwargs) as mailer:
        for m in messages:
            try:
                mailer.send(m)
            except mail.MailRefused as exc:
                refused.append(f"{m['To'].addresses[0].addr_spec}: {exc}")
    return refused


def test_send_delivers_each_message_over_one_connection(smtp_server):
    inbox, port, logins = smtp_server
    assert send_all([message(), message("wang@example.com", "王芳")], {**SMTP, "port": port}) == []
    assert logins == [] and inbox.connections == 1
    assert [(e.mail_from, e.rcpt_tos) for e in inbox.envelopes] == [
        ("sales-bot@example.com", ["zhang@example.com"]), ("sales-bot@example.com", ["wang@example.com"])]
    assert [m["To"] for m in inbox.messages()] == ["张伟 <zhang@example.com>", "王芳 <wang@example.com>"]


def test_send_logs_in_with_the_password(smtp_server):
    inbox, port, logins = smtp_server
    assert send_all([message()], {**SMTP, "port": port, "username": "bot"}, "s3cret") == []
    assert logins == [("bot", "s3cret")] and len(inbox.envelopes) == 1


def test_wrong_password_or_none_is_an_error(smtp_server):
    inbox, port, _ = smtp_server
    with pytest.raises(mail.MailError, match=r"cannot send mail through 127.0.0.1:\d+: 535"):
        send_all([message()], {**SMTP, "port": port, "username": "bot"}, "wrong")
    with pytest.raises(mail.MailError, match="SALESCTL_SMTP_PASSWORD is not"):
        send_all([message()], {**SMTP, "port": port, "username": "bot"}, None)
    assert inbox.envelopes == []


def test_a_refused_recipient_does_not_stop_the_others(smtp_server):
    inbox, port, _ = smtp_server
    refused = send_all([message("x@refused.example"), message()], {**SMTP, "port": port})
    assert refused == ["x@refused.example: refused by 127.0.0.1: 550 5.1.1 no such user"]
    assert [e.rcpt_tos for e in inbox.envelopes] == [["zhang@example.com"]]


def test_no_server_is_a_clear_error():
    with pytest.raises(mail.MailError, match=r"cannot send mail through 127.0.0.1:\d+: .*refused"):
        send_all([message()], {**SMTP, "port": free_port()}, timeout=5)


def test_a_server_that_drops_the_connection_after_each_message_gets_each_on_a_new_one(smtp_server):
    """The server of the report: it takes one message, then drops the connection when the next
    starts ("Connection unexpectedly closed"). Each message goes again on a new connection."""
    inbox, port, _ = smtp_server
    inbox.per_connection = 1
    people = [("zhang@example.com", "张伟"), ("wang@example.com", "王芳"), ("zhao@example.com", "赵敏")]
    assert send_all([message(to, name) for to, name in people], {**SMTP, "port": port}) == []
    assert inbox.recipients() == ["zhang@example.com", "wang@example.com", "zhao@example.com"]
    assert inbox.connections == 3  # one per message: the 2nd and 3rd found their connection dropped


def test_a_server_that_goes_down_stops_the_mailer_after_one_new_try(smtp_server):
    inbox, port, _ = smtp_server
    inbox.until = 1  # from the 2nd message on, every MAIL gets a 421
    with mail.Mailer({**SMTP, "port": port}, None) as mailer:
        mailer.send(message())
        with pytest.raises(mail.MailError, match="dropped the connection twice while taking the message: 421"):
            mailer.send(message("wang@example.com", "王芳"))
    assert inbox.recipients() == ["zhang@example.com"] and inbox.connections == 2


def test_the_mailer_connects_only_when_it_sends():
    opened = []

    def factory(*args, **kwargs):
        opened.append(args)
        raise OSError("should not connect")

    with mail.Mailer({**SMTP, "port": 25}, None, factory=factory):
        pass
    assert opened == []


def test_a_lost_connection_is_tried_once_more_then_reported():
    """A fake server whose every send fails as a dropped connection: two connections, then MailError."""
    opened = []

    class Dropping:
        def __init__(self, *args, **kwargs):
            opened.append(args)

        def ehlo_or_helo_if_needed(self):
            pass

        def has_extn(self, name):
            return False

        def send_message(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

        def quit(self):
            raise smtplib.SMTPServerDisconnected("gone")

        def close(self):
            pass

    with pytest.raises(mail.MailError, match="twice while taking the message: Connection unexpectedly closed"):
        send_all([message()], {**SMTP, "port": 25}, factory=Dropping)
    assert len(opened) == 2


def test_body_is_readable_8bit_unless_a_line_is_too_long():
    assert message()["Content-Transfer-Encoding"] == "8bit"
    long = mail.build_message(SENDER, mail.address("张伟", "zhang@example.com"), "s", "催" * 400 + "\n", now=NOW)
    assert long["Content-Transfer-Encoding"] == "base64"
    assert message_from_bytes(long.as_bytes(), policy=policy.default).get_content().rstrip() == "催" * 400
