"""How the CLI loads a workspace: collector paused, and frozen only when the command owns its process."""

from __future__ import annotations

import gc

from helpers.workspaces import SAMPLE
from salesctl.cli import AppContext


def test_a_command_run_by_another_program_freezes_nothing(run):
    before = gc.get_freeze_count()
    assert run("-C", SAMPLE, "validate").exit_code == 0
    assert gc.get_freeze_count() == before  # a test runner goes on: frozen objects would never be freed
    assert gc.isenabled()


def test_a_command_that_owns_its_process_freezes_what_it_loaded():
    app = AppContext(owns_process=True)
    app.workspace_dir = str(SAMPLE)
    try:
        with app.loading():
            assert not gc.isenabled()
            loaded = [object() for _ in range(10)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(loaded)
    finally:
        gc.unfreeze()


def test_the_collector_is_on_again_after_a_failed_load():
    app = AppContext(owns_process=True)
    try:
        with app.loading():
            raise OSError("disk gone")
    except OSError:
        pass
    assert gc.isenabled()
