"""Pages for requests under the law: a person's PDPA requests and the officers' queue; the public
Official Information Act form, its status page, the officers' queue and businesses' section 17
notices. Thin: forms in, a service call, a page out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.core.forms import add_service_errors
from talat.core.http import csv_response, site_url
from talat.core.thai import display_date
from talat.governance import services
from talat.governance.forms import (
    AnswerForm,
    InformationRequestForm,
    NotifyForm,
    ObjectionForm,
    OiaRefusalForm,
    RefusalForm,
    ResolutionForm,
    SubjectRequestForm,
)
from talat.governance.models import (
    DataSubjectRequest,
    EnterpriseNotice,
    InformationRequest,
    OiaStatus,
    RequestKind,
    RequestStatus,
)
from talat.governance.pdf import render_export_pdf
from talat.governance.views.common import require_officer

PAGE_SIZE = 25

# --- helpers -----------------------------------------------------------------------------------


def _require_data_protection_officer(request):
    if not services.may_handle_subject_requests(request.user):
        raise PermissionDenied


def _show_error(request, error: ValidationError | PermissionDenied) -> None:
    messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- PDPA: the person ---------------------------------------------------------------------------


@login_required
def my_requests(request):
    rows = DataSubjectRequest.objects.filter(requester=request.user).order_by("-received_at", "-pk")
    return render(request, "governance/requests/mine.html", {"page": _page(request, rows)})


@login_required
def new_request(request):
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in RequestKind.values else {}
    form = SubjectRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.file_data_subject_request(person=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("ได้รับคำขอแล้ว เราจะดำเนินการภายใน 30 วัน (ภายใน %(date)s)")
                % {"date": display_date(item.due_at)},
            )
            return redirect("governance:request", pk=item.pk)
    return render(request, "governance/requests/new.html", {"form": form})


def _own_request(request, pk: int) -> DataSubjectRequest:
    return get_object_or_404(DataSubjectRequest, pk=pk, requester=request.user)


@login_required
def request_detail(request, pk: int):
    item = _own_request(request, pk)
    erased = held = None
    if item.erasure_report:
        erased, held = item.erasure_report["erased"], item.erasure_report["held"]
    elif item.kind == RequestKind.ERASURE and item.is_open:
        plan = services.erasure_plan(request.user)
        erased, held = [line for line in plan if not line.held], [line for line in plan if line.held]
    return render(request, "governance/requests/detail.html", {"item": item, "erased": erased, "held": held})


@login_required
def request_export(request, pk: int, fmt: str):
    item = _own_request(request, pk)
    if item.kind != RequestKind.ACCESS or item.status != RequestStatus.COMPLETED or not item.export:
        raise Http404
    name = f"talat-personal-data-{item.pk}"
    if fmt == "pdf":
        response = HttpResponse(render_export_pdf(item.export), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        response = HttpResponse(services.export_bytes(item.export), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "no-store"
    return response


# --- PDPA: officers -----------------------------------------------------------------------------


@login_required
def request_queue(request):
    _require_data_protection_officer(request)
    closed = request.GET.get("show") == "closed"
    page = _page(request, services.subject_request_queue(closed=closed))
    return render(
        request,
        "governance/requests/queue.html",
        {"page": page, "closed": closed, "overdue": services.overdue_count()},
    )


@login_required
def handle_request(request, pk: int):
    _require_data_protection_officer(request)
    item = get_object_or_404(DataSubjectRequest.objects.select_related("requester", "handled_by"), pk=pk)
    resolution_form = ResolutionForm(request.POST if request.POST.get("action") == "complete" else None)
    refusal_form = RefusalForm(request.POST if request.POST.get("action") == "refuse" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.start_data_subject_request(item=item, officer=request.user)
                messages.success(request, _("เริ่มดำเนินการคำขอแล้ว"))
                return redirect("governance:handle_request", pk=pk)
            if action == "complete" and item.kind != RequestKind.ERASURE and resolution_form.is_valid():
                services.complete_data_subject_request(
                    item=item, officer=request.user, **resolution_form.cleaned_data
                )
                messages.success(request, _("ปิดคำขอแล้ว ผู้ยื่นคำขอได้รับแจ้งผล"))
                return redirect("governance:handle_request", pk=pk)
            if action == "refuse" and refusal_form.is_valid():
                services.refuse_data_subject_request(
                    item=item, officer=request.user, **refusal_form.cleaned_data
                )
                messages.success(request, _("ปฏิเสธคำขอแล้ว ผู้ยื่นคำขอเห็นเหตุผล"))
                return redirect("governance:handle_request", pk=pk)
        except ValidationError as error:
            add_service_errors(refusal_form if action == "refuse" else resolution_form, error)
        except PermissionDenied as error:
            _show_error(request, error)
    export_summary = [
        {"label": s["label"], "rows": len(s["rows"])} for s in (item.export or {}).get("sections", [])
    ]
    return render(
        request,
        "governance/requests/handle.html",
        {
            "item": item,
            "resolution_form": resolution_form,
            "refusal_form": refusal_form,
            "export_summary": export_summary,
        },
    )


@login_required
def confirm_erasure(request, pk: int):
    """Shows what erasure will blank and what the law holds, and erases on confirmation."""
    _require_data_protection_officer(request)
    item = get_object_or_404(
        DataSubjectRequest.objects.select_related("requester"), pk=pk, kind=RequestKind.ERASURE
    )
    form = ResolutionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("confirm") == "yes" and form.is_valid():
        try:
            services.complete_data_subject_request(item=item, officer=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            _show_error(request, error)
        else:
            messages.success(request, _("ลบข้อมูลแล้ว ผู้ยื่นคำขอได้รับแจ้งรายการที่ลบและที่ต้องเก็บไว้ทางอีเมล"))
            return redirect("governance:handle_request", pk=pk)
    plan = services.erasure_plan(item.requester) if item.is_open else []
    return render(
        request,
        "governance/requests/erase.html",
        {
            "item": item,
            "form": form,
            "erased": [line for line in plan if not line.held],
            "held": [line for line in plan if line.held],
        },
    )


# --- Official Information Act: the public ------------------------------------------------------


def oia_new(request):
    """Public: the statistics Talat already publishes first, then the request form."""
    form = InformationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.file_information_request(site=site_url(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("ส่งคำขอแล้ว เก็บลิงก์หน้านี้ไว้เพื่อติดตามสถานะ (เราส่งลิงก์ไปที่อีเมลของคุณด้วย)"),
            )
            return redirect("governance:oia_status", code=item.code)
    return render(
        request,
        "governance/requests/oia_form.html",
        {"form": form, "statistics": services.published_statistics()},
    )


def oia_statistics(request):
    """Public: the published statistics as CSV."""
    return csv_response(
        "talat-verified-enterprises.csv",
        ["dimension", "code", "label", "verified_enterprises"],
        ([row.dimension, row.code, row.label, row.count] for rows in services.published_statistics().values()
         for row in rows),
    )  # fmt: skip


def oia_status(request, code: str):
    """Public to whoever holds the tracking code."""
    item = get_object_or_404(InformationRequest.objects.select_related("agency"), code=code)
    response = render(
        request,
        "governance/requests/oia_status.html",
        {"item": item, "notified": item.notices.exists() and item.status == OiaStatus.RECEIVED},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Official Information Act: officers and businesses ------------------------------------------


@login_required
def oia_queue(request):
    require_officer(request)
    closed = request.GET.get("show") == "closed"
    page = _page(request, services.information_request_queue(request.user, closed=closed))
    return render(request, "governance/requests/oia_queue.html", {"page": page, "closed": closed})


@login_required
def oia_handle(request, pk: int):
    require_officer(request)
    item = get_object_or_404(InformationRequest.objects.select_related("agency"), pk=pk)
    if not services.may_handle_information_request(request.user, item):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    search = request.GET.get("q", "").strip()
    notices = item.notices.select_related("enterprise").order_by("enterprise__name_th")
    notify_form = NotifyForm(
        request.POST if action == "notify" else None,
        search=search,
        notified=[n.enterprise_id for n in notices],
    )
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    refusal_form = OiaRefusalForm(request.POST if action == "refuse" else None)
    forms_by_action = {"notify": notify_form, "answer": answer_form, "refuse": refusal_form}
    form = forms_by_action.get(action)
    if form is not None and form.is_valid():
        try:
            if action == "notify":
                services.notify_enterprises(
                    item=item, officer=request.user, enterprises=list(form.cleaned_data["enterprises"])
                )
                messages.success(request, _("บันทึกการแจ้งกิจการตามมาตรา 17 แล้ว กิจการคัดค้านได้ภายใน 15 วัน"))
            elif action == "answer":
                services.answer_information_request(
                    item=item, officer=request.user, site=site_url(request), **form.cleaned_data
                )
                messages.success(request, _("เปิดเผยข้อมูลแล้ว ผู้ขอเห็นข้อมูลที่หน้าติดตามสถานะ"))
            else:
                services.refuse_information_request(
                    item=item, officer=request.user, site=site_url(request), **form.cleaned_data
                )
                messages.success(request, _("บันทึกคำสั่งไม่เปิดเผยแล้ว ผู้ขอเห็นเหตุผลและสิทธิอุทธรณ์"))
            return redirect("governance:oia_handle", pk=pk)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            _show_error(request, error)
    return render(
        request,
        "governance/requests/oia_handle.html",
        {
            "item": item,
            "notices": notices,
            "blockers": services.disclosure_blockers(item) if item.status == OiaStatus.RECEIVED else [],
            "search": search,
            "notify_form": notify_form,
            "answer_form": answer_form,
            "refusal_form": refusal_form,
        },
    )


def _notices_page(request, *, bound: EnterpriseNotice | None = None, form=None):
    page = _page(request, services.notices_for_owner(request.user))
    for notice in page:
        notice.form = (
            form if bound is not None and notice.pk == bound.pk else ObjectionForm(prefix=f"n{notice.pk}")
        )
    return render(request, "governance/requests/notices.html", {"page": page})


@login_required
def oia_notices(request):
    """Section 17 notices to the enterprises the user owns, with the right to object."""
    return _notices_page(request)


@login_required
@require_POST
def oia_object(request, pk: int):
    notice = get_object_or_404(EnterpriseNotice, pk=pk, enterprise__owner=request.user)
    form = ObjectionForm(request.POST, prefix=f"n{notice.pk}")
    if form.is_valid():
        try:
            services.object_to_notice(notice=notice, owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("บันทึกคำคัดค้านแล้ว หน่วยงานจะพิจารณาก่อนมีคำสั่ง"))
            return redirect("governance:oia_notices")
    return _notices_page(request, bound=notice, form=form)
