"""The governance pages as officers and owners use them."""

import csv
import io

import pytest
from django.urls import reverse

from talat.accounts.models import Role
from talat.governance import border
from talat.governance import services as governance
from talat.governance.models import Agreement, Consent
from talat.registry.models import Enterprise
from tests.factories import agreement, enterprise, officer, partner, user

pytestmark = pytest.mark.django_db


def release(deal, shop, times=1):
    payload = {"name_th": shop.name_th, "province_code": shop.province_code, "tax_id": shop.tax_id}
    for _time in range(times):
        border.release(
            payload, source=Enterprise, recipient=deal.recipient, purpose=deal.purpose, subject=shop
        )


def test_data_dictionary_page_and_csv_list_every_declared_field(client):
    deal = agreement()
    client.force_login(officer())
    page = client.get(reverse("governance:dictionary")).content.decode()
    assert "registry.Enterprise" in page and "ลับมาก / ลับที่สุด" in page
    response = client.get(reverse("governance:dictionary"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {(r["model"], r["field"]): r for r in rows}
    assert by_name[("accounts.User", "password")]["class"] == "secret"
    assert by_name[("registry.Enterprise", "phone")]["personal"] == "yes"
    assert deal.title_th in by_name[("registry.Enterprise", "name_th")]["released_by_agreements"]
    assert by_name[("registry.Enterprise", "tax_id")]["released_by_agreements"] == ""


def test_dictionary_is_for_officers_only(client):
    client.force_login(user(Role.SME_OWNER))
    assert client.get(reverse("governance:dictionary")).status_code == 403


def test_officers_draft_and_another_officer_approves_through_the_pages(client):
    drafter = officer()
    client.force_login(drafter)
    form = {
        "title_th": "ส่งข้อมูลให้ลาซาด้า",
        "recipient_partner": partner("lazada", "Lazada", "ลาซาด้า", "TH").pk,
        "responsible_agency": drafter.affiliation.agency.pk,
        "purpose": "order_fulfilment",
        "legal_basis": "consent",
        "fields": ["registry.Enterprise.name_th"],
        "countries": "TH",
        "transfer_basis": "domestic",
        "retention_days": 30,
        "consent_required": "on",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "summary_th": "เพื่อขายสินค้า",
    }
    bad = client.post(reverse("governance:new_agreement"), {**form, "countries": "CN"})
    assert "มาตรา 28 หรือ 29" in bad.content.decode()
    assert not Agreement.objects.exists()
    response = client.post(reverse("governance:new_agreement"), form)
    deal = Agreement.objects.get()
    assert response["Location"] == reverse("governance:agreement", args=[deal.pk])
    refused = client.post(reverse("governance:agreement", args=[deal.pk]), {"action": "approve"})
    assert "อนุมัติข้อตกลงของตนเองไม่ได้" in refused.content.decode()
    second = officer()
    client.force_login(second)
    client.post(reverse("governance:agreement", args=[deal.pk]), {"action": "approve"})
    deal.refresh_from_db()
    assert deal.status == "active" and deal.approved_by == second


def test_owner_reads_the_plain_thai_text_and_grants_then_withdraws(client):
    deal = agreement()
    shop = enterprise()
    client.force_login(shop.owner)
    page = client.get(reverse("governance:consents")).content.decode()
    assert "ให้แก่: ไช่เหนียว (Cainiao)" in page and "ชื่อกิจการ (ภาษาไทย)" in page
    assert "ผู้รับจะประมวลผลข้อมูลที่: ประเทศไทย, ประเทศจีน" in page
    url = reverse("governance:decide_consent", args=[deal.pk, shop.pk])
    client.post(url, {"decision": "grant", "text_version": deal.text_version})
    assert Consent.objects.get().granted
    client.post(url, {"decision": "withdraw", "text_version": deal.text_version})
    assert not Consent.objects.order_by("-pk").first().granted
    stranger = enterprise()
    client.force_login(stranger.owner)
    assert client.post(url, {"decision": "grant", "text_version": 1}).status_code == 404


def test_passbook_lists_who_received_which_fields_and_exports_csv(client):
    deal = agreement()
    shop = enterprise()
    other = enterprise()
    for owner_shop in (shop, other):
        governance.decide_consent(
            agreement=deal, owner=owner_shop, by=owner_shop.owner, granted=True, text_version=1
        )
    release(deal, shop, times=2)
    release(deal, other)
    client.force_login(shop.owner)
    page = client.get(reverse("governance:passbook")).content.decode()
    assert page.count('data-testid="disclosure"') == 2
    assert "Cainiao" in page and "ชื่อกิจการ (ภาษาไทย)" in page and "การขนส่งสินค้า" in page
    assert "เลขประจำตัวผู้เสียภาษี" not in page  # dropped at the border, so never listed
    exported = client.get(reverse("governance:passbook"), {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 2 and rows[0]["recipient"] == "Cainiao"
    assert "registry.Enterprise.name_th" in rows[0]["fields"]
    filtered = client.get(reverse("governance:passbook"), {"purpose": "payment"}).content.decode()
    assert 'data-testid="disclosure"' not in filtered and "ยังไม่มีการส่งข้อมูล" in filtered


def test_audit_page_shows_the_signed_head_and_proofs(client):
    deal = agreement()
    page = client.get(reverse("governance:audit")).content.decode()
    assert 'data-testid="tree-size"' in page
    with_proof = client.get(reverse("governance:audit"), {"index": 0, "first": 1}).content.decode()
    assert "agreement.drafted" in with_proof
    bad = client.get(reverse("governance:audit"), {"index": 999}).content.decode()
    assert "ลำดับรายการต้องอยู่ระหว่าง" in bad
    assert deal.pk
