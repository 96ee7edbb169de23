"""The national storefront: public pages anyone can browse, in Thai, English and Chinese."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import geothai
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.catalog.models import Certification, Product, ProductStatus, Variant
from talat.catalog.search.engine import PRICE_BANDS, search
from talat.customs import landed_cost
from talat.ledger import rates
from talat.logistics.models import Shipment
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.payments import qr
from talat.payments.models import PaymentRequest, PaymentStatus
from talat.registry.decorators import seller_required
from talat.registry.models import Enterprise, GoodsCategory, VerificationStatus
from talat.storefront import cart
from talat.storefront.forms import CheckoutForm, ShopProfileForm
from talat.storefront.models import ShopProfile
from talat.storefront.services import place_orders


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _search_context(request, **fixed):
    params = {key: request.GET.get(key, "").strip() for key in ("q", "category", "province", "price", "cert")}
    params.update(fixed)
    results = search(
        params["q"], category=params["category"], province=params["province"], price=params["price"],
        certification=params["cert"], enterprise_id=fixed.get("enterprise_id"), page=_page_number(request),
    )  # fmt: skip
    categories = {c.code: c for c in GoodsCategory.objects.all()}
    facets = results.facets
    return {
        "results": results,
        "params": params,
        "category_facet": [
            (categories[code], n) for code, n in sorted(facets["category"].items()) if code in categories
        ],
        "province_facet": sorted(
            ((geothai.province(code), n) for code, n in facets["province"].items()), key=lambda item: -item[1]
        )[:15],
        "price_facet": [(code, n) for code, _low, _high in PRICE_BANDS if (n := facets["price"][code])],
        "cert_facet": [(Certification(code), n) for code, n in facets["certification"].items() if n],
    }


def home(request):
    context = _search_context(request)
    context["categories"] = GoodsCategory.objects.all()
    return render(request, "storefront/home.html", context)


def results(request):
    template = "storefront/_results.html" if request.htmx else "storefront/search.html"
    return render(request, template, _search_context(request))


def category(request, code):
    chosen = get_object_or_404(GoodsCategory, code=code)
    context = _search_context(request, category=code)
    context["chosen_category"] = chosen
    return render(request, "storefront/search.html", context)


def _on_sale(queryset):
    return queryset.filter(status=ProductStatus.ACTIVE, enterprise__status=VerificationStatus.VERIFIED)


def _structured_data(request, product, variants) -> str:
    """schema.org Product with its offers, for search engines."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description[:500],
        "sku": variants[0].sku if variants else "",
        "brand": {"@type": "Brand", "name": product.brand or product.enterprise.display_name},
        "category": str(product.category),
        "countryOfOrigin": "TH",
        "image": [request.build_absolute_uri(i.image.url) for i in product.images.all()],
        "offers": [
            {
                "@type": "Offer",
                "sku": v.sku,
                "price": f"{v.price_satang // 100}.{v.price_satang % 100:02d}",
                "priceCurrency": "THB",
                "availability": "https://schema.org/" + ("InStock" if v.available else "OutOfStock"),
                "url": request.build_absolute_uri(reverse("storefront:product", args=[product.uid])),
            }
            for v in variants
        ],
    }
    if variants and variants[0].barcode:
        data["gtin"] = variants[0].barcode
    # Safe inside <script>, as json_script escapes: no markup character survives.
    return json.dumps(data, ensure_ascii=False).translate(
        {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
    )


def product(request, uid):
    item = get_object_or_404(
        _on_sale(Product.objects.select_related("enterprise", "category")).prefetch_related("images"), uid=uid
    )
    variants = list(item.variants.all())
    return render(
        request,
        "storefront/product.html",
        {"product": item, "variants": variants, "structured_data": _structured_data(request, item, variants),
         "province": item.province, "yuan_rate": _yuan_prices(variants)},
    )  # fmt: skip


def _yuan_prices(variants):
    """For SKUs without the seller's own yuan price: the baht price in yuan at the Bank of
    Thailand's latest reference rate (shown as approximate, with the rate's date)."""
    today = timezone.localdate()
    try:
        rate = rates.rate_on("CNY", today)
    except rates.NoRate:
        return None
    for variant in variants:
        if not variant.cny_price_fen:
            variant.approx_fen = rates.convert(variant.price_satang, "CNY", on=today)
    return rate


def shop(request, uid):
    enterprise = get_object_or_404(Enterprise, uid=uid, status=VerificationStatus.VERIFIED)
    context = _search_context(request, enterprise_id=enterprise.pk)
    context["shop"] = enterprise
    context["profile"] = ShopProfile.objects.filter(enterprise=enterprise).first()
    return render(request, "storefront/shop.html", context)


@require_POST
def cart_add(request):
    try:
        variant_id, quantity = int(request.POST["variant"]), int(request.POST.get("quantity", "1"))
    except (KeyError, ValueError) as error:
        raise Http404 from error
    variant = get_object_or_404(_on_sale_variants(), pk=variant_id)
    if quantity < 1:
        messages.error(request, _("จำนวนต้องมากกว่าศูนย์"))
    elif quantity > variant.available:
        messages.error(request, _("สินค้ามีไม่พอ เหลือ %(n)s ชิ้น") % {"n": variant.available})
    else:
        cart.add(request.session, variant.pk, quantity)
        messages.success(request, _("เพิ่ม %(name)s ลงตะกร้าแล้ว") % {"name": variant.product.name})
    return redirect("storefront:product", uid=variant.product.uid)


def _on_sale_variants():
    return Variant.objects.filter(
        product__status=ProductStatus.ACTIVE, enterprise__status=VerificationStatus.VERIFIED
    ).select_related("product")


def cart_view(request):
    if request.method == "POST":
        for key, value in request.POST.items():
            if key.startswith("qty-"):
                try:
                    cart.set_quantity(request.session, int(key[4:]), int(value or 0))
                except ValueError:
                    messages.error(request, _("จำนวนต้องเป็นตัวเลข"))
        return redirect("storefront:cart")
    lines = cart.lines(request.session)
    return render(
        request,
        "storefront/cart.html",
        {"lines": lines, "total": sum(line.total_satang for line in lines), "form": CheckoutForm()},
    )


def _checkout_summary(lines, shipping_method: str) -> dict:
    """What the buyer will pay: each shop's goods plus its delivery, and the VAT included for
    shops registered for VAT (the same sums the orders will carry)."""
    fee = settings.TALAT_SHIPPING_FEES.get(shipping_method, 0)
    shops = {}
    for line in lines:
        shops.setdefault(line.variant.enterprise, []).append(line)
    goods = sum(line.total_satang for line in lines)
    vat = sum(
        orders.vat_included(sum(item.total_satang for item in items) + fee, registered=shop.vat_registered)
        for shop, items in shops.items()
    )
    shipping = len(shops) * fee
    total = goods + shipping
    return {
        "lines": lines,
        "goods": goods,
        "shops": len(shops),
        "shipping": shipping,
        "total": total,
        "vat": vat,
    }


def checkout(request):
    """Buyer details, delivery and a total before anything is held; placing the order holds the
    stock and asks for one PromptPay payment."""
    lines = cart.lines(request.session)
    if not lines:
        return redirect("storefront:cart")
    form = CheckoutForm(request.POST or None)
    country = form.data.get("buyer_country") or "TH"
    estimates = _landed_costs(lines, country)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A route that does not take the goods stops the order; an estimate that could not be
        # made (no exchange rate yet) is shown but does not.
        for refused in (estimate for _line, estimate in estimates if estimate.refused and estimate.estimable):
            form.add_error(None, refused.reason)
        if form.errors:
            return render(request, "storefront/checkout.html", {"form": form, "estimates": estimates,
                          **_checkout_summary(lines, data["shipping_method"])}, status=422)  # fmt: skip
        try:
            payment = place_orders(
                lines=lines,
                buyer_name=data["buyer_name"],
                buyer_email=data["buyer_email"],
                buyer_phone=data["buyer_phone"],
                buyer_country=data["buyer_country"],
                address=form.address(),
                shipping_method=data["shipping_method"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            cart.clear(request.session, [line.variant.pk for line in lines])
            return redirect("storefront:pay", uid=payment.uid)
    method = form.data.get("shipping_method") or form["shipping_method"].initial
    summary = _checkout_summary(lines, method)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "estimates": estimates, **summary}
    return render(request, "storefront/checkout.html", context, status=status)


def _landed_costs(lines, country: str) -> list:
    """For a buyer abroad: each line's import duty and taxes at the destination (China's
    cross-border retail rules, or the CLMV country's), or why that route refuses it."""
    if country == "TH":
        return []
    return [
        (line, landed_cost.estimate(destination=country, hs_code=line.variant.product.hs_code or "",
                                    value_minor=line.total_satang, currency="THB"))
        for line in lines
    ]  # fmt: skip


def landed_costs(request):
    """The checkout's import-tax estimate and totals for the destination and delivery the buyer
    just chose (htmx: the estimate in place, the totals out of band)."""
    lines = cart.lines(request.session)
    country = request.GET.get("buyer_country") or "TH"
    method = request.GET.get("shipping_method") or ("standard" if country == "TH" else "cross_border")
    context = {"estimates": _landed_costs(lines, country), "oob": True, **_checkout_summary(lines, method)}
    return render(request, "storefront/_landed_cost.html", context)


def _payment(uid) -> PaymentRequest:
    return get_object_or_404(PaymentRequest, uid=uid)


def pay(request, uid):
    """The buyer's payment page: the PromptPay QR, what it pays for, and a status that turns to
    paid by itself (htmx polls the status fragment)."""
    payment = _payment(uid)
    placed = payment.orders.select_related("enterprise").prefetch_related("lines")
    sandbox = ""
    if settings.TALAT_BANK_SANDBOX_PAGE:
        back = request.build_absolute_uri(reverse("storefront:pay", args=[payment.uid]))
        sandbox = f"{settings.TALAT_BANK_SANDBOX_PAGE}?{urlencode({'qr': payment.payload, 'return': back})}"
    deadline = payment.created_at + timedelta(minutes=settings.TALAT_UNPAID_ORDER_MINUTES)
    context = {"payment": payment, "orders": placed, "sandbox_url": sandbox, "deadline": deadline,
               **_pay_state(payment)}  # fmt: skip
    return render(request, "storefront/pay.html", context)


def _pay_state(payment: PaymentRequest) -> dict:
    statuses = {order.status for order in payment.orders.all()}
    return {
        "paid": payment.status == PaymentStatus.PAID,
        "expired": statuses == {OrderStatus.CANCELLED} and payment.status == PaymentStatus.PENDING,
        "review": payment.status == PaymentStatus.REVIEW,
    }


def pay_status(request, uid):
    payment = _payment(uid)
    return render(request, "storefront/_pay_status.html", {"payment": payment, **_pay_state(payment)})


def pay_qr(request, uid, fmt):
    if fmt not in ("svg", "png"):
        raise Http404
    payment = _payment(uid)
    payee, amount = settings.TALAT_PROMPTPAY_PAYEE, payment.amount_minor
    if fmt == "svg":
        return HttpResponse(
            qr.svg(payment.payload, payee=payee, amount_satang=amount), content_type="image/svg+xml"
        )
    return HttpResponse(qr.png(payment.payload, payee=payee, amount_satang=amount), content_type="image/png")


def order_page(request, uid):
    """The buyer's page for one order: where it is, what happened, and its receipt."""
    order = get_object_or_404(
        Order.objects.select_related("enterprise").prefetch_related("lines", "events"),
        uid=uid,
        channel="storefront",
    )
    return render(
        request, "storefront/order.html", {"order": order, "payment": order.payment_requests.first()}
    )


@seller_required
def shop_profile(request):
    """The seller writes the story their shop page tells, in up to three languages."""
    profile = ShopProfile.objects.filter(enterprise=request.enterprise).first() or ShopProfile(
        enterprise=request.enterprise
    )
    form = ShopProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกเรื่องราวของร้านแล้ว"))
        return redirect("storefront:shop_profile")
    return render(request, "storefront/shop_profile.html", {"form": form, "shop": request.enterprise})


def track(request, number):
    """Where a parcel is, for anyone holding its tracking number: the partners' scans, no
    personal data."""
    shipment = get_object_or_404(Shipment, tracking_number=number.strip().upper())
    return render(request, "storefront/track.html", {"shipment": shipment, "events": shipment.events.all()})
