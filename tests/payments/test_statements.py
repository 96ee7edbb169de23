"""Reading the bank's statement file: every good row, or a refusal that names every bad row."""

from datetime import UTC, datetime

import pytest

from talat.payments.statements import BadStatement, StatementLine, parse_statement

HEADER = "transaction_id,value_datetime,amount,ref1,ref2,payer_name,channel,fee\r\n"


def statement(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + (header + "".join(row + "\r\n" for row in rows)).encode()


@pytest.mark.parametrize("bom", [True, False])
def test_a_good_statement_is_read_whole_with_or_without_a_byte_order_mark(bom):
    data = statement(
        "20250105aaaaaaaaaaaaaaa,2025-01-05 14:03:22,107.00,TL000123,SHOP7,สมหญิง รักไทย,PromptPay QR,0.54",
        '20250105bbbbbbbbbbbbbbb,2025-01-05 23:59:59,"1,234.50",TL000124,,"บริษัท ตัวอย่าง, จำกัด",Transfer,0',
        bom=bom,
    )

    lines = parse_statement(data)

    assert lines == [
        StatementLine(
            transaction_id="20250105aaaaaaaaaaaaaaa",
            paid_at=datetime(2025, 1, 5, 7, 3, 22, tzinfo=UTC),  # 14:03:22 in Bangkok
            amount_satang=10700,
            reference_1="TL000123",
            reference_2="SHOP7",
            payer_name="สมหญิง รักไทย",
            fee_satang=54,
        ),
        StatementLine(
            transaction_id="20250105bbbbbbbbbbbbbbb",
            paid_at=datetime(2025, 1, 5, 16, 59, 59, tzinfo=UTC),
            amount_satang=123450,
            reference_1="TL000124",
            reference_2="",
            payer_name="บริษัท ตัวอย่าง, จำกัด",
            fee_satang=0,
        ),
    ]


def test_columns_may_come_in_any_order_and_fee_and_channel_may_be_absent():
    data = statement(
        "TL000125,107,20250105ccccccccccccccc,2568-01-05T14:03:22+07:00,,มานี",
        header="ref1,amount,transaction_id,value_datetime,ref2,payer_name\n",
    )

    [line] = parse_statement(data)

    assert (line.transaction_id, line.reference_1, line.amount_satang, line.fee_satang) == (
        "20250105ccccccccccccccc", "TL000125", 10700, 0
    )  # fmt: skip
    assert line.paid_at == datetime(2025, 1, 5, 7, 3, 22, tzinfo=UTC)  # a Buddhist-era year, read as such


def test_an_empty_day_has_no_lines():
    assert parse_statement(statement(bom=True)) == []
    assert parse_statement(statement("", ",,,,,,,")) == []  # blank lines a spreadsheet leaves


def test_a_broken_statement_is_refused_whole_with_every_bad_row_named():
    data = statement(
        "20250105aaaaaaaaaaaaaaa,2025-01-05 14:03:22,107.00,TL000123,,มานี,PromptPay QR,0",  # row 2: good
        "20250105bbbbbbbbbbbbbbb,2025-01-05 14:05:00,1.005,TL000124,,มานี,PromptPay QR,0",  # row 3: 3 decimals
        "20250105ccccccccccccccc,5 Jan 2025,10.00,TL000125,,มานี,PromptPay QR,0",  # row 4: bad date
        "20250105aaaaaaaaaaaaaaa,2025-01-05 14:09:00,10.00,TL000126,,มานี,PromptPay QR,0",  # row 5: twice
        "20250105ddddddddddddddd,2025-01-05 14:10:00,10.00,TL000127",  # row 6: too few columns
        ",2025-01-05 14:11:00,-5.00,TL000128,,มานี,PromptPay QR,x",  # row 7: no id, negative, bad fee
    )

    with pytest.raises(BadStatement) as refused:
        parse_statement(data)

    assert refused.value.rows == [3, 4, 5, 6, 7]
    by_row = {}
    for error in refused.value.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert any("1.005" in message for message in by_row[3])
    assert any("5 Jan 2025" in message for message in by_row[4])
    assert any("20250105aaaaaaaaaaaaaaa" in m and "ซ้ำกับแถวที่ 2" in m for m in by_row[5])
    assert len(by_row[7]) == 3
    assert "แถวที่ 3" in str(refused.value) and "แถวที่ 7" in str(refused.value)


def test_a_file_that_is_not_a_statement_is_refused():
    with pytest.raises(BadStatement) as no_columns:
        parse_statement(b"date,description,withdrawal,deposit\r\n2025-01-05,x,,107.00\r\n")
    with pytest.raises(BadStatement) as not_utf8:
        parse_statement(HEADER.encode() + "1,2025-01-05 14:03:22,1.00,A,,มานี,QR,0\r\n".encode("cp874"))
    with pytest.raises(BadStatement) as empty:
        parse_statement(b"")

    assert no_columns.value.rows == [1]
    assert "transaction_id" in str(no_columns.value)
    assert not_utf8.value.errors[0].row is None and "UTF-8" in str(not_utf8.value)
    assert empty.value.rows == [1]
