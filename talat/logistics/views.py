"""The hub's screens for its staff (operators of the logistics partner that runs the EEC hub, and
platform admins): scan parcels in, put them away, pick, pack, consolidate into manifests and
release them once Customs has cleared them."""

import functools
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from talat.accounts.models import Role
from talat.customs.connector import EVENT_SIGNATURE_HEADER, BadSignature, CustomsError, verify_event
from talat.governance import border
from talat.logistics import webhooks
from talat.logistics.connectors.base import LogisticsError
from talat.logistics.labels import render_labels
from talat.logistics.models import Manifest, Parcel, ParcelState, Shipment, Transport
from talat.logistics.services import customs, hub, shipments, tracking
from talat.orders.models import Order
from talat.registry.decorators import seller_required
from talat.registry.models import PartnerKind


def hub_staff_required(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        operator = (
            user.role == Role.PARTNER_OPERATOR
            and hasattr(user, "affiliation")
            and user.affiliation.partner is not None
            and user.affiliation.partner.kind == PartnerKind.LOGISTICS
        )
        if not (operator or user.role == Role.PLATFORM_ADMIN):
            raise PermissionDenied(_("เฉพาะเจ้าหน้าที่ศูนย์โลจิสติกส์"))
        return view(request, *args, **kwargs)

    return wrapped


def _done(request, action, *args, **kwargs):
    try:
        action(*args, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


@hub_staff_required
def board(request):
    """Every parcel by state (they add up to all parcels the hub knows), the work waiting at each
    step, and the manifests."""
    state = request.GET.get("state", ParcelState.RECEIVED)
    if state not in ParcelState.values:
        state = ParcelState.RECEIVED
    parcels = Parcel.objects.filter(state=state).select_related("shipment").order_by("updated_at", "pk")
    counts = hub.counts()
    return render(
        request,
        "logistics/board.html",
        {
            "counts": [(ParcelState(code), n) for code, n in counts.items()],
            "total": sum(counts.values()),
            "state": ParcelState(state),
            "parcels": Paginator(parcels, 50).get_page(request.GET.get("page")),
            "manifests": Manifest.objects.all()[:20],
            "transports": Transport.choices,
            "destinations": sorted(
                Parcel.objects.filter(state=ParcelState.PACKED)
                .values_list("destination", flat=True)
                .distinct()
            ),
        },
    )


@hub_staff_required
@require_POST
def scan_in(request):
    number = request.POST.get("tracking_number", "")
    if _done(request, hub.receive, tracking_number=number, by=request.user):
        messages.success(request, _("รับพัสดุ %(number)s เข้าศูนย์แล้ว") % {"number": number.strip().upper()})
    return redirect("logistics:board")


@hub_staff_required
@require_POST
def step(request, pk):
    parcel = get_object_or_404(Parcel.objects.select_related("shipment"), pk=pk)
    action = request.POST.get("action")
    moves = {
        "put_away": lambda: hub.put_away(
            parcel=parcel, location=request.POST.get("location", ""), by=request.user
        ),
        "pick": lambda: hub.pick(parcel=parcel, by=request.user),
        "pack": lambda: hub.pack(parcel=parcel, by=request.user),
    }
    if action not in moves:
        messages.error(request, _("ไม่รู้จักคำสั่งนี้"))
    elif _done(request, moves[action]):
        messages.success(request, _("บันทึกแล้ว: %(number)s") % {"number": parcel.shipment.tracking_number})
    # Back to the step the parcel came from, where the rest of that work waits.
    return redirect(f"{reverse('logistics:board')}?state={parcel.state}")


@hub_staff_required
@require_POST
def consolidate(request):
    try:
        departs_at = timezone.make_aware(datetime.fromisoformat(request.POST.get("departs_at", "")))
    except ValueError:
        messages.error(request, _("กรุณาระบุเวลาออกเดินทาง"))
        return redirect("logistics:board")
    transport = request.POST.get("transport", "")
    if transport not in Transport.values or not request.POST.get("departure", "").strip():
        messages.error(request, _("กรุณาเลือกการขนส่งและระบุเที่ยวบินหรือทะเบียนรถ"))
        return redirect("logistics:board")
    try:
        manifest = hub.consolidate(
            destination=request.POST.get("destination", ""), transport=transport,
            departure=request.POST["departure"], departs_at=departs_at, by=request.user,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("logistics:board")
    messages.success(request, _("สร้างบัญชีสินค้า %(number)s แล้ว") % {"number": manifest.number})
    return redirect("logistics:manifest", uid=manifest.uid)


@hub_staff_required
def manifest(request, uid):
    found = get_object_or_404(Manifest, uid=uid)
    parcels = found.parcels.select_related("shipment__order").order_by("pk")
    return render(
        request,
        "logistics/manifest.html",
        {"manifest": found, "parcels": Paginator(parcels, 100).get_page(request.GET.get("page"))},
    )


@hub_staff_required
@require_POST
def release(request, uid):
    found = get_object_or_404(Manifest, uid=uid)
    try:
        gone = hub.release(manifest=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("ปล่อยพัสดุ %(n)s ชิ้นออกจากศูนย์แล้ว") % {"n": gone})
    return redirect("logistics:manifest", uid=found.uid)


@hub_staff_required
@require_POST
def declare(request, uid):
    found = get_object_or_404(Manifest, uid=uid)
    try:
        customs.declare(manifest=found, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except (CustomsError, border.Refused) as error:
        messages.error(request, _("ส่งใบขนสินค้าไม่สำเร็จ: %(reason)s") % {"reason": error})
    else:
        found.refresh_from_db()
        messages.success(request, _("ยื่นใบขนสินค้าแล้ว: %(state)s") % {"state": found.get_state_display()})
    return redirect("logistics:manifest", uid=found.uid)


@csrf_exempt
@require_POST
def customs_notify(request):
    """Customs' signed notifications of a declaration's verdict (accepted, rejected, released)."""
    try:
        event = verify_event(
            request.body, request.headers.get(EVENT_SIGNATURE_HEADER, ""), settings.TALAT_CUSTOMS["secret"]
        )
    except BadSignature as error:
        return JsonResponse({"error": "bad_signature", "detail": str(error)}, status=401)
    found = customs.customs_said(
        declaration_number=str(event.get("declarationNumber", "")), status=str(event.get("status", "")),
        reason="; ".join(str(e.get("messageThai", "")) for e in event.get("errors") or []),
    )  # fmt: skip
    return JsonResponse({"status": "recorded" if found else "ignored"})


# --- partners' tracking webhooks ----------------------------------------------------------------

WEBHOOK_PARTNERS = {"hub": "cainiao", "carrier": "thailandpost"}


@csrf_exempt
@require_POST
def tracking_notify(request, source):
    """Where the hub's logistics partner and the carrier push tracking events (signed)."""
    partner = WEBHOOK_PARTNERS.get(source)
    if partner is None:
        return JsonResponse({"error": "not_found", "detail": "unknown partner"}, status=404)
    try:
        events = webhooks.verify(
            request.body,
            header=request.headers.get(webhooks.SIGNATURE_HEADER, ""),
            secret=settings.TALAT_LOGISTICS[partner]["webhook_secret"],
        )
    except webhooks.BadWebhook as error:
        status = 401 if error.code in ("bad_signature", "stale") else 400
        return JsonResponse({"error": error.code, "detail": str(error)}, status=status)
    return JsonResponse({"status": "recorded", "new": tracking.record(events)})


# --- the seller's shipping --------------------------------------------------------------------


@seller_required
@require_POST
def book(request, uid):
    order = get_object_or_404(Order, uid=uid, enterprise=request.enterprise)
    try:
        weight_g = int(request.POST.get("weight_g") or 0)
    except ValueError:
        weight_g = 0
    try:
        shipment = shipments.book(order=order, weight_g=weight_g, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (LogisticsError, border.Refused) as error:
        messages.error(request, _("จองการจัดส่งไม่สำเร็จ: %(reason)s") % {"reason": error})
    else:
        messages.success(request, _("จองการจัดส่งแล้ว เลขพัสดุ %(number)s") % {"number": shipment.tracking_number})
    return redirect("orders:detail", uid=order.uid)


@seller_required
def label(request, uid):
    shipment = get_object_or_404(
        Shipment.objects.select_related("order__enterprise"), uid=uid, order__enterprise=request.enterprise
    )
    response = HttpResponse(render_labels([shipment]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="label-{shipment.tracking_number}.pdf"'
    return response
