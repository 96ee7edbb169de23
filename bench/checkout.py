"""How many storefront orders a second from checkout to paid, end to end, against pgbench?

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/checkout.py
    … bench/checkout.py --orders 2000 --threads 8      # the defaults
    … bench/checkout.py --processes 2 --threads 4      # two worker processes, as a server runs
    … bench/checkout.py --profile                      # one thread, cProfile, no timed runs

Runs in a throwaway test database (`test_talat_bench_checkout` on the PostgreSQL server that
TALAT_DATABASE_URL names; in memory on SQLite). Setup: 12 verified shops (every third
VAT-registered), 100 SKUs each, plenty of stock. Each order is one buyer's whole path, in process:
`cart.lines` reads the cart (one SKU, chosen at random) as the storefront does,
`storefront.services.place_orders` accepts the order with its stock reserved and asks for one
PromptPay bill payment (its QR payload built by `promptpay.bill_payment`); the bank sandbox
(`BankSandbox.pay(..., deliver=False)`, in memory) pays that QR and writes its notification body,
which is signed with `notifications.sign`, checked by `notifications.verify` and handed to
`payments.services.receive_notification`: it records the notification in the inbox and, unless
another thread is already matching the inbox, matches what waits there in batches, marking the
orders paid (state move, OrderEvent, audit-log entry, ledger posting, receipt). A thread that
found the matching taken goes on to its next order; the worker looks again before it stops, so
when every thread of a run has returned, every order is paid (the checks after the runs see it).

Rows, each the median of 3 runs of --orders orders from --threads threads (each thread with its own
database connection, one Python interpreter; with --processes N, N forked interpreters of --threads
threads each, as a server with N worker processes):
- checkout to paid: the whole path above, one order after another in each thread;
- checkout only: cart read and `place_orders`;
- notification only: sign, verify and `receive_notification` of the checkout-only run's orders
  (their notification bodies built by the bank sandbox before the clock starts).
Components, one thread: QR payloads a second (`promptpay.bill_payment`), the bank sandbox's own
`pay` (inside the end-to-end figure; not Talat's work), sign + verify without the database, and a
bare `SELECT 1` round trip (what each of an order's statements costs at least). Beside each row's
rate: this Python process's CPU time per order (all threads) and PostgreSQL's (every server process
on this machine, read from /proc, "-" when the server is elsewhere): where the two cores' time goes.
The web path, one thread, after the runs: the same order as the two requests it takes in a
server, through Django's own request handler (the test client: every middleware, the session, the
view; no HTTP server, and the request log off, so these are lower bounds): POST /store/checkout/
(a one-line cart in a session made before the clock starts) and the bank's signed POST
/payments/bank/notify for each of those orders, beside the floor of any request (GET /healthz: the
middleware and one SELECT 1). On PostgreSQL a last table sets that beside the target: at 1,000
orders/s on this machine's cores an order may use cores / 1,000 s of CPU, Python and PostgreSQL
together; it shows how much of that two do-nothing requests already take, and the most orders a
second the measured web path could reach if every core did nothing else.
After the checks (PostgreSQL, with pgbench): the database's own floor. pgbench's C client writes an
order's rows with no Python at all: bench/sql/order_rows.sql as Talat does today (three
transactions an order: checkout, notification recorded, matched) and order_rows_batched.sql, the
same rows set-based for 50 and 500 orders a transaction; orders a second and PostgreSQL's CPU per
order. That is the most this machine's PostgreSQL could give each design.
Baseline in the same run (PostgreSQL, when the `pgbench` client is installed): pgbench's built-in
TPC-B-like transaction (`pgbench -i -s <clients>`, then `-c <threads> -j <cores> -t ...`, vacuuming
first as pgbench does by default) with as many clients as the benchmark has threads.

The SQL statements of a checkout and a notification (mean of 20 orders, one thread, after each
shop's first sale) are listed by the Talat function that issued them, with their time, and the
time outside them (Python, commits); counted with CaptureQueriesContext. After the runs: every
order is paid, every payment matched once, the ledger's trial balance balances and the bank
account holds every payment, the stock reserved equals the orders, one RESERVED movement, two
OrderEvents, two audit entries and one receipt per order. A failed check makes the script exit
non-zero. On SQLite (in memory, shared cache: concurrent writers lock tables
instead of waiting) the runs use one thread. Nothing here asserts on time.
"""

import argparse
import cProfile
import multiprocessing
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import percentile, print_header, print_table, server_cpu_seconds, throwaway_database  # noqa: E402
from stock import hammer  # noqa: E402

RUNS = 3
THREADS = 8
ORDERS = 2_000
SHOPS, SKUS_PER_SHOP, VAT_EVERY = 12, 100, 3
STOCK = 100_000  # units of each SKU
PROFILE_ORDERS = 300
QR_CALLS = 20_000
BANK_CALLS = 2_000
ROUND_TRIPS = 5_000
STATEMENT_ORDERS = 20
PGBENCH_TRANSACTIONS = 10_000
TARGET = 1_000  # orders a second, from the issue, on PostgreSQL
TALAT_ROOT = str(Path(__file__).resolve().parent.parent / "talat")
PAYER = "สมหญิง รักไทย"


def ms(ns):
    return f"{ns / 1e6:,.2f} ms"


def build():
    """The shops and their SKUs; returns the variant ids."""
    from talat.catalog.models import Variant
    from talat.registry.models import Enterprise
    from tests.factories import product, verified_enterprise

    ids = []
    for number in range(SHOPS):
        shop = verified_enterprise()
        if number % VAT_EVERY == 0:
            shop.vat_registered = True
            Enterprise.objects.filter(pk=shop.pk).update(vat_registered=True)
        first = Variant.objects.get(product=product(shop, stock=STOCK, price_satang=9_900))
        more = Variant.objects.bulk_create(
            Variant(enterprise=shop, product=first.product, sku=f"{first.sku}-{n:03d}",
                    price_satang=9_900 + 250 * n, weight_g=250, available=STOCK)
            for n in range(1, SKUS_PER_SHOP)
        )  # fmt: skip
        ids += [first.pk] + [v.pk for v in more]
    return ids


def new_bank():
    from django.conf import settings

    from talat.payments.sandboxes.bank import DEMO_CALLBACK_URL, BankSandbox

    # In memory: deliver=False holds every notification, so the callback URL is never called.
    return BankSandbox(secret=settings.TALAT_BANK_SECRET, callback_url=DEMO_CALLBACK_URL)


def checkout(rng, variant_ids):
    """One buyer's checkout of one SKU, as the storefront does it; returns the PaymentRequest."""
    from talat.storefront import cart
    from talat.storefront.services import place_orders
    from tests.factories import ADDRESS, CHECKOUT

    lines = cart.lines({cart.SESSION_KEY: {str(rng.choice(variant_ids)): 1}})
    return place_orders(
        lines=lines,
        buyer_name=CHECKOUT["buyer_name"],
        buyer_email=CHECKOUT["buyer_email"],
        buyer_phone=CHECKOUT["buyer_phone"],
        address=ADDRESS,
        shipping_method="standard",
    )


def notify(body):
    """What Talat does with the bank's notification `body`: the bank's signature, then Talat's
    verification, recording and matching. Raises unless the payment was matched (paid) once, or
    recorded for the worker already matching the inbox (which looks again before it stops: by the
    time every thread of a run has returned, the inbox is empty; the checks after the runs see
    every order paid)."""
    from django.conf import settings

    from talat.payments import notifications
    from talat.payments.models import Outcome
    from talat.payments.services import receive_notification

    secret = settings.TALAT_BANK_SECRET
    header = notifications.sign(body, secret=secret, timestamp=int(time.time()))
    received = receive_notification(notifications.verify(body, header=header, secret=secret))
    if received.duplicate or received.transaction.outcome not in (Outcome.MATCHED, Outcome.RECEIVED):
        raise RuntimeError(f"notification not matched: {received.transaction.outcome}")


def bank_body(bank, payment):
    return bank.pay(payment.payload, payer_name=PAYER, deliver=False).body


def shares(total, threads):
    return [total // threads + (1 if index < total % threads else 0) for index in range(threads)]


def end_to_end(variant_ids, orders, threads, bank, label):
    per_thread = shares(orders, threads)

    def work(index):
        rng = random.Random(f"{label}-{index}")
        latencies, paid = [], []
        for _ in range(per_thread[index]):
            start = time.perf_counter_ns()
            payment = checkout(rng, variant_ids)
            notify(bank_body(bank, payment))
            latencies.append(time.perf_counter_ns() - start)
            paid.append(payment.pk)
        return latencies, paid

    return work


def checkouts_only(variant_ids, orders, threads, label):
    per_thread = shares(orders, threads)

    def work(index):
        rng = random.Random(f"{label}-{index}")
        latencies, made = [], []
        for _ in range(per_thread[index]):
            start = time.perf_counter_ns()
            payment = checkout(rng, variant_ids)
            latencies.append(time.perf_counter_ns() - start)
            made.append(payment)
        return latencies, made

    return work


def notifications_only(bodies, threads):
    def work(index):
        latencies = []
        for body in bodies[index::threads]:
            start = time.perf_counter_ns()
            notify(body)
            latencies.append(time.perf_counter_ns() - start)
        return latencies, []

    return work


# Where the statements come from.


def issuer():
    """The innermost frame of Talat's own code on the stack, as module.function (frames only: no
    source lines are read, so recording stays cheap)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(TALAT_ROOT):
            module = Path(filename).relative_to(Path(TALAT_ROOT).parent).with_suffix("")
            return f"{'.'.join(module.parts)}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "(bench)"


def statement_kind(sql):
    text = sql.lstrip()
    verb = text.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "SAVEPOINT / RELEASE", ""
    if verb == "SELECT" and "FOR UPDATE" in text.upper():
        verb = "SELECT … FOR UPDATE"
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', text, re.IGNORECASE)
    return verb, match.group(1) if match else ""


def count_statements(connection, variant_ids, bank):
    """STATEMENT_ORDERS orders (random SKUs, after one warm-up order per shop: a shop's first sale
    also creates its ledger accounts and receipt series) with every statement recorded and timed;
    returns the table rows (statements and milliseconds per order) and statements per order per
    phase (CaptureQueriesContext, plus the audit log's raw inserts on PostgreSQL)."""
    from talat.catalog.models import Variant
    from talat.core import sql as talat_sql

    firsts = dict(Variant.objects.filter(pk__in=variant_ids).values_list("enterprise_id", "pk"))
    for variant_id in firsts.values():
        notify(bank_body(bank, checkout(random.Random("warm-up"), [variant_id])))
    seen = {"checkout": Counter(), "notification": Counter()}
    spent = {"checkout": Counter(), "notification": Counter()}
    wall, captured = Counter(), Counter()
    phase = ["checkout"]

    def record(execute, sql, params, many, context):
        key = (issuer(), *statement_kind(sql))
        start = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[phase[0]][key] += time.perf_counter_ns() - start
            seen[phase[0]][key] += 1

    # On PostgreSQL talat.core.sql writes the audit log's rows on a raw psycopg cursor, which neither
    # Django's query log nor its execute wrappers see: counted here by wrapping that function.
    raw_insert = talat_sql._insert_postgresql

    def counted_insert(table, *args, **kwargs):
        key = (issuer(), "INSERT (raw psycopg)", table.strip('"'))
        start = time.perf_counter_ns()
        try:
            return raw_insert(table, *args, **kwargs)
        finally:
            spent[phase[0]][key] += time.perf_counter_ns() - start
            seen[phase[0]][key] += 1
            captured[phase[0]] += 1

    talat_sql._insert_postgresql = counted_insert
    try:
        measure_orders(connection, variant_ids, bank, record, phase, wall, captured)
    finally:
        talat_sql._insert_postgresql = raw_insert
    rows = []
    for name, counter in seen.items():
        for key, n in sorted(counter.items(), key=lambda item: (-spent[name][item[0]], item[0])):
            rows.append((name, *key, f"{n / STATEMENT_ORDERS:g}", ms(spent[name][key] / STATEMENT_ORDERS)))
        # Django logs BEGIN (PostgreSQL) and COMMIT without running them through the execute wrappers.
        if unwrapped := captured[name] - sum(counter.values()):
            rows.append((name, "(Django's transaction log)", "BEGIN / COMMIT", "",
                         f"{unwrapped / STATEMENT_ORDERS:g}", "in the next row"))  # fmt: skip
        rest = wall[name] - sum(spent[name].values())
        rows.append((name, "(Python, COMMIT and all but the statements)", "", "", "",
                     ms(rest / STATEMENT_ORDERS)))  # fmt: skip
        rows.append((name, "(the phase, wall time)", "", "", f"{captured[name] / STATEMENT_ORDERS:g}",
                     ms(wall[name] / STATEMENT_ORDERS)))  # fmt: skip
    return rows, {name: captured[name] / STATEMENT_ORDERS for name in seen}, len(firsts) + STATEMENT_ORDERS


def measure_orders(connection, variant_ids, bank, record, phase, wall, captured):
    from django.test.utils import CaptureQueriesContext

    rng = random.Random("statements")
    for _ in range(STATEMENT_ORDERS):
        phase[0] = "checkout"
        start = time.perf_counter_ns()
        with connection.execute_wrapper(record), CaptureQueriesContext(connection) as queries:
            payment = checkout(rng, variant_ids)
        wall["checkout"] += time.perf_counter_ns() - start
        captured["checkout"] += len(queries)
        body = bank_body(bank, payment)
        phase[0] = "notification"
        start = time.perf_counter_ns()
        with connection.execute_wrapper(record), CaptureQueriesContext(connection) as queries:
            notify(body)
        wall["notification"] += time.perf_counter_ns() - start
        captured["notification"] += len(queries)


# Components, one thread.


def component_rates(connection):
    from django.conf import settings

    from talat.payments import notifications, promptpay

    biller = settings.TALAT_PROMPTPAY_BILLER_ID
    rows, payloads, rates = [], [], []
    for run in range(RUNS):
        references = [f"TL{run}{n:010X}" for n in range(QR_CALLS)]
        start = time.perf_counter()
        made = [
            promptpay.bill_payment(biller_id=biller, reference_1=ref, amount_satang=10_000 + n)
            for n, ref in enumerate(references)
        ]
        rates.append(QR_CALLS / (time.perf_counter() - start))
        payloads = made
    rows.append(("QR payload: promptpay.bill_payment", f"{QR_CALLS:,}", rates))

    bank, rates, bodies = new_bank(), [], []
    for _run in range(RUNS):
        start = time.perf_counter()
        bodies = [bank.pay(p, payer_name=PAYER, deliver=False).body for p in payloads[:BANK_CALLS]]
        rates.append(BANK_CALLS / (time.perf_counter() - start))
    rows.append(
        ("bank sandbox: BankSandbox.pay (bank side, inside checkout to paid)", f"{BANK_CALLS:,}", rates)
    )

    secret, rates = settings.TALAT_BANK_SECRET, []
    for _run in range(RUNS):
        start = time.perf_counter()
        for body in bodies:
            header = notifications.sign(body, secret=secret, timestamp=int(time.time()))
            notifications.verify(body, header=header, secret=secret)
        rates.append(len(bodies) / (time.perf_counter() - start))
    rows.append(("notifications.sign + verify (no database)", f"{len(bodies):,}", rates))

    rates = []
    with connection.cursor() as cursor:
        for _run in range(RUNS):
            start = time.perf_counter()
            for _ in range(ROUND_TRIPS):
                cursor.execute("SELECT 1")
                cursor.fetchone()
            rates.append(ROUND_TRIPS / (time.perf_counter() - start))
    rows.append(("database round trip: SELECT 1 on a Django cursor", f"{ROUND_TRIPS:,}", rates))
    return [
        (label, size, 1, f"{statistics.median(r):,.0f}/s", f"{min(r):,.0f} – {max(r):,.0f}/s",
         f"{1e6 / statistics.median(r):,.1f} µs")
        for label, size, r in rows
    ]  # fmt: skip


# The web path: the requests a buyer's order takes, through Django's own request handler.

WEB_REQUESTS = 300  # checkouts and notifications, a run
HEALTHZ_REQUESTS = 2_000


def web_rates(variant_ids, bank):
    """One thread through Django's request handler (the test client: every middleware, the session,
    the view, its redirect or JSON; no HTTP server and the request log off, so a lower bound for a
    served request): the floor of any request (GET /healthz, one SELECT 1), the buyer's checkout
    (POST /store/checkout/ with a one-line cart in a session made before the clock starts) and the
    bank's signed notification of each of those orders (POST /payments/bank/notify). Returns the
    rows, the CPU per request by kind ({key: (Python s, PostgreSQL s or None)}) and the orders made."""
    import logging

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from talat.payments import notifications
    from talat.payments.models import PaymentRequest
    from talat.storefront import cart
    from tests.factories import CHECKOUT

    client, rng = Client(), random.Random("web")
    anonymous = Client()  # no cookies: the floor, and the bank's notifications
    cookie, secret = settings.SESSION_COOKIE_NAME, settings.TALAT_BANK_SECRET
    results = {"healthz": [], "checkout": [], "notify": []}

    def healthz(_item):
        response = anonymous.get("/healthz")
        if response.status_code != 200:
            raise RuntimeError(f"GET /healthz answered {response.status_code}")

    def checkout_request(session_key):
        client.cookies[cookie] = session_key
        response = client.post("/store/checkout/", CHECKOUT)
        if response.status_code != 302:
            raise RuntimeError(f"POST /store/checkout/ answered {response.status_code}")
        return response["Location"]

    def notify_request(body):
        header = notifications.sign(body, secret=secret, timestamp=int(time.time()))
        response = anonymous.post("/payments/bank/notify", data=body, content_type="application/json",
                                  HTTP_X_BANK_SIGNATURE=header)  # fmt: skip
        if response.status_code != 200:
            raise RuntimeError(f"POST /payments/bank/notify answered {response.status_code}")

    def timed_requests(key, handler, items):
        server_before, cpu_before = server_cpu_seconds(), time.process_time()
        start = time.perf_counter()
        answers = [handler(item) for item in items]
        elapsed = time.perf_counter() - start
        cpu, server_after = time.process_time() - cpu_before, server_cpu_seconds()
        server = None if server_before is None or server_after is None else server_after - server_before
        results[key].append((len(items) / elapsed, cpu / len(items), server and server / len(items)))
        return answers

    logging.disable(logging.INFO)
    made = 0
    try:
        healthz(None)  # the handler's middleware is loaded once, as in a server
        for _run in range(RUNS):
            timed_requests("healthz", healthz, range(HEALTHZ_REQUESTS))
            sessions = []
            for _ in range(WEB_REQUESTS):
                session = SessionStore()
                session[cart.SESSION_KEY] = {str(rng.choice(variant_ids)): 1}
                session.save()
                sessions.append(session.session_key)
            locations = timed_requests("checkout", checkout_request, sessions)
            uids = [location.rstrip("/").rsplit("/", 1)[1] for location in locations]
            payments = {str(p.uid): p for p in PaymentRequest.objects.filter(uid__in=uids)}
            timed_requests("notify", notify_request, [bank_body(bank, payments[uid]) for uid in uids])
            made += WEB_REQUESTS
    finally:
        logging.disable(logging.NOTSET)
    labels = {
        "healthz": "floor: GET /healthz (every middleware, one SELECT 1)",
        "checkout": "POST /store/checkout/ (one-line cart: order placed, redirect to the QR)",
        "notify": "POST /payments/bank/notify (signed: verified, recorded, matched)",
    }
    rows, per_request, sizes = [], {}, {"healthz": HEALTHZ_REQUESTS}
    for key, runs in results.items():
        rate, cpu = statistics.median(r for r, _c, _s in runs), statistics.median(c for _r, c, _s in runs)
        servers = [s for _r, _c, s in runs if s is not None]
        server = statistics.median(servers) if servers else None
        per_request[key] = (cpu, server)
        rows.append((labels[key], f"{sizes.get(key, WEB_REQUESTS):,}", f"{rate:,.0f}/s",
                     f"{min(r for r, _c, _s in runs):,.0f} – {max(r for r, _c, _s in runs):,.0f}/s",
                     ms(cpu * 1e9), ms(server * 1e9) if server is not None else "-"))  # fmt: skip
    return rows, per_request, made


def budget_rows(per_request):
    """What the target leaves each order on this machine, beside what the web path measured."""
    cores = os.cpu_count() or 1
    budget = cores / TARGET

    def total(*keys):
        return sum(cpu + (server or 0) for key in keys for cpu, server in [per_request[key]])

    floor, path = 2 * total("healthz"), total("checkout", "notify")
    return [
        (f"CPU an order may use at {TARGET:,}/s on {cores} cores (Python and PostgreSQL together)",
         ms(budget * 1e9), "100%", f"{TARGET:,}/s"),
        ("two requests that do nothing (2 × GET /healthz): the framework's floor for an order",
         ms(floor * 1e9), f"{floor / budget:.0%}", f"{cores / floor:,.0f}/s"),
        ("the two requests of an order, measured (checkout POST + bank notification POST)",
         ms(path * 1e9), f"{path / budget:.0%}", f"{cores / path:,.0f}/s"),
    ]  # fmt: skip


# pgbench.


def pgbench(connection, arguments):
    """Runs the pgbench client with `arguments` against the benchmark's database; returns its
    output, or None when pgbench is not installed."""
    binary = shutil.which("pgbench")
    if binary is None:
        return None
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    target = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            target += [flag, str(settings[key])]
    command = [binary, *arguments, *target, settings["NAME"]]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def pgbench_tpcb(connection, clients, transactions, runs):
    """pgbench's built-in TPC-B-like script with `clients` clients, `runs` times; returns
    [(tps, average latency in ms)], or None without pgbench."""
    # Scale at least the number of clients, as pgbench's documentation asks for tpcb-like.
    if pgbench(connection, ["-i", "-q", "-I", "dtGvp", "-s", str(clients)]) is None:
        return None
    results = []
    for _run in range(runs):
        jobs = str(min(clients, os.cpu_count() or 1))
        out = pgbench(connection, ["-c", str(clients), "-j", jobs, "-t", str(transactions // clients)])
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
        latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
        results.append((tps, latency))
    return results


# The database's own floor.

FLOOR_ORDERS = 8_000  # a run
FLOOR_SCRIPTS = (("order_rows.sql", 1), ("order_rows_batched.sql", 50), ("order_rows_batched.sql", 500))
SQL = Path(__file__).resolve().parent / "sql"


def database_floor(connection, clients):
    """An order's rows written by PostgreSQL alone: bench/sql/order_rows.sql (one order as Talat
    writes it today, in its three transactions) and order_rows_batched.sql (the same rows set-based,
    b orders a transaction) run by pgbench's C client (prepared statements) with `clients` clients,
    copying the wide values from rows this benchmark made. Returns the table rows (orders a second,
    PostgreSQL's CPU per order), or None without pgbench. Run after the checks: these rows are
    not Talat's and would fail them."""
    from talat.catalog.models import Variant
    from talat.core.models import AuditEntry, AuditNode
    from talat.invoicing.models import TaxDocument
    from talat.ledger.models import Entry
    from talat.orders.models import Order, OrderLine
    from talat.payments.models import BankTransaction, PaymentRequest
    from talat.registry.models import Enterprise

    shops = sorted(Enterprise.objects.filter(orders__isnull=False).values_list("pk", flat=True).distinct())
    variants = Variant.objects.filter(enterprise__in=shops).values_list("pk", flat=True)
    first = {
        name: model.objects.filter(**where).earliest("pk").pk
        for name, model, where in (
            ("order_row", Order, {}),
            ("line_row", OrderLine, {}),
            ("payment_row", PaymentRequest, {}),
            ("tx_row", BankTransaction, {}),
            ("audit_row", AuditEntry, {}),
            ("node_row", AuditNode, {}),
            ("entry_row", Entry, {"kind": "payment"}),
            ("document_row", TaxDocument, {}),
        )
    }
    variables = {
        "vmin": min(variants), "vmax": max(variants), "shops": "{" + ",".join(map(str, shops)) + "}",
        "nshops": len(shops), **first,
    }  # fmt: skip
    defines = [f"-D{name}={value}" for name, value in variables.items()]
    rows = []
    for script, batch in FLOOR_SCRIPTS:
        rates, server = [], []
        for _run in range(RUNS):
            transactions = max(1, FLOOR_ORDERS // (batch * clients))
            before = server_cpu_seconds()
            out = pgbench(connection, ["-n", "-M", "prepared", "-c", str(clients), "-j",
                                       str(min(clients, os.cpu_count() or 1)), "-t", str(transactions),
                                       *defines, f"-Db={batch}", "-f", str(SQL / script)])  # fmt: skip
            if out is None:
                return None
            after = server_cpu_seconds()
            orders = int(re.search(r"actually processed: (\d+)", out).group(1)) * batch
            rates.append(float(re.search(r"tps = ([\d.]+)", out).group(1)) * batch)
            if before is not None and after is not None:
                server.append((after - before) / orders)
        what = "one order at a time, as today" if batch == 1 else f"{batch} orders a transaction, set-based"
        rows.append((f"PostgreSQL alone (pgbench, {script}): an order's rows, {what}",
                     f"{transactions * clients * batch:,}", clients, f"{statistics.median(rates):,.0f}/s",
                     f"{min(rates):,.0f} – {max(rates):,.0f}/s",
                     ms(statistics.median(server) * 1e9) if server else "-"))  # fmt: skip
    return rows


# Checks.


def checks(expected_orders, paid_ids):
    """Returns {description: ok} over the whole database after the runs."""
    from django.db.models import Count, Sum

    from talat.catalog.models import MovementReason, StockMovement, Variant
    from talat.core.models import AuditEntry, AuditLogState
    from talat.invoicing.models import TaxDocument
    from talat.ledger import selectors as ledger
    from talat.orders.models import Order, OrderEvent, OrderStatus
    from talat.payments.models import BankTransaction, Outcome, PaymentRequest, PaymentStatus

    orders = Order.objects.count()
    by_status = dict(Order.objects.values_list("status").annotate(n=Count("pk")))
    payments = PaymentRequest.objects.aggregate(n=Count("pk"), amount=Sum("amount_minor"))
    paid_payments = PaymentRequest.objects.filter(status=PaymentStatus.PAID).count()
    matched = BankTransaction.objects.filter(outcome=Outcome.MATCHED).count()
    transactions = BankTransaction.objects.count()
    end_to_end_paid = Order.objects.filter(payment_requests__in=paid_ids, status=OrderStatus.PAID).count()
    trial = ledger.trial_balance()
    bank = ledger.balance("bank")
    stock = Variant.objects.aggregate(reserved=Sum("reserved"), available=Sum("available"), n=Count("pk"))
    reserved_moves = StockMovement.objects.filter(reason=MovementReason.RESERVED).aggregate(
        n=Count("pk"), units=Sum("reserved_delta")
    )
    events = OrderEvent.objects.count()
    order_audit = AuditEntry.objects.filter(kind="order.status").count()
    audit_size = AuditLogState.objects.values_list("size", flat=True).get(pk=1)
    receipts = TaxDocument.objects.filter(original__isnull=True).count()
    vat_receipts = TaxDocument.objects.filter(vat_minor__gt=0).count()
    return {
        f"orders placed ({orders:,}) = orders the benchmark made ({expected_orders:,})": (
            orders == expected_orders
        ),
        f"every order paid ({by_status})": by_status == {OrderStatus.PAID: expected_orders},
        f"orders of the checkout-to-paid runs paid ({end_to_end_paid:,} of {len(paid_ids):,})": (
            end_to_end_paid == len(paid_ids)
        ),
        f"every payment request paid ({paid_payments:,} of {payments['n']:,})": (
            paid_payments == payments["n"]
        ),
        f"bank transactions ({transactions:,}) = matched ({matched:,}) = payments": (
            transactions == matched == payments["n"]
        ),
        f"ledger trial_balance().balanced (debits {trial.total_debit_satang:,} = credits "
        f"{trial.total_credit_satang:,} satang)": (
            trial.balanced
        ),
        f"ledger bank balance ({bank:,}) = sum of payments ({payments['amount']:,} satang)": (
            bank == payments["amount"]
        ),
        f"stock reserved ({stock['reserved']:,}) = orders": stock["reserved"] == expected_orders,
        f"stock available ({stock['available']:,}) = starting stock − orders": (
            stock["available"] == stock["n"] * STOCK - expected_orders
        ),
        f"RESERVED movements ({reserved_moves['n']:,}, {reserved_moves['units']:,} units) = orders": (
            reserved_moves["n"] == reserved_moves["units"] == expected_orders
        ),
        f"order events ({events:,}) = 2 per order": events == 2 * expected_orders,
        f"order.status audit entries ({order_audit:,}) = 2 per order; log size {audit_size:,} = rows": (
            order_audit == 2 * expected_orders and audit_size == AuditEntry.objects.count()
        ),
        f"receipts ({receipts:,}, {vat_receipts:,} with VAT) = orders": receipts == expected_orders
        and 0 < vat_receipts < receipts,
    }  # fmt: skip


# Main.


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=ORDERS, help=f"orders per run (default {ORDERS:,})")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads (default {THREADS})")
    parser.add_argument(
        "--processes", type=int, default=1,
        help="worker processes, each running --threads threads (default 1; PostgreSQL only)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help=f"profile {PROFILE_ORDERS} orders from one thread with cProfile instead of the timed runs",
    )  # fmt: skip
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    old_config = throwaway_database("test_talat_bench_checkout")
    try:
        failed = (
            profile(connection)
            if args.profile
            else run(connection, args.orders, args.threads, args.processes)
        )
    finally:
        teardown_databases(old_config, verbosity=0)
    if failed:
        raise SystemExit(f"{failed} check(s) failed")


def setup(connection):
    started = time.perf_counter()
    variant_ids = build()
    print(
        f"setup: {SHOPS} verified shops (every {VAT_EVERY}rd VAT-registered) × {SKUS_PER_SHOP} SKUs = "
        f"{len(variant_ids):,} SKUs, {STOCK:,} units each, in {time.perf_counter() - started:.1f} s"
    )
    return variant_ids


def print_statements(connection, variant_ids, bank):
    """Prints the statements table; returns (statements per order by phase, orders made)."""
    rows, totals, made = count_statements(connection, variant_ids, bank)
    print_table(
        f"SQL statements per order (mean of {STATEMENT_ORDERS} orders, one thread, after each shop's first "
        f"sale): checkout {totals['checkout']:g}, notification {totals['notification']:g}, "
        f"{totals['checkout'] + totals['notification']:g} in all; by the innermost Talat function on the "
        "stack, slowest first; time = time in the statement's execute, per order",
        ("phase", "issued by", "statement", "table", "per order", "time"),
        rows,
    )
    return totals, made


def vacuum(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def run(connection, orders, threads, processes):
    if connection.vendor != "postgresql" and threads * processes != 1:
        threads = processes = 1
        note = "SQLite: one thread (the in-memory test database locks tables between connections)"
    elif processes > 1:
        note = f"{processes} processes × {threads} threads, each thread with its own connection"
    else:
        note = f"{threads} threads, each with its own connection"
    workers = processes * threads
    print_header("checkout to paid", connection, RUNS)
    variant_ids = setup(connection)
    print(f"{orders:,} orders per run; {note}")
    bank = new_bank()
    _totals, made = print_statements(connection, variant_ids, bank)

    rates = {"e2e": [], "checkout": [], "notify": []}
    latencies = {key: [] for key in rates}
    server = {key: [] for key in rates}  # PostgreSQL's CPU seconds per order, where visible
    cpu = {key: [] for key in rates}
    paid_ids = []
    for run_number in range(RUNS):
        vacuum(connection)
        work = end_to_end(variant_ids, orders, workers, bank, f"e2e-{run_number}")
        elapsed, used, results = timed(processes, threads, work, server, "e2e")
        record(rates, latencies, cpu, "e2e", elapsed, used, results)
        paid_ids += [pk for _l, ids in results for pk in ids]
        work = checkouts_only(variant_ids, orders, workers, f"checkout-{run_number}")
        elapsed, used, results = timed(processes, threads, work, server, "checkout")
        record(rates, latencies, cpu, "checkout", elapsed, used, results)
        payments = [payment for _l, made_here in results for payment in made_here]
        bodies = [bank_body(bank, payment) for payment in payments]  # the bank's work, before the clock
        random.Random(run_number).shuffle(bodies)
        elapsed, used, results = timed(
            processes, threads, notifications_only(bodies, workers), server, "notify"
        )
        record(rates, latencies, cpu, "notify", elapsed, used, results)
        made += 2 * orders
        print(
            f"run {run_number + 1}: checkout to paid {rates['e2e'][-1]:,.0f}/s, checkout only "
            f"{rates['checkout'][-1]:,.0f}/s, notification only {rates['notify'][-1]:,.0f}/s",
            flush=True,
        )

    e2e = statistics.median(rates["e2e"])
    target = f"target ≥ {TARGET:,} orders/s: {'met' if e2e >= TARGET else 'not met'} ({e2e / TARGET:.0%})"
    labels = {
        "e2e": "checkout to paid (cart, place_orders, bank pays, sign, verify, receive_notification)",
        "checkout": "checkout only (cart.lines + place_orders)",
        "notify": "notification only (sign, verify, receive_notification)",
    }
    rows = [
        (labels[key], f"{orders:,}", f"{processes} × {threads}" if processes > 1 else threads,
         f"{statistics.median(rates[key]):,.0f}/s",
         f"{min(rates[key]):,.0f} – {max(rates[key]):,.0f}/s", ms(statistics.median(latencies[key])),
         ms(percentile(latencies[key], 0.95)), ms(statistics.median(cpu[key]) * 1e9),
         ms(statistics.median(server[key]) * 1e9) if server[key] else "-",
         target if key == "e2e" else "")
        for key in rates
    ]  # fmt: skip
    baseline = None
    if connection.vendor == "postgresql":
        results = pgbench_tpcb(connection, workers, PGBENCH_TRANSACTIONS, RUNS)
        if results is None:
            baseline = "pgbench is not installed: its baseline row is left out"
        else:
            tps = [t for t, _l in results]
            rows.append(
                (f"baseline: pgbench TPC-B-like (built-in tpcb-like, scale {workers}; C client, no Python)",
                 f"{PGBENCH_TRANSACTIONS:,}", workers, f"{statistics.median(tps):,.0f}/s",
                 f"{min(tps):,.0f} – {max(tps):,.0f}/s",
                 f"{statistics.median(lat for _t, lat in results):,.2f} ms (mean)", "-", "-", "-",
                 f"checkout to paid = {e2e / statistics.median(tps):.1%} of it")
            )  # fmt: skip
    else:
        baseline = "pgbench baseline: PostgreSQL only"
    print_table(
        f"Orders a second ({RUNS} runs per row; one SKU per order; latency = one order in one thread, "
        "all runs; "
        "server CPU / op = CPU time of PostgreSQL's processes on this machine per order; "
        "process CPU / op = the benchmark's Python processes' CPU time, all threads, per order: near "
        "processes / rate means the threads are bound by the GIL)",
        ("measurement", "per run", "threads", "rate (median)", "run rates (min – max)", "median", "p95",
         "process CPU / op", "server CPU / op", "target / comparison"),
        rows,
    )  # fmt: skip
    vacuum(connection)  # so that autovacuum after the runs does not run beside the web path
    web, per_request, web_orders = web_rates(variant_ids, bank)
    made += web_orders
    print_table(
        f"The web path, one thread through Django's request handler (median of {RUNS} runs; CPU per "
        "request as above)",
        (
            "request",
            "per run",
            "rate (median)",
            "run rates (min – max)",
            "process CPU / op",
            "server CPU / op",
        ),
        web,
    )
    if connection.vendor == "postgresql" and all(server is not None for _c, server in per_request.values()):
        print_table(
            'What the target leaves an order, against the web path\'s CPU ("at most" = the rate if '
            "every core did nothing else)",
            ("", "CPU per order", "of the budget", "at most"),
            budget_rows(per_request),
        )
    print_table(
        f"Components, one thread (median of {RUNS} runs)",
        ("measurement", "calls", "threads", "rate (median)", "run rates (min – max)", "per call"),
        component_rates(connection),
    )
    if baseline:
        print(f"\n{baseline}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    failed = print_checks(checks(made, paid_ids))
    if connection.vendor == "postgresql" and (floor := database_floor(connection, workers)):
        print_table(
            f"The database's own floor, after the checks (median of {RUNS} runs; no Python: what an order's "
            "rows cost PostgreSQL, written by pgbench's C client, one order at a time and in batches)",
            ("measurement", "orders a run", "clients", "rate (median)", "run rates (min – max)",
             "server CPU / op"),
            floor,
        )  # fmt: skip
    return failed


def timed(processes, threads, work, server, key):
    """spread(processes, threads, work), noting PostgreSQL's CPU seconds per order in server[key]."""
    before = server_cpu_seconds()
    elapsed, used, results = spread(processes, threads, work)
    after = server_cpu_seconds()
    if before is not None and after is not None:
        server[key].append((after - before) / sum(len(latencies) for latencies, _x in results))
    return elapsed, used, results


def spread(processes, threads, work):
    """hammer(threads, work) in each of `processes` forked processes, as a server with several
    worker processes runs (work(index) with index over every process's threads); returns the wall
    time from the start signal to the last result, the CPU time of all of them, and the per-thread
    results in index order. One process: hammer itself."""
    if processes == 1:
        return hammer(threads, work)
    from django.db import connections

    connections.close_all()  # a child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    start_signal, answers = context.Barrier(processes + 1), context.SimpleQueue()

    def child(number):
        try:
            start_signal.wait()
            _elapsed, _cpu, results = hammer(threads, lambda index: work(number * threads + index))
            answers.put((number, results, None))
        except BaseException as error:  # sent to the parent, which raises it
            answers.put((number, None, repr(error)))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = [context.Process(target=child, args=(number,)) for number in range(processes)]
    for process in children:
        process.start()
    start_signal.wait()
    start = time.perf_counter()
    collected = {number: (results, error) for number, results, error in (answers.get() for _ in children)}
    elapsed = time.perf_counter() - start
    for process in children:
        process.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if errors := [error for _results, error in collected.values() if error]:
        raise RuntimeError(f"a benchmark process failed: {errors[0]}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, used, [result for number in range(processes) for result in collected[number][0]]


def record(rates, latencies, cpu, key, elapsed, used, results):
    done = [ns for thread_latencies, _x in results for ns in thread_latencies]
    rates[key].append(len(done) / elapsed)
    cpu[key].append(used / len(done))
    latencies[key].extend(done)


def print_checks(results):
    print()
    bad = [text for text, ok in results.items() if not ok]
    print(f"check after all runs: {'ok' if not bad else 'FAILED'}")
    for text, ok in results.items():
        print(f"    {'ok ' if ok else 'NOT'} {text}")
    return len(bad)


def profile(connection):
    print_header(f"checkout to paid under cProfile ({PROFILE_ORDERS} orders, one thread)", connection, 1)
    variant_ids = setup(connection)
    bank = new_bank()
    totals, made = print_statements(connection, variant_ids, bank)
    rng = random.Random("profile")
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    paid_ids = []
    for _ in range(PROFILE_ORDERS):
        payment = checkout(rng, variant_ids)
        notify(bank_body(bank, payment))
        paid_ids.append(payment.pk)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(
        f"\n{PROFILE_ORDERS} orders in {elapsed:.2f} s under the profiler "
        f"({PROFILE_ORDERS / elapsed:,.0f}/s; "
        f"{totals['checkout'] + totals['notification']:g} statements an order)"
    )
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    print("Talat's own functions, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(f"^{re.escape(TALAT_ROOT)}", 40)
    return print_checks(checks(PROFILE_ORDERS + made, paid_ids))


if __name__ == "__main__":
    main()
