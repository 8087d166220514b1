"""Reading a spreadsheet into numbered rows of cells, and writing rows back in the same format.

A CSV file is UTF-8, with or without a byte order mark, or — when it is not valid UTF-8 —
GB18030, the superset of GBK that Excel on Chinese Windows writes. Its cells are text. An .xlsx
workbook is read with openpyxl (the `xlsx` extra), the first sheet unless one is named, and its
cells keep their types: text stays text (a phone or invoice number stored as text never becomes a
number), numbers are int or float, date cells are datetimes, booleans are booleans.

Rows are numbered as the spreadsheet shows them: the first line of the file or sheet is row 1,
and a CSV value spanning several lines (quoted) is one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from ...errors import SheetError
from ...query.export import _replacing
from ...model.problems import problem

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
XLSX_MISSING = "reading .xlsx needs openpyxl: pip install 'salesctl[xlsx]' (or pip install openpyxl)"
XLSX_WRITE_MISSING = "writing .xlsx needs openpyxl: pip install 'salesctl[xlsx]' (or pip install openpyxl)"
CSV_FIELD_LIMIT = 1 << 20  # a cell of a megabyte: far beyond any note, short of a runaway quote


class Row(NamedTuple):
    number: int  # as the spreadsheet shows it, 1 = the first row
    cells: tuple


@dataclass
class Sheet:
    name: str  # the file as the user named it, for messages
    format: str  # csv | xlsx
    rows: list  # of Row, every row of the file (blank ones included)
    title: str | None = None  # xlsx: the sheet read
    encoding: str = "utf-8"  # csv: utf-8-sig (with a byte order mark), utf-8 or gb18030
    newline: str = "\r\n"  # csv: the line end the file uses
    problems: list = field(default_factory=list)  # the file could not be decoded


def sheet_format(path: Path) -> str:
    """csv or xlsx, from the file name; SheetError for anything else."""
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        if Path(path).suffix.lower() == ".xls":
            raise SheetError(f"{path}: .xls (Excel 97-2003) is not read; save it as .xlsx or CSV in Excel")
        raise SheetError(f"{path}: cannot tell the format from the name; give a .csv or .xlsx file")
    return found


def read_sheet(path: Path, *, sheet: str | None = None, shown: str | None = None) -> Sheet:
    """All rows of a CSV file or of one sheet of a workbook."""
    shown = shown or str(path)
    fmt = sheet_format(path)
    if fmt == "csv":
        if sheet is not None:
            raise SheetError(f"--sheet {sheet}: {shown} is a CSV file, it has no sheets")
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise SheetError(f"cannot read {shown}: {exc.strerror or exc}") from None
        return read_csv(raw, shown)
    return _read_xlsx(path, sheet, shown)


def read_csv(raw: bytes, shown: str) -> Sheet:
    text, encoding, problems = _decode(raw, shown)
    if text is None:
        return Sheet(shown, "csv", [], encoding=encoding, problems=problems)
    newline = "\r\n" if "\r\n" in text else "\n"
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows = []
    limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        for number, cells in enumerate(reader, 1):
            rows.append(Row(number, tuple(cells)))
    except csv.Error as exc:
        raise SheetError(f"{shown}: line {reader.line_num}: not readable as CSV ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    return Sheet(shown, "csv", rows, encoding=encoding, newline=newline)


def _decode(raw: bytes, shown: str):
    """(text, encoding, problems): UTF-8 (a byte order mark noted), else GB18030."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            return None, "utf-8-sig", [_not_text(raw, exc.start + len(codecs.BOM_UTF8), shown,
                                                 "starts with a UTF-8 byte order mark but is not UTF-8")]
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as first:
        try:
            return raw.decode("gb18030"), "gb18030", []
        except UnicodeDecodeError:
            return None, "utf-8", [_not_text(raw, first.start, shown, "is neither UTF-8 nor GB18030/GBK text")]


def _not_text(raw: bytes, at: int, shown: str, what: str):
    line = raw.count(b"\n", 0, at) + 1
    column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
    return problem("not-utf8", shown, (line, column), f"the file {what} (byte 0x{raw[at]:02x}); save it as "
                                                      f"CSV UTF-8 in Excel")


def _read_xlsx(path: Path, sheet: str | None, shown: str) -> Sheet:
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise SheetError(XLSX_MISSING) from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise SheetError(f"cannot read {shown}: not an Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        names = book.sheetnames
        if sheet is None:
            if not names:
                raise SheetError(f"{shown} has no sheet")
            sheet = names[0]
        elif sheet not in names:
            raise SheetError(f"--sheet {sheet}: {shown} has no such sheet (sheets: {', '.join(names)})")
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # the size a workbook states may be wrong (some exports say A1)
        try:
            rows = [Row(number, tuple(cells)) for number, cells in enumerate(worksheet.iter_rows(values_only=True), 1)]
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise SheetError(f"cannot read sheet {sheet!r} of {shown}: {type(exc).__name__}: {exc}") from None
    finally:
        book.close()
    return Sheet(shown, "xlsx", rows, title=sheet)


# --- writing rows back (the rows set aside) -------------------------------------------------

def write_sheet(path: Path, like: Sheet, rows: list) -> Path:
    """Write `rows` (lists of cells, the heading row first) to `path` in the format of `like`: a
    CSV file in its encoding and line ends, or a one-sheet workbook where dates stay dates,
    numbers numbers and text text. Written under a temporary name and renamed into place."""
    path = Path(path)
    if sheet_format(path) != like.format:
        raise SheetError(f"{path}: the rows are written in the format of {like.name}; give a "
                         f"{'.csv' if like.format == 'csv' else '.xlsx'} file")
    if like.format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator=like.newline)
        writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
        data = buffer.getvalue().encode(like.encoding)
        with _replacing(path) as temporary:
            temporary.write_bytes(data)
        return path
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
    except ImportError:
        raise SheetError(XLSX_WRITE_MISSING) from None
    book = Workbook(write_only=True)
    out = book.create_sheet(like.title or "Sheet1")
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                text = WriteOnlyCell(out, value=None)  # text, never a formula
                text.value, text.data_type = value, "s"
                value = text
            cells.append(value)
        out.append(cells)
    with _replacing(path) as temporary:
        book.save(temporary)
    return path


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
