"""`salesctl draft` on the sample workspace: every contract, every format, refusals."""

from __future__ import annotations

import io
import os
import shutil

import docx  # the [docx] extra, part of [dev]
import pytest

from helpers.workspaces import SAMPLE
from salesctl.draft import render as drafts
from salesctl.load.pipeline import load


CONTRACTS = sorted(c.id for c in load(SAMPLE).records["contracts"])


@pytest.mark.parametrize("contract_id", CONTRACTS)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_sample_contract_renders(run, contract_id, fmt):
    result = run("-C", SAMPLE, "--as-of", "2026-11-30", "draft", contract_id, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert contract_id in result.stdout
    assert "None" not in result.stdout
    assert "培训服务合同" in result.stdout


@pytest.mark.parametrize("contract_id", CONTRACTS)
def test_every_sample_contract_renders_in_english(run, contract_id):
    result = run("-C", SAMPLE, "draft", contract_id, "-t", "contract.en_US")
    assert result.exit_code == 0, result.stderr
    assert "Training Service" in result.stdout


def test_amount_in_capitals_and_schedule(run):
    ws = load(SAMPLE)
    contract = ws.get("contracts", "CT-2026-001")
    from salesctl.draft.filters import cny_upper

    out = run("-C", SAMPLE, "draft", "CT-2026-001").stdout
    assert cny_upper(contract["amount"]) in out
    for receivable in ws.receivables_of("CT-2026-001"):
        assert receivable["due"].strftime("%Y年%-m月%-d日") in out


def test_docx_needs_an_output_file_or_a_pipe(run, tmp_path):
    target = tmp_path / "ct.docx"
    result = run("-C", SAMPLE, "draft", "CT-2026-001", "--format", "docx", "-o", target)
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert "培训服务合同" in text


def test_contract_with_errors_is_refused_unless_forced(run, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    path = root / "contracts" / "CT-2026-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("amount:", "amount: 1\nnotes_x:", 1), encoding="utf-8")
    result = run("-C", root, "draft", "CT-2026-001")
    assert result.exit_code == 1
    assert "error[" in result.stderr and result.stdout == ""
    forced = run("-C", root, "draft", "CT-2026-001", "--force")
    assert forced.exit_code == 0 and "培训服务合同" in forced.stdout


BROKEN = [  # (file, text replaced, by), what the draft marks where the value was
    ("receivables/RCV-0011.yaml", "amount: 64697.50", 'amount: "64,697.50"', "【待核对：RCV-0011.amount】"),
    ("receivables/RCV-0011.yaml", "amount: 64697.50", "amount: 64697.505", "【待核对：RCV-0011.amount】"),
    ("contracts/CT-2026-003.yaml", "customer: CUS-0006", "customer: CUS-9999", "【待核对：CUS-9999.name】"),
    ("receivables/RCV-0011.yaml", "due: 2026-07-20", "due: 2026-07-32", "【待核对：RCV-0011.due】前"),
]


@pytest.mark.parametrize("rel, old, new, mark", BROKEN)
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_a_forced_draft_renders_and_marks_what_is_wrong(run, tmp_path, rel, old, new, mark, fmt):
    root = shutil.copytree(SAMPLE, tmp_path / "ws")
    path = root / rel
    assert old in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    out = tmp_path / f"draft.{fmt}"
    result = run("-C", root, "--as-of", "2026-11-30", "draft", "CT-2026-003", "--force", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "warning: drafting with 1 validation error; what they leave missing or wrong is marked in the draft" \
        in result.stderr
    text = out.read_text(encoding="utf-8") if fmt != "docx" else \
        "".join(p.text for p in docx.Document(str(out)).paragraphs) + \
        "".join(c.text for t in docx.Document(str(out)).tables for row in t.rows for c in row.cells)
    assert mark in text


def test_output_file_folder_is_created_and_an_existing_file_kept(run, tmp_path):
    out = tmp_path / "nodir" / "deeper" / "CT-2026-001.md"
    result = run("-C", SAMPLE, "draft", "CT-2026-001", "-o", out)
    assert (result.exit_code, result.stderr) == (0, f"wrote {out}\n")
    assert "培训服务合同" in out.read_text(encoding="utf-8")
    out.write_text("手工修改过的草稿\n", encoding="utf-8")
    again = run("-C", SAMPLE, "draft", "CT-2026-001", "-o", out)
    assert again.exit_code == 1
    assert again.stderr == f"error: {out} exists (a draft may have been edited since); give --force to replace it\n"
    assert out.read_text(encoding="utf-8") == "手工修改过的草稿\n"
    forced = run("-C", SAMPLE, "draft", "CT-2026-001", "-o", out, "--force")
    assert forced.exit_code == 0 and "培训服务合同" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.parent.iterdir()) == ["CT-2026-001.md"]  # no temporary file left
    folder = run("-C", SAMPLE, "draft", "CT-2026-001", "-o", tmp_path / "nodir", "--force")
    assert folder.exit_code == 2 and "is a directory" in folder.stderr


def test_unknown_contract_is_a_usage_error(run):
    result = run("-C", SAMPLE, "draft", "CT-NOPE")
    assert result.exit_code == 2 and "no contract 'CT-NOPE'" in result.stderr


def sample_with_template(tmp_path, text: str):
    """A copy of the sample workspace whose templates/contract.md.j2 is `text`."""
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    (root / "templates").mkdir()
    (root / "templates" / "contract.md.j2").write_text(text, encoding="utf-8")
    return root


def test_workspace_template_overrides_and_missing_variable_names_the_line(run, tmp_path):
    root = sample_with_template(tmp_path, "合同 {{ contract.id }}\n{{ customer.fax_number }}\n")
    result = run("-C", root, "draft", "CT-2026-001")
    assert result.exit_code == 1
    assert "templates/contract.md.j2:2" in result.stderr and "fax_number" in result.stderr
    (root / "templates" / "contract.md.j2").write_text("合同 {{ contract.id }}\n", encoding="utf-8")
    assert run("-C", root, "draft", "CT-2026-001").stdout == "合同 CT-2026-001\n"
    listing = run("-C", root, "draft", "--list-templates").stdout
    assert "workspace" in listing and "overridden" in listing


def test_sandbox_escape_in_a_workspace_template_is_refused(run, tmp_path):
    root = sample_with_template(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    result = run("-C", root, "draft", "CT-2026-001")
    assert result.exit_code == 1 and "sandbox" in result.stderr


def test_template_linking_outside_the_workspace_is_refused(run, tmp_path):
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    root = sample_with_template(tmp_path, "")
    (root / "templates" / "contract.md.j2").unlink()
    (root / "templates" / "contract.md.j2").symlink_to(secret)
    target = tmp_path / "CT-2026-001.md"
    result = run("-C", root, "draft", "CT-2026-001", "-o", target)
    assert result.exit_code == 1 and result.stdout == "" and not target.exists()
    assert result.stderr == ("error: templates/contract.md.j2: refused by the template sandbox: template "
                             f"'contract.md.j2' leads to {secret.resolve()}, outside the workspace\n")


needs_limits = pytest.mark.skipif(not (hasattr(os, "fork") and os.path.isfile("/proc/self/statm")),
                                  reason="the time and memory limits need fork (and Linux's /proc for memory)")

SLOW = "{% for c in 'x' * 999999 %}{% for d in 'x' * 999999 %}{% endfor %}{% endfor %}\n"
GREEDY = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n"


@needs_limits
@pytest.mark.parametrize("text,limit,message", [
    ("{{ ((9**1000)**1000)**1000 }}\n", None, "templates/contract.md.j2:1: refused by the template sandbox: "
                                              "power would have about 954,243 digits, more than 4,300"),
    (SLOW, ("MAX_SECONDS", 1), "templates/contract.md.j2: stopped: the draft took longer than 1 s"),
    (GREEDY, ("MAX_MEMORY_MB", 64), "templates/contract.md.j2:1: stopped: the draft needs more than 64 MB of memory"),
], ids=["sandbox", "time", "memory"])
@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_runaway_template_is_stopped_and_nothing_written(run, tmp_path, monkeypatch, text, limit, message, fmt):
    if limit:
        monkeypatch.setattr(drafts, *limit)  # lower, so that the test is quick
    root = sample_with_template(tmp_path, text)
    target = tmp_path / f"CT-2026-001.{fmt}"
    result = run("-C", root, "draft", "CT-2026-001", "--format", fmt, "-o", target)
    assert result.exit_code == 1 and result.stdout == "" and not target.exists()
    assert result.stderr == f"error: {message}\n"


@pytest.mark.parametrize("template, words", [("contract", ["第 ", "1", " 页 共 ", "1", " 页"]),
                                             ("contract.en_US", ["Page ", "1", " of ", "1"])])
def test_a_word_draft_numbers_its_pages(run, tmp_path, template, words):
    """The footer holds Word's PAGE and NUMPAGES fields ("1" is what shows until Word lays out the pages)."""
    import re
    import zipfile

    out = tmp_path / "draft.docx"
    result = run("-C", SAMPLE, "draft", "CT-2026-001", "-t", template, "--format", "docx", "-o", out)
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as document:
        footer = document.read("word/footer1.xml").decode("utf-8")
    assert re.findall(r"<w:instrText[^>]*>([^<]*)<", footer) == [" PAGE ", " NUMPAGES "]
    assert re.findall(r"<w:t(?: [^>]*)?>([^<]*)<", footer) == words
