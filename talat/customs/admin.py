"""Officers keep the import rules current: a change in a rate is a new row with its own
`valid_from` (and the old row's `valid_until` set), so past estimates stay explainable."""

from django.contrib import admin

from talat.customs.models import DestinationLimit, ImportRule


@admin.register(ImportRule)
class ImportRuleAdmin(admin.ModelAdmin):
    list_display = [
        "destination", "route", "hs_prefix", "on_positive_list", "duty_bp", "atiga_duty_bp", "vat_bp",
        "consumption_tax_bp", "valid_from", "valid_until", "confirmed",
    ]  # fmt: skip
    list_filter = ["destination", "route", "on_positive_list", "confirmed"]
    search_fields = ["hs_prefix", "note", "source"]
    date_hierarchy = "valid_from"


@admin.register(DestinationLimit)
class DestinationLimitAdmin(admin.ModelAdmin):
    list_display = [
        "destination", "route", "currency", "per_transaction_minor", "per_year_minor", "de_minimis_minor",
        "cbec_tax_factor_bp", "valid_from", "valid_until", "confirmed",
    ]  # fmt: skip
    list_filter = ["destination", "route", "confirmed"]
    search_fields = ["note", "source"]
