import pytest

from talat.governance import border
from talat.registry.models import Enterprise
from tests.factories import agreement, enterprise, officer

pytestmark = pytest.mark.django_db


def test_owner_consents_and_reads_the_passbook_over_the_api(client):
    deal = agreement()
    shop = enterprise()
    client.force_login(shop.owner)
    listed = client.get("/api/v1/governance/agreements").json()
    assert listed["items"][0]["consent_text_th"].startswith("ตลาดจะส่งข้อมูลต่อไปนี้ของคุณ")
    url = f"/api/v1/governance/agreements/{deal.pk}/consent"
    stale = client.post(
        url, {"enterprise": shop.pk, "granted": True, "text_version": 7}, content_type="application/json"
    )
    assert stale.status_code == 422
    decided = client.post(
        url, {"enterprise": shop.pk, "granted": True, "text_version": 1}, content_type="application/json"
    )
    assert decided.status_code == 201 and decided.json()["granted"] is True
    payload = {"name_th": shop.name_th, "phone": shop.phone}
    border.release(payload, source=Enterprise, recipient=deal.recipient, purpose="logistics", subject=shop)
    book = client.get("/api/v1/governance/passbook", {"enterprise": shop.pk}).json()
    assert book["count"] == 1
    assert book["items"][0]["recipient"] == "Cainiao"
    assert book["items"][0]["fields"] == ["registry.Enterprise.name_th"]
    assert client.get("/api/v1/governance/passbook").json()["count"] == 0  # personal data: none released


def test_someone_elses_enterprise_is_not_found(client):
    deal = agreement()
    shop = enterprise()
    client.force_login(enterprise().owner)
    url = f"/api/v1/governance/agreements/{deal.pk}/consent"
    response = client.post(
        url, {"enterprise": shop.pk, "granted": True, "text_version": 1}, content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert client.get("/api/v1/governance/passbook", {"enterprise": shop.pk}).status_code == 404


def test_dictionary_over_the_api_is_for_officers(client):
    client.force_login(enterprise().owner)
    assert client.get("/api/v1/governance/dictionary").status_code == 403
    client.force_login(officer())
    rows = client.get("/api/v1/governance/dictionary").json()
    assert {"model": "accounts.User", "field": "password", "data_class": "secret", "personal": True,
            "agreements": []} in rows  # fmt: skip
