"""Markdown to Word: the ``docx`` format of a draft rendered from a Markdown template."""

from __future__ import annotations

import io
import re
from typing import Any


# ---------------------------------------------------------------------------
# Markdown -> Word
# ---------------------------------------------------------------------------

_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INLINE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])|(\*\*)(.+?)\*\*|\*(?!\s)(.+?)(?<!\s)\*"
                        r"|`([^`]+)`|<br\s*/?>", re.S)
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, i = [], [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur).strip())
    return cells


def _join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph; a hard break (two spaces or \\) stays a newline."""
    out = ""
    for i, raw in enumerate(lines):
        hard = raw.endswith("  ") or (raw.endswith("\\") and not raw.endswith("\\\\"))
        line = raw.rstrip()
        if line.endswith("\\") and hard:
            line = line[:-1]
        line = line.strip()
        if i and out and not out.endswith("\n"):
            if not (_CJK_RE.search(out[-1]) or _CJK_RE.search(line[:1] or " ")):
                out += " "
        out += line
        if hard and i < len(lines) - 1:
            out += "\n"
    return out


def _add_runs(paragraph: Any, text: str, bold: bool = False) -> None:
    pos = 0

    def plain(s: str, b: bool = bold, i: bool = False) -> None:
        parts = s.split("\n")
        for k, part in enumerate(parts):
            if k:
                paragraph.add_run().add_break()
            if part:
                run = paragraph.add_run(part)
                run.bold = b or None
                run.italic = i or None

    for m in _INLINE_RE.finditer(text):
        plain(text[pos:m.start()])
        if m.group(1) is not None:
            plain(m.group(1))
        elif m.group(3) is not None:
            _add_runs(paragraph, m.group(3), bold=True)
        elif m.group(4) is not None:
            plain(m.group(4), bold, True)
        elif m.group(5) is not None:
            plain(m.group(5))
        else:
            plain("\n")
        pos = m.end()
    plain(text[pos:])


def _style_document(doc: Any, locale: str | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25)
        section.left_margin = section.right_margin = Mm(25)
    chinese = not (locale or "").startswith("en")

    def font(style: Any, east_asia: str, size: float, bold: bool | None) -> None:
        """Times New Roman for Latin text, ``east_asia`` for Chinese, black."""
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, rfonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), "Times New Roman")
        rfonts.set(qn("w:eastAsia"), east_asia)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)

    styles = doc.styles
    font(styles["Normal"], "宋体", 10.5 if chinese else 11, None)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Normal"].paragraph_format.line_spacing = 1.35
    sizes = {1: 18, 2: 12, 3: 11, 4: 10.5}
    for level, size in sizes.items():
        st = styles[f"Heading {level}"]
        font(st, "黑体", size, True)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(10 if level > 1 else 0)
        st.paragraph_format.space_after = Pt(6)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in doc.sections:
        _page_numbers(section, chinese)


def _page_numbers(section: Any, chinese: bool) -> None:
    """The footer "第 N 页 共 M 页" (Page N of M), as the printed html has: Word fields that Word
    and LibreOffice fill in when they lay the pages out."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def field(code: str) -> None:
        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
            run = paragraph.add_run()
            run.font.size = Pt(9)
            if kind is not None:
                mark = OxmlElement("w:fldChar")
                mark.set(qn("w:fldCharType"), kind)
                run._r.append(mark)
            elif text == code:
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = f" {code} "
                run._r.append(instruction)
            else:
                run.text = text

    for part in (["第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"] if chinese else ["Page ", "PAGE", " of ", "NUMPAGES"]):
        if part in ("PAGE", "NUMPAGES"):
            field(part)
        else:
            paragraph.add_run(part).font.size = Pt(9)


def markdown_to_docx(markdown: str, *, locale: str | None = "zh_CN", title: str | None = None) -> bytes:
    """A Word document (A4) from the Markdown subset the contract templates use.

    Headings (``#``..``####``; ``#`` centred), paragraphs (lines joined, hard
    breaks kept), pipe tables with alignment, ``-``/``*`` bullets, numbered
    items (numbers kept as written), ``>`` quotes, ``---`` rules,
    ``<!-- pagebreak -->`` page breaks, other HTML comments dropped;
    inline ``**bold**``, ``*italic*``, ```code```, ``<br>`` and backslash
    escapes.  Underscores are always literal (``____`` is a blank to fill
    in, never emphasis).  Needs python-docx (the ``docx`` extra).
    """
    import docx  # the docx extra: `render.require_extra` checked it is there
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    doc = docx.Document()
    _style_document(doc, locale)
    align_map = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                 "right": WD_ALIGN_PARAGRAPH.RIGHT}
    lines = markdown.splitlines()
    i = 0
    para: list[str] = []
    first_heading = None

    def flush() -> None:
        if para:
            p = doc.add_paragraph()
            _add_runs(p, _join_lines(para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("<!--"):
            flush()
            comment = [stripped]
            while "-->" not in comment[-1] and i + 1 < len(lines):
                i += 1
                comment.append(lines[i].strip())
            if re.fullmatch(r"<!--\s*page-?break\s*-->", " ".join(comment), re.I):
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped)
        if m:
            flush()
            level = min(len(m.group(1)), 4)
            h = doc.add_heading(level=level)
            _add_runs(h, m.group(2))
            if first_heading is None:
                first_heading = re.sub(r"[*`\\]", "", m.group(2))
            i += 1
            continue
        if re.fullmatch(r"(\*\s*){3,}|(-\s*){3,}|(_\s*){3,}", stripped) and not para:
            flush()
            doc.add_paragraph()
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP_RE.match(lines[i + 1]):
            flush()
            header = _split_row(stripped)
            aligns = []
            for spec in _split_row(lines[i + 1].strip()):
                spec = spec.strip()
                aligns.append("center" if spec.startswith(":") and spec.endswith(":")
                              else "right" if spec.endswith(":") else "left")
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            ncols = len(header)
            table = doc.add_table(rows=1 + len(rows), cols=ncols)
            table.style = doc.styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, cells in enumerate([header] + rows):
                for c in range(ncols):
                    cell_p = table.rows[r].cells[c].paragraphs[0]
                    _add_runs(cell_p, cells[c] if c < len(cells) else "", bold=(r == 0))
                    cell_p.alignment = align_map[aligns[c] if c < len(aligns) else "left"]
                    cell_p.paragraph_format.space_after = 0
            continue
        m = re.match(r"^\s*([-*+])\s+(.*)$", line)
        if m and not para:
            p = doc.add_paragraph(style="List Bullet")
            _add_runs(p, m.group(2).strip())
            i += 1
            continue
        m = re.match(r"^\s*(\d+[.)])\s+(.*)$", line)
        if m and not para:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = docx.shared.Pt(21)
            p.paragraph_format.first_line_indent = docx.shared.Pt(-21)
            _add_runs(p, f"{m.group(1)} {m.group(2).strip()}")
            i += 1
            continue
        if stripped.startswith(">"):
            flush()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            p = doc.add_paragraph(style="Quote")
            _add_runs(p, _join_lines(quote))
            continue
        para.append(line)
        i += 1
    flush()
    doc.core_properties.title = title or first_heading or ""
    doc.core_properties.author = "salesctl"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
