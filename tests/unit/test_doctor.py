"""The checks of `salesctl doctor`, as a library (the command: tests/cli/test_doctor.py)."""

from __future__ import annotations

import errno
import os
import re
import smtplib
import sys
from datetime import date

from helpers.mail import free_port, smtp_config
from helpers.storage import half_written
from helpers.workspaces import CONFIG, ONE_CUSTOMER
from salesctl import doctor
from salesctl.scaffold import install_hook


def statuses(checks) -> dict:
    return {c.check: c.status for c in checks}


def details(checks) -> dict:
    return {c.check: c.detail for c in checks}


# --- the checks, as a library --------------------------------------------------------------

def test_a_healthy_workspace(git_workspace):
    root = git_workspace()
    install_hook(root)
    checks = doctor.run_checks(root, env={"PATH": os.environ["PATH"]})
    assert statuses(checks) == {"python": "ok", "encoding": "ok", "path": statuses(checks)["path"], "today": "ok",
                                "workspace": "ok", "writes": "ok", "records": "ok", "cache": "ok", "git": "ok",
                                "identity": "ok", "smtp": "skipped", "hook": "ok"}
    assert details(checks)["identity"] == "writers record entries by 'zhang'"
    assert not doctor.failed(checks)


def test_no_workspace_skips_the_rest(tmp_path):
    checks = doctor.run_checks(env={}, cwd=tmp_path)
    assert statuses(checks)["workspace"] == "error" and "no workspace found" in details(checks)["workspace"]
    assert {statuses(checks)[name] for name in ("writes", "records", "cache", "git", "identity", "smtp", "hook")} \
        == {"skipped"}


def test_where_the_workspace_came_from(git_workspace, tmp_path):
    root = git_workspace()
    assert details(doctor.run_checks(root, env={}))["workspace"].endswith("(from -C)")
    by_env = doctor.run_checks(env={"SALESCTL_WORKSPACE": str(root)}, cwd=tmp_path)
    assert details(by_env)["workspace"].endswith("(from SALESCTL_WORKSPACE)")
    assert details(doctor.run_checks(env={}, cwd=root / "customers"))["workspace"].endswith("(from the current directory)")


def test_records_with_errors_are_a_warning(git_workspace):
    checks = doctor.run_checks(git_workspace({"customers/bad.yaml": "[[["}), env={})
    assert statuses(checks)["records"] == "warning"
    assert details(checks)["records"].startswith("1 errors, 0 warnings in 3 files")
    assert not doctor.failed(checks)


def test_an_unwritable_cache_is_a_warning(git_workspace, monkeypatch):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)  # how the probe file is made
    checks = doctor.run_checks(git_workspace(), env={})
    assert statuses(checks)["cache"] == "warning"
    assert details(checks)["cache"].endswith("/.salesctl/cache: No space left on device; commands still work, "
                                             "but parse every file on every run")


def test_a_salesctl_file_or_link_stops_writers_and_caches(git_workspace, tmp_path):
    checks = doctor.run_checks(git_workspace({".salesctl": "a file, not a folder\n"}), env={})
    assert statuses(checks)["writes"] == "error" and statuses(checks)["cache"] == "warning"
    assert details(checks)["writes"] == (".salesctl is not a folder; salesctl keeps its lock, journal and caches "
                                         "there: remove it; writers refuse to write until then")
    root = tmp_path / "linked"
    root.mkdir()
    (root / "salesctl.yaml").write_text(CONFIG, encoding="utf-8")
    os.symlink(tmp_path, root / ".salesctl")
    checks = doctor.run_checks(root, env={})
    assert details(checks)["writes"].startswith(f".salesctl is a symbolic link (to {tmp_path}); ")
    assert "is a link or not a folder" in details(checks)["cache"]
    assert statuses(checks)["records"] == "ok" and doctor.failed(checks)


def test_a_half_written_plan_is_finished_and_reported(git_workspace, monkeypatch):
    root = git_workspace()
    half_written(root, monkeypatch)
    checks = doctor.run_checks(root, env={})
    assert statuses(checks)["writes"] == "warning"
    assert re.fullmatch(rf"a write interrupted on \S+ \S+ \(pid {os.getpid()}: two customers\) was finished "
                        r"on \S+ \S+: 2 files \(now, by this check\)", details(checks)["writes"])
    assert (root / "customers/CUS-0002.yaml").read_bytes() == b"{id: CUS-0002}\n"
    later = details(doctor.run_checks(root, env={}))["writes"]
    assert later.endswith(": 2 files; check it, then delete .salesctl/journal.log")
    (root / ".salesctl/journal.log").unlink()
    assert statuses(doctor.run_checks(root, env={}))["writes"] == "ok"


def test_git_problems(workspace, git_workspace):
    plain = workspace(ONE_CUSTOMER)
    assert statuses(doctor.run_checks(plain, env={}))["git"] == "warning"
    unignored = git_workspace({".gitignore": "*.bak\n"})
    assert "not git-ignored" in details(doctor.run_checks(unignored, env={}))["git"]


def test_identity_follows_the_writers_rules(git_workspace):
    root = git_workspace()
    assert details(doctor.run_checks(root, env={"SALESCTL_USER": "wang"}))["identity"].endswith("'wang'")
    lost = doctor.run_checks(root, env={"SALESCTL_USER": "nobody"})
    assert statuses(lost)["identity"] == "warning" and "nobody" in details(lost)["identity"]


def test_an_output_that_cannot_carry_chinese_fails():
    assert doctor.check_encoding("latin-1").status == "error"
    assert "LANG=C.UTF-8" in doctor.check_encoding("ascii").detail
    assert doctor.check_encoding("utf-8").status == "ok"


def test_salesctl_missing_from_path_says_how_to_call_it(tmp_path):
    check = doctor.check_on_path({"PATH": str(tmp_path)})
    assert check.status == "warning" and f"{sys.executable} -m salesctl" in check.detail
    (tmp_path / "salesctl").write_text("#!/bin/sh\n")
    (tmp_path / "salesctl").chmod(0o755)
    assert doctor.check_on_path({"PATH": str(tmp_path)}).status == "ok"


# --- SMTP ----------------------------------------------------------------------------------

def test_smtp_reachable(git_workspace, smtp_server):
    _, port, _ = smtp_server
    checks = doctor.run_checks(git_workspace(config=smtp_config(port)), env={}, timeout=5)
    assert statuses(checks)["smtp"] == "ok" and details(checks)["smtp"] == f"127.0.0.1:{port}: connected"


def test_smtp_unreachable(git_workspace):
    port = free_port()
    checks = doctor.run_checks(git_workspace(config=smtp_config(port)), env={}, timeout=2)
    assert statuses(checks)["smtp"] == "error"
    assert details(checks)["smtp"].startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert doctor.failed(checks)


def test_smtp_without_starttls(git_workspace, smtp_server):
    _, port, _ = smtp_server
    checks = doctor.run_checks(git_workspace(config=smtp_config(port, starttls="true")), env={}, timeout=5)
    assert details(checks)["smtp"] == f"127.0.0.1:{port} does not offer STARTTLS; " \
                                      f"set smtp.tls: ssl or none, or use another port"


def test_smtp_login_needs_the_password_variable(git_workspace):
    checks = doctor.run_checks(git_workspace(config=smtp_config(free_port(), username="bot")), env={})
    assert statuses(checks)["smtp"] == "error" and "SALESCTL_SMTP_PASSWORD is not set" in details(checks)["smtp"]


def test_smtp_login_refused(git_workspace):
    class Refusing:
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ehlo_or_helo_if_needed(self):
            pass

        def login(self, user, password):
            raise smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials")

    root = git_workspace(config=smtp_config(2525, username="bot"))
    checks = doctor.run_checks(root, env={"SALESCTL_SMTP_PASSWORD": "wrong"}, smtp_factory=Refusing)
    assert details(checks)["smtp"] == "127.0.0.1:2525 refused the login of 'bot': 535 5.7.8 bad credentials"


def test_no_smtp_section_means_no_mail_is_meant_to_be_sent(git_workspace):
    assert statuses(doctor.run_checks(git_workspace(), env={}))["smtp"] == "skipped"


# --- notify's robots (checked through the command: tests/cli/test_doctor_notify.py) --------

def test_no_robot_configured_adds_no_check(workspace):
    names = [c.check for c in doctor.run_checks(workspace(), env={})]
    assert "wecom" not in names and "dingtalk" not in names


def test_smtp_over_implicit_tls(workspace, tls_smtp_server, tls_certificate):
    _, port = tls_smtp_server
    root = workspace(config=smtp_config(port, tls="ssl"))
    checks = doctor.run_checks(root, env={"SALESCTL_SMTP_CA_FILE": str(tls_certificate[0])}, timeout=5)
    assert details(checks)["smtp"] == f"127.0.0.1:{port}: connected over TLS"
    assert "CERTIFICATE_VERIFY_FAILED" in details(doctor.run_checks(root, env={}, timeout=5))["smtp"]


def test_today_in_the_workspace_timezone(workspace):
    root = workspace(config=CONFIG + "timezone: Asia/Shanghai\n")
    checks = doctor.run_checks(root, env={}, today=date(2026, 11, 30))
    assert details(checks)["today"] == "2026-11-30 (Asia/Shanghai, from salesctl.yaml); --as-of DATE overrides"
