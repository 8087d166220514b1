"""The Mailer secured as `smtp.tls` says, against real servers on 127.0.0.1 with a self-signed
certificate made for the test (conftest: `tls_smtp_server`, `starttls_smtp_server`): implicit TLS,
STARTTLS, and certificates always verified, trusted here through SALESCTL_SMTP_CA_FILE. The settings
are tested in tests/unit/model/test_mailconfig.py, `remind --send` over TLS in tests/cli/test_remind.py."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from salesctl.errors import MailRefused
from salesctl.remind import mail

SENDER = mail.address("星河企业培训有限公司", "sales-bot@example.com")


def message():
    return mail.build_message(SENDER, mail.address("张伟", "zhang@example.com"), "销售提醒", "你好\n")


def smtp(port: int, tls: str) -> dict:
    return {"host": "127.0.0.1", "port": port, "from": "sales-bot@example.com", "tls": tls, "username": None}


def send(smtp: dict, env: dict | None = None, timeout: float = 5):
    with mail.Mailer(smtp, None, timeout=timeout, env=env) as mailer:
        mailer.send(message())


def test_implicit_tls_delivers_to_a_server_whose_certificate_is_trusted(tls_smtp_server, tls_certificate):
    inbox, port = tls_smtp_server
    send(smtp(port, "ssl"), env={mail.CA_FILE_ENV: str(tls_certificate[0])})
    (received,) = [message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes]
    assert received["To"] == "张伟 <zhang@example.com>"


def test_the_certificate_is_verified_by_default(tls_smtp_server):
    _, port = tls_smtp_server
    with pytest.raises(mail.MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send(smtp(port, "ssl"), env={})


def test_plain_smtp_is_not_taken_for_tls(tls_smtp_server):
    _, port = tls_smtp_server
    with pytest.raises(mail.MailError, match=f"cannot send mail through 127.0.0.1:{port}"):
        send(smtp(port, "none"), timeout=2)


def test_starttls_upgrades_the_connection_and_verifies_too(starttls_smtp_server, tls_certificate):
    inbox, port = starttls_smtp_server
    with pytest.raises(MailRefused, match="530"):  # tls: none, and the server requires STARTTLS
        send(smtp(port, "none"))
    with pytest.raises(mail.MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send(smtp(port, "starttls"), env={})
    send(smtp(port, "starttls"), env={mail.CA_FILE_ENV: str(tls_certificate[0])})
    assert len(inbox.envelopes) == 1
