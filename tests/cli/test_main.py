"""The `salesctl` command itself: --version, --help and every command's example, the global options,
no workspace found, and every command a call of salesctl.api."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from helpers.api import FILES
from helpers.workspaces import ROOT, SAMPLE
from salesctl import api
from salesctl.load.paths import PARSE_CACHE


def test_cli_without_workspace_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESCTL_WORKSPACE", raising=False)
    result = run("validate")
    assert result.exit_code == 2
    assert "no workspace found" in result.stderr
    assert "Traceback" not in result.output


def test_bad_as_of_is_a_usage_error(run, workspace):
    result = run("-C", workspace(), "validate", "--as-of", "2026-02-30")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--as-of': '2026-02-30' is not a real date\n" in result.stderr


def test_version_and_help(run):
    assert run("--version").stdout.startswith("salesctl, version")
    result = run("--help")
    assert result.exit_code == 0 and "validate" in result.stdout


def test_every_command_help_has_an_example(run):
    from salesctl.cli import COMMANDS

    for name in COMMANDS:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, name


def test_no_cache_option_writes_nothing(workspace, run):
    root = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\nname: 甲\nowner: zhang\ncreated: 2026-01-01\n"})
    assert run("--no-cache", "-C", root, "validate").exit_code == 0
    assert not (root / ".salesctl" / "cache").exists()
    assert run("-C", root, "validate").exit_code == 0
    assert (root / PARSE_CACHE).exists()


def test_the_commands_call_the_api(run, workspace, monkeypatch):
    root = workspace(FILES)
    called = []
    real = api.pay

    def pay(*args, **kwargs):
        called.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "pay", pay)
    result = run("-C", root, "pay", "RCV-0002", "4000", "--date", "2026-11-30", "--dry-run")
    assert result.exit_code == 0 and called == [("RCV-0002", Decimal("4000"))]


# --- the program run as a process: it ends the process itself -----------------------------

def _program(*args, prelude="", stdout=subprocess.PIPE):
    """`salesctl ARGS` as its own process (`main()` on the process's arguments)."""
    code = f"import sys\n{prelude}\nfrom salesctl.cli import main\nsys.argv[0] = 'salesctl'\nmain()\n"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_process_prints_all_its_output_and_exits_with_the_commands_code(run, workspace):
    args = ("-C", SAMPLE, "--as-of", "2026-11-30", "query", "visits", "--format", "json")
    process = _program(*args)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out.decode("utf-8"), err) == (0, run(*args).stdout, b"")
    broken = workspace({"customers/CUS-0001.yaml": "id: CUS-0001\n"})  # no name, owner, created
    for args, code in ((("-C", SAMPLE, "quer"), 2), (("-C", broken, "validate"), 1)):
        process = _program(*args)
        assert process.wait(timeout=60) == code == run(*args).exit_code, args


def test_a_process_runs_the_exit_handlers():
    process = _program("--version", prelude="import atexit\natexit.register(lambda: print('handled', file=sys.stderr))")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and out.startswith(b"salesctl, version") and err == b"handled\n"


def test_a_reader_that_goes_away_ends_the_process_quietly():
    """`salesctl query … | head`: the rest of the output has nowhere to go; no traceback."""
    process = _program("-C", SAMPLE, "--as-of", "2026-11-30", "query", "visits", "--format", "json")
    assert process.stdout.read(10) == b'[\n  {\n    '
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode in (0, 1) and err == b""
