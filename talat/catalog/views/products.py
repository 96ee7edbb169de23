"""The seller's product pages: list, create and edit (three languages, SKUs), stock and images."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Sum
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talat.catalog.forms import ProductForm, StockForm, VariantForm
from talat.catalog.models import Product, ProductStatus, StockMovement, Variant
from talat.catalog.services import products as service
from talat.catalog.services import stock
from talat.core.forms import add_service_errors
from talat.registry.decorators import seller_required

VariantFormSet = formset_factory(VariantForm, extra=0, min_num=1, validate_min=True, max_num=50)


def _own_product(request, uid) -> Product:
    return get_object_or_404(
        Product.objects.select_related("category"), uid=uid, enterprise=request.enterprise
    )


@seller_required
def product_list(request):
    products = Product.objects.filter(enterprise=request.enterprise).select_related("category")
    q = request.GET.get("q", "").strip()
    if q:
        sku = Variant.objects.filter(product=OuterRef("pk"), sku__icontains=q)
        products = products.filter(Q(name_th__icontains=q) | Q(name_en__icontains=q) | Exists(sku))
    products = products.annotate(available=Sum("variants__available"), reserved=Sum("variants__reserved"))
    page = Paginator(products.order_by("-created_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "catalog/product_list.html", {"page": page, "q": q})


def _save(request, product=None):
    form = ProductForm(request.POST or None, instance=product)
    initial = (
        [{k: getattr(v, k) for k in service.VARIANT_FIELDS} for v in product.variants.all()]
        if product
        else None
    )
    variants = VariantFormSet(request.POST or None, prefix="sku", initial=initial)
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        rows = [f.cleaned_data for f in variants.forms if f.cleaned_data]
        try:
            if product is None:
                opening = {}
                for f in variants.forms:
                    if f.cleaned_data:
                        opening[f.cleaned_data["sku"]] = _int(request.POST.get(f"{f.prefix}-stock"))
                product = service.create_product(
                    enterprise=request.enterprise,
                    by=request.user,
                    product=form.cleaned_data,
                    variants=rows,
                    stock_by_sku=opening,
                )
                messages.success(request, _("บันทึกสินค้าแล้ว"))
            else:
                service.update_product(
                    product=product, by=request.user, data=form.cleaned_data, variants=rows
                )
                messages.success(request, _("บันทึกการแก้ไขแล้ว"))
            return redirect("catalog:product_edit", uid=product.uid)
        except ValidationError as error:
            add_service_errors(form, error)
    template = "catalog/product_form.html"
    return render(
        request,
        template,
        {"form": form, "variants": variants, "product": product},
        status=422 if request.method == "POST" else 200,
    )


def _int(value) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


@seller_required
def product_new(request):
    return _save(request)


@seller_required
def product_edit(request, uid):
    return _save(request, _own_product(request, uid))


@seller_required
def product_stock(request, uid):
    product = _own_product(request, uid)
    form = StockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        variant = get_object_or_404(product.variants, pk=request.POST.get("variant"))
        try:
            if request.POST.get("action") == "count":
                stock.count(
                    variant=variant,
                    location=stock.default_location(request.enterprise),
                    counted=form.cleaned_data["quantity"],
                    by=request.user,
                    reference=form.cleaned_data["reference"],
                )
            else:
                stock.receive(
                    variant=variant,
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                    reference=form.cleaned_data["reference"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("ปรับสต็อกแล้ว"))
            return redirect("catalog:product_stock", uid=uid)
    movements = Paginator(
        StockMovement.objects.filter(variant__product=product).select_related("variant", "location", "by"), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/product_stock.html",
        {"product": product, "form": form, "movements": movements, "variants": product.variants.all()},
    )


@seller_required
def product_images(request, uid):
    product = _own_product(request, uid)
    if request.method == "POST":
        if "remove" in request.POST:
            image = get_object_or_404(product.images, pk=request.POST["remove"])
            service.remove_image(image=image)
            messages.success(request, _("ลบรูปแล้ว"))
        elif request.FILES.get("image"):
            try:
                service.add_image(
                    product=product, upload=request.FILES["image"], alt=request.POST.get("alt", "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("เพิ่มรูปแล้ว"))
        else:
            messages.error(request, _("กรุณาเลือกไฟล์รูปภาพ"))
        return redirect("catalog:product_images", uid=uid)
    return render(request, "catalog/product_images.html", {"product": product})


@require_POST
@seller_required
def product_status(request, uid):
    product = _own_product(request, uid)
    status = request.POST.get("status")
    if status not in ProductStatus.values:
        messages.error(request, _("สถานะไม่ถูกต้อง"))
    else:
        service.set_status(product=product, status=status, by=request.user)
        messages.success(request, _("เปลี่ยนสถานะเป็น %(status)s แล้ว") % {"status": ProductStatus(status).label})
    return redirect("catalog:product_edit", uid=uid)
