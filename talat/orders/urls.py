from django.urls import path

from talat.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:uid>/", views.detail, name="detail"),
    path("<uuid:uid>/move", views.move, name="move"),
    path("bulk", views.bulk, name="bulk"),
]
