"""Loads the import rules and destination limits shipped in talat/customs/data/*.csv (sources in
data/README.md). Rows are matched on their natural key, so running it over officer-edited data
updates the shipped rows and leaves added ones alone."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _int(value):
    return int(value) if value not in ("", None) else None


def _date(value):
    return date.fromisoformat(value) if value else None


def load(apps, schema_editor):
    ImportRule = apps.get_model("customs", "ImportRule")
    DestinationLimit = apps.get_model("customs", "DestinationLimit")
    for row in _rows("import_rules.csv"):
        ImportRule.objects.update_or_create(
            destination=row["destination"],
            route=row["route"],
            hs_prefix=row["hs_prefix"],
            valid_from=_date(row["valid_from"]),
            defaults={
                "on_positive_list": row["on_positive_list"] == "1",
                "duty_bp": int(row["duty_bp"]),
                "atiga_duty_bp": _int(row["atiga_duty_bp"]),
                "vat_bp": int(row["vat_bp"]),
                "consumption_tax_bp": int(row["consumption_tax_bp"]),
                "valid_until": _date(row["valid_until"]),
                "confirmed": row["confirmed"] == "1",
                "note": row["note"],
                "source": row["source"],
            },
        )
    for row in _rows("destination_limits.csv"):
        DestinationLimit.objects.update_or_create(
            destination=row["destination"],
            route=row["route"],
            valid_from=_date(row["valid_from"]),
            defaults={
                "currency": row["currency"],
                "per_transaction_minor": _int(row["per_transaction_minor"]),
                "per_year_minor": _int(row["per_year_minor"]),
                "de_minimis_minor": int(row["de_minimis_minor"]),
                "cbec_tax_factor_bp": int(row["cbec_tax_factor_bp"]),
                "valid_until": _date(row["valid_until"]),
                "confirmed": row["confirmed"] == "1",
                "note": row["note"],
                "source": row["source"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("customs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
