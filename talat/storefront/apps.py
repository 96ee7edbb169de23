from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "talat.storefront"
    label = "storefront"
    verbose_name = _("หน้าร้านแห่งชาติ")
