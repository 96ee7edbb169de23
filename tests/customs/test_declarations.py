"""Export declarations as plain data: `validate` names every field Customs would reject, in Thai;
`from_manifest` folds a manifest's parcel lines into a few declaration lines with the sums intact;
`to_message` renders the e-Export message Customs receives."""

import json
from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from talat.customs.declarations import (
    AIR,
    ROAD,
    SEA,
    Declaration,
    DeclarationLine,
    Exporter,
    from_manifest,
    to_message,
    validate,
)
from tests.factories import juristic_id

THAI = {chr(code) for code in range(0x0E01, 0x0E5C)}
GOOD_TAX_ID = juristic_id(90001)
BAD_TAX_ID = GOOD_TAX_ID[:-1] + str((int(GOOD_TAX_ID[-1]) + 1) % 10)  # the check digit is wrong


def exporter(**changes) -> Exporter:
    fields = {
        "tax_id": GOOD_TAX_ID,
        "branch": "00000",
        "name_th": "บริษัท ทุเรียนทอง จำกัด",
        "name_en": "Durian Thong Co., Ltd.",
        "address": "12 ถนนสุขุมวิท ตำบลบางพระ อำเภอศรีราชา จังหวัดชลบุรี 20110",
    }
    return Exporter(**{**fields, **changes})


def line(**changes) -> DeclarationLine:
    fields = {
        "line_no": 1,
        "hs_code": "08106000",
        "statistical_suffix": "000",
        "description_th": "ทุเรียนสด พันธุ์หมอนทอง",
        "description_en": "Fresh durian, Monthong",
        "quantity": 120,
        "unit": "KGM",
        "net_weight_g": 120_000,
        "gross_weight_g": 126_500,
        "fob_satang": 1_800_000_00,
        "fob_foreign_minor": 36_000_00,
        "currency": "CNY",
    }
    return DeclarationLine(**{**fields, **changes})


def declaration(*lines, **changes) -> Declaration:
    fields = {
        "reference": "TL-M-000123",
        "exporter": exporter(),
        "destination_country": "CN",
        "port_of_loading": "2622",
        "transport_mode": AIR,
        "vessel_or_flight": "CZ8448",
        "departure_date": date(2025, 6, 2),
        "lines": lines or (line(),),
        "invoice_number": "INV-2025-0042",
    }
    return Declaration(**{**fields, **changes})


def problems_of(made: Declaration) -> dict[str, tuple[str, str]]:
    with translation.override("th"):
        return {problem.field: (problem.code, problem.message_th) for problem in validate(made)}


def test_a_complete_declaration_has_no_problems():
    assert validate(declaration()) == []
    sea = declaration(port_of_loading="2801", transport_mode=SEA, vessel_or_flight="EVER GIVEN 0123-E")
    assert validate(sea) == []


@pytest.mark.parametrize(
    ("made", "field", "code", "words"),
    [
        (declaration(exporter=exporter(tax_id=BAD_TAX_ID)), "exporter.tax_id", "tax_id",
         "เลขประจำตัวผู้เสียภาษีอากร"),
        (declaration(exporter=exporter(tax_id="01055600")), "exporter.tax_id", "tax_id", "13 หลัก"),
        (declaration(exporter=exporter(branch="0001")), "exporter.branch", "branch", "5 หลัก"),
        (declaration(line(hs_code="0810600")), "lines[0].hs_code", "hs_format", "8 หลัก"),
        (declaration(line(hs_code="99999999")), "lines[0].hs_code", "hs_unknown", "9999.99.99"),
        (declaration(line(statistical_suffix="1")), "lines[0].statistical_suffix", "statistical_suffix",
         "รหัสสถิติ"),
        (declaration(line(quantity=0)), "lines[0].quantity", "quantity", "ปริมาณ"),
        (declaration(line(quantity=1.5)), "lines[0].quantity", "quantity", "จำนวนเต็ม"),
        (declaration(line(unit="kg")), "lines[0].unit", "unit", "UN/ECE"),
        (declaration(line(net_weight_g=0)), "lines[0].net_weight_g", "weight", "น้ำหนักสุทธิ"),
        (declaration(line(gross_weight_g=119_999)), "lines[0].gross_weight_g", "gross_below_net",
         "ไม่น้อยกว่าน้ำหนักสุทธิ"),
        (declaration(line(fob_satang=0)), "lines[0].fob_satang", "fob", "FOB"),
        (declaration(line(fob_foreign_minor=-5)), "lines[0].fob_foreign_minor", "fob", "FOB"),
        (declaration(line(currency="RMB")), "lines[0].currency", "currency", "ISO 4217"),
        (declaration(line(fta_privilege="FORM_E")), "lines[0].certificate_number", "certificate_required",
         "หนังสือรับรองถิ่นกำเนิดสินค้า"),
        (declaration(line(fta_privilege="FORM_Z", certificate_number="E25-0001")), "lines[0].fta_privilege",
         "fta_unknown", "FORM_Z"),
        (declaration(line(certificate_number="E25-0001")), "lines[0].fta_privilege", "fta_missing",
         "สิทธิพิเศษ"),
        (declaration(destination_country="XX"), "destination_country", "country", "ISO 3166"),
        (declaration(destination_country="TH"), "destination_country", "country", "ประเทศปลายทาง"),
        (declaration(port_of_loading="9999"), "port_of_loading", "port", "9999"),
        (declaration(port_of_loading="2801"), "port_of_loading", "port_mode", "แหลมฉบัง"),
        (declaration(transport_mode="9"), "transport_mode", "transport_mode", "ลักษณะการขนส่ง"),
        (declaration(lines=()), "lines", "required", "อย่างน้อยหนึ่งรายการ"),
        (declaration(line(), line()), "lines[1].line_no", "line_no", "ซ้ำ"),
        (declaration(incoterm="CIF"), "incoterm", "incoterm", "FOB"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_is_named_in_thai(made, field, code, words):
    problems = problems_of(made)
    assert field in problems, problems
    found_code, message = problems[field]
    assert found_code == code
    assert words in message
    assert THAI & set(message), message


def test_a_claim_with_its_certificate_passes():
    claimed = declaration(line(fta_privilege="FORM_E", certificate_number="E253400000012345"))
    assert validate(claimed) == []


def test_a_road_export_from_a_sea_port_is_refused_but_chiang_khong_takes_trucks():
    assert "port_of_loading" in problems_of(declaration(port_of_loading="2801", transport_mode=ROAD))
    assert (
        validate(declaration(port_of_loading="4401", transport_mode=ROAD, vessel_or_flight="70-1234")) == []
    )


PRODUCTS = [
    {"hs_code": "0810.60.00", "statistical_suffix": "000", "description_th": "ทุเรียนอบแห้ง",
     "description_en": "Dried durian", "unit": "PCE", "currency": "CNY"},
    {"hs_code": "5007.20.90", "statistical_suffix": "000", "description_th": "ผ้าไหมไทย",
     "description_en": "Thai silk fabric", "unit": "MTR", "currency": "CNY"},
    {"hs_code": "0901.21.10", "statistical_suffix": "000", "description_th": "กาแฟคั่วดอยช้าง",
     "description_en": "Roasted coffee, Doi Chang", "unit": "PCE", "currency": "USD",
     "fta_privilege": "FORM_E", "certificate_number": "E253400000012345"},
]  # fmt: skip


def parcel_lines(count: int):
    for n in range(count):
        product = PRODUCTS[n % 3]
        yield {**product, "quantity": 1 + n % 4, "net_weight_g": 250 + n % 7, "gross_weight_g": 300 + n % 7,
               "fob_satang": 15_000 + n % 11, "fob_foreign_minor": 3_000 + n % 5}  # fmt: skip


def test_from_manifest_merges_ten_thousand_parcels_into_one_line_per_product():
    expected = {}
    for item in parcel_lines(10_000):
        sums = expected.setdefault(item["description_en"], [0, 0, 0, 0, 0])
        for index, name in enumerate(("quantity", "net_weight_g", "gross_weight_g", "fob_satang",
                                      "fob_foreign_minor")):  # fmt: skip
            sums[index] += item[name]
    made = from_manifest(
        parcel_lines(10_000), reference="TL-M-000777", exporter=exporter(), destination_country="CN",
        port_of_loading="2622", transport_mode=AIR, vessel_or_flight="CZ8448",
        departure_date=date(2025, 6, 2), invoice_number="INV-777",
    )  # fmt: skip
    assert [m.line_no for m in made.lines] == [1, 2, 3]
    assert [m.hs_code for m in made.lines] == ["08106000", "50072090", "09012110"]
    for merged in made.lines:
        assert [merged.quantity, merged.net_weight_g, merged.gross_weight_g, merged.fob_satang,
                merged.fob_foreign_minor] == expected[merged.description_en]  # fmt: skip
    assert made.total_fob_satang == sum(sums[3] for sums in expected.values())
    assert made.total_gross_weight_g == sum(sums[2] for sums in expected.values())
    assert made.total_fob_foreign_minor == {
        "CNY": expected["Dried durian"][4] + expected["Thai silk fabric"][4],
        "USD": expected["Roasted coffee, Doi Chang"][4],
    }
    assert made.lines[2].fta_privilege == "FORM_E"
    assert made.lines[2].certificate_number == "E253400000012345"
    assert validate(made) == []


def test_from_manifest_keeps_different_certificates_and_currencies_apart():
    base = {**PRODUCTS[0], "quantity": 1, "net_weight_g": 10, "gross_weight_g": 12, "fob_satang": 100,
            "fob_foreign_minor": 20}  # fmt: skip
    made = from_manifest(
        [base, {**base, "currency": "USD"}, {**base, "fta_privilege": "FORM_E", "certificate_number": "A"},
         {**base, "fta_privilege": "FORM_E", "certificate_number": "B"}, base,
         line(line_no=99, hs_code="0810.60.00", description_th="ทุเรียนอบแห้ง",
              description_en="Dried durian", unit="PCE", quantity=2, net_weight_g=20, gross_weight_g=24,
              fob_satang=200, fob_foreign_minor=40)],
        reference="R", exporter=exporter(), destination_country="CN", port_of_loading="2622",
        transport_mode=AIR, vessel_or_flight="CZ8448", departure_date=date(2025, 6, 2), invoice_number="I",
    )  # fmt: skip
    assert len(made.lines) == 4
    first = made.lines[0]
    assert (first.quantity, first.net_weight_g, first.fob_satang) == (4, 40, 400)


def test_the_message_carries_every_field_customs_requires_as_integers():
    made = declaration(
        line(),
        line(line_no=2, hs_code="50072090", description_th="ผ้าไหม", description_en="Silk fabric", unit="MTR",
             quantity=30, net_weight_g=4_500, gross_weight_g=5_000, fob_satang=45_000_00,
             fob_foreign_minor=1_250_00, currency="USD", fta_privilege="FORM_E", certificate_number="E1"),
    )  # fmt: skip
    message = to_message(made)
    control = message["declarationControl"]
    assert control["companyTaxNumber"] == made.exporter.tax_id
    assert control["companyBranch"] == "00000"
    assert control["loadingPort"] == "2622"
    assert control["modeOfTransport"] == "4"
    assert control["destinationCountry"] == "CN"
    assert control["departureDate"] == "2025-06-02"
    assert control["totalNetWeightGram"] == 124_500
    assert control["totalGrossWeightGram"] == 131_500
    assert control["totalFobSatang"] == 1_845_000_00
    assert [invoice["currencyCode"] for invoice in message["invoiceControl"]] == ["CNY", "USD"]
    assert message["invoiceControl"][1]["invoiceNumber"] == "INV-2025-0042-USD"
    silk = message["invoiceDetail"][1]
    assert silk["tariffCode"] == "50072090"
    assert silk["statisticalCode"] == "000"
    assert silk["descriptionThai"] == "ผ้าไหม"
    assert silk["quantity"] == 30
    assert silk["quantityUnitCode"] == "MTR"
    assert silk["privilegeCode"] == "FORM_E"
    assert silk["certificateNumber"] == "E1"
    assert silk["invoiceNumber"] == "INV-2025-0042-USD"
    assert not list(floats_in(message))
    assert json.loads(json.dumps(message)) == message


def floats_in(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from floats_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from floats_in(item)


def test_validate_does_not_touch_the_database():
    # Pure data: no `db` fixture, so any query here would fail the test.
    made = replace(declaration(), lines=tuple(line(line_no=n) for n in range(1, 501)))
    assert validate(made) == []
