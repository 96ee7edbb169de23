"""How many stock reservations a second under contention? `stock.reserve` from 8 threads.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/stock.py

PostgreSQL only (on SQLite it prints why and exits): runs in a throwaway test database
(`test_talat_bench_stock`) on the server TALAT_DATABASE_URL names. Each of 8 threads has its own
database connection and reserves 1 unit at a time of a random SKU that still has stock, each
reservation in its own transaction (`transaction.atomic()` around `stock.reserve`, as an order is
accepted), until every SKU is sold out. Two cases: 4 hot SKUs (every thread fights over the same
rows) and 1,000 cold SKUs; the same total stock in both. One thread on the hot SKUs is the
uncontended reference.

Baselines in the same run: the same threads and transactions doing only
`UPDATE bench_counter SET n = n + 1 WHERE id = %s` on one of 4 (or 1,000) rows, the cost floor of
a contended single-row update from Django; and, when the `pgbench` client is installed, pgbench
running that statement in BEGIN/END from 8 C clients (no Python at all).

After every run: the reservations that succeeded equal the starting stock, the sum reserved equals
the starting stock, nothing is left available, `available` is never negative (at the end, and in
a monitor thread sampling the minimum every 50 ms during the run), and one RESERVED movement was
written per reservation. Commits wait for the WAL flush when synchronous_commit is on (the header
says), so the figures depend on the disk. The threads share one Python interpreter (the GIL), as
in a threaded application server. Nothing here asserts on time.
"""

import contextlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import percentile, print_header, print_table, throwaway_database  # noqa: E402

RUNS = 3
THREADS = 8
HOT_SKUS, HOT_STOCK = 4, 1_000  # units each
COLD_SKUS, COLD_STOCK = 1_000, 4  # the same 4,000 units in all
MONITOR_EVERY_S = 0.05


def ms(ns):
    return f"{ns / 1e6:,.2f} ms"


def build(skus_by_case):
    """One enterprise and product; the SKUs of every case (stock is set before each run)."""
    from talat.catalog.models import Product, Variant
    from talat.registry.models import GoodsCategory
    from tests.factories import enterprise

    shop = enterprise()
    product = Product.objects.create(
        enterprise=shop,
        name_th="ทุเรียนอบแห้ง",
        category=GoodsCategory.objects.get(code="fruit"),
        province_code="22",
        hs_code="08134000",
    )
    ids = {}
    for case, count in skus_by_case.items():
        made = Variant.objects.bulk_create(
            Variant(
                enterprise=shop, product=product, sku=f"{case}-{n:04d}", price_satang=35_000, weight_g=250
            )
            for n in range(count)
        )
        ids[case] = [v.pk for v in made]
    return ids


def reset(connection, variant_ids, stock):
    from talat.catalog.models import StockMovement, Variant

    Variant.objects.filter(pk__in=variant_ids).update(available=stock, reserved=0)
    StockMovement.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) catalog_variant, catalog_stockmovement")


class Monitor(threading.Thread):
    """Samples min(available) of the SKUs every MONITOR_EVERY_S on a connection of its own."""

    def __init__(self, variant_ids):
        super().__init__()
        self.variant_ids, self.lowest, self.samples = variant_ids, None, 0
        self.done = threading.Event()

    def run(self):
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while not self.done.wait(MONITOR_EVERY_S):
                    cursor.execute(
                        "SELECT min(available) FROM catalog_variant WHERE id = ANY(%s)", [self.variant_ids]
                    )
                    low = cursor.fetchone()[0]
                    self.lowest = low if self.lowest is None else min(self.lowest, low)
                    self.samples += 1
        finally:
            connection.close()


def hammer(threads, work):
    """Starts `threads` threads running work(index) -> (latencies, misses) together; returns the
    wall time and this process's CPU time (all threads) in seconds, and the per-thread results.
    Each thread closes its connection at the end."""
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    results, errors = [None] * threads, []

    def run(index):
        try:
            connection.ensure_connection()  # connect before the clock starts
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a thread failed: its error is raised below
        barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for thread in pool:
        thread.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    return elapsed, cpu, results


def reserve_until_sold_out(variant_ids, run_label):
    from django.db import transaction

    from talat.catalog.services import stock

    sold_out = set()

    def work(index):
        rng = random.Random(f"{run_label}-{index}")
        live = list(variant_ids)
        latencies, misses, n = [], 0, 0
        while live:
            if len(sold_out) > len(variant_ids) - len(live):
                live = [v for v in live if v not in sold_out]
                if not live:
                    break
            variant_id = rng.choice(live)
            n += 1
            start = time.perf_counter_ns()
            try:
                with transaction.atomic():
                    stock.reserve([stock.Line(variant_id, 1)], reference=f"bench-{run_label}-{index}-{n}")
            except stock.OutOfStock:
                misses += 1
                sold_out.add(variant_id)
                live.remove(variant_id)
                continue
            latencies.append(time.perf_counter_ns() - start)
        return latencies, misses

    return work


def plain_updates(row_count, per_thread, run_label):
    from django.db import connection, transaction

    def work(index):
        rng = random.Random(f"{run_label}-{index}")
        latencies = []
        with connection.cursor() as cursor:
            for _ in range(per_thread):
                row = rng.randrange(row_count)
                start = time.perf_counter_ns()
                with transaction.atomic():
                    cursor.execute("UPDATE bench_counter SET n = n + 1 WHERE id = %s", [row])
                latencies.append(time.perf_counter_ns() - start)
        return latencies, 0

    return work


def check_run(connection, variant_ids, stock, successes, monitor):
    """Returns the failed checks of a reservation run (empty when all hold)."""
    from django.db.models import Count, Min, Sum

    from talat.catalog.models import MovementReason, StockMovement, Variant

    total = stock * len(variant_ids)
    state = Variant.objects.filter(pk__in=variant_ids).aggregate(
        reserved=Sum("reserved"), left=Sum("available"), lowest=Min("available")
    )
    moves = StockMovement.objects.filter(
        reason=MovementReason.RESERVED, variant_id__in=variant_ids
    ).aggregate(n=Count("pk"), units=Sum("reserved_delta"))
    checks = {
        f"reservations that succeeded ({successes:,}) = starting stock ({total:,})": successes == total,
        f"sum reserved ({state['reserved']:,}) = starting stock": state["reserved"] == total,
        f"sum available at the end = 0 ({state['left']:,})": state["left"] == 0,
        f"min available at the end >= 0 ({state['lowest']:,})": state["lowest"] >= 0,
        f"min available seen by the monitor >= 0 ({monitor.lowest}, {monitor.samples} samples)": (
            monitor.lowest is None or monitor.lowest >= 0
        ),
        f"RESERVED movements ({moves['n']:,}, {moves['units']:,} units) = reservations": (
            moves["n"] == successes and moves["units"] == total
        ),
    }
    return checks


def pgbench(connection, row_count, transactions, threads):
    """Runs pgbench on bench_counter; returns (tps, average latency in ms) or None without pgbench."""
    binary = shutil.which("pgbench")
    if binary is None:
        return None
    settings = connection.settings_dict
    script = (
        f"\\set id random(0, {row_count - 1})\n"
        "BEGIN;\nUPDATE bench_counter SET n = n + 1 WHERE id = :id;\nEND;\n"
    )
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script)
        file.flush()
        command = [
            binary,
            "-n",
            "-f",
            file.name,
            "-c",
            str(threads),
            "-j",
            str(min(threads, os.cpu_count() or 1)),
        ]
        command += ["-t", str(transactions // threads)]
        for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
            if settings.get(key):
                command += [flag, str(settings[key])]
        command.append(settings["NAME"])
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return tps, latency


def main():
    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    if connection.vendor != "postgresql":
        print("== stock.reserve under contention ==")
        print(
            "skipped: PostgreSQL only (row locks between concurrent connections are the question; "
            "the SQLite test database is in memory). Set TALAT_DATABASE_URL to a PostgreSQL server."
        )
        return
    old_config = throwaway_database("test_talat_bench_stock")
    try:
        failed = run(connection)
    finally:
        teardown_databases(old_config, verbosity=0)
    if failed:
        raise SystemExit(f"{failed} check(s) failed")


def run(connection):
    print_header("stock.reserve under contention", connection, RUNS)
    started = time.perf_counter()
    ids = build({"hot": HOT_SKUS, "cold": COLD_SKUS})
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_counter (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
        cursor.execute("INSERT INTO bench_counter (id) SELECT generate_series(0, %s)", [COLD_SKUS - 1])
    print(
        f"setup: {HOT_SKUS} hot SKUs × {HOT_STOCK:,} units, {COLD_SKUS:,} cold SKUs × {COLD_STOCK} units, "
        f"in {time.perf_counter() - started:.1f} s; {THREADS} threads, each with its own connection"
    )
    total = HOT_SKUS * HOT_STOCK
    assert total == COLD_SKUS * COLD_STOCK

    cases = [
        (f"baseline: Django atomic() + UPDATE bench_counter SET n = n + 1 (1 of {HOT_SKUS} rows)", None,
         HOT_SKUS, THREADS),
        (f"stock.reserve, 1 unit of 1 of {HOT_SKUS} hot SKUs per transaction", "hot", HOT_SKUS, THREADS),
        (f"baseline: Django atomic() + UPDATE bench_counter SET n = n + 1 (1 of {COLD_SKUS:,} rows)", None,
         COLD_SKUS, THREADS),
        (f"stock.reserve, 1 unit of 1 of {COLD_SKUS:,} cold SKUs per transaction", "cold", COLD_SKUS,
         THREADS),
        (f"stock.reserve, {HOT_SKUS} hot SKUs, one thread (no contention)", "hot", HOT_SKUS, 1),
    ]  # fmt: skip
    rows, failures, check_lines = [], 0, []
    for label, case, skus, threads in cases:
        rates, latencies, misses, cpu_per_op = [], [], [], []
        for run_number in range(RUNS):
            run_label = f"{case or 'plain'}-{skus}-{threads}-{run_number}"
            if case is None:
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE bench_counter SET n = 0")
                    cursor.execute("VACUUM (ANALYZE) bench_counter")
                elapsed, cpu, results = hammer(threads, plain_updates(skus, total // threads, run_label))
            else:
                stock = HOT_STOCK if case == "hot" else COLD_STOCK
                reset(connection, ids[case], stock)
                monitor = Monitor(ids[case])
                monitor.start()
                try:
                    elapsed, cpu, results = hammer(threads, reserve_until_sold_out(ids[case], run_label))
                finally:
                    monitor.done.set()
                    monitor.join()
            done = [ns for thread_latencies, _m in results for ns in thread_latencies]
            if case is None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT sum(n) FROM bench_counter")
                    assert cursor.fetchone()[0] == len(done) == total
            else:
                checks = check_run(connection, ids[case], stock, len(done), monitor)
                bad = [text for text, ok in checks.items() if not ok]
                failures += len(bad)
                verdict = "ok" if not bad else "FAILED: " + "; ".join(bad)
                check_lines.append(f"check {label} (run {run_number + 1}): {verdict}")
                if run_number == 0:
                    check_lines.extend(f"    {'ok ' if ok else 'NOT'} {text}" for text, ok in checks.items())
            rates.append(len(done) / elapsed)
            cpu_per_op.append(cpu / len(done))
            latencies.extend(done)
            misses.append(sum(m for _l, m in results))
        rows.append(
            (label, f"{skus:,}", threads, f"{total:,}", f"{statistics.median(rates):,.0f}/s",
             f"{min(rates):,.0f} – {max(rates):,.0f}/s", ms(statistics.median(latencies)),
             ms(percentile(latencies, 0.95)), f"{statistics.median(misses):,.0f}",
             ms(statistics.median(cpu_per_op) * 1e9))
        )  # fmt: skip
    for skus in (HOT_SKUS, COLD_SKUS):
        label = f"baseline: pgbench (C client), BEGIN; UPDATE bench_counter … (1 of {skus:,} rows); END"
        results = []
        for _run in range(RUNS):
            with connection.cursor() as cursor:
                cursor.execute("UPDATE bench_counter SET n = 0")
                cursor.execute("VACUUM (ANALYZE) bench_counter")
            result = pgbench(connection, skus, total, THREADS)
            if result is None:
                break
            results.append(result)
        if not results:
            check_lines.append("pgbench is not installed: its baseline rows are left out")
            break
        rates = [tps for tps, _latency in results]
        rows.append(
            (label, f"{skus:,}", THREADS, f"{total:,}", f"{statistics.median(rates):,.0f}/s",
             f"{min(rates):,.0f} – {max(rates):,.0f}/s",
             f"{statistics.median(lat for _t, lat in results):,.2f} ms (mean)", "-", "-", "-")
        )  # fmt: skip
    print_table(
        f"Reservations a second ({RUNS} runs per row; each run sells out {total:,} units one per "
        "transaction; latency = one transaction with its commit, all runs; "
        "misses = attempts that found the SKU sold out; process CPU / op = this Python process's CPU time, "
        "all threads, per transaction: near 1 / rate means the threads are bound by the GIL)",
        ("measurement", "SKUs", "threads", "per run", "rate (median)", "run rates (min – max)", "median",
         "p95", "misses (median)", "process CPU / op"),
        rows,
    )  # fmt: skip
    print()
    for line in check_lines:
        print(line)
    return failures


if __name__ == "__main__":
    main()
