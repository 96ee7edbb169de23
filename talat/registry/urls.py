from django.urls import path

from talat.registry import views

app_name = "registry"
urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("status/", views.status, name="status"),
    path("officer/queue/", views.queue, name="queue"),
    path("officer/enterprises/<int:pk>/", views.review_enterprise, name="review"),
    path("areas/districts/", views.district_options, name="districts"),
    path("areas/subdistricts/", views.subdistrict_options, name="subdistricts"),
]
