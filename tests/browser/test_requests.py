"""Requests under the law, in Chromium: a PDPA access request from filing to the download, and a
public Official Information Act request refused on a statutory ground, with the appeal route."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from talat.accounts.models import Role, User
from talat.governance.models import DataSubjectRequest, InformationRequest
from talat.registry.reference import ensure_goods_categories
from talat.registry.services import decide_enterprise
from tests.factories import PASSWORD, enterprise, officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data():
    """Transactional tests empty the tables, migrations' reference data included."""
    ensure_goods_categories()


def log_in(page, email: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".who")).to_be_visible()


def test_access_request_from_filing_to_download(new_page, screenshot):
    person = User.objects.create_user(
        "somsri@example.th", PASSWORD, full_name="สมศรี ใจดี", role=Role.SME_OWNER
    )
    enterprise(owner=person, phone="081 234 5678", name_th="ร้านผ้าสมศรี")
    desk = officer(agency_code="talat-dpo", verifies=False, personal_data=True)

    page = new_page()
    log_in(page, person.email)
    page.goto("/governance/requests/")
    expect(page.locator(".empty")).to_contain_text("คุณยังไม่เคยยื่นคำขอ")
    page.get_by_role("link", name="ยื่นคำขอใหม่").click()
    page.locator("form.form button[type=submit]").click()  # nothing chosen
    expect(page.locator("#id_kind_error")).to_have_text("เลือกประเภทคำขอ")
    page.check("input[name=kind][value=access]")
    screenshot(page, "pdpa-1-new-request")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/governance/requests/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("ได้รับคำขอแล้ว")
    item = DataSubjectRequest.objects.get()

    officer_page = new_page()
    log_in(officer_page, desk.email)
    officer_page.goto("/governance/requests/officer/")
    screenshot(officer_page, "pdpa-2-officer-queue")
    officer_page.get_by_role("link", name=re.compile(f"#{item.pk} ")).click()
    officer_page.get_by_role("button", name="เริ่มดำเนินการ").click()
    expect(officer_page.get_by_test_id("status")).to_have_text("อยู่ระหว่างดำเนินการ")
    officer_page.get_by_role("button", name="จัดทำสำเนาและปิดคำขอ").click()
    expect(officer_page.get_by_test_id("status")).to_have_text("ดำเนินการเสร็จแล้ว")
    screenshot(officer_page, "pdpa-3-officer-completed")

    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("ดำเนินการเสร็จแล้ว")
    screenshot(page, "pdpa-4-person-downloads")
    with page.expect_download() as caught:
        page.get_by_role("link", name="ดาวน์โหลด JSON").click()
    export = json.loads(Path(caught.value.path()).read_text(encoding="utf-8"))
    assert export["subject"]["full_name"] == "สมศรี ใจดี"
    sections = {s["model"]: s for s in export["sections"]}
    assert sections["registry.Enterprise"]["rows"][0]["fields"]["phone"] == "+66812345678"
    with page.expect_download() as caught:
        page.get_by_role("link", name="ดาวน์โหลด PDF").click()
    assert Path(caught.value.path()).read_bytes().startswith(b"%PDF")


def test_public_information_request_refused_with_a_ground_and_an_appeal_route(new_page, screenshot):
    desk = officer()
    shop = enterprise()
    decide_enterprise(enterprise=shop, officer=desk, status="verified")

    public = new_page()
    public.goto("/governance/oia/")
    expect(public.get_by_role("heading", name="ข้อมูลที่คุณต้องการอาจมีอยู่แล้ว")).to_be_visible()
    expect(public.get_by_test_id("stats-province")).to_contain_text("เชียงใหม่")
    public.fill("#id_requester_name", "มานี มีนา")
    public.fill("#id_contact_email", "manee@")
    public.select_option("#id_agency", str(desk.affiliation.agency.pk))
    public.fill("#id_information_wanted", "สัญญาจ้างทำเว็บไซต์ของกรม ปี 2568")
    public.locator("form.form button[type=submit]").click()
    expect(public.locator("#id_contact_email_error")).to_be_visible()
    assert not InformationRequest.objects.exists()
    screenshot(public, "oia-1-form-error")
    public.fill("#id_contact_email", "manee@example.th")
    public.locator("form.form button[type=submit]").click()
    expect(public).to_have_url(re.compile(r"/governance/oia/[\w-]{16,}/$"))
    expect(public.get_by_test_id("status")).to_have_text("ได้รับคำขอแล้ว")
    status_url = public.url
    item = InformationRequest.objects.get()

    desk_page = new_page()
    log_in(desk_page, desk.email)
    desk_page.goto("/governance/oia/officer/")
    desk_page.get_by_role("link", name=re.compile(f"#{item.pk} ")).click()
    desk_page.get_by_role("button", name="บันทึกคำสั่งไม่เปิดเผย").click()  # no ground, no reason
    expect(desk_page.locator("#id_ground_error")).to_be_visible()
    item.refresh_from_db()
    assert item.status == "received"
    desk_page.check("input[name=ground][value=s15_6]")
    desk_page.fill("#id_reason", "สัญญามีข้อมูลราคาซึ่งเป็นความลับทางการค้าของผู้รับจ้าง")
    desk_page.get_by_role("button", name="บันทึกคำสั่งไม่เปิดเผย").click()
    expect(desk_page.get_by_test_id("status")).to_have_text("มีคำสั่งไม่เปิดเผยข้อมูล")

    public.goto(status_url)
    expect(public.get_by_test_id("ground")).to_contain_text("มาตรา 15 (6)")
    expect(public.get_by_test_id("refusal-reason")).to_contain_text("ความลับทางการค้า")
    expect(public.get_by_test_id("appeal")).to_contain_text("ภายใน 15 วัน")
    expect(public.get_by_test_id("appeal")).to_contain_text("มาตรา 18")
    screenshot(public, "oia-2-refused-with-appeal")
