"""Every `salesctl …` command shown in a code block of the README and docs/ runs as written on a fresh
copy of the sample workspace (a git repository with some history and a tag `v2026Q3`), in the order
the block shows them: each exits 0, or, when the page shows an `error:` line after it, fails (exit 1
or 2) with exactly that message.

A command is taken from a block's line that starts with `salesctl ` or `$ salesctl `; a trailing
`# comment` is dropped. Lines that are not one runnable command are left out, and say why: a pipe
or redirection, `&&`, placeholders (`ID`, `…`), a message sent over the network, an editor, files
of another machine."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.workspaces import ROOT, SAMPLE
from salesctl.cli import cli

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_BLOCKS = {"", "sh", "console", "bash", "shell"}

# Why a runnable-looking line is not run here.
NOT_RUN = [
    (re.compile(r"[|>]|&&|\$\(|`"), "a pipe, redirection or shell expansion"),
    (re.compile(r"…|\.\.\.|\b(ID|REV|CONTRACT|RECEIVABLE|CUSTOMER|FILE|DIR|P|D|NAME)\b"), "a placeholder"),
    (re.compile(r"--send\b|\bnotify\b|\bdoctor\b"), "talks to a mail server or robot"),
    (re.compile(r"--edit\b"), "opens an editor"),
    (re.compile(r"-C acme"), "a workspace made by `init`, tested in tests/cli/test_init.py"),
    (re.compile(r"/srv/|/home/|~/"), "files of another machine"),
    (re.compile(r"\bimport\b"), "the worked import of docs/import.md, run and compared in tests/cli/test_import.py"),
    (re.compile(r"\binit\b"), "creates a workspace, tested in tests/cli/test_init.py"),
]


def examples() -> list:
    """One param per code block: its commands in order, each with the `error:` line shown after it."""
    blocks = []
    for page in PAGES:
        info, commands = None, []
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            text = line.strip()
            if text.startswith("```"):
                if info is None:
                    info, commands, first = text[3:].strip(), [], number
                else:
                    if commands and info in SHELL_BLOCKS:
                        blocks.append(pytest.param(commands, id=f"{page.name}:{first}"))
                    info = None
                continue
            if info not in SHELL_BLOCKS:
                continue
            if commands and commands[-1][0].count('"') % 2:  # a quoted argument going on to this line
                commands[-1][0] += " " + text
                continue
            command = text[2:] if text.startswith("$ ") else text
            if command.startswith("salesctl "):
                commands.append([re.split(r"\s+#\s", command)[0].strip(), None])
            elif commands and commands[-1][1] is None and text.lower().startswith("error:"):
                commands[-1][1] = text
    return blocks


def skipped(command: str) -> str | None:
    return next((why for pattern, why in NOT_RUN if pattern.search(command)), None)


@pytest.fixture(scope="module")
def committed_sample(tmp_path_factory) -> Path:
    """The sample in a git repository: the files, tagged v2026Q3, then five more commits (diff, log
    and --rev HEAD~5 need history)."""
    root = tmp_path_factory.mktemp("docs") / "sample-workspace"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".salesctl"))
    who = ("-c", "user.email=lin@example.com", "-c", "user.name=林海")
    steps = [("init", "-q"), ("add", "-A"), (*who, "commit", "-qm", "样例工作区"), ("tag", "v2026Q3")]
    steps += [(*who, "commit", "-q", "--allow-empty", "-m", f"第 {n} 次提交") for n in range(1, 6)]
    for args in steps:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


@pytest.mark.parametrize("commands", [block for block in examples()
                                      if not all(skipped(command) for command, _ in block.values[0])])
def test_the_examples_run_as_written(commands, committed_sample, tmp_path, monkeypatch):
    from click.testing import CliRunner

    root = Path(shutil.copytree(committed_sample, tmp_path / "sample-workspace", symlinks=True))
    monkeypatch.chdir(root)
    monkeypatch.setenv("SALESCTL_USER", "lin")
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    ran = 0
    for command, error in commands:
        if skipped(command):
            continue
        args = ["." if arg == "sample-workspace" else arg for arg in shlex.split(command)[1:]]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        if error is None:
            assert result.exit_code == 0, f"{command}\n{result.output}"
        else:
            assert result.exit_code in (1, 2) and error in result.output.splitlines(), f"{command}\n{result.output}"
        ran += 1
    assert ran


def test_the_pages_show_commands_to_run():
    assert sum(len(block.values[0]) for block in examples()) > 150
