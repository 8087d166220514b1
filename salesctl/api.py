"""The Python API: what the commands do, as documented functions (docs/api.md). The commands call
these very functions.

    from salesctl import api

    ws = api.open_workspace("acme-sales")
    problems, files = api.validate(ws)
    ledger = api.report_overdue(ws.usable(), date(2026, 11, 30))
    plan = api.pay(ws.root, "RCV-0015", Decimal("30000"), on=date(2026, 12, 1))

Read functions take a loaded workspace; `ws.usable()` leaves out the records with errors, as the
read commands do. Each declares the collections it reads (`report_overdue.reads`, `query_reads`):
`open_workspace(reads=...)` then loads only those, as the commands do. Writers take the workspace folder: each loads the workspace under the writers'
lock, checks its plan against it and writes it whole (`dry_run` writes nothing) and returns the
plan. Every failure is an exception of `salesctl.errors`. Each function imports its feature when
called, so that `import salesctl.api` stays cheap and a command loads only what it uses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .model.periods import Period
from .model.records import COLLECTIONS
from .model.workspace import Workspace


def reads(*collections):
    """Declare the collections a read function looks at, for itself, the derived values it computes
    and the records it names: its `reads`, which the command that calls it loads (and only those,
    when the cache allows; see `open_workspace`). A collection left out is not there to read."""
    def declare(function):
        function.reads = frozenset(collections)
        return function

    return declare


# --- the workspace -------------------------------------------------------------------------

def open_workspace(path=None, *, rev: str | None = None, cache: bool = True, progress=None,
                   require_config: bool = True, as_of: date | None = None, reads=None) -> Workspace:
    """The workspace at `path` (default: $SALESCTL_WORKSPACE, else the nearest folder upwards with a
    salesctl.yaml), as committed at `rev` when given: its config, records and problems.

    `cache` reads and writes `.salesctl/cache/`. Without a usable salesctl.yaml it is a
    `WorkspaceError`, unless `require_config` is false (what `validate` reads). Dates are checked
    as of `as_of` (default: today in the workspace's `timezone`). `reads` (collection names, such
    as a read function's `reads`) loads only those collections when the cache knows every problem
    of the workspace as it is; the problems are then still all of them, so that `usable()` leaves
    out the same records as after a whole load. Without it every collection is loaded.
    """
    from .load.loader import open_workspace as load_workspace
    from .load.paths import find_root

    return load_workspace(find_root(path), rev=rev, use_cache=cache, progress=progress, require_config=require_config,
                          as_of=as_of, reads=reads)


@reads()
def validate(ws: Workspace, *, changed_since: str | None = None) -> tuple[list, int]:
    """(problems, files checked): every problem of the workspace, or with `changed_since` (a git
    revision) those of the files changed since it (the rules still run over every record).

    It reads no record itself: a warm load whose verdict is cached then unpickles none."""
    if changed_since is None:
        return ws.problems, ws.files
    from .load.revisions import changed_since as changed, problems_in_files

    return problems_in_files(ws, changed(ws.root, changed_since))


# --- reading -------------------------------------------------------------------------------

@reads("receivables", "contracts", "customers")
def report_overdue(ws: Workspace, as_of: date, *, by: str = "receivable", min_days: int = 0,
                   owner: str | None = None) -> dict:
    """The collection ledger: overdue receivables with aging buckets and next steps, by receivable,
    customer or owner, and the totals per bucket."""
    from .reports.overdue import overdue_report

    return overdue_report(ws, as_of, by=by, min_days=min_days, owner=owner)


@reads("customers", "visits", "contracts", "receivables")
def report_kpi(ws: Workspace, as_of: date, period: Period | str | None = None, *, by: str = "rep") -> dict:
    """The KPIs per rep (or group) for a period (default: the year of `as_of`), each row ranked by
    signed amount, and the total row."""
    from .reports.kpi import kpi_report

    return kpi_report(ws, _period(period, as_of, "%Y"), as_of, by=by)


@reads(*COLLECTIONS)
def report_review(ws: Workspace, as_of: date, period: Period | str | None = None) -> dict:
    """The performance reviews whose period lies within `period` (all without one), scored; for a
    year or quarter, a roll-up row for each rep reviewed only within it; the rows of exactly
    `period` ranked by total."""
    from .model.periods import parse_period
    from .reports.review import review_report

    return review_report(ws, as_of, parse_period(period) if isinstance(period, str) else period)


@reads("customers", "visits", "contracts", "receivables")
def report_activity(ws: Workspace, as_of: date, period: Period | str | None = None, *, by: str = "day",
                    rep: str | None = None, group: str | None = None) -> dict:
    """Calls, effective communications, customers reached and deals per rep and day, week or month
    of `period` (default: the month of `as_of`), with per-workday rates and targets, and the total
    row; every rep (role rep), only `rep`, or only the reps of `group`."""
    from .reports.activity import activity_reps, activity_report

    return activity_report(ws, _period(period, as_of, "%Y-%m"), as_of, by=by,
                           reps=activity_reps(ws, rep=rep, group=group))


@reads(*COLLECTIONS)
def report_commission(ws: Workspace, as_of: date, period: Period | str | None = None, *,
                      detail: bool = False) -> dict:
    """Commission and bonus per rep for `period` (default: the month of `as_of`), and the total
    row; with `detail`, the payments or contracts behind each base and the receivables clawed back."""
    from .reports.commission import commission_report

    return commission_report(ws, _period(period, as_of, "%Y-%m"), as_of, detail=detail)


def dashboard(ws: Workspace, as_of: date, period: Period | str | None = None) -> dict:
    """The figures of the dashboard page (default period: the quarter of `as_of`): `collection`,
    `sales`, `activity`, `pool` and `reviews`, each made of the reports' own documents, None when the
    workspace has nothing to show there."""
    from .dashboard.figures import dashboard_figures, default_period

    return dashboard_figures(ws, default_period(as_of) if period is None else _period(period, as_of, ""), as_of)


def dashboard_page(ws: Workspace, figures: dict, *, command: str = "", cache: bool = True) -> str:
    """The self-contained HTML page of `dashboard`'s figures, in the workspace locale; `command`
    (the command line that gives the same figures) goes in its footer. Needs the `dashboard`
    extra (vl-convert-python); without it an `ExportError`. `cache` reads and writes the drawn
    charts in `.salesctl/cache/` (a chart of unchanged figures is not drawn again)."""
    from .dashboard.page import render

    if not cache:
        return render(figures, ws.config, command)
    from .load.cache import ChartCache
    from .load.paths import CHARTS_CACHE

    charts_cache = ChartCache(ws.root / CHARTS_CACHE)
    page = render(figures, ws.config, command, charts_cache)
    charts_cache.save()
    return page


def _period(period: Period | str | None, as_of: date, default: str) -> Period:
    """A period as given (a `Period` or its label), else the one of `as_of` that `default` formats."""
    from .model.periods import parse_period

    if isinstance(period, Period):
        return period
    return parse_period(period if period is not None else as_of.strftime(default))


def query_reads(collection: str, where=None, sort=(), fields=()) -> frozenset:
    """The collections `query` of `collection` reads: the collection, those its derived fields read,
    and those its references name (`customer.name`); given the query's texts, only the references
    they go through."""
    from .query.query import reads as query_reads_of, resolve_collection, text_reads

    collection = resolve_collection(collection)
    if where is None and not sort and not fields:
        return query_reads_of(collection)
    return text_reads(collection, where or (), sort, fields)


def query(ws: Workspace, collection: str, as_of: date, *, where=(), sort=(), fields=(),
          limit: int | None = None) -> list[dict]:
    """The records of a collection with their derived fields, as `salesctl query` lists them:
    filtered by `where` (`FIELD OP VALUE` texts; `today+7` counts from `as_of`), sorted by `sort`
    (`[-]FIELD`), at most `limit`; every field, or the `fields` asked for (dotted paths allowed, also
    through a reference: `customer.name`)."""
    from .query.query import compile_query, resolve_collection

    compiled = compile_query(resolve_collection(collection), ws.config, where=where, sort=sort, fields=fields,
                             limit=limit, today=as_of)
    rows = compiled.run(ws, as_of)
    return rows if compiled.columns is None else [compiled.select(row, compiled.columns) for row in rows]


@reads(*COLLECTIONS)
def show(ws: Workspace, record, as_of: date) -> dict:
    """A record (or its id) with its derived fields and the records related to it."""
    from .query.query import describe

    if not hasattr(record, "collection"):
        record = ws.find(record)
    document = describe(ws, record, as_of)
    if record.collection == "reviews":
        document["score"] = _review_score(ws, record, as_of)
    return document


def _review_score(ws: Workspace, review, as_of: date) -> dict:
    """A review's row of `report review --period` its own period: each indicator's score, the
    weighted total, the grade and the rank among the reviews of that period."""
    from .model.periods import parse_period
    from .reports.review import review_report

    rows = review_report(ws, as_of, parse_period(review["period"]))["rows"]
    row = next(row for row in rows if row["review"] == review.id)
    return {key: row[key] for key in ("scores", "total", "grade", "rank")}


@reads(*COLLECTIONS)
def sql(ws: Workspace, statement: str, as_of: date, *, limits=None):
    """(column names, rows) of one read-only SQL statement over the workspace tables (derived columns
    as of `as_of`), within `limits` (`query.tables.Limits`: 5 seconds and 256 MB by default)."""
    from .query.tables import Limits, open_database

    return open_database(ws, as_of, limits or Limits()).query(statement)


@reads("customers", "visits", "contracts", "receivables")
def pool(ws: Workspace, as_of: date, *, due: int | None = None) -> dict:
    """The public pool (公海) as of `as_of`: `{as_of, rows}`, the customers nobody owns, the longest
    there first; with `due` (days ahead), `{as_of, until, rows}`: the owned customers whose
    pool_due is on or before `as_of` + `due`, the soonest first."""
    from .reports.pool import pool_report

    return pool_report(ws, as_of, due=due)


@reads("customers", "visits", "contracts", "receivables")
def report_load(ws: Workspace, as_of: date, *, group: str | None = None) -> dict:
    """The customer load of each rep (role rep, of `group`): customers owned, key accounts, tiers,
    active, due to the pool, open contracts, overdue balance, today's claims; and the total row."""
    from .reports.load import load_report

    return load_report(ws, as_of, group=group)


@reads("customers", "visits", "contracts", "receivables")
def reminders(ws: Workspace, as_of: date, *, to: str | None = None) -> list[dict]:
    """What each person must do as of `as_of`: [{to, email, items}] in team order."""
    from .remind.remind import reminders as due

    return due(ws, as_of, to=to)


# --- writing -------------------------------------------------------------------------------

def new(root, kind: str, fields=(), *, on: date, text: str | None = None, file: str | None = None,
        force: bool = False, dry_run: bool = False, cache: bool = True, on_recovery=None, as_of: date | None = None):
    """Add a record of `kind` (customer, visit, ...) with the next id: from `fields` (FIELD=VALUE
    texts, typed by the record format) or from the YAML `text` of a whole record; in a new file, or
    at the end of the records file `file`. A visit dated after `as_of` (default today), or a customer
    named as another, only with `force`."""
    from .write import args, writers
    from .write.run import run_writer

    collection = args.kind_arg(kind)

    def build(ws):
        path = args.file_arg(ws, file, collection) if file else None
        if text is not None:
            return writers.new(ws, collection, text=text, file=path, force=force)
        return writers.new(ws, collection, record=writers.draft_record(ws, collection, fields, on=on), file=path,
                           force=force)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def pay(root, receivable: str, amount: Decimal, *, on: date, method: str | None = None, ref: str | None = None,
        force: bool = False, dry_run: bool = False, cache: bool = True, on_recovery=None, as_of: date | None = None):
    """Record a payment of `amount` on a receivable (dated after `as_of`, default today, only with
    `force`); the balance it reports is the one as of `as_of`."""
    from .write import writers
    from .write.run import run_writer

    return run_writer(root, lambda ws: writers.pay(ws, receivable, amount, on=on, method=method, ref=ref, force=force),
                      dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def collect(root, receivable: str, *, channel: str, on: date, by: str | None = None, note: str | None = None,
            promised: date | None = None, force: bool = False, dry_run: bool = False, cache: bool = True,
            on_recovery=None, as_of: date | None = None):
    """Log a collection action on a receivable; `by` defaults as for the command (`SALESCTL_USER`,
    else the team member with git's user.email)."""
    from .write import args, writers
    from .write.run import run_writer

    def build(ws):
        who = args.resolve_by(ws, by)
        return writers.collect(ws, receivable, channel=channel, by=who, on=on, note=note, promised=promised,
                               force=force)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def approve(root, contract: str, *, stage: str, on: date, by: str | None = None, reject: bool = False,
            comment: str | None = None, force: bool = False, dry_run: bool = False, cache: bool = True,
            on_recovery=None, as_of: date | None = None):
    """Approve (or reject) a contract at one stage of the approval chain, by who has that stage's
    authority (`derive.may_decide`)."""
    from .write import args, writers
    from .write.run import run_writer

    def build(ws):
        who = args.resolve_by(ws, by)
        return writers.approve(ws, contract, stage=stage, by=who, on=on, reject=reject, comment=comment, force=force)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def schedule(root, contract: str, plan: str, *, on: date, file: str | None = None, dry_run: bool = False,
             cache: bool = True, on_recovery=None, as_of: date | None = None):
    """Create a contract's receivables from a payment plan such as `30%@signed,70%@end+30`."""
    from .write import args, writers
    from .write.run import run_writer

    def build(ws):
        path = args.file_arg(ws, file, "receivables") if file else None
        return writers.schedule(ws, contract, plan, on=on, file=path)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def sign(root, contract: str, *, on: date, dry_run: bool = False, cache: bool = True, on_recovery=None,
         as_of: date | None = None):
    """Mark an approved contract signed on `on`, once every stage has approved its current terms."""
    from .write import lifecycle
    from .write.run import run_writer

    return run_writer(root, lambda ws: lifecycle.sign(ws, contract, on=on), dry_run=dry_run, use_cache=cache,
                      on_recovery=on_recovery, as_of=as_of)


def complete(root, contract: str, *, on: date, dry_run: bool = False, cache: bool = True, on_recovery=None,
             as_of: date | None = None):
    """Mark a signed contract completed on `on`."""
    from .write import lifecycle
    from .write.run import run_writer

    return run_writer(root, lambda ws: lifecycle.complete(ws, contract, on=on), dry_run=dry_run, use_cache=cache,
                      on_recovery=on_recovery, as_of=as_of)


def terminate(root, contract: str, *, reason: str, on: date, by: str | None = None, dry_run: bool = False,
              cache: bool = True, on_recovery=None, as_of: date | None = None):
    """Terminate a contract (any status but completed), recording when, by whom and why."""
    from .write import args, lifecycle
    from .write.run import run_writer

    def build(ws):
        return lifecycle.terminate(ws, contract, reason=reason, by=args.resolve_by(ws, by), on=on)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def write_off(root, receivable: str, *, reason: str, on: date, by: str | None = None, dry_run: bool = False,
              cache: bool = True, on_recovery=None, as_of: date | None = None):
    """Write a receivable off as a bad debt (refused when it is paid as of `as_of`)."""
    from .write import args, lifecycle
    from .write.run import run_writer

    def build(ws):
        return lifecycle.write_off(ws, receivable, reason=reason, by=args.resolve_by(ws, by), on=on)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery, as_of=as_of)


def set_fields(root, record: str, assignments, *, force: bool = False, dry_run: bool = False, cache: bool = True,
               on_recovery=None, as_of: date | None = None):
    """Change fields of any record: FIELD=VALUE texts, dotted paths allowed; FIELD= removes one."""
    from .write import setfield
    from .write.run import run_writer

    return run_writer(root, lambda ws: setfield.set_fields(ws, record, assignments, force=force), dry_run=dry_run,
                      use_cache=cache, on_recovery=on_recovery, as_of=as_of)



# --- the public pool (公海) ----------------------------------------------------------------
# Each decides as of `on`, and reads the workspace as of `on` unless `as_of` says otherwise.

def pool_sweep(root, *, on: date, by: str | None = None, dry_run: bool = False, cache: bool = True,
               on_recovery=None, as_of: date | None = None):
    """Release to the pool every owned customer whose pool_due is on or before `on`; the plan's
    `rows` say which, its `notes` what was left out. For a manager or admin (`by`)."""
    from .write import args
    from .write import pool as writers
    from .write.run import run_writer

    return run_writer(root, lambda ws: writers.sweep(ws, by=args.resolve_by(ws, by), on=on),
                      dry_run=dry_run, use_cache=cache, on_recovery=on_recovery,
                      as_of=on if as_of is None else as_of)


def claim(root, customer: str, *, on: date, by: str | None = None, dry_run: bool = False, cache: bool = True,
          on_recovery=None, as_of: date | None = None):
    """`by` takes a customer from the pool, within the limits of the pool config (reclaim lock,
    daily claims, max customers); refused with the reason otherwise."""
    from .write import args
    from .write import pool as writers
    from .write.run import run_writer

    return run_writer(root, lambda ws: writers.claim(ws, customer, by=args.resolve_by(ws, by), on=on),
                      dry_run=dry_run, use_cache=cache, on_recovery=on_recovery,
                      as_of=on if as_of is None else as_of)


def assign(root, customers, *, to: str | None, on: date, by: str | None = None, reason: str | None = None,
           force: bool = False, dry_run: bool = False, cache: bool = True, on_recovery=None,
           as_of: date | None = None):
    """Move `customers` to the team member `to` (None: release them to the pool), all or none;
    refused beyond pool.max_customers unless `force`. For a manager or admin (`by`)."""
    from .write import args
    from .write import pool as writers
    from .write.run import run_writer

    def build(ws):
        return writers.assign(ws, customers, to=to, by=args.resolve_by(ws, by), on=on, reason=reason, force=force)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery,
                      as_of=on if as_of is None else as_of)


def allocate(root, *, on: date, by: str | None = None, group: str | None = None, names=None,
             limit: int | None = None, dry_run: bool = False, cache: bool = True, on_recovery=None,
             as_of: date | None = None):
    """Hand the pool's customers out to the reps (role rep; of `group`, among `names`): tier, then
    time in the pool, each to the eligible rep owning the fewest (docs/pool.md). One plan; its
    `rows` say who gets what, its `notes` what was left. For a manager or admin (`by`)."""
    from .write import args
    from .write import pool as writers
    from .write.run import run_writer

    def build(ws):
        return writers.allocate(ws, by=args.resolve_by(ws, by), on=on, group=group, names=names, limit=limit)

    return run_writer(root, build, dry_run=dry_run, use_cache=cache, on_recovery=on_recovery,
                      as_of=on if as_of is None else as_of)
