from django.urls import path

from talat.customs import views

app_name = "customs"
urlpatterns = [
    path("origin/", views.origin_list, name="origin_list"),
    path("origin/<uuid:uid>/", views.origin_edit, name="origin_edit"),
    path("origin/<uuid:uid>/<slug:agreement>.json", views.origin_application, name="origin_application"),
    path("orders/", views.export_orders, name="export_orders"),
    path("records/", views.export_records, name="export_records"),
    path("orders/<uuid:uid>/commercial-invoice.pdf", views.commercial_invoice, name="commercial_invoice"),
    path("orders/<uuid:uid>/packing-list.pdf", views.packing_list, name="packing_list"),
]
