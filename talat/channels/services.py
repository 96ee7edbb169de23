"""Selling on partner marketplaces: connecting an account, publishing listings, keeping every
channel's price and stock in step with the one stock count, and pulling orders into the inbox.

Every call to a partner is a `ChannelJob` run by a background task (`run_job`): its data passes
the border first, it carries an idempotency key, retryable failures are retried with back-off,
and a failure that retries cannot fix stays visible on the seller's channel page.
"""

import importlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.catalog.models import Product, ProductImage, ProductStatus, StockMovement, Variant
from talat.catalog.services.products import PRODUCT_FIELDS, VARIANT_FIELDS
from talat.catalog.services.stock import OutOfStock
from talat.channels.connectors.base import ChannelError, Credentials, TokenExpired
from talat.channels.connectors.base import ListingState as PartnerState
from talat.channels.models import ChannelAccount, ChannelJob, JobKind, JobState, Listing, ListingState
from talat.governance import border
from talat.governance.models import Purpose
from talat.orders import services as orders
from talat.orders.models import Order

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STATUS_CHECK_AFTER = timedelta(seconds=10)
CONNECTORS = {
    "lazada": "talat.channels.connectors.lazada.LazadaConnector",
    "tmall-global": "talat.channels.connectors.alibaba.TmallGlobalConnector",
    "alibaba": "talat.channels.connectors.alibaba.AlibabaComConnector",
}
# What a listing carries: the product's and its SKUs' own fields (the category as its code).
PRODUCT_KEYS = tuple(name for name in PRODUCT_FIELDS if name != "category")
VARIANT_KEYS = (*VARIANT_FIELDS, "available")


def supported(partner) -> bool:
    return partner.code in CONNECTORS


def connector_for(account: ChannelAccount, *, transport=None):
    path = CONNECTORS.get(account.partner.code)
    if path is None:
        raise ValidationError(_("ตลาดออนไลน์นี้ยังเชื่อมต่อกับตลาดไม่ได้"), code="unsupported")
    module, name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    return cls(
        partner=account.partner,
        base_url=settings.TALAT_CHANNELS[account.partner.code]["api"],
        credentials=Credentials(
            app_key=account.app_key,
            app_secret=account.app_secret,
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            expires_at=account.token_expires_at,
        ),
        transport=transport,
    )


def _refreshed(account: ChannelAccount) -> ChannelAccount:
    """The account with a fresh access token. The row is locked while refreshing, and a token
    another worker refreshed meanwhile is used as it is (a refresh token works only once)."""
    with transaction.atomic():
        fresh = ChannelAccount.objects.select_for_update().select_related("partner").get(pk=account.pk)
        if fresh.access_token == account.access_token:
            credentials = connector_for(fresh).refresh_token()
            fresh.access_token = credentials.access_token
            fresh.refresh_token = credentials.refresh_token
            fresh.token_expires_at = credentials.expires_at
            fresh.save(update_fields=["access_token", "refresh_token", "token_expires_at", "updated_at"])
    return fresh


def authorize_url(*, partner, redirect_uri: str, state: str) -> str:
    """The partner's page where the seller lets Talat's app act for their shop."""
    app = settings.TALAT_CHANNELS[partner.code]
    query = urlencode(
        {"response_type": "code", "client_id": app["app_key"], "redirect_uri": redirect_uri, "state": state,
         "force_auth": "true"}
    )  # fmt: skip
    return f"{app['authorize']}?{query}"


def connect_account(*, enterprise, partner, code: str, shop_name: str = ""):
    """Exchanges the one-time code the partner's authorization page gave the seller for tokens of
    Talat's app, and keeps the account (reconnecting an account renews its tokens)."""
    if not supported(partner):
        raise ValidationError(_("ตลาดออนไลน์นี้ยังเชื่อมต่อกับตลาดไม่ได้"), code="unsupported")
    if not code.strip():
        raise ValidationError(_("พันธมิตรไม่ได้ส่งรหัสอนุญาตกลับมา"), code="no_code")
    app = settings.TALAT_CHANNELS[partner.code]
    account = ChannelAccount.objects.filter(enterprise=enterprise, partner=partner).first() or ChannelAccount(
        enterprise=enterprise, partner=partner
    )
    account.shop_name = shop_name or account.shop_name or enterprise.display_name
    account.app_key, account.app_secret = app["app_key"], app["app_secret"]
    try:
        credentials = connector_for(account).create_token(code.strip())
    except ChannelError as error:
        raise ValidationError(
            _("พันธมิตรปฏิเสธการเชื่อมต่อ: %(message)s") % {"message": error.message}, code="refused"
        ) from error
    account.access_token = credentials.access_token
    account.refresh_token = credentials.refresh_token
    account.token_expires_at = credentials.expires_at
    account.orders_pulled_until = account.orders_pulled_until or timezone.now()
    account.active = True
    account.save()
    return account


# ---------------------------------------------------------------- jobs


def _new_job(account, kind, *, listing=None, variant_ids=(), run_after=None) -> ChannelJob:
    job = ChannelJob.objects.create(
        account=account,
        kind=kind,
        listing=listing,
        variant_ids=sorted(set(variant_ids)),
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=run_after,
    )
    transaction.on_commit(lambda: _enqueue(job.pk, run_after))
    return job


def _enqueue(job_id: int, run_after=None) -> None:
    from talat.channels.tasks import run_channel_job

    task = run_channel_job
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # due jobs are picked up by `run_due_jobs` (the poller)
        task = task.using(run_after=run_after)
    task.enqueue(job_id)


def publish(*, account: ChannelAccount, products, by=None) -> list[Listing]:
    """Queues each product for listing on the account's marketplace (again, after a rejection or a
    failure). A listing already queued, under review or live is left alone, so a double click
    never lists a product twice."""
    listings = []
    with transaction.atomic():
        for product in products:
            if product.enterprise_id != account.enterprise_id:
                raise ValidationError(_("สินค้านี้ไม่ใช่ของร้านคุณ"), code="not_yours")
            Listing.objects.get_or_create(account=account, product=product)
            listing = Listing.objects.select_for_update().get(account=account, product=product)
            if listing.state in (ListingState.QUEUED, ListingState.PENDING, ListingState.LIVE):
                continue
            listing.state, listing.reason = ListingState.QUEUED, ""
            listing.save(update_fields=["state", "reason", "updated_at"])
            _new_job(account, JobKind.PUBLISH, listing=listing)
            listings.append(listing)
    return listings


def stock_changed(variant_ids) -> list[ChannelJob]:
    """Sends the new available quantities of these SKUs to every channel that lists them."""
    listed = (
        Listing.objects.filter(
            product__variants__in=list(variant_ids),
            state__in=[ListingState.PENDING, ListingState.LIVE],
            account__active=True,
        )
        .values_list("account_id", "product__variants")
        .distinct()
    )
    by_account: dict[int, set[int]] = {}
    for account_id, variant_id in listed:
        if variant_id in variant_ids:
            by_account.setdefault(account_id, set()).add(variant_id)
    if not by_account:
        return []
    with transaction.atomic():
        return [
            _new_job(ChannelAccount.objects.get(pk=account_id), JobKind.SYNC_STOCK, variant_ids=ids)
            for account_id, ids in by_account.items()
        ]


def sync_changed_stock(*, since) -> int:
    """Sends every SKU whose stock moved or whose product changed (price, archiving) after `since`
    to the channels that list it; returns how many SKUs that was."""
    moved = set(StockMovement.objects.filter(at__gt=since).values_list("variant_id", flat=True))
    moved |= set(Variant.objects.filter(product__updated_at__gt=since).values_list("pk", flat=True))
    if moved:
        stock_changed(moved)
    return len(moved)


def pull_orders(*, account: ChannelAccount) -> ChannelJob:
    with transaction.atomic():
        return _new_job(account, JobKind.PULL_ORDERS)


def retry(*, job: ChannelJob) -> ChannelJob:
    """A failed job again, under a new idempotency key (the failed attempt is kept for the record)."""
    if job.state != JobState.FAILED:
        raise ValidationError(_("ลองใหม่ได้เฉพาะงานที่ล้มเหลว"), code="not_failed")
    with transaction.atomic():
        if job.listing:
            job.listing.state = ListingState.QUEUED
            job.listing.save(update_fields=["state", "updated_at"])
        return _new_job(job.account, job.kind, listing=job.listing, variant_ids=job.variant_ids)


def run_due_jobs(now=None) -> int:
    """Runs queued or retrying jobs whose time has come (for backends without deferred tasks,
    and as a sweeper after a worker restart)."""
    due = ChannelJob.objects.filter(state__in=[JobState.QUEUED, JobState.RETRYING]).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now or timezone.now())
    )
    count = 0
    for job_id in due.values_list("pk", flat=True)[:200]:
        run_job(job_id, now=now)  # each attempt reads the clock itself unless a test fixes it
        count += 1
    return count


LEASE = timedelta(minutes=5)


def run_job(job_id: int, now=None) -> None:
    """One attempt of a job, if it is due. Safe to call twice or from two workers at once: the
    attempt takes a lease (its next attempt time moves past the attempt), a finished job is left
    alone, and the partner sees the same idempotency key on every attempt."""
    now = now or timezone.now()
    with transaction.atomic():
        job = ChannelJob.objects.select_for_update().select_related("account__partner").get(pk=job_id)
        if job.state in (JobState.DONE, JobState.FAILED) or (
            job.next_attempt_at and job.next_attempt_at > now
        ):
            return
        if job.attempts >= MAX_ATTEMPTS:  # a worker died during the last attempt
            _fail(job, job.last_error or _("ติดต่อพันธมิตรไม่สำเร็จหลายครั้ง"))
            return
        job.attempts += 1
        job.next_attempt_at = now + LEASE
        job.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    account = job.account
    connector = connector_for(account)
    try:
        try:
            _dispatch(job, connector)
        except TokenExpired:
            _dispatch(job, connector_for(_refreshed(account)))
    except border.Refused as refused:
        _fail(job, refused.reason)
    except ChannelError as error:
        if error.retryable and job.attempts < MAX_ATTEMPTS:
            wait = max(getattr(error, "retry_after", 0), 2**job.attempts)
            _retry_later(job, error.message, now + timedelta(seconds=wait))
        else:
            _fail(job, error.message)
    except Exception as error:  # a fault of ours or a payload we did not expect: retried, then visible
        log.exception("channel job %s failed", job.pk)
        message = f"{type(error).__name__}: {error}"[:500]
        if job.attempts < MAX_ATTEMPTS:
            _retry_later(job, message, now + timedelta(seconds=2**job.attempts))
        else:
            _fail(job, message)
    else:
        job.state, job.last_error, job.next_attempt_at = JobState.DONE, "", None
        job.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])


def _retry_later(job, message, when) -> None:
    job.state, job.last_error, job.next_attempt_at = JobState.RETRYING, message, when
    job.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
    _enqueue(job.pk, when)


def _fail(job, message) -> None:
    with transaction.atomic():
        job.state, job.last_error = JobState.FAILED, message
        job.save(update_fields=["state", "last_error", "updated_at"])
        if job.listing_id and job.kind == JobKind.PUBLISH:
            Listing.objects.filter(pk=job.listing_id).update(state=ListingState.FAILED, reason=message)


def _dispatch(job: ChannelJob, connector) -> None:
    {
        JobKind.PUBLISH: _publish,
        JobKind.LISTING_STATUS: _listing_status,
        JobKind.SYNC_STOCK: _sync_stock,
        JobKind.PULL_ORDERS: _pull_orders,
    }[job.kind](job, connector)


def _release_variants(account, variants):
    return border.release_many(
        [({k: getattr(v, k) for k in VARIANT_KEYS}, account.enterprise) for v in variants],
        source=Variant,
        recipient=account.partner,
        purpose=Purpose.LISTING,
    )


def _publish(job, connector) -> None:
    account, listing = job.account, job.listing
    product = Product.objects.select_related("category").get(pk=listing.product_id)
    payload = {k: getattr(product, k) for k in PRODUCT_KEYS} | {"category": product.category.code}
    released = border.release(
        payload,
        source=Product,
        recipient=account.partner,
        purpose=Purpose.LISTING,
        subject=account.enterprise,
    )
    variants = _release_variants(account, product.variants.all())
    images = border.release_many(
        [
            ({"image": settings.TALAT_SITE_URL + image.image.url}, account.enterprise)
            for image in product.images.all()
        ],
        source=ProductImage,
        recipient=account.partner,
        purpose=Purpose.LISTING,
    )
    result = connector.publish(
        product=released, variants=variants, images=images, idempotency_key=f"talat-listing-{listing.pk}"
    )
    _record_listing(listing, result)
    if result.state == PartnerState.PENDING:
        _new_job(
            account, JobKind.LISTING_STATUS, listing=listing, run_after=timezone.now() + STATUS_CHECK_AFTER
        )


def _record_listing(listing, result) -> None:
    state = {
        PartnerState.PENDING: ListingState.PENDING,
        PartnerState.LIVE: ListingState.LIVE,
        PartnerState.REJECTED: ListingState.REJECTED,
    }[result.state]
    Listing.objects.filter(pk=listing.pk).update(
        state=state, partner_item_id=result.partner_item_id, reason=result.reason, updated_at=timezone.now()
    )


def _listing_status(job, connector) -> None:
    listing = job.listing
    result = connector.listing_status(listing.partner_item_id)
    _record_listing(listing, result)
    if result.state == PartnerState.PENDING:
        _new_job(
            job.account,
            JobKind.LISTING_STATUS,
            listing=listing,
            run_after=timezone.now() + STATUS_CHECK_AFTER,
        )


SYNC_KEYS = ("sku", "price_satang", "cny_price_fen", "available")


def _sync_stock(job, connector) -> None:
    """Sends price and available quantity; a product no longer on sale offers zero."""
    variants = Variant.objects.filter(
        pk__in=job.variant_ids, enterprise=job.account.enterprise
    ).select_related("product")
    if not variants:
        return
    payloads = []
    for variant in variants:
        payload = {key: getattr(variant, key) for key in SYNC_KEYS}
        if variant.product.status != ProductStatus.ACTIVE:
            payload["available"] = 0
        payloads.append((payload, job.account.enterprise))
    released = border.release_many(
        payloads, source=Variant, recipient=job.account.partner, purpose=Purpose.LISTING
    )
    connector.update_price_stock(variants=released, idempotency_key=job.idempotency_key)


def _pull_orders(job, connector) -> None:
    account = job.account
    since = account.orders_pulled_until or datetime(2020, 1, 1, tzinfo=UTC)
    touched: set[int] = set()
    latest = since
    for partner_order in connector.pull_orders(since=since):
        latest = max(latest, partner_order.ordered_at)
        try:
            accepted = _accept(account, partner_order, touched)
        except (ValidationError, ValueError, IntegrityError) as error:  # a malformed order: kept, not held
            log.warning(
                "order %s from %s not accepted: %s", partner_order.order_number, account.partner.code, error
            )
            continue
        if accepted:
            connector.acknowledge(partner_order.order_number)
    ChannelAccount.objects.filter(pk=account.pk).update(orders_pulled_until=latest)
    if touched:
        stock_changed(touched)


def _accept(account, partner_order, touched: set[int]) -> bool:
    """Records one pulled order; returns whether it is new and holds its stock."""
    skus = {line.seller_sku for line in partner_order.lines}
    variants = {
        v.sku: v
        for v in Variant.objects.filter(enterprise=account.enterprise, sku__in=skus).select_related("product")
    }
    unknown = skus - variants.keys()
    common = {
        "enterprise": account.enterprise,
        "channel": account.partner.code,
        "channel_order_number": partner_order.order_number,
        "buyer_name": partner_order.buyer_name,
        "buyer_country": partner_order.buyer_country,
        "placed_at": partner_order.ordered_at,
        "partner_status": partner_order.status[:40],
    }
    if Order.objects.filter(
        enterprise=account.enterprise,
        channel=account.partner.code,
        channel_order_number=partner_order.order_number,
    ).exists():
        return False
    if unknown or not partner_order.lines:
        orders.record_unfillable(
            reason=_("ไม่รู้จักรหัสสินค้า %(skus)s") % {"skus": ", ".join(sorted(unknown))},
            currency=_currency(partner_order),
            **common,
        )
        return False
    wanted = [
        orders.Wanted(variants[line.seller_sku], line.quantity, line.unit_price_minor)
        for line in partner_order.lines
    ]
    try:
        _order, created = orders.accept_order(lines=wanted, currency=_currency(partner_order), **common)
    except OutOfStock as short:
        orders.record_unfillable(reason=str(short), currency=_currency(partner_order), lines=wanted, **common)
        return False
    touched.update(line.variant.pk for line in wanted)
    return created


def _currency(partner_order) -> str:
    return partner_order.lines[0].currency if partner_order.lines else "THB"
