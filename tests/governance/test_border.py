import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from talat.core.models import AuditEntry
from talat.governance import border
from talat.governance import services as governance
from talat.governance.models import Disclosure, Purpose
from talat.registry.models import Enterprise
from tests.factories import agreement, enterprise, officer, partner

pytestmark = pytest.mark.django_db

PAYLOAD_FIELDS = ["name_th", "province_code", "tax_id", "phone", "email"]


def payload_of(shop):
    return {name: getattr(shop, name) for name in PAYLOAD_FIELDS} | {"not_a_field": "x"}


def consent(deal, shop, granted=True):
    return governance.decide_consent(
        agreement=deal, owner=shop, by=shop.owner, granted=granted, text_version=deal.text_version
    )


def test_without_an_agreement_nothing_is_released_and_the_refusal_is_audited():
    shop = enterprise()
    with pytest.raises(border.Refused) as caught:
        border.release(
            payload_of(shop), source=Enterprise, recipient=partner(), purpose=Purpose.LOGISTICS, subject=shop
        )
    assert caught.value.code == "no_agreement"
    assert "Cainiao" in caught.value.reason
    assert not Disclosure.objects.exists()
    refusal = AuditEntry.objects.filter(kind="border.refused").get()
    assert b'"code":"no_agreement"' in bytes(refusal.leaf)


def test_release_keeps_only_the_agreed_fields_and_records_the_disclosure():
    deal = agreement()
    shop = enterprise()
    consent(deal, shop)
    released = border.release(
        payload_of(shop), source=Enterprise, recipient=deal.recipient, purpose=Purpose.LOGISTICS, subject=shop
    )
    assert dict(released.data) == {"name_th": shop.name_th, "province_code": "50"}
    disclosure = Disclosure.objects.get()
    assert disclosure.field_names == ["registry.Enterprise.name_th", "registry.Enterprise.province_code"]
    assert disclosure.payload_sha256 == released.payload_sha256
    leaf = bytes(AuditEntry.objects.get(index=disclosure.audit_index).leaf).decode()
    assert released.payload_sha256 in leaf
    assert shop.name_th not in leaf and shop.tax_id not in leaf  # references and hashes, never values


def test_released_data_cannot_be_changed_or_forged():
    deal = agreement(consent_required=False)
    shop = enterprise()
    released = border.release(
        payload_of(shop), source=Enterprise, recipient=deal.recipient, purpose="logistics", subject=shop
    )
    with pytest.raises(TypeError):
        released.data["tax_id"] = shop.tax_id
    with pytest.raises(TypeError):
        border.Released(
            data={}, recipient="x", purpose="x", agreement_id=1, disclosure_id=1, payload_sha256=""
        )
    with pytest.raises(TypeError):
        border.require_released({"name_th": "raw dict"})
    assert border.require_released(released) is released


def test_consent_is_required_and_withdrawal_stops_every_later_release():
    deal = agreement()
    shop = enterprise()
    args = {"source": Enterprise, "recipient": deal.recipient, "purpose": "logistics", "subject": shop}
    with pytest.raises(border.Refused) as caught:
        border.release(payload_of(shop), **args)
    assert caught.value.code == "no_consent"
    consent(deal, shop)
    border.release(payload_of(shop), **args)
    consent(deal, shop, granted=False)
    with pytest.raises(border.Refused) as caught:
        border.release(payload_of(shop), **args)
    assert caught.value.code == "consent_withdrawn"
    assert "ถอนความยินยอมเมื่อ" in caught.value.reason and "25" in caught.value.reason
    assert Disclosure.objects.count() == 1


def test_suspended_revoked_and_expired_agreements_release_nothing():
    from datetime import date

    deal = agreement(consent_required=False)
    shop = enterprise()
    args = {"source": Enterprise, "recipient": deal.recipient, "purpose": "logistics", "subject": shop}
    checker = officer()
    checker.affiliation.agency = deal.responsible_agency
    checker.affiliation.save()
    governance.change_agreement_status(agreement=deal, officer=checker, status="suspended", reason="ตรวจสอบ")
    with pytest.raises(border.Refused):
        border.release(payload_of(shop), **args)
    governance.change_agreement_status(agreement=deal, officer=checker, status="active", reason="ตรวจแล้ว")
    border.release(payload_of(shop), **args)
    deal.valid_until = date(2021, 1, 1)
    deal.save()
    with pytest.raises(border.Refused):
        border.release(payload_of(shop), **args)


def test_secret_fields_never_cross_even_if_named():
    with pytest.raises(ValidationError) as caught:
        agreement(fields=["accounts.User.password"])
    assert "fields" in caught.value.message_dict
    with pytest.raises(ValidationError):
        agreement(fields=["accounts.ApiKey.secret_hash"])


def test_agreement_rules():
    with pytest.raises(ValidationError) as caught:
        agreement(countries=["CN"], transfer_basis="domestic")
    assert "transfer_basis" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        agreement(countries=["XX"])
    assert "countries" in caught.value.message_dict
    with pytest.raises(ValidationError):
        agreement(fields=["registry.Enterprise.no_such_field"])


def test_the_drafter_cannot_approve_and_only_the_responsible_agency_can():
    deal = agreement(approve=False)
    with pytest.raises(PermissionDenied):
        governance.approve_agreement(agreement=deal, officer=deal.drafted_by)
    outsider = officer(agency_code="tat")
    with pytest.raises(PermissionDenied):
        governance.approve_agreement(agreement=deal, officer=outsider)
    deal.refresh_from_db()
    assert deal.status == "draft"


def test_every_agreement_and_consent_change_is_audited():
    deal = agreement()
    shop = enterprise()
    consent(deal, shop)
    consent(deal, shop, granted=False)
    kinds = list(AuditEntry.objects.values_list("kind", flat=True))
    for kind in ["agreement.drafted", "agreement.approved", "consent.granted", "consent.withdrawn"]:
        assert kind in kinds


def test_only_the_owner_decides_consent():
    deal = agreement()
    shop = enterprise()
    stranger = enterprise()
    with pytest.raises(PermissionDenied):
        governance.decide_consent(agreement=deal, owner=shop, by=stranger.owner, granted=True, text_version=1)


def test_consent_on_an_outdated_text_is_refused():
    deal = agreement()
    shop = enterprise()
    with pytest.raises(ValidationError):
        governance.decide_consent(agreement=deal, owner=shop, by=shop.owner, granted=True, text_version=99)


def test_batch_release_is_all_or_nothing():
    deal = agreement()
    shops = [enterprise() for _ in range(3)]
    for shop in shops[:2]:
        consent(deal, shop)
    items = [(payload_of(shop), shop) for shop in shops]
    with pytest.raises(border.Refused):
        border.release_many(items, source=Enterprise, recipient=deal.recipient, purpose="logistics")
    assert not Disclosure.objects.exists()
    consent(deal, shops[2])
    released = border.release_many(items, source=Enterprise, recipient=deal.recipient, purpose="logistics")
    assert [r.disclosure_id for r in released] == list(
        Disclosure.objects.order_by("audit_index").values_list("pk", flat=True)
    )


def test_a_released_value_copied_with_other_data_is_refused():
    import dataclasses

    deal = agreement(consent_required=False)
    shop = enterprise()
    released = border.release({"name_th": shop.name_th}, source=Enterprise, recipient=deal.recipient,
                              purpose="logistics", subject=shop)  # fmt: skip
    forged = dataclasses.replace(released, data={"name_th": shop.name_th, "tax_id": shop.tax_id})
    with pytest.raises(TypeError, match="other than what the border released"):
        border.require_released(forged)


def test_mixed_owners_and_unknown_purposes_are_refused():
    deal = agreement(consent_required=False)
    shop = enterprise()
    with pytest.raises(TypeError):
        border.release_many([({}, shop), ({}, shop.owner)], source=Enterprise, recipient=deal.recipient,
                            purpose="logistics")  # fmt: skip
    with pytest.raises(border.Refused) as caught:
        border.release({}, source=Enterprise, recipient=deal.recipient, purpose="gossip", subject=shop)
    assert caught.value.code == "bad_purpose"


def test_the_public_log_names_owners_only_by_pseudonym():
    deal = agreement(consent_required=False)
    shop = enterprise()
    args = {"source": Enterprise, "recipient": deal.recipient, "purpose": "logistics", "subject": shop}
    border.release({"name_th": shop.name_th}, **args)
    leaf = bytes(AuditEntry.objects.filter(kind="border.released").get().leaf).decode()
    assert f'"enterprise:{shop.pk}"' not in leaf
    from talat.core import audit

    assert audit.pseudonym("enterprise", shop.pk) in leaf


def test_a_warm_policy_cache_still_sees_a_withdrawal_at_once():
    deal = agreement()
    shop = enterprise()
    consent(deal, shop)
    args = {"source": Enterprise, "recipient": deal.recipient, "purpose": "logistics", "subject": shop}
    border.release({"name_th": shop.name_th}, **args)
    border.release({"name_th": shop.name_th}, **args)  # served from the process's cache
    consent(deal, shop, granted=False)
    with pytest.raises(border.Refused) as caught:
        border.release({"name_th": shop.name_th}, **args)
    assert caught.value.code == "consent_withdrawn"


def test_a_release_prepared_under_an_old_policy_is_prepared_again():
    from talat.core import audit

    deal = agreement(consent_required=False)
    shop = enterprise()
    args = {"source": Enterprise, "recipient": deal.recipient, "purpose": "logistics", "subject": shop}
    border.release({"name_th": shop.name_th}, **args)
    audit.bump_policy_version()  # another process changed some agreement
    released = border.release({"name_th": shop.name_th}, **args)
    assert Disclosure.objects.filter(pk=released.disclosure_id).exists()
    with pytest.raises(audit.PolicyChanged):
        audit.append_many([audit.Event("test", {}, {})], policy_version=-1)
