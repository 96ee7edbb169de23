"""Done-when of selling everywhere, as a new seller would do it in Thai: import a spreadsheet with
some bad rows, find the goods by Thai search, connect Lazada and Tmall Global through their
authorization pages, publish, see both marketplaces' orders in one inbox, and watch the storefront
sell the same stock without overselling."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from talat.catalog.models import Variant
from talat.channels import services
from talat.channels.sandboxes.alibaba import AlibabaSandbox
from talat.channels.sandboxes.lazada import LazadaSandbox
from talat.channels.sandboxes.server import Running
from talat.orders.models import Order
from talat.registry.models import Partner
from talat.registry.reference import ensure_goods_categories
from tests.browser.test_data_sovereignty import log_in
from tests.factories import agreement, verified_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "sku,name_th,name_en,name_zh,category,province,hs_code,price_thb,cny_price,weight_g,stock"
ROWS = [
    "DUR-1,ทุเรียนอบแห้ง,Dried durian,泰国榴莲干,fruit,จันทบุรี,0813.40.90,250.00,58.00,200,3",
    "MNG-1,มะม่วงอบแห้ง,Dried mango,泰国芒果干,fruit,22,08134090,120.50,29.00,200,10",
    "SLK-1,ผ้าไหมมัดหมี่,Mudmee silk,泰国丝绸,textiles,32,50072090,2500,590,400,2",
    "BAD-1,ข้าวสารผิดพิกัด,Rice,大米,rice,32,1234.56.78,90,,1000,5",
    "BAD-2,ชาราคาติดลบ,Tea,茶,coffee-tea,57,09023010,-5,,100,5",
]
LISTING_FIELDS = [
    *(f"catalog.Product.{f}" for f in ("name_th", "name_en", "name_zh", "category", "brand", "hs_code")),
    *(f"catalog.Variant.{f}" for f in ("sku", "price_satang", "cny_price_fen", "weight_g", "available")),
]


@pytest.fixture
def marketplaces(settings):
    ensure_goods_categories()
    lazada_box = LazadaSandbox("lz-key", "lz-secret")
    tmall_box = AlibabaSandbox("tm-key", "tm-secret", marketplace="tmall-global")
    with Running(lazada_box) as lazada, Running(tmall_box) as tmall:
        settings.TALAT_CHANNELS = {
            "lazada": {"api": f"{lazada.url}/rest", "authorize": f"{lazada.url}/oauth/authorize",
                       "app_key": "lz-key", "app_secret": "lz-secret"},
            "tmall-global": {"api": tmall.url, "authorize": f"{tmall.url}/authorize",
                             "app_key": "tm-key", "app_secret": "tm-secret"},
        }  # fmt: skip
        for code, name_en, name_th, country in [
            ("lazada", "Lazada", "ลาซาด้า", "TH"),
            ("tmall-global", "Tmall Global", "ทีมอลล์ โกลบอล", "CN"),
        ]:
            partner = Partner.objects.create(code=code, name_en=name_en, name_th=name_th, kind="marketplace",
                                             country=country)  # fmt: skip
            agreement(recipient=partner, purpose="listing", fields=LISTING_FIELDS, consent_required=False)
        yield lazada_box, tmall_box


def test_a_seller_sells_one_stock_everywhere(new_page, screenshot, marketplaces, exchange_rates, tmp_path):
    lazada_box, tmall_box = marketplaces
    shop = verified_enterprise(name_th="วิสาหกิจชุมชนสวนผลไม้จันท์")
    seller = new_page()
    seller.on("dialog", lambda dialog: dialog.accept())
    log_in(seller, shop.owner.email)

    # 1. Import a spreadsheet: the preview shows every bad row before anything is saved.
    sheet = tmp_path / "สินค้า.csv"
    sheet.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8-sig")
    seller.goto("/seller/products/import/")
    seller.set_input_files("input[type=file]", str(sheet))
    seller.get_by_role("button", name="อัปโหลดและตรวจไฟล์").click()
    expect(seller.locator("main")).to_contain_text("1234.56.78")
    expect(seller.locator("main")).to_contain_text("ราคาต้องมากกว่าศูนย์")
    assert Variant.objects.count() == 0
    screenshot(seller, "selling-import-preview")
    seller.get_by_role("button", name="นำเข้า 3 รายการที่ถูกต้อง").click()
    expect(seller.locator("#import-progress")).to_contain_text("นำเข้าเสร็จแล้ว")
    assert sorted(Variant.objects.values_list("sku", "price_satang", "available")) == [
        ("DUR-1", 25_000, 3), ("MNG-1", 12_050, 10), ("SLK-1", 250_000, 2)
    ]  # fmt: skip

    # 2. Thai search finds the goods, whatever the spacing.
    seller.goto("/store/")
    seller.fill("#store-q", "ทุเรียน อบแห้ง")
    seller.get_by_role("button", name="ค้นหา", exact=True).click()
    expect(seller.locator("#results")).to_contain_text("ทุเรียนอบแห้ง")
    expect(seller.locator("#results")).not_to_contain_text("มะม่วงอบแห้ง")
    screenshot(seller, "selling-search")

    # 3. Connect both marketplaces through their authorization pages, and publish.
    for name in ("ลาซาด้า", "ทีมอลล์ โกลบอล"):
        seller.goto("/seller/channels/")
        seller.get_by_role("link", name=f"เชื่อมต่อกับ {name}").click()
        expect(seller.locator(".messages")).to_contain_text("เชื่อมต่อ")
        seller.get_by_label("ทุเรียนอบแห้ง").check()
        seller.get_by_label("ผ้าไหมมัดหมี่").check()
        seller.get_by_role("button", name="ลงขาย", exact=True).click()
        expect(seller.locator("#listings")).to_contain_text("ทุเรียนอบแห้ง")
    services.run_due_jobs(now=timezone.now() + timezone.timedelta(minutes=1))  # what the poller does
    for account_page in ("ลาซาด้า", "ทีมอลล์ โกลบอล"):
        seller.goto("/seller/channels/")
        seller.get_by_role("link", name=account_page, exact=False).first.click()
        expect(seller.locator("#listings")).to_contain_text("ขายอยู่")
        expect(seller.locator("#listings")).not_to_contain_text("รอพันธมิตรตรวจสอบ")
    screenshot(seller, "selling-listings")

    # 4. Each marketplace sells 2 of the 3 durians before Talat hears of it; both land in one inbox.
    lazada_box.place_order("DUR-1", 2, buyer_name="สมหญิง รักดี")
    tmall_box.place_order("DUR-1", 2, buyer_name="王芳")
    for account_page in ("ลาซาด้า", "ทีมอลล์ โกลบอล"):
        seller.goto("/seller/channels/")
        seller.get_by_role("link", name=account_page, exact=False).first.click()
        seller.get_by_role("button", name="ดึงคำสั่งซื้อตอนนี้").click()
    seller.goto("/seller/orders/")
    orders = seller.locator("#orders")
    expect(orders).to_contain_text("lazada")
    expect(orders).to_contain_text("tmall-global")
    expect(orders).to_contain_text("ชำระเงินแล้ว")
    expect(orders).to_contain_text("ยกเลิก")
    screenshot(seller, "selling-inbox")

    # 5. The storefront sells the last unit to one buyer and refuses the next.
    buyer = new_page()
    buyer.goto("/store/search/?q=ทุเรียน")
    buyer.get_by_role("link", name="ทุเรียนอบแห้ง").first.click()
    buyer.get_by_role("button", name="ใส่ตะกร้า").click()
    buyer.goto("/store/checkout/")
    fill_checkout(buyer)
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    expect(buyer.locator("main")).to_contain_text("ชำระเงินด้วยพร้อมเพย์")
    late = new_page()
    late.goto("/store/search/?q=ทุเรียน")
    late.get_by_role("link", name="ทุเรียนอบแห้ง").first.click()
    expect(late.locator("main")).to_contain_text("สินค้าหมด")
    expect(late.get_by_role("button", name="ใส่ตะกร้า")).to_have_count(0)
    durian = Variant.objects.get(sku="DUR-1")
    assert (durian.available, durian.reserved) == (0, 3)
    assert Order.objects.filter(status="cancelled").count() == 1


def fill_checkout(page):
    """The checkout form as a Thai buyer fills it (the district lists load as the province is chosen)."""
    page.get_by_label("ชื่อผู้ซื้อ").fill("ผู้ซื้อหน้าร้าน")
    page.get_by_label("อีเมลผู้ซื้อ").fill("buyer@example.th")
    page.get_by_label("โทรศัพท์ผู้ซื้อ").fill("0812345678")
    page.get_by_label("ที่อยู่จัดส่ง").fill("99/1 หมู่ 3 ถนนท่าแฉลบ")
    page.get_by_label("จังหวัด").select_option("22")
    expect(page.locator("#id_district_code option[value='2201']")).to_have_count(1)
    page.get_by_label("อำเภอ/เขต").select_option("2201")
    expect(page.locator("#id_subdistrict_code option[value='220101']")).to_have_count(1)
    page.get_by_label("ตำบล/แขวง").select_option("220101")
    page.get_by_label("รหัสไปรษณีย์").fill("22000")
