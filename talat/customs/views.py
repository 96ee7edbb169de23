"""The seller's customs pages: each product's bill of materials with its certificate-of-origin
eligibility (Form E, Form D, RCEP) and the application data for each, and the commercial
invoice and packing list of each export order."""

import re

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from talat.catalog.models import Product
from talat.catalog.services import origin as bill_service
from talat.customs import documents, origin
from talat.customs.forms import CostingForm, MaterialFormSet
from talat.customs.models import ExportRecord
from talat.orders.models import Order, OrderStatus
from talat.registry.decorators import seller_required

PER_PAGE = 20
HOME_COUNTRIES = ("", "TH")  # an order to these is not an export


def _own_product(request, uid) -> Product:
    return get_object_or_404(
        Product.objects.select_related("enterprise", "origin_costing").prefetch_related("materials"),
        uid=uid,
        enterprise=request.enterprise,
    )


@seller_required
def origin_list(request):
    products = (
        Product.objects.filter(enterprise=request.enterprise)
        .select_related("origin_costing")
        .prefetch_related("materials")
        .annotate(material_count=Count("materials"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(products, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for product in page:
        filled = product.material_count > 0 or hasattr(product, "origin_costing")
        rows.append(
            {
                "product": product,
                "hs_code": documents.display_hs(product.hs_code),
                "filled": filled,
                "assessments": origin.assess(product) if filled else [],
            }
        )
    return render(
        request,
        "customs/origin_list.html",
        {"page": page, "rows": rows},
    )


def _material_initial(product) -> list[dict]:
    return [
        {field: getattr(material, field) for field in bill_service.MATERIAL_FIELDS}
        for material in product.materials.all()
    ]


def _costing_initial(product) -> dict | None:
    costing = getattr(product, "origin_costing", None)
    if costing is None:
        return None
    return {field: getattr(costing, field) for field in (*bill_service.COSTING_MONEY, "wholly_obtained")}


def _show_errors(error: ValidationError, row_forms, costing_form, page_errors: list) -> None:
    """Puts each of the service's errors beside the field it names."""
    for key, errors in error.message_dict.items():
        parts = key.split(".")
        if (
            parts[0] == "materials"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(row_forms)
        ):
            form = row_forms[int(parts[1])]
            form.add_error(parts[2] if parts[2] in form.fields else None, errors)
        elif parts[0] == "costing" and len(parts) == 2:
            costing_form.add_error(parts[1] if parts[1] in costing_form.fields else None, errors)
        else:
            page_errors.extend(errors if key == NON_FIELD_ERRORS else [f"{key}: {e}" for e in errors])


def _is_row(cleaned: dict) -> bool:
    """A row the seller means: not marked for removal and not left (or made) entirely blank."""
    if not cleaned or cleaned.get("DELETE"):
        return False
    return any(cleaned.get(field) not in (None, "", False) for field in bill_service.MATERIAL_FIELDS)


@seller_required
def origin_edit(request, uid):
    product = _own_product(request, uid)
    posted = request.method == "POST"
    materials = MaterialFormSet(
        request.POST if posted else None, prefix="m", initial=_material_initial(product)
    )
    costing_form = CostingForm(
        request.POST if posted else None, prefix="c", initial=_costing_initial(product)
    )
    page_errors: list[str] = []
    if posted:
        if materials.is_valid() and costing_form.is_valid():
            row_forms = [form for form in materials.forms if _is_row(form.cleaned_data)]
            rows = [
                {field: form.cleaned_data.get(field) for field in bill_service.MATERIAL_FIELDS}
                for form in row_forms
            ]
            try:
                bill_service.set_bill_of_materials(
                    product=product, materials=rows, costing=costing_form.cleaned_data, by=request.user
                )
            except ValidationError as error:
                _show_errors(error, row_forms, costing_form, page_errors)
            else:
                messages.success(request, _("บันทึกรายการวัตถุดิบและต้นทุนแล้ว"))
                return redirect("customs:origin_edit", uid=product.uid)
        page_errors.extend(materials.non_form_errors())
        page_errors.insert(0, _("ยังไม่ได้บันทึก โปรดแก้ไขช่องที่มีข้อความแจ้ง"))
    assessments = origin.assess(product)
    return render(
        request,
        "customs/origin_edit.html",
        {
            "product": product,
            "hs_code": documents.display_hs(product.hs_code),
            "materials": materials,
            "costing_form": costing_form,
            "page_errors": page_errors,
            "assessments": assessments,
        },
        status=422 if posted else 200,
    )


@seller_required
def origin_application(request, uid, agreement):
    if agreement not in origin.AGREEMENTS:
        raise Http404
    product = _own_product(request, uid)
    response = JsonResponse(
        origin.application_data(product, agreement), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{agreement}-{product.uid}.json"'
    return response


def _export_orders(request):
    return Order.objects.filter(enterprise=request.enterprise).exclude(buyer_country__in=HOME_COUNTRIES)


@seller_required
def export_orders(request):
    # A cancelled order ships nothing; its documents stay downloadable from their links.
    listed = _export_orders(request).exclude(status=OrderStatus.CANCELLED).order_by("-placed_at", "-id")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customs/export_orders.html", {"page": page})


def _own_export_order(request, uid) -> Order:
    return get_object_or_404(
        Order.objects.select_related("enterprise").prefetch_related("lines__variant__product"),
        uid=uid,
        enterprise=request.enterprise,
    )


def _pdf(order, content: bytes, name: str) -> HttpResponse:
    number = re.sub(r"[^A-Za-z0-9_-]+", "-", order.channel_order_number).strip("-") or str(order.uid)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{number}.pdf"'
    return response


def _document(request, uid, render_pdf, name: str):
    order = _own_export_order(request, uid)
    if order.buyer_country in HOME_COUNTRIES:
        messages.error(
            request,
            _("คำสั่งซื้อ %(number)s ส่งในประเทศ จึงไม่ต้องใช้เอกสารส่งออก") % {"number": order.channel_order_number},
        )
        return redirect("orders:detail", uid=order.uid)
    return _pdf(order, render_pdf(order), name)


@seller_required
def commercial_invoice(request, uid):
    return _document(request, uid, documents.commercial_invoice_pdf, "commercial-invoice")


@seller_required
def packing_list(request, uid):
    return _document(request, uid, documents.packing_list_pdf, "packing-list")


@seller_required
def export_records(request):
    """The shop's own export records (from declarations Customs released), and who may read them:
    a marketplace gets them only under an agreement the shop consents to (the consents page)."""
    records = ExportRecord.objects.filter(enterprise=request.enterprise)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customs/export_records.html", {"page": page})
