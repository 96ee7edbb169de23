"""Read-only views of the ledger for officers: postings change only through the services."""

from django.contrib import admin

from talat.ledger.models import Account, Entry, ExchangeRate, PayoutBatch, PayoutLine, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransferInline(admin.TabularInline):
    model = Transfer
    fields = ["kind", "debit", "credit", "amount_satang"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "kind", "enterprise"]
    list_filter = ["kind"]
    search_fields = ["code", "name_th"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "reference", "enterprise", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key", "reference"]
    inlines = [TransferInline]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["entry", "kind", "debit", "credit", "amount_satang"]
    list_filter = ["kind"]
    list_select_related = ["entry", "debit", "credit"]


class PayoutLineInline(admin.TabularInline):
    model = PayoutLine
    fields = ["enterprise", "entry", "amount_satang"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["key", "minimum_satang", "total_satang", "created_at", "completed_at"]
    inlines = [PayoutLineInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ["currency", "date", "unit", "buying_sight", "buying_transfer", "selling", "mid_rate"]
    list_filter = ["currency"]
    date_hierarchy = "date"
