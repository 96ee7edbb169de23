from django.urls import path

from talat.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("connect/<slug:code>/", views.connect, name="connect"),
    path("callback/<slug:code>/", views.callback, name="callback"),
    path("<uuid:uid>/", views.account, name="account"),
    path("<uuid:uid>/publish/", views.publish, name="publish"),
    path("<uuid:uid>/pull/", views.pull, name="pull"),
    path("<uuid:uid>/jobs/<int:job_id>/retry/", views.retry, name="retry"),
]
