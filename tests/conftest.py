"""Shared test helpers: build a workspace from literal texts, run the CLI as a user would, and local
servers standing in for an SMTP server and the WeCom and DingTalk group robots."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import textwrap
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from salesctl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
FIXTURES = ROOT / "tests" / "fixtures"

CONFIG = """\
company: {name: 星河企业培训有限公司}
team:
  - {id: lin, name: 林海, role: manager, email: lin@example.com}
  - {id: zhang, name: 张伟, role: rep, group: east, manager: lin, email: zhang@example.com}
  - {id: wang, name: 王芳, role: rep, group: north, manager: lin, email: wang@example.com}
  - {id: chen, name: 陈静, role: legal, email: chen@example.com}
  - {id: zhao, name: 赵敏, role: finance, email: zhao@example.com}
"""


def write_workspace(root: Path, files: dict[str, str | bytes], config: str | None = CONFIG) -> Path:
    """Create a workspace under `root` from {relative path: text}; texts are dedented. The files
    are dated a minute ago, as files written before a command usually are (see `settle`)."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    if config is not None and "salesctl.yaml" not in files:
        (root / "salesctl.yaml").write_text(config, encoding="utf-8")
        written.append(root / "salesctl.yaml")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        written.append(path)
    settle(*written)
    return root


_SETTLED = itertools.count(int(time.time()) - 10 * 86400)  # a different whole second per write


def settle(*paths: Path):
    """Date files back in time. The caches do not store a file modified within the last two
    seconds (it could change again unnoticed, keeping its size and mtime); tests that check what
    a second run reads from the caches settle their files first. Each write gets a second of its
    own, or git (which compares whole seconds) would miss a rewrite of the same size."""
    for path in paths:
        if path.is_file() and not path.is_symlink():
            stamp = next(_SETTLED) * 10**9
            os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def workspace(tmp_path):
    """`workspace({path: text})` -> the root of a fresh workspace with the standard team."""

    def make(files: dict | None = None, config: str | None = CONFIG) -> Path:
        return write_workspace(tmp_path / "ws", files or {}, config)

    return make


@pytest.fixture
def fixture_workspace(tmp_path):
    """`fixture_workspace("pay")` -> the root of a copy of tests/fixtures/pay, so that no run writes
    into the repository."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns(".salesctl"))
        return target

    return copy


@pytest.fixture
def run():
    """`run(*args)` -> click Result of `salesctl ARGS` (stdout and stderr kept apart)."""

    def invoke(*args, input=None, env=None):
        runner = CliRunner()
        return runner.invoke(cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


# --- an SMTP server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses recipients at refused.example.

    `per_connection`: a connection is dropped when a message beyond that many starts on it (the
    server of the report: "accepts one message and then drops the connection"). `until`: after
    that many messages in all, every message is answered 421 (a server going down mid-run).
    """

    def __init__(self):
        self.envelopes = []
        self.per_connection = None
        self.until = None
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if not getattr(session, "counted", False):
            session.counted = True
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.until is not None and len(self.envelopes) >= self.until:
            return "421 4.3.2 Service shutting down"
        if self.per_connection is not None and getattr(session, "taken", 0) >= self.per_connection:
            server.transport.close()
            return "421 4.7.0 Too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        session.taken = getattr(session, "taken", 0) + 1
        return "250 Message accepted"

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def recipients(self) -> list[str]:
        return [address for e in self.envelopes for address in e.rcpt_tos]


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost: yields (inbox, port, logins)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox, logins = Inbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)  # False: the server answers 535

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port, logins
    finally:
        controller.stop()


# --- group robots --------------------------------------------------------------------------

class Posted(NamedTuple):
    path: str
    query: dict  # parameter -> its one value
    body: dict
    at: float | None  # the fake clock's time when it came, if the server has one


class RobotServer:
    """Stands in for the WeCom and DingTalk robot servers on 127.0.0.1: keeps every request and
    answers `answer(posted)`: (HTTP status, JSON object), or None to drop the connection unanswered.
    The default answer is the platforms' `{"errcode": 0, "errmsg": "ok"}`."""

    def __init__(self):
        self.posted: list[Posted] = []
        self.answer = lambda posted: (200, {"errcode": 0, "errmsg": "ok"})
        self.clock = None
        self.delay = 0.0  # seconds each answer takes
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies(self, msgtype="markdown") -> list[dict]:
        return [p.body for p in self.posted if p.body.get("msgtype") == msgtype]


@pytest.fixture
def robot_server(monkeypatch):
    """A `RobotServer` listening on 127.0.0.1 (no proxy from the environment in the way)."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    robots = RobotServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            parts = urllib.parse.urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posted = Posted(parts.path, dict(urllib.parse.parse_qsl(parts.query)), body,
                            robots.clock.time() if robots.clock else None)
            robots.posted.append(posted)
            time.sleep(robots.delay)
            answer = robots.answer(posted)
            if answer is None:
                self.close_connection = True
                return
            status, reply = answer
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robots.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield robots
    finally:
        server.shutdown()
        server.server_close()


class FakeClock:
    """A clock that moves only when something sleeps on it; keeps each sleep."""

    def __init__(self, start: float = 1782777600.0):  # 2026-06-30 00:00:00 UTC
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()


NOTIFY_CONFIG = """\
company: {name: 星河企业培训有限公司}
team:
  - {id: lin, name: 林海, role: manager, email: lin@example.com}
  - {id: zhang, name: 张伟, role: rep, manager: lin, email: zhang@example.com, mobile: "138 0013 8000"}
  - {id: wang, name: 王芳, role: rep, manager: lin, email: wang@example.com, mobile: "+86 139-0013-9000"}
  - {id: zhou, name: 周杰, role: rep}
notify:
  - {via: email}
  - {via: wecom, webhook_env: TEST_WECOM_WEBHOOK}
  - {via: dingtalk, webhook_env: TEST_DINGTALK_WEBHOOK, secret_env: TEST_DINGTALK_SECRET}
smtp: {host: 127.0.0.1, port: %d, from: bot@example.com}
"""
NOTIFY_CUSTOMERS = """\
- {id: CUS-1, name: 甲公司, owner: zhang, key: true, created: 2026-06-01}
- {id: CUS-2, name: 乙公司, owner: wang, key: true, created: 2026-06-01}
- {id: CUS-3, name: 丙公司, owner: zhou, key: true, created: 2026-06-01}
"""


class NotifySetup(NamedTuple):
    root: Path
    env: dict  # the variables notify names, pointing at the local servers
    inbox: Inbox
    robots: RobotServer


@pytest.fixture
def notify_setup(workspace, smtp_server, robot_server):
    """A workspace whose notify lists e-mail, WeCom and DingTalk, all served on 127.0.0.1. As of
    2026-06-30 zhang, wang and zhou each have one dormant customer (a key account without contact
    for 29 days, the limit being 14); zhou has neither e-mail nor mobile."""
    inbox, port, _ = smtp_server
    root = workspace({"customers/all.yaml": NOTIFY_CUSTOMERS}, config=NOTIFY_CONFIG % port)
    env = {"TEST_WECOM_WEBHOOK": robot_server.url("/cgi-bin/webhook/send?key=wecom-test-key-0001"),
           "TEST_DINGTALK_WEBHOOK": robot_server.url("/robot/send?access_token=dingtalk-test-token"),
           "TEST_DINGTALK_SECRET": "SEC0123456789abcdef"}
    return NotifySetup(root, env, inbox, robot_server)


# A small company for the import tests: two customers, a signed contract, two receivables.
IMPORT_FILES = {
    "customers/CUS-0001.yaml": """\
        id: CUS-0001
        name: 上海华东精密机械股份有限公司
        owner: zhang
        status: customer
        tier: A
        created: 2024-03-12
        contacts:
          - name: 周建国
            phone: "139 1762 5580"
            primary: true
        tags: [制造业, 老客户]
        """,
    "customers/CUS-0002.yaml": """\
        id: CUS-0002
        name: 苏州恒瑞医药科技有限公司
        owner: wang
        created: 2025-06-20
        """,
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: signed
        created: 2026-01-05
        signed: 2026-01-20
        items:
          - {name: 精益生产内训, quantity: 4, unit: 期, unit_price: 25000}
        amount: 100000
        approvals:
          - {stage: manager, by: lin, date: 2026-01-06, decision: approved}
          - {stage: legal, by: chen, date: 2026-01-07, decision: approved}
          - {stage: finance, by: zhao, date: 2026-01-08, decision: approved}
        """,
    "receivables/RCV-0001.yaml": """\
        id: RCV-0001
        contract: CT-2026-001
        amount: 40000
        due: 2026-03-01
        invoice: "25312000000004471"
        payments:
          - {date: 2026-02-28, amount: 10000, method: 银行转账, ref: 招行回单 001}
        """,
    "receivables/RCV-0002.yaml": """\
        id: RCV-0002
        contract: CT-2026-001
        amount: 60000
        due: 2026-09-30
        """,
}


@pytest.fixture
def sales(workspace):
    """The root of a fresh copy of IMPORT_FILES (the standard team), for the import tests."""
    return workspace(IMPORT_FILES)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the sample workspace (no run may write into the repository)."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".salesctl")))


@pytest.fixture
def reports_copy(fixture_workspace) -> Path:
    """A copy of tests/fixtures/reports, whose figures are worked out by hand as of 2026-06-30."""
    return fixture_workspace("reports")
