"""Writing the workspace tables (`tables`) to files: a SQLite database, CSV files, an Excel workbook;
and a report to a file: its text, or a workbook of one sheet (`render.sheets.Sheet`).

Every file is written to a temporary name beside its target and renamed into place, so a reader
(or a cron job that fails half-way) never sees a half-written export.
"""

from __future__ import annotations

import csv
import os
import secrets
import re
import sqlite3
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from ..render.output import Ratio, cell_text, money
from .tables import Table, create_tables

FORMATS = ("sqlite", "csv", "xlsx")
SUFFIXES = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".xlsx": "xlsx"}
XLSX_MISSING = "xlsx export needs openpyxl: pip install 'salesctl[xlsx]' (or pip install openpyxl)"


class ExportError(ValueError):
    """The export cannot be made as asked (unknown format, missing extra): a usage error."""


def guess_format(path: Path) -> str:
    """The format a path asks for: .sqlite/.sqlite3/.db, .xlsx, else (a folder) csv."""
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix == "" or path.is_dir():
        return "csv"
    raise ExportError(f"cannot tell the format from {str(path)!r}: give --format sqlite, csv (a folder) or xlsx")


def export(tables: list[Table], fmt: str, path: Path) -> list[Path]:
    """Write the tables in `fmt` to `path`; the files written."""
    if fmt == "sqlite":
        return [write_sqlite(tables, path)]
    if fmt == "csv":
        return write_csv(tables, path)
    if fmt == "xlsx":
        return [write_xlsx(tables, path)]
    raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


@contextmanager
def _replacing(path: Path):
    """A temporary name beside `path` (the writer creates the file, with the usual permissions),
    renamed onto `path` when the block succeeds and removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_sqlite(tables: list[Table], path: Path) -> Path:
    """A SQLite database with the same tables `salesctl sql` queries."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; a SQLite export is one file (e.g. -o sales.sqlite)")
    with _replacing(path) as temporary:
        connection = sqlite3.connect(temporary)
        try:
            with connection:
                create_tables(connection, tables)
        finally:
            connection.close()
    return path


def write_csv(tables: list[Table], directory: Path) -> list[Path]:
    """One `<table>.csv` per table in `directory`, UTF-8 with a byte-order mark so that Excel reads
    Chinese text correctly. Cells read as in `query --format csv`: money with 2 decimals, dates
    ISO, true/false, a list of values joined by '; ', a mapping as JSON."""
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is a file; a CSV export is a folder of files, one per table")
    written = []
    for table in tables:
        target = directory / f"{table.name}.csv"
        with _replacing(target) as temporary:
            with open(temporary, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow(table.column_names)
                writer.writerows([cell_text(v, table=False) for v in row] for row in table.rows)
        written.append(target)
    return written


def _openpyxl():
    try:
        import openpyxl  # noqa: F401  (the xlsx extra)
    except ImportError:
        raise ExportError(XLSX_MISSING) from None
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _cell(sheet, value, *, money_format: bool, bold: bool = False):
    """A value as the workbook holds it: numbers and dates as such (money rounded to cents and shown
    #,##0.00 when `money_format`, ratios as percentages); text always stays text (a note starting
    with '=' is never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, (list, dict)):
        value = cell_text(value, table=False)
    form = "0.0%" if isinstance(value, Ratio) else None  # a date gets yyyy-mm-dd from openpyxl
    if money_format and isinstance(value, Decimal):
        value, form = money(value), "#,##0.00"
    text = isinstance(value, str) and value.startswith("=")
    if form is None and not text and not bold:
        return value
    cell = WriteOnlyCell(sheet, value=None if text else value)
    if text:
        cell.value, cell.data_type = value, "s"
    if form is not None:
        cell.number_format = form
    if bold:
        cell.font = Font(bold=True)
    return cell


def _heading_row(sheet, names: list[str]) -> list:
    return [_cell(sheet, name, money_format=False, bold=True) for name in names]


def _set_widths(sheet, names: list[str], rows: list):
    from openpyxl.utils import get_column_letter

    for number, width in enumerate(_widths(names, rows), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """One sheet per table: real numbers (money formatted #,##0.00), real dates, booleans; text
    always stays text. Written in openpyxl's streaming mode, so a large workspace exports in
    seconds."""
    book = _openpyxl()
    if path.is_dir():
        raise ExportError(f"{path} is a folder; an xlsx export is one file (e.g. -o sales.xlsx)")
    from openpyxl.utils import get_column_letter

    for table in tables:
        sheet = book.create_sheet(table.name)
        _set_widths(sheet, table.column_names, table.rows)
        sheet.freeze_panes = "A2"
        sheet.append(_heading_row(sheet, table.column_names))
        money_columns = [c.field.kind == "amount" for c in table.columns]
        for row in table.rows:
            sheet.append([_cell(sheet, value, money_format=m) for value, m in zip(row, money_columns)])
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    with _replacing(path) as temporary:
        book.save(temporary)
    return path


def write_sheet(sheet_data, path: Path) -> Path:
    """A report as a workbook of one sheet (`render.sheets.Sheet`): headings bold in a frozen first
    row, money as numbers with two decimals, ratios as percentages, dates as dates, the total row
    bold at the end."""
    book = _openpyxl()
    if path.is_dir():
        raise ExportError(f"{path} is a folder; a report is one file (e.g. -o report.xlsx)")
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", sheet_data.title)[:31] or "report")
    _set_widths(sheet, sheet_data.headings, sheet_data.rows + [sheet_data.total])
    sheet.freeze_panes = "A2"
    sheet.append(_heading_row(sheet, sheet_data.headings))
    for row in sheet_data.rows:
        sheet.append([_cell(sheet, value, money_format=True) for value in row])
    sheet.append([_cell(sheet, value, money_format=True, bold=True) for value in sheet_data.total])
    with _replacing(path) as temporary:
        book.save(temporary)
    return path


def write_text(text: str, path: Path) -> Path:
    """A report's text (table, CSV, JSON or YAML) as a UTF-8 file, replaced whole."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; a report is one file (e.g. -o report.csv)")
    with _replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def _widths(names: list[str], rows: list, sample: int = 200) -> list[float]:
    """Column widths from the heading and the first rows, CJK characters counting double."""
    from wcwidth import wcswidth

    widths = [wcswidth(name) for name in names]
    for row in rows[:sample]:
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], wcswidth(cell_text(value, table=True)))
    return [min(max(width, 4) + 2, 60) for width in widths]
