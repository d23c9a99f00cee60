"""«Phiếu chấm điểm chất lượng sinh hoạt chi bộ»: the printable score sheet of one meeting (A4, PDF and Excel),
made from the province's criteria file (etl/criteria.py) — its groups, items and points, its levels and
thresholds. A branch fills one each month; the year's count by level goes into the return's sheet «Sinh hoạt chi
bộ». The sheet holds no name: the signers write theirs on paper.

`content` turns the criteria into the strings both formats print (pure, tested); `pdf` typesets them with Typst
(Liberation Serif embedded, as the brief), `xlsx` writes them as a workbook whose points add up by formula."""

from __future__ import annotations

import io
from pathlib import Path

from etl.criteria import Criteria
from etl.province import ProvinceConfig
from etl.settings import INTERNAL_MARK
from etl.text import vn_decimal

TEMPLATE = Path(__file__).with_name("score_sheet.typ")
TITLE = "PHIẾU CHẤM ĐIỂM CHẤT LƯỢNG SINH HOẠT CHI BỘ"
PDF_NAME, XLSX_NAME = "phieu-cham-diem-sinh-hoat-chi-bo.pdf", "phieu-cham-diem-sinh-hoat-chi-bo.xlsx"
SCALES = ("1", "0.94", "0.88")


def content(province: ProvinceConfig) -> dict:
    """Every string the sheet prints, from the province's criteria."""
    c: Criteria = province.criteria
    rows = []
    for g, group in enumerate(c.groups, start=1):
        rows.append({"no": _roman(g), "text": group.name, "points": vn_decimal(group.points), "group": True})
        for i, item in enumerate(group.items, start=1):
            rows.append({"no": str(i), "text": item.text, "points": vn_decimal(item.points), "group": False})
    good = c.good_names
    return {
        "title": TITLE,
        "issuer": f"ĐẢNG BỘ TỈNH {province.name.upper()}",
        "basis": f"(Tiêu chí của tỉnh, thang {vn_decimal(c.scale)} điểm; căn cứ: {c.basis})",
        "unconfirmed": ""
        if c.confirmed
        else "Tiêu chí và ngưỡng xếp loại mặc định, chưa được Tỉnh uỷ xác nhận: dùng để thử; khi tỉnh ban hành bộ "
        "tiêu chí, phiếu được in lại theo bộ đó.",
        "head": ["TT", "Nội dung tiêu chí", "Điểm tối đa", "Chi bộ tự chấm", "Cấp uỷ cấp trên chấm"],
        "rows": rows,
        "total_label": "Tổng cộng",
        "total": vn_decimal(c.scale),
        "level_label": "Xếp loại:",
        "levels": [f"{lv.name} ({c.range_text(lv)})" for lv in c.levels],
        "note": f"Cuối năm, chi bộ cộng số kỳ được chấm điểm và số kỳ ở mỗi mức xếp loại vào trang «Sinh hoạt chi bộ» "
        f"của biểu báo cáo hằng năm; mức «{good}» được tính là «tốt trở lên».",
        "sign_left": "BÍ THƯ CHI BỘ",
        "sign_right": "CẤP UỶ VIÊN CẤP TRÊN DỰ SINH HOẠT",
        "footer": INTERNAL_MARK,
    }


def _roman(n: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[n - 1]


def pdf(province: ProvinceConfig) -> bytes:
    """The score sheet as one A4 page of PDF (the type shrinks a little for long criteria; FontMissing, in
    Vietnamese, without the font)."""
    from forms import fonts

    out = fonts.one_page(TEMPLATE, content(province), SCALES)
    if out is None:
        raise ValueError("Phiếu chấm điểm dài hơn một trang: hãy rút gọn nội dung tiêu chí trong tệp tiêu chí.")
    return out


def _lines(text: str, width: int) -> int:
    """How many lines a wrapped cell of `width` characters needs (xlsxwriter does not fit row heights)."""
    return max(1, -(-len(text) // width))


def xlsx(province: ProvinceConfig) -> bytes:
    """The score sheet as an Excel workbook (A4, one page wide): each group's score and the total add up by
    formula as the two score columns are filled."""
    import xlsxwriter

    c = content(province)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Phiếu chấm điểm")
    base = {"font_name": "Times New Roman", "font_size": 11, "text_wrap": True, "valign": "vcenter"}

    def fmt(**kw):
        return wb.add_format({**base, **kw})

    f = {
        "title": fmt(bold=True, font_size=14, align="center"),
        "center": fmt(align="center"),
        "bcenter": fmt(bold=True, align="center"),
        "italic": fmt(italic=True, align="center", font_size=10),
        "warn": fmt(italic=True, font_size=10, font_color="#9C5700", bg_color="#FFF4E0", align="center"),
        "plain": fmt(),
        "head": fmt(bold=True, border=1, align="center"),
        "group": fmt(bold=True, border=1),
        "gnum": fmt(bold=True, border=1, align="center"),
        "item": fmt(border=1, font_size=10),
        "num": fmt(border=1, align="center", font_size=10),
    }
    widths = (6, 58, 9, 10, 12)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)

    def line(r: int, text: str, style: str, height: int | None = None) -> None:
        ws.merge_range(r, 0, r, 4, text, f[style])
        if height:
            ws.set_row(r, height)

    ws.merge_range(0, 0, 0, 1, c["issuer"], f["center"])
    ws.merge_range(0, 2, 0, 4, "ĐẢNG CỘNG SẢN VIỆT NAM", f["bcenter"])
    ws.merge_range(1, 0, 1, 1, "ĐẢNG UỶ …………………… · CHI BỘ ……………………", f["bcenter"])
    ws.merge_range(1, 2, 1, 4, "……, ngày … tháng … năm ……", f["italic"])
    line(3, c["title"], "title", 22)
    line(4, "Kỳ sinh hoạt thường kỳ tháng …… năm ……", "center")
    line(5, c["basis"], "italic", 15 * _lines(c["basis"], 110))
    r = 6
    if c["unconfirmed"]:
        line(r, c["unconfirmed"], "warn", 15 * _lines(c["unconfirmed"], 110))
        r += 1
    line(r, "Tổng số đảng viên: ……; miễn sinh hoạt: ……; có mặt: ……; vắng có lý do: ……; không lý do: ……", "plain")
    line(
        r + 1,
        "Bắt đầu lúc …… giờ; kết thúc lúc …… giờ.   □ Có sinh hoạt chuyên đề   □ Cấp uỷ viên cấp trên dự",
        "plain",
    )
    r += 3
    for col, h in enumerate(c["head"]):
        ws.write(r, col, h, f["head"])
    ws.set_row(r, 30)
    groups: list[int] = []
    for row in c["rows"]:
        r += 1
        bold = row["group"]
        ws.write(r, 0, row["no"], f["gnum"] if bold else f["num"])
        ws.write(r, 1, row["text"], f["group"] if bold else f["item"])
        ws.write_number(r, 2, float(row["points"].replace(",", ".")), f["gnum"] if bold else f["num"])
        for col in (3, 4):
            ws.write_blank(r, col, None, f["gnum"] if bold else f["num"])
        ws.set_row(r, 15 * _lines(row["text"], 66))
        if bold:
            groups.append(r)
    # A group's score is the sum of its items, the total the sum of the groups: blank until something is scored.
    for g, end in zip(groups, [*groups[1:], r + 1]):
        for col, letter in ((3, "D"), (4, "E")):
            span = f"{letter}{g + 2}:{letter}{end}"
            ws.write_formula(g, col, f'=IF(COUNT({span}),SUM({span}),"")', f["gnum"], "")
    r += 1
    ws.merge_range(r, 0, r, 1, c["total_label"], f["head"])
    ws.write_number(r, 2, float(c["total"].replace(",", ".")), f["gnum"])
    for col, letter in ((3, "D"), (4, "E")):
        refs = ",".join(f"{letter}{g + 1}" for g in groups)
        ws.write_formula(r, col, f'=IF(COUNT({refs}),SUM({refs}),"")', f["gnum"], "")
    r += 2
    ws.write(r, 0, c["level_label"], f["plain"])
    half = (len(c["levels"]) + 1) // 2
    for k in range(half):
        pair = c["levels"][2 * k : 2 * k + 2]
        ws.merge_range(r + k, 1, r + k, 4, "   ".join(f"□ {lv}" for lv in pair), f["plain"])
    r += half + 1
    line(r, c["note"], "italic", 15 * _lines(c["note"], 110))
    ws.merge_range(r + 2, 0, r + 2, 1, c["sign_left"], f["bcenter"])
    ws.merge_range(r + 2, 2, r + 2, 4, c["sign_right"], f["bcenter"])
    ws.merge_range(r + 3, 0, r + 3, 1, "(Ký, ghi rõ họ tên)", f["italic"])
    ws.merge_range(r + 3, 2, r + 3, 4, "(Ký, ghi rõ họ tên)", f["italic"])
    line(r + 7, c["footer"], "italic")
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.6, right=0.4, top=0.5, bottom=0.5)
    ws.print_area(0, 0, r + 7, 4)
    wb.close()
    return buf.getvalue()
