"""The seller's product pages: three-language products with SKUs, tariff-checked, images with
thumbnails, stock receipts and counts with their history."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from talat.catalog.models import Product, ProductImage, StockMovement, Variant
from tests.factories import product, verified_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client):
    shop = verified_enterprise()
    client.force_login(shop.owner)
    return shop


def form_data(**overrides):
    data = {
        "name_th": "ทุเรียนอบแห้ง", "name_en": "Dried durian", "name_zh": "泰国榴莲干",
        "description_th": "อบกรอบ", "description_en": "", "description_zh": "", "category": "fruit",
        "brand": "", "province_code": "22", "otop_stars": "4", "certifications": ["fda", "gmp"],
        "hs_code": "0813.40.90",
        "sku-TOTAL_FORMS": "2", "sku-INITIAL_FORMS": "0", "sku-MIN_NUM_FORMS": "1", "sku-MAX_NUM_FORMS": "50",
        "sku-0-sku": "DUR-100", "sku-0-barcode": "8850999320014", "sku-0-option_th": "100 กรัม",
        "sku-0-price_satang": "12900", "sku-0-weight_g": "100", "sku-0-stock": "7",
        "sku-1-sku": "DUR-250", "sku-1-barcode": "", "sku-1-option_th": "250 กรัม",
        "sku-1-price_satang": "29900", "sku-1-weight_g": "250", "sku-1-stock": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_a_product_with_two_skus_and_opening_stock(client, seller):
    response = client.post("/seller/products/new/", form_data())
    assert response.status_code == 302
    item = Product.objects.get()
    assert (item.name_zh, item.hs_code, item.otop_stars, item.certifications) == ("泰国榴莲干", "08134090", 4,
                                                                               ["fda", "gmp"])  # fmt: skip
    assert list(item.variants.values_list("sku", "price_satang", "available")) == [
        ("DUR-100", 12_900, 7), ("DUR-250", 29_900, 0)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hs_code", "1234.56.78", "ไม่พบพิกัด"),
        ("hs_code", "0813", "8 หลัก"),
        ("sku-0-barcode", "8850999320015", "บาร์โค้ด"),
        ("sku-0-price_satang", "0", "ราคาต้องมากกว่าศูนย์"),
        ("sku-1-sku", "DUR-100", "ซ้ำ"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(client, seller, field, value, message):
    response = client.post("/seller/products/new/", form_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Product.objects.count() == 0 and Variant.objects.count() == 0


def test_another_sellers_product_is_not_found(client, seller):
    other = product(name_th="ของร้านอื่น")
    assert client.get(f"/seller/products/{other.uid}/").status_code == 404


def picture(kind="JPEG", size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()


def test_images_are_checked_and_get_thumbnails(client, seller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = product(seller)
    url = f"/seller/products/{item.uid}/images/"
    client.post(url, {"image": SimpleUploadedFile("a.png", picture("PNG"), "image/png"), "alt": "ถุงทุเรียน"})
    image = ProductImage.objects.get()
    with Image.open(image.thumbnail.path) as thumb:
        assert max(thumb.size) == 400 and thumb.format == "JPEG"
    public = client.get(image.thumbnail.url)
    assert public.status_code == 200
    not_image = client.post(
        url, {"image": SimpleUploadedFile("x.jpg", b"not a picture", "image/jpeg")}, follow=True
    )
    assert "ไม่ใช่รูปภาพ" in not_image.content.decode()
    tiny = client.post(
        url, {"image": SimpleUploadedFile("t.jpg", picture(size=(50, 50)), "image/jpeg")}, follow=True
    )
    assert "200 พิกเซล" in tiny.content.decode()
    gif = client.post(url, {"image": SimpleUploadedFile("g.gif", picture("GIF"), "image/gif")}, follow=True)
    assert "JPEG, PNG" in gif.content.decode()
    assert ProductImage.objects.count() == 1
    # uploaded spreadsheets and anything else outside media/products/ is never served
    assert client.get("/media/imports/anything.csv").status_code == 404


def test_stock_receipts_and_counts_are_recorded(client, seller):
    item = product(seller, stock=5)
    variant = item.variants.get()
    url = f"/seller/products/{item.uid}/stock/"
    client.post(url, {"variant": variant.pk, "quantity": 10, "reference": "PO-7", "action": "receive"})
    client.post(url, {"variant": variant.pk, "quantity": 12, "reference": "นับสต็อก", "action": "count"})
    variant.refresh_from_db()
    assert variant.available == 12
    page = client.get(url).content.decode()
    assert "PO-7" in page and "ปรับยอด" in page
    movements = StockMovement.objects.filter(variant=variant).order_by("id")
    assert list(movements.values_list("on_hand_delta", flat=True)) == [5, 10, -3]
