"""How much does the border cost? `border.release` on a 30-key payload, and `release_many` throughput.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/border_release.py

Runs in a throwaway test database (Django's test-database machinery) on whatever
TALAT_DATABASE_URL names (default SQLite). The payload is an Enterprise row by field name
(24 keys) padded with 6 unknown keys to 30; the agreement releases 10 of them, so 20 are
dropped. Targets (from the issue, for PostgreSQL): a release under 50 µs excluding the audit
write; 10,000 releases a second with release_many. Nothing here asserts on time.
"""

import contextlib
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import percentile, print_header, print_table, throwaway_database  # noqa: E402

RUNS = 5  # every figure is measured in RUNS separate runs
CALLS_PER_RUN = 400  # per-call rows: RUNS x CALLS_PER_RUN = 2,000 timed calls
WARMUP = 50  # untimed calls before each per-call row
BATCH_SIZES = (100, 500, 1_000)
PAYLOAD_KEYS = 30
RELEASED_FIELDS = [
    "kind",
    "name_th",
    "name_en",
    "branch",
    "subdistrict_code",
    "district_code",
    "province_code",
    "postal_code",
    "email",
    "phone",
]


def time_calls(fn, *, runs=RUNS, calls=CALLS_PER_RUN, warmup=None):
    """Times each call; returns (all samples, per-run medians) in nanoseconds."""
    for _ in range(WARMUP if warmup is None else warmup):
        fn()
    samples, run_medians = [], []
    for _run in range(runs):
        gc.collect()
        run = []
        for _ in range(calls):
            start = time.perf_counter_ns()
            fn()
            run.append(time.perf_counter_ns() - start)
        samples.extend(run)
        run_medians.append(statistics.median(run))
    return samples, run_medians


def us(ns):
    return f"{ns / 1_000:,.1f} µs"


# --- the scenario ----------------------------------------------------------------------------------


def build_world(count):
    """A consent-based agreement releasing 10 Enterprise fields to a partner, and `count`
    enterprises that consented, each with its 30-key payload."""
    from talat.accounts.models import Role, User
    from talat.governance import services as governance
    from talat.registry.models import Enterprise
    from tests.factories import agreement, enterprise, partner

    deal = agreement(
        recipient=partner(),
        purpose="logistics",
        fields=[f"registry.Enterprise.{name}" for name in RELEASED_FIELDS],
        consent_required=True,
    )
    subjects = []
    for n in range(count):
        # No password, so no Argon2 hashing: the factories' users cost ~0.1 s each.
        owner = User.objects.create_user(
            f"bench-owner-{n}@example.th", None, full_name="ทดสอบ", role=Role.SME_OWNER
        )
        shop = enterprise(owner=owner)
        governance.decide_consent(
            agreement=deal, owner=shop, by=shop.owner, granted=True, text_version=deal.text_version
        )
        subjects.append(shop)
    items = []
    for shop in subjects:
        payload = {}
        for field in Enterprise._meta.concrete_fields:
            value = getattr(shop, field.attname)
            payload[field.name] = value if value is None or isinstance(value, int | str) else str(value)
        for n in range(PAYLOAD_KEYS - len(payload)):
            payload[f"unknown_{n}"] = f"not a field of Enterprise #{n}"
        assert len(payload) == PAYLOAD_KEYS, len(payload)
        items.append((payload, shop))
    return deal, items


def main():
    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    old_config = throwaway_database("test_talat_bench_border")
    try:
        run(connection)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(connection):
    from django.utils import timezone

    from talat.core import audit
    from talat.governance import border
    from talat.governance.models import Disclosure, Purpose
    from talat.registry.models import Enterprise

    print_header("border.release / border.release_many", connection, RUNS)
    started = time.perf_counter()
    deal, items = build_world(max(BATCH_SIZES))
    print(f"setup: {len(items):,} enterprises with consent, in {time.perf_counter() - started:.1f} s")
    recipient, purpose = deal.recipient, Purpose.LOGISTICS

    released = border.release(
        items[0][0], source=Enterprise, recipient=recipient, purpose=purpose, subject=items[0][1]
    )
    allowed_keys = set(released.data)
    assert allowed_keys == set(RELEASED_FIELDS), allowed_keys
    dropped = PAYLOAD_KEYS - len(allowed_keys)

    def cycling(fn):
        position = 0

        def call():
            nonlocal position
            payload, subject = items[position % len(items)]
            position += 1
            return fn(payload, subject)

        return call

    def release(payload, subject):
        return border.release(
            payload, source=Enterprise, recipient=recipient, purpose=purpose, subject=subject
        )

    # (a) baseline: the projection alone.
    def projection(payload, _subject):
        return {k: payload[k] for k in payload if k in allowed_keys}

    # (c) the full call with the two writes stubbed out (the disclosure rows are still built).
    fake_index = iter(range(10**15, 10**16))

    def no_append(events, at=None, policy_version=None):
        now = timezone.now()
        return [SimpleNamespace(index=next(fake_index), at=now) for _ in events]

    def no_insert(model, columns, rows, *, returning=()):
        at = columns.index("audit_index")
        return [(row[at], 1) for row in rows]

    writes_stubbed = [(audit, "append_many", no_append), (border, "insert_rows", no_insert)]

    # (c') also without the two reads: what is left is the border's pure-Python work.
    consents = border.latest_consents(deal, [subject for _p, subject in items])
    reads_from_memory = [
        (border, "active_agreement", lambda *a, **k: deal),
        (border, "latest_consents", lambda _a, subjects: {s.pk: consents[s.pk] for s in subjects}),
    ]

    # The SQL of the two reads, to time them without the ORM (one round trip each).
    def sql_of(fn):
        captured = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            fn()
        assert len(captured) == 1, captured
        return captured[0]

    agreement_sql = sql_of(lambda: border.active_agreement(recipient, purpose))
    consent_sql = sql_of(lambda: border.latest_consents(deal, [items[0][1]]))
    cursor = connection.cursor()

    def raw(query):
        cursor.execute(*query)
        return cursor.fetchall()

    size = f"{PAYLOAD_KEYS} keys → {len(allowed_keys)}"
    measured = [
        ("baseline: dict projection {k: p[k] for k in p if k in allowed}", size, cycling(projection), ""),
        (
            "border.release, full call (policy cache, audit append + disclosure write)",
            size,
            cycling(release),
            "",
        ),
        (
            "border.release EXCLUDING the audit/disclosure write (append_many, insert_rows stubbed)",
            size,
            cycling(release),
            "< 50 µs (PostgreSQL)",
            writes_stubbed,
        ),
        (
            "  … and with agreement/consent lookups patched out entirely (pure Python)",
            size,
            cycling(release),
            "",
            writes_stubbed + reads_from_memory,
        ),
        (
            "  component: border.active_agreement (1 query)",
            "1 agreement",
            lambda: border.active_agreement(recipient, purpose),
            "",
        ),
        ("  component: its SQL run raw on a cursor (no ORM)", "1 agreement", lambda: raw(agreement_sql), ""),
        (
            "  component: border.latest_consents (1 query)",
            "1 subject",
            cycling(lambda _p, s: border.latest_consents(deal, [s])),
            "",
        ),
        ("  component: its SQL run raw on a cursor (no ORM)", "1 subject", lambda: raw(consent_sql), ""),
        ("  component: raw cursor round trip SELECT 1", "-", lambda: raw(("SELECT 1", ())), ""),
    ]
    before = Disclosure.objects.count()
    rows = []
    for label, row_size, fn, target, *stubs in measured:
        with contextlib.ExitStack() as stack:  # stubs are in place for the whole row, outside the timing
            for target_object, name, replacement in stubs[0] if stubs else []:
                stack.enter_context(mock.patch.object(target_object, name, replacement))
            samples, run_medians = time_calls(fn)
        rows.append(
            (
                label,
                row_size,
                us(statistics.median(samples)),
                us(percentile(samples, 0.95)),
                f"{us(min(run_medians))} – {us(max(run_medians))}",
                target,
            )
        )
    cursor.close()
    # Only the full call wrote: one disclosure per call, warm-up included; the stubs wrote nothing.
    assert Disclosure.objects.count() - before == WARMUP + RUNS * CALLS_PER_RUN
    print_table(
        f"Per call ({RUNS * CALLS_PER_RUN:,} timed calls per row: {RUNS} runs × {CALLS_PER_RUN}, after "
        f"{WARMUP} warm-up calls; {dropped} of the {PAYLOAD_KEYS} keys are unknown or not released)",
        ("measurement", "size", "median", "p95", "run medians (min – max)", "target"),
        rows,
    )

    # (d) throughput of release_many, with a plain bulk_create of the same number of Disclosure rows
    # as the baseline (what storing the disclosures costs with no border and no audit log).
    audit_row = iter(range(10**15, 10**16))
    rows = []
    for batch in BATCH_SIZES:
        chunk = items[:batch]
        border.release_many(chunk, source=Enterprise, recipient=recipient, purpose=purpose)  # warm-up
        border_times, plain_times = [], []
        for _run in range(RUNS):
            gc.collect()
            start = time.perf_counter_ns()
            out = border.release_many(chunk, source=Enterprise, recipient=recipient, purpose=purpose)
            border_times.append(time.perf_counter_ns() - start)
            assert len(out) == batch

            now = timezone.now()
            gc.collect()  # each timed call starts from the same collector state
            start = time.perf_counter_ns()
            Disclosure.objects.bulk_create(
                Disclosure(
                    at=now,
                    agreement=deal,
                    purpose=purpose,
                    recipient_label="bench",
                    field_names=sorted(allowed_keys),
                    payload_sha256="0" * 64,
                    audit_index=next(audit_row),
                    enterprise=subject,
                )
                for _payload, subject in chunk
            )
            plain_times.append(time.perf_counter_ns() - start)
            Disclosure.objects.filter(audit_index__gte=10**15).delete()
        for label, times, target in (
            ("baseline: Disclosure.objects.bulk_create (no border, no audit)", plain_times, ""),
            (
                "border.release_many (1 agreement read, 1 consent read, 1 audit append_many)",
                border_times,
                "10,000/s (PostgreSQL)",
            ),
        ):
            rates = [batch / (t / 1e9) for t in times]
            rows.append(
                (
                    label,
                    f"{batch:,} payloads",
                    f"{statistics.median(rates):,.0f}/s",
                    f"{statistics.median(times) / 1e6:,.1f} ms",
                    f"{min(rates):,.0f} – {max(rates):,.0f}/s",
                    target,
                )
            )
    print_table(
        f"Throughput (each batch size timed in {RUNS} runs)",
        ("measurement", "batch", "median rate", "median batch time", "run rates (min – max)", "target"),
        rows,
    )


if __name__ == "__main__":
    main()
