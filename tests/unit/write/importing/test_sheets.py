"""Reading spreadsheets: CSV in UTF-8 (with or without BOM) or GB18030/GBK, CRLF, quoted commas and
line breaks; .xlsx cells keeping their types; writing rows back in the input's format."""

from __future__ import annotations

import builtins
import zipfile
from datetime import date, datetime

import pytest

from salesctl.write.importing.sheets import SheetError, read_csv, read_sheet, write_sheet

TEXT = '客户名称,负责人,备注\r\n"上海华东精密机械股份有限公司",张伟,"老客户, 年度框架"\r\n苏州恒瑞,王芳,"第一行\r\n第二行"\r\n'


def cells(sheet):
    return [(row.number, row.cells) for row in sheet.rows]


EXPECTED = [
    (1, ("客户名称", "负责人", "备注")),
    (2, ("上海华东精密机械股份有限公司", "张伟", "老客户, 年度框架")),
    (3, ("苏州恒瑞", "王芳", "第一行\r\n第二行")),  # one row, though it spans two lines
]


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
                                                ("gb18030", "gb18030")])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding, expected):
    sheet = read_csv(TEXT.encode(encoding), "客户.csv")
    assert cells(sheet) == EXPECTED
    assert (sheet.encoding, sheet.newline, sheet.problems) == (expected, "\r\n", [])


def test_csv_with_unix_line_ends():
    sheet = read_csv(TEXT.replace("\r\n", "\n").encode(), "客户.csv")
    assert sheet.newline == "\n"
    assert cells(sheet)[2] == (3, ("苏州恒瑞", "王芳", "第一行\n第二行"))


def test_blank_lines_keep_the_row_numbers_excel_shows():
    sheet = read_csv(b"name,owner\n\nA,zhang\n", "c.csv")
    assert cells(sheet) == [(1, ("name", "owner")), (2, ()), (3, ("A", "zhang"))]


def test_bytes_that_are_no_text_are_a_problem_at_their_line_and_column():
    raw = b"name,owner\nA,zhang\nB,\x81\xff\n"  # 0x81 0xff is neither UTF-8 nor GB18030
    sheet = read_csv(raw, "c.csv")
    assert sheet.rows == []
    assert [p.format() for p in sheet.problems] == [
        "c.csv:3:3: error[not-utf8]: the file is neither UTF-8 nor GB18030/GBK text (byte 0x81); save it as CSV "
        "UTF-8 in Excel"]


def test_a_bom_then_bytes_that_are_not_utf8():
    sheet = read_csv(b"\xef\xbb\xbfname\n\xd5\xc5\n", "c.csv")  # a GBK name after a UTF-8 mark
    assert [(p.line, p.column, p.code) for p in sheet.problems] == [(2, 1, "not-utf8")]


def test_file_names_tell_the_format(tmp_path):
    with pytest.raises(SheetError, match="cannot tell the format"):
        read_sheet(tmp_path / "客户.txt")
    with pytest.raises(SheetError, match=r"\.xls \(Excel 97-2003\) is not read; save it as \.xlsx or CSV"):
        read_sheet(tmp_path / "客户.xls")
    (tmp_path / "c.csv").write_text("a\n")
    with pytest.raises(SheetError, match="is a CSV file, it has no sheets"):
        read_sheet(tmp_path / "c.csv", sheet="客户")


# --- xlsx ----------------------------------------------------------------------------------

def workbook(path, rows, title="客户", more=()):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in more:
        book.create_sheet(name).append(["other"])
    book.save(path)
    return path


def test_xlsx_cells_keep_their_types(tmp_path):
    from openpyxl import load_workbook

    path = workbook(tmp_path / "客户.xlsx", [["名称", "创建日期", "金额", "电话", "发票", "重点"],
                                           ["甲", datetime(2026, 3, 12), 12000.5, "13917625580", "025312000000004471", True]])
    book = load_workbook(path)
    book.active["D2"].data_type = "s"  # what Excel writes for a phone typed as text
    book.save(path)
    sheet = read_sheet(path)
    assert (sheet.format, sheet.title) == ("xlsx", "客户")
    assert cells(sheet)[1] == (2, ("甲", datetime(2026, 3, 12), 12000.5, "13917625580", "025312000000004471", True))


def test_xlsx_first_sheet_unless_named(tmp_path):
    path = workbook(tmp_path / "导出.xlsx", [["id"], ["CUS-0001"]], title="team", more=["customers"])
    assert read_sheet(path).title == "team"
    assert cells(read_sheet(path, sheet="customers")) == [(1, ("other",))]
    with pytest.raises(SheetError, match=r"--sheet 客户: .* has no such sheet \(sheets: team, customers\)"):
        read_sheet(path, sheet="客户")


def test_a_workbook_that_states_a_wrong_size_is_read_whole(tmp_path):
    path = workbook(tmp_path / "c.xlsx", [["name"], ["甲"], ["乙"]])
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<dimension ref="A1:A3"/>',
                                                                                  b'<dimension ref="A1"/>')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert [row.cells for row in read_sheet(path).rows] == [("name",), ("甲",), ("乙",)]


def test_a_file_that_is_no_workbook(tmp_path):
    (tmp_path / "c.xlsx").write_bytes(b"name,owner\n")
    with pytest.raises(SheetError, match=r"cannot read .*c\.xlsx: not an Excel workbook"):
        read_sheet(tmp_path / "c.xlsx")


def test_without_openpyxl_the_message_names_the_extra(tmp_path, monkeypatch):
    real = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name.startswith("openpyxl"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(SheetError) as raised:
        read_sheet(tmp_path / "c.xlsx")
    assert str(raised.value) == "reading .xlsx needs openpyxl: pip install 'salesctl[xlsx]' (or pip install openpyxl)"


# --- writing rows back ---------------------------------------------------------------------

def test_rows_are_written_back_as_csv_in_the_inputs_encoding_and_line_ends(tmp_path):
    like = read_csv(TEXT.encode("gbk"), "客户.csv")
    write_sheet(tmp_path / "bad.csv", like, [["客户名称", "导入问题"], ["苏州恒瑞", "bad-date: 创建日期"],
                                             ["甲", date(2026, 3, 1)]])
    raw = (tmp_path / "bad.csv").read_bytes()
    assert raw == "客户名称,导入问题\r\n苏州恒瑞,bad-date: 创建日期\r\n甲,2026-03-01\r\n".encode("gb18030")


def test_rows_are_written_back_as_a_workbook_with_their_types(tmp_path):
    from openpyxl import load_workbook

    like = read_sheet(workbook(tmp_path / "in.xlsx", [["x"]], title="回款"))
    write_sheet(tmp_path / "bad.xlsx", like, [["日期", "金额", "备注"], [datetime(2026, 3, 1), 1234.5, "=SUM(A1)"]])
    sheet = load_workbook(tmp_path / "bad.xlsx").active
    assert sheet.title == "回款"
    assert [c.value for c in sheet[2]] == [datetime(2026, 3, 1), 1234.5, "=SUM(A1)"]
    assert sheet["C2"].data_type == "s"  # text, never a formula


def test_rows_are_written_in_the_inputs_format_only(tmp_path):
    like = read_csv(TEXT.encode(), "客户.csv")
    with pytest.raises(SheetError, match=r"the rows are written in the format of 客户.csv; give a \.csv file"):
        write_sheet(tmp_path / "bad.xlsx", like, [["a"]])
