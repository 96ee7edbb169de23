"""Bank of Thailand exchange rates: importing the published table (CSV and XLSX, English, Thai
or API field headers), all-or-nothing refusals with row numbers, and conversions."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

import talat.ledger
from talat.ledger import rates
from talat.ledger.models import ExchangeRate
from talat.ledger.rates import NoRate, RatesImportError, convert, import_rates, to_satang

pytestmark = pytest.mark.django_db

SAMPLE = Path(talat.ledger.__file__).parent / "data" / "bot_exchange_rates_sample.csv"

API_HEADER = (
    "period,currency_id,currency_name_th,currency_name_eng,buying_sight,buying_transfer,selling,mid_rate"
)


def sample():
    return import_rates(SAMPLE.read_bytes(), SAMPLE.name)


def test_the_sample_file_imports_every_currency_and_day():
    result = sample()
    assert (result.created, result.updated, result.unchanged) == (18, 0, 0)
    assert result.currencies == ["CNY", "EUR", "JPY", "MYR", "SGD", "USD"]
    assert (result.first_date, result.last_date) == (date(2025, 1, 2), date(2025, 1, 6))
    yen = ExchangeRate.objects.get(currency="JPY", date=date(2025, 1, 6))
    assert (yen.unit, yen.mid_rate, yen.selling) == (100, Decimal("21.674"), Decimal("21.974"))
    cny = ExchangeRate.objects.get(currency="CNY", date=date(2025, 1, 3))
    assert (cny.unit, cny.buying_sight, cny.buying_transfer, cny.mid_rate) == (
        1, Decimal("4.608"), Decimal("4.623"), Decimal("4.673"),
    )  # fmt: skip
    assert cny.source == SAMPLE.name


def test_importing_again_changes_nothing_and_a_revised_figure_replaces_the_old_one():
    sample()
    assert (sample().unchanged, ExchangeRate.objects.count()) == (18, 18)
    revised = SAMPLE.read_text(encoding="utf-8").replace("4.6730", "4.6750")
    result = import_rates(revised.encode(), "revised.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 17)
    assert ExchangeRate.objects.get(currency="CNY", date=date(2025, 1, 3)).mid_rate == Decimal("4.675")


def test_convert_uses_the_latest_mid_rate_on_or_before_the_day():
    sample()
    # 1,000 baht / 4.673 baht per yuan = 213.99529 yuan = 21,400 fen (rounded half up)
    assert convert(100_000, "CNY", on=date(2025, 1, 3)) == 21_400
    # Sunday 5 January: Friday's rate
    assert convert(100_000, "cny", on=date(2025, 1, 5)) == 21_400
    # 1,000 baht / (21.674 baht per 100 yen) = 4,613.82 yen; the yen has no minor unit
    assert convert(100_000, "JPY", on=date(2025, 1, 6)) == 4_614
    assert convert(100_000, "USD", on=date(2025, 12, 31)) == 2_935  # 1,000 / 34.076 = 29.346 dollars
    assert convert(12_345, "THB", on=date(2025, 1, 1)) == 12_345
    # and back: 213.99 yuan at 4.673 = 999.975 baht, 99,998 satang
    assert to_satang(21_399, "CNY", on=date(2025, 1, 3)) == 99_998


def test_convert_rounds_half_up():
    ExchangeRate.objects.create(currency="CNY", date=date(2025, 2, 3), mid_rate=Decimal("2"))
    # 1 satang = 0.01 baht = 0.005 yuan = half a fen: up to 1, where banker's rounding gives 0
    assert convert(1, "CNY", on=date(2025, 2, 3)) == 1
    assert convert(3, "CNY", on=date(2025, 2, 3)) == 2


def test_no_rate_before_the_first_published_day_is_a_thai_error():
    sample()
    with pytest.raises(NoRate, match="ยังไม่มีอัตราแลกเปลี่ยนของสกุลเงิน CNY ณ วันที่ 1 มกราคม 2568"):
        convert(100, "CNY", on=date(2025, 1, 1))
    with pytest.raises(NoRate, match="KRW"):
        convert(100, "KRW", on=date(2025, 1, 6))


def test_a_file_with_bad_rows_is_refused_whole_with_each_row_named():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    # rows 5 and 6 of the file are the first two data rows
    lines[4] = lines[4].replace("2025-01-02", "2025-02-30")
    lines[5] = lines[5].replace("35.2000", "abc").replace(",EUR,", ",,").replace("(EUR)", "")
    lines[7] = lines[7].replace("4.6600", "-4.66")
    with pytest.raises(RatesImportError) as refused:
        import_rates("\n".join(lines).encode(), "bad.csv")
    errors = refused.value.errors
    assert len(errors) == 3
    assert errors[0] == "แถวที่ 5: วันที่ “2025-02-30” ไม่ถูกต้อง"
    assert errors[1].startswith("แถวที่ 6: ไม่พบรหัสสกุลเงิน 3 ตัวอักษร")
    assert "อัตรากลาง “abc” ต้องเป็นตัวเลขที่มากกว่าศูนย์" in errors[1]
    assert errors[2] == "แถวที่ 8: อัตรากลาง “-4.66” ต้องเป็นตัวเลขที่มากกว่าศูนย์"
    assert not ExchangeRate.objects.exists()


def test_files_that_are_not_the_rate_table_are_refused():
    with pytest.raises(RatesImportError, match="ไม่พบแถวหัวตาราง"):
        import_rates(b"name,price\nsilk,100\n", "products.csv")
    with pytest.raises(RatesImportError, match="CSV หรือ XLSX"):
        import_rates(b"%PDF-1.4", "rates.pdf")
    with pytest.raises(RatesImportError, match="ไม่พบข้อมูล"):
        import_rates((API_HEADER + "\n").encode(), "empty.csv")
    with pytest.raises(RatesImportError, match="ซ้ำกับแถวก่อนหน้า"):
        import_rates(
            (API_HEADER + "\n2025-01-02,USD,,,1,1,1,34.05\n2025-01-02,USD,,,1,1,1,34.06\n").encode(),
            "dup.csv",
        )
    with pytest.raises(RatesImportError, match="เปิดไฟล์ Excel ไม่ได้"):
        import_rates(b"not a zip", "rates.xlsx")
    assert not ExchangeRate.objects.exists()


def test_the_api_field_names_and_the_unit_in_the_currency_name_are_understood():
    data = "\n".join(
        [
            API_HEADER,
            "2017-07-26,JPY,ญี่ปุ่น : เยน (100 เยน) (JPY),JAPAN : YEN (100 YEN) (JPY) ,29.5025000,29.5858000,"
            "30.2856000,29.9357000",
            '2017-07-26,IDR,"อินโดนิเซีย : รูเปีย (1,000 รูเปีย) (IDR)","INDONESIA : RUPIAH (1,000 RUPIAH) (IDR)",'
            "2.3672000,2.3827000,2.6591000,2.5209000",
            "2017-07-26,PKR,ปากีสถาน : รูปี (PKR) ,PAKISTAN : RUPEE (PKR),,0.3167000,0.3197000,0.3182000",
        ]
    )
    assert import_rates(data.encode(), "api.csv").created == 3
    units = dict(ExchangeRate.objects.values_list("currency", "unit"))
    assert units == {"JPY": 100, "IDR": 1000, "PKR": 1}
    assert ExchangeRate.objects.get(currency="PKR").buying_sight is None
    # 100 baht / (2.5209 baht per 1,000 rupiah) = 39,668.37 rupiah = 3,966,837 sen
    assert convert(10_000, "IDR", on=date(2017, 7, 26)) == 3_966_837


def test_a_thai_xlsx_with_buddhist_era_dates_imports():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["อัตราแลกเปลี่ยนเฉลี่ยของธนาคารพาณิชย์ในกรุงเทพมหานคร"])
    sheet.append(["(หน่วย : บาท ต่อ 1 หน่วยเงินตราต่างประเทศ)"])
    sheet.append(["วันที่", "สกุลเงิน", "อัตราซื้อตั๋วเงิน", "อัตราซื้อเงินโอน", "อัตราขาย", "อัตรากลาง"])
    sheet.append(["03/01/2568", "จีน : หยวน เรนมินบิ (CNY)", 4.608, 4.623, 4.723, 4.673])
    sheet.append(["6 ม.ค. 2568", "CNY", 4.621, 4.636, 4.736, 4.686])
    sheet.append([date(2025, 1, 7), "USD", None, 33.9, 34.26, 34.08])
    out = io.BytesIO()
    book.save(out)
    result = import_rates(out.getvalue(), "อัตราแลกเปลี่ยน.xlsx")
    assert result.created == 3
    assert sorted(ExchangeRate.objects.values_list("currency", "date", "mid_rate")) == [
        ("CNY", date(2025, 1, 3), Decimal("4.673")),
        ("CNY", date(2025, 1, 6), Decimal("4.686")),
        ("USD", date(2025, 1, 7), Decimal("34.08")),
    ]


def test_the_management_command_imports_a_file_and_reports_refusals(tmp_path):
    out = io.StringIO()
    call_command("import_exchange_rates", str(SAMPLE), stdout=out)
    assert "18 rates of CNY, EUR, JPY, MYR, SGD, USD from 2025-01-02 to 2025-01-06: 18 new" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(API_HEADER + "\n2025-13-01,USD,,,1,1,1,34\n", encoding="utf-8")
    with pytest.raises(CommandError, match="แถวที่ 2: วันที่"):
        call_command("import_exchange_rates", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_exchange_rates", str(tmp_path / "missing.csv"))


def test_minor_units_follow_iso_4217():
    assert [rates.minor_digits(code) for code in ("CNY", "JPY", "KRW", "KWD", "usd")] == [2, 0, 0, 3, 2]
