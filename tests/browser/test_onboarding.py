"""Sign-up → registration (with invalid inputs rejected) → officer decision, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from talat.registry.models import Enterprise
from talat.registry.reference import ensure_goods_categories
from tests.factories import PASSWORD, enterprise, juristic_id, officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data():
    """Transactional tests empty the tables, migrations' reference data included."""
    ensure_goods_categories()


THAI = re.compile(r"[\u0E00-\u0E7F]")
LANGUAGE_NAMES = {"th": "ไทย", "en": "English", "zh-hans": "简体中文"}


def error_of(page, field: str):
    return page.locator(f"#id_{field}_error")


def switch_language(page, language: str):
    page.select_option("#language-select", language)
    page.get_by_role("button", name=re.compile("เปลี่ยนภาษา|Change language|切换语言|Change|更改")).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def assert_in_language(text: str, language: str):
    """Thai pages speak Thai; English and Chinese pages carry no untranslated Thai."""
    if language == "th":
        assert THAI.search(text), text
    else:
        assert not THAI.search(text), f"untranslated Thai on a {language} page: {text!r}"


def sign_up(page, email: str):
    page.goto("/accounts/signup/")
    page.fill("#id_full_name", "Somsri Jaidee")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_confirm", PASSWORD)
    page.check("#id_accept_terms")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/registry/onboarding/identity/$"))


def submit(page):
    page.locator("form.form button[type=submit]").click()


@pytest.mark.parametrize("language", ["th", "en", "zh-hans"])
def test_owner_registers_and_officer_decides(new_page, screenshot, language):
    number = juristic_id(4242)
    page = new_page()
    page.goto("/")
    if language != "th":
        switch_language(page, language)
    sign_up(page, f"somsri-{language}@example.th")

    # Step 1: a juristic ID with a wrong check digit is refused beside the field.
    page.check("input[name=kind][value=company]")
    page.fill("#id_registration_number", number[:-1] + str((int(number[-1]) + 1) % 10))
    submit(page)
    expect(error_of(page, "registration_number")).to_be_visible()
    assert_in_language(error_of(page, "registration_number").inner_text(), language)
    if language == "th":
        expect(error_of(page, "registration_number")).to_have_text("เลขทะเบียนนิติบุคคลไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)")
    screenshot(page, f"wizard-1-invalid-id-{language}")
    page.fill("#id_registration_number", number)
    submit(page)

    # Step 2: names, tax ID (pre-filled from the juristic ID) and categories.
    expect(page).to_have_url(re.compile(r"/names/$"))
    expect(page.locator("#id_tax_id")).to_have_value(number)
    page.fill("#id_name_th", "บริษัท ผ้าไหมทดสอบ จำกัด")
    page.fill("#id_name_en", "Test Silk Co., Ltd.")
    page.check("input[name=category_codes][value=textiles]")
    submit(page)

    # Step 3: the district and subdistrict lists follow the chosen province (htmx);
    # a postal code of another district is refused.
    expect(page).to_have_url(re.compile(r"/address/$"))
    page.fill("#id_address_line", "12 ถนนราชวิถี")
    page.select_option("#id_province_code", "50")
    expect(page.locator("#id_district_code option[value='5001']")).to_have_count(1)
    page.select_option("#id_district_code", "5001")
    expect(page.locator("#id_subdistrict_code option[value='500101']")).to_have_count(1)
    page.select_option("#id_subdistrict_code", "500101")
    page.fill("#id_postal_code", "10110")
    submit(page)
    expect(error_of(page, "postal_code")).to_contain_text("50200")
    assert_in_language(error_of(page, "postal_code").inner_text(), language)
    screenshot(page, f"wizard-3-wrong-postal-code-{language}")
    page.fill("#id_postal_code", "50200")
    submit(page)

    # Step 4: contact, then the review page, then submit.
    expect(page).to_have_url(re.compile(r"/contact/$"))
    page.fill("#id_phone", "12")
    page.fill("#id_email", "silk@example.th")
    submit(page)
    expect(error_of(page, "phone")).to_be_visible()
    assert not Enterprise.objects.exists()
    page.fill("#id_phone", "053 123 456")
    submit(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("dl.facts")).to_contain_text(number)
    screenshot(page, f"wizard-5-review-{language}")
    submit_button = page.locator("form button[type=submit]").last
    submit_button.click()
    expect(page).to_have_url(re.compile(r"/registry/status/$"))
    expect(page.locator(".badge.pending")).to_be_visible()
    assert_in_language(page.locator(".badge.pending").inner_text(), language)
    screenshot(page, f"status-pending-{language}")
    made = Enterprise.objects.get()
    assert (made.registration_number, made.postal_code, made.phone) == (number, "50200", "+6653123456")

    # The officer finds it in the queue and rejects it; a rejection without a reason is refused.
    checker = officer()
    desk = new_page()
    desk.goto("/accounts/login/")
    if language != "th":
        switch_language(desk, language)
    desk.fill("#id_username", checker.email)
    desk.fill("#id_password", PASSWORD)
    desk.locator("form.form button[type=submit]").click()
    expect(desk).to_have_url(re.compile(r"/registry/officer/queue/$"))
    screenshot(desk, f"officer-queue-{language}")
    desk.get_by_role("link", name=re.compile("บริษัท ผ้าไหมทดสอบ จำกัด")).click()
    desk.check("input[name=status][value=rejected]")
    submit(desk)
    expect(error_of(desk, "reason")).to_be_visible()
    made.refresh_from_db()
    assert made.status == "pending"
    desk.fill("#id_reason", "สำเนาหนังสือรับรองไม่ชัดเจน")
    submit(desk)
    expect(desk).to_have_url(re.compile(r"/registry/officer/queue/$"))

    # The owner sees the decision and the officer's reason.
    page.reload()
    expect(page.locator(".badge.rejected")).to_be_visible()
    expect(page.get_by_test_id("status-reason")).to_have_text("สำเนาหนังสือรับรองไม่ชัดเจน")
    screenshot(page, f"status-rejected-{language}")


def test_duplicate_juristic_id_is_refused_in_the_wizard(new_page):
    existing = enterprise()
    page = new_page()
    sign_up(page, "second@example.th")
    page.check("input[name=kind][value=company]")
    page.fill("#id_registration_number", existing.registration_number)
    submit(page)
    expect(error_of(page, "registration_number")).to_have_text("เลขทะเบียนนิติบุคคลนี้ลงทะเบียนไว้แล้ว")
    assert Enterprise.objects.count() == 1


def test_officer_verifies_from_the_queue_with_the_keyboard(new_page, screenshot):
    pending = enterprise(name_th="ร้านรอตรวจ")
    checker = officer()
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", checker.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/registry/officer/queue/$"))
    page.get_by_role("link", name=re.compile("ร้านรอตรวจ")).focus()
    page.keyboard.press("Enter")
    page.locator("input[name=status][value=verified]").focus()
    page.keyboard.press("Space")
    page.locator("form.form button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_contain_text("ร้านรอตรวจ")
    pending.refresh_from_db()
    assert pending.status == "verified"
    page.goto("/registry/officer/queue/?status=verified")
    expect(page.locator("tbody tr").first).to_contain_text("ร้านรอตรวจ")
