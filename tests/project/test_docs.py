"""The manual (README.md and docs/) keeps up with the code, as sqlite-utils' tests/test_docs.py does.

Every command of salesctl.cli.COMMANDS has a section of its own in docs/ naming each of its
options, and a line in the README; every validation code, every salesctl.yaml setting, every record
field and every derived value is documented where a reader looks for it. Each list is read from the
code, so a new command, option, code, setting or field fails here until it is documented. Every
relative link of the manual points at a file and a heading that exist, and the manual never cites
documents a user of the project does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from helpers.workspaces import ROOT
from salesctl.model import config, payconfig, poolconfig, records
from salesctl.cli import COMMANDS, GLOBAL_OPTIONS, cli
from salesctl.model.problems import CODES
from salesctl.query.query import DERIVED
from salesctl.model.records import SCHEMAS
from salesctl.remind.remind import KINDS
from salesctl.reports.activity import ACTIVITY_KEYS
from salesctl.reports.commission import COMMISSION_KEYS
from salesctl.reports.kpi import KPI_KEYS

DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.glob("*.md"))
MANUAL = [README, *PAGES]
SETUP = "pip install . && salesctl -C sample-workspace report overdue --as-of 2026-11-30\npip install -e '.[dev]' && python -m pytest -q\n"

_FENCE = re.compile(r"^ *(```|~~~).*?^ *\1", re.M | re.S)
_HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$", re.M)
_LINK = re.compile(r"\[[^\]]*\]\(([^()\s]+)\)")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The text without its fenced code blocks (examples may hold anything)."""
    return _FENCE.sub("", text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a page; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, title in _HEADING.findall(prose(text)):
        base = slug(title)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def sections(text: str) -> dict[str, str]:
    """{heading title: its text up to the next heading of the same or a higher level}."""
    body = prose(text)
    matches = list(_HEADING.finditer(body))
    out = {}
    for i, match in enumerate(matches):
        level = len(match.group(1))
        end = next((m.start() for m in matches[i + 1:] if len(m.group(1)) <= level), len(body))
        out[match.group(2)] = body[match.end():end]
    return out


def section(page: str, title: str) -> str:
    found = sections(read(DOCS / page))
    assert title in found, f"docs/{page} has no heading {title!r}"
    return found[title]


def mentioned(token: str, text: str) -> bool:
    """`token` appears as a word of its own (--limit, not --limited; -f, not --format)."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def in_code(name: str, text: str) -> bool:
    """`name` is one of the dotted or listed parts of a `code span` (`rules.aging_buckets`, `"01"`)."""
    return any(name in re.split(r"[^\w]+", span) for span in re.findall(r"`([^`\n]+)`", text))


# --- commands and options ------------------------------------------------------------------

def _global_option_names() -> set[str]:
    """-C, --workspace, --as-of ...: documented once, not per command."""

    @click.command()
    def probe():
        pass

    for option in GLOBAL_OPTIONS:
        probe = option(probe)
    return {opt for param in probe.params for opt in param.opts}


GLOBAL = _global_option_names()


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


def command_sections() -> dict[str, str]:
    """Every heading of docs/ with its text: a command is documented under a heading of its name."""
    found: dict[str, str] = {}
    for page in PAGES:
        for title, text in sections(read(page)).items():
            found[title] = found.get(title, "") + text
    return found


def test_global_options_are_documented():
    text = section("commands.md", "Global options")
    missing = sorted(opt for opt in GLOBAL if not mentioned(opt, text))
    assert not missing, "not in docs/commands.md, Global options: " + ", ".join(missing)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_and_its_options_are_documented(name):
    documented = command_sections()
    readme = read(README)
    missing = []
    for path, command in commands_of(name, loaded(name)):
        if not mentioned(f"salesctl {path}", readme):
            missing.append(f"README.md: salesctl {path}")
        if path not in documented:
            missing.append(f"docs/: a section headed {path!r}")
            continue
        for param in command.params:
            if not isinstance(param, click.Option) or set(param.opts) & (GLOBAL | {"-h", "--help"}):
                continue
            if not all(mentioned(opt, documented[path]) for opt in param.opts):
                missing.append(f"docs/, section {path!r}: {'/'.join(param.opts)}")
    assert not missing, "not documented: " + "; ".join(missing)


# --- validation codes ----------------------------------------------------------------------

def test_every_validation_code_has_a_section_with_its_severity():
    missing = []
    for code, severity in CODES.items():
        try:
            text = section("validation.md", code)
        except AssertionError:
            missing.append(f"no section {code!r}")
            continue
        if not text.strip().startswith(f"**{severity.capitalize()}"):
            missing.append(f"{code}: the section does not start with **{severity.capitalize()}")
    assert not missing, "docs/validation.md: " + "; ".join(missing)


def test_the_table_of_codes_lists_each_code_once_with_its_severity():
    rows = re.findall(r"^\| \[`([\w-]+)`\]\(#[\w-]+\) \| (\w+)", section("validation.md", "Codes"), re.M)
    assert [code for code, _ in rows] == list(CODES)
    assert {code: severity for code, severity in rows} == CODES


# --- salesctl.yaml -------------------------------------------------------------------------

def config_keys() -> list[tuple]:
    """Every key salesctl.yaml may hold, as a path, read from the config module and its defaults."""
    cfg, _ = config.load_config({"company": {"name": "x"}, "team": [{"id": "a", "name": "A", "role": "rep"}]}, {})
    keys = [(top,) for top in config.TOP_KEYS]
    keys += [("company", key) for key in cfg.company] + [("company", "bank", key) for key in cfg.company["bank"]]
    keys += [("team", key) for key in cfg.team[0]]
    keys += [("targets", key) for key in config.TARGET_KEYS]
    for top, defaults in (("rules", config.DEFAULT_RULES), ("review", config.DEFAULT_REVIEW),
                          ("smtp", config.DEFAULT_SMTP), ("pool", poolconfig.DEFAULT_POOL)):
        for key, value in defaults.items():
            keys.append((top, key))
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict):
                    keys += [(top, key, sub) for sub in entry if (top, key, sub) not in keys]
    keys += [("notify", key) for key in config.NOTIFY_KEYS]
    keys += [("calendar", key) for key in payconfig.CALENDAR_KEYS] + [("activity", key) for key in payconfig.ACTIVITY_KEYS]
    keys += [("commission", key) for key in payconfig.DEFAULT_COMMISSION]
    keys += [("commission", "tiers", key) for key in payconfig.TIER_KEYS]
    keys += [("commission", "accelerator", key) for key in payconfig.ACCELERATOR_KEYS]
    keys += [("bonus", key) for key in payconfig.BONUS_KINDS]
    keys += [("pool", "tiers", key) for key in poolconfig.POOL_TIER_KEYS]
    return keys


@pytest.mark.parametrize("path", config_keys(), ids=".".join)
def test_every_config_key_is_documented_in_its_section(path):
    """A top-level key has a section of its name; a key inside it is named in that section."""
    text = section("config.md", path[0])
    assert len(path) == 1 or in_code(path[-1], text), f"docs/config.md, section {path[0]!r}, names no `{'.'.join(path)}`"


def test_every_config_choice_is_documented():
    text = read(DOCS / "config.md")
    choices = [*config.ROLES, *config.LOCALES, *records.COLLECTION_CHANNELS, *config.METRICS, *config.CHANNELS, *payconfig.BASES,
               *payconfig.COMMISSION_METHODS, *poolconfig.PROTECT]
    missing = [choice for choice in choices if not in_code(choice, text)]
    assert not missing, "not in docs/config.md: " + ", ".join(missing)


# --- records and derived values ------------------------------------------------------------

def record_fields(schema: dict, prefix=()):
    for name, spec in schema.items():
        yield prefix + (name,)
        inner = spec.item if spec.kind == "list" else spec
        if inner is not None and inner.schema:
            yield from record_fields(inner.schema, prefix + (name,))


@pytest.mark.parametrize("collection", list(SCHEMAS))
def test_every_record_field_is_documented(collection):
    text = section("workspace.md", collection)
    missing = [".".join(path) for path in record_fields(SCHEMAS[collection]) if not in_code(path[-1], text)]
    assert not missing, f"docs/workspace.md, section {collection!r}: " + ", ".join(missing)


def test_every_derived_value_kpi_and_reminder_is_documented():
    text = read(DOCS / "derived.md")
    names = [*(name for fields in DERIVED.values() for name in fields), *KPI_KEYS, *KINDS, *ACTIVITY_KEYS,
             *COMMISSION_KEYS]
    missing = sorted({name for name in names if not mentioned(name, text)})
    assert not missing, "not in docs/derived.md: " + ", ".join(missing)


# --- links and what the manual may cite ----------------------------------------------------

def links():
    for page in MANUAL:
        for target in _LINK.findall(prose(read(page))):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                yield page, target


@pytest.mark.parametrize("page,target", list(links()), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_relative_link_points_at_a_file_and_heading(page, target):
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.exists(), f"{page.relative_to(ROOT)}: {target} — no file {path}"
    if anchor:
        assert file.suffix == ".md", f"{page.relative_to(ROOT)}: {target} — an anchor into a file that is not Markdown"
        assert anchor in anchors(read(file)), f"{page.relative_to(ROOT)}: {target} — no heading #{anchor} in {path or page.name}"


def test_the_manual_links_every_page():
    linked = {(page.parent / target.partition("#")[0]).resolve() for page, target in links() if target.partition("#")[0]}
    assert not [page.name for page in PAGES if page.resolve() not in linked]


@pytest.mark.parametrize("page", [*MANUAL, ROOT / "bench" / "README.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_a_user_does_not_have(page):
    text = read(page)
    for pattern in (r"\bSPEC\b", r"(?i)\bspecification\b", r"(?i)shared folder", r"\.\./shared",
                    r"(?i)\bissues?\s*#\d+", r"(?i)\bsection \d+\b"):
        assert not re.search(pattern, text), f"{page.relative_to(ROOT)} cites {re.search(pattern, text).group(0)!r}"


def test_readme_starts_with_the_two_setup_commands():
    """CI (.ci/run) and new users run exactly these."""
    assert read(README).startswith(f"# salesctl\n\n```sh\n{SETUP}```\n")
