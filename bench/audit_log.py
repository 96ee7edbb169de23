"""How fast is the audit log? Appends a second, and proof times at 1,000,000 entries.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/audit_log.py

Runs in a throwaway test database (Django's test-database machinery) on whatever
TALAT_DATABASE_URL names (default SQLite).

Part 1 appends real entries through `audit.append` and `audit.append_many`.
Part 2 does not append a million entries one batch at a time (too slow for a benchmark): it
computes the node hashes of a 1,000,000-leaf tree in memory with `merkle.DictNodeStore`, stores
them in the AuditNode table with bulk_create, sets AuditLogState to that size, and times
`audit.inclusion_proof` / `audit.consistency_proof`, which read the nodes from the database
(one query each). A sample of the proofs is checked against roots computed independently
(merkle.roots_at_sizes over the leaf hashes). Target (from the issue, for PostgreSQL): a proof
under 5 ms at 1,000,000 entries. Nothing here asserts on time.
"""

import gc
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import percentile, print_header, print_table, throwaway_database  # noqa: E402

RUNS = 5  # every figure is measured in RUNS separate runs
SINGLE_APPENDS_PER_RUN = 200
BATCH = 1_000
TREE_SIZE = 1_000_000
PROOF_SAMPLES = 200  # random indices (and sizes) per run
VERIFIED_SAMPLES = 25
LEAF_CHUNK = 1 << 16  # leaves hashed into the tree per step while filling
INSERT_BATCH = 10_000
FAR_INDEX = 10**12  # baseline rows live far above any real log index


def time_each(fn, arguments, *, runs=RUNS, warmup=20):
    """Calls fn(argument) for every argument, RUNS times over, timing each call.
    Returns (all samples, per-run medians) in nanoseconds."""
    for argument in arguments[:warmup]:
        fn(argument)
    samples, run_medians = [], []
    for _run in range(runs):
        gc.collect()
        run = []
        for argument in arguments:
            start = time.perf_counter_ns()
            fn(argument)
            run.append(time.perf_counter_ns() - start)
        samples.extend(run)
        run_medians.append(statistics.median(run))
    return samples, run_medians


def ms(ns):
    return f"{ns / 1e6:,.3f} ms"


# --- part 1: appends -------------------------------------------------------------------------------


def event(n):
    from talat.core import audit

    digest = hashlib.sha256(str(n).encode()).hexdigest()
    refs = {"recipient": "partner:1", "purpose": "logistics", "agreement": 1, "owner": f"enterprise:{n}"}
    return audit.Event("bench.released", refs=refs, hashes={"payload_sha256": digest})


def plain_entries(first, count, at):
    """AuditEntry rows shaped like real ones (same leaf size), with no Merkle work at all."""
    from talat.core import audit
    from talat.core.models import AuditEntry

    leaf = audit.canonical(
        {"v": 1, "index": 0, "prev": "0" * 64, "at": at.isoformat(), "kind": "bench.released"}
        | {"actor": None, "refs": event(0).refs, "hashes": event(0).hashes}
    )
    return [AuditEntry(index=first + n, kind="bench.released", at=at, leaf=leaf) for n in range(count)]


def measure_batches(fn, runs=RUNS):
    """Times fn() RUNS times (after one warm-up); returns the per-run times in nanoseconds."""
    fn()
    times = []
    for _run in range(runs):
        gc.collect()
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return times


def rate_row(label, size, per_run_count, times, target=""):
    rates = [per_run_count / (t / 1e9) for t in times]
    return (
        label,
        size,
        f"{statistics.median(rates):,.0f}/s",
        f"{statistics.median(times) / per_run_count / 1e3:,.1f} µs",
        f"{min(rates):,.0f} – {max(rates):,.0f}/s",
        target,
    )


def appends(connection):
    from django.db import transaction
    from django.utils import timezone

    from talat.core import audit
    from talat.core.models import AuditEntry

    far = iter(range(FAR_INDEX, 2 * FAR_INDEX))
    far_batches = iter(range(2 * FAR_INDEX, 3 * FAR_INDEX, BATCH))
    counter = iter(range(10**9))

    def one_append():
        n = next(counter)
        e = event(n)
        audit.append(e.kind, refs=e.refs, hashes=e.hashes)

    def one_plain():
        (entry,) = plain_entries(next(far), 1, timezone.now())
        entry.save(force_insert=True)

    def single_loop(fn):
        def loop():
            for _ in range(SINGLE_APPENDS_PER_RUN):
                fn()

        return loop

    def batch_append():
        audit.append_many([event(next(counter)) for _ in range(BATCH)])

    def batch_plain():
        with transaction.atomic():
            AuditEntry.objects.bulk_create(plain_entries(next(far_batches), BATCH, timezone.now()))

    n = SINGLE_APPENDS_PER_RUN
    rows = [
        rate_row(
            "baseline: AuditEntry .save() one row (no Merkle nodes, no state lock)",
            "1 per transaction",
            n,
            measure_batches(single_loop(one_plain)),
        ),
        rate_row(
            "audit.append, one entry per call (own transaction)",
            "1 per transaction",
            n,
            measure_batches(single_loop(one_append)),
        ),
        rate_row(
            "baseline: AuditEntry bulk_create (no Merkle nodes, no state lock)",
            f"{BATCH:,} per transaction",
            BATCH,
            measure_batches(batch_plain),
        ),
        rate_row(
            "audit.append_many (entries + Merkle nodes + state, one transaction)",
            f"{BATCH:,} per transaction",
            BATCH,
            measure_batches(batch_append),
        ),
    ]
    AuditEntry.objects.filter(index__gte=FAR_INDEX).delete()
    return rows


# --- part 2: proofs at a million entries -----------------------------------------------------------


def fill_tree(connection):
    """A TREE_SIZE-leaf tree: in memory (DictNodeStore) and in the AuditNode table."""
    from talat.core import merkle
    from talat.core.models import AuditEntry, AuditLogState, AuditNode

    AuditNode.objects.all().delete()
    AuditEntry.objects.all().delete()
    leaf_hashes = [merkle.leaf_hash(b"bench leaf %d" % n) for n in range(TREE_SIZE)]
    store = merkle.DictNodeStore()
    stored = 0
    gc.disable()  # millions of small objects: the collector would rescan them over and over
    try:
        for start in range(0, TREE_SIZE, LEAF_CHUNK):
            nodes = store.extend(leaf_hashes[start : start + LEAF_CHUNK])
            for first in range(0, len(nodes), INSERT_BATCH):
                AuditNode.objects.bulk_create(
                    [
                        AuditNode(level=lv, position=pos, hash=h)
                        for lv, pos, h in nodes[first : first + INSERT_BATCH]
                    ],
                    batch_size=INSERT_BATCH,
                )
            stored += len(nodes)
    finally:
        gc.enable()
    AuditLogState.objects.update_or_create(
        pk=1, defaults={"size": TREE_SIZE, "last_leaf_hash": leaf_hashes[-1]}
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_auditnode")  # as autovacuum would after a bulk load
    return leaf_hashes, store, stored


def proofs(connection):
    from django.db import connection as default_connection
    from django.db.models import Max, Min

    from talat.core import audit, merkle
    from talat.core.models import AuditNode

    started = time.perf_counter()
    leaf_hashes, store, stored = fill_tree(connection)
    fill_seconds = time.perf_counter() - started
    n = TREE_SIZE
    rng = random.Random(9162)
    indices = [rng.randrange(n) for _ in range(PROOF_SAMPLES)]
    firsts = [rng.randrange(1, n + 1) for _ in range(PROOF_SAMPLES)]

    # Correctness first: DB proofs equal the in-memory ones and verify against independent roots.
    checked = rng.sample(range(PROOF_SAMPLES), VERIFIED_SAMPLES)
    roots = merkle.roots_at_sizes(leaf_hashes, [n, *(firsts[k] for k in checked)])
    root = roots[n]
    assert merkle.root_hash(n, audit.NODES) == root == merkle.root_hash(n, store)
    for k in checked:
        i, m = indices[k], firsts[k]
        proof = audit.inclusion_proof(i, n)
        assert proof == merkle.inclusion_proof(i, n, store)
        assert merkle.verify_inclusion(leaf_hashes[i], i, n, proof, root), i
        proof = audit.consistency_proof(m, n)
        assert proof == merkle.consistency_proof(m, n, store)
        assert merkle.verify_consistency(m, n, roots[m], root, proof), m
    del leaf_hashes, roots

    # The SQL each DB proof runs (one query), to time it without the ORM.
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with default_connection.execute_wrapper(capture):
        audit.inclusion_proof(indices[0], n)
    assert len(captured) == 1, captured
    proof_sql = []
    for i in indices:
        captured.clear()
        with default_connection.execute_wrapper(capture):
            audit.inclusion_proof(i, n)
        proof_sql.append(captured[0])
    cursor = default_connection.cursor()

    def raw(query):
        cursor.execute(*query)
        return cursor.fetchall()

    bounds = AuditNode.objects.aggregate(low=Min("pk"), high=Max("pk"))
    pks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(PROOF_SAMPLES)]
    measured = [
        (
            "baseline: raw cursor SELECT hash … WHERE id = %s (1 row by primary key)",
            pks,
            lambda pk: raw(("SELECT hash FROM core_auditnode WHERE id = %s", [pk])),
            "",
        ),
        (
            "baseline: ORM AuditNode.objects.values_list('hash').get(pk=…)",
            pks,
            lambda pk: AuditNode.objects.values_list("hash", flat=True).get(pk=pk),
            "",
        ),
        (
            "baseline: merkle.inclusion_proof(i, N, DictNodeStore) in memory",
            indices,
            lambda i: merkle.inclusion_proof(i, n, store),
            "",
        ),
        (
            "baseline: merkle.consistency_proof(m, N, DictNodeStore) in memory",
            firsts,
            lambda m: merkle.consistency_proof(m, n, store),
            "",
        ),
        (
            "audit.inclusion_proof(i, N) (1 query)",
            indices,
            lambda i: audit.inclusion_proof(i, n),
            "< 5 ms (PostgreSQL)",
        ),
        (
            "  component: the same proof's SQL run raw (no ORM, no assembly)",
            proof_sql,
            raw,
            "",
        ),
        (
            "audit.consistency_proof(m, N) (1 query)",
            firsts,
            lambda m: audit.consistency_proof(m, n),
            "< 5 ms (PostgreSQL)",
        ),
        (
            "merkle.root_hash(N, audit.NODES) (what sign_tree_head reads)",
            [n] * 40,
            lambda s: merkle.root_hash(s, audit.NODES),
            "",
        ),
    ]
    rows = []
    for label, arguments, fn, target in measured:
        samples, run_medians = time_each(fn, arguments)
        rows.append(
            (
                label,
                f"N = {n:,}",
                ms(statistics.median(samples)),
                ms(percentile(samples, 0.95)),
                f"{ms(min(run_medians))} – {ms(max(run_medians))}",
                target,
            )
        )
    cursor.close()

    # One more write figure: append_many when the log already holds a million entries.
    counter = iter(range(10**9))
    times = measure_batches(lambda: audit.append_many([event(next(counter)) for _ in range(BATCH)]))
    append_row = rate_row(
        "audit.append_many at a log of 1,000,000 entries", f"{BATCH:,} per transaction", BATCH, times
    )
    return rows, append_row, stored, fill_seconds


def main():
    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    old_config = throwaway_database("test_talat_bench_audit")
    try:
        print_header("audit log: appends and proofs", connection, RUNS)
        append_rows = appends(connection)
        proof_rows, append_at_size, stored, fill_seconds = proofs(connection)
        rate_header = (
            "measurement",
            "size",
            "median rate",
            "median per entry",
            "run rates (min – max)",
            "target",
        )
        print_table(
            f"Appends (each row: {RUNS} timed runs; the last row appends to the 1,000,000-entry tree)",
            rate_header,
            append_rows + [append_at_size],
        )
        print(
            f"\nTree: {TREE_SIZE:,} leaves, {stored:,} AuditNode rows filled by bulk_create in "
            f"{fill_seconds:.1f} s (setup, not a measurement); {VERIFIED_SAMPLES} sampled DB proofs of "
            "each kind verified against independent roots."
        )
        print_table(
            f"Proofs at {TREE_SIZE:,} entries ({PROOF_SAMPLES} random indices/sizes × {RUNS} runs per row)",
            ("measurement", "size", "median", "p95", "run medians", "target"),
            proof_rows,
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
