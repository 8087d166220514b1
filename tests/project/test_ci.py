"""System packages some tests need: .ci/system-deps installs them, never a test; CI never fails for them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.workspaces import ROOT


SYSTEM_DEPS = ROOT / ".ci" / "system-deps"
BASH = shutil.which("bash")
ALL_MISSING = "chromium fontconfig fonts-wqy-microhei fonts-liberation fonts-noto-cjk"
APT = "-q -y -o Acquire::http::Timeout=30"
INSTALLERS = re.compile(r"\b(apt-get|apt|dpkg|yum|dnf|brew|apk)\b\W+(install|add|-i)\b")


def test_no_test_installs_system_packages():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "apt-get" in line or INSTALLERS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def run_system_deps(tmp_path: Path, apt_get: str | None) -> tuple[subprocess.CompletedProcess, list[str]]:
    """.ci/system-deps on a PATH holding only a fake apt-get (exiting with `apt_get`; None: no apt-get),
    so nothing is found installed and nothing is installed; its result and the apt-get calls."""
    folder = tmp_path / "bin"
    folder.mkdir()
    calls = tmp_path / "apt-get-calls"
    if apt_get is not None:
        fake = folder / "apt-get"
        fake.write_text(f'#!{BASH}\necho "$*" >> {calls}\n{apt_get}\n')
        fake.chmod(0o755)
    result = subprocess.run([BASH, str(SYSTEM_DEPS)], env={"PATH": str(folder)}, capture_output=True, text=True,
                            timeout=60)
    return result, calls.read_text().splitlines() if calls.exists() else []


needs_bash = pytest.mark.skipif(BASH is None, reason="no bash on this machine")
as_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@needs_bash
def test_system_deps_installs_what_is_missing(tmp_path):
    result, calls = run_system_deps(tmp_path, "exit 0")
    assert result.returncode == 0
    if as_root:
        assert calls == [f"{APT} install --no-install-recommends {ALL_MISSING}"]
        assert result.stderr == ""
    else:
        assert calls == []
        assert result.stderr == f"system-deps: not installed: {ALL_MISSING} (not root); the tests that need them skip\n"


@needs_bash
def test_system_deps_offline_says_so_and_succeeds(tmp_path):
    result, calls = run_system_deps(tmp_path, "exit 100")
    assert result.returncode == 0
    if as_root:  # install, then update and install again
        assert calls == [f"{APT} install --no-install-recommends {ALL_MISSING}", f"{APT} update"]
        reason = "apt-get failed; offline?"
    else:
        reason = "not root"
    assert result.stderr == f"system-deps: not installed: {ALL_MISSING} ({reason}); the tests that need them skip\n"


@needs_bash
def test_system_deps_without_apt_get_succeeds(tmp_path):
    result, _ = run_system_deps(tmp_path, None)
    assert result.returncode == 0
    assert result.stderr == f"system-deps: not installed: {ALL_MISSING} (no apt-get); the tests that need them skip\n"


def test_ci_runs_system_deps_first():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == [".ci/system-deps", "pip install -e '.[dev]'", "python -m pytest -q"]


@pytest.mark.parametrize("present,reason", [
    ((), "chromium not found (Debian package chromium; .ci/system-deps installs it)"),
    (("chromium",), "font 'WenQuanYi Micro Hei' not found (Debian package fonts-wqy-microhei; "
                    ".ci/system-deps installs it)"),
])
def test_pdf_tests_skip_saying_why(tmp_path, present, reason):
    """The PDF tests on a PATH without Chromium, or without fontconfig: skipped, with the reason."""
    for name in present:
        (tmp_path / name).write_text("#!/bin/sh\nexit 1\n")
        (tmp_path / name).chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/unit/draft/test_render.py", "-k", "a4_pdf"],
        cwd=ROOT, env={**os.environ, "PATH": str(tmp_path)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout
    assert reason in result.stdout
