"""What the storage tests share: a workspace of one receivable to pay, a plan of ten files, a writer
killed at a chosen system call, a plan left half written."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from helpers.workspaces import write_workspace
from salesctl import storage
from salesctl.write.plan import FileChange

RECEIVABLES = {
    "customers/CUS-0001.yaml": "id: CUS-0001\nname: 华东精密\nowner: zhang\ncreated: 2026-01-05\n",
    "contracts/CT-2026-001.yaml": """\
        id: CT-2026-001
        customer: CUS-0001
        owner: zhang
        title: 精益生产内训
        status: draft
        created: 2026-02-01
        items:
          - {name: 内训, quantity: 1, unit_price: 1000000}
        amount: 1000000
        """,
    "receivables/RCV-0001.yaml": """\
        # 首付款
        id: RCV-0001
        contract: CT-2026-001
        amount: 1000000
        due: 2026-12-31
        payments:
          - {date: 2026-03-01, amount: 1}
        """,
}


def half_written(root, monkeypatch):
    """Leave a plan of two files half written, as a writer that died between them would."""
    record = root / "customers/CUS-0001.yaml"
    real = os.replace
    calls = []

    def failing(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) >= 3:  # the journal and the first file, then nothing more (nor the undo)
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", failing)
        with pytest.raises(storage.Unfinished):
            storage.apply(root, [FileChange("customers/CUS-0001.yaml", record.read_bytes(), b"{id: CUS-0001}\n"),
                                 FileChange("customers/CUS-0002.yaml", None, b"{id: CUS-0002}\n")],
                          note="two customers")
    assert not (root / "customers/CUS-0002.yaml").exists()


OLD = {f"receivables/RCV-{n:04d}.yaml": f"id: RCV-{n:04d}\namount: {n}\n".encode() for n in range(1, 5)}
NEW = {**{rel: data + b"due: 2027-01-01\n" for rel, data in OLD.items()},
       **{f"receivables/2027/RCV-{n:04d}.yaml": f"id: RCV-{n:04d}\namount: {n}\n".encode() for n in range(5, 11)}}
STEPS = ("open", "write", "fsync", "replace", "unlink", "ftruncate", "close")  # what writing a plan calls


def planned(tmp_path):
    """A workspace and a plan of ten files: three replaced, one hard-linked (written in place), six new."""
    root = write_workspace(tmp_path / "ws", {rel: data for rel, data in OLD.items()})
    (root / "archive").mkdir()
    os.link(root / "receivables/RCV-0004.yaml", root / "archive/RCV-0004.yaml")
    return root, [FileChange(rel, OLD.get(rel), data) for rel, data in NEW.items()]


def receivables(root) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "receivables").rglob("*.yaml"))
            if not p.name.startswith(".")}


def write_killed(root, changes, kill) -> bool:
    """Apply `changes` in a child process that SIGKILLs itself before the file system call for
    which `kill(number of that call)` is true; True when it finished first."""
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 1
        try:
            calls = [0]
            for name in STEPS:
                def step(*args, _real=getattr(os, name), **kwargs):
                    calls[0] += 1
                    if kill(calls[0]):
                        os.kill(os.getpid(), signal.SIGKILL)
                    return _real(*args, **kwargs)

                setattr(os, name, step)
            storage.apply(root, changes, note="ten receivables")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return False
    assert os.WEXITSTATUS(status) == 0
    return True
