"""Spreadsheet import and export of the seller's products: upload → preview of every row's errors →
confirm → a progress bar while a background task saves the good rows."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talat.catalog.models import ImportJob, ImportState
from talat.catalog.services import imports
from talat.core.forms import add_service_errors
from talat.registry.decorators import seller_required

ERRORS_PER_PAGE = 50
PREVIEW_ROWS = 10
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ไฟล์สินค้า (.csv หรือ .xlsx)"),
        help_text=gettext_lazy("ไม่เกิน 5 MB และไม่เกิน 5,000 แถว"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _job(request, uid) -> ImportJob:
    return get_object_or_404(ImportJob, uid=uid, enterprise=request.enterprise)


@seller_required
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            file = form.cleaned_data["file"]
            job = imports.create_job(enterprise=request.enterprise, by=request.user, upload=file)
        except ValidationError as error:
            add_service_errors(form, error, fallback_field="file")
        else:
            return redirect("catalog:import_preview", uid=job.uid)
    recent = ImportJob.objects.filter(enterprise=request.enterprise)[:5]
    return render(request, "catalog/import_upload.html", {"form": form, "recent": recent})


@seller_required
@require_GET
def preview(request, uid):
    job = _job(request, uid)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    rows = imports.preview_rows(job, PREVIEW_ROWS) if job.state == ImportState.PREVIEW else []
    return render(
        request,
        "catalog/import_preview.html",
        {"job": job, "errors": errors, "rows": rows, "bad_rows": job.total_rows - job.valid_rows},
    )


@seller_required
@require_POST
def confirm(request, uid):
    job = _job(request, uid)
    try:
        imports.start_import(job, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("catalog:import_preview", uid=job.uid)


@seller_required
@require_POST
def cancel(request, uid):
    job = _job(request, uid)
    try:
        imports.cancel(job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("catalog:import_preview", uid=job.uid)
    messages.success(request, _("ยกเลิกการนำเข้าไฟล์ %(name)s แล้ว ไม่มีสินค้าถูกบันทึก") % {"name": job.filename})
    return redirect("catalog:import_upload")


@seller_required
@require_GET
def progress(request, uid):
    return render(request, "catalog/_import_progress.html", {"job": _job(request, uid)})


@seller_required
@require_GET
def export(request, fmt):
    if fmt not in EXPORT_TYPES:
        raise Http404
    rows = imports.export_rows(request.enterprise)
    body = imports.write_csv(rows) if fmt == "csv" else imports.write_xlsx(rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = f"talat-products-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
