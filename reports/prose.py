"""The words of the documents: the sentences an officer writes from the figures, in the style of the source report
(Đề án 03-ĐA/TU, Phần thứ hai, §1), every number in Vietnamese format (dashboard.fmt).

Pure functions: figures in, text out. Counts below ten are written with two digits («04 đảng uỷ», «03/1.462»), as
Vietnamese administrative documents write them; percentages always with two decimals («88,10%»)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard import fmt, methods, registry
from dashboard.notices import sample_notice
from etl.codes import codes
from etl.schema import MEETINGS_FROM
from etl.settings import INTERNAL_MARK
from reports.figures import Meetings, Meta, Ratio, Situation, TargetRow, type_label

# What each indicator counts, for «cần thêm 252 chi bộ triển khai …» / «cần giảm 09 chi bộ xóm có dưới …»:
# (the noun of its denominator, what a counted one does or is). Every registry indicator has one (tested).
WORDING: dict[str, tuple[str, str]] = {
    "branch_good": ("chi bộ", "hoàn thành tốt nhiệm vụ trở lên"),
    "branch_excellent": ("chi bộ", "hoàn thành xuất sắc nhiệm vụ"),
    "branch_failed": ("chi bộ", "không hoàn thành nhiệm vụ"),
    "grassroots_good": ("tổ chức cơ sở đảng", "hoàn thành tốt nhiệm vụ trở lên"),
    "grassroots_excellent": ("tổ chức cơ sở đảng", "hoàn thành xuất sắc nhiệm vụ"),
    "grassroots_failed": ("tổ chức cơ sở đảng", "không hoàn thành nhiệm vụ"),
    "suborg_good": ("tổ chức đảng trực thuộc", "hoàn thành tốt nhiệm vụ trở lên"),
    "member_good": ("đảng viên", "hoàn thành tốt nhiệm vụ trở lên"),
    "member_excellent": ("đảng viên", "hoàn thành xuất sắc nhiệm vụ"),
    "member_failed": ("đảng viên", "không hoàn thành nhiệm vụ"),
    "admission_rate": ("đảng viên", "kết nạp mới"),
    "internet_none": ("chi bộ", "chưa có Internet"),
    "internet_unstable": ("chi bộ", "có Internet không ổn định"),
    "computer_none": ("chi bộ", "chưa có máy tính"),
    "ehandbook": ("chi bộ", "triển khai ứng dụng Sổ tay đảng viên điện tử"),
    "secretary_deputy_trained": ("bí thư, phó bí thư", "được bồi dưỡng nghiệp vụ công tác Đảng"),
    "secretary_trained": ("bí thư", "được bồi dưỡng nghiệp vụ công tác Đảng"),
    "secretary_deputy_theory": ("bí thư, phó bí thư chi bộ cơ sở", "có trình độ lý luận chính trị trung cấp trở lên"),
    "secretary_it": ("bí thư", "biết sử dụng tin học"),
    "small_branch": ("chi bộ xóm", "có dưới 3 đảng viên tại chỗ"),
    "heads_member": ("xóm, tổ dân phố", "có {sub} là đảng viên"),
    "village_secretary_post": ("chi bộ xóm", "có bí thư {sub}"),
    "meet_regular": ("chi bộ", "sinh hoạt định kỳ đủ hằng tháng"),
    "meet_months": ("kỳ sinh hoạt thường kỳ", "được tổ chức"),
    "meet_thematic": ("chi bộ", "sinh hoạt chuyên đề mỗi quý"),
    "meet_forum": ("chi bộ", "tổ chức diễn đàn sinh hoạt trong năm"),
    "meet_fixed_day": ("kỳ sinh hoạt thường kỳ", "đúng ngày sinh hoạt thống nhất"),
    "meet_attendance": ("lượt đảng viên", "dự sinh hoạt"),
    "meet_unexcused": ("lượt đảng viên", "vắng sinh hoạt không có lý do"),
    "meet_quality": ("kỳ sinh hoạt", "đạt mức tốt trở lên"),
    "meet_scored": ("kỳ sinh hoạt", "được chấm điểm, xếp loại"),
    "meet_resolution": ("chi bộ", "ban hành nghị quyết (kết luận) phân công đảng viên hằng tháng"),
    "meet_tasks_branch": ("chi bộ", "phân công nhiệm vụ cho mọi đảng viên"),
    "meet_tasks_members": ("đảng viên", "được phân công nhiệm vụ"),
    "meet_bulletin": ("chi bộ", "sử dụng Bản tin Thông báo nội bộ ở mọi kỳ sinh hoạt"),
    "meet_higher_village": ("chi bộ xóm, tổ dân phố", "có cấp uỷ cấp trên dự sinh hoạt"),
    "meet_higher_quarterly": ("chi bộ", "có cấp uỷ viên cấp trên dự sinh hoạt mỗi quý"),
    "meet_rules": ("chi bộ", "ban hành quy chế làm việc"),
    "meet_term_docs": ("chi bộ", "có đủ văn bản đầu nhiệm kỳ"),
    "meet_programme": ("chi bộ", "có đủ chương trình, kế hoạch năm"),
    "meet_procedure": ("chi bộ", "thực hiện đầy đủ nội dung, đúng quy trình sinh hoạt"),
}
COMPARATOR_WORDS = {">=": "từ {v} trở lên", ">": "trên {v}", "<=": "không quá {v}", "<": "dưới {v}"}
PROFESSIONAL = [
    ("professional_intermediate", "trung cấp"),
    ("professional_college", "cao đẳng"),
    ("professional_university", "đại học"),
    ("professional_post_graduate", "trên đại học"),
    ("professional_none", "chưa qua đào tạo chuyên môn (kể cả sơ cấp)"),
]
THEORY = [
    ("political_theory_intermediate", "trung cấp"),
    ("political_theory_advanced", "cao cấp, cử nhân"),
    ("political_theory_none", "sơ cấp hoặc chưa qua đào tạo lý luận chính trị"),
]
TRAINING = [("party_training_trained", "đã được bồi dưỡng"), ("party_training_not_trained", "chưa được bồi dưỡng")]
CONCURRENT = [
    ("truong_ban_ctmt", "kiêm trưởng ban công tác Mặt trận"),
    ("truong_xom", "kiêm trưởng xóm, tổ trưởng tổ dân phố"),
    ("khac", "kiêm nhiệm các chức danh khác"),
]
SUBORDINATE = ("tt_cap_tren", "tt_co_so", "tt_bo_phan")


@dataclass(frozen=True)
class Block:
    """A piece of a document: kind «h1» / «h2» (numbered heading), «p» (paragraph), «note» (small italic)."""

    kind: str
    text: str


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def ratio(r: Ratio) -> str:
    """«246/1.462 bằng 16,83%»; a zero base has no percentage: «0/0»."""
    head = f"{fmt.count(r.numerator)}/{fmt.count(r.denominator)}"
    return f"{head} bằng {fmt.pct(r.value)}" if r.value is not None else head


def change(points: float | None) -> str:
    """A change in percentage points in words: «tăng 1,20 điểm %», «giảm 0,05 điểm %», «không đổi»."""
    if points is None:
        return fmt.NO_DATA
    if round(points, 2) == 0:
        return "không đổi"
    return f"{'tăng' if points > 0 else 'giảm'} {fmt.num(abs(points), 2)} điểm %"


def date_line(place: str, day: dt.date) -> str:
    """«Cao Bằng, ngày 02 tháng 12 năm 2026» (days below 10 and the months 1 and 2 with a leading zero)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def target_words(t: TargetRow) -> str:
    """The target in words: «từ 100% trở lên đến năm 2030», «từ 90% trở lên hằng năm», «0% đến năm 2026»."""
    s = t.stated
    v = fmt.pct(s.target, 0)
    words = v if s.target == 0 and s.comparator == "<=" else COMPARATOR_WORDS[s.comparator].format(v=v)
    return f"{words} {'hằng năm' if t.is_annual else f'đến năm {t.deadline}'}"


def stated_target(comparator: str, value: float, unit: str, deadline: str) -> str:
    """A target as its document states it, in words: «100% hằng năm», «trên 98% hằng năm», «0 đảng viên hằng năm»,
    «95% đến năm 2030» (never «annual»)."""
    v = fmt.num(value) + ("%" if unit == "%" else f" {unit}")
    words = v if comparator == "=" else COMPARATOR_WORDS[comparator].format(v=v)
    if deadline != "annual":
        return f"{words} đến năm {deadline}"
    return (
        words if "/năm" in unit or "tháng" in unit else f"{words} hằng năm"
    )  # «30 đảng viên/năm», not «/năm hằng năm»


def target_short(t: TargetRow) -> str:
    """The target in a table cell: «≥ 100% (2030)», «≥ 90% (hằng năm)», «≤ 0% (2026)»."""
    s = t.stated
    sign = {">=": "≥", "<=": "≤"}.get(s.comparator, s.comparator)
    return f"{sign} {fmt.pct(s.target, 0)} ({'hằng năm' if t.is_annual else t.deadline})"


def what_counts(indicator_id: str, subgroup: str | None) -> tuple[str, str]:
    """(noun, what a counted one is) of an indicator, the subgroup named («có trưởng xóm … là đảng viên»)."""
    noun, what = WORDING[indicator_id]
    ind = registry.get(indicator_id)
    sub = ind.subgroups.get(subgroup or ind.default_subgroup or "", "")
    if indicator_id == "heads_member":
        sub = {c.code: c.label for c in codes()["head_role"]}.get(subgroup or ind.default_subgroup or "", sub)
    return noun, what.format(sub=lower_first(sub))


def gap(t: TargetRow) -> str:
    """What it takes to reach a target, in units: «cần thêm 252 chi bộ triển khai …», «cần giảm 09 chi bộ xóm …»;
    '' once it is met or when nothing is missing."""
    if t.status == "achieved" or t.gap_units <= 0:
        return ""
    noun, what = what_counts(t.indicator_id, t.subgroup)
    verb = "cần thêm" if t.direction == 1 else "cần giảm"
    return f"{verb} {fmt.count(t.gap_units)} {noun} {what}"


def status(code: str) -> str:
    return methods.STATUS_LABELS.get(code, code)


def data_line(meta: Meta, sample: bool = True) -> str:
    """Which data, from when: the returns and their load date, the day the document was made (not the store's
    internal snapshot id: a reader cannot use it)."""
    loaded = f", nạp lần gần nhất ngày {meta.loaded_on.strftime('%d/%m/%Y')}" if meta.loaded_on else ""
    whose = "của các đảng bộ" if meta.unit_code is None else f"của {meta.committee}"
    text = (
        f"Số liệu tổng hợp tự động từ {fmt.count(meta.returns)} báo cáo năm {meta.year} {whose}{loaded}; "
        f"lập ngày {meta.made_on.strftime('%d/%m/%Y')}."
    )
    if meta.returns == 0:
        text = f"Chưa có báo cáo năm {meta.year} {whose} trong dữ liệu đã nạp; lập ngày {meta.made_on:%d/%m/%Y}."
    if meta.approval:
        text = f"{text} {meta.approval}"
    return f"{text} {sample_notice(year=meta.year)}" if meta.is_sample and sample else text


SAMPLE_MARK = "Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập"


def header_lines(meta: Meta) -> list[str]:
    """What the header of every page says: the internal mark, and on the sample that it is the sample."""
    return [INTERNAL_MARK, *([SAMPLE_MARK] if meta.is_sample else [])]


def _items(pairs: list[tuple[str, Ratio]], marks: dict[str, str] | None = None) -> str:
    return "; ".join(f"{lab} {ratio(r)}{(marks or {}).get(lab, '')}" for lab, r in pairs)


def _mark(s: Situation, key: tuple[str, str | None]) -> str:
    """« [1]» after a figure the source printed otherwise (its note closes the report's body), else ''."""
    keys = list(s.published)
    return f" [{keys.index(key) + 1}]" if key in keys else ""


def _notes(s: Situation) -> list[Block]:
    """The figures the source printed otherwise: what it printed and why (a document never differs in silence)."""
    if not s.published:
        return []
    from etl.province import load_province

    source = load_province().reference_source.split(",")[0] or "Văn bản công bố"
    return [Block("note", "Ghi chú:")] + [
        Block("note", f"[{i}] {p.note(source)}") for i, p in enumerate(s.published.values(), start=1)
    ]


def _counts(values: dict[str, int], sep: str = "; ") -> str:
    """«1.462 chi bộ xóm, tổ dân phố; 72 chi bộ thuộc loại hình …» for the non-zero types, in the codes' order."""
    order = [c.code for c in codes()["branch_type"]]
    order = ["xom", *[t for t in order if t != "xom"]]
    return sep.join(f"{fmt.count(values[t])} {type_label(t)}" for t in order if values.get(t))


def situation_title(meta: Meta) -> tuple[str, str]:
    """(«BÁO CÁO», the subject line under it)."""
    whose = "" if meta.unit_code is None else f" của {meta.committee}"
    return "BÁO CÁO", f"thực trạng tổ chức cơ sở đảng, đảng viên{whose} năm {meta.year}"


def situation_blocks(s: Situation) -> list[Block]:
    """The numbered sections of the report, as the Organisation Department writes them."""
    m = s.meta
    who = "toàn Đảng bộ tỉnh" if m.unit_code is None else m.committee
    out = [Block("note", data_line(m))]
    out += [Block("h1", "1. Tổ chức đảng và đảng viên"), *_organisation(s)]
    out += [Block("h1", "2. Chi bộ xóm, tổ dân phố và đội ngũ bí thư chi bộ"), *_villages(s, who)]
    out += [Block("h1", "3. Hạ tầng Internet, máy tính và ứng dụng Sổ tay đảng viên điện tử"), *_infrastructure(s, who)]
    out += [Block("h1", "4. Chi bộ xóm có dưới 3 đảng viên tại chỗ"), *_small(s, who)]
    first, last = (m.years[0], m.years[-1]) if m.years else (m.year, m.year)
    out += [Block("h1", f"5. Kết quả đánh giá, xếp loại chất lượng {first}–{last}"), *_ratings(s)]
    out += [Block("h1", "6. Sinh hoạt chi bộ"), *[Block("p", t) for t in meetings_text(s.meetings, m.year, who)]]
    out += [Block("h1", "7. Tiến độ thực hiện các mục tiêu"), *_targets(s)]
    return out + _notes(s)


def _share(r: Ratio, noun: str) -> str:
    """«2.576 chi bộ (91,44%)»."""
    return f"{fmt.count(r.numerator)} {noun} ({fmt.pct(r.value)})"


def meetings_text(mt: Meetings | None, year: int, who: str, brief: bool = False) -> list[str]:
    """The branches' meetings of the year in the words of a party document: meetings held, thematic meetings,
    attendance, scoring, resolutions and tasks, the committee above at village branches, pilots and materials; a
    first year says it cannot judge a pace; a year before the return asked says «chưa có số liệu», never 0."""
    if mt is None:
        return [
            f"Năm {year}: chưa có số liệu về sinh hoạt chi bộ (biểu báo cáo hằng năm hỏi trang «Sinh hoạt chi bộ» từ "
            f"báo cáo năm {MEETINGS_FROM})."
        ]
    scope = (
        f"{fmt.count(mt.units)} đảng bộ đã báo cáo tình hình sinh hoạt của {fmt.count(mt.branches)} chi bộ"
        if not brief
        else f"{fmt.count(mt.branches)} chi bộ báo cáo tình hình sinh hoạt"
    )
    held = (
        f"Năm {year}, {scope}: {_share(mt.every_month, 'chi bộ')} tổ chức sinh "
        f"hoạt định kỳ đủ hằng tháng ({fmt.pct(mt.months.value)} số tháng phải sinh hoạt có sinh hoạt); "
        f"{_share(mt.thematic, 'chi bộ')} sinh hoạt chuyên đề mỗi quý; tỉ lệ đảng viên dự sinh hoạt đạt "
        f"{fmt.pct(mt.attendance.value)}"
        + (
            f", còn {fmt.count(mt.unexcused)} lượt đảng viên vắng mặt không có lý do chính đáng."
            if mt.unexcused
            else "."
        )
    )
    quality = (
        f"Việc chấm điểm chất lượng sinh hoạt mới thực hiện ở {ratio(mt.scored)} số kỳ sinh hoạt thường kỳ; trong số "
        f"kỳ được chấm điểm, {_share(mt.good, 'kỳ')} đạt mức tốt trở lên."
        if mt.scored.denominator
        else "Chưa có kỳ sinh hoạt nào được chấm điểm, xếp loại."
    )
    duty = (
        f"{_share(mt.resolutions, 'chi bộ')} ban hành nghị quyết hoặc kết luận phân công đảng viên thực hiện hằng "
        f"tháng; {fmt.pct(mt.tasks.value)} đảng viên được phân công nhiệm vụ; "
        + (
            f"{ratio(mt.villages)} chi bộ xóm, tổ dân phố có cấp uỷ cấp trên trực tiếp dự và chỉ đạo sinh hoạt ít "
            "nhất một lần trong năm; "
            if mt.villages.denominator
            else ""
        )
        + f"{_share(mt.rules, 'chi bộ')} đã ban hành quy chế làm việc."
    )
    out = [held, quality, duty[:1].upper() + duty[1:]]
    if mt.unit_targets:  # the province: how many units meet each per-unit target
        u = mt.unit_targets

        def met(tid: str) -> str:
            n, of, _ = u.get(tid, (0, 0, 0))
            return f"{fmt.count(n)}/{fmt.count(of)}"

        out.append(
            f"Chi bộ điểm chỉ đạo: {met('T000-18')} đảng bộ xã, phường chọn từ 02 chi bộ sinh hoạt định kỳ trở lên và "
            f"{met('T000-19')} không quá 03 chi bộ; {met('T000-20')} chọn từ 01 chi bộ sinh hoạt chuyên đề trở lên và "
            f"{met('T000-21')} không quá 02 chi bộ. {met('T000-15')} đảng bộ biên soạn tài liệu sinh hoạt chi bộ "
            "thường kỳ đủ 12 tháng và định hướng nội dung sinh hoạt chuyên đề."
        )
    elif mt.pilots_regular or mt.pilots_thematic or not brief:
        out.append(
            f"{who[:1].upper()}{who[1:]} chọn {fmt.count(mt.pilots_regular)} chi bộ điểm sinh hoạt định kỳ (Đề án: "
            f"02–03 chi bộ) và {fmt.count(mt.pilots_thematic)} chi bộ điểm sinh hoạt chuyên đề (01–02 chi bộ)."
        )
    gaps = [gap(t) for t in mt.targets if gap(t)] if not brief else []  # the brief lists its gaps below
    if gaps:
        out.append("Để đạt các mục tiêu về sinh hoạt chi bộ: " + "; ".join(gaps) + ".")
    if mt.first_year:
        out.append(
            f"Năm {year} là năm đầu tiên có số liệu sinh hoạt chi bộ: chưa đủ số liệu để đánh giá tốc độ thực hiện các "
            "mục tiêu; các năm trước chưa có số liệu."
        )
    return out


def grassroots_words(g: dict[str, int]) -> str:
    """«411 tổ chức cơ sở đảng (102 đảng bộ cơ sở, 309 chi bộ cơ sở)», as the Đề án writes it (a kind with none is
    left out)."""
    kinds = [
        f"{fmt.count(g[k])} {noun}" for k, noun in (("db_co_so", "đảng bộ cơ sở"), ("co_so", "chi bộ cơ sở")) if g[k]
    ]
    return f"{fmt.count(g['db_co_so'] + g['co_so'])} tổ chức cơ sở đảng ({', '.join(kinds)})"


def _organisation(s: Situation) -> list[Block]:
    m = s.meta
    by_level = {lv: sum(n for (lv2, _), n in s.branches.items() if lv2 == lv) for lv, _ in s.branches}
    co_so = by_level.get("co_so", 0)
    below = sum(by_level.get(lv, 0) for lv in SUBORDINATE)
    total = co_so + below
    # As the Đề án counts them (§1): «411 tổ chức cơ sở đảng (102 đảng bộ cơ sở, 309 chi bộ cơ sở), 2.590 chi bộ
    # trực thuộc», when every unit's return lists its đảng bộ; else the branches only.
    g = s.grassroots
    if g:
        made_of = f"{grassroots_words(g)}, {fmt.count(below)} chi bộ trực thuộc (tổng số {fmt.count(total)} chi bộ)"
    elif co_so:
        made_of = (
            f"{fmt.count(co_so)} chi bộ cơ sở, {fmt.count(below)} chi bộ trực thuộc (tổng số {fmt.count(total)} chi bộ)"
        )
    else:
        made_of = f"{fmt.count(total)} chi bộ"
    if m.unit_code is None:
        kinds = ", ".join(s.commune_kinds)
        names = ", ".join(a.removeprefix("Đảng bộ ") for a in s.affiliated)
        parts = [f"{fmt.count(s.communes)} đảng bộ {kinds}"] * bool(s.communes)
        parts += [f"{fmt.count(len(s.affiliated))} đảng uỷ trực thuộc (Đảng bộ: {names})"] * bool(names)
        text = (
            f"Năm {m.year}, Đảng bộ tỉnh {m.province} có {fmt.count(s.communes + len(s.affiliated))} đảng bộ cấp trên "
            f"trực tiếp cấp cơ sở, gồm {'; '.join(parts)} với {made_of}; tổng số đảng viên toàn Đảng bộ tỉnh là "
            f"{fmt.count(s.members)} đảng viên."
        )
    else:
        text = f"Năm {m.year}, {m.committee} có {made_of}; tổng số đảng viên là {fmt.count(s.members)} đảng viên."
    out = [Block("p", text)]
    if co_so:
        types = {t: n for (lv, t), n in s.branches.items() if lv == "co_so"}
        out.append(Block("p", f"Chi bộ cơ sở ({fmt.count(co_so)} chi bộ): gồm có {_counts(types)}."))
    if below:
        types: dict[str, int] = {}
        for (lv, t), n in s.branches.items():
            if lv in SUBORDINATE:
                types[t] = types.get(t, 0) + n
        levels = "; ".join(
            f"{fmt.count(by_level[lv])} {lower_first(_level(lv))}" for lv in SUBORDINATE if by_level.get(lv)
        )
        out.append(
            Block(
                "p", f"Chi bộ trực thuộc ({fmt.count(below)} chi bộ, gồm {levels}): theo loại hình có {_counts(types)}."
            )
        )
    return out


def _level(code: str) -> str:
    return {c.code: c.label for c in codes()["level"]}[code]


def _villages(s: Situation, who: str) -> list[Block]:
    if not s.villages:
        return [Block("p", f"{who[:1].upper()}{who[1:]} không có chi bộ xóm, tổ dân phố.")]
    v = s.village_secretaries
    n = v["total"]
    pairs = lambda items: _items([(lab, Ratio(v[c], n)) for c, lab in items])  # noqa: E731
    return [
        Block(
            "p",
            f"Chi bộ xóm, tổ dân phố thuộc đảng bộ xã, phường có {fmt.count(s.villages)} chi bộ"
            + (f"; trong đó có {fmt.count(s.border)} xóm biên giới." if s.border else "; không có xóm biên giới."),
        ),
        Block(
            "p",
            f"Bí thư chi bộ xóm, tổ dân phố có trình độ chuyên môn: {pairs(PROFESSIONAL)}. Trình độ lý luận chính "
            f"trị: {pairs(THEORY)}. Về bồi dưỡng nghiệp vụ công tác Đảng: {pairs(TRAINING)}.",
        ),
        Block(
            "p",
            f"Trong {fmt.count(s.villages)} bí thư chi bộ xóm, tổ dân phố có: "
            f"{_items([(lab, s.concurrent[c]) for c, lab in CONCURRENT])}.",
        ),
        Block(
            "p",
            "Người đứng đầu xóm, tổ dân phố và các đoàn thể là đảng viên (trên số xóm có chức danh đó): "
            + _items(
                [(lower_first(c.label), s.heads[c.code]) for c in codes()["head_role"]],
                {lower_first(c.label): _mark(s, ("heads", c.code)) for c in codes()["head_role"]},
            )
            + ".",
        ),
    ]


def _infrastructure(s: Situation, who: str) -> list[Block]:
    out = [
        Block(
            "p",
            f"Số chi bộ đã triển khai ứng dụng Sổ tay đảng viên điện tử: {ratio(s.ehandbook)}; {who} còn "
            f"{fmt.count(s.ehandbook.rest)} chi bộ chưa triển khai ứng dụng Sổ tay đảng viên điện tử.",
        )
    ]
    if s.unstable_below.denominator:
        by_type = _counts(s.unstable_below_by_type)
        out.append(
            Block(
                "p",
                f"Mạng Internet của {fmt.count(s.unstable_below.denominator)} "
                f"{lower_first(_level('tt_cap_tren'))}: không ổn định {ratio(s.unstable_below)}"
                + _mark(s, ("unstable_below", None))
                + (f" (trong đó có {by_type})" if by_type else "")
                + f"; chưa có mạng Internet {ratio(s.no_internet_below)}{_mark(s, ('no_internet_below', None))}.",
            )
        )
    out.append(
        Block(
            "p",
            f"Tính chung mọi cấp chi bộ ({fmt.count(s.unstable.denominator)} chi bộ): Internet không ổn định "
            f"{ratio(s.unstable)}; chưa có Internet {ratio(s.no_internet)}; chưa có máy tính {ratio(s.no_computer)}.",
        )
    )
    return out


def _small(s: Situation, who: str) -> list[Block]:
    if not s.small.numerator:
        return [
            Block("p", f"{who[:1].upper()}{who[1:]} không còn chi bộ xóm, tổ dân phố nào có dưới 3 đảng viên tại chỗ.")
        ]
    listing = "; ".join(
        f"{name}: {fmt.count(len(branches))} chi bộ ({', '.join(branches)})" for name, branches in s.small_by_unit
    )
    return [
        Block(
            "p",
            f"{who[:1].upper()}{who[1:]} còn có {fmt.count(s.small.numerator)} chi bộ xóm, tổ dân phố có dưới 3 đảng "
            f"viên tại chỗ ({ratio(s.small)} chi bộ xóm, tổ dân phố), cụ thể: {listing}.",
        )
    ]


def _series(rs: dict[int, Ratio]) -> str:
    return "; ".join(f"năm {y}: {ratio(r)}" for y, r in sorted(rs.items()))


def _ratings(s: Situation) -> list[Block]:
    out = []
    for good, excellent, failed, noun, whom in (
        ("branch_good", "branch_excellent", "branch_failed", "chi bộ", "chi bộ"),
        # the years whose returns list the đảng bộ cơ sở (each rated as itself, not as its branches)
        ("grassroots_good", "grassroots_excellent", "grassroots_failed", "tổ chức", "tổ chức cơ sở đảng"),
        ("member_good", "member_excellent", "member_failed", "đảng viên", "đảng viên"),
    ):
        series = s.ratings[good]
        if not series:
            continue
        years = sorted(series)
        last = series[years[-1]]
        text = (
            f"Tỉ lệ {whom} hoàn thành tốt nhiệm vụ trở lên (trên số {noun} được đánh giá, xếp loại): {_series(series)}."
        )
        if len(years) > 1:
            first, prev = series[years[0]], series[years[-2]]
            text += f" Năm {years[-1]} so với năm {years[0]} {change(last.value - first.value)}"
            if len(years) > 2:
                text += f", so với năm {years[-2]} {change(last.value - prev.value)}"
            text += "."
        x, f = s.ratings[excellent].get(years[-1]), s.ratings[failed].get(years[-1])
        if x and f:
            text += (
                f" Năm {years[-1]} có {fmt.count(x.numerator)} {noun} hoàn thành xuất sắc nhiệm vụ ({ratio(x)}) và "
                f"{fmt.count(f.numerator)} {noun} không hoàn thành nhiệm vụ ({ratio(f)})."
            )
        out.append(Block("p", text))
    if s.breaks:
        changes = "; ".join(f"năm {y}: {t}" for y, t in sorted(s.breaks.items()))
        out.append(
            Block(
                "note",
                f"Lưu ý: quy định đánh giá, xếp loại thay đổi ({changes}); so sánh qua các mốc này cần thận trọng.",
            )
        )
    return out


def target_sentence(t: TargetRow) -> str:
    """One target in words: where it stands, the paces, the status and what it would take."""
    noun, _ = what_counts(t.indicator_id, t.subgroup)
    r, s = t.latest_ratio, t.stated
    text = (
        f"{t.text} (mục tiêu {target_words(t)}): năm {t.latest_year} đạt {fmt.pct(s.latest)} "
        f"({fmt.count(r.numerator)}/{fmt.count(r.denominator)} {noun})"
    )
    if t.status != "achieved" and s.observed_pace is not None and s.required_pace is not None:
        text += (
            f"; tốc độ thực tế {fmt.points(s.observed_pace).replace('điểm %', 'điểm %/năm')}, tốc độ cần thiết "
            f"{fmt.points(s.required_pace).replace('điểm %', 'điểm %/năm')}"
        )
    text += f"; đánh giá: {lower_first(status(t.status))}"
    if g := gap(t):
        text += f"; {g}"
    return text + "."


def _targets(s: Situation) -> list[Block]:
    if not s.targets:
        return [Block("p", "Chưa có số liệu để đánh giá tiến độ các mục tiêu.")]
    issuer = s.targets[0].issuer
    out = [Block("p", f"Các mục tiêu của {issuer} đo được từ báo cáo hằng năm:")]
    out += [Block("p", f"({i}) {target_sentence(t)}") for i, t in enumerate(s.targets, start=1)]
    low, high = methods.ratio_pct(methods.ACCELERATE_RATIO), methods.ratio_pct(methods.ON_TRACK_RATIO)
    out.append(
        Block(
            "note",
            "Cách đánh giá: so tốc độ thay đổi thực tế (độ dốc hồi quy tuyến tính qua các năm có số liệu) với tốc độ "
            f"cần có để đạt mục tiêu đúng hạn (phương pháp tiến độ của Eurostat): đúng lộ trình khi đạt từ {high} tốc "
            f"độ cần có trở lên, cần đẩy nhanh từ {low} đến dưới {high}, chuyển biến chậm dưới {low}, đi xuống khi "
            "ngược chiều. Số còn thiếu tính trên mẫu số của năm gần nhất.",
        )
    )
    return out
