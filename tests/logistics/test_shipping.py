"""Shipping as it happens, over real HTTP to the partners' sandboxes: a domestic order is booked
with the carrier and labelled; an order to Shenzhen is booked through the EEC hub, goes through
the hub, is declared to the Customs sandbox, released, and its tracking events (signed webhooks)
carry the order to delivered. The partners receive only what their agreements release."""

import io
import json
import time

import pytest
from pypdf import PdfReader

from talat.catalog.models import Variant
from talat.channels.sandboxes.server import Running
from talat.customs.models import ExportRecord
from talat.customs.sandboxes.customs import make_app as customs_app
from talat.logistics.models import Manifest, ManifestState, Route
from talat.logistics.sandboxes.carrier import make_app as carrier_app
from talat.logistics.sandboxes.hub import make_app as hub_app
from talat.logistics.services import customs, hub, shipments
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.registry.models import Agency, Partner, PartnerKind
from talat.registry.reference import ensure_goods_categories
from tests.factories import ADDRESS, agreement, officer, product, user, verified_enterprise

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partners(settings, live_server):
    ensure_goods_categories()
    made = {}
    for code, country in (("cainiao", "CN"), ("thailandpost", "TH")):
        made[code], _ = Partner.objects.get_or_create(
            code=code,
            defaults={"name_th": code, "name_en": code, "kind": PartnerKind.LOGISTICS, "country": country},
        )
        agreement(
            recipient=made[code],
            purpose="logistics",
            fields=shipments.RELEASED_FIELDS,
            consent_required=False,
            transfer_basis="s28_contract",
        )
    desk = officer()
    made["customs"], _ = Agency.objects.get_or_create(
        code="customs",
        defaults={"name_th": "กรมศุลกากร", "name_en": "The Customs Department", "name_zh": "海关厅"},
    )
    agreement(
        recipient_partner=None,
        recipient_agency=made["customs"],
        purpose="customs_clearance",
        fields=["logistics.Manifest.declaration"],
        consent_required=False,
        legal_basis="legal_obligation",
        countries=["TH"],
        transfer_basis="domestic",
        responsible_agency=desk.affiliation.agency,
    )
    hub_box = hub_app(
        webhook_url=f"{live_server.url}/logistics/hub/notify",
        webhook_secret=settings.TALAT_LOGISTICS["cainiao"]["webhook_secret"],
        retry_delays=(0.2,),
    )
    carrier_box = carrier_app(
        webhook_url=f"{live_server.url}/logistics/carrier/notify",
        webhook_secret=settings.TALAT_LOGISTICS["thailandpost"]["webhook_secret"],
        retry_delays=(0.2,),
    )
    customs_box = customs_app(
        client_id=settings.TALAT_CUSTOMS["client_id"],
        secret=settings.TALAT_CUSTOMS["secret"],
        callback_url=f"{live_server.url}/hub/customs/notify",
        retry_delays=(0.2,),
    )
    with Running(hub_box) as h, Running(carrier_box) as c, Running(customs_box) as k:
        settings.TALAT_LOGISTICS = {
            "cainiao": {**settings.TALAT_LOGISTICS["cainiao"], "url": h.url},
            "thailandpost": {**settings.TALAT_LOGISTICS["thailandpost"], "url": c.url},
        }
        settings.TALAT_CUSTOMS = {**settings.TALAT_CUSTOMS, "url": k.url}
        yield {**made, "hub": hub_box, "carrier": carrier_box, "customs": customs_box}
        for box in (hub_box, carrier_box, customs_box):
            box.close()


def paid_order(country="TH", **address):
    shop = verified_enterprise()
    variant = Variant.objects.get(product=product(shop, stock=5, price_satang=45_000))
    order, _created = orders.accept_order(
        enterprise=shop,
        channel="storefront",
        channel_order_number=f"TL-{country}{Order.objects.count()}",
        lines=[orders.Wanted(variant, 2, 45_000)],
        buyer_name="王芳" if country == "CN" else "สมชาย ใจดี",
        buyer_phone="+8613800138000" if country == "CN" else "+66812345678",
        buyer_country=country,
        address=address or ADDRESS,
        status=OrderStatus.AWAITING_PAYMENT,
    )
    return orders.mark_paid(order=order)


def wait_for(check, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_a_domestic_parcel_is_booked_labelled_and_tracked_to_delivered(partners, client):
    order = paid_order()
    shipment = shipments.book(order=order, weight_g=1_200)
    assert shipment.route == Route.DOMESTIC and shipment.tracking_number.endswith("TH")
    assert shipments.book(order=order, weight_g=1_200) == shipment  # booking twice books once
    assert shipment.pickup_reference and shipment.pickup_from < shipment.pickup_until  # the carrier collects
    booked = partners["carrier"].parcels[shipment.tracking_number].request
    text = repr(booked)
    assert "สมชาย ใจดี" in text and order.enterprise.tax_id not in text  # consignee yes, shop records no
    client.force_login(order.enterprise.owner)
    label = client.get(f"/seller/shipping/{shipment.uid}/label.pdf")
    assert shipment.tracking_number in PdfReader(io.BytesIO(label.content)).pages[0].extract_text()
    for _step in range(4):
        partners["carrier"].advance(shipment.tracking_number)
    assert wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED)
    page = client.get(f"/store/track/{shipment.tracking_number}/").content.decode()
    assert "ส่งถึงผู้รับแล้ว" in page


def test_an_order_to_shenzhen_goes_through_the_hub_and_customs(partners, client):
    order = paid_order(
        "CN",
        address_line="广东省深圳市南山区科技园路 88 号",
        postal_code="518057",
        province_code="",
        district_code="",
        subdistrict_code="",
    )
    shipment = shipments.book(order=order, weight_g=800)
    assert shipment.route == Route.CROSS_BORDER and shipment.partner == "cainiao"
    parcel = hub.receive(tracking_number=shipment.tracking_number)
    parcel = hub.pack(parcel=hub.pick(parcel=hub.put_away(parcel=parcel, location="C-03-01")))
    manifest = hub.consolidate(
        destination="CN", transport="air", departure="TG 674", departs_at=order.paid_at
    )
    staff = user(role="platform_admin")
    customs.declare(manifest=manifest, by=staff)
    manifest.refresh_from_db()
    assert manifest.state == ManifestState.ACCEPTED and manifest.declaration_number.startswith("A2622")
    declared = json.dumps(manifest.declaration, ensure_ascii=False)
    assert '"tariffCode": "08134090"' in declared and '"fobSatang": 90000' in declared
    assert "王芳" not in declared and "+8613800138000" not in declared  # Customs gets goods, not buyers
    partners["customs"].release(manifest.declaration_number)
    assert wait_for(lambda: Manifest.objects.get(pk=manifest.pk).state == ManifestState.CLEARED)
    client.force_login(order.enterprise.owner)  # the shop sees its goods' declaration and its state
    seller_page = client.get(f"/seller/orders/{order.uid}/").content.decode()
    assert manifest.declaration_number in seller_page and "ศุลกากรตรวจปล่อยแล้ว" in seller_page
    (record,) = ExportRecord.objects.filter(enterprise=order.enterprise)  # the shop's own export record
    assert (record.hs_code, record.quantity, record.fob_satang) == ("08134090", 2, 90_000)
    assert hub.release(manifest=Manifest.objects.get(pk=manifest.pk)) == 1
    while not partners["hub"].parcels[shipment.tracking_number].done:
        partners["hub"].advance(shipment.tracking_number)
    assert wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(f"/store/track/{shipment.tracking_number}/").content.decode()
    assert shipment.tracking_number in page
