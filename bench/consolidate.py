"""How long do consolidating 100,000 parcels into an export manifest and generating its export
declaration take, and how much memory?

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/consolidate.py [--parcels N]

Runs in a throwaway test database on whatever TALAT_DATABASE_URL names (default SQLite in
memory). Setup (not timed): 40 shops × 25 SKUs, N paid orders to China of one line each, each
with a cross-border shipment whose parcel is packed at the hub. Timed, for each of RUNS runs
(the parcels are put back to "packed" between runs):
  1. hub.consolidate: every packed parcel for CN onto one manifest (locks, one UPDATE, the moves);
  2. logistics.services.customs.build + declarations.validate + to_message: the declaration;
baselines in the same run: the bare SQL floor of step 1 (UPDATE of the parcels + INSERT … SELECT
of their moves) and of step 2 (the SELECT of the declaration's columns, rows fetched). Peak
Python memory (tracemalloc) of steps 1 + 2 is measured in one extra traced run. Target (from the
issue): under 30 seconds on this machine. Nothing here asserts on time.
"""

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import print_header, print_table, throwaway_database  # noqa: E402

RUNS = 3
SHOPS, SKUS_PER_SHOP = 40, 25
HS_CODES = ("08134090", "09011110", "33041000", "50071020", "21031000")  # lines of the shipped tariff table


def build_world(parcels: int):
    from django.utils import timezone

    from talat.catalog.models import Variant
    from talat.logistics.models import Parcel, ParcelState, Route, Shipment
    from talat.orders.models import Order, OrderLine, OrderStatus
    from talat.registry.reference import ensure_goods_categories
    from tests.factories import product, verified_enterprise

    ensure_goods_categories()
    variants = []
    for _shop in range(SHOPS):
        shop = verified_enterprise()
        for n in range(SKUS_PER_SHOP):
            hs_code = HS_CODES[n % len(HS_CODES)]
            item = product(
                shop, name_th=f"สินค้าส่งออก {n}", stock=1, price_satang=10_000 + 100 * n, hs_code=hs_code
            )
            variants.append(Variant.objects.select_related("product").get(product=item))
    now = timezone.now()
    for start in range(0, parcels, 10_000):
        chunk = range(start, min(parcels, start + 10_000))
        picked = [variants[i % len(variants)] for i in chunk]
        orders = Order.objects.bulk_create(
            Order(uid=uuid.uuid4(), enterprise_id=v.enterprise_id, channel="storefront",
                  channel_order_number=f"TL-B{i:07d}", status=OrderStatus.PAID, buyer_country="CN",
                  currency="THB", total_minor=v.price_satang, placed_at=now, paid_at=now)
            for i, v in zip(chunk, picked, strict=True)
        )  # fmt: skip
        OrderLine.objects.bulk_create(
            OrderLine(order=o, variant=v, sku=v.sku, name=v.product.name_th, quantity=1 + i % 3,
                      unit_price_minor=v.price_satang)
            for i, o, v in zip(chunk, orders, picked, strict=True)
        )  # fmt: skip
        shipments = Shipment.objects.bulk_create(
            Shipment(uid=uuid.uuid4(), order=o, route=Route.CROSS_BORDER, partner="cainiao",
                     tracking_number=f"CNTH{i:012d}", weight_g=500)
            for i, o in zip(chunk, orders, strict=True)
        )  # fmt: skip
        Parcel.objects.bulk_create(
            Parcel(shipment=s, state=ParcelState.PACKED, destination="CN", location="OUTBOUND")
            for s in shipments
        )


def reset(connection):
    from talat.logistics.models import Manifest, Parcel, ParcelMove, ParcelState

    ParcelMove.objects.all().delete()
    Parcel.objects.update(state=ParcelState.PACKED, manifest=None, location="OUTBOUND")
    Manifest.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) logistics_parcel")
    gc.collect()


def consolidate_and_declare():
    from django.utils import timezone

    from talat.customs import declarations
    from talat.logistics.services import customs, hub

    started = time.perf_counter()
    manifest = hub.consolidate(
        destination="CN", transport="air", departure="TG 674", departs_at=timezone.now()
    )
    consolidated = time.perf_counter()
    declaration = customs.build(manifest)
    problems = declarations.validate(declaration)
    message = declarations.to_message(declaration)
    declared = time.perf_counter()
    return manifest, declaration, problems, message, consolidated - started, declared - consolidated


def sql_floor(connection):
    """The same work as bare SQL: the parcels' UPDATE and their moves' INSERT … SELECT, then the
    declaration's SELECT with every row fetched."""
    from django.utils import timezone

    from talat.logistics.models import Manifest

    target = Manifest.objects.create(
        number="MF-FLOOR", destination="CN", transport="air", departure="TG 674", departs_at=timezone.now()
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "UPDATE logistics_parcel SET state = 'manifested', location = 'MF', manifest_id = %s "
            "WHERE state = 'packed'",
            [target.pk],
        )
        cursor.execute(
            "INSERT INTO logistics_parcelmove (parcel_id, from_state, to_state, location, at) "
            "SELECT id, 'packed', 'manifested', '', CURRENT_TIMESTAMP FROM logistics_parcel"
        )
        updated = time.perf_counter()
        cursor.execute(
            "SELECT l.quantity, l.unit_price_minor, o.currency, o.placed_at, v.weight_g, p.hs_code, "
            "p.name_th, p.name_en FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
            "JOIN logistics_shipment s ON s.order_id = o.id "
            "JOIN logistics_parcel pa ON pa.shipment_id = s.id "
            "JOIN catalog_variant v ON v.id = l.variant_id JOIN catalog_product p ON p.id = v.product_id"
        )
        rows = cursor.fetchall()
        selected = time.perf_counter()
    return updated - started, selected - updated, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    arguments = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    old_config = throwaway_database("test_talat_bench_consolidate")
    try:
        run(connection, arguments.parcels)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(connection, parcels: int):
    from django.db.models import Sum

    from talat.logistics.models import Parcel, ParcelState
    from talat.orders.models import OrderLine

    print_header("consolidating parcels into a manifest and declaring it", connection, RUNS)
    started = time.perf_counter()
    build_world(parcels)
    print(f"setup: {parcels:,} packed parcels to CN from {SHOPS} shops × {SKUS_PER_SHOP} SKUs in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    steps, declares, totals, floors_update, floors_select = [], [], [], [], []
    checks = []
    for _run in range(RUNS):
        reset(connection)
        manifest, declaration, problems, message, step, declare = consolidate_and_declare()
        steps.append(step)
        declares.append(declare)
        totals.append(step + declare)
        on_manifest = Parcel.objects.filter(manifest=manifest, state=ParcelState.MANIFESTED).count()
        quantity = sum(line.quantity for line in declaration.lines)
        expected = OrderLine.objects.aggregate(n=Sum("quantity"))["n"]
        checks.append((on_manifest == parcels, quantity == expected, not problems, bool(message)))
        if problems:
            print("declaration problems:", problems[:3])
        reset(connection)
        update, select, rows = sql_floor(connection)
        floors_update.append(update)
        floors_select.append(select)
    reset(connection)
    tracemalloc.start()
    consolidate_and_declare()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    med = statistics.median
    print_table(
        f"{parcels:,} parcels (target: consolidation + declaration under 30 s)",
        ("step", "median", "runs", "baseline (bare SQL) median"),
        [
            ("hub.consolidate (one manifest)", f"{med(steps):.2f} s",
             " / ".join(f"{x:.2f}" for x in steps), f"{med(floors_update):.2f} s (UPDATE + INSERT … SELECT)"),
            ("declaration: build + validate + to_message", f"{med(declares):.2f} s",
             " / ".join(f"{x:.2f}" for x in declares), f"{med(floors_select):.2f} s (SELECT {rows:,} rows)"),
            ("both", f"{med(totals):.2f} s", " / ".join(f"{x:.2f}" for x in totals),
             f"{med(floors_update) + med(floors_select):.2f} s"),
        ],
    )  # fmt: skip
    print(f"\npeak Python memory (tracemalloc) of consolidation + declaration: {peak / 2**20:.1f} MiB")
    print(f"declaration: {len(declaration.lines)} merged lines from {parcels:,} parcels")
    passed = all(all(run_checks) for run_checks in checks)
    verdict = "ok" if passed else f"FAILED {checks}"
    print(
        "check: every parcel on the manifest, every unit declared, no declaration problem, every run: "
        + verdict
    )
    if not passed:
        raise SystemExit("check failed")


if __name__ == "__main__":
    main()
