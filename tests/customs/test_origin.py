"""Certificates of origin from a product's bill of materials: Form E, Form D and RCEP."""

import json

import pytest
from django.core.exceptions import ValidationError

from talat.catalog.models import Material, OriginCosting
from talat.customs import origin
from tests import factories

pytestmark = pytest.mark.django_db


def bill(product, *materials, costing=None):
    for position, (name, hs_code, country, value, wholly_obtained, packaging) in enumerate(materials):
        Material.objects.create(
            product=product, name_th=name, hs_code=hs_code, origin_country=country, value_satang=value,
            wholly_obtained=wholly_obtained, packaging=packaging, position=position,
        )  # fmt: skip
    if costing:
        OriginCosting.objects.create(product=product, **costing)
    return product


def by_agreement(product, **kwargs):
    return {a.agreement: a for a in origin.assess(product, **kwargs)}


def dried_durian(costing=True):
    product = factories.product(name_th="ทุเรียนหมอนทองอบแห้ง", hs_code="08134090")
    return bill(
        product,
        ("ทุเรียนหมอนทองสด จันทบุรี", "08106000", "TH", 12_000, True, False),
        ("ถุงซิปพิมพ์ลาย", "392321", "TH", 500, False, True),
        costing=costing
        and {"fob_satang": 25_000, "direct_labour_satang": 4_000, "overhead_satang": 3_000,
             "profit_satang": 5_000, "other_satang": 500},
    )  # fmt: skip


SCARF_COSTING = {"fob_satang": 50_000, "direct_labour_satang": 6_000, "overhead_satang": 2_000,
                 "profit_satang": 3_500, "other_satang": 1_000}  # fmt: skip


def silk_scarf(yarn_hs="", costing=SCARF_COSTING):
    product = factories.product(name_th="ผ้าพันคอไหมมัดหมี่", name_en="Mudmee silk scarf", hs_code="62141090")
    return bill(
        product,
        ("ด้ายไหมจากจีน", yarn_hs, "CN", 35_000, False, False),  # 70 % of FOB
        ("สีย้อมธรรมชาติจากอินเดีย", "320300", "IN", 2_500, False, False),
        costing=costing,
    )


def herbal_serum(*extra, profit=800, other=200):
    product = factories.product(name_th="เซรั่มขมิ้นชัน", hs_code="33049930")
    return bill(
        product,
        ("หัวเชื้อเซรั่มจากญี่ปุ่น", "330499", "JP", 5_500, False, False),  # 55 % of FOB
        ("สารสกัดขมิ้นชัน", "130219", "TH", 1_000, False, False),
        ("ขวดปั๊มจากเกาหลี", "392330", "KR", 1_000, False, True),
        *extra,
        costing={"fob_satang": 10_000, "direct_labour_satang": 800, "overhead_satang": 700,
                 "profit_satang": profit, "other_satang": other},
    )  # fmt: skip


def test_dried_durian_from_thai_durian_is_wholly_obtained_under_all_three():
    results = by_agreement(dried_durian())

    assert [(a.form_name, a.eligible, a.criterion) for a in results.values()] == [
        ("Form E", True, "WO"),
        ("Form D", True, "WO"),
        ("RCEP", True, "WO"),
    ]
    assert {a.rvc_bp for a in results.values()} == {10_000}
    assert results["form_d"].rvc_build_up_bp == 10_000  # (฿125 + ฿40 + ฿30 + ฿50 + ฿5) ÷ ฿250
    assert "ได้มาทั้งหมดในประเทศไทย (WO): วัตถุดิบทุกรายการได้มาทั้งหมดในไทย" in results["form_e"].steps
    assert all(a.reason == "" for a in results.values())


def test_wholly_obtained_needs_no_costing():
    result = by_agreement(dried_durian(costing=False), agreements=("form_e",))["form_e"]

    assert (result.eligible, result.criterion, result.rvc_bp) == (True, "WO", None)


def test_silk_scarf_of_chinese_yarn_qualifies_for_form_e_but_not_form_d():
    results = by_agreement(silk_scarf())
    form_e, form_d = results["form_e"], results["form_d"]

    # ACFTA: Chinese yarn counts as originating; only the Indian dye (5 %) does not.
    assert (form_e.eligible, form_e.criterion, form_e.rvc_bp) == (True, "RVC40", 9_500)
    assert form_e.rvc_build_up_bp is None  # ACFTA uses the indirect formula only
    assert "RVC แบบทางอ้อม (FOB − VNM) ÷ FOB = (฿500.00 − ฿25.00) ÷ ฿500.00 = 95.00%" in form_e.steps

    # ATIGA: yarn and dye are non-ASEAN, 75 % of FOB; both formulas give 25 %.
    assert (form_d.eligible, form_d.criterion) == (False, None)
    assert (form_d.rvc_build_down_bp, form_d.rvc_build_up_bp, form_d.rvc_bp) == (2_500, 2_500, 2_500)
    assert form_d.non_originating_bp == 7_500
    assert "วัตถุดิบที่ไม่มีถิ่นกำเนิดในอาเซียนคิดเป็น 75.00% ของราคา FOB เกิน 60.00% ที่ยอมได้" in form_d.reason
    assert "ไม่ทราบพิกัดของวัตถุดิบ: ด้ายไหมจากจีน" in form_d.reason
    assert (
        "RVC แบบทางตรง (VOM + ค่าแรงงานทางตรง + ค่าโสหุ้ย + กำไร + ค่าใช้จ่ายอื่น) ÷ FOB"
        " = (฿0.00 + ฿60.00 + ฿20.00 + ฿35.00 + ฿10.00) ÷ ฿500.00 = 25.00%"
    ) in form_d.steps


def test_form_d_by_change_of_tariff_heading_once_the_yarn_code_is_known():
    form_d = by_agreement(silk_scarf(yarn_hs="500400"), agreements=("form_d",))["form_d"]

    assert (form_d.eligible, form_d.criterion, form_d.rvc_bp) == (True, "CTH", 2_500)
    assert "CTH: ด้ายไหมจากจีน พิกัด 5004.00 → สินค้า 6214.10.90: เปลี่ยนพิกัด" in form_d.steps


def test_non_originating_material_of_the_same_heading_fails_the_change_of_heading():
    product = silk_scarf(yarn_hs="500400")
    bill(product, ("ผ้าพันคอไหมดิบจากจีน", "621410", "CN", 1_000, False, False))

    form_d = by_agreement(product, agreements=("form_d",))["form_d"]

    assert not form_d.eligible
    assert "วัตถุดิบ ผ้าพันคอไหมดิบจากจีน ไม่ได้เปลี่ยนพิกัดตามเกณฑ์ CTH" in form_d.reason


def test_cosmetic_of_japanese_inputs_qualifies_for_rcep_but_not_form_e():
    results = by_agreement(herbal_serum())
    form_e, form_d, rcep = results["form_e"], results["form_d"], results["rcep"]

    # Japanese concentrate (55 %) and Korean bottle (10 %) are outside ACFTA and ATIGA.
    assert (form_e.eligible, form_e.rvc_bp, form_e.non_originating_bp) == (False, 3_500, 6_500)
    assert "วัตถุดิบที่ไม่มีถิ่นกำเนิดในอาเซียนและจีนคิดเป็น 65.00% ของราคา FOB" in form_e.reason
    assert (form_d.eligible, form_d.rvc_build_down_bp, form_d.rvc_build_up_bp) == (False, 3_500, 3_500)
    # ... and the concentrate is of the product's own heading, so no change of heading either.
    assert "วัตถุดิบ หัวเชื้อเซรั่มจากญี่ปุ่น ไม่ได้เปลี่ยนพิกัดตามเกณฑ์ CTH" in form_d.reason

    # Japan, Korea and Thailand are all RCEP parties: produced from originating materials.
    assert (rcep.eligible, rcep.criterion, rcep.rvc_bp) == (True, "PE", 10_000)
    assert "ผลิตจากวัตถุดิบที่มีถิ่นกำเนิดในประเทศภาคี RCEPทั้งหมด (PE)" in rcep.steps


def test_rcep_value_content_takes_the_better_formula_and_flags_an_unverified_rule():
    product = herbal_serum(("น้ำหอมจากฝรั่งเศส", "330290", "FR", 300, False, False), profit=500, other=0)

    rcep = by_agreement(product, agreements=("rcep",))["rcep"]

    assert (rcep.eligible, rcep.criterion) == (True, "RVC40")
    # build-down (฿100 − ฿3) ÷ ฿100 = 97 %; build-up (฿75 + ฿8 + ฿7 + ฿5 + ฿0) ÷ ฿100 = 95 %.
    assert (rcep.rvc_build_down_bp, rcep.rvc_build_up_bp, rcep.rvc_bp) == (9_700, 9_500, 9_700)
    assert rcep.rule == "RVC40 / CTH" and rcep.rule_verified is False
    assert "โปรดตรวจกฎเฉพาะสินค้า (PSR)" in " ".join(rcep.steps)

    data = origin.application_data(product, "rcep")
    assert (data["origin_criterion"], data["rvc"]["percent"], data["fob"]["printed_on_certificate"]) == (
        "RVC", "97.00", True,
    )  # fmt: skip


def test_without_costing_the_value_content_cannot_be_shown():
    results = by_agreement(silk_scarf(costing=None))

    for code in ("form_e", "form_d"):
        assert (results[code].eligible, results[code].rvc_bp) == (False, None)
        assert "ยังไม่ได้กรอกข้อมูลต้นทุน (ราคา FOB ค่าแรง ค่าโสหุ้ย กำไร)" in results[code].reason
    assert "ไม่ทราบพิกัดของวัตถุดิบ: ด้ายไหมจากจีน" in results["form_d"].reason
    # Under RCEP the Chinese yarn is originating and the Indian dye (heading 32.03) changes heading:
    # a change-of-heading rule needs no costing.
    assert (results["rcep"].eligible, results["rcep"].criterion, results["rcep"].rvc_bp) == (
        True,
        "CTH",
        None,
    )


def test_materials_worth_more_than_fob_are_reported():
    product = silk_scarf(costing={**SCARF_COSTING, "fob_satang": 30_000})

    form_e = by_agreement(product, agreements=("form_e",))["form_e"]

    assert not form_e.eligible
    assert "มูลค่าวัตถุดิบรวม ฿375.00 สูงกว่าราคา FOB ฿300.00" in form_e.reason


def test_form_e_application_data_prints_the_percentage_and_is_json():
    product = silk_scarf()

    data = origin.application_data(product, "form_e")

    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["form"] == "Form E" and data["eligible"] is True
    assert data["origin_criterion"] == "95%"  # box 8
    assert data["fob"] == {"per_unit_satang": 50_000, "currency": "THB", "printed_on_certificate": True}
    assert data["goods"] == {
        "name_th": "ผ้าพันคอไหมมัดหมี่", "name_en": "Mudmee silk scarf", "description_th": "",
        "description_en": "", "hs_code": "6214.10.90", "hs_code_6": "6214.10",
    }  # fmt: skip
    assert data["exporter"]["name_en"] == "Test Co., Ltd."
    assert data["exporter"]["tax_id"] == product.enterprise.tax_id
    assert "ศรีภูมิ" in data["exporter"]["address_th"] and "50200" in data["exporter"]["address_th"]
    assert data["exporter"]["address_en"].endswith("50200, Thailand")
    assert [
        (m["name_th"], m["origin_country"], m["value_satang"], m["originating"]) for m in data["materials"]
    ] == [
        ("ด้ายไหมจากจีน", "CN", 35_000, True),
        ("สีย้อมธรรมชาติจากอินเดีย", "IN", 2_500, False),
    ]


def test_application_data_of_a_wholly_obtained_good_and_of_an_ineligible_one():
    durian = origin.application_data(dried_durian(), "form_d")
    serum = origin.application_data(herbal_serum(), "form_e")

    assert (durian["origin_criterion"], durian["fob"]["printed_on_certificate"]) == ("WO", False)
    assert (serum["eligible"], serum["origin_criterion"]) == (False, None)
    assert "65.00%" in serum["reason"]


def test_rules_pick_the_longest_prefix():
    assert origin.rule_for("rcep", "9403.60.90").alternatives == ("CTH", "RVC40")
    assert origin.rule_for("rcep", "9403.60.90").verified
    assert origin.rule_for("form_d", "0813.40.90").alternatives == ("RVC40", "CTH")
    assert origin.rule_for("form_e", "6214.10.90").alternatives == ("RVC40",)
    with pytest.raises(ValueError, match="form_x"):
        origin.assess(dried_durian(), agreements=("form_x",))


def test_material_tariff_code_and_country_are_checked_and_normalised():
    product = factories.product()
    bad = Material(product=product, name_th="ด้าย", hs_code="5004", origin_country="XX", value_satang=1)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert set(error.value.message_dict) == {"hs_code", "origin_country"}

    good = Material(
        product=product, name_th="ด้าย", hs_code="5004.00.00", origin_country=" cn", value_satang=1
    )
    good.full_clean()
    assert (good.hs_code, good.origin_country) == ("50040000", "CN")
