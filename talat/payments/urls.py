from django.urls import path

from talat.payments import views

app_name = "payments"
urlpatterns = [
    path("bank/notify", views.bank_notify, name="bank_notify"),
    path("money/", views.money, name="money"),
    path("money/documents/<str:number>.<str:fmt>", views.document, name="document"),
    path("finance/", views.finance, name="finance"),
    path("finance/statements/", views.statement_upload, name="statement_upload"),
    path("finance/statements/<int:pk>/", views.reconciliation, name="reconciliation"),
    path("finance/payouts/", views.payout, name="payout"),
    path("finance/transactions/<uuid:uid>/return/", views.return_to_payer, name="return_to_payer"),
    path("finance/transactions/<uuid:uid>/apply/", views.apply_to_payment, name="apply_to_payment"),
]
