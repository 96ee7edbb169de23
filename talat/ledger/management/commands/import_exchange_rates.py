"""`manage.py import_exchange_rates FILE` loads a Bank of Thailand exchange-rate file (CSV or XLSX)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from talat.ledger.rates import RatesImportError, import_rates


class Command(BaseCommand):
    help = (
        "Imports the Bank of Thailand's daily average exchange rates of commercial banks from a CSV or "
        "XLSX file, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the downloaded .csv or .xlsx file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            result = import_rates(data, path.name)
        except RatesImportError as error:
            raise CommandError("\n".join(["file refused, nothing imported:", *error.errors])) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} rates of {', '.join(result.currencies)} from {result.first_date} to "
                f"{result.last_date}: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
        )
