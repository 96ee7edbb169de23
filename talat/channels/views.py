"""The seller's channel pages: connect marketplace accounts, publish products, watch each listing's
state and each call's outcome, retry what failed."""

import uuid

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from talat.catalog.models import Product, ProductStatus
from talat.channels import services
from talat.channels.models import ChannelAccount, ChannelJob, JobState, Listing
from talat.registry.decorators import seller_required
from talat.registry.models import Partner, PartnerKind


def _account(request, uid) -> ChannelAccount:
    return get_object_or_404(
        ChannelAccount.objects.select_related("partner"), uid=uid, enterprise=request.enterprise
    )


@seller_required
def accounts(request):
    connected = ChannelAccount.objects.filter(enterprise=request.enterprise).select_related("partner")
    partners = [p for p in Partner.objects.filter(kind=PartnerKind.MARKETPLACE) if services.supported(p)]
    return render(request, "channels/accounts.html", {"accounts": connected, "partners": partners})


STATE_SALT = "talat.channels.connect"


@require_GET
@seller_required
def connect(request, code):
    """Sends the seller to the partner's authorization page; the partner sends them back to
    `callback` with a one-time code and our signed state. (A link, not a form: the page's CSP
    allows forms to post only to Talat itself.)"""
    partner = get_object_or_404(Partner, code=code, kind=PartnerKind.MARKETPLACE)
    if not services.supported(partner):
        raise Http404
    state = signing.dumps(
        {"e": request.enterprise.pk, "u": request.user.pk, "p": partner.code}, salt=STATE_SALT
    )
    redirect_uri = request.build_absolute_uri(reverse("channels:callback", args=[partner.code]))
    return redirect(services.authorize_url(partner=partner, redirect_uri=redirect_uri, state=state))


@seller_required
def callback(request, code):
    partner = get_object_or_404(Partner, code=code, kind=PartnerKind.MARKETPLACE)
    try:
        state = signing.loads(request.GET.get("state", ""), salt=STATE_SALT, max_age=900)
    except signing.BadSignature:
        messages.error(request, _("ลิงก์เชื่อมต่อไม่ถูกต้องหรือหมดอายุ กรุณาเริ่มใหม่"))
        return redirect("channels:accounts")
    if state != {"e": request.enterprise.pk, "u": request.user.pk, "p": partner.code}:
        messages.error(request, _("ลิงก์เชื่อมต่อไม่ถูกต้องหรือหมดอายุ กรุณาเริ่มใหม่"))
        return redirect("channels:accounts")
    if request.GET.get("error"):
        messages.error(request, _("คุณไม่ได้อนุญาตให้ตลาดเชื่อมต่อกับ %(partner)s") % {"partner": partner})
        return redirect("channels:accounts")
    try:
        account = services.connect_account(enterprise=request.enterprise, partner=partner,
                                           code=request.GET.get("code", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("channels:accounts")
    messages.success(request, _("เชื่อมต่อ %(partner)s แล้ว") % {"partner": partner})
    return redirect("channels:account", uid=account.uid)


@seller_required
def account(request, uid):
    account = _account(request, uid)
    listings = Listing.objects.filter(account=account).select_related("product")
    listed = set(listings.values_list("product_id", flat=True))
    unlisted = Product.objects.filter(enterprise=request.enterprise, status=ProductStatus.ACTIVE).exclude(
        pk__in=listed
    )
    jobs = Paginator(ChannelJob.objects.filter(account=account).select_related("listing__product"), 20)
    return render(
        request,
        "channels/account.html",
        {
            "account": account,
            "listings": listings,
            "unlisted": unlisted,
            "jobs": jobs.get_page(request.GET.get("page")),
        },
    )


@require_POST
@seller_required
def publish(request, uid):
    account = _account(request, uid)
    chosen = Product.objects.filter(
        enterprise=request.enterprise,
        status=ProductStatus.ACTIVE,
        uid__in=_uuids(request.POST.getlist("product")),
    )
    if not chosen:
        messages.error(request, _("กรุณาเลือกสินค้าอย่างน้อยหนึ่งรายการ"))
    else:
        listings = services.publish(account=account, products=chosen, by=request.user)
        messages.success(request, _("ส่งสินค้า %(n)s รายการไปลงขายแล้ว") % {"n": len(listings)})
    return redirect("channels:account", uid=uid)


def _uuids(values) -> list[uuid.UUID]:
    valid = []
    for value in values:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return valid


@require_POST
@seller_required
def pull(request, uid):
    services.pull_orders(account=_account(request, uid))
    messages.success(request, _("กำลังดึงคำสั่งซื้อ"))
    return redirect("channels:account", uid=uid)


@require_POST
@seller_required
def retry(request, uid, job_id):
    account = _account(request, uid)
    job = get_object_or_404(ChannelJob, pk=job_id, account=account, state=JobState.FAILED)
    services.retry(job=job)
    messages.success(request, _("ส่งงานซ้ำแล้ว"))
    return redirect("channels:account", uid=uid)
