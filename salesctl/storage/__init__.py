"""salesctl's files on disk: a writer's plan put there whole or not at all, and `.salesctl/`.

Imports nothing else of salesctl but `errors`. The loader reads the working tree under `reading`,
the caches write with `replace_file` where `state_path_ok`, the writers `apply` their plans under
`writer_lock`.

salesctl keeps its own state in `.salesctl/` (git-ignored):
- `lock`: a writer holds it for its whole command (read, plan, check, write), so writers take
  turns. An advisory lock, released by the system when its holder dies: it never goes stale.
- `files.lock`: commands that read the working tree hold it shared while they read (`reading`);
  `apply` holds it alone while it changes files, so no reader sees part of a plan.
- `journal`: written and flushed before the first file of a plan changes, removed after the last;
  it holds every file's old and new bytes. A writer killed in between leaves it behind, and the
  next command, reader or writer, finishes the plan from it before it reads anything (`recover`).
- `journal.log`: one line per plan finished that way, for `salesctl doctor`.
Nothing there is opened through a symbolic link, nor written when it is not salesctl's own (a
lock file holding something else, a second hard link): such a `.salesctl/` is refused with the
reason (`Unsafe`). The danger is a link that is there before the command starts (committed by
force, say); whoever can race a running command could as well change the files themselves.

A file is replaced whole: its new bytes go to a hidden temporary file beside it, flushed to disk,
renamed over it with its mode and owner. A symbolic link is written through to its target when
that is inside the workspace, and refused otherwise. A file with other hard links, or whose owner
cannot be given to a new file, is written in place: the journal holds its old bytes.

Modules: `state` (the folder, its own files, the locks), `files` (reading and replacing one file;
reading and appending to a file of `.salesctl/`), `journal` (a plan's bytes kept until it is done; recovery), `plans` (the
writer's lock, the readers' lock, `apply`). What the rest of salesctl uses is named here.
"""

from ..errors import Conflict, LockTimeout, StorageError, Unfinished, Unsafe
from .files import TEMP_SUFFIX, append_state_file, read_file, read_state_file, replace_file
from .journal import JOURNAL, JOURNAL_LOG, Recovery, last_recovery, recover
from .plans import apply, reading, writer_lock
from .state import NOFOLLOW, NONBLOCK, STATE_DIR, lock_timeout, state_lock, state_path_ok, state_problem

__all__ = ["JOURNAL", "JOURNAL_LOG", "NOFOLLOW", "NONBLOCK", "STATE_DIR", "TEMP_SUFFIX", "Conflict", "LockTimeout",
           "Recovery", "StorageError", "Unfinished", "Unsafe", "append_state_file", "apply", "last_recovery",
           "lock_timeout", "read_file", "read_state_file", "reading", "recover", "replace_file", "state_lock",
           "state_path_ok", "state_problem", "writer_lock"]
