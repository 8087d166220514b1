"""Sources: where the loader reads a workspace's files from, behind one interface (`Source`).

The working tree (`FileSource`), a git revision (`git.GitSource`) and a writer's planned files
over the working tree (`OverlaySource`) list the same files (`paths.is_workspace_file`), each with
the identity the caches key it by.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import Protocol

from ..model.config import CONFIG_FILE
from ..model.records import COLLECTIONS
from .paths import YAML_SUFFIXES, is_workspace_file, listing_order


class Source(Protocol):
    """What `pipeline.load` reads a workspace from.

    `files()` lists (relative path, identity) in `paths.listing_order`, which a load relies on to
    find a collection's files (`paths.collection_files`); the identity is what the
    caches key a file by: ("file", size, mtime_ns, inode) on disk, ("blob", id) in git, ("overlay",
    digest) for planned contents, ("outside",) for a link leading out of the workspace, which is
    reported and never read. `read(path)` gives a file's bytes.
    """

    root: Path
    label: str  # how messages name the source: "working tree", a revision
    parallel = False  # whether worker processes may read its files on their own

    def files(self) -> list[tuple[str, tuple]]: ...

    def read(self, rel: str) -> bytes: ...


class FileSource(Source):
    """The workspace as it is on disk. `identity` is what the parse cache is keyed by."""

    parallel = True  # plain files: worker processes can read them on their own

    def __init__(self, root: Path):
        self.root = Path(root)
        self.label = "working tree"

    def files(self) -> list[tuple[str, tuple]]:
        """(relative path, identity) of salesctl.yaml and every collection file, sorted."""
        found = []
        config = self.root / CONFIG_FILE
        if config.is_file():
            found.append((CONFIG_FILE, _identity(os.stat(config))))
        real_root = os.path.realpath(self.root)
        for collection in COLLECTIONS:
            path = os.path.join(self.root, collection)
            if os.path.isdir(path):
                if not _inside(os.path.realpath(path), real_root):
                    found.append((collection, ("outside",)))  # a linked folder: writers would follow it
                    continue
                self._scan(collection, real_root, found)
        return found

    def _scan(self, rel_dir: str, real_root: str, found: list):
        """Depth-first, sorted, skipping dot names; directory symlinks are not followed. One `lstat`
        a name, which says what it is as well as its identity: a warm run's listing is mostly this."""
        directory = os.path.join(self.root, rel_dir)
        if _is_repository(directory):
            return  # a submodule or a clone: a revision holds it as a bare commit id, not as files
        prefix, folder = rel_dir + "/", directory + os.sep
        lstat, add = os.lstat, found.append
        try:
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:  # names are looked up in the open folder, not walked to from the root again
            for name in sorted(os.listdir(fd)):
                if name[0] == ".":
                    continue
                try:
                    st = lstat(name, dir_fd=fd)
                except OSError:
                    continue
                mode = st.st_mode
                if S_ISREG(mode):
                    if name.endswith(YAML_SUFFIXES):
                        add((prefix + name, ("file", st.st_size, st.st_mtime_ns, st.st_ino)))  # `_identity`
                elif S_ISDIR(mode):
                    self._scan(prefix + name, real_root, found)
                elif S_ISLNK(mode) and is_workspace_file(prefix + name):
                    self._link(prefix + name, folder + name, real_root, found)
        finally:
            os.close(fd)

    @staticmethod
    def _link(rel: str, path: str, real_root: str, found: list):
        """A link among a collection's files: listed when it leads to a regular file inside the workspace."""
        if not _inside(os.path.realpath(path), real_root):
            found.append((rel, ("outside",)))
            return
        try:
            st = os.stat(path)
        except OSError:
            return
        if S_ISREG(st.st_mode):  # not a FIFO or device, which would block the read or never end
            found.append((rel, _identity(st)))

    def read(self, rel: str) -> bytes:
        with open(self.root / rel, "rb") as fh:
            return fh.read()


def _is_repository(directory: str) -> bool:
    """Whether `directory` is the top of another git repository: a `.git` file (a submodule's
    pointer to its git directory) or a `.git` folder with a HEAD."""
    git_dir = os.path.join(directory, ".git")
    return os.path.isfile(git_dir) or os.path.isfile(os.path.join(git_dir, "HEAD"))


def _identity(st: os.stat_result) -> tuple:
    return ("file", st.st_size, st.st_mtime_ns, st.st_ino)


RACY_NS = 2_000_000_000  # a file written this recently may be written again with the same identity


def settled(identity: tuple, now_ns: int) -> bool:
    """Whether a file's identity can key a cache entry. A file modified within RACY_NS of the
    run could change again within the same timestamp tick, keeping size, mtime and inode (git's
    "racy clean" problem): its entry is not stored, and it is read afresh next time."""
    return identity[0] != "file" or identity[2] < now_ns - RACY_NS


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class OverlaySource(Source):
    """The workspace on disk with some files replaced (or added) by planned contents.

    `listing`: the base's files as a load just listed them, so that a plan checked right after that
    load does not list the whole workspace again."""

    def __init__(self, base: FileSource, overlay: dict[str, bytes], listing=None):
        self.base = base
        self.root = base.root
        self.overlay = overlay
        self.label = base.label
        self.listing = listing

    def files(self) -> list[tuple[str, tuple]]:
        listed = dict(self.listing if self.listing is not None else self.base.files())
        added = not listed.keys() >= self.overlay.keys()
        for rel, data in self.overlay.items():
            listed[rel] = ("overlay", hashlib.sha256(data).hexdigest())  # never equal to a disk identity
        if not added:
            return list(listed.items())  # the base's own order, which is the listing order
        return sorted(listed.items(), key=lambda item: listing_order(item[0]))

    def read(self, rel: str) -> bytes:
        if rel in self.overlay:
            return self.overlay[rel]
        return self.base.read(rel)
