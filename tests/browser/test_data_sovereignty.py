"""An SME owner gives and withdraws consent, and reads in Thai who received which data."""

import re

import pytest
from playwright.sync_api import expect

from talat.governance import border
from talat.governance.models import Consent
from talat.registry.models import Enterprise
from talat.registry.reference import ensure_goods_categories
from tests.factories import PASSWORD, agreement, enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data():
    ensure_goods_categories()


def log_in(page, email):
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form.form button[type=submit]").click()


def test_owner_consents_sees_the_passbook_and_withdraws(new_page, screenshot):
    deal = agreement()
    shop = enterprise(name_th="ร้านผ้าไหมแม่ศรี")
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, shop.owner.email)
    page.get_by_role("link", name="ความยินยอม").click()
    card = page.get_by_test_id(f"consent-{deal.pk}")
    expect(card).to_contain_text("ให้แก่: ไช่เหนียว (Cainiao)")
    expect(card).to_contain_text("ผู้รับจะประมวลผลข้อมูลที่: ประเทศไทย, ประเทศจีน")
    screenshot(page, "consent-before")
    card.get_by_role("button", name="ยินยอมให้ส่งข้อมูลนี้").click()
    expect(page.get_by_test_id(f"consent-{deal.pk}").locator(".badge.verified")).to_be_visible()
    assert Consent.objects.get().granted

    payload = {"name_th": shop.name_th, "province_code": shop.province_code, "tax_id": shop.tax_id}
    border.release(payload, source=Enterprise, recipient=deal.recipient, purpose=deal.purpose, subject=shop)

    page.get_by_role("link", name="สมุดบันทึกการเปิดเผยข้อมูล").click()
    page.get_by_text("กรองและดาวน์โหลด").click()
    row = page.get_by_test_id("disclosure")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Cainiao")
    expect(row).to_contain_text("ชื่อกิจการ (ภาษาไทย), จังหวัด")
    expect(row).to_contain_text("การขนส่งสินค้า")
    expect(row).not_to_contain_text("เลขประจำตัวผู้เสียภาษี")
    screenshot(page, "passbook")
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลด CSV").click()
    assert "Cainiao" in download.value.path().read_text(encoding="utf-8-sig")

    page.get_by_role("link", name="ความยินยอม").click()
    page.get_by_test_id(f"consent-{deal.pk}").get_by_role("button", name="ถอนความยินยอม").click()
    expect(page.get_by_test_id(f"consent-{deal.pk}").locator(".badge.rejected")).to_contain_text(
        "ถอนความยินยอมเมื่อ"
    )
    with pytest.raises(border.Refused, match=re.compile("ถอนความยินยอมเมื่อ")):
        border.release(
            payload, source=Enterprise, recipient=deal.recipient, purpose=deal.purpose, subject=shop
        )
