"""`salesctl init`: a new workspace that validates, optionally filled with the sample data."""

from __future__ import annotations

import shutil
import subprocess
import importlib.util
from pathlib import Path

from .config import CONFIG_FILE
from .records import COLLECTIONS

GITIGNORE = ".salesctl/\n"

CONFIG_TEMPLATE = """\
# salesctl workspace config — see the README for every setting and its default.
company:
  name: {company}
currency: CNY
locale: {locale}          # zh_CN | en_US
team:
  - {{id: admin, name: 管理员, role: admin, email: admin@example.com}}
  # - {{id: zhang, name: 张伟, role: rep, group: east, manager: lin, email: zhang@example.com}}
targets: {{}}
rules:
  aging_buckets: [30, 60, 90]
  due_soon_days: 7
  approval_chain: [manager, legal, finance]
"""


class InitError(Exception):
    pass


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
        (directory / CONFIG_FILE).write_text(CONFIG_TEMPLATE.format(company=_yaml_text(name), locale=locale),
                                             encoding="utf-8")
        done.append(f"wrote {directory / CONFIG_FILE}")
    for collection in COLLECTIONS:
        (directory / collection).mkdir(exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists() or ".salesctl/" not in gitignore.read_text(encoding="utf-8", errors="replace"):
        with open(gitignore, "a", encoding="utf-8") as fh:
            fh.write(GITIGNORE)
        done.append("added .salesctl/ to .gitignore")
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
