"""Selling one stock on Lazada, Tmall Global and the storefront, over real HTTP to the sandboxes:
connect, publish through the border, pull orders into one inbox, never oversell."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from talat.catalog.models import Variant
from talat.channels import services
from talat.channels.models import ChannelJob, JobState, Listing, ListingState
from talat.channels.sandboxes.alibaba import AlibabaSandbox
from talat.channels.sandboxes.lazada import LazadaSandbox
from talat.channels.sandboxes.server import Running
from talat.orders.models import Order, OrderStatus
from talat.registry.models import Partner
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import agreement, product, verified_enterprise

pytestmark = pytest.mark.django_db

SECRET_RECIPE = "สูตรลับของยายที่ไม่เปิดเผย"
LISTING_FIELDS = [
    "catalog.Product.name_th",
    "catalog.Product.name_en",
    "catalog.Product.name_zh",
    "catalog.Product.brand",
    "catalog.Product.hs_code",
    "catalog.Product.category",
    "catalog.Variant.sku",
    "catalog.Variant.price_satang",
    "catalog.Variant.cny_price_fen",
    "catalog.Variant.weight_g",
    "catalog.Variant.available",
]


def marketplace(code, name_en, name_th, country):
    found, _ = Partner.objects.get_or_create(
        code=code,
        defaults={"name_en": name_en, "name_th": name_th, "kind": "marketplace", "country": country},
    )
    return found


@pytest.fixture
def world(settings, django_capture_on_commit_callbacks, exchange_rates):
    lazada_box = LazadaSandbox("lz-key", "lz-secret")
    tmall_box = AlibabaSandbox("tm-key", "tm-secret", marketplace="tmall-global")
    with Running(lazada_box) as lazada_server, Running(tmall_box) as tmall_server:
        settings.TALAT_CHANNELS = {
            "lazada": {"api": f"{lazada_server.url}/rest", "app_key": "lz-key", "app_secret": "lz-secret",
                       "authorize": f"{lazada_server.url}/oauth/authorize"},
            "tmall-global": {"api": tmall_server.url, "authorize": f"{tmall_server.url}/authorize",
                             "app_key": "tm-key", "app_secret": "tm-secret"},
        }  # fmt: skip
        lazada = marketplace("lazada", "Lazada", "ลาซาด้า", "TH")
        tmall = marketplace("tmall-global", "Tmall Global", "ทีมอลล์ โกลบอล", "CN")
        for partner in (lazada, tmall):
            agreement(recipient=partner, purpose="listing", fields=LISTING_FIELDS, consent_required=False)
        shop = verified_enterprise()
        item = product(
            shop,
            name_th="ทุเรียนอบกรอบ",
            name_en="Crispy durian",
            name_zh="泰国榴莲干",
            description_th=SECRET_RECIPE,
            stock=3,
            price_satang=25_000,
            sku="DUR-1",
        )
        Variant.objects.filter(sku="DUR-1").update(cny_price_fen=5_800)
        accounts = {
            "lazada": services.connect_account(enterprise=shop, partner=lazada, code=lazada_box.authorize()),
            "tmall-global": services.connect_account(
                enterprise=shop, partner=tmall, code=tmall_box.authorize()
            ),
        }
        yield {
            "shop": shop,
            "product": item,
            "accounts": accounts,
            "lazada": lazada_box,
            "tmall": tmall_box,
            "callbacks": django_capture_on_commit_callbacks,
        }


def run(world, fn, **kwargs):
    """Calls a service and runs the tasks it queued on commit (the test backend runs them inline),
    then, as the poller would a minute later, the jobs it deferred (listing review checks)."""
    with world["callbacks"](execute=True):
        result = fn(**kwargs)
    with world["callbacks"](execute=True):
        services.run_due_jobs(now=timezone.now() + timedelta(minutes=1))
    return result


def test_publish_goes_live_on_both_marketplaces_and_unreleased_fields_never_leave(world):
    for account in world["accounts"].values():
        run(world, services.publish, account=account, products=[world["product"]])
    listings = Listing.objects.order_by("account__partner__code")
    assert [(lst.account.partner.code, lst.state) for lst in listings] == [
        ("lazada", ListingState.LIVE),
        ("tmall-global", ListingState.LIVE),
    ]
    assert all(lst.partner_item_id for lst in listings)
    sent = repr(world["lazada"].requests) + repr(world["tmall"].requests)
    assert "ทุเรียนอบกรอบ" in sent and "泰国榴莲干" in sent and "DUR-1" in sent
    assert SECRET_RECIPE not in sent


def test_a_listing_the_partner_rejects_shows_the_reason_and_can_be_retried(world):
    Variant.objects.filter(sku="DUR-1").update(cny_price_fen=None)
    account = world["accounts"]["tmall-global"]
    run(world, services.publish, account=account, products=[world["product"]])
    listing = Listing.objects.get(account=account)
    assert listing.state in (ListingState.REJECTED, ListingState.FAILED)
    assert "人民币" in listing.reason
    Variant.objects.filter(sku="DUR-1").update(cny_price_fen=5_800)
    run(world, services.publish, account=account, products=[world["product"]])
    listing.refresh_from_db()
    assert listing.state == ListingState.LIVE


def test_orders_from_two_marketplaces_and_the_storefront_never_oversell(world):
    for account in world["accounts"].values():
        run(world, services.publish, account=account, products=[world["product"]])
    # Both marketplaces believe 3 are available; each sells 2 before Talat hears of either.
    world["lazada"].place_order("DUR-1", 2, buyer_name="สมหญิง รักดี")
    world["tmall"].place_order("DUR-1", 2, buyer_name="王芳")
    run(world, services.pull_orders, account=world["accounts"]["lazada"])
    run(world, services.pull_orders, account=world["accounts"]["tmall-global"])
    variant = Variant.objects.get(sku="DUR-1")
    assert (variant.available, variant.reserved) == (1, 2)
    inbox = {o.channel: o for o in Order.objects.all()}
    assert inbox["lazada"].status == OrderStatus.PAID and inbox["lazada"].buyer_name == "สมหญิง รักดี"
    assert inbox["tmall-global"].status == OrderStatus.CANCELLED and "DUR-1" in inbox["tmall-global"].note
    # The Lazada sale reached Tmall Global's stock figure.
    sync = ChannelJob.objects.filter(account=world["accounts"]["tmall-global"], kind="sync_stock").first()
    assert sync is not None and sync.state == JobState.DONE
    # A pull again changes nothing (de-duplicated by channel order number).
    run(world, services.pull_orders, account=world["accounts"]["lazada"])
    assert Order.objects.count() == 2
    # The storefront sells the last unit, and cannot sell another.
    place_orders(lines=[CartLine(variant, 1)], buyer_name="ผู้ซื้อหน้าร้าน")
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (0, 3)
    with pytest.raises(ValidationError):
        place_orders(lines=[CartLine(variant, 1)], buyer_name="ผู้ซื้อคนที่สอง")


def test_an_expired_token_is_refreshed_and_the_call_goes_through(world):
    world["lazada"].expire_tokens()
    account = world["accounts"]["lazada"]
    old_token = account.access_token
    run(world, services.publish, account=account, products=[world["product"]])
    account.refresh_from_db()
    assert account.access_token != old_token
    assert Listing.objects.get(account=account).state == ListingState.LIVE


def test_a_seller_connects_through_the_partners_authorization_page(world, client):
    shop = world["shop"]
    client.force_login(shop.owner)
    ChannelAccountModel = type(world["accounts"]["lazada"])
    ChannelAccountModel.objects.filter(partner__code="lazada").delete()
    to_partner = client.get("/seller/channels/connect/lazada/")
    assert to_partner.status_code == 302 and "/oauth/authorize?" in to_partner["Location"]
    with httpx.Client() as browser:  # the partner's consent page answers with a redirect back to Talat
        back = browser.get(to_partner["Location"])
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/seller/channels/callback/lazada/"
    landed = client.get(f"{callback.path}?{callback.query}", follow=True)
    assert "เชื่อมต่อ Lazada แล้ว" in landed.content.decode() or "เชื่อมต่อ ลาซาด้า แล้ว" in landed.content.decode()
    account = ChannelAccountModel.objects.get(partner__code="lazada")
    assert account.access_token and account.app_key == "lz-key"
    forged = client.get("/seller/channels/callback/lazada/", {"code": "x", "state": "forged"}, follow=True)
    assert "ลิงก์เชื่อมต่อไม่ถูกต้อง" in forged.content.decode()


def test_without_an_agreement_nothing_is_sent_and_the_failure_is_visible(world):
    from talat.governance.models import Agreement

    Agreement.objects.filter(recipient_partner__code="lazada").update(status="suspended")
    from talat.core import audit

    audit.bump_policy_version()
    before = len(world["lazada"].requests)
    run(world, services.publish, account=world["accounts"]["lazada"], products=[world["product"]])
    job = ChannelJob.objects.get(kind="publish")
    assert job.state == JobState.FAILED and "Lazada" in job.last_error
    assert Listing.objects.get().state == ListingState.FAILED
    assert len(world["lazada"].requests) == before


def test_a_call_that_cannot_reach_the_partner_is_retried_with_back_off(world, settings):
    account = world["accounts"]["lazada"]
    working = settings.TALAT_CHANNELS["lazada"]["api"]
    settings.TALAT_CHANNELS["lazada"]["api"] = "http://127.0.0.1:9/rest"  # nothing listens there
    with world["callbacks"](execute=True):
        services.publish(account=account, products=[world["product"]])
    job = ChannelJob.objects.get(kind="publish")
    assert job.state == JobState.RETRYING and job.attempts == 1
    first_wait = job.next_attempt_at - job.updated_at
    services.run_due_jobs(now=job.next_attempt_at)
    job.refresh_from_db()
    assert job.state == JobState.RETRYING and job.attempts == 2
    assert job.next_attempt_at - job.updated_at > first_wait  # the wait grows
    key = job.idempotency_key
    settings.TALAT_CHANNELS["lazada"]["api"] = working
    with world["callbacks"](execute=True):
        services.run_due_jobs(now=job.next_attempt_at)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.idempotency_key == key and job.attempts == 3


def test_after_the_last_attempt_the_failure_stays_visible_and_can_be_retried(world, settings):
    account = world["accounts"]["lazada"]
    working = settings.TALAT_CHANNELS["lazada"]["api"]
    settings.TALAT_CHANNELS["lazada"]["api"] = "http://127.0.0.1:9/rest"
    with world["callbacks"](execute=True):
        services.publish(account=account, products=[world["product"]])
    job = ChannelJob.objects.get(kind="publish")
    while job.state == JobState.RETRYING:
        services.run_due_jobs(now=job.next_attempt_at)
        job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == services.MAX_ATTEMPTS
    assert Listing.objects.get(account=account).state == ListingState.FAILED
    settings.TALAT_CHANNELS["lazada"]["api"] = working
    run(world, services.retry, job=job)
    assert Listing.objects.get(account=account).state == ListingState.LIVE


def test_publishing_twice_lists_a_product_once(world):
    account = world["accounts"]["tmall-global"]
    run(world, services.publish, account=account, products=[world["product"]])
    run(world, services.publish, account=account, products=[world["product"]])
    assert ChannelJob.objects.filter(account=account, kind="publish").count() == 1
    added = [r for r in world["tmall"].requests if r.get("method") == "taobao.item.add"]
    assert len(added) == 1


def test_a_token_another_worker_refreshed_is_used_not_refreshed_again(world):
    account = world["accounts"]["lazada"]
    stale = type(account).objects.get(pk=account.pk)  # what a second worker loaded earlier

    def refreshes():
        return sum(r["path"] == "/auth/token/refresh" for r in world["lazada"].requests)

    fresh = services._refreshed(account)
    assert refreshes() == 1 and fresh.access_token != stale.access_token
    assert services._refreshed(stale).access_token == fresh.access_token
    assert refreshes() == 1
