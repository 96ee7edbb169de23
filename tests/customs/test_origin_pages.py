"""The seller's certificate-of-origin pages as a seller uses them: the product list with each
agreement's verdict, the bill-of-materials form that refuses bad rows in Thai and saves nothing,
the calculation shown after a good save, and the application data to download."""

import html
import json
import re

import pytest
from django.urls import reverse

from talat.catalog.models import Material, OriginCosting
from talat.catalog.services.origin import set_bill_of_materials
from tests import factories

pytestmark = pytest.mark.django_db

SCARF_ROWS = [
    {"name_th": "ด้ายไหมจากจีน", "hs_code": "5004.00", "origin_country": "CN", "value": "350.00"},
    {"name_th": "สีย้อมธรรมชาติจากอินเดีย", "hs_code": "3203.00", "origin_country": "IN", "value": "25"},
]
SCARF_COSTING = {"fob_satang": "500.00", "direct_labour_satang": "60", "overhead_satang": "20.00",
                 "profit_satang": "35", "other_satang": "10.00"}  # fmt: skip


@pytest.fixture
def shop():
    return factories.verified_enterprise(name_th="วิสาหกิจชุมชนทอผ้าไหมบ้านเขวา", name_en="Ban Khwao Silk Weavers")


@pytest.fixture
def seller(client, shop):
    client.force_login(shop.owner)
    return client


def scarf(shop):
    return factories.product(shop, name_th="ผ้าพันคอไหมมัดหมี่", name_en="Mudmee silk scarf", hs_code="62141090")


def durian(shop):
    product = factories.product(shop, name_th="ทุเรียนหมอนทองอบแห้ง", hs_code="08134090")
    set_bill_of_materials(
        product=product,
        materials=[
            {
                "name_th": "ทุเรียนหมอนทองสด",
                "hs_code": "081060",
                "origin_country": "TH",
                "value_satang": 12_000,
                "wholly_obtained": True,
                "packaging": False,
            },
        ],  # fmt: skip
        costing={"fob_satang": 25_000},
        by=shop.owner,
    )
    return product


def form_data(rows, costing=None, *, initial=0, extra=3):
    """The POST of the bill-of-materials form: `rows` fill the first rows, the rest stay blank."""
    total = max(len(rows), initial + extra)
    data = {"m-TOTAL_FORMS": str(total), "m-INITIAL_FORMS": str(initial), "m-MIN_NUM_FORMS": "0",
            "m-MAX_NUM_FORMS": "100"}  # fmt: skip
    for index, row in enumerate(rows):
        data[f"m-{index}-name_th"] = row.get("name_th", "")
        data[f"m-{index}-hs_code"] = row.get("hs_code", "")
        data[f"m-{index}-origin_country"] = row.get("origin_country", "")
        data[f"m-{index}-value_satang"] = row.get("value", "")
        for flag in ("wholly_obtained", "packaging", "DELETE"):
            if row.get(flag):
                data[f"m-{index}-{flag}"] = "on"
    for field, value in (costing or {}).items():
        data[f"c-{field}"] = value
    return data


def text_of(response) -> str:
    """The page's visible text, tags dropped and entities decoded, whitespace squeezed."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(content))


def row_of(response, name: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
    (row,) = [row for row in rows if name in row]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="error" id="{field_id}_error" role="alert">(.*?)</p>', response.content.decode()
    )
    return html.unescape(match.group(1)) if match else ""


def test_the_list_shows_each_products_eligibility_under_the_three_agreements(seller, shop):
    durian(shop)
    scarf(shop)
    factories.product(factories.verified_enterprise(), name_th="สินค้าร้านอื่น")

    response = seller.get(reverse("customs:origin_list"))

    assert response.status_code == 200
    durian_row = row_of(response, "ทุเรียนหมอนทองอบแห้ง")
    assert "0813.40.90" in durian_row
    assert "Form E: มีสิทธิ์ (WO)" in durian_row
    assert "Form D: มีสิทธิ์ (WO)" in durian_row and "RCEP: มีสิทธิ์ (WO)" in durian_row
    assert "ยังไม่ได้กรอกวัตถุดิบและต้นทุน" in row_of(response, "ผ้าพันคอไหมมัดหมี่")
    assert "สินค้าร้านอื่น" not in response.content.decode()
    assert 'aria-current="page">ถิ่นกำเนิดสินค้า' in response.content.decode()  # the shop's tab


def test_the_list_says_when_there_are_no_products_yet(seller):
    response = seller.get(reverse("customs:origin_list"))

    assert "ยังไม่มีสินค้า เพิ่มสินค้าก่อน แล้วกลับมากรอกรายการวัตถุดิบ" in text_of(response)


def test_a_good_bill_of_materials_makes_form_e_eligible_with_the_rvc_shown(seller, shop):
    product = scarf(shop)
    url = reverse("customs:origin_edit", args=[product.uid])

    response = seller.post(url, form_data(SCARF_ROWS, SCARF_COSTING))

    assert response.status_code == 302 and response.url == url
    stored = list(product.materials.values_list("name_th", "hs_code", "origin_country", "value_satang"))
    assert stored == [("ด้ายไหมจากจีน", "500400", "CN", 35_000), ("สีย้อมธรรมชาติจากอินเดีย", "320300", "IN", 2_500)]
    costing = OriginCosting.objects.get(product=product)
    assert (costing.fob_satang, costing.direct_labour_satang, costing.other_satang) == (50_000, 6_000, 1_000)

    page = text_of(seller.get(url))
    assert "บันทึกรายการวัตถุดิบและต้นทุนแล้ว" in page
    form_e = text_of_section(seller.get(url), "form_e")
    assert "Form E: มีสิทธิ์ (RVC40)" in form_e
    assert "สัดส่วนมูลค่าในภูมิภาค (RVC) 95.00%" in form_e
    assert "RVC แบบทางอ้อม (FOB − VNM) ÷ FOB = (฿500.00 − ฿25.00) ÷ ฿500.00 = 95.00%" in form_e
    form_d = text_of_section(seller.get(url), "form_d")
    assert "Form D: ไม่มีสิทธิ์" not in form_d  # the yarn changes heading (5004 -> 6214): CTH
    assert "Form D: มีสิทธิ์ (CTH)" in form_d


def text_of_section(response, agreement: str) -> str:
    match = re.search(
        rf'<article class="card" id="assessment-{agreement}">(.*?)</article>', response.content.decode(), re.S
    )
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))))


def test_bad_tariff_code_and_country_show_thai_errors_and_save_nothing(seller, shop):
    product = durian(shop)
    url = reverse("customs:origin_edit", args=[product.uid])
    rows = [
        {"name_th": "ทุเรียนหมอนทองสด", "hs_code": "0810.60", "origin_country": "TH", "value": "120"},
        {"name_th": "ถุงซิปพิมพ์ลาย", "hs_code": "3923.2", "origin_country": "TH", "value": "5"},
        {"name_th": "น้ำตาลทราย", "hs_code": "170199", "origin_country": "XX", "value": "3.50"},
    ]

    response = seller.post(url, form_data(rows, {"fob_satang": "300"}))

    assert response.status_code == 422
    assert (
        field_error(response, "id_m-1-hs_code")
        == "พิกัดของวัตถุดิบต้องเป็นตัวเลข 6 หรือ 8 หลัก เช่น 5004.00 หรือ 5004.00.00"
    )
    assert field_error(response, "id_m-2-origin_country") == "ไม่รู้จักรหัสประเทศ XX"
    assert field_error(response, "id_m-0-hs_code") == ""
    assert "ยังไม่ได้บันทึก โปรดแก้ไขช่องที่มีข้อความแจ้ง" in text_of(response)
    # The stored bill is the one before the failed save.
    assert list(product.materials.values_list("name_th", flat=True)) == ["ทุเรียนหมอนทองสด"]
    assert OriginCosting.objects.get(product=product).fob_satang == 25_000
    # What the seller typed is still in the form.
    assert 'value="3923.2"' in response.content.decode()


def test_money_with_more_than_two_decimals_or_a_missing_fob_is_refused_in_thai(seller, shop):
    product = scarf(shop)
    url = reverse("customs:origin_edit", args=[product.uid])
    rows = [{"name_th": "ด้ายไหมจากจีน", "hs_code": "500400", "origin_country": "CN", "value": "350.005"}]

    response = seller.post(url, form_data(rows, {"direct_labour_satang": "60"}))

    assert response.status_code == 422
    assert field_error(response, "id_m-0-value_satang") == "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"
    assert not Material.objects.filter(product=product).exists()

    rows[0]["value"] = "1,250.55"
    response = seller.post(url, form_data(rows, {"direct_labour_satang": "60"}))

    assert response.status_code == 422
    assert field_error(response, "id_c-fob_satang") == "กรุณากรอกราคา FOB ต่อหน่วย"
    assert not Material.objects.filter(product=product).exists()
    assert not OriginCosting.objects.filter(product=product).exists()


def test_a_row_ticked_for_removal_is_removed_and_blank_rows_are_ignored(seller, shop):
    product = scarf(shop)
    url = reverse("customs:origin_edit", args=[product.uid])
    seller.post(url, form_data(SCARF_ROWS, SCARF_COSTING))
    page = seller.get(url).content.decode()
    assert 'value="350.00"' in page  # stored satang shown as baht
    assert "ลบรายการนี้เมื่อบันทึก" in page

    rows = [dict(SCARF_ROWS[0]), dict(SCARF_ROWS[1], DELETE=True)]
    response = seller.post(url, form_data(rows, SCARF_COSTING, initial=2))

    assert response.status_code == 302
    assert list(product.materials.values_list("name_th", flat=True)) == ["ด้ายไหมจากจีน"]


def test_application_data_downloads_as_json(seller, shop):
    product = scarf(shop)
    seller.post(reverse("customs:origin_edit", args=[product.uid]), form_data(SCARF_ROWS, SCARF_COSTING))

    response = seller.get(reverse("customs:origin_application", args=[product.uid, "form_e"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="form_e-{product.uid}.json"'
    data = json.loads(response.content)
    assert (data["form"], data["eligible"], data["origin_criterion"]) == ("Form E", True, "95%")
    assert data["goods"]["hs_code"] == "6214.10.90"
    assert data["exporter"]["name_en"] == "Ban Khwao Silk Weavers"
    assert data["fob"]["per_unit_satang"] == 50_000
    assert [m["origin_country"] for m in data["materials"]] == ["CN", "IN"]
    assert "ผ้าพันคอไหมมัดหมี่".encode() in response.content  # Thai as written, not \u escapes
    page = seller.get(reverse("customs:origin_edit", args=[product.uid])).content.decode()
    assert reverse("customs:origin_application", args=[product.uid, "rcep"]) in page


def test_an_unknown_agreement_is_not_found(seller, shop):
    product = scarf(shop)

    assert seller.get(reverse("customs:origin_application", args=[product.uid, "form_x"])).status_code == 404


def test_another_shops_product_is_not_found(seller):
    other = factories.product(factories.verified_enterprise(), name_th="สินค้าร้านอื่น")

    assert seller.get(reverse("customs:origin_edit", args=[other.uid])).status_code == 404
    response = seller.post(
        reverse("customs:origin_edit", args=[other.uid]), form_data(SCARF_ROWS, SCARF_COSTING)
    )
    assert response.status_code == 404
    assert not Material.objects.filter(product=other).exists()
    assert seller.get(reverse("customs:origin_application", args=[other.uid, "form_e"])).status_code == 404


def test_the_pages_need_a_signed_in_seller(client, shop):
    product = scarf(shop)

    response = client.get(reverse("customs:origin_edit", args=[product.uid]))

    assert response.status_code == 302 and "login" in response.url


def test_the_country_select_shows_thai_names(seller, shop):
    product = scarf(shop)

    page = seller.get(reverse("customs:origin_edit", args=[product.uid])).content.decode()

    assert '<option value="CN">จีน (CN)</option>' in page
    assert '<option value="TH">ไทย (TH)</option>' in page
    assert "ไม่ทราบ (ถือว่าไม่มีถิ่นกำเนิด)" in page


def test_the_service_reports_every_bad_row_by_row_and_field(shop):
    from django.core.exceptions import ValidationError

    product = scarf(shop)
    with pytest.raises(ValidationError) as caught:
        set_bill_of_materials(
            product=product,
            materials=[
                {"name_th": "", "hs_code": "500400", "origin_country": "CN", "value_satang": 100},
                {"name_th": "สีย้อม", "hs_code": "32", "origin_country": "cn", "value_satang": -1},
            ],
            costing={"fob_satang": 0},
            by=shop.owner,
        )

    assert caught.value.message_dict == {
        "materials.0.name_th": ["กรุณากรอกชื่อวัตถุดิบ"],
        "materials.1.hs_code": ["พิกัดของวัตถุดิบต้องเป็นตัวเลข 6 หรือ 8 หลัก เช่น 5004.00 หรือ 5004.00.00"],
        "materials.1.value_satang": ["จำนวนเงินต้องไม่ติดลบ"],
        "costing.fob_satang": ["ราคา FOB ต้องมากกว่าศูนย์"],
    }
    assert not Material.objects.filter(product=product).exists()


def test_the_list_is_paginated(seller, shop):
    for number in range(21):
        factories.product(shop, name_th=f"สินค้าทดสอบ {number:02d}")

    first = text_of(seller.get(reverse("customs:origin_list")))
    second = text_of(seller.get(reverse("customs:origin_list"), {"page": 2}))

    assert "หน้า 1 จาก 2" in first and "สินค้าทดสอบ 20" in first and "สินค้าทดสอบ 00" not in first
    assert "หน้า 2 จาก 2" in second and "สินค้าทดสอบ 00" in second
