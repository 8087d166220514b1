"""Values a user gives a writer (on the command line, or as arguments of the library calls), checked
before anything is read or a path is built from them: amounts, dates, ids, text, kinds, files,
and who is writing.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..errors import BadInput
from ..load.paths import is_workspace_file
from ..model import fields as F
from ..model.config import CONFIG_FILE
from ..model.money import MAX_AMOUNT
from ..model.records import COLLECTIONS, SINGULAR, collection_of

ENV_USER = "SALESCTL_USER"
_AMOUNT = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")


def amount_arg(text: str, what: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """An amount typed by the user, exactly: `12000` or `12000.50`; never a float."""
    value = str(text).strip()
    if not _AMOUNT.match(value):
        if "," in value or "，" in value:
            reason = "write it without thousands separators (12000.50, not 12,000.50)"
        elif value.startswith("-"):
            reason = "it must not be negative"
        elif re.match(r"^[0-9]+\.[0-9]{3,}$", value):
            reason = "it has more than 2 decimals"
        else:
            reason = "it is not a plain number such as 12000.50"
        raise BadInput(f"{what} {value!r}: {reason}")
    number = Decimal(value)
    if number > MAX_AMOUNT:
        raise BadInput(f"{what} {value!r} is too large")
    if number == 0 and not allow_zero:
        raise BadInput(f"{what} must be above 0")
    return number


def date_arg(text: str, what: str = "date") -> date:
    typed, code, message = F.parse_date(str(text))
    if code:
        raise BadInput(f"{what}: {message}")
    return typed


def id_arg(text: str, what: str = "id") -> str:
    """An id from the command line; checked before any path is built from it."""
    if not F.ID_PATTERN.fullmatch(str(text)):
        raise BadInput(f"{what} {text!r} is not a valid id (letters, digits, '.', '_', '-'; at most 64)")
    return str(text)


def text_arg(text: str | None, what: str) -> str | None:
    """Free text from the command line; bytes that are not UTF-8 (a shell passes them through) cannot
    be written to a YAML file."""
    if text is not None and any("\ud800" <= ch <= "\udfff" for ch in text):
        try:
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")  # \xff
        except UnicodeEncodeError:  # a lone surrogate, not a byte passed through
            shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        raise BadInput(f"{what} '{shown}' is not UTF-8 text")
    return text


def resolve_by(ws, explicit: str | None = None, env=None) -> str:
    """Who writes: --by, else $SALESCTL_USER, else the team member with `git config user.email`."""
    env = os.environ if env is None else env
    if explicit:
        candidate, source = explicit, "--by"
    elif env.get(ENV_USER):
        candidate, source = env[ENV_USER], ENV_USER
    else:
        email = _git_email(ws.root)
        if not email:
            raise BadInput(f"who is writing? give --by ID, set {ENV_USER}, or set git config user.email "
                           f"to a team member's e-mail")
        for member in ws.config.team:
            if str(member.get("email", "")).lower() == email.lower():
                return member["id"]
        raise BadInput(f"no team member has the e-mail {email} (git config user.email); give --by ID or set {ENV_USER}")
    if ws.member(candidate) is None:
        raise BadInput(f"{source}: no team member {candidate!r} in {CONFIG_FILE}")
    return candidate


def _git_email(root) -> str | None:
    try:
        done = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def kind_arg(kind: str) -> str:
    collection = collection_of(kind)
    if collection is None:
        kinds = ", ".join(SINGULAR[c] for c in COLLECTIONS)
        raise BadInput(f"unknown kind {kind!r}; one of {kinds} (singular or plural)")
    return collection


def file_arg(ws, path: str, collection: str) -> str:
    """A --file PATH (relative to the workspace root) as a workspace path inside the collection.

    The path is taken as written, so a collection folder that is a link to another folder of the
    workspace is still the collection's; where the path leads must be inside the workspace.
    """
    root = Path(ws.root).resolve()
    rel = _from_root(Path(path), root)
    if rel is None or rel.parts[:1] == ("..",):
        raise BadInput(f"--file {path}: not inside the workspace")
    parts = rel.parts
    if len(parts) < 2 or parts[0] != collection or any(p.startswith(".") for p in parts):
        raise BadInput(f"--file {path}: must be a file under {collection}/ (names not starting with '.')")
    if not is_workspace_file("/".join(parts)):  # what the loader reads: here, a YAML suffix
        raise BadInput(f"--file {path}: must end with .yaml or .yml")
    try:
        (root / rel).resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        raise BadInput(f"--file {path}: leads outside the workspace") from None
    return "/".join(parts)


def _from_root(path: Path, root: Path) -> Path | None:
    """`path` relative to the workspace root, as written; an absolute path may reach the root
    through a link."""
    if not path.is_absolute():
        return path
    for ancestor in path.parents:
        try:
            if os.path.samefile(ancestor, root):
                return path.relative_to(ancestor)
        except OSError:
            continue
    return None
