"""Governance pages: the data dictionary, agreements, consent, the data passbook and the audit log."""

from datetime import UTC, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.accounts.models import Role
from talat.core import audit
from talat.core.forms import add_service_errors
from talat.core.http import csv_response
from talat.core.thai import thai_date
from talat.governance import selectors, services
from talat.governance.forms import AgreementForm, PassbookFilter, StatusForm
from talat.governance.models import Agreement
from talat.governance.views.common import require_officer
from talat.registry.models import Enterprise


@login_required
def dictionary(request):
    require_officer(request)
    rows = selectors.data_dictionary()
    if request.GET.get("format") == "csv":
        return csv_response(
            "talat-data-dictionary.csv",
            ["model", "field", "class", "personal", "released_by_agreements"],
            (
                [r.model, r.field, r.data_class, "yes" if r.personal else "no", "; ".join(r.agreements)]
                for r in rows
            ),
        )
    return render(request, "governance/dictionary.html", {"rows": rows})


@login_required
def agreements(request):
    require_officer(request)
    rows = Agreement.objects.select_related("recipient_partner", "recipient_agency", "responsible_agency")
    return render(request, "governance/agreements.html", {"agreements": rows})


@login_required
def new_agreement(request):
    require_officer(request)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.draft_agreement(drafted_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("บันทึกร่างข้อตกลงแล้ว รอเจ้าหน้าที่อีกคนของหน่วยงานที่รับผิดชอบอนุมัติ"))
            return redirect("governance:agreement", pk=agreement.pk)
    return render(request, "governance/agreement_form.html", {"form": form})


@login_required
def agreement(request, pk: int):
    require_officer(request)
    item = get_object_or_404(Agreement, pk=pk)
    status_form = StatusForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.approve_agreement(agreement=item, officer=request.user)
                messages.success(request, _("อนุมัติข้อตกลงแล้ว"))
                return redirect("governance:agreement", pk=pk)
            if status_form.is_valid():
                services.change_agreement_status(
                    agreement=item, officer=request.user, **status_form.cleaned_data
                )
                messages.success(request, _("เปลี่ยนสถานะข้อตกลงแล้ว"))
                return redirect("governance:agreement", pk=pk)
        except ValidationError as error:
            add_service_errors(status_form, error)
        except PermissionDenied as error:
            status_form.add_error(None, str(error))
    return render(
        request,
        "governance/agreement.html",
        {"agreement": item, "status_form": status_form, "text": services.consent_text(item)},
    )


def _owned(request):
    if request.user.role != Role.SME_OWNER:
        raise PermissionDenied
    return list(request.user.owned_enterprises.all())


@login_required
def consents(request):
    enterprises = _owned(request)
    rows = []
    for item in selectors.consent_agreements():
        for enterprise in enterprises:
            rows.append(
                {
                    "agreement": item,
                    "enterprise": enterprise,
                    "consent": selectors.consent_in_force(item, enterprise=enterprise),
                    "text": services.consent_text(item),
                }
            )
    return render(request, "governance/consents.html", {"rows": rows})


@login_required
@require_POST
def decide_consent(request, pk: int, enterprise_id: int):
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id, owner=request.user)
    item = get_object_or_404(Agreement, pk=pk)
    granted = request.POST.get("decision") == "grant"
    try:
        version = int(request.POST.get("text_version", "0"))
        services.decide_consent(
            agreement=item, owner=enterprise, by=request.user, granted=granted, text_version=version
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("ให้ความยินยอมแล้ว") if granted else _("ถอนความยินยอมแล้ว มีผลกับการส่งข้อมูลครั้งต่อไปทั้งหมด")
        )
    return redirect("governance:consents")


def _filtered(rows, form):
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["purpose"]:
        rows = rows.filter(purpose=data["purpose"])
    if data["recipient"]:
        rows = rows.filter(recipient_label__icontains=data["recipient"])
    zone = timezone.get_current_timezone()
    if data["since"]:
        rows = rows.filter(at__gte=datetime.combine(data["since"], time.min, zone))
    if data["until"]:
        rows = rows.filter(at__lte=datetime.combine(data["until"], time.max, zone))
    return rows


@login_required
def passbook(request):
    """Every disclosure of the owner's business data (or, for anyone, of their personal data)."""
    enterprises = list(request.user.owned_enterprises.all()) if request.user.role == Role.SME_OWNER else []
    chosen = None
    if enterprises:
        wanted = request.GET.get("enterprise")
        chosen = next((e for e in enterprises if str(e.pk) == wanted), enterprises[0])
        rows = selectors.passbook(enterprise=chosen)
    else:
        rows = selectors.passbook(person=request.user)
    form = PassbookFilter(request.GET or None)
    rows = _filtered(rows, form)
    if request.GET.get("format") == "csv":
        return csv_response(
            "talat-data-passbook.csv",
            ["time", "recipient", "purpose", "agreement", "fields", "payload_sha256", "audit_index"],
            (
                [timezone.localtime(d.at).isoformat(), d.recipient_label, d.purpose, d.agreement.title_th,
                 " ".join(d.field_names), d.payload_sha256, d.audit_index]
                for d in rows
            ),
        )  # fmt: skip
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    for disclosure in page:
        disclosure.field_labels = [selectors.field_label(path) for path in disclosure.field_names]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "governance/passbook.html",
        {
            "page": page,
            "form": form,
            "enterprises": enterprises,
            "chosen": chosen,
            "query": query.urlencode(),
        },
    )


def audit_log(request):
    """Public: the latest signed tree head, and proofs anyone can check."""
    head = audit.latest_tree_head()
    context = {
        "head": head,
        "signed_at": thai_date(datetime.fromtimestamp(head.timestamp_ms / 1000, UTC), with_time=True),
    }
    index = request.GET.get("index")
    if index is not None:
        try:
            index = int(index)
            context["inclusion"] = {
                "index": index,
                "path": [h.hex() for h in audit.inclusion_proof(index, head.size)],
            }
            entry = audit.entries(index, index + 1).first()
            context["entry_leaf"] = bytes(entry.leaf).decode() if entry else ""
        except ValueError:
            context["proof_error"] = _("ลำดับรายการต้องอยู่ระหว่าง 0 ถึง %(last)s") % {
                "last": max(head.size - 1, 0)
            }
    first = request.GET.get("first")
    if first is not None:
        try:
            first = int(first)
            context["consistency"] = {
                "first": first,
                "path": [h.hex() for h in audit.consistency_proof(first, head.size)],
            }
        except ValueError:
            context["proof_error"] = _("ขนาดต้องอยู่ระหว่าง 1 ถึง %(size)s") % {"size": head.size}
    return render(request, "governance/audit.html", context)
