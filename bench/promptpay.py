"""How fast are PromptPay QR payloads and QR cards made? Generations, parses and renders a second.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/promptpay.py

Needs no database (Django is set up for gettext only). Each row times a batch of calls RUNS times and
prints the median rate, the slowest and fastest run, and the time per call. Baselines, in the same
run: the `promptpay` package (an independent PromptPay generator, a test dependency) building the
same credit-transfer payload from a float amount, when installed; `hashlib.sha256` of the same
payload string, a floor for "touching a string of this size"; and segno writing the bare QR code as
SVG and PNG itself, for the cards. About 25 seconds on two cores. Nothing here asserts on time.
"""

import gc
import hashlib
import io
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import print_table  # noqa: E402

RUNS = 5
PAYLOAD_CALLS = 10_000  # per run, for the payload rows
RENDER_CALLS = 60  # per run, for the card rows (segno's QR encoding takes milliseconds)


def rate(fn, calls, runs=RUNS):
    """Median calls a second over `runs` batches of `calls` calls, after one untimed batch."""
    for _ in range(max(1, calls // 10)):
        fn()
    rates = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rates.append(calls / (time.perf_counter() - start))
    return statistics.median(rates), min(rates), max(rates)


def row(label, size, fn, calls):
    median, low, high = rate(fn, calls)
    return (label, size, f"{median:,.0f}/s", f"{low:,.0f} – {high:,.0f}", f"{1e6 / median:,.1f} µs")


def main():
    django.setup()
    import segno
    from stdnum.th import moa

    from talat.payments import promptpay, qr

    # This script is itself named promptpay.py: take its folder off the path before importing the
    # independent `promptpay` package, or the import would find this file.
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    try:
        from promptpay import qrcode as independent
    except ImportError:
        independent = None

    phone, amount = "081-234-5678", 123_450
    body = "010556000012"
    biller = body + moa.calc_check_digit(body) + "01"  # a juristic tax ID + a 2-digit suffix
    transfer = promptpay.credit_transfer(promptpay_id=phone, amount_satang=amount)
    bill = promptpay.bill_payment(
        biller_id=biller, reference_1="ORDER20241125001", reference_2="SHOP42", amount_satang=amount
    )
    if independent is not None:  # the baseline must make the very same payload
        assert independent.generate_payload(phone, float(Decimal(amount) / 100)) == transfer
    transfer_bytes, bill_bytes = transfer.encode(), bill.encode()

    print("== PromptPay payloads and QR cards ==")
    print(
        f"machine: os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, segno {segno.__version__}; load average {os.getloadavg()[0]:.2f} "
        f"at the start; medians of {RUNS} runs"
    )

    payload_rows = [
        row(
            "credit_transfer(promptpay_id=phone, amount_satang=...)",
            f"{len(transfer)} chars",
            lambda: promptpay.credit_transfer(promptpay_id=phone, amount_satang=amount),
            PAYLOAD_CALLS,
        )
    ]
    if independent is not None:
        payload_rows.append(
            row(
                "  baseline: promptpay package generate_payload (float amount)",
                f"{len(transfer)} chars",
                lambda: independent.generate_payload(phone, 1234.50),
                PAYLOAD_CALLS,
            )
        )
    else:
        payload_rows.append(("  baseline: promptpay package not installed", "-", "-", "-", "-"))
    payload_rows += [
        row("  baseline: hashlib.sha256 of the same payload", f"{len(transfer)} chars",
            lambda: hashlib.sha256(transfer_bytes).hexdigest(), PAYLOAD_CALLS),
        row(
            "bill_payment(biller_id, reference_1, reference_2, amount)",
            f"{len(bill)} chars",
            lambda: promptpay.bill_payment(
                biller_id=biller, reference_1="ORDER20241125001", reference_2="SHOP42", amount_satang=amount
            ),
            PAYLOAD_CALLS,
        ),
        row("  baseline: hashlib.sha256 of the same payload", f"{len(bill)} chars",
            lambda: hashlib.sha256(bill_bytes).hexdigest(), PAYLOAD_CALLS),
        row("parse(bill payment payload)", f"{len(bill)} chars",
            lambda: promptpay.parse(bill), PAYLOAD_CALLS),
        row("crc16 of the payload (binascii.crc_hqx)", f"{len(bill)} chars",
            lambda: promptpay.crc16(bill_bytes), PAYLOAD_CALLS),
    ]  # fmt: skip
    print_table(
        "Payload generation (calls a second)",
        ("operation", "size", "median", "slowest – fastest run", "per call"),
        payload_rows,
    )

    payee = "วิสาหกิจชุมชนทอผ้าบ้านนาต้นจั่น"
    version = segno.make(transfer, error="m", boost_error=False).version

    def segno_svg():
        out = io.BytesIO()
        segno.make(transfer, error="m", boost_error=False).save(out, kind="svg", border=4)
        return out

    def segno_png():
        out = io.BytesIO()
        segno.make(transfer, error="m", boost_error=False).save(out, kind="png", border=4, scale=6)
        return out

    card = f"QR version {version}-M"
    render_rows = [
        row("qr.svg(payload, payee, amount): the whole card", card,
            lambda: qr.svg(transfer, payee=payee, amount_satang=amount), RENDER_CALLS),
        row("  baseline: segno's own SVG of the bare code", card, segno_svg, RENDER_CALLS),
        row("qr.png(..., scale=6): the whole card", card,
            lambda: qr.png(transfer, payee=payee, amount_satang=amount), RENDER_CALLS),
        row("  baseline: segno's own PNG of the bare code, scale 6", card, segno_png, RENDER_CALLS),
    ]  # fmt: skip
    print_table(
        "QR cards (renders a second)",
        ("operation", "size", "median", "slowest – fastest run", "per call"),
        render_rows,
    )


if __name__ == "__main__":
    main()
