"""RFC 5322 messages built with the stdlib `email` package, written as .eml files or sent over SMTP.

Headers are never built from unchecked text: addresses must be plain ASCII `local@domain.tld`,
display names and subjects lose every control character and are RFC 2047-encoded by the
`email` package (policy SMTP: CRLF line ends). The UTF-8 body is sent 8bit, readable in the
.eml files (base64 only if a line passes the 998-byte limit of RFC 5322).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from datetime import datetime
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from io import BytesIO
from pathlib import Path

from ..errors import MailError, MailRefused
from ..model.fields import check_email

PASSWORD_ENV = "SALESCTL_SMTP_PASSWORD"
CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_text(text: str) -> str:
    """Text safe for a header: control characters (CR, LF, tabs…) become single spaces."""
    return " ".join(CONTROL.sub(" ", text).split())


def address(name: str | None, email: str) -> Address:
    """A checked mailbox: plain ASCII `local@domain.tld` and a display name without control characters."""
    if not isinstance(email, str) or not email.isascii() or CONTROL.search(email) or check_email(email):
        raise MailError(f"{email!r} is not a plain e-mail address (local@domain.tld)")
    try:
        return Address(display_name=header_text(name or ""), addr_spec=email)
    except (ValueError, IndexError) as exc:
        raise MailError(f"{email!r} is not a plain e-mail address: {exc}") from None


def build_message(sender: Address, recipient: Address, subject: str, body: str,
                  *, now: datetime | None = None) -> EmailMessage:
    """One text/plain UTF-8 message."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime((now or datetime.now()).astimezone())
    message["Message-ID"] = make_msgid(domain=sender.domain)
    readable = all(len(line.encode("utf-8")) <= 998 for line in body.splitlines())
    message.set_content(body, charset="utf-8", cte="8bit" if readable else "base64")
    return message


def write_eml(message: EmailMessage, path: Path) -> Path:
    """Write the message atomically (temp file + rename) as an .eml file."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".eml")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(message.as_bytes())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path


CA_FILE_ENV = "SALESCTL_SMTP_CA_FILE"


def tls_context(env=None) -> ssl.SSLContext:
    """How an SMTP server's certificate is checked: against the system's certificate authorities, or
    those in the file named by $SALESCTL_SMTP_CA_FILE (a company's own authority, or a test
    server's certificate). The certificate and the host name are always verified."""
    env = os.environ if env is None else env
    return ssl.create_default_context(cafile=env.get(CA_FILE_ENV) or None)


class Mailer:
    """An SMTP session (config `smtp`) that sends messages one at a time, as they are ready.

    Some servers take a few messages and then drop the connection, or close it with a 421: the
    message is sent again, once, over a new connection. `send` raises `MailRefused` for a message the
    server refuses and MailError when the server cannot be reached or refuses the login.
    """

    def __init__(self, smtp: dict, password: str | None, *, timeout: float = 30, factory=smtplib.SMTP, env=None):
        if smtp.get("username") and password is None:
            raise MailError(f"smtp.username is set but {PASSWORD_ENV} is not")
        self.smtp, self.password, self.timeout, self.factory, self.env = smtp, password, timeout, factory, env
        self.where = f"{smtp['host']}:{smtp['port']}"
        self._server = None
        self._options: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, message: EmailMessage):
        for attempt in (1, 2):
            server = self._server or self._connect()
            try:
                server.send_message(message, mail_options=self._options)
                return
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                if getattr(exc, "smtp_code", None) != 421:
                    raise MailRefused(f"refused by {self.smtp['host']}: {_reason(exc)}") from None
                reason = exc
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                reason = exc
            except smtplib.SMTPException as exc:
                raise MailRefused(f"refused by {self.smtp['host']}: {_reason(exc)}") from None
            self.close()  # dropped: the next attempt starts a new connection
        raise MailError(f"{self.where} dropped the connection twice while taking the message: {_reason(reason)}")

    def _connect(self):
        """A connection secured as `smtp.tls` says: `ssl` speaks TLS from the first byte (implicit
        TLS, port 465), `starttls` upgrades a plain connection before anything is sent, `none` does
        not; certificates checked by `tls_context`."""
        tls = self.smtp.get("tls", "none")
        try:
            if tls == "ssl":
                server = smtplib.SMTP_SSL(self.smtp["host"], self.smtp["port"], timeout=self.timeout,
                                          context=tls_context(self.env))
            else:
                server = self.factory(self.smtp["host"], self.smtp["port"], timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot send mail through {self.where}: {_reason(exc)}") from None
        try:
            if tls == "starttls":
                server.starttls(context=tls_context(self.env))
            if self.smtp.get("username"):
                server.login(self.smtp["username"], self.password)
            server.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as exc:
            _quietly(server.close)
            raise MailError(f"cannot send mail through {self.where}: {_reason(exc)}") from None
        self._options = ["BODY=8BITMIME"] if server.has_extn("8bitmime") else []
        self._server = server
        return server

    def close(self):
        if self._server is not None:
            server, self._server = self._server, None
            _quietly(server.quit)
            _quietly(server.close)


def _quietly(call):
    try:
        call()
    except (OSError, smtplib.SMTPException):
        pass


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


def as_mbox(message: EmailMessage, sender: str, when: datetime) -> str:
    """The message as one mbox entry (a `From ` line, then the message with LF line ends)."""
    buffer = BytesIO()
    message.set_unixfrom(f"From {sender} {when.strftime('%a %b %d %H:%M:%S %Y')}")
    BytesGenerator(buffer, mangle_from_=True, policy=message.policy.clone(linesep="\n")).flatten(message, unixfrom=True)
    return buffer.getvalue().decode("utf-8") + "\n"
