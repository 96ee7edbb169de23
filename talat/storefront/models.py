"""What a shop shows on the national storefront beyond its registry record: its story."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from talat.core.classification import public
from talat.registry.models import Enterprise


class ShopProfile(models.Model):
    enterprise = public(
        models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="shop_profile")
    )
    story_th = public(models.TextField(_("เรื่องราวของร้าน (ภาษาไทย)"), blank=True))
    story_en = public(models.TextField(_("เรื่องราวของร้าน (ภาษาอังกฤษ)"), blank=True))
    story_zh = public(models.TextField(_("เรื่องราวของร้าน (ภาษาจีน)"), blank=True))

    class Meta:
        verbose_name = _("หน้าร้าน")
        verbose_name_plural = _("หน้าร้าน")

    def __str__(self):
        return str(self.enterprise)
