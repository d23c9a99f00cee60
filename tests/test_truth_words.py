"""Words a user reads (issue 28.8, 28.11): file names in Vietnamese, no internal snapshot id in a document, the
statuses' colours in the order of their meaning."""

from __future__ import annotations

from dashboard import charts, methods
from dashboard.ui.downloads import file_slug


def test_export_file_names_say_the_indicator_in_vietnamese():
    assert file_slug("branch_good-theo-nam") == "chi-bo-httnv-tro-len-theo-nam"  # was «branch-good-theo-nam»
    assert file_slug("ban-do-internet_none-2025") == "ban-do-chua-co-internet-2025"
    assert file_slug("Hồ sơ Xã Cô Ba") == "ho-so-xa-co-ba"


def test_the_statuses_colours_go_from_worse_to_better_as_their_order_does():
    """«Chuyển biến chậm» (pace under 60% of the one needed) is worse than «cần đẩy nhanh» (60–95%): vermilion,
    orange, yellow, blue, green — purple for the worse of the two read as the milder."""
    worst_first = [s for s in methods.STATUS_ORDER if s != "insufficient_data"]
    assert [charts.STATUS_COLORS[s] for s in worst_first] == [
        charts.VERMILION,
        charts.ORANGE,
        charts.YELLOW,
        charts.BLUE,
        charts.GREEN,
    ]
