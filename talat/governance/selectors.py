"""Reads of governance data: the data dictionary, the data passbook, consent state."""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet

from talat.core.classification import classification_of, declared_fields, field_path
from talat.governance.models import Agreement, AgreementStatus, Consent, Disclosure


@dataclass(frozen=True)
class DictionaryRow:
    model: str
    model_label: str
    field: str
    field_label: str
    data_class: str
    data_class_label: str
    personal: bool
    agreements: tuple[str, ...]


def data_dictionary() -> list[DictionaryRow]:
    """Every declared field of every Talat model, with the agreements in force that release it."""
    releasing: dict[str, list[str]] = {}
    for agreement in Agreement.objects.filter(status=AgreementStatus.ACTIVE).order_by("pk"):
        for path in agreement.fields:
            releasing.setdefault(path, []).append(agreement.title_th)
    rows = []
    for model in apps.get_models():
        if not model.__module__.startswith("talat."):
            continue
        for model_field in declared_fields(model):
            classification = classification_of(model_field)
            if classification is None:
                continue
            path = field_path(model_field)
            rows.append(
                DictionaryRow(
                    model=model._meta.label,
                    model_label=str(model._meta.verbose_name),
                    field=model_field.name,
                    field_label=str(getattr(model_field, "verbose_name", model_field.name)),
                    data_class=classification.data_class.value,
                    data_class_label=str(classification.data_class.label),
                    personal=classification.personal,
                    agreements=tuple(releasing.get(path, ())),
                )
            )
    return sorted(rows, key=lambda r: (r.model, r.field))


def field_label(path: str) -> str:
    """'registry.Enterprise.tax_id' -> the field's name as people read it."""
    try:
        app_label, model_name, name = path.split(".")
        return str(apps.get_model(app_label, model_name)._meta.get_field(name).verbose_name)
    except (ValueError, LookupError, FieldDoesNotExist):
        return path


def passbook(*, enterprise=None, person=None) -> QuerySet[Disclosure]:
    rows = Disclosure.objects.select_related("agreement")
    if enterprise is not None:
        return rows.filter(enterprise=enterprise)
    return rows.filter(person=person)


def consent_agreements() -> QuerySet[Agreement]:
    """Agreements in force or suspended that ask owners for consent."""
    return Agreement.objects.filter(
        consent_required=True, status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED]
    ).select_related("recipient_partner", "recipient_agency")


def consent_in_force(agreement: Agreement, *, enterprise=None, person=None) -> Consent | None:
    owner = {"enterprise": enterprise} if enterprise is not None else {"person": person}
    return Consent.objects.filter(agreement=agreement, **owner).order_by("-at", "-pk").first()
