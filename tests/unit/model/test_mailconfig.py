"""salesctl.yaml's smtp settings (model/mailconfig.py): smtp.tls, the older smtp.starttls, and the
port implicit TLS defaults to. The connection itself: tests/unit/remind/test_mail_tls.py."""

from __future__ import annotations

import pytest

from salesctl.model.config import load_config


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
    assert smtp_config(tls="ssl", starttls=True)[1] == ["smtp.starttls contradicts smtp.tls: ssl; keep smtp.tls only"]
