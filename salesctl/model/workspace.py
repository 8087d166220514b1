"""The loaded workspace: its config, its records, its problems, and the look-ups every report needs.

`load.pipeline.load` builds it; derived values, rules, reports and writers read it. Records are
never changed once built (see `Record`).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

from ..errors import WorkspaceError
from .config import CONFIG_FILE, Config
from .problems import Problem
from .records import Record


class Workspace:
    """Config, records and problems of one workspace, with the look-ups every report needs."""

    typed = None  # each file's typed records (`load.pipeline.TypedFiles`), which a writer's check reuses
    listing = None  # (relative path, identity) of every file read, as the source listed them: the check's too
    as_of: date | None = None  # the day the rules checked dates against (`load.pipeline.load`)

    def __init__(self, root: Path, config: Config, records: dict, problems: list, files: int,
                 config_problem: Problem | None = None):
        self.root = root
        self.config = config
        self.records: dict[str, list[Record]] = records  # every collection, or those a command reads
        self.problems: list[Problem] = problems
        self.files = files
        self.config_problem = config_problem  # why salesctl.yaml gives no usable config; None when it does

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    def usable(self) -> "Workspace":
        """The same workspace without the records that have errors (what read commands use)."""
        kept = {c: [r for r in rs if not r.has_errors] for c, rs in self.records.items()}
        usable = Workspace(self.root, self.config, kept, self.problems, self.files, self.config_problem)
        usable.as_of = self.as_of
        return usable

    def require_config(self, rev: str | None = None):
        """A WorkspaceError (exit 2) when salesctl.yaml (as committed at `rev`, when given) gives
        no usable config: no record can be checked then, and every report would come out empty."""
        p = self.config_problem
        if p is not None:
            at = f" (at {rev})" if rev is not None else ""
            raise WorkspaceError(f"{p.path}:{p.line}:{p.column}{at}: {p.message} [{p.code}]; without a usable "
                                 f"{CONFIG_FILE} no record can be read or checked (run 'salesctl validate')")

    def __iter__(self):
        for records in self.records.values():
            yield from records

    @property
    def loaded(self) -> tuple:
        """The collections loaded: every one, unless the command asked for some (`reads`)."""
        return tuple(self.records)

    @cached_property
    def _by_id(self) -> dict:
        return _IdIndex(self.records)

    def reindex(self):
        """Forget the look-up indexes after records were replaced."""
        for name in ("_by_id", "_receivables_by_contract", "_visits_by_customer", "_contracts_by_customer"):
            self.__dict__.pop(name, None)

    def by_id(self, collection: str) -> dict:
        """{id: record} of a collection, the first record of an id winning."""
        return self._by_id[collection]

    def get(self, collection: str, record_id):
        return self._by_id[collection].get(record_id)

    def ids(self, collection: str):
        """The ids of a collection (a set-like view)."""
        return self._by_id[collection].keys()

    def find(self, record_id) -> Record | None:
        """A record of any loaded collection by id (ids are unique per collection; first match wins)."""
        for collection in self.records:
            record = self._by_id[collection].get(record_id)
            if record is not None:
                return record
        return None

    @staticmethod
    def _group(records, field: str) -> dict:
        index: dict = {}
        for record in records:
            index.setdefault(record.data.get(field), []).append(record)
        return index

    @cached_property
    def _receivables_by_contract(self) -> dict:
        return self._group(self.records["receivables"], "contract")

    @cached_property
    def _visits_by_customer(self) -> dict:
        visits = sorted(self.records["visits"], key=lambda v: (v.data.get("date") or date.min, v.data.get("id") or ""))
        return self._group(visits, "customer")

    @cached_property
    def _contracts_by_customer(self) -> dict:
        return self._group(self.records["contracts"], "customer")

    def receivables_of(self, contract_id) -> list[Record]:
        return self._receivables_by_contract.get(contract_id, [])

    def visits_of(self, customer_id) -> list[Record]:
        """A customer's visits, oldest first."""
        return self._visits_by_customer.get(customer_id, [])

    def contracts_of(self, customer_id) -> list[Record]:
        return self._contracts_by_customer.get(customer_id, [])

    def member(self, member_id) -> dict | None:
        return self.config.member(member_id)


class _IdIndex(dict):
    """{collection: {id: record}}, each collection indexed on its first look-up: a receivables
    query that looks up contracts has no use for an index of its 30,000 receivables."""

    def __init__(self, records: dict):
        super().__init__()
        self._records = records

    def __missing__(self, collection: str) -> dict:
        ids: dict = {}
        for record in self._records[collection]:
            ids.setdefault(record.data.get("id"), record)
        ids.pop(None, None)
        self[collection] = ids
        return ids
