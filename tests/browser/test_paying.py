"""Done-when of payments, as people do it in Thai: a buyer checks out with a Thai address and pays
the PromptPay QR at the bank sandbox; the payment page turns paid by itself; the seller finds the
order paid, packs and ships it, and sees the money and the tax invoice. A buyer abroad must choose
cross-border delivery."""

import re

import pytest
from playwright.sync_api import expect

from talat.catalog.models import Variant
from talat.channels.sandboxes.server import Running
from talat.invoicing.models import TaxDocument
from talat.orders.models import Order, OrderStatus
from talat.payments.models import PaymentRequest, PaymentStatus
from talat.payments.sandboxes.bank import make_app
from tests.browser.test_data_sovereignty import log_in
from tests.browser.test_selling import fill_checkout
from tests.factories import product, reference_data, verified_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = b"bank-browser-secret"


@pytest.fixture
def shop(settings):
    reference_data()
    settings.TALAT_PLATFORM_FEE_BP = 300
    settings.TALAT_BANK_FEE_BP = 0
    found = verified_enterprise(name_th="วิสาหกิจชุมชนผ้าไหมบ้านนาข่า")
    found.vat_registered = True
    found.save()
    return found


@pytest.fixture
def bank(live_server, settings):
    """The bank sandbox on loopback, telling Talat of each payment; Talat's pay page links to it."""
    app = make_app(
        secret=SECRET, callback_url=f"{live_server.url}/payments/bank/notify", retry_delays=(0.2, 0.5)
    )
    with Running(app) as running:
        settings.TALAT_BANK_SECRET = SECRET
        settings.TALAT_BANK_SANDBOX_PAGE = f"{running.url}/pay"
        yield running
        app.close()


def add_to_cart(page, item, quantity: int = 1):
    page.goto(f"/store/p/{item.uid}/")
    page.get_by_role("button", name="ใส่ตะกร้า").click()
    expect(page.locator(".messages")).to_contain_text("ลงตะกร้าแล้ว")
    page.goto("/store/cart/")
    if quantity != 1:
        page.get_by_label("จำนวน").fill(str(quantity))
        page.get_by_role("button", name="ปรับจำนวน").click()
    page.get_by_role("link", name="ดำเนินการสั่งซื้อ").click()
    expect(page.get_by_role("heading", name="สั่งซื้อ", exact=True)).to_be_visible()


def test_a_buyer_pays_by_promptpay_and_the_seller_ships(new_page, screenshot, shop, bank, live_server):
    silk = product(shop, name_th="ผ้าไหมมัดหมี่", stock=5, price_satang=10_700)

    # 1. The buyer checks out in Thai: 2 × ฿107 and ฿40 delivery.
    buyer = new_page()
    add_to_cart(buyer, silk, quantity=2)
    summary = buyer.locator("#summary-title + ul + dl")
    expect(summary).to_contain_text("฿254")
    fill_checkout(buyer)
    screenshot(buyer, "paying-checkout")
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()

    # 2. The PromptPay page: the QR for the amount, and a status waiting for the bank.
    expect(buyer.get_by_role("heading", name="ชำระเงินด้วยพร้อมเพย์")).to_be_visible()
    payment = PaymentRequest.objects.get()
    order = Order.objects.get()
    assert payment.amount_minor == order.total_minor == 25_400
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.buyer_country == "TH"
    assert (order.province_code, order.district_code, order.subdistrict_code) == ("22", "2201", "220101")
    qr = buyer.get_by_role("img", name=f"คิวอาร์โค้ดพร้อมเพย์ ยอด ฿254 เลขอ้างอิง {payment.reference_1}")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0  # the picture really loaded
    expect(buyer.locator(".facts")).to_contain_text("฿254")
    expect(buyer.locator("#pay-status")).to_contain_text("รอชำระเงิน")
    screenshot(buyer, "paying-promptpay")
    pay_url = buyer.url

    # A second tab stays on the payment page to watch it change without a reload.
    watcher = buyer.context.new_page()
    watcher.goto(pay_url)
    expect(watcher.locator("#pay-status")).to_contain_text("รอชำระเงิน")
    reloads = []
    watcher.on(
        "framenavigated", lambda frame: reloads.append(frame.url) if frame is watcher.main_frame else None
    )

    # 3. The bank's page shows what the QR asks for; the buyer pays and comes back.
    buyer.get_by_role("link", name="จ่ายด้วยธนาคารทดสอบ (สาธิต)").click()
    expect(buyer.get_by_role("heading", name="ยืนยันการชำระเงิน")).to_be_visible()
    expect(buyer.locator("main")).to_contain_text("254.00 บาท")
    expect(buyer.locator("main")).to_contain_text(payment.reference_1)
    screenshot(buyer, "paying-bank")
    buyer.get_by_role("button", name="ชำระเงิน").click()
    expect(buyer.get_by_role("status")).to_contain_text("โอนเงินเข้าบัญชีผู้รับเรียบร้อยแล้ว")
    buyer.get_by_role("link", name="กลับไปที่ร้านค้า").click()
    assert buyer.url == pay_url
    expect(buyer.locator("#pay-status")).to_contain_text("ชำระเงินแล้ว", timeout=15_000)
    expect(buyer.get_by_role("link", name="จ่ายด้วยธนาคารทดสอบ (สาธิต)")).to_have_count(0)
    screenshot(buyer, "paying-paid")

    # The watching tab turned paid by polling alone (htmx, every 3 s).
    expect(watcher.locator("#pay-status")).to_contain_text("ชำระเงินแล้ว", timeout=15_000)
    expect(watcher.locator("#pay-status")).to_contain_text("ร้านได้รับคำสั่งซื้อของคุณแล้ว")
    assert reloads == []
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and order.status == OrderStatus.PAID
    receipt = TaxDocument.objects.get(order_uid=order.uid)

    # 4. The seller finds the order paid in the inbox and packs it with the bulk action.
    seller = new_page()
    seller.on("dialog", lambda dialog: dialog.accept())
    log_in(seller, shop.owner.email)
    seller.goto("/seller/orders/")
    row = seller.locator("#orders tbody tr", has_text=order.channel_order_number)
    expect(row).to_contain_text("ชำระเงินแล้ว")
    expect(row).to_contain_text("฿254")
    seller.get_by_label(f"เลือกคำสั่งซื้อ {order.channel_order_number}").check()
    seller.get_by_role("button", name="ทำเครื่องหมายว่าแพ็กแล้ว").click()
    expect(seller.locator(".messages")).to_contain_text("แพ็กแล้ว 1 รายการ")
    expect(seller.locator("#orders tbody tr", has_text=order.channel_order_number)).to_contain_text(
        "แพ็กสินค้าแล้ว"
    )
    screenshot(seller, "paying-seller-inbox")

    # 5. It ships the parcel from the order's page with the tracking number.
    seller.get_by_role("link", name=order.channel_order_number).click()
    expect(seller.get_by_role("heading", name=f"คำสั่งซื้อเลขที่ {order.channel_order_number}")).to_be_visible()
    expect(seller.locator("main")).to_contain_text("99/1 หมู่ 3 ถนนท่าแฉลบ")
    seller.get_by_label("ผู้ขนส่ง").fill("ไปรษณีย์ไทย")
    seller.get_by_label("เลขพัสดุ").fill("EF123456789TH")
    seller.get_by_role("button", name="จัดส่งแล้ว").click()
    expect(seller.locator(".messages")).to_contain_text("เปลี่ยนสถานะเป็น “จัดส่งแล้ว” แล้ว")
    expect(seller.locator("main")).to_contain_text("ไปรษณีย์ไทย EF123456789TH")
    expect(seller.get_by_role("button", name="ส่งถึงผู้ซื้อแล้ว")).to_be_visible()
    screenshot(seller, "paying-seller-order")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == "EF123456789TH"
    stock = Variant.objects.get(product=silk)
    assert (stock.available, stock.reserved) == (3, 0)

    # 6. The money page: ฿254 less Talat's 3 % (฿7.62) is owed to the shop; the tax invoice is there.
    seller.goto("/payments/money/")
    expect(seller.locator("#balance")).to_have_text("฿246.38")
    expect(seller.locator("#statement")).to_contain_text("ยอดขาย")
    expect(seller.locator("#statement")).to_contain_text("ค่าธรรมเนียมแพลตฟอร์ม")
    documents = seller.locator("#documents")
    expect(documents).to_contain_text(receipt.number)
    expect(documents).to_contain_text("ใบกำกับภาษี/ใบเสร็จรับเงิน")
    assert re.fullmatch(r"INV25\d\d-\d{6}", receipt.number)
    screenshot(seller, "paying-money")
    href = documents.get_by_role("link", name="PDF").get_attribute("href")
    pdf = seller.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # The buyer's order page follows the parcel.
    buyer.goto(f"/store/orders/{order.uid}/")
    expect(buyer.locator("main")).to_contain_text("จัดส่งแล้ว")
    expect(buyer.locator("main")).to_contain_text("EF123456789TH")


def test_a_buyer_abroad_must_choose_cross_border_delivery(new_page, screenshot, shop, bank):
    silk = product(shop, name_th="ผ้าไหมมัดหมี่", stock=5, price_satang=10_700)
    buyer = new_page()
    add_to_cart(buyer, silk)
    buyer.get_by_label("ชื่อผู้ซื้อ").fill("Wang Fang")
    buyer.get_by_label("อีเมลผู้ซื้อ").fill("wang.fang@example.cn")
    buyer.get_by_label("โทรศัพท์ผู้ซื้อ").fill("+86 138 0013 8000")
    buyer.get_by_label("ประเทศปลายทาง").select_option("CN")
    buyer.get_by_label("ที่อยู่จัดส่ง").fill("No. 8 Jianguo Road, Chaoyang District, Beijing")
    buyer.get_by_label("รหัสไปรษณีย์").fill("100022")
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()  # with domestic post still chosen

    expect(buyer.locator("main")).to_contain_text("ส่งต่างประเทศใช้การส่งข้ามแดนผ่านศูนย์อีอีซี")
    expect(buyer.get_by_role("heading", name="สั่งซื้อ", exact=True)).to_be_visible()
    screenshot(buyer, "paying-abroad-refused")
    assert not Order.objects.exists() and not PaymentRequest.objects.exists()
    silk_stock = Variant.objects.get(product=silk)
    assert (silk_stock.available, silk_stock.reserved) == (5, 0)

    # Cross-border delivery is accepted, at its own fee.
    buyer.get_by_label(re.compile("ส่งข้ามแดนผ่านศูนย์อีอีซี")).check()
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    expect(buyer.get_by_role("heading", name="ชำระเงินด้วยพร้อมเพย์")).to_be_visible()
    expect(buyer.locator(".facts")).to_contain_text("฿457")  # ฿107 + ฿350
    order = Order.objects.get()
    assert (order.buyer_country, order.shipping_method, order.province_code) == ("CN", "cross_border", "")
    assert order.postal_code == "100022" and order.buyer_phone == "+8613800138000"
