"""The root URLconf: each app's pages, the API, the health check and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path

from talat.api import api
from talat.logistics import views as logistics_views
from talat.web import views as web_views

urlpatterns = [
    path("", include("talat.web.urls")),
    path("healthz", web_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("talat.accounts.urls")),
    path("registry/", include("talat.registry.urls")),
    path("governance/", include("talat.governance.urls")),
    path("store/", include("talat.storefront.urls")),
    path("seller/products/", include("talat.catalog.urls")),
    path("seller/channels/", include("talat.channels.urls")),
    path("seller/orders/", include("talat.orders.urls")),
    path("seller/customs/", include("talat.customs.urls")),
    path("payments/", include("talat.payments.urls")),
    path("hub/", include("talat.logistics.urls")),
    path("logistics/<str:source>/notify", logistics_views.tracking_notify, name="tracking_notify"),
    path("seller/shipping/<uuid:uid>/book", logistics_views.book, name="shipping_book"),
    path("seller/shipping/<uuid:uid>/label.pdf", logistics_views.label, name="shipping_label"),
    # Product pictures are public; nothing else under MEDIA_ROOT (e.g. uploaded imports) is served.
    re_path(r"^media/products/(?P<path>.+)$", web_views.product_media),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "talat.web.views.forbidden"
handler404 = "talat.web.views.not_found"
