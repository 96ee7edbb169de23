"""How much does the border cost? `border.release` on a 30-key payload, and `release_many` throughput.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/border_release.py

Runs in a throwaway test database (Django's test-database machinery) on whatever
TALAT_DATABASE_URL names (default SQLite). The payload is an Enterprise row by field name
(24 keys) padded with 6 unknown keys to 30; the agreement releases 10 of them, so 20 are
dropped. Targets (from the issue, for PostgreSQL): a release under 50 µs excluding the audit
write; 10,000 releases a second with release_many. Nothing here asserts on time.
"""

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

RUNS = 5  # every figure is measured in RUNS separate runs
CALLS_PER_RUN = 400  # per-call rows: RUNS x CALLS_PER_RUN = 2,000 timed calls
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


# --- shared bench plumbing (each script stands alone) ----------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_calls(fn, *, runs=RUNS, calls=CALLS_PER_RUN, warmup=50):
    """Times each call; returns (all samples, per-run medians) in nanoseconds."""
    for _ in range(warmup):
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


def print_table(title, header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        print("  ".join(cells))


def database_description(connection):
    if connection.vendor == "sqlite":
        import sqlite3

        name = connection.settings_dict["NAME"]
        where = "in-memory test database" if connection.is_in_memory_db() else f"test database {name}"
        return f"SQLite {sqlite3.sqlite_version} ({where})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return f"{version} (test database {connection.settings_dict['NAME']}, fsync={fsync}, synchronous_commit={sync})"


def print_header(title, connection):
    import platform

    print(f"== {title} ==")
    print(f"database: {database_description(connection)}")
    print(
        f"machine: os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}; medians of {RUNS} runs unless stated"
    )


def throwaway_database(test_name):
    """Creates and migrates a test database; never touches the configured database itself."""
    from django.db import connections
    from django.test.utils import setup_databases

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict.setdefault("TEST", {})["NAME"] = None  # SQLite: in memory
    else:  # a name of its own, so a test suite running on the same server is never clobbered
        settings_dict.setdefault("TEST", {})["NAME"] = test_name
    return setup_databases(verbosity=0, interactive=False, serialized_aliases=set())


# --- the scenario ----------------------------------------------------------------------------------


def build_world(count):
    """A consent-based agreement releasing 10 Enterprise fields to a partner, and `count`
    enterprises that consented, each with its 30-key payload."""
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
    for _ in range(count):
        shop = enterprise()
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

    print_header("border.release / border.release_many", connection)
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
    baseline, baseline_runs = time_calls(cycling(lambda p, _s: {k: p[k] for k in p if k in allowed_keys}))
    # (b) the whole call: agreement lookup, consent check, audit append and disclosure row.
    before = Disclosure.objects.count()
    full, full_runs = time_calls(cycling(release))
    assert Disclosure.objects.count() - before == 50 + RUNS * CALLS_PER_RUN

    # (c) the same call with the two writes stubbed out (the Disclosure objects are still built).
    fake_index = iter(range(10**15, 10**16))

    def no_append(events, at=None):
        return [SimpleNamespace(index=next(fake_index)) for _ in events]

    def no_bulk_create(objs, *args, **kwargs):
        built = list(objs)
        for obj in built:
            obj.pk = 1
        return built

    with (
        mock.patch.object(audit, "append_many", no_append),
        mock.patch.object(Disclosure.objects, "bulk_create", no_bulk_create),
    ):
        stubbed, stubbed_runs = time_calls(cycling(release))
        # (c') also without the two reads: the border's pure-Python work.
        consents = border.latest_consents(deal, [subject for _p, subject in items])
        with (
            mock.patch.object(border, "active_agreement", lambda *a, **k: deal),
            mock.patch.object(
                border, "latest_consents", lambda _a, subjects: {s.pk: consents[s.pk] for s in subjects}
            ),
        ):
            python_only, python_runs = time_calls(cycling(release))
    assert Disclosure.objects.count() - before == 50 + RUNS * CALLS_PER_RUN  # the stubs wrote nothing

    # Components of (c): the two reads the border makes on every call.
    agreement_read, agreement_runs = time_calls(lambda: border.active_agreement(recipient, purpose))
    consent_read, consent_runs = time_calls(cycling(lambda _p, s: border.latest_consents(deal, [s])))

    def spread(run_medians):
        return f"{us(min(run_medians))} – {us(max(run_medians))}"

    size = f"{PAYLOAD_KEYS} keys → {len(allowed_keys)}"
    calls = RUNS * CALLS_PER_RUN
    rows = [
        (
            "baseline: dict projection {k: p[k] for k in p if k in allowed}",
            size,
            us(statistics.median(baseline)),
            us(percentile(baseline, 0.95)),
            spread(baseline_runs),
            "",
        ),
        (
            "border.release, full call (agreement + consent reads, audit append + disclosure write)",
            size,
            us(statistics.median(full)),
            us(percentile(full, 0.95)),
            spread(full_runs),
            "",
        ),
        (
            "border.release EXCLUDING the audit/disclosure write (append_many, bulk_create stubbed)",
            size,
            us(statistics.median(stubbed)),
            us(percentile(stubbed, 0.95)),
            spread(stubbed_runs),
            "< 50 µs (PostgreSQL)",
        ),
        (
            "  … and with the agreement/consent reads served from memory (pure Python)",
            size,
            us(statistics.median(python_only)),
            us(percentile(python_only, 0.95)),
            spread(python_runs),
            "",
        ),
        (
            "  component: border.active_agreement (1 query)",
            "1 agreement",
            us(statistics.median(agreement_read)),
            us(percentile(agreement_read, 0.95)),
            spread(agreement_runs),
            "",
        ),
        (
            "  component: border.latest_consents (1 query)",
            "1 subject",
            us(statistics.median(consent_read)),
            us(percentile(consent_read, 0.95)),
            spread(consent_runs),
            "",
        ),
    ]
    print_table(
        f"Per call ({calls:,} timed calls per row: {RUNS} runs × {CALLS_PER_RUN}; {dropped} unknown/unreleased keys dropped)",
        ("measurement", "size", "median", "p95", "run medians", "target"),
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
