"""The seller's order inbox: every channel's orders in one list."""

from datetime import datetime, time

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from talat.orders.models import Order, OrderStatus
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
    order = get_object_or_404(Order.objects.prefetch_related("lines"), uid=uid, enterprise=request.enterprise)
    return render(request, "orders/detail.html", {"order": order})
