"""Done-when of logistics and customs, tried as a new user would in Chromium: a buyer in Shenzhen sees
the import taxes at checkout (in Chinese), pays by PromptPay; the seller books the parcel through
the EEC hub; hub staff scan it in, put it away, pick, pack, consolidate it into a manifest, declare
it to the Customs sandbox and release it once Customs has; the hub's partner carries it to
delivered and the buyer follows it in Chinese; the seller downloads the commercial invoice and, with
a bill of materials, sees the product eligible for Form E. A domestic order ships with a label and
tracking as well. The partners are the sandboxes over real HTTP; their own side (Customs releasing
the goods, the carriers scanning) is driven through their controls."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from talat.accounts.models import Role
from talat.customs import landed_cost
from talat.logistics.models import Manifest, Route, Shipment
from talat.orders.models import Order, OrderStatus
from talat.payments.models import PaymentRequest
from talat.web.templatetags.talat import money
from tests.browser import test_paying
from tests.browser.test_data_sovereignty import log_in
from tests.browser.test_paying import add_to_cart
from tests.browser.test_selling import fill_checkout
from tests.factories import product, reference_data, user, verified_enterprise
from tests.logistics import test_shipping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHENZHEN = "广东省深圳市南山区科技园路 88 号"

# The bank sandbox (payments) and the hub, carrier and Customs sandboxes with their agreements.
bank = test_paying.bank
partners = test_shipping.partners


def zh(message: str, **values) -> str:
    """What a page in Simplified Chinese shows for the Thai msgid (the msgid itself while its
    translation is still missing, as Django falls back)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.fixture
def shop(settings):
    """A VAT-registered durian shop. Transactional tests empty the tables after each test, so the
    reference data the migrations load (goods categories, import rules) is loaded again."""
    reference_data()
    settings.TALAT_PLATFORM_FEE_BP = 300
    settings.TALAT_BANK_FEE_BP = 0
    found = verified_enterprise(name_th="วิสาหกิจชุมชนทุเรียนจันทบุรี")
    found.vat_registered = True
    found.save()
    return found


def switch_language(page, code: str, button: str = "เปลี่ยนภาษา"):
    page.locator("#language-select").select_option(code)
    page.get_by_role("button", name=button).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def pay_at_the_bank(page, link: str, paid_text: str):
    """The buyer pays the PromptPay QR at the bank sandbox (its page is the bank's, in Thai) and
    comes back to the payment page."""
    pay_url = page.url
    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name="ยืนยันการชำระเงิน")).to_be_visible()
    page.get_by_role("button", name="ชำระเงิน").click()
    expect(page.get_by_role("status")).to_contain_text("โอนเงินเข้าบัญชีผู้รับเรียบร้อยแล้ว")
    page.get_by_role("link", name="กลับไปที่ร้านค้า").click()
    assert page.url == pay_url
    expect(page.locator("#pay-status")).to_contain_text(paid_text, timeout=15_000)


def reload_until(page, locator, text: str, seconds: float = 15):
    """Reloads the page until `locator` shows `text` (for news that arrives by a partner's signed
    notification, which no open page hears of), then asserts it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if locator.count() and text in (locator.text_content() or ""):
            break
        time.sleep(0.3)
        page.reload()
    expect(locator).to_contain_text(text)


def settled(check, seconds: float = 15) -> bool:
    """Waits for a partner sandbox's own record to say its notifications reached Talat. (The test
    database is one SQLite connection shared by the live server's threads, so a page is loaded
    after the partners' writes rather than during them.)"""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def pushes_delivered(sandbox, number: str) -> bool:
    with sandbox.lock:
        pushes = [push for push in sandbox.pushes.values() if push.tracking_number == number]
    return bool(pushes) and all(push.delivery == "delivered" for push in pushes)


def customs_told(sandbox, declaration_number: str, status: str) -> bool:
    with sandbox.lock:
        deliveries = list(sandbox.records[declaration_number].deliveries)
    return any(d["status"] == status and 200 <= d.get("httpStatus", 0) < 300 for d in deliveries)


def open_seller_order(page, order):
    page.goto("/seller/orders/")
    page.get_by_role("link", name=order.channel_order_number).click()
    expect(page.get_by_role("heading", name=f"คำสั่งซื้อเลขที่ {order.channel_order_number}")).to_be_visible()


def pdf_text(page, live_server, href: str) -> str:
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def test_an_order_to_shenzhen_ships_through_the_hub_and_customs_in_the_browser(
    new_page, screenshot, shop, bank, partners, exchange_rates, live_server
):
    durian = product(
        shop, name_th="ทุเรียนหมอนทองอบแห้ง", name_en="Freeze-dried Monthong durian", name_zh="泰国金枕头榴莲干",
        hs_code="08134090", stock=5, price_satang=45_000,
    )  # fmt: skip
    expected = landed_cost.estimate(destination="CN", hs_code="08134090", value_minor=90_000, currency="THB")
    assert not expected.refused and expected.currency == "CNY" and expected.taxes_minor > 0

    # 1. The buyer in Shenzhen switches the store to Chinese and puts two bags in the cart.
    buyer = new_page()
    buyer.goto(f"/store/p/{durian.uid}/")
    switch_language(buyer, "zh-hans")
    expect(buyer.get_by_role("heading", name="泰国金枕头榴莲干")).to_be_visible()
    buyer.get_by_label(zh("จำนวน")).fill("2")
    buyer.get_by_role("button", name=zh("ใส่ตะกร้า")).click()
    expect(buyer.locator(".messages")).to_contain_text("泰国金枕头榴莲干")
    buyer.goto("/store/cart/")
    buyer.get_by_role("link", name=zh("ดำเนินการสั่งซื้อ")).click()
    expect(buyer.get_by_role("heading", name=zh("สั่งซื้อ"), exact=True)).to_be_visible()
    expect(buyer.locator("#landed-cost")).not_to_contain_text("CNY")  # nothing to import at home

    # 2. Choosing China brings the import-tax estimate (htmx), in yuan at the Bank of Thailand rate.
    buyer.get_by_label(zh("ประเทศปลายทาง")).select_option("CN")
    estimate = buyer.locator("#landed-cost")
    expect(estimate).to_contain_text(zh("ภาษีนำเข้าที่ปลายทาง (ประมาณการ)"))
    expect(estimate).to_contain_text(money(expected.taxes_minor, "CNY"))
    expect(estimate).to_contain_text(money(expected.vat_minor, "CNY"))
    buyer.get_by_label(zh("ชื่อผู้ซื้อ")).fill("王芳")
    buyer.get_by_label(zh("อีเมลผู้ซื้อ")).fill("wang.fang@example.cn")
    buyer.get_by_label(zh("โทรศัพท์ผู้ซื้อ")).fill("+86 138 0013 8000")
    buyer.get_by_label(zh("ที่อยู่จัดส่ง")).fill(SHENZHEN)
    buyer.get_by_label(zh("รหัสไปรษณีย์")).fill("518057")
    buyer.get_by_label(re.compile(re.escape(zh("ส่งข้ามแดนผ่านศูนย์อีอีซี")))).check()
    screenshot(buyer, "abroad-checkout")
    buyer.get_by_role("button", name=zh("ยืนยันการสั่งซื้อ")).click()

    # 3. It pays ฿900 + ฿350 cross-border delivery at the bank sandbox.
    expect(buyer.get_by_role("heading", name=zh("ชำระเงินด้วยพร้อมเพย์"))).to_be_visible()
    expect(buyer.locator(".facts")).to_contain_text("฿1,250")
    order = Order.objects.get()
    assert (order.buyer_country, order.shipping_method, order.address_line) == (
        "CN",
        "cross_border",
        SHENZHEN,
    )
    assert PaymentRequest.objects.get().amount_minor == order.total_minor == 125_000
    pay_at_the_bank(buyer, zh("จ่ายด้วยธนาคารทดสอบ (สาธิต)"), zh("ชำระเงินแล้ว"))
    screenshot(buyer, "abroad-paid")

    # 4. The seller books the parcel through the EEC hub from the order's page.
    seller = new_page()
    log_in(seller, shop.owner.email)
    open_seller_order(seller, order)
    expect(seller.locator("main")).to_contain_text(SHENZHEN)
    seller.get_by_label("น้ำหนักพัสดุ (กรัม)").fill("800")
    seller.get_by_role("button", name="จองส่งข้ามแดนผ่านศูนย์อีอีซี").click()
    expect(seller.locator(".messages")).to_contain_text("จองการจัดส่งแล้ว เลขพัสดุ")
    number = seller.locator("#shipment strong").inner_text().strip()
    expect(seller.locator("#shipment")).to_contain_text("ข้ามแดนผ่านศูนย์อีอีซี")
    shipment = Shipment.objects.get(order=order)
    assert (shipment.tracking_number, shipment.route, shipment.partner) == (
        number,
        Route.CROSS_BORDER,
        "cainiao",
    )
    assert number in partners["hub"].parcels  # the hub's partner holds the booking
    screenshot(seller, "abroad-booked")

    # 5. Hub staff take it from the door to a manifest for China.
    staff = new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    log_in(staff, user(role=Role.PLATFORM_ADMIN).email)
    staff.goto("/hub/")
    staff.get_by_label("สแกนรับพัสดุเข้า (เลขพัสดุ)").fill(number.lower())
    staff.get_by_role("button", name="รับเข้า").click()
    expect(staff.locator(".messages")).to_contain_text(f"รับพัสดุ {number} เข้าศูนย์แล้ว")
    row = staff.locator("#parcels tbody tr", has_text=number)
    expect(row).to_contain_text("CN")
    row.get_by_label("ตำแหน่งจัดเก็บ").fill("C-03-01")
    row.get_by_role("button", name="จัดเก็บ").click()
    expect(staff.locator(".messages")).to_contain_text(f"บันทึกแล้ว: {number}")
    for tab, button in (("จัดเก็บในคลังทัณฑ์บนแล้ว", "หยิบ"), ("หยิบสินค้าแล้ว", "บรรจุ")):
        staff.locator("#counts").get_by_role("link", name=re.compile(f"^{tab}")).click()
        row = staff.locator("#parcels tbody tr", has_text=number)
        if tab == "จัดเก็บในคลังทัณฑ์บนแล้ว":
            expect(row).to_contain_text("C-03-01")
        row.get_by_role("button", name=button, exact=True).click()
        expect(staff.locator(".messages")).to_contain_text(f"บันทึกแล้ว: {number}")
    staff.locator("#counts").get_by_role("link", name=re.compile("^บรรจุแล้ว")).click()
    expect(staff.locator("#parcels tbody tr", has_text=number)).to_be_visible()
    screenshot(staff, "abroad-hub-packed")
    staff.get_by_label("ปลายทาง", exact=True).select_option("CN")
    staff.get_by_label("การขนส่ง").select_option("air")
    staff.get_by_label("เที่ยวบิน/ทะเบียนรถ").fill("TG 674")
    departs = timezone.localtime() + timedelta(days=1)
    staff.get_by_label("เวลาออกเดินทาง").fill(departs.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_role("button", name="สร้างบัญชีสินค้า").click()
    expect(staff.locator(".messages")).to_contain_text("สร้างบัญชีสินค้า")
    manifest = Manifest.objects.get()
    expect(staff.get_by_role("heading", name=f"บัญชีสินค้าส่งออก {manifest.number}")).to_be_visible()
    expect(staff.locator("#manifest-parcels")).to_contain_text(number)
    expect(staff.locator("#manifest-parcels")).to_contain_text(order.channel_order_number)
    expect(staff.locator("#manifest-state")).to_have_text("กำลังรวบรวม")

    # 6. The export declaration goes to the Customs sandbox, which accepts it.
    staff.get_by_role("button", name="ยื่นใบขนสินค้าขาออก").click()
    expect(staff.locator(".messages")).to_contain_text("ยื่นใบขนสินค้าแล้ว: ศุลกากรรับใบขนแล้ว")
    expect(staff.locator("#manifest-state")).to_have_text("ศุลกากรรับใบขนแล้ว")
    manifest.refresh_from_db()
    assert manifest.declaration_number.startswith("A")
    expect(staff.locator("main .facts")).to_contain_text(manifest.declaration_number)
    expect(staff.get_by_role("button", name="ปล่อยออกจากศูนย์")).to_have_count(0)  # not cleared yet
    screenshot(staff, "abroad-declared")

    # 7. Customs releases the goods (its side); its signed notification clears the manifest.
    partners["customs"].release(manifest.declaration_number)
    assert settled(lambda: customs_told(partners["customs"], manifest.declaration_number, "released"))
    reload_until(staff, staff.locator("#manifest-state"), "ศุลกากรตรวจปล่อยแล้ว")
    staff.get_by_role("button", name="ปล่อยออกจากศูนย์").click()  # confirmed in the dialog
    expect(staff.locator(".messages")).to_contain_text("ปล่อยพัสดุ 1 ชิ้นออกจากศูนย์แล้ว")
    expect(staff.locator("#manifest-state")).to_have_text("ออกเดินทางแล้ว")
    expect(staff.locator("#manifest-parcels")).to_contain_text("ปล่อยออกจากศูนย์แล้ว")
    screenshot(staff, "abroad-released")

    # 8. The hub's partner carries it to Shenzhen (its scans, pushed to Talat signed); the buyer
    # follows it in Chinese.
    while not partners["hub"].parcels[number].done:
        partners["hub"].advance(number)
    assert settled(lambda: pushes_delivered(partners["hub"], number))
    buyer.goto(f"/store/track/{number}/")
    expect(buyer.locator("h1")).to_contain_text(zh("ติดตามพัสดุ"))
    expect(buyer.locator("h1")).to_contain_text(number)
    delivered = zh("ส่งถึงผู้รับแล้ว")
    assert delivered != "ส่งถึงผู้รับแล้ว", "the zh_Hans catalog should translate the delivered status"
    reload_until(buyer, buyer.locator("#track-status"), delivered)
    expect(buyer.locator("#track-events li").first).to_contain_text(delivered)  # newest first
    expect(buyer.locator("#track-events")).to_contain_text(zh("ผ่านพิธีการส่งออก"))
    expect(buyer.locator("main")).not_to_contain_text("王芳")  # a tracking page shows no one's data
    screenshot(buyer, "abroad-tracking-zh")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED

    # 9. The seller sees it delivered and downloads the commercial invoice.
    open_seller_order(seller, order)
    expect(seller.locator("main .facts").first).to_contain_text("ส่งถึงผู้ซื้อแล้ว")
    invoice = seller.get_by_role("link", name="ใบกำกับสินค้า (Commercial invoice)")
    text = pdf_text(seller, live_server, invoice.get_attribute("href"))
    assert "COMMERCIAL INVOICE" in text and order.channel_order_number in text
    assert "0813.40.90" in text or "08134090" in text

    # 10. With the bill of materials (all Thai) and the costing, the product qualifies for Form E.
    seller.get_by_role("link", name="ถิ่นกำเนิดสินค้า", exact=True).click()
    origin_row = seller.locator("#origin-products tbody tr", has_text="ทุเรียนหมอนทองอบแห้ง")
    expect(origin_row).to_contain_text("ยังไม่ได้กรอกวัตถุดิบและต้นทุน")
    origin_row.get_by_role("link", name="กรอกวัตถุดิบ").click()
    assert seller.url.endswith(f"/seller/customs/origin/{durian.uid}/")
    materials = (
        ("ทุเรียนหมอนทองสด จ.จันทบุรี", "0810.60", "120.00", True, False),
        ("ถุงฟอยล์ซิปล็อก", "3923.29", "6.50", False, True),
    )
    for index, (name, hs_code, value, wholly_obtained, packaging) in enumerate(materials):
        row = seller.locator(f"#material-{index}")
        row.get_by_label("วัตถุดิบ", exact=True).fill(name)
        row.get_by_label("พิกัดศุลกากรของวัตถุดิบ").fill(hs_code)
        row.get_by_label("ประเทศถิ่นกำเนิด", exact=True).select_option("TH")
        row.get_by_label("มูลค่าต่อหน่วยสินค้า (บาท)").fill(value)
        row.get_by_label("ได้มาทั้งหมดในประเทศถิ่นกำเนิด").set_checked(wholly_obtained)
        row.get_by_label("บรรจุภัณฑ์สำหรับขายปลีก").set_checked(packaging)
    for label, value in (("ราคา FOB ต่อหน่วย (บาท)", "450.00"), ("ค่าแรงงานทางตรงต่อหน่วย (บาท)", "80"),
                         ("ค่าโสหุ้ยการผลิตทางตรงต่อหน่วย (บาท)", "40.00"), ("กำไรต่อหน่วย (บาท)", "180"),
                         ("ค่าใช้จ่ายอื่นต่อหน่วย (บาท)", "23.50")):  # fmt: skip
        seller.get_by_label(label).fill(value)
    seller.get_by_role("button", name="บันทึกและคำนวณใหม่").click()
    expect(seller.locator(".messages")).to_contain_text("บันทึกรายการวัตถุดิบและต้นทุนแล้ว")
    form_e = seller.locator("#assessment-form_e")
    expect(form_e.locator(".badge.verified")).to_contain_text(re.compile(r"Form E: มีสิทธิ์ \(.+\)"))
    expect(form_e.locator(".badge.rejected")).to_have_count(0)
    screenshot(seller, "abroad-form-e")
    seller.get_by_role("link", name="ถิ่นกำเนิดสินค้า", exact=True).click()
    expect(origin_row).to_contain_text("Form E: มีสิทธิ์")


def test_the_checkout_total_follows_the_delivery_chosen_for_a_buyer_abroad(new_page, shop, exchange_rates):
    durian = product(shop, name_th="ทุเรียนหมอนทองอบแห้ง", stock=5, price_satang=45_000)
    buyer = new_page()
    add_to_cart(buyer, durian, quantity=2)
    summary = buyer.locator("#summary-title + ul + dl")
    expect(summary).to_contain_text("฿940")  # ฿900 + domestic post while Thailand is chosen
    buyer.get_by_label("ประเทศปลายทาง").select_option("CN")
    expect(buyer.locator("#landed-cost")).to_contain_text("CNY")
    buyer.get_by_label(re.compile("ส่งข้ามแดนผ่านศูนย์อีอีซี")).check()
    expect(summary).to_contain_text("฿350", timeout=3_000)
    expect(summary).to_contain_text("฿1,250", timeout=3_000)  # what the payment page will ask


def test_a_domestic_order_ships_with_a_label_and_tracking(
    new_page, screenshot, shop, bank, partners, live_server
):
    durian = product(shop, name_th="ทุเรียนหมอนทองอบแห้ง", stock=5, price_satang=45_000)

    # The buyer checks out in Thai with a Thai address and pays.
    buyer = new_page()
    add_to_cart(buyer, durian)
    expect(buyer.locator("#landed-cost")).not_to_contain_text("CNY")
    fill_checkout(buyer)
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    expect(buyer.get_by_role("heading", name="ชำระเงินด้วยพร้อมเพย์")).to_be_visible()
    pay_at_the_bank(buyer, "จ่ายด้วยธนาคารทดสอบ (สาธิต)", "ชำระเงินแล้ว")
    order = Order.objects.get()

    # The seller books the carrier, prints the label and opens the tracking page.
    seller = new_page()
    log_in(seller, shop.owner.email)
    open_seller_order(seller, order)
    expect(seller.get_by_role("button", name="จองส่งข้ามแดนผ่านศูนย์อีอีซี")).to_have_count(0)
    seller.get_by_label("น้ำหนักพัสดุ (กรัม)").fill("1200")
    seller.get_by_role("button", name="จองขนส่งในประเทศ").click()
    expect(seller.locator(".messages")).to_contain_text("จองการจัดส่งแล้ว เลขพัสดุ")
    number = seller.locator("#shipment strong").inner_text().strip()
    assert number.endswith("TH"), number
    expect(seller.locator("#shipment")).to_contain_text("ในประเทศ")
    expect(seller.get_by_role("link", name="ใบกำกับสินค้า (Commercial invoice)")).to_have_count(0)
    screenshot(seller, "domestic-booked")
    label = seller.get_by_role("link", name="พิมพ์ใบปะหน้า (PDF)")
    assert number in pdf_text(seller, live_server, label.get_attribute("href"))
    seller.get_by_role("link", name="หน้าติดตามพัสดุ").click()
    expect(seller.locator("#track-status")).to_contain_text("จองการจัดส่งแล้ว")

    # The carrier's scans (its side) bring it to delivered; the buyer's tracking page shows it.
    while not partners["carrier"].parcels[number].done:
        partners["carrier"].advance(number)
    assert settled(lambda: pushes_delivered(partners["carrier"], number))
    buyer.goto(f"/store/track/{number}/")
    reload_until(buyer, buyer.locator("#track-status"), "ส่งถึงผู้รับแล้ว")
    expect(buyer.locator("#track-events")).to_contain_text("รับพัสดุแล้ว")
    screenshot(buyer, "domestic-tracking")
    buyer.goto(f"/store/orders/{order.uid}/")
    expect(buyer.locator("main .badge")).to_contain_text("ส่งถึงผู้ซื้อแล้ว")
    expect(buyer.locator("main")).to_contain_text(number)
