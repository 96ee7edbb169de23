from django.urls import path

from talat.catalog.views import imports, products

app_name = "catalog"
urlpatterns = [
    path("", products.product_list, name="products"),
    path("new/", products.product_new, name="product_new"),
    path("<uuid:uid>/", products.product_edit, name="product_edit"),
    path("<uuid:uid>/stock/", products.product_stock, name="product_stock"),
    path("<uuid:uid>/images/", products.product_images, name="product_images"),
    path("<uuid:uid>/status/", products.product_status, name="product_status"),
    path("import/", imports.upload, name="import_upload"),
    path("import/<uuid:uid>/", imports.preview, name="import_preview"),
    path("import/<uuid:uid>/confirm/", imports.confirm, name="import_confirm"),
    path("import/<uuid:uid>/cancel/", imports.cancel, name="import_cancel"),
    path("import/<uuid:uid>/progress/", imports.progress, name="import_progress"),
    path("export.<str:fmt>", imports.export, name="export"),
]
