"""The one-page brief on a unit (PDF, A4): the unit, the year, the date of the data, «Tài liệu lưu hành nội bộ»; its
key indicators against the province with the funnel judgement in words; the status of its targets and what it would
take in branches or people to reach them; small 2021–2025 trends; the three gaps that need the most units to close.

Typeset by Typst (the `typst` wheel: the compiler itself, no system library) from brief.typ, with Liberation Serif
embedded. `content` turns the figures into the strings the template prints (pure, tested); `render` typesets them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from dashboard import charts, data, fmt, methods, registry
from dashboard.notices import sample_notice
from dashboard.scope import Scope
from etl.settings import INTERNAL_MARK, PARQUET_DIR
from forms import fonts
from reports import figures, prose
from reports.figures import Brief

TEMPLATE = Path(__file__).with_name("brief.typ")
PDF_MIME = "application/pdf"
SCALES = ("1", "0.92", "0.85", "0.8")  # type sizes tried in turn until the brief fits one page


def build(year: int, scope: Scope, unit_code: str, root: Path = PARQUET_DIR) -> bytes:
    """The brief of `year` on one unit as PDF bytes (a commune user: its own unit only)."""
    return render(content(figures.brief(year, scope, unit_code, root=root)))


def file_name(year: int, unit_code: str) -> str:
    return f"tom-tat-{unit_code}-{year}.pdf"


def units_of(scope: Scope, year: int, root: Path = PARQUET_DIR) -> list[str]:
    """The units a brief can be made on for this scope and year (those with a return): a commune, its own only."""
    with_data = set(data.returns(scope, root=root).filter(pl.col("year") == year)["unit_code"])
    return [u for u in data.units(scope, root=root)["unit_code"].to_list() if u in with_data]


def each(year: int, scope: Scope, root: Path = PARQUET_DIR) -> Iterator[tuple[int, int, str, bytes]]:
    """The brief of every unit of the scope (a commune: only its own), as (i, n, unit, pdf)."""
    units = units_of(scope, year, root)
    for i, u in enumerate(units, start=1):
        yield i, len(units), u, build(year, scope, u, root=root)


def zip_all(
    year: int, scope: Scope, root: Path = PARQUET_DIR, progress: Callable[[int, int, str], None] | None = None
) -> bytes:
    """Every brief of the scope as one zip, calling progress(i, n, unit) after each."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, n, u, pdf in each(year, scope, root):
            z.writestr(file_name(year, u), pdf)
            if progress:
                progress(i, n, u)
    return buf.getvalue()


def _label(indicator_id: str) -> str:
    return registry.get(indicator_id).short_for()


def content(b: Brief) -> dict:
    """Every string the brief prints, formatted (Vietnamese numbers, NFC text)."""
    m = b.meta
    years = list(m.years)
    rows = []
    for r in b.comparison.iter_rows(named=True):
        trend = [b.trends.get(r["id"], {}).get(y) for y in years]
        known = [v for v in trend if v is not None]
        rows.append(
            {
                "label": _label(r["id"]),
                "ratio": fmt.ratio(r["numerator"], r["denominator"]),
                "value": fmt.pct(r["value"]),
                "province": fmt.pct(r["province"]),
                "judgement": r["judgement_label"],
                "color": charts.JUDGEMENT_COLORS.get(r["judgement"] or "", charts.GREY),
                "trend": trend,
                "trend_text": f"{fmt.pct(known[0], 1)} → {fmt.pct(known[-1], 1)}" if len(known) > 1 else "—",
            }
        )
    targets = [
        {
            "text": t.text,
            "target": prose.target_short(t),
            "latest": fmt.pct(t.stated.latest),
            "status": prose.status(t.status),
            "color": charts.STATUS_COLORS.get(t.status, charts.GREY),
            "gap": f"{fmt.num(t.gap_units)} {prose.what_counts(t.indicator_id, t.subgroup)[0]}"
            if prose.gap(t)
            else "—",
        }
        for t in b.targets
    ]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(m.year)
    return {
        "author": "Hệ thống theo dõi chất lượng tổ chức đảng",
        "issuer": f"TỈNH UỶ {m.province.upper()}",
        "mark": INTERNAL_MARK,
        "date_line": prose.date_line(m.province, m.made_on),
        "title": f"BẢN TÓM TẮT TÌNH HÌNH TỔ CHỨC ĐẢNG NĂM {m.year}",
        "unit": m.committee,
        "data_line": prose.data_line(m, sample=False),
        "sample": sample_notice(year=m.year) if m.is_sample else "",
        "size": (
            f"Quy mô năm {m.year}: "
            + (f"{prose.grassroots_words(b.grassroots)}; " if b.grassroots else "")
            + f"{fmt.count(b.branches)} chi bộ"
            + (
                f" (trong đó {fmt.count(b.villages)} chi bộ xóm, tổ dân phố"
                + (f"; {fmt.count(b.border)} xóm biên giới" if b.border else "")
                + ")"
                if b.villages
                else ""
            )
            + f"; {fmt.count(b.members)} đảng viên."
        ),
        "s1": f"1. Các chỉ tiêu chính năm {m.year} so với toàn tỉnh",
        "s1_head": ["Chỉ tiêu", "Tử số/mẫu số", "Tỉ lệ", "Toàn tỉnh", "So với toàn tỉnh", span, "Đầu → cuối kỳ"],
        "indicators": rows,
        "judgement_text": judgement_text(b),
        "s2": "2. Tiến độ các mục tiêu" + (f" ({_document(b.targets[0].issuer)})" if b.targets else ""),
        "s2_head": ["Mục tiêu", "Mức, thời hạn", "Hiện tại", "Tình trạng", "Còn thiếu"],
        "targets": targets,
        "no_targets": "Chưa có số liệu để đánh giá tiến độ các mục tiêu.",
        "s_meet": f"3. Sinh hoạt chi bộ năm {m.year}",
        "meetings": " ".join(prose.meetings_text(b.meetings, m.year, m.committee, brief=True)),
        "s3": "4. Ba khoảng cách cần nhiều đơn vị nhất để thu hẹp",
        "gaps": gaps(b),
        "no_gaps": "Đơn vị đã đạt mọi mục tiêu đo được từ báo cáo hằng năm.",
        "footer": (
            "So với toàn tỉnh: kiểm định giới hạn phễu 95% (tính đến quy mô của đơn vị). Tình trạng: so tốc độ thay đổi "
            "thực tế với tốc độ cần có để đạt mục tiêu đúng hạn (phương pháp tiến độ của Eurostat). "
            f"Còn thiếu: tính trên mẫu số năm gần nhất. {INTERNAL_MARK}."
        ),
    }


def _document(issuer: str) -> str:
    """«Ban Thường vụ Tỉnh uỷ Cao Bằng (Đề án số 03-ĐA/TU, 28/5/2026)» -> «Đề án số 03-ĐA/TU, 28/5/2026»."""
    return issuer[issuer.index("(") + 1 : issuer.rindex(")")] if "(" in issuer and issuer.endswith(")") else issuer


def judgement_text(b: Brief) -> str:
    """The funnel judgements in one sentence: where the unit is significantly better or worse than the province."""
    c = b.comparison
    if c.is_empty():
        return "Chưa có số liệu để so sánh với toàn tỉnh."
    better = [_label(i) for i, j in zip(c["id"], c["judgement"]) if j == "better"]
    worse = [_label(i) for i, j in zip(c["id"], c["judgement"]) if j == "worse"]
    parts = []
    if better:
        parts.append(f"tốt hơn đáng kể ở {fmt.count(len(better))} chỉ tiêu ({'; '.join(better)})")
    if worse:
        parts.append(f"kém hơn đáng kể ở {fmt.count(len(worse))} chỉ tiêu ({'; '.join(worse)})")
    rest = c.height - len(better) - len(worse)
    if not parts:
        return f"So với toàn tỉnh, {b.meta.committee} tương đương ở cả {fmt.count(c.height)} chỉ tiêu."
    tail = f"; tương đương ở {fmt.count(rest)} chỉ tiêu còn lại" if rest else ""
    return f"So với toàn tỉnh, {b.meta.committee} {', '.join(parts)}{tail}."


def gaps(b: Brief, n: int = 3) -> list[str]:
    """The n targets that need the most branches or people to reach, in words."""
    every = b.targets + (b.meetings.targets if b.meetings else [])
    open_ = sorted((t for t in every if prose.gap(t)), key=lambda t: (-t.gap_units, t.target_id))
    out = []
    for t in open_[:n]:
        r = t.latest_ratio
        noun, _ = prose.what_counts(t.indicator_id, t.subgroup)
        g = prose.gap(t)
        out.append(
            f"{g[:1].upper()}{g[1:]} để đạt mục tiêu «{t.text}» ({prose.target_words(t)}); hiện đạt "
            f"{fmt.pct(t.stated.latest)} ({fmt.count(r.numerator)}/{fmt.count(r.denominator)} {noun}), "
            f"{prose.lower_first(methods.STATUS_LABELS[t.status])}."
        )
    return out


def render(c: dict) -> bytes:
    """Typeset the brief (one A4 page; the type shrinks a little when a long brief would need a second page)."""
    pdf = fonts.one_page(TEMPLATE, c, SCALES)
    if pdf is not None:
        return pdf
    raise ValueError("Bản tóm tắt dài hơn một trang.")
