"""SMTP secured as `smtp.tls` says, against real servers on 127.0.0.1 with a self-signed certificate
made for the test: implicit TLS (ssl, port 465 by default), STARTTLS, and certificates always
verified (trusted here through SALESCTL_SMTP_CA_FILE, the documented way to name an authority)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest

from conftest import CONFIG
from salesctl import doctor
from salesctl.errors import MailRefused
from salesctl.model.config import load_config
from salesctl.remind import mail


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl binary to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def tls_server(certificate):
    """An SMTP server speaking TLS from the first byte: yields (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_context(certificate))
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(certificate):
    """An SMTP server that requires STARTTLS before mail: yields (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_context(certificate),
                            require_starttls=True)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


SENDER = mail.address("星河企业培训有限公司", "sales-bot@example.com")


def message():
    return mail.build_message(SENDER, mail.address("张伟", "zhang@example.com"), "销售提醒", "你好\n")


def smtp(port: int, tls: str) -> dict:
    return {"host": "127.0.0.1", "port": port, "from": "sales-bot@example.com", "tls": tls, "username": None}


def send(smtp: dict, env: dict | None = None, timeout: float = 5):
    with mail.Mailer(smtp, None, timeout=timeout, env=env) as mailer:
        mailer.send(message())


def test_implicit_tls_delivers_to_a_server_whose_certificate_is_trusted(tls_server, certificate):
    inbox, port = tls_server
    send(smtp(port, "ssl"), env={mail.CA_FILE_ENV: str(certificate[0])})
    (received,) = [message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes]
    assert received["To"] == "张伟 <zhang@example.com>"


def test_the_certificate_is_verified_by_default(tls_server):
    _, port = tls_server
    with pytest.raises(mail.MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send(smtp(port, "ssl"), env={})


def test_plain_smtp_is_not_taken_for_tls(tls_server):
    _, port = tls_server
    with pytest.raises(mail.MailError, match=f"cannot send mail through 127.0.0.1:{port}"):
        send(smtp(port, "none"), timeout=2)


def test_starttls_upgrades_the_connection_and_verifies_too(starttls_server, certificate):
    inbox, port = starttls_server
    with pytest.raises(MailRefused, match="530"):  # tls: none, and the server requires STARTTLS
        send(smtp(port, "none"))
    with pytest.raises(mail.MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send(smtp(port, "starttls"), env={})
    send(smtp(port, "starttls"), env={mail.CA_FILE_ENV: str(certificate[0])})
    assert len(inbox.envelopes) == 1


def test_remind_send_and_doctor_over_implicit_tls(tls_server, certificate, workspace, run):
    inbox, port = tls_server
    config = CONFIG + f"smtp: {{host: 127.0.0.1, port: {port}, from: sales-bot@example.com, tls: ssl}}\n"
    root = workspace({"customers/CUS-1.yaml": "id: CUS-1\nname: 甲公司\nowner: zhang\ntier: A\ncreated: 2026-01-05\n"},
                     config)
    env = {mail.CA_FILE_ENV: str(certificate[0])}
    result = run("-C", root, "--as-of", "2026-11-30", "remind", "--send", env=env)  # CUS-1 (tier A): 329 days > 30
    assert result.exit_code == 0, result.stderr
    assert [e.rcpt_tos for e in inbox.envelopes] == [["zhang@example.com"]]
    checks = {c.check: c for c in doctor.run_checks(root, env=env, timeout=5)}
    assert (checks["smtp"].status, checks["smtp"].detail) == ("ok", f"127.0.0.1:{port}: connected over TLS")


# --- the settings ----------------------------------------------------------------------------

def smtp_config(**smtp):
    config, problems = load_config({"company": {"name": "x"}, "team": [{"id": "a", "name": "A", "role": "rep"}],
                                    "smtp": smtp}, {})
    return config.smtp, [p.message for p in problems]


@pytest.mark.parametrize("given, tls, starttls, port", [
    ({}, "none", False, 25),
    ({"tls": "ssl"}, "ssl", False, 465),
    ({"tls": "ssl", "port": 994}, "ssl", False, 994),
    ({"tls": "starttls", "port": 587}, "starttls", True, 587),
    ({"starttls": True}, "starttls", True, 25),  # the older key still works
    ({"starttls": False, "tls": "none"}, "none", False, 25),
])
def test_tls_and_the_older_starttls(given, tls, starttls, port):
    chosen, problems = smtp_config(**given)
    assert (chosen["tls"], chosen["starttls"], chosen["port"], problems) == (tls, starttls, port, [])


def test_a_bad_or_contradicted_tls_is_bad_config():
    assert smtp_config(tls="tls")[1] == ["smtp.tls 'tls' is not one of starttls, ssl, none"]
    assert smtp_config(tls="ssl", starttls=True)[1] == [
        "smtp.starttls contradicts smtp.tls: ssl; keep smtp.tls only"]
