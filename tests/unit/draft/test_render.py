"""salesctl.draft: template lookup, the sandbox, md/html/docx output, A4 PDFs (the filters:
tests/unit/draft/test_filters.py; the command: tests/cli/test_draft.py)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal as D
from pathlib import Path

import pytest

from salesctl.draft import render as draft
from salesctl.draft.docx import markdown_to_docx
from salesctl.draft.filters import cny_upper, money, words_en
from salesctl.draft.render import render
from salesctl.draft.templates import list_templates, resolve_template, shipped_templates_dir
from salesctl.errors import DraftError


# ---------------------------------------------------------------------------
# Contexts, as the CLI will build them from records
# ---------------------------------------------------------------------------

def receivable(rid, amount, due):
    amount = D(amount)
    return {"id": rid, "contract": "CON-2026-001", "amount": amount, "due": due, "invoice": None,
            "payments": [], "paid": D(0), "balance": amount, "status": "open"}


def full_context(**contract_over):
    items = [
        {"name": "销售团队管理实战（2天）", "quantity": D(2), "unit": "期", "unit_price": D("45000")},
        {"name": "大客户销售技巧", "quantity": D(1), "unit": "期", "unit_price": D("30000")},
    ]
    contract = {
        "id": "CON-2026-001", "customer": "CUS-0001", "owner": "zhang", "title": "2026年度销售能力提升培训",
        "status": "in_review", "created": dt.date(2026, 3, 2), "signed": None,
        "start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30), "currency": "CNY", "items": items,
        "amount": D("120000"), "payment_terms": "合同签订后5个工作日内支付30%，培训结束后30日内支付70%。",
        "template": None,
        "approvals": [{"stage": "manager", "by": "lin", "date": dt.date(2026, 3, 3),
                       "decision": "approved", "comment": None}],
        "notes": None, "paid": D(0), "balance": D("120000"), "pending_stage": "legal",
        "waiting_since": dt.date(2026, 3, 3), "waiting_days": 17,
    }
    contract.update(contract_over)
    contact = {"name": "王磊", "title": "人力资源总监", "phone": "0512-66881234",
               "email": "wanglei@example.com", "primary": True}
    customer = {
        "id": "CUS-0001", "name": "华东精密机械股份有限公司", "owner": "zhang", "status": "customer",
        "tier": "A", "key": True, "industry": "制造业", "size": "500-1000", "region": "华东",
        "source": "exhibition", "created": dt.date(2025, 11, 5), "contacts": [contact],
        "tags": ["制造"], "notes": None,
    }
    return {
        "contract": contract,
        "customer": customer,
        "contact": contact,
        "owner": {"id": "zhang", "name": "张伟", "role": "rep", "group": "east", "manager": "lin",
                  "email": "zhang@example.com"},
        "company": {"name": "星河企业培训有限公司", "address": "上海市浦东新区张江路88号",
                    "tax_id": "91310000MA1FL0XX1X", "phone": "021-55551234",
                    "bank": {"name": "招商银行上海分行", "account": "6225880212345678"},
                    "representative": "林海"},
        "receivables": [receivable("REC-001", "36000", dt.date(2026, 3, 27)),
                        receivable("REC-002", "84000", dt.date(2026, 7, 30))],
        "today": dt.date(2026, 3, 20),
        "locale": "zh_CN",
    }


def sparse_context():
    """Every optional value None: no contact, company with only a name, no schedule."""
    ctx = full_context(signed=None, start=None, end=None, currency=None, payment_terms=None,
                       approvals=[], status="draft", pending_stage="manager")
    ctx["contract"]["items"] = [{"name": "定制课程", "quantity": D(1), "unit": None, "unit_price": D("8800.50")}]
    ctx["contract"]["amount"] = D("8800.50")
    ctx["customer"].update(tier=None, key=None, industry=None, size=None, region=None, source=None,
                           contacts=[], tags=[])
    ctx["contact"] = None
    ctx["owner"] = {"id": "zhang", "name": "张伟", "role": "rep", "group": None, "manager": None, "email": None}
    ctx["company"] = {"name": "星河企业培训有限公司", "address": None, "tax_id": None, "phone": None,
                      "bank": None, "representative": None}
    ctx["receivables"] = []
    return ctx


def signed_context():
    """Signed, in USD, a schedule covering part of the amount, notes, odd characters."""
    ctx = full_context(status="signed", signed=dt.date(2026, 3, 25), currency="USD", end=None,
                       notes="培训地点：甲方苏州工厂 <B栋> & 会议室 | 3楼", title="Python | 数据分析 <高级>")
    ctx["company"]["bank"] = {"name": None, "account": "6225 8802"}
    ctx["contact"] = {"name": "Li *Ming*", "title": None, "phone": None, "email": None, "primary": True}
    ctx["receivables"] = [receivable("REC-003", "50000.05", None), receivable("REC-004", "20000", dt.date(2026, 5, 1))]
    return ctx


def many_items_context():
    ctx = full_context()
    ctx["contract"]["items"] = [{"name": f"专题课程 {i}", "quantity": D(1), "unit": "期", "unit_price": D(1000)}
                                for i in range(1, 37)]
    ctx["contract"]["amount"] = D(36000)
    ctx["receivables"] = [receivable(f"R{i}", "3000", dt.date(2026, 1 + i, 1)) for i in range(12)]
    return ctx


CONTEXTS = {"full": full_context, "sparse": sparse_context, "signed": signed_context,
            "many_items": many_items_context}
SHIPPED = [("contract", "md", "zh_CN"), ("contract", "html", "zh_CN"),
           ("contract", "md", "en_US"), ("contract", "html", "en_US")]


# ---------------------------------------------------------------------------
# Shipped templates render for every context
# ---------------------------------------------------------------------------

def test_shipped_templates_exist():
    found = {(t.name, t.format, t.locale) for t in list_templates(None)}
    assert {("contract", "md", None), ("contract", "html", None),
            ("contract", "md", "en_US"), ("contract", "html", "en_US")} <= found
    assert all(t.source == "shipped" and not t.overridden for t in list_templates(None))
    assert (shipped_templates_dir() / "contract.md.j2").is_file()


@pytest.mark.parametrize("ctx_name", sorted(CONTEXTS))
@pytest.mark.parametrize("name,fmt,locale", SHIPPED, ids=["-".join(s) for s in SHIPPED])
def test_shipped_template_renders(name, fmt, locale, ctx_name):
    ctx = CONTEXTS[ctx_name]()
    ctx["locale"] = locale
    before = copy.deepcopy(ctx)
    out = render(ctx, template=name, fmt=fmt, locale=locale)
    assert isinstance(out, str) and out.endswith("\n")
    assert ctx == before, "rendering must not change the context"
    assert "None" not in out
    assert "Undefined" not in out
    contract = ctx["contract"]
    assert contract["id"] in out
    amount = contract["amount"]
    assert money(amount) in out
    if locale == "zh_CN":
        assert cny_upper(amount) in out
        assert "培训服务合同" in out and "第十三条" in out and "签署页" in out
    else:
        assert words_en(amount) in out
        assert "Training Services Agreement" in out and "Article 13" in out
    for item in contract["items"]:
        name_text = item["name"]
        if fmt == "html":
            name_text = name_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert name_text in out or name_text.replace("|", "\\|") in out
    for r in ctx["receivables"]:
        assert money(r["amount"]) in out
    if fmt == "html":
        assert out.lstrip().startswith("<!DOCTYPE html>")
        assert "size: A4" in out


def test_sparse_context_shows_blanks_and_unset():
    out = render(sparse_context())
    assert "（未约定）" in out  # payment terms, service period
    assert "住所：__________________" in out
    assert "签订日期：______年____月____日" in out
    assert "开户银行：__________________" in out
    assert "8,800.50" in out and "捌仟捌佰元伍角" in out
    en = render(sparse_context(), locale="en_US")
    assert "(not agreed)" in en and "Date of signature: ______________" in en


def test_missing_optional_fields_count_as_none():
    """Records leave optional fields out; the documented ones render as None, not as errors."""
    ctx = full_context()
    ctx["contract"] = {k: v for k, v in ctx["contract"].items()
                       if k in ("id", "customer", "owner", "title", "status", "created", "items", "amount")}
    ctx["contract"]["items"] = [{"name": "课程", "quantity": 1, "unit_price": D("500")}]
    ctx["contract"]["amount"] = D("500")
    ctx["customer"] = {"id": "CUS-0009", "name": "某公司", "owner": "zhang", "created": dt.date(2026, 1, 1)}
    ctx["contact"] = {"name": "赵六"}
    ctx["owner"] = {"id": "zhang", "name": "张伟", "role": "rep"}
    ctx["company"] = {"name": "星河企业培训有限公司", "bank": {"account": "123"}}
    ctx["receivables"] = [{"id": "R1", "contract": "CON-2026-001", "amount": D("500"), "due": dt.date(2026, 5, 1)}]
    before = copy.deepcopy(ctx)
    for fmt in ("md", "html"):
        for locale in ("zh_CN", "en_US"):
            out = render(ctx, fmt=fmt, locale=locale)
            assert "None" not in out and "500.00" in out
    assert "伍佰元整" in render(ctx)
    assert ctx == before
    assert draft.complete_context(ctx)["contract"]["items"][0]["unit"] is None


def test_payment_schedule_in_md():
    out = render(full_context())
    assert "| 第1期 | 2026年3月27日前 | 30% | 36,000.00 | 叁万陆仟元整 |" in out
    assert "| 第2期 | 2026年7月30日前 | 70% | 84,000.00 | 捌万肆仟元整 |" in out
    assert "本合同服务费用总额为人民币（大写）**壹拾贰万元整**（小写：¥120,000.00）" in out
    assert "服务期限自2026年4月1日起至2026年6月30日止" in out
    assert "| 1 | 销售团队管理实战（2天） | 2 | 期 | 45,000.00 | 90,000.00 |" in out


def test_partial_schedule_and_other_currency():
    out = render(signed_context())
    assert "美元（大写）**壹拾贰万元整**（小写：USD 120,000.00）" in out
    # 120000 - 70000.05 is not scheduled
    assert "其余服务费用USD 49,999.95（肆万玖仟玖佰玖拾玖元玖角伍分）" in out
    assert "签订日期：2026年3月25日" in out
    assert "补充约定：培训地点：甲方苏州工厂 <B栋> & 会议室 | 3楼" in out
    assert "| 2 | 大客户销售技巧 |" in out
    assert "合同名称：Python | 数据分析 <高级>" in out


def test_html_escapes_values():
    out = render(signed_context(), fmt="html")
    assert "甲方苏州工厂 &lt;B栋&gt; &amp; 会议室 | 3楼" in out
    assert "<B栋>" not in out
    assert "Python | 数据分析 &lt;高级&gt;" in out
    assert '<div class="watermark">' not in out  # signed: no DRAFT watermark
    assert '<div class="watermark">草稿</div>' in render(full_context(), fmt="html")


def _article_titles(text):
    return re.findall(r"(第[一二三四五六七八九十]+条 [^<\n]+|Article \d+ [^<\n]+)", text)


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
def test_md_and_html_have_the_same_articles(locale):
    ctx = full_context()
    md = render(ctx, locale=locale)
    html = render(ctx, fmt="html", locale=locale)
    assert _article_titles(md) == _article_titles(html)
    assert len(_article_titles(md)) == 13
    strip = lambda s: re.sub(r"<[^>]+>|\*\*|\\", "", s)  # noqa: E731
    md_paras = [strip(p) for p in re.findall(r"^\d+\.\d+ .+$", md, re.M)]
    html_paras = [strip(p) for p in re.findall(r"<p>(\d+\.\d+ .+?)</p>", html)]
    assert md_paras == [p.replace("&quot;", '"').replace("&#39;", "'") for p in html_paras]


# ---------------------------------------------------------------------------
# Finding templates: locale, workspace override, -t NAME.LOCALE
# ---------------------------------------------------------------------------

def test_locale_selects_variant_and_explicit_locale():
    assert resolve_template("contract", "md", "zh_CN").path.name == "contract.md.j2"
    assert resolve_template("contract", "md", "en_US").path.name == "contract.en_US.md.j2"
    assert resolve_template("contract", "html", "fr_FR").path.name == "contract.html.j2"
    assert resolve_template("contract.en_US", "html", "zh_CN").path.name == "contract.en_US.html.j2"
    assert resolve_template("contract", "docx", "en_US").path.name == "contract.en_US.md.j2"
    out = render(full_context(), template="contract.en_US")
    assert out.startswith("<!-- salesctl draft: CON-2026-001 (in_review), March 20, 2026 -->")


def test_missing_template_and_bad_names(tmp_path):
    with pytest.raises(DraftError, match=r"no template 'offer' for format md \(locale zh_CN\)"):
        render(full_context(), template="offer")
    with pytest.raises(DraftError, match=r"no template 'contract.fr_FR' for format md.*found contract as"):
        render(full_context(), template="contract.fr_FR")
    for bad in ("../contract", "contract.md.j2", "/etc/passwd", ""):
        with pytest.raises(DraftError, match="bad template name"):
            render(full_context(), template=bad)
    with pytest.raises(DraftError, match="unknown format 'pdf'"):
        render(full_context(), fmt="pdf")


def test_workspace_overrides_shipped_by_name(tmp_path):
    ws = tmp_path / "templates"
    ws.mkdir()
    (ws / "contract.md.j2").write_text("自定义合同 {{ contract.id }} {{ contract.amount | cny_upper }}\n", encoding="utf-8")
    (ws / "offer.en_US.html.j2").write_text("<p>{{ customer.name }}</p>\n", encoding="utf-8")
    (ws / "notes.txt").write_text("not a template")
    (ws / "_partial.md.j2").write_text("partial")
    assert render(full_context(), workspace_templates_dir=ws) == "自定义合同 CON-2026-001 壹拾贰万元整\n"
    # the workspace's locale-neutral contract.md.j2 also wins over the shipped en_US one
    assert render(full_context(), locale="en_US", workspace_templates_dir=ws).startswith("自定义合同")
    # but an explicit locale asks for that file
    assert "Training Services Agreement" in render(full_context(), template="contract.en_US", workspace_templates_dir=ws)
    # html is not overridden
    assert "<!DOCTYPE html>" in render(full_context(), fmt="html", workspace_templates_dir=ws)
    assert render(full_context(), template="offer", fmt="html", locale="en_US",
                  workspace_templates_dir=ws) == "<p>华东精密机械股份有限公司</p>\n"

    infos = list_templates(ws, locale="en_US")
    rows = {(t.name, t.locale, t.format, t.source): t for t in infos}
    assert set(rows) == {
        ("contract", None, "md", "workspace"), ("contract", None, "md", "shipped"),
        ("contract", "en_US", "md", "shipped"), ("contract", None, "html", "shipped"),
        ("contract", "en_US", "html", "shipped"), ("offer", "en_US", "html", "workspace")}
    assert rows[("contract", None, "md", "shipped")].overridden
    # a locale-neutral workspace template overrides every locale (only -t contract.en_US reaches it)
    assert rows[("contract", "en_US", "md", "shipped")].overridden
    assert not rows[("contract", "en_US", "html", "shipped")].overridden
    assert rows[("contract", None, "md", "workspace")].selected
    assert not rows[("contract", "en_US", "md", "shipped")].selected
    assert rows[("contract", "en_US", "html", "shipped")].selected
    assert not rows[("contract", None, "html", "shipped")].selected
    assert infos[0].source == "workspace"  # workspace first within a name


def test_workspace_template_extends_shipped_one(tmp_path):
    ws = tmp_path / "templates"
    ws.mkdir()
    (ws / "contract.md.j2").write_text(
        '{% extends "shipped/contract.md.j2" %}\n'
        "{% block disputes %}\n## 第十二条 争议解决\n\n提交上海仲裁委员会仲裁。\n{% endblock %}\n", encoding="utf-8")
    out = render(full_context(), workspace_templates_dir=ws)
    assert "提交上海仲裁委员会仲裁。" in out
    assert "人民法院提起诉讼" not in out
    assert "## 第十三条 其他" in out and "壹拾贰万元整" in out


def test_key_wins_over_dict_method(tmp_path):
    ws = tmp_path / "templates"
    ws.mkdir()
    (ws / "t.md.j2").write_text("{{ contract.items | length }} {{ contract.get('nothing') }}|"
                                "{% for k, v in owner.items() %}{{ k }}{% endfor %}\n", encoding="utf-8")
    assert render(full_context(), template="t", workspace_templates_dir=ws) == "2 |idnamerolegroupmanageremail"  # trim_blocks ate the newline


# ---------------------------------------------------------------------------
# Errors: undefined variables, syntax, sandbox
# ---------------------------------------------------------------------------

def _ws_template(tmp_path, name, text):
    ws = tmp_path / "templates"
    ws.mkdir(exist_ok=True)
    (ws / name).write_text(text, encoding="utf-8")
    return ws


def test_undefined_variable_names_variable_file_and_line(tmp_path):
    shipped = (shipped_templates_dir() / "contract.md.j2").read_text(encoding="utf-8").splitlines()
    lines = shipped[:11] + ["传真：{{ customer.fax }}"] + shipped[11:]
    ws = _ws_template(tmp_path, "contract.md.j2", "\n".join(lines) + "\n")
    with pytest.raises(DraftError) as err:
        render(full_context(), workspace_templates_dir=ws)
    assert str(err.value) == "templates/contract.md.j2:12: undefined variable 'customer.fax'"
    assert (err.value.path, err.value.line, err.value.variable) == ("templates/contract.md.j2", 12, "customer.fax")


@pytest.mark.parametrize("text,expected", [
    ("a\n{{ nosuch }}\n", "templates/t.md.j2:2: undefined variable 'nosuch'"),
    ("{% for item in contract.items %}\n{{ item.colour }}\n{% endfor %}\n",
     "templates/t.md.j2:2: undefined variable 'item.colour'"),
    ("a\n\n{{ company['bank']['swift'] }}\n", "templates/t.md.j2:3: undefined variable 'company['bank']['swift']'"),
    ("{{ contract.items[5].name }}\n", "templates/t.md.j2:1: undefined variable 'contract.items[5]'"),
    ("{% if customer.vip %}x{% endif %}\n", "templates/t.md.j2:1: undefined variable 'customer.vip'"),
    ("{{ customer.fax.number }}\n", "templates/t.md.j2:1: undefined variable 'customer.fax'"),
])
def test_undefined_variable_messages(tmp_path, text, expected):
    ws = _ws_template(tmp_path, "t.md.j2", text)
    with pytest.raises(DraftError) as err:
        render(full_context(), template="t", workspace_templates_dir=ws)
    assert str(err.value) == expected


def test_undefined_in_included_template_points_at_the_include(tmp_path):
    ws = _ws_template(tmp_path, "part.md.j2", "x\ny\n{{ contract.discount }}\n")
    _ws_template(tmp_path, "t.md.j2", "a\n{% include 'part.md.j2' %}\n")
    with pytest.raises(DraftError, match=r"^templates/part.md.j2:3: undefined variable 'contract.discount'$"):
        render(full_context(), template="t", workspace_templates_dir=ws)


def test_syntax_and_runtime_errors_are_draft_errors(tmp_path):
    ws = _ws_template(tmp_path, "syn.md.j2", "a\nb\n{% if %}\n")
    with pytest.raises(DraftError, match=r"^templates/syn.md.j2:3: template syntax error: "):
        render(full_context(), template="syn", workspace_templates_dir=ws)
    _ws_template(tmp_path, "neg.md.j2", "{{ -5 | cny_upper }}\n")
    with pytest.raises(DraftError, match=r"^templates/neg.md.j2:1: cny_upper: negative amount -5$"):
        render(full_context(), template="neg", workspace_templates_dir=ws)
    _ws_template(tmp_path, "div.md.j2", "\n{{ contract.amount / 0 }}\n")
    with pytest.raises(DraftError, match=r"^templates/div.md.j2:2: "):
        render(full_context(), template="div", workspace_templates_dir=ws)
    _ws_template(tmp_path, "inc.md.j2", "{% include 'missing.md.j2' %}\n")
    with pytest.raises(DraftError, match=r"^templates/inc.md.j2:1: template not found: missing.md.j2$"):
        render(full_context(), template="inc", workspace_templates_dir=ws)


SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].system('id') }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ contract.__class__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ '{0.__class__.__mro__}'.format(contract) }}",
    "{{ contract['items'].append(1) }}",
    "{% set x = contract.update({'amount': 0}) %}",
    "{{ contract.items.pop() }}",
    "{{ range.__call__ }}",
    "{{ 'a' * 100000000 }}",
    "{{ 9 ** 99999999 }}",
]


@pytest.mark.parametrize("payload", SANDBOX_ESCAPES)
def test_sandbox_refuses_escapes(tmp_path, payload):
    ws = _ws_template(tmp_path, "evil.md.j2", "line one\n" + payload + "\n")
    ctx = full_context()
    before = copy.deepcopy(ctx)
    with pytest.raises(DraftError) as err:
        render(ctx, template="evil", workspace_templates_dir=ws)
    assert str(err.value).startswith("templates/evil.md.j2:2: ")
    assert ctx == before


def test_sandbox_refusals_name_the_sandbox(tmp_path):
    ws = _ws_template(tmp_path, "evil.html.j2", "{{ cycler.__init__.__globals__ }}\n")
    with pytest.raises(DraftError, match=r"^templates/evil.html.j2:1: refused by the template sandbox: "
                                         r"access to attribute '__init__'"):
        render(full_context(), template="evil", fmt="html", workspace_templates_dir=ws)


# ---------------------------------------------------------------------------
# docx
# ---------------------------------------------------------------------------

import docx  # the [docx] extra, part of [dev]


def _docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]], object]:
    doc = docx.Document(io.BytesIO(data))
    paras = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paras, tables, doc


def test_docx_from_shipped_markdown_opens_and_has_capitals():
    data = render(full_context(), fmt="docx")
    assert isinstance(data, bytes) and data[:2] == b"PK"
    paras, tables, doc = _docx_text(data)
    text = "\n".join(paras)
    assert "壹拾贰万元整" in text
    assert paras[0] == "培训服务合同" and doc.paragraphs[0].style.name == "Heading 1"
    assert "第一条 服务内容" in paras
    assert "签订日期：______年____月____日" in text  # underscores stay literal
    assert tables[0][0] == ["序号", "服务项目", "数量", "单位", "单价（元）", "金额（元）"]
    assert tables[0][1] == ["1", "销售团队管理实战（2天）", "2", "期", "45,000.00", "90,000.00"]
    assert tables[1][1] == ["第1期", "2026年3月27日前", "30%", "36,000.00", "叁万陆仟元整"]
    assert tables[2][0][0] == "甲方（盖章）：华东精密机械股份有限公司"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert doc.core_properties.title == "培训服务合同"
    # the signature page starts on a new page
    assert b'w:type="page"' in _document_xml(data)


def _document_xml(data: bytes) -> bytes:
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def test_docx_english_and_escaped_cells():
    data = render(signed_context(), fmt="docx", locale="en_US")
    paras, tables, _ = _docx_text(data)
    assert paras[0] == "Training Services Agreement"
    assert any("One Hundred Twenty Thousand Only" in p for p in paras)
    assert "Contact person: Li Ming" in "\n".join(paras)  # *Ming* became italic
    data = render(signed_context(), fmt="docx")
    paras, tables, _ = _docx_text(data)
    assert "13.5 补充约定：培训地点：甲方苏州工厂 <B栋> & 会议室 | 3楼" in paras


def test_markdown_to_docx_subset():
    md = ("# Title\n\nline one\\\nline two\nsame paragraph\n\n| a | b |\n|---|--:|\n| x \\| y | **1** |\n\n"
          "- bullet\n1. numbered\n> quoted\n\n<!-- a comment -->\n<!-- pagebreak -->\n`code` and *it*\n")
    paras, tables, doc = _docx_text(markdown_to_docx(md, locale="en_US"))
    assert paras[:2] == ["Title", "line one\nline two same paragraph"]
    assert tables == [[["a", "b"], ["x | y", "1"]]]
    assert "bullet" in paras and "1. numbered" in paras and "quoted" in paras
    assert "code and it" in paras
    assert not any("comment" in p for p in paras)
    assert doc.tables[0].rows[1].cells[1].paragraphs[0].alignment == 2  # right


def _make_docx_template(path: Path, lines: list[str]) -> Path:
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def test_docx_template_rendered_with_the_sandbox(tmp_path):
    ws = tmp_path / "templates"
    ws.mkdir()
    _make_docx_template(ws / "contract.docx", [
        "合同编号：{{ contract.id }}",
        "金额：{{ contract.amount | cny_upper }}（¥{{ contract.amount | money }}）",
        "甲方：{{ customer.name }} & <联系人> {{ contact.name }}",
        "{% for r in receivables %}第{{ loop.index }}期 {{ r.due | date_cn }} {{ r.amount | money }}；{% endfor %}",
    ])
    assert resolve_template("contract", "docx", "zh_CN", ws).source == "workspace"
    paras, _, _ = _docx_text(render(full_context(), fmt="docx", workspace_templates_dir=ws))
    assert paras[:4] == [
        "合同编号：CON-2026-001",
        "金额：壹拾贰万元整（¥120,000.00）",
        "甲方：华东精密机械股份有限公司 & <联系人> 王磊",
        "第1期 2026年3月27日 36,000.00；第2期 2026年7月30日 84,000.00；",
    ]
    # md output is not affected by a docx template
    assert "第一条 服务内容" in render(full_context(), workspace_templates_dir=ws)

    _make_docx_template(ws / "bad.docx", ["intro", "传真：{{ customer.fax }}"])
    with pytest.raises(DraftError) as err:
        render(full_context(), template="bad", fmt="docx", workspace_templates_dir=ws)
    assert str(err.value) == "templates/bad.docx (paragraph '传真：{{ customer.fax }}'): undefined variable 'customer.fax'"

    _make_docx_template(ws / "evil.docx", ["{{ cycler.__init__.__globals__ }}"])
    with pytest.raises(DraftError, match=r"^templates/evil.docx .*refused by the template sandbox"):
        render(full_context(), template="evil", fmt="docx", workspace_templates_dir=ws)

    (ws / "broken.docx").write_bytes(b"not a zip")
    with pytest.raises(DraftError, match=r"^templates/broken.docx: not a usable docx template"):
        render(full_context(), template="broken", fmt="docx", workspace_templates_dir=ws)


def test_docx_without_the_extra(monkeypatch, tmp_path):
    for mod in ("docx", "docxtpl"):
        monkeypatch.setitem(sys.modules, mod, None)  # import now raises ImportError
    with pytest.raises(DraftError) as err:
        render(full_context(), fmt="docx")
    assert str(err.value) == "docx output needs the optional extra: pip install 'salesctl[docx]'"
    ws = tmp_path / "templates"
    ws.mkdir()
    (ws / "contract.docx").write_bytes(b"PK")
    with pytest.raises(DraftError, match=r"^docx output needs the optional extra: pip install 'salesctl\[docx\]'$"):
        render(full_context(), fmt="docx", workspace_templates_dir=ws)
    # md and html need no extra
    assert "壹拾贰万元整" in render(full_context())


# ---------------------------------------------------------------------------
# HTML -> PDF in headless Chromium: A4, the expected number of pages.
# Chromium and the pinned fonts are system packages, which tests never install:
# .ci/system-deps does (Debian names); without them these tests skip, saying why.
# ---------------------------------------------------------------------------

PINNED_FONTS = {"WenQuanYi Micro Hei": "fonts-wqy-microhei", "Liberation Serif": "fonts-liberation"}


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _has_font(family: str) -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return any(family in line.split(",") for line in out.splitlines())


@pytest.fixture(scope="session")
def chromium() -> str:
    path = _find_chromium()
    if path is None:
        pytest.skip("chromium not found (Debian package chromium; .ci/system-deps installs it)")
    return path


@pytest.fixture(scope="session")
def pinned_fonts(chromium, tmp_path_factory) -> Path:
    """Workspace templates that extend the shipped HTML ones with one known font.

    The page count depends on the font's metrics; pinning the font (a small
    Debian package) makes it the same on every machine, whatever else is
    installed.  Layout, page size, margins and page breaks are the shipped ones.
    """
    for family, package in PINNED_FONTS.items():
        if not _has_font(family):
            pytest.skip(f"font {family!r} not found (Debian package {package}; .ci/system-deps installs it)")
    ws = tmp_path_factory.mktemp("pinned") / "templates"
    ws.mkdir()
    for name, family in (("contract.html.j2", "WenQuanYi Micro Hei"), ("contract.en_US.html.j2", "Liberation Serif")):
        (ws / name).write_text(
            f'{{% extends "shipped/{name}" %}}\n'
            f'{{% block style %}}{{{{ super() }}}}\nhtml {{ font-family: "{family}"; }}\n{{% endblock %}}\n',
            encoding="utf-8")
    return ws


def _print_to_pdf(chromium: str, html: str, workdir: Path) -> bytes:
    src = workdir / "contract.html"
    src.write_text(html, encoding="utf-8")
    out = workdir / "contract.pdf"
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={out}", src.as_uri()],
            capture_output=True, text=True, timeout=180)
    assert out.is_file() and out.stat().st_size > 0, f"chromium printed no PDF: {result.stderr[-2000:]}"
    return out.read_bytes()


def _pdf_pages(data: bytes) -> tuple[int, list[str], list[tuple[float, float]]]:
    """(page count, text of the first and last page or [], page sizes in points or [])."""
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)), [], []
    reader = pypdf.PdfReader(io.BytesIO(data))
    texts = [(reader.pages[i].extract_text() or "") for i in (0, -1)]
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    return len(reader.pages), texts, sizes


@pytest.mark.parametrize("ctx_name,locale,pages", [
    ("full", "zh_CN", 5),
    ("full", "en_US", 5),
    ("many_items", "zh_CN", 6),  # long tables split over pages
])
def test_html_prints_to_a4_pdf_with_expected_pages(chromium, pinned_fonts, tmp_path, ctx_name, locale, pages):
    html = render(CONTEXTS[ctx_name](), fmt="html", locale=locale, workspace_templates_dir=pinned_fonts)
    count, texts, sizes = _pdf_pages(_print_to_pdf(chromium, html, tmp_path))
    assert count == pages
    if sizes:
        assert all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in sizes)  # A4
    if texts:
        squash = [re.sub(r"\s+", "", t) for t in texts]
        if locale == "zh_CN":
            assert "培训服务合同" in squash[0] and f"第1页共{pages}页" in squash[0]
            assert "之签署页" in squash[-1] and "第十三条" not in squash[-1]
            assert "甲方（盖章）" in squash[-1]
            assert "壹拾贰万元整" in "".join(squash) or ctx_name != "full"
        else:
            assert "TRAININGSERVICESAGREEMENT" in squash[0].upper() and f"Page1of{pages}" in squash[0]
            assert "PartyA(seal)" in squash[-1] and "Article13" not in squash[-1]
