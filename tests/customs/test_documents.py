"""The commercial invoice and packing list of an export order: what the buyer and customs abroad
read on them (exporter, consignee in their own script, HS codes, FOB totals in baht and yuan,
weights), and who may download them."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from talat.catalog.models import Variant
from talat.customs.documents import commercial_invoice_pdf, gross_weight_g, packing_list_pdf
from talat.orders import services as orders
from talat.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
SHENZHEN = {"address_line": "广东省深圳市南山区科技园路 88 号", "postal_code": "518057"}


@pytest.fixture
def shop():
    return factories.verified_enterprise(
        name_th="วิสาหกิจชุมชนทุเรียนจันท์", name_en="Chanthaburi Durian Community Enterprise"
    )


@pytest.fixture
def seller(client, shop):
    client.force_login(shop.owner)
    return client


def variant_of(shop, *, name_th, name_en, hs_code, price_satang, weight_g):
    product = factories.product(
        shop, name_th=name_th, name_en=name_en, hs_code=hs_code, price_satang=price_satang
    )
    variant = Variant.objects.get(product=product)
    variant.weight_g = weight_g
    variant.save()
    return variant


def export_order(shop, *, number="TM-2025-0001", country="CN", address=SHENZHEN, currency="THB") -> Order:
    """4 bags of dried durian at ฿250 and 2 silk scarves at ฿890, with ฿150 delivery, placed on
    3 January 2025 by a buyer in Shenzhen."""
    durian = variant_of(shop, name_th="ทุเรียนหมอนทองอบแห้ง", name_en="Freeze-dried Monthong durian",
                        hs_code="08134090", price_satang=25_000, weight_g=250)  # fmt: skip
    scarf = variant_of(shop, name_th="ผ้าพันคอไหมมัดหมี่", name_en="Mudmee silk scarf", hs_code="62141090",
                       price_satang=89_000, weight_g=120)  # fmt: skip
    order, _created = orders.accept_order(
        enterprise=shop,
        channel="storefront",
        channel_order_number=number,
        lines=[orders.Wanted(durian, 4, 25_000), orders.Wanted(scarf, 2, 89_000)],
        buyer_name="王芳",
        buyer_phone="+8613800138000",
        buyer_country=country,
        address=address,
        shipping_minor=15_000,
        currency=currency,
        placed_at=datetime(2025, 1, 3, 10, 30, tzinfo=BANGKOK),
        status="awaiting_payment",
    )
    return order


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_commercial_invoice_has_exporter_consignee_hs_codes_and_totals_in_baht_and_yuan(
    shop, exchange_rates
):
    text = text_of(commercial_invoice_pdf(export_order(shop)))

    assert "COMMERCIAL INVOICE" in text
    assert "Chanthaburi Durian Community Enterprise" in text
    assert str(shop.tax_id) in text
    assert "王芳" in text and "深圳市南山区科技园路" in text and "518057" in text and "China (CN)" in text
    assert "Invoice No. / เลขที่: TM-2025-0001" in text
    assert "3 January 2025" in text and "2568" in text  # Gregorian and Buddhist era
    assert "FOB" in text
    assert "0813.40.90" in text and "6214.10.90" in text
    assert "Freeze-dried Monthong durian" in text and "Mudmee silk scarf" in text
    assert "Thailand" in text
    # 4 × 250.00 + 2 × 890.00 = 2,780.00 baht; at 4.6730 baht a yuan (3 January 2025):
    # 1,000.00 -> 214.00 and 1,780.00 -> 380.91 yuan.
    assert "1,000.00" in text and "1,780.00" in text
    assert "2,780.00 THB" in text
    assert "214.00" in text and "380.91" in text and "594.91 CNY" in text
    assert "1 CNY = 4.673 THB" in text
    assert "150.00 THB" in text and "2,930.00 THB" in text  # delivery, outside the FOB value
    assert "Authorised signature" in text


def test_without_a_rate_the_invoice_shows_baht_only_and_says_why(shop):
    text = text_of(commercial_invoice_pdf(export_order(shop)))

    assert "2,780.00 THB" in text
    assert "CNY" in text and "No Bank of Thailand rate for CNY on or before 2025-01-03" in text
    assert "Amount (CNY)" not in text


def test_a_sale_in_yuan_shows_baht_beside_it(shop, exchange_rates):
    order = export_order(shop, currency="CNY")  # the same figures read as fen

    text = text_of(commercial_invoice_pdf(order))

    assert "Amount (THB)" in text and "Amount (CNY)" not in text
    assert "2,780.00 CNY" in text
    # 1,000.00 yuan × 4.6730 = 4,673.00 baht; 1,780.00 × 4.6730 = 8,317.94 baht.
    assert "12,990.94 THB" in text


def test_the_packing_list_has_net_and_gross_weights(shop):
    text = text_of(packing_list_pdf(export_order(shop)))

    assert "PACKING LIST" in text
    assert "王芳" in text and "Chanthaburi Durian Community Enterprise" in text
    # durian 4 × 250 g = 1.000 kg net, 1.100 kg gross; scarves 2 × 120 g = 0.240 kg net, 0.264 gross.
    assert "1.000" in text and "1.100" in text and "0.240" in text and "0.264" in text
    assert "1.240" in text and "1.364" in text
    assert "0813.40.90" in text and "6214.10.90" in text
    assert "Gross weight = net weight + 10%" in text


def test_gross_weight_adds_ten_percent_rounded_up_to_the_gram():
    assert [gross_weight_g(n) for n in (0, 1, 10, 250, 1001)] == [0, 2, 11, 275, 1102]


def test_the_seller_downloads_both_documents_of_an_export_order(seller, shop):
    order = export_order(shop)

    listing = seller.get(reverse("customs:export_orders")).content.decode()
    invoice = seller.get(reverse("customs:commercial_invoice", args=[order.uid]))
    packing = seller.get(reverse("customs:packing_list", args=[order.uid]))

    assert "TM-2025-0001" in listing and reverse("customs:commercial_invoice", args=[order.uid]) in listing
    assert invoice.status_code == 200 and invoice["Content-Type"] == "application/pdf"
    assert invoice["Content-Disposition"] == 'inline; filename="commercial-invoice-TM-2025-0001.pdf"'
    assert "COMMERCIAL INVOICE" in text_of(invoice.content)
    assert packing.status_code == 200 and "PACKING LIST" in text_of(packing.content)


def test_another_shops_order_is_not_found(seller):
    other = export_order(factories.verified_enterprise(), number="TM-OTHER")

    assert seller.get(reverse("customs:commercial_invoice", args=[other.uid])).status_code == 404
    assert seller.get(reverse("customs:packing_list", args=[other.uid])).status_code == 404
    assert "TM-OTHER" not in seller.get(reverse("customs:export_orders")).content.decode()


def test_a_domestic_order_has_no_export_documents(seller, shop):
    home = {"address_line": "99/1 หมู่ 3 ถนนท่าแฉลบ", "province_code": "22", "district_code": "2201",
            "subdistrict_code": "220101", "postal_code": "22000"}  # fmt: skip
    order = export_order(shop, number="TL-HOME", country="TH", address=home)

    response = seller.get(reverse("customs:commercial_invoice", args=[order.uid]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[order.uid])
    assert "คำสั่งซื้อ TL-HOME ส่งในประเทศ จึงไม่ต้องใช้เอกสารส่งออก" in response.content.decode()
    assert "TL-HOME" not in seller.get(reverse("customs:export_orders")).content.decode()


def test_the_export_documents_page_says_when_there_are_no_export_orders(seller):
    response = seller.get(reverse("customs:export_orders"))

    assert response.status_code == 200
    assert "ยังไม่มีคำสั่งซื้อที่ส่งไปต่างประเทศ" in response.content.decode()
