"""The situation report as a Word document (python-docx), laid out as Vietnamese party documents are: the header
block (issuing committee, «ĐẢNG CỘNG SẢN VIỆT NAM», place and date), the title, numbered sections in a serif font
of 14 pt, «Tài liệu lưu hành nội bộ» on every page, and Biểu 01–07 and the meetings table as Word tables in a
landscape annex.

The font is named «Times New Roman», the one the reader's Word has; LibreOffice shows it in Liberation Serif, which
has the same metrics (the layout does not move)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard import export
from dashboard.scope import Scope
from etl.settings import PARQUET_DIR
from reports import figures, prose
from reports.figures import Situation

FONT = "Times New Roman"
BODY_PT = 14
ANNEX_PT = 9
MAX_TABLE_COLUMNS = 20  # wider Biểu (03: 5 years × 6) are split into column groups, row labels repeated
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def build(year: int, scope: Scope, unit_code: str | None = None, root: Path = PARQUET_DIR) -> bytes:
    """The report of `year` for the province (unit None) or one unit, as .docx bytes (a commune: its own only)."""
    return render(figures.situation(year, scope, unit_code, root=root))


def file_name(year: int, unit_code: str | None) -> str:
    return f"bao-cao-thuc-trang-{unit_code or 'toan-tinh'}-{year}.docx"


def render(s: Situation) -> bytes:
    m = s.meta
    doc = Document()
    _styles(doc)
    doc.core_properties.title = " ".join(prose.situation_title(m))
    doc.core_properties.author = "Hệ thống theo dõi chất lượng tổ chức đảng"
    doc.core_properties.created = dt.datetime.combine(m.made_on, dt.time())
    sec = doc.sections[0]
    _page(sec, landscape=False)
    _running_header(sec, m)
    _letterhead(doc, m)
    title, subject = prose.situation_title(m)
    _para(doc, title, bold=True, size=15, align="center", space_before=12, indent=False, space_after=0)
    _para(doc, subject, bold=True, align="center", indent=False, space_after=0)
    _para(doc, "-----", align="center", indent=False)
    for b in prose.situation_blocks(s):
        if b.kind == "h1":
            doc.add_paragraph(b.text, style="Heading 1")
        elif b.kind == "note":
            _para(doc, b.text, italic=True, size=12)
        else:
            _para(doc, b.text)
    _annex(doc, s)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _fonts(rpr, name: str = FONT) -> None:
    """Name the font for every script and drop theme fonts (a theme font would win over the name)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for a in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{a}"), name)
    for a in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{a}"), None)


def _styles(doc) -> None:
    st = doc.styles
    defaults = st.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults)
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        defaults.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    normal = st["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15
    for name, size in (("Heading 1", BODY_PT), ("Heading 2", BODY_PT)):
        h = st[name]
        h.font.size, h.font.bold, h.font.italic = Pt(size), True, False
        h.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(h.element.get_or_add_rPr())
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(6), Pt(6)
        h.paragraph_format.first_line_indent = Cm(1.27)
        h.paragraph_format.keep_with_next = True
    for name in ("Header", "Footer"):
        st[name].font.size = Pt(11)
        _fonts(st[name].element.get_or_add_rPr())


def _page(sec, landscape: bool) -> None:
    """A4; margins of party documents: top and bottom 2 cm, left 3 cm, right 1,5 cm (landscape: 2 cm left)."""
    w, h = Cm(21), Cm(29.7)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (h, w) if landscape else (w, h)
    sec.top_margin = sec.bottom_margin = Cm(2)
    sec.left_margin, sec.right_margin = (Cm(2), Cm(1.5)) if landscape else (Cm(3), Cm(1.5))
    sec.header_distance = sec.footer_distance = Cm(1)


def _running_header(sec, meta) -> None:
    """«Tài liệu lưu hành nội bộ» (and the sample notice) on every page; the page number at the foot."""
    header = sec.header
    first = header.paragraphs[0]
    for i, line in enumerate(prose.header_lines(meta)):
        p = first if i == 0 else header.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(line)
        r.italic = True
        r.font.size = Pt(11 if i == 0 else 9.5)
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p.add_run(), "PAGE")


def _field(run, code: str) -> None:
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _para(
    container,
    text: str,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: str = "justify",
    indent: bool = True,
    space_before: float = 0,
    space_after: float | None = None,
    underline: bool = False,
):
    p = container.add_paragraph()
    p.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    pf = p.paragraph_format
    pf.first_line_indent = Cm(1.27) if indent else Cm(0)
    pf.space_before = Pt(space_before)
    if space_after is not None:
        pf.space_after = Pt(space_after)
    r = p.add_run(text)
    r.bold, r.italic, r.underline = bold, italic, underline
    if size:
        r.font.size = Pt(size)
    return p


def _letterhead(doc, meta) -> None:
    """Two columns without borders: the issuing committee and «*» on the left; «ĐẢNG CỘNG SẢN VIỆT NAM», underlined,
    and the place and date in italics on the right."""
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    left, right = t.rows[0].cells
    for col, cell, w in zip(t.columns, (left, right), (Cm(8), Cm(8.5))):
        col.width = cell.width = w
    if meta.unit_code is None:
        lines = [(f"TỈNH UỶ {meta.province.upper()}", True)]
        place = meta.province
    else:
        lines = [(f"ĐẢNG BỘ TỈNH {meta.province.upper()}", False), (_issuer(meta.committee), True)]
        place = meta.unit_name.split(" ", 1)[-1] if meta.unit_name else meta.province
    left.paragraphs[0].text = ""
    for i, (text, bold) in enumerate(lines):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        _cell_text(p, text, bold=bold, size=13)
    _cell_text(left.add_paragraph(), "*", size=13)
    _cell_text(right.paragraphs[0], "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=14, underline=True)
    _cell_text(right.add_paragraph(), "", size=8)
    _cell_text(right.add_paragraph(), prose.date_line(place, meta.made_on), italic=True, size=13)


def _issuer(committee: str) -> str:
    """«Đảng bộ phường Thục Phán» -> «ĐẢNG UỶ PHƯỜNG THỤC PHÁN» (the committee signs, not the organisation)."""
    return committee.replace("Đảng bộ", "Đảng uỷ", 1).upper()


def _cell_text(p, text: str, bold=False, italic=False, size=None, underline=False, align="center") -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    r = p.add_run(text)
    r.bold, r.italic, r.underline = bold, italic, underline
    if size:
        r.font.size = Pt(size)


def _annex(doc, s: Situation) -> None:
    from docx.enum.section import WD_SECTION

    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(sec, landscape=True)
    m = s.meta
    scope_text = m.unit_name or "toàn tỉnh"
    _para(doc, "PHỤ LỤC", bold=True, size=14, align="center", indent=False, space_after=0)
    _para(
        doc,
        f"Các biểu thống kê năm {m.year} ({scope_text}), tổng hợp từ báo cáo đã nạp theo bố cục Biểu 01–07, và "
        "biểu sinh hoạt chi bộ",
        italic=True,
        size=12,
        align="center",
        indent=False,
    )
    for i, b in enumerate(export.bieu_layouts(s.bieu, m.year, s.unit_names)):
        for j, part in enumerate(_split(b, MAX_TABLE_COLUMNS) if b.rows else [b]):
            if i and not j and b.rows:  # a table without rows says why under the one before
                doc.add_page_break()
            _para(doc, b.heading, bold=True, size=12, align="center", indent=False, space_after=0)
            suffix = f" (tiếp theo, phần {j + 1})" if j else ""
            _para(doc, b.title + suffix, bold=True, size=12, align="center", indent=False, space_after=6)
            if b.note and not j:
                _para(doc, b.note, italic=True, size=ANNEX_PT + 1, align="center", indent=False, space_after=6)
            if b.rows:
                _table(doc, part)


def _split(b: export.Bieu, max_columns: int) -> list[export.Bieu]:
    """A Biểu too wide for the page as several, each with the row labels (TT, Nội dung) and whole column groups."""
    if b.width <= max_columns:
        return [b]
    first = b.head[0]
    label_cells, groups = first[:2], first[2:]
    parts, current, width = [], [], 0
    for g in groups:
        if current and width + g.span > max_columns - 2:
            parts.append(current)
            current, width = [], 0
        current.append(g)
        width += g.span
    parts.append(current)
    out, start = [], 0
    sub = b.head[1] if len(b.head) > 1 else ()
    sub_start = 0
    for part in parts:
        n = sum(g.span for g in part)
        n_sub = sum(g.span for g in part if not g.tall)
        head = [(*label_cells, *part)]
        if sub:
            head.append(sub[sub_start : sub_start + n_sub])
        rows = tuple(
            export.BieuRow(r.tt, r.label, r.values[start : start + n] if r.values else (), r.bold) for r in b.rows
        )
        out.append(export.Bieu(b.number, b.title, tuple(head), rows))
        start += n
        sub_start += n_sub
    return out


def _table(doc, b: export.Bieu) -> None:
    n_head = len(b.head)
    t = doc.add_table(rows=n_head, cols=b.width)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    page = Cm(29.7 - 2 - 1.5)
    tt_w, label_w = Cm(0.9), Cm(4.2 if b.width > 16 else 5.5 if b.width > 8 else 7.5)
    value_w = min(int((page - tt_w - label_w) / max(1, b.width - 2)), Cm(3))
    widths = [tt_w, label_w, *[value_w] * (b.width - 2)]
    _narrow_margins(t)
    for i, cells in enumerate(b.head):
        c = 0 if i == 0 else sum(x.span for x in b.head[0] if x.tall)
        row = t.rows[i].cells
        for cell in cells:
            target = row[c]
            if cell.span > 1:
                target = target.merge(row[c + cell.span - 1])
            if cell.tall and n_head > 1:
                target = target.merge(t.rows[n_head - 1].cells[c])
            _cell(target, cell.text, bold=True, align="center", size=ANNEX_PT - 1)
            target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            c += cell.span
        _repeat_header(t.rows[i])
    for r in b.rows:
        cells = t.add_row().cells
        _cell(cells[0], r.tt, bold=r.bold, align="center")
        # A section or group heading has no figures: its label runs across the row.
        _cell(cells[1] if r.values else cells[1].merge(cells[-1]), r.label, bold=r.bold, align="left")
        for j, v in enumerate(r.values):
            _cell(cells[2 + j], export.cell_text(v), bold=r.bold, align="center" if isinstance(v, str) else "right")
    t.autofit = False  # Word and LibreOffice both follow the grid's column widths
    for col, w in zip(t.columns, widths):
        col.width = w
    for row in t.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    _para(doc, "", size=4, indent=False, space_after=0)


def _narrow_margins(t) -> None:
    """Cell padding of 0,08 cm left and right (Word's default 0,19 cm would wrap «HTXSNV» in narrow columns)."""
    pr = t._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Cm(0.08).twips)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    pr.append(mar)


def _cell(cell, text: str, bold: bool = False, align: str = "left", size: float = ANNEX_PT) -> None:
    p = cell.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    pf = p.paragraph_format
    pf.first_line_indent, pf.space_after, pf.line_spacing = Cm(0), Pt(0), 1.0
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
