"""`salesctl import` through the command line: sheets as a WukongCRM export or Excel writes them,
the plan, problems and JSON, rows set aside, the round trip with `export`, idempotence, and a
write killed half-way."""

from __future__ import annotations

import gc
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from helpers.workspaces import ROOT, SAMPLE
from salesctl.cli import importing as cli_import
from salesctl.load.pipeline import load

AS_OF = "2026-11-30"
WUKONG = ["客户名称", "客户级别", "负责人", "联系人", "手机", "邮箱", "创建时间", "备注"]
MAP = ["--map", "客户级别=tier", "--map", "手机=contacts.0.phone", "--map", "创建时间=created"]


def files(root: Path) -> dict:
    """Every file of the workspace but salesctl's own state and the hidden temporary files a killed
    writer leaves (the loader ignores them, the next writer in that folder sweeps them)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".salesctl" not in p.parts and not p.name.startswith(".")}


def imported(run, root, *args, codes=(0,)):
    result = run("-C", root, "--as-of", AS_OF, "import", *args)
    assert result.exit_code in codes, result.stderr
    assert "Traceback" not in result.stderr
    return result


def xlsx(path: Path, rows, title="客户"):
    """A workbook as Excel saves it: str cells are text cells (a phone typed as text), numbers and
    datetimes are number and date cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_wukong_customer_sheet_in_excel(sales, run, tmp_path):
    sheet = xlsx(tmp_path / "客户.xlsx", [
        ["客户导入模板（带*为必填）"],
        WUKONG,
        ["杭州云帆网络科技有限公司", "B", "王芳", "赵磊", "13957112345", "zhaolei@yunfan.example.com",
         datetime(2026, 11, 3, 10, 22, 33), "展会认识"],
        ["宁波港通物流有限公司", "c", "zhang", "钱多多", "0574-8765 4321", None, "2026/11/5", None],
    ])
    result = imported(run, sales, "customers", sheet, *MAP)
    assert result.stdout == ""
    assert result.stderr == f"{sheet}: 2 added (CUS-0003 … CUS-0004), 0 updated, 0 unchanged; imported into customers\n"
    assert (sales / "customers/CUS-0003.yaml").read_text() == textwrap.dedent("""\
        id: CUS-0003
        name: 杭州云帆网络科技有限公司
        owner: wang
        tier: B
        created: 2026-11-03
        contacts:
          - name: 赵磊
            phone: '13957112345'
            email: zhaolei@yunfan.example.com
            primary: true
        notes: 展会认识
        """)
    assert load(sales).error_count == 0
    again = imported(run, sales, "customers", sheet, *MAP)
    assert again.stderr == f"{sheet}: 0 added, 0 updated, 2 unchanged; nothing to write\n"


def test_number_cells_for_amounts_and_text_cells_for_references(sales, run, tmp_path):
    sheet = xlsx(tmp_path / "回款.xlsx", [
        ["应收款", "回款日期", "回款金额", "付款方式", "关联"],
        ["RCV-0002", datetime(2026, 10, 8), 30000, "银行转账", "0012026100800017"],
        ["RCV-0002", "2026年10月9日", 1234.5, "支付宝", 2026100900001],
    ])
    imported(run, sales, "payments", sheet, "--map", "回款日期=date", "--map", "回款金额=amount")
    # the text cell keeps its leading zeros, the number cell is written as its digits; entries in the
    # style of the collection (RCV-0001 writes its payments in flow style)
    assert (sales / "receivables/RCV-0002.yaml").read_text().endswith(
        "payments:\n"
        "  - {date: 2026-10-08, amount: 30000, method: 银行转账, ref: '0012026100800017'}\n"
        "  - {date: 2026-10-09, amount: 1234.50, method: 支付宝, ref: '2026100900001'}\n")


@pytest.mark.parametrize("encoding, newline", [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gbk", "\r\n"),
                                               ("gb18030", "\n")])
def test_csv_as_excel_writes_it(sales, run, tmp_path, encoding, newline):
    text = ("客户名称,负责人,创建日期,备注\n"
            '"北京中科智联科技有限公司",刘洋,2026-11-02,"大客户, 年度框架\n需高层拜访"\n').replace("\n", newline)
    (sales / "salesctl.yaml").write_text((sales / "salesctl.yaml").read_text() + "  - {id: liu, name: 刘洋, role: rep}\n")
    path = tmp_path / "客户.csv"
    path.write_bytes(text.encode(encoding))
    imported(run, sales, "customers", path)
    assert load(sales).get("customers", "CUS-0003").data["notes"] == f"大客户, 年度框架{newline}需高层拜访"


def test_dry_run_prints_the_plan_and_writes_nothing(sales, run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,tier,owner,created\n上海华东精密机械股份有限公司,B,zhang,2024-03-12\n"
                    "苏州恒瑞医药科技有限公司,,王芳,\n新客户,A,wang,2026-11-30\n")
    before = files(sales)
    result = imported(run, sales, "customers", path, "--dry-run")
    assert result.stdout == ("row 2: update CUS-0001: tier A → B\n"
                             "row 3: unchanged CUS-0002\n"
                             "row 4: add CUS-0003\n")
    assert result.stderr == f"{path}: 1 to add (CUS-0003), 1 to update, 1 unchanged; dry run: nothing written\n"
    assert files(sales) == before


def test_json_gives_the_plan_and_the_problems(sales, run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,等级,owner,created,客户级别\n上海华东精密机械股份有限公司,B,zhang,,\n新客户,A,李四,2026-11-30,\n")
    result = imported(run, sales, "customers", path, "--format", "json", codes=(1,))
    assert json.loads(result.stdout) == {
        "file": str(path), "sheet": None, "collection": "customers", "header_row": 1,
        "columns": [{"column": 1, "heading": "name", "field": "name", "matched_by": "field"},
                    {"column": 2, "heading": "等级", "field": "tier", "matched_by": "heading"},
                    {"column": 3, "heading": "owner", "field": "owner", "matched_by": "field"},
                    {"column": 4, "heading": "created", "field": "created", "matched_by": "field"},
                    {"column": 5, "heading": "客户级别", "field": None, "matched_by": None}],
        "key": ["name"],
        "rows": [{"row": 2, "action": "update", "id": "CUS-0001", "changes": {"tier": {"before": "A", "after": "B"}}},
                 {"row": 3, "action": "rejected", "id": None, "changes": {}}],
        "counts": {"added": 0, "updated": 1, "unchanged": 0, "rejected": 1},
        "problems": [
            {"path": str(path), "line": 1, "column": 5, "severity": "warning", "code": "unknown-field",
             "message": "column '客户级别' matches no field of customers; ignored (give it one with --map '客户级别=FIELD')"},
            {"path": str(path), "line": 3, "column": 3, "severity": "error", "code": "unknown-ref",
             "message": "owner: no team member '李四' (an id, name or e-mail of the team in salesctl.yaml)"}],
        "errors": 1, "warnings": 1, "dry_run": False, "written": False, "rejects": None,
    }
    assert result.stderr == ""


def test_any_error_writes_nothing(sales, run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,owner,created\n甲公司,zhang,2026-11-01\n乙公司,zhang,2026-13-01\n")
    before = files(sales)
    result = imported(run, sales, "customers", path, codes=(1,))
    assert result.stderr == (f"{path}:3:3: error[bad-date]: created: '2026-13-01' is not a real date\n"
                             "error: refused: 1 error; nothing written; --rejects FILE sets the rows with errors aside "
                             "and imports the others\n")
    assert files(sales) == before


def test_rejected_rows_are_set_aside_for_correction_and_the_others_imported(sales, run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("客户名称,负责人,创建日期\r\n甲公司,张伟,2026-11-01\r\n乙公司,李四,2026-11-02\r\n"
                     "丙公司,王芳,2026/11/03\r\n".encode("gbk"))
    result = imported(run, sales, "customers", path, "--rejects", tmp_path / "bad.csv")
    assert result.stderr.splitlines()[-1] == (f"{path}: 2 added (CUS-0003 … CUS-0004), 0 updated, 0 unchanged, 1 "
                                              f"rejected (set aside in {tmp_path / 'bad.csv'}); imported into customers")
    assert (tmp_path / "bad.csv").read_bytes() == (
        "客户名称,负责人,创建日期,导入问题\r\n乙公司,李四,2026-11-02,\"unknown-ref: 负责人: no team member '李四' (an "
        "id, name or e-mail of the team in salesctl.yaml)\"\r\n").encode("gb18030")
    assert load(sales).get("customers", "CUS-0004")["name"] == "丙公司"
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes((tmp_path / "bad.csv").read_bytes().replace("李四".encode("gbk"), "林海".encode("gbk")))
    again = imported(run, sales, "customers", fixed)  # the problems column is skipped without a warning
    assert again.stderr == f"{fixed}: 1 added (CUS-0005), 0 updated, 0 unchanged; imported into customers\n"


def test_rejected_rows_of_a_workbook_go_to_a_workbook(sales, run, tmp_path):
    from openpyxl import load_workbook

    sheet = xlsx(tmp_path / "回款.xlsx", [["应收款", "日期", "金额"], ["RCV-0001", datetime(2026, 3, 2), 30001],
                                         ["RCV-0002", datetime(2026, 10, 2), 5000]])
    imported(run, sales, "payments", sheet, "--rejects", tmp_path / "退回.xlsx")
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "退回.xlsx")["客户"].iter_rows()]
    # RCV-0001 is 40000 with 10000 paid: 30001 more overpays it
    assert rows == [["应收款", "日期", "金额", "导入问题"],
                    ["RCV-0001", datetime(2026, 3, 2), 30001,
                     "overpaid: RCV-0001: payments sum to 40,001.00, above the receivable amount 40,000.00"]]
    assert len(load(sales).get("receivables", "RCV-0002")["payments"]) == 1


def test_key_updates_the_records_it_finds(sales, run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name,owner\nCUS-0002,苏州恒瑞医药股份有限公司,zhang\n")
    imported(run, sales, "customers", path)
    text = (sales / "customers/CUS-0002.yaml").read_text()
    assert text == "id: CUS-0002\nname: 苏州恒瑞医药股份有限公司\nowner: zhang\ncreated: 2025-06-20\n"
    path.write_text("name,owner,created\n苏州恒瑞医药股份有限公司,wang,2025-06-20\n")
    imported(run, sales, "customers", path, "--key", "name,created")
    assert "owner: wang" in (sales / "customers/CUS-0002.yaml").read_text()


@pytest.mark.parametrize("args, message", [
    (["clients", "c.csv"], "cannot import into 'clients'; one of customers, visits, contracts, receivables, payments"),
    (["customers", "missing.csv"], "missing.csv: no such file"),
    (["customers", "c.xls"], ".xls (Excel 97-2003) is not read; save it as .xlsx or CSV in Excel"),
    (["customers", "c.csv", "--map", "name=nmae"], "--map 'name=nmae': 'nmae': no field 'nmae'; did you mean 'name'?"),
    (["customers", "c.csv", "--key", "tags"], "--key tags: 'tags' is not a field of customers"),
    (["customers", "c.csv", "--key", "tier"], "--key tier: the sheet has no column for tier"),
    (["customers", "c.csv", "--rejects", "bad.xlsx"], "rows are set aside in the format of c.csv; give a .csv file"),
    (["customers", "c.csv", "--rev", "HEAD"], "import changes the working tree; --rev is for read commands"),
])
def test_usage_errors(sales, run, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text("name,owner,created\n甲,zhang,2026-11-01\n")
    (tmp_path / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = imported(run, sales, *args, codes=(2,))
    assert message in result.stderr


def test_reading_xlsx_without_the_extra_names_it(sales, run, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (
        (_ for _ in ()).throw(ImportError(name)) if name.startswith("openpyxl") else real(name, *a, **k)))
    (tmp_path / "c.xlsx").write_bytes(b"PK")
    result = imported(run, sales, "customers", tmp_path / "c.xlsx", codes=(2,))
    assert result.stderr == ("error: reading .xlsx needs the optional extra 'xlsx': pip install 'salesctl[xlsx]' "
                             "(or pip install openpyxl)\n")


# --- the worked example of the manual ------------------------------------------------------

def console_blocks(text: str) -> list[list[tuple[str, str]]]:
    """[(command, what it prints)] of each ```console block."""
    blocks = []
    for body in re.findall(r"^```console\n(.*?)^```", text, re.M | re.S):
        steps = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
        blocks.append([(command, "".join(out + "\n" for out in output)) for command, output in steps])
    return blocks


def test_the_worked_example_of_the_manual_runs_as_shown(sample, run, monkeypatch):
    """docs/import.md: each command of the worked example prints what the page shows."""
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    example = text[text.index("## Worked example"):]
    for name in ("wukong-customers.csv", "wukong-payments.csv"):
        shutil.copy(ROOT / "docs" / "examples" / name, sample / name)
    monkeypatch.chdir(sample)
    for block in console_blocks(example):
        for command, shown in block:
            if "payments-rejected.csv --map" in command:  # the finance team corrects the amount first
                fixed = (sample / "payments-rejected.csv").read_text(encoding="utf-8-sig").replace("60,000.00", "51,000.00")
                (sample / "payments-rejected.csv").write_text(fixed, encoding="utf-8-sig")
            args = shlex.split(command)
            assert args[0] == "salesctl"
            result = run(*args[1:])
            assert result.output == shown, command
    record = re.search(r"^```yaml\n(id: CUS-0028\n.*?)^```", example, re.M | re.S).group(1)
    assert (sample / "customers/CUS-0028.yaml").read_text() == record
    assert load(sample).error_count == 0


# --- the round trip with export ------------------------------------------------------------

@pytest.fixture
def sample(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    return root


def test_an_export_imports_back_as_no_change(sample, run, tmp_path):
    assert run("-C", sample, "--as-of", AS_OF, "export", "-o", tmp_path / "out").exit_code == 0
    before = files(sample)
    for table in ("customers", "visits", "contracts", "receivables", "payments"):
        result = imported(run, sample, table, tmp_path / "out" / f"{table}.csv")
        assert result.stderr.endswith("unchanged; nothing to write\n") and " 0 added, 0 updated," in result.stderr
        assert "warning" not in result.stderr  # computed columns are known, not unmapped
    assert files(sample) == before


def test_an_xlsx_export_imports_back_as_no_change(sample, run, tmp_path):
    assert run("-C", sample, "--as-of", AS_OF, "export", "-o", tmp_path / "out.xlsx").exit_code == 0
    before = files(sample)
    for table in ("customers", "visits", "contracts", "receivables", "payments"):
        result = imported(run, sample, table, tmp_path / "out.xlsx", "--sheet", table)
        assert " 0 added, 0 updated," in result.stderr and "warning" not in result.stderr
    assert files(sample) == before


# --- a write killed half-way ---------------------------------------------------------------

KILLER = """\
import os, signal, sys
at = int(os.environ["KILL_AT"])
real = os.replace
seen = [0]
def dying(*args, **kwargs):
    seen[0] += 1
    if seen[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
os.replace = dying
from salesctl.cli import main
main()  # on the process's own arguments, ending as the salesctl command does
"""


def test_an_import_killed_at_any_step_leaves_all_of_it_or_none(sales, tmp_path):
    """SIGKILL at the 1st, 2nd, … rename: after the next command, the workspace holds none of the
    import or all of it, never a part."""
    sheet = tmp_path / "c.csv"
    sheet.write_text("name,owner,created\n" + "".join(f"客户{n},zhang,2026-11-0{n}\n" for n in range(1, 6))
                     + "上海华东精密机械股份有限公司,wang,2024-03-12\n")
    before = files(sales)
    outcomes = set()
    for at in range(1, 20):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KILL_AT": str(at)}
        killed = subprocess.run([sys.executable, "-c", KILLER, "-C", str(sales), "--as-of", AS_OF, "--no-cache",
                                 "import", "customers", str(sheet)], capture_output=True, text=True, env=env, timeout=60)
        load(sales)  # the next command, any command
        now = files(sales)
        if now == before:
            outcomes.add("none")
        else:
            assert set(now) - set(before) == {f"customers/CUS-000{n}.yaml" for n in range(3, 8)}
            assert b"owner: wang" in now["customers/CUS-0001.yaml"]
            assert load(sales).error_count == 0
            outcomes.add("all")
        if killed.returncode == 0:
            break
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        for rel in set(now) - set(before):
            os.unlink(sales / rel)
        for rel, data in before.items():
            (sales / rel).write_bytes(data)
    else:
        pytest.fail("the import still renames files after 20 kills")
    assert outcomes == {"none", "all"}  # killed before the journal, and after it (finished by the next command)


# --- the progress bar ----------------------------------------------------------------------

def test_progress_shows_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert cli_import._Progress.start() is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("CI", "1")
    assert cli_import._Progress.start() is None


def test_progress_draws_a_bar_once_a_second_has_passed(monkeypatch, capsys):
    clock = iter([100.0, 100.5, 101.5, 101.6])
    monkeypatch.setattr(cli_import.time, "monotonic", lambda: next(clock))
    progress = cli_import._Progress()
    progress("rows", 1000, 20000)  # half a second in: nothing yet
    progress("rows", 5000, 20000)
    progress.say("writing 20000 files…")
    progress.done()
    # 30 × 5000 / 20000 = 7 marks of 30; the erase-line codes show on a terminal only (click strips them here)
    assert capsys.readouterr().err == "\r[#######.......................] 5000/20000 rows read\rwriting 20000 files…\r"


def test_an_import_that_owns_its_process_freezes_its_workspace_and_plan(sales, tmp_path, monkeypatch):
    from salesctl.cli import main

    sheet = tmp_path / "客户.csv"
    sheet.write_text("客户名称,负责人,创建日期\n杭州云帆网络科技有限公司,王芳,2026/11/3\n", encoding="utf-8")
    seen = []
    real = cli_import.plan_import
    monkeypatch.setattr(cli_import, "plan_import", lambda *args, **kwargs: seen.append(gc.isenabled())
                        or real(*args, **kwargs))
    before = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as exited:
            main(["-C", str(sales), "--as-of", AS_OF, "import", "customers", str(sheet)])
        assert exited.value.code == 0 and seen == [False]
        assert gc.isenabled() and gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    assert (sales / "customers/CUS-0003.yaml").exists()
