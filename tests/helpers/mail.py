"""A port nothing listens on, and settings that send mail to a server on 127.0.0.1."""

from __future__ import annotations

import socket

from helpers.workspaces import CONFIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_config(port, **settings) -> str:
    """The standard salesctl.yaml with an smtp section for 127.0.0.1:`port` (and `settings`)."""
    extra = "".join(f", {key}: {value}" for key, value in settings.items())
    return CONFIG + f"smtp: {{host: 127.0.0.1, port: {port}, from: bot@example.com{extra}}}\n"
