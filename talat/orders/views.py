"""The seller's order inbox: every channel's orders in one list, each order's page with the
moves it allows, and bulk packing."""

from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.orders import services
from talat.orders.models import Order, OrderStatus
from talat.orders.packing import render_packing_slips
from talat.registry.decorators import seller_required


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, made aware below
    except ValueError:
        return None


@seller_required
def inbox(request):
    orders = Order.objects.filter(enterprise=request.enterprise).prefetch_related("lines")
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    start, end = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel=channel)
    if start:
        orders = orders.filter(placed_at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end:
        orders = orders.filter(placed_at__lte=timezone.make_aware(datetime.combine(end, time.max)))
    channels = (
        Order.objects.filter(enterprise=request.enterprise)
        .order_by("channel")
        .values_list("channel", flat=True)
        .distinct()
    )
    page = Paginator(orders, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/inbox.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "channels": channels,
            "statuses": OrderStatus.choices,
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
            "query": query.urlencode(),
        },
    )


@seller_required
def detail(request, uid):
    order = get_object_or_404(
        Order.objects.prefetch_related("lines", "events"), uid=uid, enterprise=request.enterprise
    )
    return render(request, "orders/detail.html", {"order": order, "next": order.next_statuses()})


def _baht_to_satang(text: str) -> int:
    try:
        amount = Decimal((text or "").replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({"amount": _("จำนวนเงินต้องเป็นตัวเลข เช่น 120.50")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("จำนวนเงินต้องเป็นตัวเลข เช่น 120.50")})
    if amount.normalize().as_tuple().exponent < -2:
        raise ValidationError({"amount": _("จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง")})
    return int(amount * 100)


MOVES = {
    OrderStatus.PACKED: lambda request, order: services.mark_packed(order=order, actor=request.user),
    OrderStatus.SHIPPED: lambda request, order: services.mark_shipped(
        order=order,
        carrier=request.POST.get("carrier", ""),
        tracking_number=request.POST.get("tracking_number", ""),
        actor=request.user,
    ),  # fmt: skip
    OrderStatus.DELIVERED: lambda request, order: services.mark_delivered(order=order, actor=request.user),
    OrderStatus.CANCELLED: lambda request, order: services.cancel_order(
        order=order, reason="seller_cancelled", actor=request.user
    ),
}


@seller_required
@require_POST
def move(request, uid):
    """One step of the order's life, chosen by the seller: pack, ship, deliver, cancel or refund."""
    order = get_object_or_404(Order, uid=uid, enterprise=request.enterprise)
    action = request.POST.get("to", "")
    try:
        if action == "refund":
            amount = request.POST.get("amount", "").strip()
            services.refund(
                order=order,
                amount_minor=_baht_to_satang(amount) if amount else None,
                reason=request.POST.get("reason", "").strip(),
                actor=request.user,
            )
            messages.success(request, _("บันทึกการคืนเงินแล้ว และออกใบลดหนี้ให้ผู้ซื้อแล้ว"))
        elif action in MOVES:
            MOVES[action](request, order)
            messages.success(
                request, _("เปลี่ยนสถานะเป็น “%(status)s” แล้ว") % {"status": OrderStatus(action).label}
            )
        else:
            messages.error(request, _("ไม่รู้จักคำสั่งนี้"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("orders:detail", uid=order.uid)


@seller_required
@require_POST
def bulk(request):
    """Many orders at once: mark them packed, or print their packing slips."""
    chosen = Order.objects.filter(enterprise=request.enterprise, uid__in=request.POST.getlist("orders"))
    chosen = list(chosen.select_related("enterprise").prefetch_related("lines"))
    if not chosen:
        messages.error(request, _("กรุณาเลือกคำสั่งซื้ออย่างน้อยหนึ่งรายการ"))
        return redirect("orders:inbox")
    if request.POST.get("action") == "slips":
        response = HttpResponse(render_packing_slips(chosen), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="packing-slips.pdf"'
        return response
    packed, refused = 0, []
    for order in chosen:
        try:
            services.mark_packed(order=order, actor=request.user)
            packed += 1
        except ValidationError as error:
            refused.append(" ".join(error.messages))
    if packed:
        messages.success(request, _("แพ็กแล้ว %(n)s รายการ") % {"n": packed})
    for reason in refused:
        messages.error(request, reason)
    return redirect("orders:inbox")
