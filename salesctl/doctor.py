"""`salesctl doctor`: checks the environment a cron job runs in, and says what is wrong.

Cron starts salesctl with a bare PATH, the C locale, another working directory and no terminal;
a reminder that silently never arrives is the usual result. Each check here is a small function
returning `Check(name, status, detail)`; `run_checks` runs them in order and skips those whose
precondition (a workspace, an smtp section) is missing. Nothing here prints; only `online` checks
send anything: a test e-mail to `smtp.from` and a test message in each robot's group.
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import NamedTuple

from . import storage
from .errors import BadInput, MailError, RobotError, WorkspaceError
from .load.loader import read_settings
from .load.paths import CACHE_DIR, ENV_WORKSPACE, RULES_CACHE, find_root
from .load.pipeline import load
from .model.problems import count
from .remind.deliver import channels
from .remind.mail import PASSWORD_ENV, address, build_message, tls_context
from .remind.robots import Robot, shown
from .render.locale import reminder_texts
from .write.args import resolve_by

OK, WARNING, ERROR, SKIPPED = "ok", "warning", "error", "skipped"
HOOK_MARK = re.compile(r"salesctl\b.*\bvalidate")  # `salesctl validate`, `salesctl -C sales validate`


class Check(NamedTuple):
    check: str
    status: str  # ok | warning | error | skipped
    detail: str

    def as_dict(self) -> dict:
        return self._asdict()


def run_checks(workspace_dir=None, *, env=None, cwd=None, today: date | None = None, encoding: str | None = None,
               timeout: float = 10.0, smtp_factory=smtplib.SMTP, online: bool = False, opener=None) -> list[Check]:
    """Every check, in the order a cron job meets them. `smtp_factory` and `opener` (urllib) are
    replaceable for tests."""
    env = os.environ if env is None else env
    try:
        root, missing = find_root(workspace_dir, env=env, cwd=cwd), None
    except WorkspaceError as exc:
        root, missing = None, exc
    settings = read_settings(root) if root is not None else None
    checks = [check_python(), check_encoding(encoding), check_on_path(env), check_today(today, env, settings)]
    if missing is not None:
        checks.append(Check("workspace", ERROR, str(missing)))
        for name in ("writes", "records", "cache", "git", "identity", "smtp", "hook"):
            checks.append(Check(name, SKIPPED, "no workspace"))
        return checks
    source = "-C" if workspace_dir else ENV_WORKSPACE if env.get(ENV_WORKSPACE) else "the current directory"
    checks.append(Check("workspace", OK, f"{root} (from {source})"))
    checks.append(check_writes(root))  # first: it finishes a write left half done before anything reads
    try:
        ws = load(root)
    except WorkspaceError as exc:
        checks.append(Check("records", ERROR, str(exc)))
        checks.append(check_cache(root))
        checks.append(check_git(root))
        checks += [Check(name, SKIPPED, "the workspace cannot be read") for name in ("identity", "smtp")]
        checks.append(check_hook(root))
        return checks
    checks += [check_records(ws), check_cache(root), check_git(root), check_identity(ws, env),
               check_smtp(ws.config, env, timeout, smtp_factory, online=online, today=today)]
    checks += check_robots(ws.config, env, timeout, online=online, today=today, opener=opener)
    checks.append(check_hook(root))
    return checks


def failed(checks) -> bool:
    return any(c.status == ERROR for c in checks)


# --- the process ---------------------------------------------------------------------------

def check_python() -> Check:
    return Check("python", OK, f"{sys.version.split()[0]} at {sys.executable}")


def check_encoding(encoding: str | None) -> Check:
    """Chinese names on a C-locale stdout are an UnicodeEncodeError, or mojibake in the mail."""
    encoding = encoding or "utf-8"
    try:
        "张伟 ¥".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return Check("encoding", ERROR, f"output encoding is {encoding}, which cannot write Chinese; "
                                        f"set LANG=C.UTF-8 (or PYTHONIOENCODING=utf-8) in the crontab")
    return Check("encoding", OK, f"output encoding {encoding}")


def check_on_path(env) -> Check:
    found = shutil.which("salesctl", path=env.get("PATH", os.defpath))
    if found:
        return Check("path", OK, f"salesctl is {found}")
    return Check("path", WARNING, f"salesctl is not on this PATH; in a crontab call it as "
                                  f"{sys.executable} -m salesctl, or set PATH there")


def check_today(today: date | None, env, settings=None) -> Check:
    """Every figure is as of today: a cron job in another time zone reminds a day early or late,
    unless salesctl.yaml (`settings`) names the workspace's `timezone`."""
    if settings is not None and settings.timezone is not None:
        today = today or settings.today()
        return Check("today", OK, f"{today.isoformat()} ({settings.timezone}, from salesctl.yaml); "
                                  f"--as-of DATE overrides")
    today = today or date.today()
    zone = env.get("TZ") or time.strftime("%Z") or "local time"
    return Check("today", OK, f"{today.isoformat()} ({zone}, the system's: salesctl.yaml sets none); "
                              f"--as-of DATE overrides")


# --- the workspace -------------------------------------------------------------------------

def check_records(ws) -> Check:
    errors, warnings = count(ws.problems)
    counts = ", ".join(f"{len(records)} {collection}" for collection, records in ws.records.items())
    if errors:
        return Check("records", WARNING, f"{errors} errors, {warnings} warnings in {ws.files} files ({counts}); "
                                         f"read commands leave those records out: run salesctl validate")
    return Check("records", OK, f"{ws.files} files, {counts}; {warnings} warnings")


def check_writes(root: Path) -> Check:
    """What writers need in `.salesctl/`: a folder of its own, lock files that are salesctl's, and
    no write left half done by a killed writer (finished here, as any command would)."""
    problem = storage.state_problem(root)
    if problem:
        return Check("writes", ERROR, f"{problem}; writers refuse to write until then")
    try:
        recovered = storage.recover(root)
    except storage.LockTimeout as exc:
        return Check("writes", WARNING, str(exc))
    except storage.StorageError as exc:
        return Check("writes", ERROR, f"{exc}; commands refuse to run until then")
    if recovered is not None:
        return Check("writes", WARNING, f"{recovered.message()} (now, by this check)")
    last = storage.last_recovery(root)
    if last is not None:
        return Check("writes", WARNING, f"{last.message()}; check it, then delete {storage.JOURNAL_LOG}")
    return Check("writes", OK, "no write left half done; the lock is salesctl's own")


def check_cache(root: Path) -> Check:
    """Write and remove a file where the parse cache lives: the only place read commands write."""
    directory = Path(root) / CACHE_DIR
    if not storage.state_path_ok(directory / "probe"):
        return Check("cache", WARNING, f"a folder of {directory} is a link or not a folder: commands still work, "
                                       f"but read no cache and parse every file on every run")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".doctor-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return Check("cache", WARNING, f"cannot write {directory}: {exc.strerror or exc}; commands still work, "
                                       f"but parse every file on every run")
    return Check("cache", OK, f"{directory} is writable")


def _git(root: Path, *args) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None


def check_git(root: Path) -> Check:
    if shutil.which("git") is None:
        return Check("git", WARNING, "git not found: --rev, diff, log and validate --changed need it")
    version = _git(root, "--version")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != "true":
        return Check("git", WARNING, f"{root} is not in a git repository: changes are not reviewed or kept")
    ignored = _git(root, "check-ignore", "-q", RULES_CACHE)
    if ignored is not None and ignored.returncode == 1:
        return Check("git", WARNING, ".salesctl/ is not git-ignored: add it to .gitignore so the cache is never committed")
    return Check("git", OK, version.stdout.strip() if version else "git")


def check_identity(ws, env) -> Check:
    """Who writers record as `by` when --by is not given."""
    try:
        member = resolve_by(ws, env=env)
    except BadInput as exc:
        return Check("identity", WARNING, f"{exc} (only writers need it)")
    return Check("identity", OK, f"writers record entries by {member!r}")


def check_smtp(config, env, timeout: float, factory=smtplib.SMTP, *, online: bool = False,
               today: date | None = None) -> Check:
    """Connect (over TLS with smtp.tls: ssl), greet, STARTTLS and log in as `remind --send` would;
    `online`: mail a test message to `smtp.from`, else send nothing.

    Only when salesctl.yaml has an smtp section (the config keeps where each key was written):
    without one, mail is never meant to be sent.
    """
    smtp = config.smtp
    if ("smtp",) not in config.positions:
        return Check("smtp", SKIPPED, "no smtp section in salesctl.yaml (remind --outbox DIR needs none)")
    host, port = smtp["host"], smtp["port"]
    where = f"{host}:{port}"
    password = env.get(PASSWORD_ENV)
    if smtp.get("username") and not password:
        return Check("smtp", ERROR, f"smtp.username is {smtp['username']!r} but {PASSWORD_ENV} is not set "
                                    f"(cron does not read your shell profile)")
    steps = []
    tls = smtp["tls"]
    try:
        if tls == "ssl":  # implicit TLS: the handshake comes first
            opened = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(env))
        else:
            opened = factory(host, port, timeout=timeout)
        with opened as server:
            server.ehlo_or_helo_if_needed()
            steps.append("connected over TLS" if tls == "ssl" else "connected")
            if tls == "starttls":
                server.starttls(context=tls_context(env))
                steps.append("STARTTLS")
            if smtp.get("username"):
                server.login(smtp["username"], password)
                steps.append(f"logged in as {smtp['username']}")
            if online:
                server.send_message(_test_mail(config, today),
                                    mail_options=["BODY=8BITMIME"] if server.has_extn("8bitmime") else [])
                steps.append(f"test message sent to {smtp['from']}")
            server.noop()
    except smtplib.SMTPAuthenticationError as exc:
        return Check("smtp", ERROR, f"{where} refused the login of {smtp['username']!r}: {_reply(exc)}")
    except smtplib.SMTPNotSupportedError:
        return Check("smtp", ERROR, f"{where} does not offer STARTTLS; set smtp.tls: ssl or none, or use another port")
    except (OSError, smtplib.SMTPException, MailError) as exc:
        done = f" after {', '.join(steps)}" if steps else ""
        return Check("smtp", ERROR, f"cannot reach {where}{done}: {_reply(exc)}")
    return Check("smtp", OK, f"{where}: {', '.join(steps)}")


def _test_text(config, today: date | None) -> tuple[str, str]:
    """(title, text) of a test message, in the workspace locale."""
    words = reminder_texts(config.locale)
    title = f"{words['keyword']} {(today or date.today()).isoformat()}"
    return title, words["test"].format(keyword=words["keyword"], company=config.company.get("name") or "")


def _test_mail(config, today: date | None):
    title, text = _test_text(config, today)
    bot = address(config.company.get("name"), config.smtp["from"])
    return build_message(bot, bot, title, text + "\n")


def check_robots(config, env, timeout: float, *, online: bool = False, today: date | None = None,
                 opener=None) -> list[Check]:
    """Each group robot of `notify`: its webhook URL (and secret) in the environment; `online`:
    a test message posted in its group, with the platform's answer explained."""
    checks = []
    for channel in channels(config, env):
        if channel.via == "email":
            continue
        if channel.problem:
            checks.append(Check(channel.via, ERROR, channel.problem))
            continue
        detail = f"${channel.webhook_env}: {shown(channel.url)}"
        if channel.secret_env:
            detail += f", signed with ${channel.secret_env}"
        if online:
            title, text = _test_text(config, today)
            robot = Robot(channel.via, channel.url, channel.secret, timeout=timeout, opener=opener,
                          webhook_env=channel.webhook_env, secret_env=channel.secret_env,
                          keyword=reminder_texts(config.locale)["keyword"])
            try:
                robot.post(robot.markdown(f"## {title}\n\n{text}", title, []))
            except RobotError as exc:
                checks.append(Check(channel.via, ERROR, f"{detail}: {exc}"))
                continue
            detail += "; test message posted"
        checks.append(Check(channel.via, OK, detail))
    return checks


def _reply(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


def check_hook(root: Path) -> Check:
    """Whether commits are validated first: a plain git hook or a pre-commit config."""
    hooks = _git(root, "rev-parse", "--git-path", "hooks")
    if hooks is not None and hooks.returncode == 0:
        hook = Path(root) / hooks.stdout.strip() / "pre-commit"
        try:
            if HOOK_MARK.search(hook.read_text(encoding="utf-8", errors="replace")):
                return Check("hook", OK, f"{hook} runs salesctl validate")
        except OSError:
            pass
    top = _git(root, "rev-parse", "--show-toplevel")
    config = Path(top.stdout.strip() if top is not None and top.returncode == 0 else root) / ".pre-commit-config.yaml"
    try:
        if "salesctl-validate" in config.read_text(encoding="utf-8", errors="replace"):
            return Check("hook", OK, f"{config} runs salesctl-validate")
    except OSError:
        pass
    return Check("hook", SKIPPED, "no pre-commit hook runs salesctl validate (salesctl init --hook adds one)")
