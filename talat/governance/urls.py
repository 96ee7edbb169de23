from django.urls import path

from talat.governance.views import sharing as views

app_name = "governance"
urlpatterns = [
    path("dictionary/", views.dictionary, name="dictionary"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.new_agreement, name="new_agreement"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("consents/", views.consents, name="consents"),
    path("consents/<int:pk>/<int:enterprise_id>/", views.decide_consent, name="decide_consent"),
    path("passbook/", views.passbook, name="passbook"),
    path("audit/", views.audit_log, name="audit"),
]
