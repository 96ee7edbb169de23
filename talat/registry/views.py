"""Registry pages: the onboarding wizard, the owner's status page and the officers' queue.

The wizard keeps each step's answers in the session and writes nothing until the owner
submits the last step, so a half-finished registration never reaches the database."""

import geothai
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from talat.accounts.models import Role
from talat.core import ids
from talat.core.address import area_name, validate_thai_address
from talat.core.forms import add_service_errors
from talat.registry import selectors, services
from talat.registry.forms import (
    AddressStep,
    ContactStep,
    DecisionForm,
    IdentityStep,
    NamesStep,
    district_choices,
    subdistrict_choices,
)
from talat.registry.models import Enterprise, GoodsCategory, VerificationStatus, tax_index

SESSION_KEY = "onboarding"


def _check_identity(data):
    data["registration_number"] = services.check_identity(
        kind=data["kind"], registration_number=data["registration_number"]
    )


def _check_names(data):
    errors = {}
    for field, check in (("tax_id", ids.tax_id), ("branch", ids.branch_number)):
        try:
            data[field] = check(data[field])
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    if Enterprise.objects.filter(tax_index=tax_index(data["tax_id"]), branch=data["branch"]).exists():
        raise ValidationError({"tax_id": _("เลขประจำตัวผู้เสียภาษีและสาขานี้ลงทะเบียนไว้แล้ว")})


def _check_address(data):
    validate_thai_address(
        province_code=data["province_code"],
        district_code=data["district_code"],
        subdistrict_code=data["subdistrict_code"],
        postal_code=data["postal_code"],
    )


def _check_contact(data):
    data["phone"] = services.normalize_phone(data["phone"])


STEPS = [
    ("identity", gettext_lazy("ประเภทและเลขทะเบียน"), IdentityStep, _check_identity),
    ("names", gettext_lazy("ชื่อและภาษี"), NamesStep, _check_names),
    ("address", gettext_lazy("ที่ตั้ง"), AddressStep, _check_address),
    ("contact", gettext_lazy("ติดต่อ"), ContactStep, _check_contact),
]
STEP_NAMES = [name for name, *_rest in STEPS] + ["review"]


def _require_owner(request):
    if request.user.role != Role.SME_OWNER:
        raise PermissionDenied


@login_required
def onboarding(request):
    _require_owner(request)
    if request.user.owned_enterprises.exists() and SESSION_KEY not in request.session:
        return redirect("registry:status")
    return redirect("registry:onboarding_step", step="identity")


@login_required
def onboarding_step(request, step: str):
    _require_owner(request)
    if step not in STEP_NAMES:
        return redirect("registry:onboarding_step", step="identity")
    answers = request.session.get(SESSION_KEY, {})
    index = STEP_NAMES.index(step)
    # A step is open once every step before it has been answered.
    for earlier in STEP_NAMES[:index]:
        if earlier not in answers:
            return redirect("registry:onboarding_step", step=earlier)
    progress = {"steps": [label for _n, label, *_r in STEPS] + [_("ตรวจทาน")], "current": index}
    if step == "review":
        return _review(request, answers, progress)
    _name, label, form_class, check = STEPS[index]
    initial = dict(answers.get(step, {}))
    if step == "names" and not initial:
        identity = answers["identity"]
        initial["tax_id"] = services.default_tax_id(**identity)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            check(data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            answers[step] = data
            request.session[SESSION_KEY] = answers
            return redirect("registry:onboarding_step", step=STEP_NAMES[index + 1])
    previous = STEP_NAMES[index - 1] if index else None
    return render(
        request,
        "registry/onboarding_step.html",
        {"form": form, "step": step, "title": label, "progress": progress, "previous": previous},
    )


def _flatten(answers) -> dict:
    fields = {}
    for name, *_rest in STEPS:
        fields.update(answers.get(name, {}))
    return fields


def _review(request, answers, progress):
    fields = _flatten(answers)
    errors = None
    if request.method == "POST":
        try:
            enterprise = services.register_enterprise(owner=request.user, **fields)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            del request.session[SESSION_KEY]
            messages.success(request, _("ส่งคำขอลงทะเบียน “%(name)s” แล้ว") % {"name": enterprise.name_th})
            return redirect("registry:status")
    address = validate_thai_address(
        province_code=fields["province_code"],
        district_code=fields["district_code"],
        subdistrict_code=fields["subdistrict_code"],
        postal_code=fields["postal_code"],
    )
    full = geothai.address(address.subdistrict_code)
    return render(
        request,
        "registry/onboarding_review.html",
        {
            "fields": fields,
            "kind_label": dict(Enterprise._meta.get_field("kind").choices)[fields["kind"]],
            "categories": GoodsCategory.objects.filter(code__in=fields["category_codes"]),
            "area": {k: area_name(getattr(full, k)) for k in ("province", "district", "subdistrict")},
            "errors": errors,
            "progress": progress,
            "step": "review",
            "previous": "contact",
        },
    )


@login_required
def status(request):
    enterprises = request.user.owned_enterprises.prefetch_related("categories", "decisions")
    return render(request, "registry/status.html", {"enterprises": enterprises})


def _require_officer(request):
    if not request.user.is_agency_officer:
        raise PermissionDenied


@login_required
def queue(request):
    _require_officer(request)
    wanted = request.GET.get("status") or VerificationStatus.PENDING
    if wanted not in VerificationStatus.values:
        wanted = VerificationStatus.PENDING
    rows = selectors.enterprises_visible_to(request.user).filter(status=wanted).select_related("owner")
    page = Paginator(rows.order_by("created_at", "pk"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/queue.html",
        {
            "page": page,
            "status": wanted,
            "statuses": VerificationStatus.choices,
            "agency": selectors.agency_of(request.user),
        },
    )


@login_required
def review_enterprise(request, pk: int):
    _require_officer(request)
    enterprise = get_object_or_404(Enterprise.objects.select_related("owner"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_enterprise(
                enterprise=enterprise,
                officer=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("บันทึกคำตัดสินสำหรับ “%(name)s” แล้ว") % {"name": enterprise.name_th})
            return redirect("registry:queue")
    return render(request, "registry/review.html", {"enterprise": enterprise, "form": form})


@require_GET
def district_options(request):
    return render(
        request, "registry/options.html", {"choices": district_choices(request.GET.get("province_code", ""))}
    )


@require_GET
def subdistrict_options(request):
    return render(
        request,
        "registry/options.html",
        {"choices": subdistrict_choices(request.GET.get("district_code", ""))},
    )
