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

# Requests under the law (PDPA data-subject requests; Official Information Act requests).
from talat.governance.views import requests as request_views  # noqa: E402

urlpatterns += [
    path("requests/", request_views.my_requests, name="my_requests"),
    path("requests/new/", request_views.new_request, name="new_request"),
    path("requests/<int:pk>/", request_views.request_detail, name="request"),
    path("requests/<int:pk>/export.json", request_views.request_export, {"fmt": "json"}, name="export_json"),
    path("requests/<int:pk>/export.pdf", request_views.request_export, {"fmt": "pdf"}, name="export_pdf"),
    path("requests/officer/", request_views.request_queue, name="request_queue"),
    path("requests/officer/<int:pk>/", request_views.handle_request, name="handle_request"),
    path("requests/officer/<int:pk>/erase/", request_views.confirm_erasure, name="confirm_erasure"),
    path("oia/", request_views.oia_new, name="oia_new"),
    path("oia/statistics/", request_views.oia_statistics, name="oia_statistics"),
    path("oia/officer/", request_views.oia_queue, name="oia_queue"),
    path("oia/officer/<int:pk>/", request_views.oia_handle, name="oia_handle"),
    path("oia/notices/", request_views.oia_notices, name="oia_notices"),
    path("oia/notices/<int:pk>/object/", request_views.oia_object, name="oia_object"),
    path("oia/<slug:code>/", request_views.oia_status, name="oia_status"),
]
