"""salesctl.yaml's `smtp` settings: the mail server reminders go through, and how the connection is
secured. `model.config` reads them with every other setting, through the same checker: a wrong
value is `bad-config`, an unknown key `unknown-field`, and the default stands.
"""

from __future__ import annotations

from . import fields as F

DEFAULT_SMTP = {"host": "localhost", "port": 25, "from": "sales-bot@example.com", "starttls": False, "username": None,
                "tls": "none"}
TLS_MODES = ("starttls", "ssl", "none")  # smtp.tls: STARTTLS on a plain connection, implicit TLS, or neither
SSL_PORT = 465  # the port of implicit TLS, the default with smtp.tls: ssl


def read_smtp(c, raw: dict) -> None:
    """Check `smtp` into the config `c.cfg` being read. smtp.tls secures the connection (ssl: port
    465 by default); smtp.starttls, the older way of choosing, still counts."""
    smtp = c.mapping(raw.get("smtp"), ("smtp",)) or {}
    for key, value in smtp.items():
        if key not in DEFAULT_SMTP:
            c.unknown(("smtp", key), DEFAULT_SMTP)
            continue
        if key == "port":
            value = c.integer(value, ("smtp", "port"), 1, 65535)
            if value is None:
                continue
        elif key == "starttls":
            if not isinstance(value, bool):
                c.bad(("smtp", key), "smtp.starttls must be true or false")
                continue
        elif key == "tls":
            if value not in TLS_MODES:
                c.bad(("smtp", key), f"smtp.tls {value!r} is not one of {', '.join(TLS_MODES)}")
                continue
        elif key == "from":
            if not isinstance(value, str) or F.check_email(value):
                c.bad(("smtp", key), f"smtp.from {value!r} is not an e-mail address")
                continue
        elif value is not None and not isinstance(value, str):
            c.bad(("smtp", key), f"smtp.{key} must be text")
            continue
        c.cfg.smtp[key] = value
    chosen = c.cfg.smtp
    if smtp.get("tls") not in TLS_MODES:  # not given (or wrong): as smtp.starttls says
        chosen["tls"] = "starttls" if chosen["starttls"] else "none"
    elif isinstance(smtp.get("starttls"), bool) and smtp["starttls"] != (chosen["tls"] == "starttls"):
        c.bad(("smtp", "starttls"), f"smtp.starttls contradicts smtp.tls: {chosen['tls']}; keep smtp.tls only")
    chosen["starttls"] = chosen["tls"] == "starttls"
    if chosen["tls"] == "ssl" and "port" not in smtp:
        chosen["port"] = SSL_PORT
