"""The fixtures every test module may use: a workspace from literal texts, the CLI run as a user would
run it, git repositories, the shared fixture workspaces, and local servers standing in for an SMTP
server and the WeCom and DingTalk group robots.

Plain values and functions (paths, the standard team, literal records) are in tests/helpers/: test
modules import those from there, and take fixtures as arguments."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from helpers.git import BASE, Repo, git
from helpers.importing import FILES as IMPORT_FILES
from helpers.mail import free_port
from helpers.query import FILES as QUERY_FILES
from helpers.workspaces import CONFIG, FIXTURES, ONE_CUSTOMER, SAMPLE, write_workspace
from helpers.writers import FILES as WRITER_FILES, Repo as WritersRepo
from salesctl.cli import cli
from salesctl.load.pipeline import load


# --- workspaces and the command line ------------------------------------------------------

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


@pytest.fixture
def reports_root(fixture_workspace) -> Path:
    """A copy of tests/fixtures/reports, whose records are built so that every figure of the report
    and reminder tests can be checked by hand as of 2026-06-30 (its files say what each record is
    there to exercise)."""
    return fixture_workspace("reports")


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the sample workspace (no run may write into the repository)."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".salesctl")))


@pytest.fixture
def reports_ws(reports_root):
    """The workspace of `reports_root`, loaded: it has no problem."""
    ws = load(reports_root)
    assert ws.problems == []
    return ws


@pytest.fixture(scope="module")
def query_root(tmp_path_factory) -> Path:
    """The workspace of `helpers.query.FILES` (every field type, list and derived value; figures as
    of `helpers.query.AS_OF`), written once per test module: its tests only read it."""
    return write_workspace(tmp_path_factory.mktemp("query") / "ws", QUERY_FILES)


@pytest.fixture(scope="module")
def query_ws(query_root):
    """`query_root` loaded, its usable records."""
    return load(query_root).usable()


@pytest.fixture
def sales(workspace):
    """The root of a fresh copy of `helpers.importing.FILES` (the standard team), for the import tests."""
    return workspace(IMPORT_FILES)


# --- git -----------------------------------------------------------------------------------

@pytest.fixture
def quiet_git(monkeypatch, tmp_path_factory):
    """Git with no user configuration, a fixed committer, and `main` as the first branch. Modules
    that run git take it for every test: `pytestmark = pytest.mark.usefixtures("quiet_git")`."""
    home = tmp_path_factory.mktemp("git-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = 张伟\n\temail = dev@example.com\n"
                                     "[commit]\n\tgpgsign = false\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)


@pytest.fixture
def repo(tmp_path, quiet_git):
    """`repo(files, subdir="")` -> a `helpers.git.Repo` whose first commit holds the workspace
    `files` (`helpers.git.BASE` by default)."""

    def make(files: dict | None = None, subdir: str = "", message: str = "初始化工作区") -> Repo:
        top = tmp_path / "repo"
        root = top / subdir if subdir else top
        write_workspace(root, {})
        result = Repo(top, root)
        result.git("init", "-q")
        (top / ".gitignore").write_text(".salesctl/\n")
        result.commit(message, BASE if files is None else files)
        return result

    return make


@pytest.fixture
def git_workspace(workspace):
    """`git_workspace(files, config)` -> the root of a workspace (one customer and `files`) that is a
    git repository with nothing committed, .salesctl/ ignored and zhang@example.com as its user, as
    `salesctl init` leaves it."""

    def make(files=None, config=CONFIG):
        root = workspace({**ONE_CUSTOMER, ".gitignore": ".salesctl/\n", **(files or {})}, config=config)
        git(root, "init", "-q")
        git(root, "config", "user.email", "zhang@example.com")
        git(root, "config", "user.name", "张伟")
        return root

    return make


@pytest.fixture
def writers_repo(workspace, monkeypatch):
    """`writers_repo(files=None, extra=None)` -> a `helpers.writers.Repo` holding the workspace of
    `helpers.writers.FILES` (or `files`, plus `extra`), everything committed; no SALESCTL_USER."""
    monkeypatch.delenv("SALESCTL_USER", raising=False)
    monkeypatch.setenv("SALESCTL_LOCK_TIMEOUT", "5")

    def make(files=None, extra=None):
        root = workspace({**(WRITER_FILES if files is None else files), **(extra or {})})
        (root / ".gitignore").write_text(".salesctl/\n")
        r = WritersRepo(root)
        r.git("init", "-q")
        r.git("config", "user.email", "nobody@example.com")
        r.git("config", "user.name", "test")
        r.git("add", "-A")
        r.git("commit", "-qm", "workspace")
        return r

    return make


# --- an SMTP server ------------------------------------------------------------------------

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


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl binary: (certificate file, key
    file). A client trusts it through SALESCTL_SMTP_CA_FILE, as a company names its own authority."""
    import shutil as tools
    import subprocess

    if tools.which("openssl") is None:
        pytest.skip("no openssl binary to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def _tls_controller(certificate, *, implicit: bool):
    """An SMTP server with the certificate: TLS from the first byte (`implicit`), else STARTTLS
    required before mail."""
    import ssl

    from aiosmtpd.controller import Controller

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    inbox = Inbox()
    if implicit:
        return inbox, Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    return inbox, Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True)


@pytest.fixture
def tls_smtp_server(tls_certificate):
    """An SMTP server on 127.0.0.1 speaking TLS from the first byte (implicit TLS, as on port 465):
    yields (inbox, port)."""
    inbox, controller = _tls_controller(tls_certificate, implicit=True)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def starttls_smtp_server(tls_certificate):
    """An SMTP server on 127.0.0.1 that takes mail only after STARTTLS: yields (inbox, port)."""
    inbox, controller = _tls_controller(tls_certificate, implicit=False)
    controller.start()
    try:
        yield inbox, controller.port
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

