"""`salesctl doctor`, the pre-commit hook `init --hook` writes, and `.pre-commit-hooks.yaml`."""

from __future__ import annotations

import errno
import json
import os
import re
import smtplib
import socket
import stat
import subprocess
import sys

import pytest

from conftest import CONFIG, ROOT
from salesctl import doctor, storage
from salesctl.load.parse import parse_bytes
from salesctl.errors import InitError
from salesctl.scaffold import install_hook

GOOD = {"customers/CUS-0001.yaml": "{id: CUS-0001, name: 甲, owner: zhang, created: 2026-01-05}\n"}


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


@pytest.fixture
def repo(workspace):
    """A workspace that is a git repository with .salesctl/ ignored, as `salesctl init` makes it."""

    def make(files=None, config=CONFIG):
        root = workspace({**GOOD, ".gitignore": ".salesctl/\n", **(files or {})}, config=config)
        git(root, "init", "-q")
        git(root, "config", "user.email", "zhang@example.com")
        git(root, "config", "user.name", "张伟")
        return root

    return make


def statuses(checks) -> dict:
    return {c.check: c.status for c in checks}


def details(checks) -> dict:
    return {c.check: c.detail for c in checks}


# --- the checks, as a library --------------------------------------------------------------

def test_a_healthy_workspace(repo):
    root = repo()
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


def test_where_the_workspace_came_from(repo, tmp_path):
    root = repo()
    assert details(doctor.run_checks(root, env={}))["workspace"].endswith("(from -C)")
    by_env = doctor.run_checks(env={"SALESCTL_WORKSPACE": str(root)}, cwd=tmp_path)
    assert details(by_env)["workspace"].endswith("(from SALESCTL_WORKSPACE)")
    assert details(doctor.run_checks(env={}, cwd=root / "customers"))["workspace"].endswith("(from the current directory)")


def test_records_with_errors_are_a_warning(repo):
    checks = doctor.run_checks(repo({"customers/bad.yaml": "[[["}), env={})
    assert statuses(checks)["records"] == "warning"
    assert details(checks)["records"].startswith("1 errors, 0 warnings in 3 files")
    assert not doctor.failed(checks)


def test_an_unwritable_cache_is_a_warning(repo, monkeypatch):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)  # how the probe file is made
    checks = doctor.run_checks(repo(), env={})
    assert statuses(checks)["cache"] == "warning"
    assert details(checks)["cache"].endswith("/.salesctl/cache: No space left on device; commands still work, "
                                             "but parse every file on every run")


def test_a_salesctl_file_or_link_stops_writers_and_caches(repo, tmp_path):
    checks = doctor.run_checks(repo({".salesctl": "a file, not a folder\n"}), env={})
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


def test_a_lock_that_is_a_link_is_an_error(run, repo):
    root = repo()
    (root / ".salesctl").mkdir()
    os.symlink("../customers/CUS-0001.yaml", root / ".salesctl/lock")
    result = run("-C", root, "doctor")
    assert result.exit_code == 1
    assert ("FAIL  writes     .salesctl/lock is a symbolic link; salesctl never writes through one there: remove "
            "it; writers refuse to write until then\n") in result.stdout


def half_written(root, monkeypatch):
    """Leave a plan of two files half written, as a writer that died between them would."""
    from salesctl.write.plan import FileChange

    record = root / "customers/CUS-0001.yaml"
    real = os.replace
    calls = []

    def failing(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) >= 3:  # the journal and the first file, then nothing more (nor the undo)
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", failing)
        with pytest.raises(storage.Unfinished):
            storage.apply(root, [FileChange("customers/CUS-0001.yaml", record.read_bytes(), b"{id: CUS-0001}\n"),
                                 FileChange("customers/CUS-0002.yaml", None, b"{id: CUS-0002}\n")],
                          note="two customers")
    assert not (root / "customers/CUS-0002.yaml").exists()


def test_a_half_written_plan_is_finished_and_reported(repo, monkeypatch):
    root = repo()
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


def test_a_damaged_journal_is_an_error(run, repo, monkeypatch):
    root = repo()
    half_written(root, monkeypatch)
    journal = root / ".salesctl/journal"
    journal.write_bytes(journal.read_bytes()[:-1])
    result = run("-C", root, "doctor", "--format", "json")
    assert result.exit_code == 1
    found = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert found["writes"]["status"] == "error" and found["records"]["status"] == "error"
    assert found["writes"]["detail"].startswith(".salesctl/journal is damaged: ")
    assert found["writes"]["detail"].endswith("then remove it; commands refuse to run until then")
    assert found["identity"]["status"] == "skipped"


def test_git_problems(workspace, repo):
    plain = workspace(GOOD)
    assert statuses(doctor.run_checks(plain, env={}))["git"] == "warning"
    unignored = repo({".gitignore": "*.bak\n"})
    assert "not git-ignored" in details(doctor.run_checks(unignored, env={}))["git"]


def test_identity_follows_the_writers_rules(repo):
    root = repo()
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

def smtp_config(port, **settings):
    extra = "".join(f", {key}: {value}" for key, value in settings.items())
    return CONFIG + f"smtp: {{host: 127.0.0.1, port: {port}, from: bot@example.com{extra}}}\n"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_reachable(repo, smtp_server):
    checks = doctor.run_checks(repo(config=smtp_config(smtp_server)), env={}, timeout=5)
    assert statuses(checks)["smtp"] == "ok" and details(checks)["smtp"] == f"127.0.0.1:{smtp_server}: connected"


def test_smtp_unreachable(repo):
    port = free_port()
    checks = doctor.run_checks(repo(config=smtp_config(port)), env={}, timeout=2)
    assert statuses(checks)["smtp"] == "error"
    assert details(checks)["smtp"].startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert doctor.failed(checks)


def test_smtp_without_starttls(repo, smtp_server):
    checks = doctor.run_checks(repo(config=smtp_config(smtp_server, starttls="true")), env={}, timeout=5)
    assert details(checks)["smtp"] == f"127.0.0.1:{smtp_server} does not offer STARTTLS; " \
                                      f"set smtp.starttls: false or use another port"


def test_smtp_login_needs_the_password_variable(repo):
    checks = doctor.run_checks(repo(config=smtp_config(free_port(), username="bot")), env={})
    assert statuses(checks)["smtp"] == "error" and "SALESCTL_SMTP_PASSWORD is not set" in details(checks)["smtp"]


def test_smtp_login_refused(repo):
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

    root = repo(config=smtp_config(2525, username="bot"))
    checks = doctor.run_checks(root, env={"SALESCTL_SMTP_PASSWORD": "wrong"}, smtp_factory=Refusing)
    assert details(checks)["smtp"] == "127.0.0.1:2525 refused the login of 'bot': 535 5.7.8 bad credentials"


def test_no_smtp_section_means_no_mail_is_meant_to_be_sent(repo):
    assert statuses(doctor.run_checks(repo(), env={}))["smtp"] == "skipped"


# --- the command ---------------------------------------------------------------------------

def test_cli_text_and_exit_codes(run, repo, tmp_path, monkeypatch):
    root = repo()
    result = run("-C", root, "doctor")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("ok    python")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    missing = run("doctor")
    assert missing.exit_code == 2 and "FAIL  workspace  no workspace found" in missing.stdout


def test_cli_json(run, repo):
    root = repo(config=smtp_config(free_port()))
    result = run("-C", root, "doctor", "--format", "json", "--timeout", "2")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [c["check"] for c in document["checks"]] == ["python", "encoding", "path", "today", "workspace", "writes",
                                                        "records", "cache", "git", "identity", "smtp", "hook"]
    assert {c["status"] for c in document["checks"]} <= {"ok", "warning", "error", "skipped"}


def test_cli_today_follows_as_of(run, repo):
    result = run("-C", repo(), "doctor", "--as-of", "2026-11-30")
    assert "today      2026-11-30" in result.stdout


def test_doctor_writes_nothing_but_its_probe(run, repo):
    root = repo()
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    run("-C", root, "doctor")
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == {**before, root / ".salesctl" / "files.lock": b""}  # the lock every reader shares
    assert list((root / ".salesctl" / "cache").iterdir()) == []


# --- init --hook ---------------------------------------------------------------------------

def commit_env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def try_commit(root, message="change"):
    git(root, "add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, capture_output=True, text=True,
                          env=commit_env())


def test_init_hook_refuses_a_commit_with_errors(run, tmp_path):
    root = tmp_path / "acme"
    result = run("init", root, "--hook")
    assert result.exit_code == 0, result.output
    hook = root / ".git" / "hooks" / "pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert "wrote" in result.stderr and "every commit runs salesctl validate first" in result.stderr
    git(root, "config", "user.email", "admin@example.com")
    git(root, "config", "user.name", "admin")
    assert try_commit(root).returncode == 0
    (root / "customers" / "bad.yaml").write_text("id: CUS-0001\n<<<<<<< HEAD\n")
    refused = try_commit(root, "bad")
    assert refused.returncode == 1
    assert "customers/bad.yaml:2:1: error[yaml-syntax]: git merge conflict marker" in refused.stderr
    (root / "customers" / "bad.yaml").write_text("{id: CUS-0001, name: 甲, owner: admin, created: 2026-01-05}\n")
    assert try_commit(root, "fixed").returncode == 0


def test_hook_for_a_workspace_inside_a_larger_repository(tmp_path, run):
    top = tmp_path / "company"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    root = top / "sales dept's 'data'"
    assert run("init", root, "--hook").exit_code == 0
    script = (top / ".git" / "hooks" / "pre-commit").read_text()
    assert "-C 'sales dept'\"'\"'s '\"'\"'data'\"'\"'' validate" in script
    git(top, "config", "user.email", "a@example.com")
    git(top, "config", "user.name", "a")
    (root / "visits" / "v.yaml").write_text("- {id: V1}\n")
    assert try_commit(top).returncode == 1


def test_hook_in_an_existing_workspace_only_adds_the_hook(repo, run):
    root = repo()
    before = (root / "salesctl.yaml").read_bytes()
    result = run("init", root, "--hook")
    assert result.exit_code == 0
    assert (root / "salesctl.yaml").read_bytes() == before
    again = run("init", root, "--hook")
    assert again.exit_code == 0 and "already runs salesctl validate" in again.stderr


def test_an_existing_hook_is_kept_unless_forced(repo, run):
    root = repo()
    own = root / ".git" / "hooks" / "pre-commit"
    own.write_text("#!/bin/sh\nmake lint\n")
    refused = run("init", root, "--hook")
    assert refused.exit_code == 2 and "already exists; --force replaces it" in refused.stderr
    assert own.read_text() == "#!/bin/sh\nmake lint\n"
    forced = run("init", root, "--hook", "--force")
    assert forced.exit_code == 0
    assert (root / ".git" / "hooks" / "pre-commit.old").read_text() == "#!/bin/sh\nmake lint\n"
    assert "salesctl" in own.read_text()


def test_a_shared_hooks_path_is_never_written(repo, tmp_path):
    root = repo()
    shared = tmp_path / "shared-hooks"
    git(root, "config", "core.hooksPath", str(shared))
    with pytest.raises(InitError, match="core.hooksPath"):
        install_hook(root)
    assert not shared.exists()


def test_force_without_hook_is_a_usage_error(run, tmp_path):
    result = run("init", tmp_path / "x", "--force")
    assert result.exit_code == 2 and "--force only goes with --hook" in result.stderr
    assert not (tmp_path / "x").exists()


def test_hook_outside_a_repository(workspace, monkeypatch):
    root = workspace(GOOD)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    with pytest.raises(InitError, match="not in a git repository"):
        install_hook(root)


# --- pre-commit (pre-commit.com) ------------------------------------------------------------

def test_pre_commit_hooks_file():
    import re

    parsed = parse_bytes((ROOT / ".pre-commit-hooks.yaml").read_bytes())
    assert parsed.problems == []
    (hook,) = [r.data for r in parsed.records]
    assert hook["id"] == "salesctl-validate" and hook["entry"] == "salesctl validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("salesctl.yaml", "customers/CUS-0001.yaml", "visits/2026/11.yml"))
    assert not any(pattern.search(p) for p in ("templates/contract.md.j2", "README.md"))
