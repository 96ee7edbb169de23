"""The EEC hub: a parcel is scanned in, stored, picked, packed, consolidated onto a manifest and
released only after Customs clears it; it is in exactly one place all along."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from talat.catalog.models import Variant
from talat.logistics.models import Manifest, ManifestState, Parcel, ParcelMove, ParcelState, Route, Shipment
from talat.logistics.services import hub
from talat.orders import services as orders
from tests.factories import product, verified_enterprise

pytestmark = pytest.mark.django_db


def shipment_to(country="CN", n=[0]):  # noqa: B006 - a counter for unique tracking numbers
    n[0] += 1
    shop = verified_enterprise()
    variant = Variant.objects.get(product=product(shop, stock=5))
    order, _created = orders.accept_order(
        enterprise=shop, channel="lazada", channel_order_number=f"LZ-{n[0]}",
        lines=[orders.Wanted(variant, 1, 10_000)], buyer_country=country,
    )  # fmt: skip
    shipment = Shipment.objects.create(
        order=order,
        route=Route.CROSS_BORDER,
        partner="cainiao",
        tracking_number=f"CNTH{n[0]:010d}",
        weight_g=900,
    )
    return hub.expect(shipment)


def through_to_packed(parcel):
    hub.receive(tracking_number=parcel.shipment.tracking_number)
    parcel = hub.put_away(parcel=parcel, location="b-02-03")
    assert parcel.location == "B-02-03"
    parcel = hub.pick(parcel=parcel)
    return hub.pack(parcel=parcel)


def test_a_parcel_goes_through_the_hub_in_order():
    parcel = shipment_to()
    with pytest.raises(ValidationError):
        hub.pick(parcel=parcel)  # not received yet
    packed = through_to_packed(parcel)
    assert packed.state == ParcelState.PACKED
    moves = list(ParcelMove.objects.filter(parcel=parcel).values_list("to_state", flat=True))
    assert moves == ["received", "stored", "picked", "packed"]
    with pytest.raises(ValidationError) as unknown:
        hub.receive(tracking_number="CNTH9999999999")
    assert "CNTH9999999999" in unknown.value.messages[0]


def test_consolidation_by_destination_and_release_only_after_clearance():
    to_china = [through_to_packed(shipment_to("CN")) for _ in range(3)]
    to_laos = through_to_packed(shipment_to("LA"))
    manifest = hub.consolidate(
        destination="CN", transport="air", departure="TG 674", departs_at=timezone.now()
    )
    assert manifest.parcels.count() == 3 and Parcel.objects.get(pk=to_laos.pk).state == ParcelState.PACKED
    assert all(Parcel.objects.get(pk=p.pk).state == ParcelState.MANIFESTED for p in to_china)
    with pytest.raises(ValidationError):
        hub.release(manifest=manifest)
    hub.set_customs_state(manifest=manifest, state=ManifestState.CLEARED, declaration_number="A0011690000001")
    assert hub.release(manifest=manifest) == 3
    assert Manifest.objects.get(pk=manifest.pk).state == ManifestState.RELEASED
    counts = hub.counts()
    assert (
        counts["released"] == 3 and counts["packed"] == 1 and sum(counts.values()) == Parcel.objects.count()
    )
    with pytest.raises(ValidationError):
        hub.consolidate(destination="CN", transport="air", departure="TG 674", departs_at=timezone.now())


def test_the_database_refuses_a_parcel_in_two_places():
    parcel = through_to_packed(shipment_to())
    manifest = hub.consolidate(
        destination="CN", transport="truck", departure="70-1234", departs_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Parcel.objects.filter(pk=parcel.pk).update(state=ParcelState.STORED, manifest=manifest)
