from django.urls import path

from talat.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.results, name="search"),
    path("c/<slug:code>/", views.category, name="category"),
    path("p/<uuid:uid>/", views.product, name="product"),
    path("shop/<uuid:uid>/", views.shop, name="shop"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/landed-cost/", views.landed_costs, name="landed_cost"),
    path("pay/<uuid:uid>/", views.pay, name="pay"),
    path("pay/<uuid:uid>/status/", views.pay_status, name="pay_status"),
    path("pay/<uuid:uid>/qr.<str:fmt>", views.pay_qr, name="pay_qr"),
    path("orders/<uuid:uid>/", views.order_page, name="order"),
    path("track/<str:number>/", views.track, name="track"),
    path("my-shop/", views.shop_profile, name="shop_profile"),
]
