from django.contrib import admin

from talat.registry.models import Affiliation, Agency, Enterprise, GoodsCategory, Partner


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "verifies_enterprises"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "kind", "country"]
    list_filter = ["kind", "country"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "partner"]


@admin.register(GoodsCategory)
class GoodsCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "name_zh"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Read-only here: registration and decisions go through the registry's services."""

    list_display = ["name_th", "kind", "province_code", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name_th", "name_en", "registration_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
