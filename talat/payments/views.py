"""The bank's notification endpoint, the seller's money page, and the finance desk: payments held
for review (returned to the payer or applied to the checkout), statement reconciliation, the trial
balance and payout batches."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from talat.accounts.models import Role
from talat.invoicing import services as invoicing
from talat.invoicing.documents import format_satang
from talat.invoicing.models import TaxDocument
from talat.ledger import selectors as ledger_selectors
from talat.ledger import services as ledger
from talat.payments import services
from talat.payments.models import BankTransaction, PaymentRequest, PaymentStatus, StatementImport
from talat.payments.notifications import BadNotification, verify
from talat.payments.statements import BadStatement
from talat.registry.decorators import seller_required


@csrf_exempt
@require_POST
def bank_notify(request):
    """Where the bank posts payment notifications (signed, HMAC-SHA256). Answers 2xx once the
    notification is recorded, so the bank stops re-sending; a bad signature gets 401."""
    try:
        notification = verify(
            request.body,
            header=request.headers.get("X-Bank-Signature", ""),
            secret=settings.TALAT_BANK_SECRET,
        )
    except BadNotification as error:
        status = 401 if error.code in ("bad_signature", "stale") else 400
        return JsonResponse({"error": error.code, "detail": str(error)}, status=status)
    received = services.receive_notification(notification)
    return JsonResponse(
        {"status": "duplicate" if received.duplicate else "recorded", "outcome": received.transaction.outcome}
    )


@seller_required
def money(request):
    """What Talat owes the shop, every posting with a running balance, and its documents."""
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    statement = ledger_selectors.statement(request.enterprise, page=page)
    documents = TaxDocument.objects.filter(enterprise=request.enterprise)
    return render(
        request,
        "payments/money.html",
        {
            "balance": ledger_selectors.enterprise_balance(request.enterprise),
            "statement": statement,
            "documents": Paginator(documents, 20).get_page(request.GET.get("docs")),
        },
    )


@seller_required
def document(request, number, fmt):
    if fmt not in ("pdf", "xml"):
        raise Http404
    found = get_object_or_404(TaxDocument, enterprise=request.enterprise, number=number)
    return _document_response(found, fmt)


def _document_response(found, fmt):
    if fmt == "pdf":
        response = HttpResponse(invoicing.pdf(found), content_type="application/pdf")
    else:
        response = HttpResponse(invoicing.xml(found), content_type="application/xml")
    response["Content-Disposition"] = f'inline; filename="{found.number}.{fmt}"'
    return response


def finance_required(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.PLATFORM_ADMIN:
            raise PermissionDenied(_("เฉพาะผู้ดูแลแพลตฟอร์ม"))
        return view(request, *args, **kwargs)

    return wrapped


@finance_required
def finance(request):
    held = PaymentRequest.objects.filter(status=PaymentStatus.REVIEW).prefetch_related("transactions")
    unmatched = Paginator(
        BankTransaction.objects.unresolved().select_related("payment").prefetch_related("payment__orders"), 25
    ).get_page(request.GET.get("page"))
    for held_transaction in unmatched:
        held_transaction.can_apply = services.can_apply(held_transaction)
    resolved = (
        BankTransaction.objects.resolved().select_related("resolved_by").order_by("-resolved_at", "-id")
    )
    return render(
        request,
        "payments/finance.html",
        {
            "held": held,
            "unmatched": unmatched,
            "resolved": resolved[:25],
            "note_max": services.NOTE_MAX,
            "statements": StatementImport.objects.all()[:10],
            "trial": ledger_selectors.trial_balance(),
            "payout_key": f"payout-{timezone.localdate().isoformat()}",
        },
    )


@finance_required
def statement_upload(request):
    if request.method == "POST":
        upload = request.FILES.get("statement")
        if upload is None:
            messages.error(request, _("กรุณาเลือกไฟล์รายการเดินบัญชี"))
            return redirect("payments:finance")
        try:
            statement = services.import_statement(data=upload.read(), filename=upload.name, by=request.user)
        except BadStatement as error:
            messages.error(request, str(error))
            return redirect("payments:finance")
        return redirect("payments:reconciliation", pk=statement.pk)
    return redirect("payments:finance")


@finance_required
def reconciliation(request, pk):
    statement = get_object_or_404(StatementImport, pk=pk)
    return render(request, "payments/reconciliation.html", {"result": services.reconcile(statement)})


@finance_required
@require_POST
def payout(request):
    key = request.POST.get("key") or ""
    if not key:
        messages.error(request, _("ไม่มีรหัสรอบการจ่าย"))
        return redirect("payments:finance")
    try:
        batch = ledger.run_payout_batch(key=key)
    except (ValidationError, ledger.LedgerError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("รอบการจ่าย %(key)s: จ่าย %(n)s กิจการ") % {"key": batch.key, "n": batch.lines.count()}
        )
    return redirect("payments:finance")


def _resolve_held(request, uid, action, success):
    """Runs a finance-desk action on money held for review; says how it went."""
    held = get_object_or_404(BankTransaction, uid=uid)
    try:
        done = action(transaction=held, by=request.user, note=request.POST.get("note") or "")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success(done))
    return redirect("payments:finance")


@finance_required
@require_POST
def return_to_payer(request, uid):
    return _resolve_held(
        request,
        uid,
        services.return_to_payer,
        lambda returned: (
            _("คืนเงิน %(amount)s บาท ของรายการ %(id)s ให้ผู้โอนแล้ว")
            % {"amount": format_satang(returned.returned_minor), "id": returned.transaction_id}
        ),
    )


@finance_required
@require_POST
def apply_to_payment(request, uid):
    return _resolve_held(
        request,
        uid,
        services.apply_to_payment,
        lambda applied: (
            _("ใช้รายการ %(id)s ชำระคำสั่งซื้อ %(reference)s แล้ว ส่วนเกิน %(excess)s บาท รอคืนให้ผู้โอน")
            % {
                "id": applied.transaction_id,
                "reference": applied.payment.reference_1,
                "excess": format_satang(applied.to_return_minor),
            }
        ),
    )
