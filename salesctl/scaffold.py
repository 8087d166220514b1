"""`salesctl init`: a new workspace that validates, optionally filled with the sample data."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import importlib.util
from pathlib import Path

from .errors import InitError
from .model.config import CONFIG_FILE
from .model.records import COLLECTIONS
from .render.locale import headings

GITIGNORE_LINES = (".salesctl/", "*.salesctl-tmp")  # local state; a killed writer's leftover temp file

CONFIG_TEMPLATE = """\
# salesctl workspace config — every setting and its default: docs/config.md in the salesctl repository.
company:
  name: {company}
currency: CNY
locale: {locale}          # zh_CN | en_US
team:
  - {{id: admin, name: {admin}, role: admin, email: admin@example.com}}
  # - {{id: zhang, name: {rep}, role: rep, group: east, manager: lin, email: zhang@example.com}}
targets: {{}}
rules:
  aging_buckets: [30, 60, 90]
  due_soon_days: 7
  approval_chain: [manager, legal, finance]
"""


def sample_dir() -> Path:
    """The shipped sample workspace: installed as package data, or beside the package in a checkout."""
    spec = importlib.util.find_spec("salesctl.sample_workspace")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / CONFIG_FILE).is_file():
            return Path(location)
    return Path(__file__).resolve().parent.parent / "sample-workspace"


def create_workspace(directory: Path, *, sample: bool = False, company: str | None = None,
                     locale: str = "zh_CN") -> list[str]:
    """Create the workspace; returns what was done, one line each. Refuses to overwrite a config."""
    directory = Path(directory)
    if (directory / CONFIG_FILE).exists():
        raise InitError(f"{directory / CONFIG_FILE} already exists; not overwriting a workspace")
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory} exists and is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    done = []
    if sample:
        source = sample_dir()
        if not (source / CONFIG_FILE).is_file():
            raise InitError("the sample workspace is not installed with this copy of salesctl")
        shutil.copytree(source, directory, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".salesctl", "__pycache__", "__init__.py"))
        done.append(f"copied the sample workspace into {directory}")
    else:
        name = company or directory.resolve().name or "我的公司"
        words = headings(locale)
        (directory / CONFIG_FILE).write_text(CONFIG_TEMPLATE.format(company=_yaml_text(name), locale=locale,
                                                                    admin=words["init_admin"], rep=words["init_rep"]),
                                             encoding="utf-8")
        done.append(f"wrote {directory / CONFIG_FILE}")
    for collection in COLLECTIONS:
        (directory / collection).mkdir(exist_ok=True)
    gitignore = directory / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8", errors="replace").splitlines() if gitignore.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if missing:
        with open(gitignore, "a", encoding="utf-8") as fh:
            if existing and not gitignore.read_text(encoding="utf-8", errors="replace").endswith("\n"):
                fh.write("\n")
            fh.write("".join(line + "\n" for line in missing))
        done.append(f"added {', '.join(missing)} to .gitignore")
    done.extend(_git_init(directory))
    return done


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _git_init(directory: Path) -> list[str]:
    git = shutil.which("git")
    if git is None:
        return ["git not found: the workspace is not a git repository yet"]
    inside = subprocess.run([git, "rev-parse", "--is-inside-work-tree"], cwd=directory,
                            capture_output=True, text=True)
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        return []
    subprocess.run([git, "init", "-q"], cwd=directory, check=True, capture_output=True)
    return [f"initialized a git repository in {directory}"]


HOOK = """\
#!/bin/sh
# pre-commit hook: salesctl validate (written by `salesctl init --hook`).
# Refuses the commit while the workspace has validation errors; `git commit --no-verify` skips it once.
# It checks the working tree, so stage all of your changes before committing.
cd "$(git rev-parse --show-toplevel)" || exit 1
if command -v salesctl >/dev/null 2>&1; then
    exec salesctl -C {workspace} validate
fi
exec {python} -m salesctl -C {workspace} validate
"""


def install_hook(directory: Path, *, force: bool = False) -> list[str]:
    """Write the repository's `pre-commit` hook so that every commit is validated first.

    An existing hook is kept unless `force` (then it is saved as `pre-commit.old`); a shared
    `core.hooksPath` is never written to, since its hooks serve other repositories too.
    """
    directory = Path(directory).resolve()
    git = shutil.which("git")
    if git is None:
        raise InitError("git not found: a pre-commit hook needs git")

    def ask(*args):
        done = subprocess.run([git, *args], cwd=directory, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    top = ask("rev-parse", "--show-toplevel")
    if top is None:
        raise InitError(f"{directory} is not in a git repository; run git init first")
    shared = ask("config", "core.hooksPath")
    if shared:
        raise InitError(f"git uses the hooks in {shared} (core.hooksPath); add this line to its pre-commit "
                        f"hook instead: salesctl -C {shlex.quote(str(directory))} validate")
    hooks = Path(directory, ask("rev-parse", "--git-path", "hooks"))
    hook = hooks / "pre-commit"
    script = HOOK.format(workspace=shlex.quote(os.path.relpath(directory, Path(top).resolve())),
                         python=shlex.quote(sys.executable))
    done = []
    if hook.exists() or hook.is_symlink():
        if hook.is_file() and hook.read_bytes() == script.encode("utf-8"):
            return [f"{hook} already runs salesctl validate"]
        if not force:
            raise InitError(f"{hook} already exists; --force replaces it (the old one is kept as pre-commit.old), "
                            f"or add this line to it: salesctl validate")
        os.replace(hook, hooks / "pre-commit.old")
        done.append(f"saved the old hook as {hooks / 'pre-commit.old'}")
    hooks.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=hooks, prefix=".pre-commit-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(script)
        os.chmod(temp, 0o755)
        os.replace(temp, hook)
    except BaseException:
        os.unlink(temp)
        raise
    done.append(f"wrote {hook}: every commit runs salesctl validate first")
    return done
