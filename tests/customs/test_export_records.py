"""An exporter's own export records reach a marketplace partner only through an agreement and the
exporter's consent, and every release shows in the exporter's data passbook."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from talat.accounts import services as accounts
from talat.accounts.models import Role
from talat.customs import exports
from talat.governance import services as governance
from talat.governance.models import Disclosure
from talat.registry.models import Affiliation, Partner, PartnerKind
from tests.factories import agreement, user, verified_enterprise

pytestmark = pytest.mark.django_db
FIELDS = [
    f"customs.ExportRecord.{name}"
    for name in ("declaration_number", "exported_on", "destination", "hs_code", "description", "quantity")
]


@pytest.fixture
def alibaba():
    return Partner.objects.get_or_create(
        code="alibaba",
        defaults={
            "name_th": "อาลีบาบา",
            "name_en": "Alibaba.com",
            "kind": PartnerKind.MARKETPLACE,
            "country": "CN",
        },
    )[0]


def key_of(partner):
    operator = user(Role.PARTNER_OPERATOR)
    Affiliation.objects.create(user=operator, partner=partner)
    _key, plaintext = accounts.create_api_key(
        user=operator,
        name="export records",
        scopes=["export_records:read"],
        expires_at=timezone.now() + timedelta(days=1),
        created_by=user(Role.PLATFORM_ADMIN),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_export_records_need_an_agreement_and_the_exporters_consent(client, alibaba):
    shop = verified_enterprise()
    exports.record(
        declaration_number="A2622690000001",
        exported_on=date(2026, 11, 20),
        destination="CN",
        lines=[
            {
                "enterprise_id": shop.pk,
                "hs_code": "08134090",
                "description": "ทุเรียนอบแห้ง",
                "quantity": 40,
                "fob_satang": 1_800_000,
            }
        ],
    )
    url, auth = f"/api/v1/customs/export-records?enterprise={shop.uid}", key_of(alibaba)
    refused = client.get(url, **auth)
    assert refused.status_code == 403 and not Disclosure.objects.filter(enterprise=shop).exists()
    deal = agreement(
        recipient=alibaba,
        purpose="business_verification",
        fields=FIELDS,
        consent_required=True,
        transfer_basis="s28_consent",
    )
    assert client.get(url, **auth).status_code == 403  # no consent yet
    governance.decide_consent(
        agreement=deal, owner=shop, by=shop.owner, granted=True, text_version=deal.text_version
    )
    answer = client.get(url, **auth)
    assert answer.status_code == 200
    (row,) = answer.json()
    assert row["declaration_number"] == "A2622690000001" and row["quantity"] == 40
    assert row["fob_satang"] is None  # the agreement does not release the value
    assert Disclosure.objects.filter(enterprise=shop, agreement=deal).exists()  # in the passbook
    client.force_login(shop.owner)
    assert "A2622690000001" in client.get("/seller/customs/records/").content.decode()
    assert client.get(url).status_code == 403  # a shop's own session is not a partner
