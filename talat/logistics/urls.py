from django.urls import path

from talat.logistics import views

app_name = "logistics"
urlpatterns = [
    path("", views.board, name="board"),
    path("scan", views.scan_in, name="scan_in"),
    path("parcels/<int:pk>/step", views.step, name="step"),
    path("manifests/", views.consolidate, name="consolidate"),
    path("manifests/<uuid:uid>/", views.manifest, name="manifest"),
    path("manifests/<uuid:uid>/declare", views.declare, name="declare"),
    path("manifests/<uuid:uid>/release", views.release, name="release"),
    path("customs/notify", views.customs_notify, name="customs_notify"),
]
