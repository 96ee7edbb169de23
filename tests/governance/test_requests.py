"""PDPA data-subject requests and Official Information Act requests."""

import io
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from talat.accounts import services as accounts
from talat.accounts.models import LoginFailure, Role, User
from talat.core.classification import DataClass, classification_of
from talat.core.models import AuditEntry
from talat.governance import border
from talat.governance import services as governance
from talat.governance.models import (
    DataSubjectRequest,
    EnterpriseNotice,
    InformationRequest,
    OiaStatus,
    RequestStatus,
)
from talat.governance.pdf import render_export_pdf
from talat.orders import services as orders
from talat.payments import services as payments
from talat.payments.notifications import Notification
from talat.registry import services as registry
from tests.factories import ADDRESS, PASSWORD, agreement, enterprise, officer, product

pytestmark = pytest.mark.django_db


def person(name: str, email: str) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, role=Role.SME_OWNER)


def pdf_text(content: bytes) -> str:
    """The PDF's text as pypdf extracts it. pypdf prints the raw code of a glyph that has no
    Unicode of its own (the second glyph HarfBuzz makes of SARA AM), so drop C0 controls."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(c for c in text if c == "\n" or ord(c) >= 0x20)


def leaves() -> str:
    return "\n".join(bytes(leaf).decode() for leaf in AuditEntry.objects.values_list("leaf", flat=True))


def verified(shop, checker=None):
    return registry.decide_enterprise(enterprise=shop, officer=checker or officer(), status="verified")


@pytest.fixture
def desk():
    return officer(agency_code="talat-dpo", verifies=False, personal_data=True)


@pytest.fixture
def somsri():
    """A person with data in every table the export rules cover."""
    who = person("สมศรี ใจดี", "somsri@example.th")
    shop = enterprise(owner=who, phone="081 234 5678", address_line="99 ซอยสุขใจ", name_th="ร้านผ้าสมศรี")
    accounts.record_login_failure(email=who.email, ip_address="203.0.113.7")
    deal = agreement(fields=["accounts.User.full_name"])
    governance.decide_consent(agreement=deal, owner=who, by=who, granted=True, text_version=deal.text_version)
    border.release(
        {"full_name": who.full_name}, source=User, recipient=deal.recipient, purpose="logistics", subject=who
    )
    governance.file_information_request(
        requester_name="สมศรี ใจดี",
        contact_email="Somsri@example.th",
        information_wanted="งบประมาณส่งเสริม OTOP ปี 2568",
        agency=deal.responsible_agency,
    )
    bought = product(name_th="ผ้าพันคอไหม", stock=2)
    order, _created = orders.accept_order(
        enterprise=bought.enterprise, channel="storefront", channel_order_number="TL-SOMSRI",
        lines=[orders.Wanted(bought.variants.get(), 1, 45_000)], buyer_name="สมศรี ใจดี",
        buyer_email="SOMSRI@example.th", buyer_phone="+66812345678", address=ADDRESS,
        status="awaiting_payment",
    )  # fmt: skip
    payment = payments.request_payment(orders_to_pay=[order])  # paid: a bank record and a receipt
    payments.receive_notification(
        Notification(event_id="e-somsri", transaction_id="T-SOMSRI", amount_satang=payment.amount_minor,
                     currency="THB", reference_1=payment.reference_1, reference_2="", proxy_type="BILLERID",
                     proxy_id="", payer_name="สมศรี ใจดี", paid_at=timezone.now(), raw={})
    )  # fmt: skip
    who.shop = shop
    return who


@pytest.fixture
def somchai():
    """Another person, whose data must never appear in Somsri's export."""
    who = person("สมชาย มั่งมี", "somchai@example.th")
    who.shop = enterprise(owner=who, phone="089 876 5432", address_line="7 ถนนนิมมาน")
    accounts.record_login_failure(email=who.email, ip_address="198.51.100.9")
    return who


def complete(item, by, **extra):
    governance.start_data_subject_request(item=item, officer=by)
    return governance.complete_data_subject_request(item=item, officer=by, **extra)


# --- the rule sets --------------------------------------------------------------------------------


def test_the_rules_cover_every_personal_field_of_every_talat_model():
    assert set(governance.models_with_personal_data()) <= set(governance.OWNERS), (
        "add an OWNERS rule (who owns the rows) for these models"
    )
    for label in governance.OWNERS:
        model = apps.get_model(label)
        fields = {f.name for f in governance.personal_fields(model)}
        assert fields, f"{label} has no personal field: drop its rule"
        missing = fields - set(governance.ERASURE.get(label, {}))
        assert not missing, f"say whether erasure blanks or holds {label}.{sorted(missing)}"
        for name in governance.OWNERS[label].context:
            classification = classification_of(model._meta.get_field(name))
            assert not classification.personal and classification.data_class != DataClass.SECRET, name


# --- access (section 30) -------------------------------------------------------------------------


def test_access_export_has_every_personal_field_of_the_person_and_nothing_of_another(somsri, somchai, desk):
    item = governance.file_data_subject_request(person=somsri, kind="access")
    complete(item, desk)
    item.refresh_from_db()
    export = item.export
    assert item.status == RequestStatus.COMPLETED and len(item.export_sha256) == 64
    assert export["not_covered"] == []
    sections = {s["model"]: s for s in export["sections"]}
    for label, section in sections.items():
        expected = {f.name for f in governance.personal_fields(apps.get_model(label))}
        for row in section["rows"]:
            assert set(row["fields"]) | set(row["withheld"]) == expected, label
    counts = {label: len(s["rows"]) for label, s in sections.items()}
    assert counts == {
        "accounts.User": 1,
        "accounts.LoginFailure": 1,
        "registry.Enterprise": 1,
        "governance.Consent": 1,
        "governance.Disclosure": 1,
        "governance.DataSubjectRequest": 1,
        "governance.InformationRequest": 1,
        "orders.Order": 1,
        "payments.BankTransaction": 1,
        "invoicing.TaxDocument": 1,
    }
    user_row = sections["accounts.User"]["rows"][0]
    assert user_row["fields"]["email"] == "somsri@example.th"
    assert user_row["fields"]["full_name"] == "สมศรี ใจดี"
    assert "password" in user_row["withheld"]  # a one-way hash is named, never exported
    shop_row = sections["registry.Enterprise"]["rows"][0]["fields"]
    assert shop_row["phone"] == "+66812345678"  # decrypted
    assert shop_row["address_line"] == "99 ซอยสุขใจ"
    assert shop_row["tax_id"] == somsri.shop.tax_id
    assert sections["accounts.LoginFailure"]["rows"][0]["fields"]["ip_address"] == "203.0.113.7"
    text = json.dumps(export, ensure_ascii=False)
    for foreign in ["somchai", "สมชาย", "+66898765432", "7 ถนนนิมมาน", somchai.shop.tax_id, "198.51.100.9"]:
        assert foreign not in text
    assert somsri.password not in text


def test_the_person_downloads_json_and_a_pdf_with_thai_text(somsri, desk):
    item = governance.file_data_subject_request(person=somsri, kind="access")
    browser = Client()
    browser.force_login(somsri)
    assert browser.get(f"/governance/requests/{item.pk}/export.json").status_code == 404  # not done yet
    complete(item, desk)
    page = browser.get(f"/governance/requests/{item.pk}/").content.decode()
    assert "ดาวน์โหลด JSON" in page and "ดาวน์โหลด PDF" in page
    download = browser.get(f"/governance/requests/{item.pk}/export.json")
    assert download["Content-Type"] == "application/json"
    assert json.loads(download.content)["subject"]["full_name"] == "สมศรี ใจดี"
    pdf = browser.get(f"/governance/requests/{item.pk}/export.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "สมศรี ใจดี" in text
    assert "99 ซอยสุขใจ" in text
    assert "สำเนาข้อมูลส่วนบุคคลของคุณ" in text
    stranger = Client()
    stranger.force_login(person("คนอื่น", "other@example.th"))
    assert stranger.get(f"/governance/requests/{item.pk}/export.pdf").status_code == 404


def test_pdf_renders_thai_with_the_shipped_font():
    export = {
        "subject": {"full_name": "นางสาวน้ำฝน ปั้นกิ่งทอง"},
        "generated_at": "2026-01-05T10:00:00+07:00",
        "sections": [
            {
                "model": "accounts.User",
                "label": "ผู้ใช้",
                "fields": {"full_name": {"label": "ชื่อ-นามสกุล"}},
                "rows": [{"id": 1, "fields": {"full_name": "นางสาวน้ำฝน ปั้นกิ่งทอง"}, "withheld": {}}],
            }
        ],
    }
    content = render_export_pdf(export)
    fonts = [f.get_object() for f in PdfReader(io.BytesIO(content)).pages[0]["/Resources"]["/Font"].values()]
    assert any("Loma" in str(f["/BaseFont"]) for f in fonts)  # embedded, so it reads the same anywhere
    text = pdf_text(content)
    assert "นางสาวน้ำฝน ปั้นกิ่งทอง" in text
    assert "5 ม.ค. 2569 10:00 น." in text  # Buddhist era, Bangkok time


# --- erasure (section 33) ------------------------------------------------------------------------


def test_erasure_anonymises_what_it_may_and_keeps_what_the_law_holds(
    somsri, desk, django_capture_on_commit_callbacks
):
    verified(somsri.shop)
    never_verified = enterprise(owner=somsri, phone="02 123 4567", address_line="1 ถนนใหม่")
    LoginFailure.objects.filter(email=somsri.email).update(at=timezone.now() - timedelta(days=120))
    accounts.record_login_failure(email=somsri.email, ip_address="203.0.113.8")  # recent
    item = governance.file_data_subject_request(person=somsri, kind="erasure")
    governance.start_data_subject_request(item=item, officer=desk)

    # The officer sees what will be erased and what is held, and why, before confirming.
    browser = Client()
    browser.force_login(desk)
    page = browser.get(f"/governance/requests/officer/{item.pk}/erase/").content.decode()
    assert "87/3" in page and "ยืนยันและลบข้อมูล" in page and "hx-confirm" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/governance/requests/officer/{item.pk}/erase/", {"confirm": "yes"})
    assert response.status_code == 302

    user = User.objects.get(pk=somsri.pk)
    assert user.full_name == "ผู้ใช้ที่ลบแล้ว"
    assert user.email == f"erased-user-{somsri.pk}@erased.invalid"
    assert not user.has_usable_password() and not user.is_active
    assert user.date_joined == somsri.date_joined  # held
    kept = type(somsri.shop).objects.get(pk=somsri.shop.pk)
    assert (kept.tax_id, kept.registration_number) == (somsri.shop.tax_id, somsri.shop.registration_number)
    assert kept.address_line == "99 ซอยสุขใจ" and kept.phone == ""
    gone = type(somsri.shop).objects.get(pk=never_verified.pk)
    assert gone.tax_id.startswith("ERASED-") and gone.address_line == "" and gone.phone == ""
    failures = {f.ip_address for f in LoginFailure.objects.all()}
    assert "203.0.113.8" in failures and "203.0.113.7" not in failures  # 90-day traffic data held
    oia = InformationRequest.objects.get()
    assert oia.requester_name == "สมศรี ใจดี"  # the request is still open

    item.refresh_from_db()
    assert item.status == RequestStatus.COMPLETED
    held = {line["path"]: line["ground"] for line in item.erasure_report["held"]}
    assert "87/3" in held["registry.Enterprise.tax_id"]
    assert "มาตรา 26" in held["accounts.LoginFailure.ip_address"]
    erased = {line["path"] for line in item.erasure_report["erased"]}
    assert {"accounts.User.email", "accounts.User.full_name", "registry.Enterprise.phone"} <= erased
    # The response goes to the address the person had, listing what is held and why.
    (message,) = mail.outbox
    assert message.to == ["somsri@example.th"]
    assert "87/3" in message.body and "ผู้ใช้" in message.body
    text = leaves()
    assert "somsri@example.th" not in text and "สมศรี" not in text
    assert "accounts.User.full_name" in text  # the leaf names fields, never values


def test_erasure_applies_all_or_nothing(somsri, desk, monkeypatch):
    item = governance.file_data_subject_request(person=somsri, kind="erasure")
    governance.start_data_subject_request(item=item, officer=desk)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("talat.core.audit.append", broken)
    with pytest.raises(RuntimeError):
        governance.complete_data_subject_request(item=item, officer=desk)
    user = User.objects.get(pk=somsri.pk)
    assert (user.full_name, user.email, user.is_active) == ("สมศรี ใจดี", "somsri@example.th", True)
    assert type(somsri.shop).objects.get(pk=somsri.shop.pk).phone == "+66812345678"
    item.refresh_from_db()
    assert item.status == RequestStatus.IN_PROGRESS and item.erasure_report is None


def test_the_person_sees_what_erasure_will_keep_before_it_happens(somsri):
    verified(somsri.shop)
    item = governance.file_data_subject_request(person=somsri, kind="erasure")
    browser = Client()
    browser.force_login(somsri)
    page = browser.get(f"/governance/requests/{item.pk}/").content.decode()
    assert "ข้อมูลที่ต้องเก็บไว้ตามกฎหมาย" in page and "87/3" in page


# --- rectification, objection, refusal -----------------------------------------------------------


def test_rectification_and_objection_record_what_was_done(somsri, desk):
    fix = governance.file_data_subject_request(person=somsri, kind="rectification", details="ชื่อสะกดผิด")
    governance.start_data_subject_request(item=fix, officer=desk)
    with pytest.raises(ValidationError) as caught:
        governance.complete_data_subject_request(item=fix, officer=desk, resolution=" ")
    assert "resolution" in caught.value.message_dict
    governance.complete_data_subject_request(item=fix, officer=desk, resolution="แก้ชื่อเป็น สมศรี ใจดี แล้ว")
    objection = governance.file_data_subject_request(
        person=somsri, kind="objection", objection_purpose="marketing", details="ไม่ต้องการโฆษณา"
    )
    complete(objection, desk, resolution="หยุดใช้ข้อมูลเพื่อการตลาดแล้ว")
    objection.refresh_from_db()
    assert (objection.status, objection.objection_purpose) == ("completed", "marketing")
    browser = Client()
    browser.force_login(somsri)
    assert "หยุดใช้ข้อมูลเพื่อการตลาดแล้ว" in browser.get(f"/governance/requests/{objection.pk}/").content.decode()


def test_a_refusal_needs_a_reason_and_the_person_sees_it(somsri, desk):
    item = governance.file_data_subject_request(person=somsri, kind="access")
    with pytest.raises(ValidationError):
        governance.refuse_data_subject_request(item=item, officer=desk, reason="  ")
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED
    governance.refuse_data_subject_request(item=item, officer=desk, reason="ยืนยันตัวตนไม่ได้")
    browser = Client()
    browser.force_login(somsri)
    page = browser.get(f"/governance/requests/{item.pk}/").content.decode()
    assert "ยืนยันตัวตนไม่ได้" in page and 'data-testid="refusal-reason"' in page


def test_bad_requests_change_nothing(somsri, desk):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        governance.file_data_subject_request(person=somsri, kind="rectification", details="")
    assert "details" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        governance.file_data_subject_request(person=somsri, kind="objection", objection_purpose="nonsense")
    assert "objection_purpose" in caught.value.message_dict
    with pytest.raises(ValidationError):
        governance.file_data_subject_request(person=somsri, kind="sell_my_data")
    assert not DataSubjectRequest.objects.exists() and AuditEntry.objects.count() == before
    item = governance.file_data_subject_request(person=somsri, kind="access")
    with pytest.raises(ValidationError) as caught:
        governance.file_data_subject_request(person=somsri, kind="access")
    assert "kind" in caught.value.message_dict  # one open request of a kind at a time
    with pytest.raises(ValidationError):
        governance.complete_data_subject_request(item=item, officer=desk)  # not started
    with pytest.raises(PermissionDenied):
        governance.start_data_subject_request(item=item, officer=somsri)  # not an officer
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED and item.export is None
    # The form shows the service's error beside the field.
    browser = Client()
    browser.force_login(somsri)
    page = browser.post("/governance/requests/new/", {"kind": "rectification", "details": ""})
    assert page.status_code == 200 and 'id="id_details_error"' in page.content.decode()
    assert DataSubjectRequest.objects.count() == 1


def test_an_officer_cannot_handle_their_own_request(desk):
    item = governance.file_data_subject_request(person=desk, kind="access")
    with pytest.raises(PermissionDenied):
        governance.start_data_subject_request(item=item, officer=desk)


# --- the officers' queue -------------------------------------------------------------------------


def test_the_queue_is_ordered_by_due_date_and_highlights_overdue_requests(desk):
    fresh = governance.file_data_subject_request(person=person("ใหม่", "new@example.th"), kind="access")
    late = governance.file_data_subject_request(person=person("ช้า", "late@example.th"), kind="erasure")
    DataSubjectRequest.objects.filter(pk=late.pk).update(received_at=timezone.now() - timedelta(days=31))
    assert governance.overdue_count() == 1
    browser = Client()
    browser.force_login(desk)
    page = browser.get("/governance/requests/officer/").content.decode()
    assert page.index(f"#{late.pk} ") < page.index(f"#{fresh.pk} ")
    assert page.count('class="overdue"') == 1 and "เลยกำหนดแล้ว 1 คำขอ" in page
    closed = browser.get("/governance/requests/officer/?show=closed").content.decode()
    assert "ยังไม่มีคำขอที่ปิดแล้ว" in closed
    outsider = Client()
    outsider.force_login(person("เจ้าของร้าน", "shop@example.th"))
    assert outsider.get("/governance/requests/officer/").status_code == 403


def test_the_queue_is_paginated(desk):
    for n in range(27):
        governance.file_data_subject_request(person=person(f"คน {n}", f"p{n}@example.th"), kind="access")
    browser = Client()
    browser.force_login(desk)
    first = browser.get("/governance/requests/officer/").content.decode()
    assert first.count('data-testid="queue-row"') == 25 and "หน้าถัดไป" in first
    second = browser.get("/governance/requests/officer/?page=2").content.decode()
    assert second.count('data-testid="queue-row"') == 2


def test_every_transition_is_audited_without_personal_values(somsri, desk):
    first = governance.file_data_subject_request(person=somsri, kind="access", details="ขอสำเนาทั้งหมด")
    complete(first, desk)
    second = governance.file_data_subject_request(person=somsri, kind="rectification", details="เบอร์ผิด")
    governance.refuse_data_subject_request(item=second, officer=desk, reason="ไม่พบข้อมูลที่ระบุ")
    kinds = list(
        AuditEntry.objects.filter(kind__startswith="governance.request.").values_list("kind", flat=True)
    )
    assert kinds == [
        "governance.request.received",
        "governance.request.started",
        "governance.request.completed",
        "governance.request.received",
        "governance.request.refused",
    ]
    text = leaves()
    for value in ["สมศรี", "somsri@example.th", "ขอสำเนาทั้งหมด", "เบอร์ผิด", "+66812345678"]:
        assert value not in text


# --- Official Information Act ---------------------------------------------------------------------


@pytest.fixture
def agency_desk():
    return officer(agency_code="dbd")


def file_oia(agency, **extra):
    data = {
        "requester_name": "มานี มีนา",
        "contact_email": "manee@example.th",
        "information_wanted": "รายชื่อผู้ประกอบการที่ได้รับทุน",
        "agency": agency,
        **extra,
    }
    return governance.file_information_request(**data)


def test_the_public_form_offers_published_statistics_first(client, agency_desk):
    shops = [enterprise(), enterprise(kind="partnership")]
    checker = officer()
    for shop in shops:
        verified(shop, checker)
    enterprise()  # pending: not counted
    page = client.get("/governance/oia/").content.decode()
    assert "ข้อมูลที่คุณต้องการอาจมีอยู่แล้ว" in page
    assert page.index("ข้อมูลที่คุณต้องการอาจมีอยู่แล้ว") < page.index('name="requester_name"')
    stats = governance.published_statistics()
    assert [(r.code, r.count) for r in stats["province"]] == [("50", 2)]
    assert sorted((r.code, r.count) for r in stats["kind"]) == [("company", 1), ("partnership", 1)]
    csv_text = client.get("/governance/oia/statistics/").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "dimension,code,label,verified_enterprises"
    assert "province,50,เชียงใหม่,2" in csv_text


def test_a_public_request_gets_a_tracking_code_and_status_page(
    client, agency_desk, django_capture_on_commit_callbacks
):
    agency = agency_desk.affiliation.agency
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/governance/oia/",
            {
                "requester_name": "มานี มีนา",
                "contact_email": "manee@example.th",
                "agency": agency.pk,
                "information_wanted": "สถิติการส่งออกผ้าไหม",
            },
        )
    item = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/governance/oia/{item.code}/"
    assert len(item.code) >= 16
    page = client.get(f"/governance/oia/{item.code}/").content.decode()
    assert "ได้รับคำขอแล้ว" in page and "สถิติการส่งออกผ้าไหม" in page
    assert "manee@example.th" not in page  # the status page does not show who asked
    assert mail.outbox[0].to == ["manee@example.th"] and item.code in mail.outbox[0].body
    assert client.get("/governance/oia/not-a-real-code/").status_code == 404


def test_bad_public_input_changes_nothing(client, agency_desk):
    response = client.post(
        "/governance/oia/",
        {"requester_name": "", "contact_email": "not-an-email", "agency": "", "information_wanted": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    for name in ["requester_name", "contact_email", "agency", "information_wanted"]:
        assert f'id="id_{name}_error"' in page
    assert not InformationRequest.objects.exists()
    with pytest.raises(ValidationError) as caught:
        file_oia(agency_desk.affiliation.agency, contact_email="nope")
    assert "contact_email" in caught.value.message_dict
    assert not InformationRequest.objects.exists()


def test_a_refusal_must_cite_a_ground_and_shows_the_appeal_route(client, agency_desk):
    item = file_oia(agency_desk.affiliation.agency)
    for ground in ["", "s99"]:
        with pytest.raises(ValidationError) as caught:
            governance.refuse_information_request(item=item, officer=agency_desk, ground=ground, reason="ลับ")
        assert "ground" in caught.value.message_dict
    item.refresh_from_db()
    assert item.status == OiaStatus.RECEIVED
    outsider = officer(agency_code="tat")
    with pytest.raises(PermissionDenied):
        governance.refuse_information_request(item=item, officer=outsider, ground="s15_6", reason="x")
    governance.refuse_information_request(
        item=item, officer=agency_desk, ground="s15_6", reason="เป็นความลับทางการค้าของผู้ประกอบการ"
    )
    page = client.get(f"/governance/oia/{item.code}/").content.decode()
    assert "มาตรา 15 (6)" in page and "ความลับทางการค้า" in page
    assert "มาตรา 18" in page and "15 วัน" in page and "คณะกรรมการวินิจฉัยการเปิดเผยข้อมูลข่าวสาร" in page


def test_section_17_notice_comes_before_disclosing_information_about_a_business(client, agency_desk):
    shop = enterprise(name_th="ร้านผ้าทอมือ")
    item = file_oia(agency_desk.affiliation.agency)
    with pytest.raises(ValidationError) as caught:
        governance.answer_information_request(
            item=item, officer=agency_desk, answer="รายชื่อ: ร้านผ้าทอมือ", concerns_business=True
        )
    assert "มาตรา 17" in " ".join(caught.value.messages)
    item.refresh_from_db()
    assert item.status == OiaStatus.RECEIVED and item.answer == ""

    governance.notify_enterprises(item=item, officer=agency_desk, enterprises=[shop])
    with pytest.raises(ValidationError):  # the owner still has 15 days to object
        governance.answer_information_request(item=item, officer=agency_desk, answer="รายชื่อ: ร้านผ้าทอมือ")

    # The owner sees the notice and the right to object; the requester's identity is not shown.
    owner = Client()
    owner.force_login(shop.owner)
    page = owner.get("/governance/oia/notices/").content.decode()
    assert "ร้านผ้าทอมือ" in page and "รายชื่อผู้ประกอบการที่ได้รับทุน" in page and "15 วัน" in page
    assert "มานี" not in page and "manee@example.th" not in page
    response = owner.post(
        f"/governance/oia/notices/{EnterpriseNotice.objects.get().pk}/object/", {"n1-objection": ""}
    )
    assert response.status_code in (200, 302)
    assert EnterpriseNotice.objects.get().objected_at is None

    EnterpriseNotice.objects.update(notified_at=timezone.now() - timedelta(days=16))
    governance.answer_information_request(item=item, officer=agency_desk, answer="รายชื่อ: ร้านผ้าทอมือ")
    item.refresh_from_db()
    assert item.status == OiaStatus.ANSWERED and item.concerns_business
    assert "รายชื่อ: ร้านผ้าทอมือ" in client.get(f"/governance/oia/{item.code}/").content.decode()


def test_an_objection_blocks_disclosure(agency_desk):
    shop = enterprise()
    item = file_oia(agency_desk.affiliation.agency)
    (notice,) = governance.notify_enterprises(item=item, officer=agency_desk, enterprises=[shop])
    with pytest.raises(PermissionDenied):
        governance.object_to_notice(notice=notice, owner=officer(), objection="ไม่ใช่เจ้าของ")
    governance.object_to_notice(notice=notice, owner=shop.owner, objection="เป็นความลับทางการค้า")
    EnterpriseNotice.objects.update(notified_at=timezone.now() - timedelta(days=16))
    with pytest.raises(ValidationError):
        governance.answer_information_request(item=item, officer=agency_desk, answer="ข้อมูล")
    governance.refuse_information_request(
        item=item, officer=agency_desk, ground="s15_6", reason="ความลับทางการค้า"
    )


def test_oia_audit_leaves_hold_no_requester_identity_or_tracking_code(agency_desk):
    shop = enterprise()
    item = file_oia(agency_desk.affiliation.agency)
    governance.notify_enterprises(item=item, officer=agency_desk, enterprises=[shop])
    governance.refuse_information_request(
        item=item, officer=agency_desk, ground="s15_5", reason="ข้อมูลส่วนบุคคล"
    )
    kinds = set(AuditEntry.objects.filter(kind__startswith="governance.oia.").values_list("kind", flat=True))
    assert kinds == {"governance.oia.received", "governance.oia.notified", "governance.oia.refused"}
    text = leaves()
    for value in ["มานี", "manee@example.th", item.code]:
        assert value not in text


def test_oia_queue_shows_only_the_officers_agency(agency_desk):
    mine = file_oia(agency_desk.affiliation.agency)
    other = officer(agency_code="tat")
    file_oia(other.affiliation.agency, information_wanted="แผนท่องเที่ยว")
    browser = Client()
    browser.force_login(agency_desk)
    page = browser.get("/governance/oia/officer/").content.decode()
    assert page.count('data-testid="oia-row"') == 1 and f"#{mine.pk} " in page
    assert browser.get(f"/governance/oia/officer/{mine.pk + 1}/").status_code == 403


def test_only_the_data_protection_office_handles_personal_data_requests(client):
    from django.urls import reverse

    from tests.factories import user

    person = user()
    item = governance.file_data_subject_request(person=person, kind="access")
    ordinary = officer(agency_code="tat", verifies=False)
    client.force_login(ordinary)
    assert client.get(reverse("governance:request_queue")).status_code == 403
    with pytest.raises(PermissionDenied):
        governance.start_data_subject_request(item=item, officer=ordinary)


def test_the_pdpa_queue_link_is_shown_only_to_those_who_may_open_it(client):
    from django.urls import reverse

    link = reverse("governance:request_queue")
    client.force_login(officer(agency_code="tat", verifies=False))
    assert link not in client.get(reverse("governance:oia_queue")).content.decode()
    client.force_login(officer(agency_code="talat-dpo", verifies=False, personal_data=True))
    assert link in client.get(reverse("governance:oia_queue")).content.decode()
