from datetime import UTC, date, datetime

from talat.core.thai import thai_date


def test_dates_are_shown_in_the_buddhist_era():
    assert thai_date(date(2026, 11, 12)) == "12 พฤศจิกายน 2569"
    assert thai_date(date(2026, 11, 12), abbreviated=True) == "12 พ.ย. 2569"


def test_times_are_shown_in_bangkok():
    # 20:30 UTC on 31 Dec 2026 is already 1 Jan 2570 (B.E.) in Bangkok.
    moment = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
    assert thai_date(moment, abbreviated=True, with_time=True) == "1 ม.ค. 2570 03:30 น."
