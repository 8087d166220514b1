"""A missing optional extra, whichever command needs it: exit 2 and a message naming the extra and the
`pip install` that adds it (the library side: tests/unit/draft/test_render.py and
tests/unit/write/importing/test_sheets.py; import: tests/cli/test_import.py)."""

from __future__ import annotations

import sys

import pytest

from helpers.workspaces import SAMPLE

DOCX = "error: a docx draft needs the optional extra 'docx': pip install 'salesctl[docx]' (or pip install docxtpl)\n"
XLSX = "error: an xlsx file needs the optional extra 'xlsx': pip install 'salesctl[xlsx]' (or pip install openpyxl)\n"


@pytest.fixture
def without(monkeypatch):
    """`without("openpyxl")`: importing the module now raises ImportError."""
    return lambda *modules: [monkeypatch.setitem(sys.modules, m, None) for m in modules]


def test_draft_as_docx_without_the_docx_extra(run, without, tmp_path):
    without("docx", "docxtpl")
    result = run("-C", SAMPLE, "draft", "CT-2026-001", "--format", "docx", "-o", tmp_path / "ct.docx")
    assert (result.exit_code, result.stderr) == (2, DOCX)
    assert not (tmp_path / "ct.docx").exists()


@pytest.mark.parametrize("args", [
    ["export", "--format", "xlsx"],
    ["report", "overdue", "--as-of", "2026-11-30"],
    ["report", "kpi", "--period", "2026-Q3"],
])
def test_an_xlsx_file_without_the_xlsx_extra(run, without, tmp_path, args):
    without("openpyxl")
    result = run("-C", SAMPLE, *args, "-o", tmp_path / "out.xlsx")
    assert (result.exit_code, result.stderr) == (2, XLSX)
    assert not (tmp_path / "out.xlsx").exists()

