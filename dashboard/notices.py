"""What the app says about sample data, on every page and every export: the sample of a province (calibrated to its
published tables, or the small one), the national benchmark store, and the sample's illustrative years. UI text,
hence the app's (the ETL neither reads nor writes it)."""

from __future__ import annotations

from etl.province import NATIONAL_CODE, load_province
from etl.settings import PROVINCE_CODE

# The calibrated sample of a province with published tables (synthetic/sample.py): its province.toml says which
# tables its totals reproduce (`sample_matches`).
SAMPLE_NOTICE_CALIBRATED = (
    "Dữ liệu mẫu: số liệu dưới cấp tỉnh là giả lập, chỉ dùng để minh hoạ; các tổng số cấp tỉnh khớp với {matches}."
)
# The small sample of a folder without published tables (synthetic/small.py).
SAMPLE_NOTICE_SMALL = (
    "Dữ liệu mẫu: mọi số liệu, kể cả tổng số toàn tỉnh, là giả lập (mẫu nhỏ), chỉ dùng để minh hoạ; không khớp với "
    "số liệu đã công bố nào."
)
# The national benchmark store (synthetic/national.py) is calibrated to nothing: it must not claim the province's.
SAMPLE_NOTICE_NATIONAL = (
    "Dữ liệu mẫu: mọi số liệu, kể cả tổng số của từng tỉnh và toàn quốc, là giả lập, chỉ dùng để minh hoạ và đo "
    "hiệu năng; không khớp với số liệu đã công bố nào."
)


# The sample's years after the published tables (synthetic/year2026.py): nothing published stands behind them.
ILLUSTRATIVE_YEARS = (2026,)
ILLUSTRATIVE_NOTICE = (
    "Năm {year} là năm minh hoạ: mọi số liệu của năm này, kể cả tổng số toàn tỉnh, là giả lập, không phải số liệu "
    "công bố."
)


def sample_notice(code: str = PROVINCE_CODE, year: int | None = None) -> str:
    """What the sample data of this deployment (PARTYDASH_PROVINCE) is and is not; for an illustrative year of the
    sample (`year`), that its province totals are invented too."""
    if code == NATIONAL_CODE:
        return SAMPLE_NOTICE_NATIONAL
    conf = load_province(code)
    if "sample" in conf.settings:  # a small sample: every figure, every year, invented
        return SAMPLE_NOTICE_SMALL
    text = SAMPLE_NOTICE_CALIBRATED.format(matches=conf.settings.get("sample_matches", "các biểu đã công bố"))
    return text + (" " + ILLUSTRATIVE_NOTICE.format(year=year) if year in ILLUSTRATIVE_YEARS else "")
