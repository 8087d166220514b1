"""The workspace as committed at a git revision, read through git itself.

`--rev`, `diff`, `log` and `validate --changed` never check anything out: one `git ls-tree` lists
a revision's files and one long-lived `git cat-file --batch` reads their blobs, so the working
tree and the index are never touched. A blob id is a perfect cache key (`caches.BlobCache`):
revisions share the parse of every file they have in common, and a diff against the working tree
reuses the working tree's parse of every file git says is unchanged (`ChangedFiles`).
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from ..model.config import CONFIG_FILE
from ..model.records import COLLECTIONS
from ..errors import GitError
from .paths import WORKSPACE_PATHS, is_workspace_file, listing_order
from .source import Source

REGULAR_MODES = ("100644", "100755")
SYMLINK_MODE = "120000"
MAX_LINK_HOPS = 40
_BLOB_ENTRY = re.compile(r"([0-7]+) blob ([0-9a-f]+)\t([^\0]*)\0")  # an `ls-tree -z` line: mode, id, path
# Git reads only what we ask; optional locks off so that `git diff` never rewrites the index.
_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"}


def git(cwd, *args: str) -> bytes:
    """Run `git ARGS` in `cwd` and return its output; failures become a GitError with git's reason."""
    return Git(cwd, *args).output()


class Git:
    """`git ARGS` started at once; `output()` waits for it. Git works while Python goes on."""

    def __init__(self, cwd, *args: str):
        self.cwd = cwd
        try:
            self.proc = subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env={**os.environ, **_ENV})
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH); diff, log, --rev and validate --changed need it") from None

    def output(self) -> bytes:
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise GitError(_reason(self.cwd, err))
        return out


def _reason(cwd, stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    text = lines[-1] if lines else "git failed"
    for prefix in ("fatal: ", "error: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if "not a git repository" in text:
        return (f"not a git repository: {cwd} (diff, log, --rev and validate --changed read the workspace's "
                f"git history; run 'git init' and commit first)")
    return f"git: {text}"


class Repository(NamedTuple):
    """Where the workspace sits in its git repository."""

    workspace: Path  # the workspace root on disk
    top: Path  # the repository's top-level directory
    prefix: str  # the workspace relative to `top`: '' or 'path/to/ws/'
    shallow: bool


def repository(workspace) -> Repository:
    out = os.fsdecode(git(workspace, "rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository"))
    top, prefix, shallow = (out.split("\n") + ["", "", ""])[:3]
    return Repository(Path(workspace), Path(top), prefix, shallow == "true")


def resolve(repo: Repository, rev: str) -> str:
    """The commit id `rev` names, or a GitError that says why it names none.

    Any revision git accepts (`:/message`, `HEAD^{/fix}`, `v1^{}`, `@{1}` …): git names the
    object first and peels it to a commit after, since a suffix on `:/message` would become part
    of the searched text.
    """
    if not rev or rev.startswith("-") or any(c in rev for c in "\n\0"):
        raise GitError(f"{rev!r} is not a git revision")
    try:
        named = git(repo.top, "rev-parse", "--verify", "--quiet", rev).decode().strip()
    except GitError:
        named = None
    if named is not None:
        try:
            return git(repo.top, "rev-parse", "--verify", "--quiet", f"{named}^{{commit}}").decode().strip()
        except GitError:
            kind = git(repo.top, "cat-file", "-t", named).decode().strip()
            raise GitError(f"revision {rev!r} names a {kind}, not a commit") from None
    if repo.shallow:
        hint = " (this is a shallow clone, its history is cut off: run 'git fetch --unshallow')"
    else:
        try:
            git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD")
            hint = ""
        except GitError:
            hint = " (the repository has no commits yet)"
    raise GitError(f"unknown revision {rev!r}{hint}")


class GitSource(Source):
    """The workspace as committed at `rev`, a `source.Source` like `source.FileSource`.

    `files()` gives (path, ("blob", id)); `read(path)` gives the blob's bytes. A symbolic link
    (mode 120000) is never read as a file: it is followed within the revision's tree the way the
    working tree follows it, and one leading out of the workspace is reported, not read.
    Submodules (gitlinks) are ignored. Use it as a context manager: it owns a git process.
    """

    def __init__(self, workspace, rev: str, repo: Repository | None = None):
        self.repo = repo or repository(workspace)
        self.rev = rev
        self.commit = resolve(self.repo, rev)
        self.label = f"{rev} ({self.commit[:12]})"
        self.tree = f"{self.commit}:{self.repo.prefix.rstrip('/')}"
        self.links: set[str] = set()  # paths that are symbolic links in this revision
        self._blobs: dict[str, str] = {}
        self._files: list | None = None
        self._batch: CatFile | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._batch is not None:
            self._batch.close()
            self._batch = None

    def files(self) -> list[tuple[str, tuple]]:
        if self._files is None:
            self._files = self._list()
        return self._files

    def _list(self) -> list[tuple[str, tuple]]:
        entries = self._ls_tree(WORKSPACE_PATHS)
        found = []
        for collection in COLLECTIONS:  # a collection folder may itself be a link, as on disk
            mode, sha = entries.get(collection, (None, None))
            if mode == SYMLINK_MODE:
                target = self._link_target(collection, sha)
                if target is None:
                    found.append((collection, ("outside",)))
                    continue
                for rel, entry in self._ls_tree([target]).items():
                    if rel.startswith(target + "/"):
                        entries[collection + rel[len(target):]] = entry
                        self.links.add(collection + rel[len(target):])
        for rel, (mode, sha) in entries.items():
            if not is_workspace_file(rel):
                continue
            if mode == SYMLINK_MODE:
                self.links.add(rel)
                target = self._follow(rel, sha, entries)
                if target == "outside":
                    found.append((rel, ("outside",)))
                    continue
                if target is None:
                    continue
                sha = target
            elif mode not in REGULAR_MODES:
                continue
            self._blobs[rel] = sha
            found.append((rel, ("blob", sha)))
        if CONFIG_FILE not in self._blobs:
            where = f"{self.repo.prefix.rstrip('/')}/" if self.repo.prefix else "the repository root"
            raise GitError(f"no {CONFIG_FILE} in {where} at {self.rev}: the workspace did not exist in that revision")
        identities = dict(found)
        return [(rel, identities[rel]) for rel in sorted(identities, key=listing_order)]

    def read(self, rel: str) -> bytes:
        sha = self._blobs[rel]
        data = self._cat().read(sha)
        if data is None:
            raise GitError(f"git object {sha} ({rel} at {self.rev}) is missing from the repository")
        return data

    def _cat(self) -> "CatFile":
        if self._batch is None:
            self._batch = CatFile(self.repo.top)
        return self._batch

    def _ls_tree(self, paths) -> dict[str, tuple[str, str]]:
        """{path: (mode, blob id)} of the blobs under `paths` (relative to the workspace)."""
        try:
            out = git(self.repo.top, "--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", self.tree, "--", *paths)
        except GitError as exc:
            if "Not a valid object name" in str(exc) and self.repo.prefix:
                raise GitError(f"the workspace ({self.repo.prefix.rstrip('/')}/) did not exist at {self.rev}") from None
            raise
        return {name: (mode, sha) for mode, sha, name in _BLOB_ENTRY.findall(os.fsdecode(out))}

    def _link_target(self, rel: str, sha: str) -> str | None:
        """Where the link at `rel` leads, relative to the workspace; None when out of it."""
        target = os.fsdecode(self._cat().read(sha) or b"")
        if target.startswith("/"):
            root = os.path.realpath(self.repo.workspace).rstrip("/") + "/"
            if not target.startswith(root):
                return None
            path = posixpath.normpath(target[len(root):])
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
        return None if path == ".." or path.startswith("../") else path

    def _follow(self, rel: str, sha: str, entries: dict):
        """The blob a link leads to, "outside" when it leaves the workspace, None when dangling."""
        for _ in range(MAX_LINK_HOPS):
            path = self._link_target(rel, sha)
            if path is None:
                return "outside"
            entry = entries.get(path) or self._ls_tree([path]).get(path)
            if entry is None:
                return None
            mode, sha = entry
            if mode in REGULAR_MODES:
                return sha
            if mode != SYMLINK_MODE:
                return None
            rel = path
        return None


class CatFile:
    """One `git cat-file --batch` process: object names in, contents out. A context manager."""

    def __init__(self, top: Path):
        try:
            self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=top, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         env={**os.environ, **_ENV})
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when the repository lacks it."""
        try:
            self.proc.stdin.write(name.encode() + b"\n")
            self.proc.stdin.flush()
            header = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            header = b""
        if not header:
            raise GitError("git cat-file stopped unexpectedly")
        fields = header.split()
        if fields[-1] == b"missing" or len(fields) != 3:
            return None
        size = int(fields[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)  # the newline after the contents
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()
        self.proc.stdout.close()


# --- which files changed -------------------------------------------------------------------

def changed_files(repo: Repository, commit: str, *, untracked: bool = True) -> set[str]:
    """Workspace files that differ between `commit` and the working tree (staged or not), plus
    untracked ones: paths relative to the workspace, deleted files included."""
    return ChangedFiles(repo, commit, untracked=untracked).result()


class ChangedFiles:
    """`changed_files`, with git started at once and its answer read by `result()`."""

    def __init__(self, repo: Repository, commit: str, *, untracked: bool = True):
        self.prefix = repo.prefix
        where = repo.prefix or "."
        self.runs = [Git(repo.top, "--literal-pathspecs", "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
                         commit, "--", where)]
        if untracked:
            self.runs.append(Git(repo.top, "--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard",
                                 "--full-name", "--", where))

    def result(self) -> set[str]:
        names = [os.fsdecode(n) for run in self.runs for n in run.output().split(b"\0") if n]
        prefix = self.prefix
        return {name[len(prefix):] for name in names if name.startswith(prefix) and is_workspace_file(name[len(prefix):])}
