"""The seller's channel pages: connect marketplace accounts, publish products, watch each listing's
state and each call's outcome, retry what failed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.catalog.models import Product, ProductStatus
from talat.channels import services
from talat.channels.forms import ConnectForm
from talat.channels.models import ChannelAccount, ChannelJob, JobState, Listing
from talat.core.forms import add_service_errors
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
    form = ConnectForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.connect_account(enterprise=request.enterprise, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("เชื่อมต่อ %(partner)s แล้ว") % {"partner": account.partner})
            return redirect("channels:account", uid=account.uid)
    return render(
        request,
        "channels/accounts.html",
        {"accounts": connected, "form": form},
        status=422 if request.method == "POST" else 200,
    )


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
    chosen = Product.objects.filter(enterprise=request.enterprise, uid__in=request.POST.getlist("product"))
    if not chosen:
        messages.error(request, _("กรุณาเลือกสินค้าอย่างน้อยหนึ่งรายการ"))
    else:
        listings = services.publish(account=account, products=chosen, by=request.user)
        messages.success(request, _("ส่งสินค้า %(n)s รายการไปลงขายแล้ว") % {"n": len(listings)})
    return redirect("channels:account", uid=uid)


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
