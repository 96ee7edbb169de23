"""The hub's screens: scan in, put away, pick, pack, consolidate and release, for hub staff only."""

import pytest

from talat.accounts.models import Role
from talat.logistics.models import Manifest, ManifestState, Parcel, ParcelState
from talat.logistics.services import hub
from tests.factories import user
from tests.logistics.test_hub import shipment_to

pytestmark = pytest.mark.django_db


def test_hub_staff_take_a_parcel_from_the_door_to_the_departure(client):
    parcel = shipment_to("CN")
    number = parcel.shipment.tracking_number
    client.force_login(user(role=Role.PLATFORM_ADMIN))
    page = client.post("/hub/scan", {"tracking_number": number.lower()}, follow=True).content.decode()
    assert f"รับพัสดุ {number} เข้าศูนย์แล้ว" in page
    client.post(f"/hub/parcels/{parcel.pk}/step", {"action": "put_away", "location": "a-01-02"})
    client.post(f"/hub/parcels/{parcel.pk}/step", {"action": "pack"})  # not picked yet: refused
    assert Parcel.objects.get(pk=parcel.pk).state == ParcelState.STORED
    client.post(f"/hub/parcels/{parcel.pk}/step", {"action": "pick"})
    client.post(f"/hub/parcels/{parcel.pk}/step", {"action": "pack"})
    board = client.get("/hub/?state=packed").content.decode()
    assert number in board and 'name="destination"' in board
    made = client.post("/hub/manifests/", {"destination": "CN", "transport": "air", "departure": "TG 674",
                                           "departs_at": "2026-12-01T09:30"}, follow=True)  # fmt: skip
    manifest = Manifest.objects.get()
    assert number in made.content.decode() and manifest.departure == "TG 674"
    refused = client.post(f"/hub/manifests/{manifest.uid}/release", follow=True).content.decode()
    assert "ศุลกากรตรวจปล่อยแล้วเท่านั้น" in refused
    hub.set_customs_state(manifest=manifest, state=ManifestState.CLEARED, declaration_number="A0011690000001")
    client.post(f"/hub/manifests/{manifest.uid}/release")
    assert Parcel.objects.get(pk=parcel.pk).state == ParcelState.RELEASED


def test_an_unknown_parcel_and_a_seller_are_turned_away(client):
    client.force_login(user(role=Role.PLATFORM_ADMIN))
    page = client.post("/hub/scan", {"tracking_number": "NOPE123"}, follow=True).content.decode()
    assert "ไม่พบพัสดุเลขที่ NOPE123" in page
    client.force_login(user())
    assert client.get("/hub/").status_code == 403
