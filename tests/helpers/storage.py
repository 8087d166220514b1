"""A plan left half written, as a writer that died between its files would leave it."""

from __future__ import annotations

import errno
import os

import pytest

from salesctl import storage
from salesctl.write.plan import FileChange


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
