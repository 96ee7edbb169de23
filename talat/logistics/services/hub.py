"""The EEC hub: parcels scanned in, put away in bonded storage, picked, packed, consolidated into
export manifests by destination and departure, and released once Customs clears the manifest.
Every move is checked against PARCEL_MOVES under a row lock and kept as a ParcelMove."""

import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.logistics.models import (
    PARCEL_MOVES,
    Manifest,
    ManifestState,
    Parcel,
    ParcelMove,
    ParcelState,
    Route,
    Shipment,
)


def _move(parcel: Parcel, to: str, *, by=None, location: str | None = None, manifest=None) -> Parcel:
    locked = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if to not in PARCEL_MOVES[locked.state]:
        raise ValidationError(
            _("พัสดุ %(number)s อยู่ในสถานะ “%(current)s” จึงเปลี่ยนเป็น “%(target)s” ไม่ได้")
            % {
                "number": parcel.shipment.tracking_number,
                "current": locked.get_state_display(),
                "target": ParcelState(to).label,
            },
            code="illegal_move",
        )
    previous = locked.state
    locked.state = to
    if location is not None:
        locked.location = location
    if to in (ParcelState.MANIFESTED, ParcelState.PACKED):
        locked.manifest = manifest
    locked.save(update_fields=["state", "location", "manifest", "updated_at"])
    ParcelMove.objects.create(
        parcel=locked, from_state=previous, to_state=to, location=locked.location, by=by
    )
    return locked


def expect(shipment: Shipment) -> Parcel:
    """A cross-border shipment booked through the hub: the hub expects its parcel."""
    parcel, _created = Parcel.objects.get_or_create(
        shipment=shipment, defaults={"destination": shipment.order.buyer_country}
    )
    return parcel


def receive(*, tracking_number: str, by=None) -> Parcel:
    """Inbound scan at the hub door."""
    parcel = (
        Parcel.objects.select_related("shipment")
        .filter(shipment__tracking_number=tracking_number.strip().upper(), shipment__route=Route.CROSS_BORDER)
        .first()
    )
    if parcel is None:
        raise ValidationError(
            _("ไม่พบพัสดุเลขที่ %(number)s ที่ศูนย์รอรับ") % {"number": tracking_number}, code="unknown"
        )
    with transaction.atomic():
        return _move(parcel, ParcelState.RECEIVED, by=by, location="INBOUND")


def put_away(*, parcel: Parcel, location: str, by=None) -> Parcel:
    location = location.strip().upper()
    if not location:
        raise ValidationError({"location": _("กรุณาระบุตำแหน่งจัดเก็บ")})
    with transaction.atomic():
        return _move(parcel, ParcelState.STORED, by=by, location=location[:20])


def pick(*, parcel: Parcel, by=None) -> Parcel:
    with transaction.atomic():
        return _move(parcel, ParcelState.PICKED, by=by, location="PICKING")


def pack(*, parcel: Parcel, by=None) -> Parcel:
    with transaction.atomic():
        return _move(parcel, ParcelState.PACKED, by=by, location="OUTBOUND")


def _manifest_number(destination: str, departs_at) -> str:
    return f"MF{timezone.localtime(departs_at):%y%m%d}{destination}{secrets.token_hex(3).upper()}"


def consolidate(
    *,
    destination: str,
    transport: str,
    departure: str,
    departs_at,
    by=None,
    parcels: Sequence[Parcel] | None = None,
) -> Manifest:
    """An export manifest of every packed parcel for `destination` (or of `parcels`), moved onto
    it in bulk: one UPDATE for the parcels and one INSERT for their moves."""
    with transaction.atomic():
        chosen = Parcel.objects.select_for_update().filter(state=ParcelState.PACKED, destination=destination)
        if parcels is not None:
            chosen = chosen.filter(pk__in=[p.pk for p in parcels])
        ids = list(chosen.values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("ไม่มีพัสดุที่บรรจุแล้วสำหรับปลายทางนี้"), code="nothing_packed")
        manifest = Manifest.objects.create(
            number=_manifest_number(destination, departs_at),
            destination=destination,
            transport=transport,
            departure=departure.strip()[:40],
            departs_at=departs_at,
        )
        Parcel.objects.filter(pk__in=ids).update(
            state=ParcelState.MANIFESTED,
            manifest=manifest,
            location=f"MF:{manifest.number}"[:20],
            updated_at=timezone.now(),
        )
        ParcelMove.objects.bulk_create(
            [
                ParcelMove(
                    parcel_id=pk, from_state=ParcelState.PACKED, to_state=ParcelState.MANIFESTED, by=by
                )
                for pk in ids
            ],
            batch_size=5_000,
        )
    return manifest


def set_customs_state(
    *, manifest: Manifest, state: str, declaration_number: str = "", reason: str = ""
) -> None:
    Manifest.objects.filter(pk=manifest.pk).update(
        state=state,
        declaration_number=declaration_number or manifest.declaration_number,
        customs_reason=reason[:300],
        updated_at=timezone.now(),
    )
    manifest.refresh_from_db()


def release(*, manifest: Manifest, by=None) -> int:
    """The departure leaves: allowed only once Customs has cleared the manifest. Returns how many
    parcels went."""
    with transaction.atomic():
        locked = Manifest.objects.select_for_update().get(pk=manifest.pk)
        if locked.state != ManifestState.CLEARED:
            raise ValidationError(
                _("ปล่อยบัญชีสินค้าได้เมื่อศุลกากรตรวจปล่อยแล้วเท่านั้น (ตอนนี้: %(state)s)")
                % {"state": locked.get_state_display()},
                code="not_cleared",
            )
        ids = list(locked.parcels.filter(state=ParcelState.MANIFESTED).values_list("pk", flat=True))
        Parcel.objects.filter(pk__in=ids).update(state=ParcelState.RELEASED, updated_at=timezone.now())
        ParcelMove.objects.bulk_create(
            [
                ParcelMove(
                    parcel_id=pk, from_state=ParcelState.MANIFESTED, to_state=ParcelState.RELEASED, by=by
                )
                for pk in ids
            ],
            batch_size=5_000,
        )
        locked.state = ManifestState.RELEASED
        locked.save(update_fields=["state", "updated_at"])
    manifest.refresh_from_db()
    return len(ids)


def counts() -> dict[str, int]:
    """Parcels by state: they always add up to the parcels the hub knows."""
    found = dict(Parcel.objects.values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in ParcelState.values}
