"""Writing the workspace tables (`tables`) to files: a SQLite database, CSV files, an Excel workbook.

Every file is written to a temporary name beside its target and renamed into place, so a reader
(or a cron job that fails half-way) never sees a half-written export.
"""

from __future__ import annotations

import csv
import os
import secrets
import sqlite3
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from ..errors import ExportError, MissingExtra
from ..model.money import Fixed, Ratio, money
from ..model.records import Field
from ..render.output import cell_text
from .tables import Column, Table, create_tables

FORMATS = ("sqlite", "csv", "xlsx")
SUFFIXES = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".xlsx": "xlsx"}


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


def write_text(path: Path, text: str) -> Path:
    """A report as text (UTF-8, with a byte-order mark for .csv so that Excel reads Chinese text)."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name (e.g. -o report.csv)")
    with _replacing(path) as temporary:
        encoding = "utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"
        temporary.write_text(text, encoding=encoding)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """A file written whole (a draft): its folder created, the old file replaced only at the end."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name (e.g. -o CT-2026-001.md)")
    with _replacing(path) as temporary:
        temporary.write_bytes(data)
    return path


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


def sheet(name: str, lines: list[dict], columns, headings=None) -> Table:
    """A workbook sheet of flat lines (a report's): money columns as amounts, the rest as they are;
    the columns headed by their keys, or by `headings`."""
    money_columns = {c for c in columns if any(isinstance(line.get(c), Decimal) for line in lines)}
    return Table(name, [Column(heading, Field("amount" if c in money_columns else "text"), (c,))
                        for c, heading in zip(columns, headings or columns)], (),
                 [tuple(line.get(c) for c in columns) for line in lines])


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """One sheet per table: real numbers (money rounded to cents and formatted #,##0.00, ratios as
    percentages), real dates, booleans; text always stays text (a note starting with '=' is never a
    formula). Written in openpyxl's streaming mode, so a large workspace exports in seconds."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise MissingExtra("an xlsx file", "xlsx", "openpyxl") from None

    if path.is_dir():
        raise ExportError(f"{path} is a folder; an xlsx export is one file (e.g. -o sales.xlsx)")
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(sheet, value, is_money: bool):
        if isinstance(value, (list, dict)):
            value = cell_text(value, table=False)
        if isinstance(value, str) and value.startswith("="):
            text = WriteOnlyCell(sheet, value=None)
            text.value, text.data_type = value, "s"
            return text
        if is_money and isinstance(value, Decimal):
            number = WriteOnlyCell(sheet, value=money(value))
            number.number_format = "#,##0.00"
            return number
        if isinstance(value, Ratio):
            ratio = WriteOnlyCell(sheet, value=float(value))
            ratio.number_format = "0.0%"
            return ratio
        if isinstance(value, Fixed):
            figure = WriteOnlyCell(sheet, value=float(value))
            figure.number_format = "0." + "0" * value.places
            return figure
        return value

    for table in tables:
        sheet = book.create_sheet(table.name)
        for number, width in enumerate(_widths(table), start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.freeze_panes = "A2"
        heading = []
        for name in table.column_names:
            heading.append(WriteOnlyCell(sheet, value=name))
            heading[-1].font = bold
        sheet.append(heading)
        amounts = [c.field.kind == "amount" for c in table.columns]
        for row in table.rows:
            sheet.append([cell(sheet, value, m) for value, m in zip(row, amounts)])
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    with _replacing(path) as temporary:
        book.save(temporary)
    return path


def _widths(table: Table, sample: int = 200) -> list[float]:
    """Column widths from the heading and the first rows, CJK characters counting double."""
    from wcwidth import wcswidth

    widths = [wcswidth(name) for name in table.column_names]
    for row in table.rows[:sample]:
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], wcswidth(cell_text(value, table=True)))
    return [min(max(width, 4) + 2, 60) for width in widths]
