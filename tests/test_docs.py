"""Every command registered in salesctl.cli.COMMANDS, and each of its options, appears in README.md
(as sqlite-utils' tests/test_docs.py does). A command whose module is not written yet is skipped."""

from __future__ import annotations

import re

import click
import pytest

from conftest import ROOT
from salesctl.cli import COMMANDS, GLOBAL_OPTIONS, cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
def _global_option_names() -> set[str]:
    """-C, --workspace, --as-of ...: documented once, not per command."""

    @click.command()
    def probe():
        pass

    for option in GLOBAL_OPTIONS:
        probe = option(probe)
    return {opt for param in probe.params for opt in param.opts}


GLOBAL = _global_option_names()


def mentioned(token: str) -> bool:
    """`token` appears in the README as a word of its own (--limit, not --limited; -f, not --format)."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", README) is not None


def commands_of(name: str, command: click.Command):
    """(`report overdue`, command) for a group's subcommands; (`query`, command) otherwise."""
    if isinstance(command, click.Group):
        for sub_name, sub in command.commands.items():
            yield from commands_of(f"{name} {sub_name}", sub)
    else:
        yield name, command


def loaded(name: str) -> click.Command:
    module = COMMANDS[name][0]
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, f"{name} is registered in COMMANDS but salesctl/cli/{module}.py does not define it"
    return command


def test_global_options_are_documented():
    missing = sorted(opt for opt in GLOBAL if opt.startswith("--") and not mentioned(opt))
    assert not missing, "not in README.md: " + ", ".join(missing)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_and_its_options_are_documented(name):
    missing = []
    for path, command in commands_of(name, loaded(name)):
        if not mentioned(f"salesctl {path}"):
            missing.append(f"salesctl {path}")
        for param in command.params:
            if not isinstance(param, click.Option) or set(param.opts) & (GLOBAL | {"-h", "--help"}):
                continue
            if not any(mentioned(opt) for opt in param.opts):
                missing.append(f"salesctl {path} {'/'.join(param.opts)}")
    assert not missing, "not in README.md: " + ", ".join(missing)
